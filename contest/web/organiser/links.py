"""Access links: every screen's link with its QR code, revoke-and-reissue, printable cards."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from ...services import setup_edit as svc
from ..auth import roles_required
from ..qr import qr_svg
from . import bp
from .common import actor, get_contest, public_base
from .forms import ActionForm

CARD_FILTERS = {"all": None, "judges": ("judge",), "staff": ("organiser", "mc", "judge"),
                "offices": ("office",), "public": ("audience", "projector")}


def _cards(contest, roles=None):
    base, note = public_base()
    cards = [c for c in svc.link_cards(contest, base) if roles is None or c.role in roles]
    return [{"card": c, "qr": qr_svg(c.url, f"{gettext(c.role_label)}: {gettext(c.person) if c.person else ''}")}
            for c in cards], note


@bp.get("/c/<int:contest_id>/setup/links")
@roles_required("organiser")
def links(contest_id: int):
    contest = get_contest(contest_id)
    cards, note = _cards(contest)
    return render_template("organiser/links.html", contest=contest, active="links", cards=cards, note=note,
                           action_form=ActionForm(formdata=None, data={"revision": contest.revision}))


@bp.post("/c/<int:contest_id>/setup/links/<int:token_id>/reissue")
@roles_required("organiser")
def reissue(contest_id: int, token_id: int):
    get_contest(contest_id)
    ActionForm()  # CSRF is checked for every POST; the revision does not matter here
    fresh = svc.reissue_link(contest_id, token_id, actor())
    flash(gettext("Đã thu hồi đường dẫn cũ và cấp mã mới cho %(who)s. Hãy in lại thẻ QR.", who=fresh.label), "success")
    return redirect(url_for("organiser.links", contest_id=contest_id) + f"#link-{fresh.id}")


@bp.get("/c/<int:contest_id>/setup/cards")
@roles_required("organiser")
def cards(contest_id: int):
    contest = get_contest(contest_id)
    which = request.args.get("only", "all")
    roles = CARD_FILTERS.get(which)
    cards, note = _cards(contest, roles)
    return render_template("organiser/cards.html", contest=contest, cards=cards, note=note,
                           which=which if which in CARD_FILTERS else "all", filters=CARD_FILTERS)
