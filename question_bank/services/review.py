"""The organisers' review: approve a question, or reject it with a reason the office reads.

A drawn question is past review; rejecting an approved question the seal covers is refused
until the lots are sealed again. Every decision is audited with the status before it.
"""

from __future__ import annotations

from typing import Any

from contest.clock import utcnow
from contest.core.errors import Conflict, ContestError
from contest.core.text import nfc
from contest.database import write_transaction
from contest.models import Contest
from contest.services.audit import Actor, record

from ..models import Question
from .common import cli_actor
from .questions import get_question
from .seals import refuse_if_sealed


def approve_question(contest: Contest, key: str, actor: Actor | None = None) -> Question:
    actor = actor or cli_actor()
    with write_transaction():
        q = get_question(contest.id, key)
        if q.status == "used":
            raise Conflict(f"Câu hỏi {q.key} đã được bốc thăm", field="status")
        if q.status == "approved":
            return q
        old = {"status": q.status, "reject_reason": q.reject_reason}
        q.status, q.reject_reason, q.updated_at = "approved", "", utcnow()
        record(contest.id, actor, "question.approve", q.key, old=old, new={"status": "approved"})
    return q


def reject_question(contest: Contest, key: str, reason: Any, actor: Actor | None = None) -> Question:
    """Reject with a reason the office will read; refused for a sealed or drawn question."""
    actor = actor or cli_actor()
    if not isinstance(reason, str) or not nfc(reason).strip():
        raise ContestError("Lý do không duyệt: hãy ghi lý do để cơ quan soạn biết", field="reason")
    reason = nfc(reason).strip()
    if len(reason) > 1000:
        raise ContestError(f"Lý do không duyệt: dài {len(reason)} ký tự, tối đa 1000", field="reason")
    with write_transaction():
        q = get_question(contest.id, key)
        if q.status == "approved":
            refuse_if_sealed(contest.id, q, "đổi sang không duyệt")
        if q.status == "used":
            raise Conflict(f"Câu hỏi {q.key} đã được bốc thăm", field="status")
        old = {"status": q.status, "reject_reason": q.reject_reason}
        q.status, q.reject_reason, q.updated_at = "rejected", reason, utcnow()
        record(contest.id, actor, "question.reject", q.key, old=old,
               new={"status": "rejected"}, reason=reason)
    return q


def review_question(contest: Contest, key: str, decision: str, reason: Any = "",
                    actor: Actor | None = None) -> Question:
    if decision == "approve":
        return approve_question(contest, key, actor)
    if decision == "reject":
        return reject_question(contest, key, reason, actor)
    raise ContestError("Quyết định phải là 'approve' hoặc 'reject'", field="decision")
