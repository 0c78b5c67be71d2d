"""The documents' letterhead and signer ("Văn bản"): one form over ``contest.documents``.
Thin: the checks and the write are in :mod:`contest.services.setup_documents`."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from ...documents.context import DOTTED_NAME
from ...services import setup_documents as svc
from ..auth import roles_required
from . import bp
from .common import actor, get_contest, optional_url, run
from .forms import DocumentsForm


def _stored(contest) -> dict:
    """The form's values from what is stored: lists one entry per line, ``draft`` ticked
    unless stored false."""
    given = contest.documents if isinstance(contest.documents, dict) else {}
    values: dict = {"draft": given.get("draft", True) is not False}
    for s in svc.SETTINGS:
        value = given.get(s.key)
        if s.kind == "list":
            values[s.key] = "\n".join(str(x) for x in value) if isinstance(value, list) else ""
        elif s.kind != "flag":
            values[s.key] = value if isinstance(value, str) else ""
    return values


def _placeholders(contest) -> dict[str, str]:
    """Each field's default, shown greyed in the empty field."""
    out = {}
    for key, value in svc.defaults(contest).items():
        if isinstance(value, list):
            value = "\n".join(value)
        elif key == "signer_name" and not value:
            value = DOTTED_NAME
        out[key] = value if isinstance(value, str) and value else gettext("(không in)")
    return out


def _page(contest, form, errors=(), status=200):
    return render_template("organiser/documents.html", contest=contest, form=form, active="documents",
                           errors=list(errors), placeholders=_placeholders(contest),
                           downloads=optional_url("paperwork.index", contest_id=contest.id)), status


@bp.route("/c/<int:contest_id>/setup/documents", methods=["GET", "POST"])
@roles_required("organiser")
def documents(contest_id: int):
    contest = get_contest(contest_id)
    if request.method == "GET":
        form = DocumentsForm(formdata=None, data={**_stored(contest), "revision": contest.revision})
        return _page(contest, form)
    form = DocumentsForm()
    values = {s.key: form[s.key].data for s in svc.SETTINGS}
    _, errors, status = run(form, lambda: svc.save_documents(contest_id, form.revision_value, values, actor()))
    if status != 200:
        return _page(contest, form, errors, status)
    flash(gettext("Đã lưu tiêu đề, người ký và nơi nhận; các văn bản tải về từ giờ dùng cài đặt này."),
          "success")
    return redirect(url_for("organiser.documents", contest_id=contest_id))
