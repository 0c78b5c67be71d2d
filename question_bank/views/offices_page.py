"""The offices on the review page: add one, rename one, and their links as QR codes and as
printable cards."""

from __future__ import annotations

import io

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from contest.core.errors import ContestError
from contest.web.auth import require

from .. import services
from . import bp
from .forms import actor
from .review_page import render_review


def _base_url() -> str:
    from contest.services.links import base_url
    return base_url(current_app.config)


@bp.post("/c/<int:contest_id>/questions/offices")
def add_office(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    try:
        office = services.add_office(contest, request.form.get("name", ""), actor(principal))
    except ContestError as exc:
        return render_review(contest, errors={"office:new": exc.message,
                                              "office:new:value": request.form.get("name", "")},
                             status=exc.status)
    flash(_("Đã thêm cơ quan “%(name)s” và cấp đường dẫn gửi câu hỏi.", name=office.name), "success")
    return redirect(url_for("bank.review", contest_id=contest_id) + "#offices")


@bp.post("/c/<int:contest_id>/questions/offices/<key>")
def rename_office(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    try:
        office = services.rename_office(contest, key, request.form.get("name", ""), actor(principal))
    except ContestError as exc:
        if exc.status == 404:
            raise
        return render_review(contest, errors={f"office:{key}": exc.message,
                                              f"office:{key}:value": request.form.get("name", "")},
                             status=exc.status)
    flash(_("Đã đổi tên cơ quan thành “%(name)s”.", name=office.name), "success")
    return redirect(url_for("bank.review", contest_id=contest_id) + "#offices")


@bp.get("/c/<int:contest_id>/questions/offices/<key>/qr.svg")
def office_qr(contest_id: int, key: str):
    import qrcode
    import qrcode.image.svg

    services.get_contest(contest_id)
    require(contest_id, "organiser")
    services.office_by_key(contest_id, key)
    link = services.office_links(contest_id, _base_url()).get(key)
    if link is None:
        raise ContestError("Cơ quan này chưa có đường dẫn", status=404, code="not_found")
    image = qrcode.make(link["url"], image_factory=qrcode.image.svg.SvgPathImage, border=2,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    buf = io.BytesIO()
    image.save(buf)
    return Response(buf.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.get("/c/<int:contest_id>/questions/offices/cards")
def office_cards(contest_id: int):
    contest = services.get_contest(contest_id)
    require(contest_id, "organiser")
    links = services.office_links(contest_id, _base_url())
    return render_template("bank/cards.html", contest=contest, offices=services.offices(contest_id),
                           links=links)
