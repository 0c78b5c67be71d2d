"""The question bank's screens: an office's submission page, the secretary's review page
(filters, edit, approve/reject, coverage, import, export, offices, seal and reveal) and the
public verify page. Each view parses the form, calls one service function and renders or
redirects; the work is in :mod:`question_bank.services`."""

from __future__ import annotations

import io
import json
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlparse

from flask import (Blueprint, Response, current_app, flash, redirect, render_template, request,
                   send_file, session, url_for)
from flask_babel import gettext as _

from contest.core.errors import ContestError, Forbidden
from contest.web.auth import current_principal, require

from . import services
from .core.model import LETTERS

bp = Blueprint("bank", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STASH_SECONDS = 2 * 3600


def _actor(principal):
    parts = [request.remote_addr or "", request.headers.get("User-Agent", "")[:200]]
    return principal.actor(" · ".join(p for p in parts if p))


# ---- the question form ----------------------------------------------------------------------

def form_body(form, *, with_office: bool) -> dict:
    """The service's question body from the form's fields (blank trailing rows dropped)."""
    kind = form.get("kind", "open")
    choices = [c for c in form.getlist("choices")]
    while choices and not choices[-1].strip():
        choices.pop()
    follow_ups = []
    for text, answer, points in zip(form.getlist("fu_text"), form.getlist("fu_answer"),
                                    form.getlist("fu_points")):
        if text.strip() or answer.strip() or points.strip():
            follow_ups.append({"text": text, "answer": answer, "points": points or None})
    answer = form.get("answer_letter", "") if kind == "choice" else form.get("answer", "")
    body = {"kind": kind, "text": form.get("text", ""), "answer": answer,
            "choices": choices if kind == "choice" else [], "field": form.get("field", ""),
            "basis": form.get("basis", ""), "points": form.get("points") or None,
            "follow_ups": follow_ups}
    if with_office:
        body["office"] = form.get("office", "")
    return body


def form_values(q=None, body: dict | None = None) -> dict:
    """What the form shows: a stored question, or what was typed (kept when it fails)."""
    if body is not None:
        v = dict(body)
    elif q is not None:
        v = services.question_dict(q)
    else:
        v = {"kind": "open", "text": "", "answer": "", "choices": [], "field": "", "basis": "",
             "points": 20, "follow_ups": [], "office": ""}
    choices = list(v.get("choices") or [])
    v["choice_rows"] = [(LETTERS[i], choices[i] if i < len(choices) else "")
                        for i in range(max(4, len(choices)))]
    follow_ups = list(v.get("follow_ups") or [])
    v["follow_up_rows"] = follow_ups + [{"text": "", "answer": "", "points": ""}] * (
        max(1, len(follow_ups) + (1 if follow_ups else 0)) - len(follow_ups))
    if v.get("points") is None:
        v["points"] = ""
    return v


# ---- upload stash (for "nhập các dòng hợp lệ" without sending the file again) ----------------

def _stash_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stash(contest_id: int, filename: str, data: bytes) -> str:
    folder = _stash_dir()
    now = time.time()
    for old in folder.glob("bank-*"):
        try:
            if now - old.stat().st_mtime > STASH_SECONDS:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_urlsafe(16)
    (folder / f"bank-{token}").write_bytes(data)
    stashes = dict(session.get("bank_uploads", {}))
    stashes = {k: v for k, v in stashes.items() if now - v.get("at", 0) < STASH_SECONDS}
    stashes[token] = {"contest": contest_id, "filename": filename, "at": now}
    session["bank_uploads"] = stashes
    return token


def _unstash(contest_id: int, token: str) -> tuple[str, bytes]:
    meta = session.get("bank_uploads", {}).get(token or "")
    path = _stash_dir() / f"bank-{token}"
    if not meta or meta.get("contest") != contest_id or not path.is_file():
        raise ContestError("Tệp đã gửi không còn được lưu tạm; hãy chọn và gửi lại tệp",
                           field="file", code="stash_expired")
    return meta["filename"], path.read_bytes()


def _drop_stash(token: str) -> None:
    stashes = dict(session.get("bank_uploads", {}))
    stashes.pop(token, None)
    session["bank_uploads"] = stashes
    try:
        (_stash_dir() / f"bank-{token}").unlink()
    except OSError:
        pass


def _run_import(contest, principal, office):
    """The upload form: a new file, or the stashed one again with partial. Returns the report
    (with ``stash`` when rows were rejected and nothing was written)."""
    partial = request.form.get("partial") in ("1", "on", "true")
    token = request.form.get("stash", "")
    if token:
        filename, data = _unstash(contest.id, token)
    else:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ContestError("Tệp câu hỏi: hãy chọn tệp .xlsx, .docx hoặc .json", field="file")
        filename, data = os.path.basename(upload.filename.replace("\\", "/")), upload.read()
    report = services.import_questions(contest, filename, data, partial=partial, office=office,
                                       actor=_actor(principal))
    report["partial"] = partial
    if report["rejected"] and not partial and report["ready"]:
        report["stash"] = token or _stash(contest.id, filename, data)
    elif token:
        _drop_stash(token)
    return report


# ---- office page ---------------------------------------------------------------------------

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
            q = services.update_question(contest, key, body, _actor(principal), office=office_row)
            flash(_("Đã lưu câu hỏi %(key)s.", key=q.key), "success")
        else:
            q = services.create_question(contest, body, _actor(principal), office=office_row)
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
    services.delete_question(contest, key, _actor(principal), office=office_row)
    flash(_("Đã xóa câu hỏi %(key)s.", key=key), "success")
    return redirect(url_for("bank.office", contest_id=contest_id))


@bp.post("/c/<int:contest_id>/office/upload")
def office_upload(contest_id: int):
    contest = services.get_contest(contest_id)
    principal, office_row = _office_principal(contest_id)
    if office_row is None:
        return redirect(url_for("bank.review", contest_id=contest_id))
    try:
        report = _run_import(contest, principal, office_row)
    except ContestError as exc:
        return _render_office(contest, office_row, errors={"file": exc.message},
                              status=exc.status)
    return _render_office(contest, office_row, report=report,
                          status=400 if report["rejected"] and not report["imported"] else 200)


@bp.get("/c/<int:contest_id>/questions/template.xlsx")
def template(contest_id: int):
    services.get_contest(contest_id)
    require(contest_id, "organiser", "office")
    return send_file(io.BytesIO(services.template_xlsx()), mimetype=XLSX, as_attachment=True,
                     download_name="mau-cau-hoi.xlsx")


# ---- review page ---------------------------------------------------------------------------

def _reserves() -> int | None:
    try:
        value = int(request.args.get("reserves", ""))
    except ValueError:
        return None
    return max(0, min(value, 1000))


def _back(contest_id: int, anchor: str = "") -> str:
    """Where a review form returns to: the page it came from (same filters), else the list."""
    target = request.form.get("next", "")
    parsed = urlparse(target)
    prefix = url_for("bank.review", contest_id=contest_id)
    if parsed.netloc or not parsed.path.startswith(prefix):
        target = prefix
    return target + anchor


def _render_review(contest, *, errors=None, report=None, status=200):
    filters = services.Filters.from_args(request.args)
    all_rows = services.all_questions(contest.id)
    rows = services.search(all_rows, filters)
    offices = services.offices(contest.id)
    links = services.office_links(contest.id, request.host_url.rstrip("/"))
    return render_template(
        "bank/review.html", contest=contest, rows=rows, total=len(all_rows), filters=filters,
        coverage=services.coverage(contest, _reserves()), offices=offices, links=links,
        fields=sorted({q.field for q in all_rows if q.field}, key=services.fold),
        office_names=sorted({q.office for q in all_rows if q.office} | {o.name for o in offices},
                            key=services.fold),
        listing=services.draw_listing(contest), errors=errors or {}, report=report,
        labels=services.STATUS_LABELS, kinds=services.KIND_LABELS,
        here=request.full_path.rstrip("?")), status


@bp.get("/c/<int:contest_id>/questions")
def review(contest_id: int):
    contest = services.get_contest(contest_id)
    require(contest_id, "organiser")
    return _render_review(contest)[0]


@bp.post("/c/<int:contest_id>/questions/<key>/review")
def review_action(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    decision = request.form.get("decision", "")
    try:
        q = services.review_question(contest, key, decision, request.form.get("reason", ""),
                                     _actor(principal))
    except ContestError as exc:
        if exc.status == 404:
            raise
        return _render_review(contest, errors={f"{key}:{exc.field or 'form'}": exc.message,
                                               "_row": key, "_message": exc.message},
                              status=exc.status)
    flash(_("Câu hỏi %(key)s: %(status)s.", key=q.key, status=_(services.STATUS_LABELS[q.status]).lower()),
          "success")
    return redirect(_back(contest_id, f"#q-{key}"))


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
                q = services.create_question(contest, body, _actor(principal))
                flash(_("Đã thêm câu hỏi %(key)s.", key=q.key), "success")
            else:
                services.update_question(contest, key, body, _actor(principal))
                flash(_("Đã lưu câu hỏi %(key)s.", key=key), "success")
            return redirect(_back(contest_id, f"#q-{q.key}"))
        except ContestError as exc:
            if exc.status == 404:
                raise
            values, errors, status = form_values(body=body), {exc.field or "form": exc.message}, exc.status
    office_names = sorted({o.name for o in services.offices(contest_id)}, key=services.fold)
    fields = sorted({r.field for r in services.all_questions(contest_id) if r.field}, key=services.fold)
    return render_template("bank/edit.html", contest=contest, question=q, values=values,
                           errors=errors, office_names=office_names, fields=fields,
                           labels=services.STATUS_LABELS,
                           back=request.values.get("next") or url_for("bank.review", contest_id=contest_id)), status


@bp.post("/c/<int:contest_id>/questions/<key>/delete")
def delete(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    services.delete_question(contest, key, _actor(principal))
    flash(_("Đã xóa câu hỏi %(key)s.", key=key), "success")
    return redirect(_back(contest_id))


@bp.post("/c/<int:contest_id>/questions/import")
def upload(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    try:
        report = _run_import(contest, principal, None)
    except ContestError as exc:
        return _render_review(contest, errors={"file": exc.message}, status=exc.status)
    return _render_review(contest, report=report,
                          status=400 if report["rejected"] and not report["imported"] else 200)


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


@bp.post("/c/<int:contest_id>/questions/offices")
def add_office(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    try:
        office = services.add_office(contest, request.form.get("name", ""), _actor(principal))
    except ContestError as exc:
        return _render_review(contest, errors={"office:new": exc.message,
                                               "office:new:value": request.form.get("name", "")},
                              status=exc.status)
    flash(_("Đã thêm cơ quan “%(name)s” và cấp đường dẫn gửi câu hỏi.", name=office.name), "success")
    return redirect(url_for("bank.review", contest_id=contest_id) + "#offices")


@bp.post("/c/<int:contest_id>/questions/offices/<key>")
def rename_office(contest_id: int, key: str):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    try:
        office = services.rename_office(contest, key, request.form.get("name", ""), _actor(principal))
    except ContestError as exc:
        if exc.status == 404:
            raise
        return _render_review(contest, errors={f"office:{key}": exc.message,
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


def _base_url() -> str:
    from contest.services.links import base_url
    return base_url(current_app.config)


@bp.get("/c/<int:contest_id>/questions/offices/cards")
def office_cards(contest_id: int):
    contest = services.get_contest(contest_id)
    require(contest_id, "organiser")
    links = services.office_links(contest_id, _base_url())
    return render_template("bank/cards.html", contest=contest, offices=services.offices(contest_id),
                           links=links)


@bp.post("/c/<int:contest_id>/questions/seal")
def seal(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    kind = request.form.get("kind", "questions")
    try:
        if kind == "order":
            result = services.seal_performance_order(contest, _actor(principal))
            flash(_("Đã bốc và niêm phong thứ tự thi của %(n)s đội. Mã cam kết: %(commitment)s",
                    n=result['lots'], commitment=result['commitment']), "success")
        else:
            result = services.seal_questions(contest, _actor(principal))
            flash(_("Đã niêm phong %(n)s lá thăm. Mã cam kết: %(commitment)s", n=result['lots'],
                    commitment=result['commitment']), "success")
    except ContestError as exc:
        return _render_review(contest, errors={"seal": exc.message}, status=exc.status)
    return redirect(url_for("bank.review", contest_id=contest_id) + "#draw")


@bp.post("/c/<int:contest_id>/questions/reveal")
def reveal(contest_id: int):
    contest = services.get_contest(contest_id)
    principal = require(contest_id, "organiser")
    try:
        services.reveal_lots(contest, _actor(principal))
    except ContestError as exc:
        return _render_review(contest, errors={"seal": exc.message}, status=exc.status)
    flash(_("Đã công bố mã bí mật và nội dung các lá thăm. Ai cũng có thể kiểm tra ở trang "
            "“Kiểm chứng”."), "success")
    return redirect(url_for("bank.review", contest_id=contest_id) + "#draw")


# ---- verify (public) -------------------------------------------------------------------------

@bp.get("/c/<int:contest_id>/verify")
def verify(contest_id: int):
    contest = services.get_contest(contest_id)
    seals = []
    for kind, title, what in (("questions", _("Lá thăm câu hỏi"), _("câu hỏi")),
                              ("order", _("Thứ tự thi"), _("đội"))):
        state = services.draws_state(contest) if kind == "questions" else \
            services.order_state(contest, staff=False)
        if not state["commitment"]:
            continue
        reveal_data = state["reveal"]
        seals.append({"kind": kind, "title": title, "what": what, "commitment": state["commitment"],
                      "count": state["lots"] if kind == "questions" else state["teams"],
                      "reveal": reveal_data,
                      "reveal_json": json.dumps(reveal_data["lots"], ensure_ascii=False, indent=1)
                      if reveal_data else "",
                      "drawn": state.get("drawn", [])})
    names = services.key_names(contest.id)
    return render_template("bank/verify.html", contest=contest, seals=seals, names=names)
