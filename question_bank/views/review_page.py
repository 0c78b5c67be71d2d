"""The secretary's review page: the filtered list with coverage, approve/reject, the edit
form, delete, import, the spreadsheet export and the jury's booklet."""

from __future__ import annotations

import io
from urllib.parse import urlparse

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from contest.core.errors import ContestError
from contest.core.text import fold
from contest.web.auth import require

from .. import services
from . import bp
from .files import DOCX, XLSX, report_status, run_import
from .forms import actor, form_body, form_values


def _reserves() -> int | None:
    try:
        value = int(request.args.get("reserves", ""))
    except ValueError:
        return None
    return max(0, min(value, 1000))


def back(contest_id: int, anchor: str = "") -> str:
    """Where a review form returns to: the page it came from (same filters), else the list."""
    target = request.form.get("next", "")
    parsed = urlparse(target)
    prefix = url_for("bank.review", contest_id=contest_id)
    if parsed.netloc or not parsed.path.startswith(prefix):
        target = prefix
    return target + anchor


def render_review(contest, *, errors=None, report=None, status=200):
    """The review page, with ``errors`` from a form posted to it (shown next to that form)."""
    filters = services.Filters.from_args(request.args)
    all_rows = services.all_questions(contest.id)
    rows = services.search(all_rows, filters)
    offices = services.offices(contest.id)
    links = services.office_links(contest.id, request.host_url.rstrip("/"))
    return render_template(
        "bank/review.html", contest=contest, rows=rows, total=len(all_rows), filters=filters,
        coverage=services.coverage(contest, _reserves()), offices=offices, links=links,
        fields=sorted({q.field for q in all_rows if q.field}, key=fold),
        office_names=sorted({q.office for q in all_rows if q.office} | {o.name for o in offices},
                            key=fold),
        listing=services.draw_listing(contest), errors=errors or {}, report=report,
        labels=services.STATUS_LABELS, kinds=services.KIND_LABELS,
        here=request.full_path.rstrip("?")), status


@bp.get("/c/<int:contest_id>/questions")
def review(contest_id: int):
    contest = services.get_contest(contest_id)
    require(contest_id, "organiser")
    return render_review(contest)[0]


@bp.post("/c/<int:contest_id>/questions/<key>/review")
def review_action(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    decision = request.form.get("decision", "")
    try:
        q = services.review_question(contest, key, decision, request.form.get("reason", ""),
                                     actor(principal))
    except ContestError as exc:
        if exc.status == 404:
            raise
        return render_review(contest, errors={f"{key}:{exc.field or 'form'}": exc.message,
                                              "_row": key, "_message": exc.message},
                             status=exc.status)
    flash(_("Câu hỏi %(key)s: %(status)s.", key=q.key, status=_(services.STATUS_LABELS[q.status]).lower()),
          "success")
    return redirect(back(contest_id, f"#q-{key}"))


@bp.route("/c/<int:contest_id>/questions/<key>/edit", methods=["GET", "POST"])
def edit(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    q = None if key == "new" else services.get_question(contest_id, key)
    values, errors, status = form_values(q), {}, 200
    if request.method == "POST":
        body = form_body(request.form, with_office=True)
        try:
            if q is None:
                q = services.create_question(contest, body, actor(principal))
                flash(_("Đã thêm câu hỏi %(key)s.", key=q.key), "success")
            else:
                services.update_question(contest, key, body, actor(principal))
                flash(_("Đã lưu câu hỏi %(key)s.", key=key), "success")
            return redirect(back(contest_id, f"#q-{q.key}"))
        except ContestError as exc:
            if exc.status == 404:
                raise
            values, errors, status = form_values(body=body), {exc.field or "form": exc.message}, exc.status
    office_names = sorted({o.name for o in services.offices(contest_id)}, key=fold)
    fields = sorted({r.field for r in services.all_questions(contest_id) if r.field}, key=fold)
    return render_template("bank/edit.html", contest=contest, question=q, values=values,
                           errors=errors, office_names=office_names, fields=fields,
                           labels=services.STATUS_LABELS,
                           back=request.values.get("next") or url_for("bank.review", contest_id=contest_id)), status


@bp.post("/c/<int:contest_id>/questions/<key>/delete")
def delete(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    services.delete_question(contest, key, actor(principal))
    flash(_("Đã xóa câu hỏi %(key)s.", key=key), "success")
    return redirect(back(contest_id))


@bp.post("/c/<int:contest_id>/questions/import")
def upload(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    try:
        report = run_import(contest, principal, None)
    except ContestError as exc:
        return render_review(contest, errors={"file": exc.message}, status=exc.status)
    return render_review(contest, report=report, status=report_status(report))


@bp.get("/c/<int:contest_id>/questions/export.xlsx")
def export_xlsx(contest_id: int):
    contest = services.get_contest(contest_id)
    require(contest_id, "organiser")
    data = services.export_xlsx(contest, services.Filters.from_args(request.args))
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"ngan-hang-cau-hoi-{contest_id}.xlsx")


@bp.get("/c/<int:contest_id>/questions/booklet.docx")
def booklet(contest_id: int):
    contest = services.get_contest(contest_id)
    require(contest_id, "organiser")
    answers = request.args.get("answers", "1") != "0"
    data = services.booklet_docx(contest, with_answers=answers)
    name = "bo-cau-hoi-co-dap-an" if answers else "bo-cau-hoi"
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=f"{name}-{contest_id}.docx")
