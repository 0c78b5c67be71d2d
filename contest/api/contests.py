"""Contests: list, create from a contest document, read, export, access links."""

from __future__ import annotations

from flask import jsonify
from sqlalchemy import select

from ..core.errors import NotFound
from ..extensions import db
from ..models import Contest
from ..services import access
from ..services.document import export_contest, import_contest
from ..web.auth import current_principal, require
from . import bp, json_body
from .spec import operation

CONTEST_SUMMARY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "date": {"type": ["string", "null"]},
    "venue": {"type": "string"}, "organizer": {"type": "string"}}}


def get_contest(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise NotFound(f"Không có hội thi số {contest_id}")
    return contest


def summary(c: Contest) -> dict:
    return {"id": c.id, "name": c.name, "date": c.date.isoformat() if c.date else None,
            "venue": c.venue, "organizer": c.organizer}


operation("/v1/contests", "get", "List contests", response={"type": "object", "properties": {
    "contests": {"type": "array", "items": CONTEST_SUMMARY}}}, errors=())


@bp.get("/v1/contests")
def list_contests():
    rows = db.session.scalars(select(Contest).order_by(Contest.id)).all()
    return jsonify({"contests": [summary(c) for c in rows]})


operation("/v1/contests", "post", "Create a contest from a contest document (hoithi/1)",
          roles="an organiser account", body={"type": "object"}, status=201,
          response={"type": "object", "properties": {"contest": {"type": "integer"}}})


@bp.post("/v1/contests")
def create_contest():
    principal = current_principal(None)
    if principal.role != "organiser" or principal.token_id is not None:
        require(-1, "organiser")  # raises 401/403 with the right message
    contest = import_contest(json_body(), principal.actor())
    return jsonify({"contest": contest.id}), 201


operation("/v1/contests/{id}", "get", "A contest's public summary", response=CONTEST_SUMMARY,
          errors=(404,))


@bp.get("/v1/contests/<int:contest_id>")
def read_contest(contest_id: int):
    return jsonify(summary(get_contest(contest_id)))


operation("/v1/contests/{id}/document", "get", "The whole contest as a contest document",
          roles="organisers", response={"type": "object"})


@bp.get("/v1/contests/<int:contest_id>/document")
def contest_document(contest_id: int):
    contest = get_contest(contest_id)
    require(contest_id, "organiser")
    return jsonify(export_contest(contest))


operation("/v1/contests/{id}/tokens", "get", "Every screen's link (organisers only)",
          roles="organisers", response={"type": "object"})


@bp.get("/v1/contests/<int:contest_id>/tokens")
def contest_tokens(contest_id: int):
    get_contest(contest_id)
    require(contest_id, "organiser")
    from ..services.links import links
    return jsonify(links(contest_id))


operation("/v1/contests/{id}/backup", "post",
          "A consistent backup now: the SQLite file (online backup API) and the contest document",
          roles="organisers", response={"type": "object", "properties": {
              "database": {"type": ["string", "null"]}, "document": {"type": "string"}}}, status=201)


@bp.post("/v1/contests/<int:contest_id>/backup")
def backup_now(contest_id: int):
    from ..services import backup
    contest = get_contest(contest_id)
    principal = require(contest_id, "organiser")
    database = backup.backup_sqlite() if db.engine.dialect.name == "sqlite" else None
    document = backup.backup_contest(contest)
    from ..database import write_transaction
    from ..services.audit import record
    with write_transaction():
        record(contest_id, principal.actor(), "backup", str(document.name),
               new={"database": database.name if database else None, "document": document.name})
    return jsonify({"database": str(database) if database else None, "document": str(document)}), 201


operation("/v1/contests/{id}/rehearsal/reset", "post",
          "After a rehearsal: clear scores, nominations, draws, decisions, locks and the stage",
          roles="organisers", body={"type": "object", "properties": {"reason": {"type": "string"}}},
          response={"type": "object"})


@bp.post("/v1/contests/<int:contest_id>/rehearsal/reset")
def rehearsal_reset(contest_id: int):
    from ..services.backup import rehearsal_reset as reset
    contest = get_contest(contest_id)
    principal = require(contest_id, "organiser")
    body = json_body()
    reason = body.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 1000:
        from ..core.errors import ContestError
        raise ContestError("reason: lý do phải là văn bản tối đa 1000 ký tự", field="reason")
    counts = reset(contest, principal.actor(), reason)
    from .. import live
    live.publish(contest_id, "reset", {"reason": reason or "Kết thúc tổng duyệt"})
    return jsonify({"cleared": counts})
