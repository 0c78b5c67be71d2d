"""The documents page: every document of the contest, built on demand, for the organisers
and the jury head."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, Response, render_template, url_for

from ..api.contests import get_contest
from ..services import paperwork
from .auth import require

bp = Blueprint("paperwork", __name__)


def _allowed(contest_id: int):
    return require(contest_id, "organiser", "judge", head=True)


@bp.get("/c/<int:contest_id>/documents")
def index(contest_id: int):
    contest = get_contest(contest_id)
    principal = _allowed(contest_id)
    settings = (url_for("organiser.documents", contest_id=contest_id)
                if principal.role == "organiser" else None)
    return render_template("paperwork/index.html", contest=contest, catalogue=paperwork.CATALOGUE,
                           settings=settings)


@bp.get("/c/<int:contest_id>/documents/<name>")
def download(contest_id: int, name: str):
    contest = get_contest(contest_id)
    _allowed(contest_id)
    data = paperwork.one(contest, name)
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(data, mimetype=mime, headers={
        "Content-Disposition": f'attachment; filename="hoi-thi-{contest_id}-{name}"'})
