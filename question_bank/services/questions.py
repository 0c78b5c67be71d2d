"""A stored question as data: the labels the screens show, the conversions between a
:class:`~question_bank.models.Question` row and the core's :class:`QuestionData`, the form's
validation in the form's own words, and the plain reads (all of a contest's questions, one by
key, the next free key). Nothing here writes a transaction or checks who is asking."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from contest.clock import utcnow
from contest.core.errors import ContestError, NotFound
from contest.extensions import db

from ..core.model import (FollowUp, QuestionData, follow_ups_to_json, points_to_json,
                          question_from_dict, question_to_dict)
from ..models import Office, Question

STATUS_LABELS = {"submitted": "Chờ duyệt", "approved": "Đã duyệt", "rejected": "Không duyệt",
                 "used": "Đã bốc thăm"}
KIND_LABELS = {"open": "Tự luận", "choice": "Trắc nghiệm"}
FIELD_LABELS = {"text": "Nội dung câu hỏi", "answer": "Đáp án", "choices": "Phương án",
                "points": "Điểm", "follow_ups": "Câu hỏi phụ", "field": "Lĩnh vực",
                "basis": "Căn cứ", "kind": "Loại câu hỏi", "office": "Cơ quan",
                "key": "Mã câu hỏi", "status": "Trạng thái"}
_KEY_NUMBER = re.compile(r"^q(\d+)$")


def to_data(q: Question) -> QuestionData:
    """A stored question as the core's plain data (follow-up points as Decimal)."""
    follow_ups = tuple(FollowUp(text=f.get("text", ""), answer=f.get("answer", ""),
                                points=None if f.get("points") is None else Decimal(str(f["points"])))
                       for f in (q.follow_ups or []))
    return QuestionData(kind=q.kind, text=q.text, answer=q.answer, choices=tuple(q.choices or ()),
                        field=q.field, office=q.office, basis=q.basis,
                        points=None if q.points is None else Decimal(str(q.points)),
                        follow_ups=follow_ups, key=q.key, status=q.status)


def question_dict(q: Question, *, with_answer: bool = True) -> dict:
    """The API shape of a question: the contest document's item, plus the review fields."""
    d = question_to_dict(to_data(q))
    d.setdefault("points", None)
    d["choices"] = list(q.choices or [])
    d["reject_reason"] = q.reject_reason or ""
    d["updated_at"] = q.updated_at.isoformat(timespec="seconds") + "Z" if q.updated_at else None
    if not with_answer:
        d.pop("answer", None)
        d["follow_ups"] = [{k: v for k, v in f.items() if k != "answer"} for f in d["follow_ups"]]
    return d


def public_question(q: Question) -> dict:
    """What the audience may see of a drawn question: never the answer, never follow-ups."""
    return {"key": q.key, "kind": q.kind, "text": q.text, "choices": list(q.choices or []),
            "points": points_to_json(None if q.points is None else Decimal(str(q.points)))}


def staff_follow_ups(q: Question) -> list[dict]:
    """The follow-ups as the MC and the jury read them: ``[{"text", "answer", "points"}]``."""
    return [{"text": f.get("text", ""), "answer": f.get("answer", ""), "points": f.get("points")}
            for f in q.follow_ups or []]


def validate(d: Any) -> QuestionData:
    """:func:`question_from_dict` with the error's field and message in the form's terms:
    field "text", "choices", "follow_ups", ...; message "Nội dung câu hỏi: không được để trống".
    """
    try:
        return question_from_dict(d, "question")
    except ContestError as exc:
        path = (exc.field or "question").removeprefix("question").lstrip(".")
        name = re.split(r"[.\[]", path, maxsplit=1)[0] or "body"
        message = exc.message
        if exc.field and message.startswith(exc.field + ":"):
            label = FIELD_LABELS.get(name, name)
            rest = path[len(name):]
            m = re.match(r"\[(\d+)\](?:\.(\w+))?", rest)
            if m and name == "choices":
                label += f" {chr(65 + int(m.group(1)))}"
            elif m and name == "follow_ups":
                label += f" {int(m.group(1)) + 1}"
                if m.group(2):
                    label += f" ({FIELD_LABELS.get(m.group(2), m.group(2)).lower()})"
            message = label + message[len(exc.field):]
        raise ContestError(message, field=name, code=exc.code, status=exc.status) from None


def apply(q: Question, data: QuestionData) -> None:
    """Copy the question's content (not its key, office or status) onto the row."""
    q.kind = data.kind
    q.text = data.text
    q.choices = list(data.choices)
    q.answer = data.answer
    q.field = data.field
    q.basis = data.basis
    q.points = data.points
    q.follow_ups = follow_ups_to_json(data.follow_ups)
    q.updated_at = utcnow()


def all_questions(contest_id: int) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.contest_id == contest_id)
                                   .order_by(Question.position, Question.id)))


def get_question(contest_id: int, key: str, *, office: Office | None = None) -> Question:
    """One question; for an office, only its own (another office's is 'not found')."""
    q = db.session.scalar(select(Question).where(Question.contest_id == contest_id, Question.key == key))
    if q is None or (office is not None and q.office != office.name):
        raise NotFound(f"Không có câu hỏi '{key}'", field="key")
    return q


def next_keys(contest_id: int, count: int) -> list[str]:
    """``count`` fresh keys q<n>, numbered after the highest q<n> in the contest."""
    keys = set(db.session.scalars(select(Question.key).where(Question.contest_id == contest_id)))
    n = max([int(m.group(1)) for k in keys if (m := _KEY_NUMBER.match(k))] + [0])
    out = []
    while len(out) < count:
        n += 1
        if f"q{n}" not in keys:
            out.append(f"q{n}")
    return out


def next_position(contest_id: int) -> int:
    return (db.session.scalar(select(func.max(Question.position))
                              .where(Question.contest_id == contest_id)) or 0) + 1
