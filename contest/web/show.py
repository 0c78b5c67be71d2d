"""The three live screens: the audience's phone (public), the projector (public, never an
answer) and the MC's console (MC or organisers). Each page is rendered with the current
stage so it reads before any script runs; the scripts then follow the live events."""

from __future__ import annotations

import io
from urllib.parse import urlparse

from flask import Blueprint, Response, current_app, render_template

from ..api.contests import get_contest
from ..services import stage as stage_service
from ..services.links import base_url, lan_address
from .auth import require

bp = Blueprint("show", __name__)


def init_app(app) -> None:
    """Start the stage ticker (auto-advance) when the app is built. Called when this
    blueprint is registered, so ``contest.web.register`` needs no change."""
    if app.testing and not app.config.get("STAGE_TICKER"):
        return
    stage_service.start_ticker(app)


bp.record_once(lambda state: init_app(state.app))


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
    return render_template(template, contest=contest, view=view, standings=table,
                           audience_url=audience_url(contest_id), **extra)


@bp.get("/c/<int:contest_id>")
def audience(contest_id: int):
    from ..services.access import AUDIENCE
    return _page("show/audience.html", contest_id, AUDIENCE)


@bp.get("/c/<int:contest_id>/projector")
def projector(contest_id: int):
    from ..services.access import AUDIENCE
    return _page("show/projector.html", contest_id, AUDIENCE)


@bp.get("/c/<int:contest_id>/mc")
def mc(contest_id: int):
    get_contest(contest_id)
    principal = require(contest_id, "mc", "organiser")
    return _page("show/mc.html", contest_id, principal, principal=principal)


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
