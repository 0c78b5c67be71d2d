"""The three live screens: the audience's phone (public), the projector (public, never an
answer) and the MC's console (MC or organisers). Each page is rendered with the current
stage so it reads before any script runs; the scripts then follow the live events."""

from __future__ import annotations

import io
from urllib.parse import urlparse

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import current_user

from ..api.contests import get_contest
from ..core.text import format_date
from ..services import stage as stage_service
from ..services.links import base_url, lan_address
from .auth import require

bp = Blueprint("show", __name__)


def init_app(app) -> None:
    """Start the stage ticker (auto-advance) now. Optional: otherwise it starts with the first
    request or socket that reads the stage (so ``hoithi import`` and the other one-shot
    commands never start it), which after a restart is the first screen reconnecting."""
    if app.testing and not app.config.get("STAGE_TICKER"):
        return
    stage_service.start_ticker(app)


def audience_url(contest_id: int) -> str:
    """The URL printed under the projector's QR code: the LAN address, never localhost."""
    base = base_url(current_app.config)
    parsed = urlparse(base)
    if not current_app.config.get("PUBLIC_URL") and parsed.hostname in ("localhost", "127.0.0.1", "::1"):
        base = f"{parsed.scheme}://{lan_address()}" + (f":{parsed.port}" if parsed.port else "")
    return f"{base}/c/{contest_id}"


def _page(template: str, contest_id: int, principal, **extra):
    contest = get_contest(contest_id)
    stage_service.ensure_ticker()
    view = stage_service.stage_view(contest, principal, include_steps=principal.is_staff)
    standings = stage_service.live.SNAPSHOT_PARTS.get("standings")
    table = standings(contest, principal) if standings else None
    url = audience_url(contest_id)
    timer = view.get("timer")
    place_date = " · ".join(x for x in (contest.venue, format_date(contest.date) if contest.date else "") if x)
    return render_template(template, contest=contest, view=view, standings=table,
                           team_names={t["key"]: t for t in view["teams"]},
                           clock_text=clock_text(timer["remaining_ms"]) if timer else "",
                           timer_state=TIMER_STATES[timer["state"]] if timer else "",
                           audience_url=url, audience_url_text=url.split("://", 1)[-1],
                           place_date=place_date, **extra)


TIMER_STATES = {"stopped": "Chưa bắt đầu", "running": "Đang chạy", "paused": "Tạm dừng"}


def clock_text(remaining_ms: int) -> str:
    """'02:00', or '+0:05' once overrun, as the screens' countdown shows it."""
    if remaining_ms > 0:
        s = -(-remaining_ms // 1000)
        return f"{s // 60:02d}:{s % 60:02d}"
    over = -remaining_ms // 1000
    return "00:00" if over == 0 else f"+{over // 60}:{over % 60:02d}"


def _public_page(template: str, contest_id: int):
    """A public screen. Anonymous visitors (a hall of phones, every one the same) share one
    rendering per language, rebuilt with each live event (:func:`contest.live.cached_public`);
    a signed-in organiser's page (with its sign-out form) or a language switch is rendered
    for that request alone."""
    from ..services.access import AUDIENCE
    if current_user.is_authenticated or request.args:
        return _page(template, contest_id, AUDIENCE)
    lang = current_app.jinja_env.globals["current_lang"]()
    return stage_service.live.cached_public(contest_id, ("page", template, lang),
                                            lambda: _page(template, contest_id, AUDIENCE))


@bp.get("/c/<int:contest_id>")
def audience(contest_id: int):
    return _public_page("show/audience.html", contest_id)


@bp.get("/c/<int:contest_id>/projector")
def projector(contest_id: int):
    return _public_page("show/projector.html", contest_id)


@bp.get("/c/<int:contest_id>/mc")
def mc(contest_id: int):
    get_contest(contest_id)
    principal = require(contest_id, "mc", "organiser")
    return _page("show/mc.html", contest_id, principal)


@bp.get("/c/<int:contest_id>/qr.svg")
def qr(contest_id: int):
    """The audience link as an SVG QR code, for the projector's welcome screen."""
    import qrcode
    import qrcode.image.svg

    get_contest(contest_id)
    url = audience_url(contest_id)
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    buf = io.BytesIO()
    image.save(buf)
    return Response(buf.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-cache"})
