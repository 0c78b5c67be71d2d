"""An office's own page: its questions and their review, the form to send or edit one, the
upload, and the empty template. An organiser who opens it is sent to the review page."""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from contest.core.errors import ContestError, Forbidden
from contest.web.auth import current_principal, require

from .. import services
from . import bp
from .forms import actor, form_body, form_values
from .files import XLSX, report_status, run_import


def _office_principal(contest_id: int):
    principal = current_principal(contest_id)
    if principal.role == "organiser":
        return principal, None
    principal = require(contest_id, "office")
    return principal, services.office_of(principal, contest_id)


def _render_office(contest, office, *, values=None, errors=None, report=None, editing=None,
                   status=200):
    rows = services.list_questions(contest.id, office=office)
    counts = {s: sum(1 for q in rows if q.status == s) for s in services.STATUS_LABELS}
    fields = sorted({q.field for q in services.all_questions(contest.id) if q.field})
    return render_template("bank/office.html", contest=contest, office=office, rows=rows,
                           counts=counts, values=values or form_values(), errors=errors or {},
                           report=report, editing=editing, fields=fields,
                           labels=services.STATUS_LABELS, kinds=services.KIND_LABELS), status


@bp.route("/c/<int:contest_id>/office", methods=["GET", "POST"])
def office(contest_id: int):
    contest = services.get_contest(contest_id)
    principal, office_row = _office_principal(contest_id)
    if office_row is None:  # an organiser: the review page is theirs
        return redirect(url_for("bank.review", contest_id=contest_id))
    if request.method == "GET":
        key = request.args.get("edit")
        if key:
            q = services.get_question(contest_id, key, office=office_row)
            if q.status != "submitted":
                raise Forbidden("Câu hỏi đã được Ban Tổ chức xét; cơ quan không sửa được nữa")
            return _render_office(contest, office_row, values=form_values(q), editing=q.key)
        return _render_office(contest, office_row)
    body = form_body(request.form, with_office=False)
    key = request.form.get("key", "")
    try:
        if key:
            q = services.update_question(contest, key, body, actor(principal), office=office_row)
            flash(_("Đã lưu câu hỏi %(key)s.", key=q.key), "success")
        else:
            q = services.create_question(contest, body, actor(principal), office=office_row)
            flash(_("Đã gửi câu hỏi %(key)s tới Ban Tổ chức.", key=q.key), "success")
    except ContestError as exc:
        if exc.status in (403, 404):
            raise
        return _render_office(contest, office_row, values=form_values(body=body),
                              errors={exc.field or "form": exc.message}, editing=key or None,
                              status=exc.status)
    return redirect(url_for("bank.office", contest_id=contest_id) + f"#q-{q.key}")


@bp.post("/c/<int:contest_id>/office/questions/<key>/delete")
def office_delete(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal, office_row = _office_principal(contest_id)
    if office_row is None:
        return redirect(url_for("bank.review", contest_id=contest_id))
    services.delete_question(contest, key, actor(principal), office=office_row)
    flash(_("Đã xóa câu hỏi %(key)s.", key=key), "success")
    return redirect(url_for("bank.office", contest_id=contest_id))


@bp.post("/c/<int:contest_id>/office/upload")
def office_upload(contest_id: int):
    contest = services.get_contest(contest_id)
    principal, office_row = _office_principal(contest_id)
    if office_row is None:
        return redirect(url_for("bank.review", contest_id=contest_id))
    try:
        report = run_import(contest, principal, office_row)
    except ContestError as exc:
        return _render_office(contest, office_row, errors={"file": exc.message},
                              status=exc.status)
    return _render_office(contest, office_row, report=report, status=report_status(report))


@bp.get("/c/<int:contest_id>/questions/template.xlsx")
def template(contest_id: int):
    services.get_contest(contest_id)
    require(contest_id, "organiser", "office")
    return send_file(io.BytesIO(services.template_xlsx()), mimetype=XLSX, as_attachment=True,
                     download_name="mau-cau-hoi.xlsx")
