"""Organiser views: the contests, the setup checklist, the contest's own details, import and
export. Thin: the work is in :mod:`contest.services.setup_edit`."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select

from ...core.errors import ContestError
from ...core.setup_checks import checklist, ready
from ...extensions import db
from ...models import Contest
from ...services import setup_edit as svc
from ..auth import roles_required
from . import bp
from .common import NOT_SAVED, actor, get_contest, optional_url, run
from .forms import ContestForm, ImportForm, NewContestForm


# --------------------------------------------------------------------------- contests


def _home(form=None, import_form=None, errors=(), import_errors=(), status=200):
    contests = db.session.scalars(select(Contest).order_by(Contest.id.desc())).all()
    return render_template("organiser/home.html", contests=contests, form=form or NewContestForm(),
                           import_form=import_form or ImportForm(), errors=errors,
                           import_errors=import_errors), status


@bp.get("/setup")
@login_required
def home():
    return _home()


@bp.post("/setup/new")
@login_required
def create():
    form = NewContestForm()
    contest, errors, status = run(form, lambda: svc.create_contest(form.data, actor()))
    if status != 200:
        return _home(form=form, errors=errors, status=status)
    flash(gettext("Đã tạo hội thi “%(name)s” với thể lệ mặc định; hãy xem lại từng bước bên dưới.",
                  name=contest.name), "success")
    return redirect(url_for("organiser.contest", contest_id=contest.id))


@bp.post("/setup/import")
@login_required
def import_file():
    form = ImportForm()
    if not form.validate():
        return _home(import_form=form, import_errors=[NOT_SAVED], status=400)
    upload = form.file.data
    try:
        contest = svc.import_document(upload.filename, upload.read(), actor())
    except ContestError as exc:
        return _home(import_form=form, import_errors=[gettext("Không nhập được %(file)s:", file=upload.filename) + f" {exc.message}"],
                     status=exc.status)
    flash(gettext("Đã nhập hội thi “%(name)s” từ %(file)s.", name=contest.name, file=upload.filename), "success")
    return redirect(url_for("organiser.contest", contest_id=contest.id))


# --------------------------------------------------------------------------- the checklist


def _step_links(contest_id: int) -> dict[str, list[tuple[str, str]]]:
    """Each checklist step's screens: (label, url); screens not built yet are left out."""
    def some(*pairs: tuple[str, str | None]) -> list[tuple[str, str]]:
        return [(label, url) for label, url in pairs if url]

    bank = optional_url("bank.review", contest_id=contest_id)
    mc = optional_url("show.mc", contest_id=contest_id)
    projector = optional_url("show.projector", contest_id=contest_id)
    jury = optional_url("judging.jury", contest_id=contest_id)
    return {
        "contest": some((gettext("Sửa thông tin"), url_for("organiser.info", contest_id=contest_id)),
                        (gettext("Văn bản"), url_for("organiser.documents", contest_id=contest_id))),
        "rules": some((gettext("Thể lệ"), url_for("organiser.rules", contest_id=contest_id)),
                      (gettext("Chương trình"), url_for("organiser.programme", contest_id=contest_id))),
        "teams": some((gettext("Đơn vị và đội thi"), url_for("organiser.teams", contest_id=contest_id))),
        "judges": some((gettext("Ban giám khảo"), url_for("organiser.judges", contest_id=contest_id)),
                       (gettext("Thẻ QR"), url_for("organiser.cards", contest_id=contest_id, only="judges"))),
        "questions": some((gettext("Ngân hàng câu hỏi"), bank)),
        "seal": some((gettext("Niêm phong lá thăm"), bank and bank + "#draw")),
        "rehearse": some((gettext("Dẫn chương trình"), mc), (gettext("Máy chiếu"), projector),
                         (gettext("Bảng giám khảo"), jury), (gettext("Mã QR"), url_for("organiser.links", contest_id=contest_id))),
        "live": some((gettext("Dẫn chương trình"), mc), (gettext("Bảng giám khảo"), jury)),
    }


@bp.app_context_processor
def _setup_screens():
    """Other packages' screens for the setup tabs, when they exist."""
    def setup_extra_tabs(contest_id: int) -> list[tuple[str, str, str]]:
        tabs = [("questions", gettext("Câu hỏi"), optional_url("bank.review", contest_id=contest_id)),
                ("downloads", gettext("Tải văn bản"), optional_url("paperwork.index", contest_id=contest_id))]
        return [(key, label, url) for key, label, url in tabs if url]
    return {"setup_extra_tabs": setup_extra_tabs}


@bp.get("/c/<int:contest_id>/setup")
@roles_required("organiser")
def contest(contest_id: int):
    contest = get_contest(contest_id)
    steps = checklist(svc.setup_data(contest))
    links = _step_links(contest_id)
    return render_template("organiser/contest.html", contest=contest, active="overview",
                           steps=[(s, links.get(s.key, [])) for s in steps], ready=ready(steps),
                           bank_missing=optional_url("bank.review", contest_id=contest_id) is None)


@bp.get("/c/<int:contest_id>/setup/export.<fmt>")
@roles_required("organiser")
def export(contest_id: int, fmt: str):
    name, data = svc.export_document(contest_id, fmt)
    mimetype = ("application/json" if fmt == "json" else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --------------------------------------------------------------------------- contest details


@bp.route("/c/<int:contest_id>/setup/info", methods=["GET", "POST"])
@roles_required("organiser")
def info(contest_id: int):
    contest = get_contest(contest_id)
    form = ContestForm(obj=contest) if request.method == "GET" else ContestForm()
    if request.method == "GET":
        form.revision.data = contest.revision
        form.date.data = contest.date
        return render_template("organiser/info.html", contest=contest, form=form, active="info", errors=[])
    _, errors, status = run(form, lambda: svc.update_info(contest_id, form.revision_value, form.data,
                                                          actor()))
    if status != 200:
        return render_template("organiser/info.html", contest=contest, form=form, active="info",
                               errors=errors), status
    flash(gettext("Đã lưu thông tin hội thi."), "success")
    return redirect(url_for("organiser.contest", contest_id=contest_id))
