"""Organiser views: thin; the work is in :mod:`contest.services`."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import login_required
from sqlalchemy import select

from ...core.errors import ContestError
from ...extensions import db
from ...models import Contest
from ..auth import roles_required
from . import bp


@bp.get("/setup")
@login_required
def home():
    contests = db.session.scalars(select(Contest).order_by(Contest.id.desc())).all()
    return render_template("organiser/home.html", contests=contests)


@bp.get("/c/<int:contest_id>/setup")
@roles_required("organiser")
def contest(contest_id: int):
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise ContestError("Không có hội thi này", status=404, code="not_found")
    return render_template("organiser/contest.html", contest=contest)
