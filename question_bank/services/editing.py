"""Writing one question: an office's submission or an organiser's form, an edit, a delete.

An office may see only its own questions, and edit or delete them only while they are
``submitted``; its questions always carry its own name. Nobody edits a question that has been
drawn, nor, once the draw has started, one a sealed lot holds; nobody deletes a sealed one.
Approving and rejecting are in :mod:`.review`. Every change is audited.
"""

from __future__ import annotations

from typing import Any

from contest.core.errors import Conflict, ContestError, Forbidden
from contest.database import write_transaction
from contest.extensions import db
from contest.models import Contest
from contest.services.audit import Actor, record

from ..models import Office, Question
from .common import cli_actor
from .office_admin import settle_office
from .questions import (STATUS_LABELS, apply, get_question, next_keys, next_position,
                        question_dict, validate)
from .seals import draw_rows, refuse_if_sealed, sealed_lot_of


def _body(body: Any) -> dict:
    if not isinstance(body, dict):
        raise ContestError("Thân yêu cầu phải là một đối tượng JSON", field="body")
    return body


def _refuse_reviewed(q: Question, what: str) -> None:
    raise Forbidden(f"Câu hỏi đã được Ban Tổ chức xét ({STATUS_LABELS[q.status]}); "
                    f"cơ quan không {what} được nữa", field="status")


def create_question(contest: Contest, body: dict, actor: Actor | None = None, *,
                    office: Office | None = None) -> Question:
    """Add one question typed in a form or sent to the API.

    An office's question always carries its own name and starts ``submitted``; an organiser
    may name any office (a new name adds the office) and starts it ``submitted`` too unless
    the body says ``approved``.
    """
    body = dict(_body(body))
    actor = actor or cli_actor()
    body.pop("key", None)
    status = body.pop("status", None) or "submitted"
    if office is not None:
        body["office"] = office.name
        status = "submitted"
    elif status not in ("submitted", "approved"):
        raise ContestError("Trạng thái: câu hỏi mới chỉ có thể 'submitted' hoặc 'approved'",
                           field="status")
    data = validate(body)
    with write_transaction():
        if office is None and data.office:
            data = settle_office(contest, data)
        q = Question(contest_id=contest.id, key=next_keys(contest.id, 1)[0],
                     office=data.office, status=status, source="form",
                     position=next_position(contest.id))
        apply(q, data)
        db.session.add(q)
        db.session.flush()
        record(contest.id, actor, "question.create", q.key, new=question_dict(q))
    return q


def update_question(contest: Contest, key: str, body: dict, actor: Actor | None = None, *,
                    office: Office | None = None) -> Question:
    """Edit a question. Missing keys in ``body`` keep their value (so a PATCH may send one
    field). An office edits only its own questions, and only while they are ``submitted``;
    nobody edits a question that has been drawn."""
    body = _body(body)
    actor = actor or cli_actor()
    with write_transaction():
        q = get_question(contest.id, key, office=office)
        if q.status == "used":
            raise Conflict("Câu hỏi đã được bốc thăm trên sân khấu, không sửa được nữa",
                           field="status")
        if office is not None and q.status != "submitted":
            _refuse_reviewed(q, "sửa")
        lot = sealed_lot_of(contest.id, q.key)
        if lot is not None and draw_rows(contest.id):
            # The commitment covers the keys; once the draw has started, the text behind a
            # sealed key must not change either.
            raise Conflict(f"Câu hỏi {q.key} nằm trong lá thăm số {lot} và hội thi đã bắt đầu "
                           "bốc thăm: không sửa được nữa", field="status")
        merged = question_dict(q)
        for name in ("kind", "text", "choices", "answer", "field", "basis", "points", "follow_ups"):
            if name in body:
                merged[name] = body[name]
        if "choices" in body and "kind" not in body:
            merged["kind"] = "choice" if body["choices"] else "open"
        if office is None and "office" in body:
            merged["office"] = body["office"]
        merged.pop("reject_reason", None)
        merged.pop("updated_at", None)
        merged["status"] = q.status
        data = validate(merged)
        if office is None and data.office != q.office and data.office:
            data = settle_office(contest, data)
        old = question_dict(q)
        apply(q, data)
        q.office = data.office
        new = question_dict(q)
        if {k: v for k, v in old.items() if k != "updated_at"} == \
                {k: v for k, v in new.items() if k != "updated_at"}:
            return q
        record(contest.id, actor, "question.update", q.key,
               old={k: v for k, v in old.items() if new.get(k) != v},
               new={k: v for k, v in new.items() if old.get(k) != v})
    return q


def delete_question(contest: Contest, key: str, actor: Actor | None = None, *,
                    office: Office | None = None) -> None:
    """Delete a question: an office only its own submitted ones; nobody a question in the
    sealed lots or already drawn."""
    actor = actor or cli_actor()
    with write_transaction():
        q = get_question(contest.id, key, office=office)
        if office is not None and q.status != "submitted":
            _refuse_reviewed(q, "xóa")
        refuse_if_sealed(contest.id, q, "xóa")
        record(contest.id, actor, "question.delete", q.key, old=question_dict(q))
        db.session.delete(q)
