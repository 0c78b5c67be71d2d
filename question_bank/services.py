"""The question bank's use cases: load rows, call the pure core, save, then publish.

Terms
- *office*: a contributing office (cơ quan soạn câu hỏi). Its questions are those whose
  ``office`` column equals the office's name; renaming the office renames that column too.
  An office signs in with its own link (role "office", subject = office key) and may see only
  its own questions, and edit or delete them only while they are ``submitted``.
- *import*: a file (.xlsx, .docx, .json) read by :func:`question_bank.core.importing.parse_file`,
  then compared with the bank and with its own earlier rows
  (:func:`question_bank.core.dedupe.find_duplicates`). A duplicate is a rejected row whose
  reason names the question it repeats. Without ``partial`` a file with any rejected row
  writes nothing; with it the good rows go in.
- *seal*: the approved questions shuffled into lots 1..N with a random salt
  (:mod:`question_bank.core.draw`); only the commitment is public until the reveal. Re-sealing
  replaces the seal until the first lot is drawn; after that it is refused. The performance
  order is sealed the same way (lots are positions, each holding a team key).
- *draw*: the MC records the lot a team picked; a lot is drawn once (a unique constraint
  makes it so even under a race); the question becomes ``used``.

Every change is audited. Events (after commit, through :func:`contest.live.publish`):
``draw`` (public payload without the answer; staff payload with it), ``seal`` and ``reveal``.
Nothing here renders HTML or reads the request.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from contest.clock import utcnow
from contest.core.errors import Conflict, ContestError, Forbidden, NotFound
from contest.core.text import fold, nfc
from contest.database import write_transaction
from contest.extensions import db
from contest.models import Contest, Team
from contest.services import access
from contest.services.access import Principal
from contest.services.audit import Actor, record

from .core import draw as core_draw
from .core.dedupe import find_duplicates
from .core.importing import parse_file
from .core.model import (MAX_SHORT, FollowUp, QuestionData, points_to_json,
                         question_from_dict, question_to_dict)
from .models import Draw, LotSeal, Office, Question

QUESTIONS = "questions"
ORDER = "order"
DEFAULT_RESERVES = 3
DUPLICATE_THRESHOLD = 0.9
STATUS_LABELS = {"submitted": "Chờ duyệt", "approved": "Đã duyệt", "rejected": "Không duyệt",
                 "used": "Đã bốc thăm"}
KIND_LABELS = {"open": "Tự luận", "choice": "Trắc nghiệm"}
FIELD_LABELS = {"text": "Nội dung câu hỏi", "answer": "Đáp án", "choices": "Phương án",
                "points": "Điểm", "follow_ups": "Câu hỏi phụ", "field": "Lĩnh vực",
                "basis": "Căn cứ", "kind": "Loại câu hỏi", "office": "Cơ quan",
                "key": "Mã câu hỏi", "status": "Trạng thái"}
_KEY_NUMBER = re.compile(r"^q(\d+)$")


def _cli() -> Actor:
    return Actor.cli()


def _contest_id(contest: Contest | int) -> int:
    return contest if isinstance(contest, int) else contest.id


def get_contest(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise NotFound(f"Không có hội thi số {contest_id}")
    return contest


# ---- questions as data --------------------------------------------------------------------

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


def _follow_ups_json(data: QuestionData) -> list[dict]:
    out = []
    for f in data.follow_ups:
        item: dict[str, Any] = {"text": f.text, "answer": f.answer}
        if f.points is not None:
            item["points"] = points_to_json(f.points)
        out.append(item)
    return out


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


def _apply(q: Question, data: QuestionData) -> None:
    q.kind = data.kind
    q.text = data.text
    q.choices = list(data.choices)
    q.answer = data.answer
    q.field = data.field
    q.basis = data.basis
    q.points = data.points
    q.follow_ups = _follow_ups_json(data)
    q.updated_at = utcnow()


def _snapshot(q: Question) -> dict:
    return question_dict(q)


# ---- offices --------------------------------------------------------------------------------

def offices(contest_id: int) -> list[Office]:
    return list(db.session.scalars(select(Office).where(Office.contest_id == contest_id)
                                   .order_by(Office.position, Office.id)))


def office_by_key(contest_id: int, key: str) -> Office:
    office = db.session.scalar(select(Office).where(Office.contest_id == contest_id, Office.key == key))
    if office is None:
        raise NotFound(f"Không có cơ quan '{key}'", field="office")
    return office


def office_of(principal: Principal, contest_id: int) -> Office | None:
    """The office behind an office principal; None for anyone else."""
    if principal.role != "office":
        return None
    if not principal.subject:
        raise Forbidden("Đường dẫn này không gắn với cơ quan nào")
    return office_by_key(contest_id, principal.subject)


def _office_name(name: Any) -> str:
    if not isinstance(name, str) or not nfc(name).strip():
        raise ContestError("Tên cơ quan: không được để trống", field="name")
    name = " ".join(nfc(name).split())
    if len(name) > MAX_SHORT:
        raise ContestError(f"Tên cơ quan: dài {len(name)} ký tự, tối đa {MAX_SHORT}", field="name")
    return name


def _same_name(contest_id: int, name: str, except_id: int | None = None) -> Office | None:
    for o in offices(contest_id):
        if o.id != except_id and fold(o.name) == fold(name):
            return o
    return None


def _new_office(contest: Contest, name: str) -> Office:
    from contest.services.document import slug
    taken = {o.key for o in offices(contest.id)}
    position = (db.session.scalar(select(func.max(Office.position))
                                  .where(Office.contest_id == contest.id)) or 0) + 1
    office = Office(contest_id=contest.id, key=slug(name, taken, "office"), name=name,
                    position=position)
    db.session.add(office)
    db.session.flush()
    return office


def add_office(contest: Contest, name: str, actor: Actor | None = None) -> Office:
    """Add a contributing office and issue its link (token) in the same transaction."""
    name = _office_name(name)
    actor = actor or _cli()
    with write_transaction():
        if _same_name(contest.id, name):
            raise Conflict(f"Tên cơ quan: đã có cơ quan '{name}'", field="name")
        office = _new_office(contest, name)
        access.ensure_tokens(contest)
        record(contest.id, actor, "office.create", office.key, new={"name": name})
    return office


def rename_office(contest: Contest, key: str, name: str, actor: Actor | None = None) -> Office:
    """Rename an office; its questions follow (their ``office`` column is the name)."""
    name = _office_name(name)
    actor = actor or _cli()
    with write_transaction():
        office = office_by_key(contest.id, key)
        if _same_name(contest.id, name, except_id=office.id):
            raise Conflict(f"Tên cơ quan: đã có cơ quan '{name}'", field="name")
        old = office.name
        if old == name:
            return office
        moved = 0
        for q in db.session.scalars(select(Question).where(Question.contest_id == contest.id,
                                                            Question.office == old)):
            q.office = name
            moved += 1
        office.name = name
        from contest.models import AccessToken
        for t in db.session.scalars(select(AccessToken).where(
                AccessToken.contest_id == contest.id, AccessToken.role == "office",
                AccessToken.subject == key)):
            t.label = name
        record(contest.id, actor, "office.rename", key, old={"name": old},
               new={"name": name, "questions": moved})
    return office


def office_links(contest_id: int, base: str) -> dict[str, dict]:
    from contest.services.links import links
    return links(contest_id, base)["offices"]


# ---- listing, search, coverage -------------------------------------------------------------

def all_questions(contest_id: int) -> list[Question]:
    return list(db.session.scalars(select(Question).where(Question.contest_id == contest_id)
                                   .order_by(Question.position, Question.id)))


@dataclass(frozen=True)
class Filters:
    office: str = ""
    field: str = ""
    status: str = ""
    text: str = ""
    kind: str = ""

    @classmethod
    def from_args(cls, args: Any) -> "Filters":
        def get(name: str) -> str:
            value = args.get(name) or ""
            return nfc(value).strip()[:300] if isinstance(value, str) else ""
        status = get("status")
        kind = get("kind")
        return cls(office=get("office"), field=get("field"),
                   status=status if status in STATUS_LABELS else "",
                   text=get("q"), kind=kind if kind in KIND_LABELS else "")

    @property
    def active(self) -> bool:
        return bool(self.office or self.field or self.status or self.text or self.kind)


def _haystack(q: Question) -> str:
    parts = [q.key, q.text, q.answer, q.basis, q.field, q.office, *(q.choices or [])]
    parts += [f.get("text", "") for f in q.follow_ups or []]
    return fold(" ".join(p for p in parts if p))


def search(questions: Iterable[Question], filters: Filters) -> list[Question]:
    """Filter by office, field, status, kind and text; the text search ignores case and
    diacritics ("cai cach" finds "Cải cách") and needs every word to appear."""
    words = fold(filters.text).split()
    out = []
    for q in questions:
        if filters.office and q.office != filters.office:
            continue
        if filters.field and q.field != filters.field:
            continue
        if filters.status and q.status != filters.status:
            continue
        if filters.kind and q.kind != filters.kind:
            continue
        if words:
            hay = _haystack(q)
            if not all(w in hay for w in words):
                continue
        out.append(q)
    return out


def list_questions(contest_id: int, filters: Filters | None = None, *,
                   office: Office | None = None) -> list[Question]:
    """The questions a reviewer (or one office: only its own) sees, filtered."""
    rows = all_questions(contest_id)
    if office is not None:
        rows = [q for q in rows if q.office == office.name]
    return search(rows, filters or Filters())


def get_question(contest_id: int, key: str, *, office: Office | None = None) -> Question:
    """One question; for an office, only its own (another office's is 'not found')."""
    q = db.session.scalar(select(Question).where(Question.contest_id == contest_id, Question.key == key))
    if q is None or (office is not None and q.office != office.name):
        raise NotFound(f"Không có câu hỏi '{key}'", field="key")
    return q


def coverage(contest: Contest, reserves: int | None = None) -> dict:
    """How many approved questions there are per field and per office, against the need:
    one question per team plus ``reserves`` (default :data:`DEFAULT_RESERVES`).

    Questions already drawn (``used``) count as approved: they were part of the lots.
    """
    if reserves is None:
        reserves = DEFAULT_RESERVES
    reserves = max(0, min(int(reserves), 1000))
    teams = db.session.scalar(select(func.count(Team.id)).where(Team.contest_id == contest.id)) or 0
    rows = all_questions(contest.id)
    statuses = Counter(q.status for q in rows)

    def table(attr: str, names: Iterable[str] = ()) -> list[dict]:
        counts: dict[str, Counter] = {n: Counter() for n in names}
        for q in rows:
            counts.setdefault(getattr(q, attr) or "", Counter())[q.status] += 1
        out = []
        for name, c in counts.items():
            out.append({"name": name, "approved": c["approved"] + c["used"],
                        "submitted": c["submitted"], "rejected": c["rejected"],
                        "used": c["used"], "total": sum(c.values())})
        out.sort(key=lambda r: (-r["approved"], fold(r["name"])))
        return out

    approved = statuses["approved"] + statuses["used"]
    needed = teams + reserves
    return {"teams": teams, "reserves": reserves, "needed": needed, "approved": approved,
            "missing": max(0, needed - approved), "enough": approved >= needed and needed > 0,
            "statuses": {s: statuses[s] for s in STATUS_LABELS}, "total": len(rows),
            "by_field": table("field"),
            "by_office": table("office", [o.name for o in offices(contest.id)])}


# ---- create, edit, delete, review ------------------------------------------------------------

def _next_keys(contest_id: int, count: int, taken: set[str] | None = None) -> list[str]:
    keys = set(db.session.scalars(select(Question.key).where(Question.contest_id == contest_id)))
    keys |= taken or set()
    n = max([int(m.group(1)) for k in keys if (m := _KEY_NUMBER.match(k))] + [0])
    out = []
    while len(out) < count:
        n += 1
        if f"q{n}" not in keys:
            out.append(f"q{n}")
    return out


def _next_position(contest_id: int) -> int:
    return (db.session.scalar(select(func.max(Question.position))
                              .where(Question.contest_id == contest_id)) or 0) + 1


def _body(body: Any) -> dict:
    if not isinstance(body, dict):
        raise ContestError("Thân yêu cầu phải là một đối tượng JSON", field="body")
    return body


def create_question(contest: Contest, body: dict, actor: Actor | None = None, *,
                    office: Office | None = None) -> Question:
    """Add one question typed in a form or sent to the API.

    An office's question always carries its own name and starts ``submitted``; an organiser
    may name any office (a new name adds the office) and starts it ``submitted`` too unless
    the body says ``approved``.
    """
    body = dict(_body(body))
    actor = actor or _cli()
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
        if office is None and data.office and not _same_name(contest.id, data.office):
            _new_office(contest, data.office)
            access.ensure_tokens(contest)
        elif office is None and data.office:
            data = _with_office(data, _same_name(contest.id, data.office).name)
        q = Question(contest_id=contest.id, key=_next_keys(contest.id, 1)[0],
                     office=data.office, status=status, source="form",
                     position=_next_position(contest.id))
        _apply(q, data)
        db.session.add(q)
        db.session.flush()
        record(contest.id, actor, "question.create", q.key, new=_snapshot(q))
    return q


def _with_office(data: QuestionData, name: str) -> QuestionData:
    return replace(data, office=name)


def update_question(contest: Contest, key: str, body: dict, actor: Actor | None = None, *,
                    office: Office | None = None) -> Question:
    """Edit a question. Missing keys in ``body`` keep their value (so a PATCH may send one
    field). An office edits only its own questions, and only while they are ``submitted``;
    nobody edits a question that has been drawn."""
    body = _body(body)
    actor = actor or _cli()
    with write_transaction():
        q = get_question(contest.id, key, office=office)
        if q.status == "used":
            raise Conflict("Câu hỏi đã được bốc thăm trên sân khấu, không sửa được nữa",
                           field="status")
        if office is not None and q.status != "submitted":
            raise Forbidden(f"Câu hỏi đã được Ban Tổ chức xét ({STATUS_LABELS[q.status]}); "
                            "cơ quan không sửa được nữa", field="status")
        lot = _sealed_lot_of(contest.id, q.key)
        if lot is not None and _draws(contest.id):
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
            existing = _same_name(contest.id, data.office)
            if existing is None:
                _new_office(contest, data.office)
                access.ensure_tokens(contest)
            else:
                data = _with_office(data, existing.name)
        old = _snapshot(q)
        _apply(q, data)
        q.office = data.office
        new = _snapshot(q)
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
    actor = actor or _cli()
    with write_transaction():
        q = get_question(contest.id, key, office=office)
        if office is not None and q.status != "submitted":
            raise Forbidden(f"Câu hỏi đã được Ban Tổ chức xét ({STATUS_LABELS[q.status]}); "
                            "cơ quan không xóa được nữa", field="status")
        _refuse_if_sealed(contest.id, q, "xóa")
        record(contest.id, actor, "question.delete", q.key, old=_snapshot(q))
        db.session.delete(q)


def _sealed_lot_of(contest_id: int, key: str) -> int | None:
    seal = _seal_row(contest_id, QUESTIONS)
    if seal is None:
        return None
    for number, k in (seal.lots or {}).items():
        if k == key:
            return int(number)
    return None


def _refuse_if_sealed(contest_id: int, q: Question, what: str) -> None:
    if q.status == "used":
        raise Conflict(f"Câu hỏi {q.key} đã được bốc thăm, không {what} được", field="status")
    lot = _sealed_lot_of(contest_id, q.key)
    if lot is not None:
        raise Conflict(f"Câu hỏi {q.key} đang nằm trong lá thăm số {lot}; hãy niêm phong lại "
                       f"(khi chưa bốc lá nào) trước khi {what}", field="status")


def approve_question(contest: Contest, key: str, actor: Actor | None = None) -> Question:
    actor = actor or _cli()
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
    actor = actor or _cli()
    if not isinstance(reason, str) or not nfc(reason).strip():
        raise ContestError("Lý do không duyệt: hãy ghi lý do để cơ quan soạn biết", field="reason")
    reason = nfc(reason).strip()
    if len(reason) > 1000:
        raise ContestError(f"Lý do không duyệt: dài {len(reason)} ký tự, tối đa 1000", field="reason")
    with write_transaction():
        q = get_question(contest.id, key)
        if q.status == "approved":
            _refuse_if_sealed(contest.id, q, "đổi sang không duyệt")
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


# ---- import ------------------------------------------------------------------------------

def _row_label(filename: str, row: int) -> str:
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        return f"Dòng {row}"
    if lower.endswith(".json"):
        return f"Câu thứ {row}"
    return f"Câu {row}"


def _short(text: str, n: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def import_questions(contest: Contest, filename: str, data: bytes, *, partial: bool,
                     office: str | Office | None = None, actor: Actor | None = None,
                     max_bytes: int | None = None) -> dict:
    """Add the questions of a file to the bank.

    Returns ``{"imported": N, "rejected": [{"row", "reason"}], "duplicates": [{"row", "of",
    "similarity"}], "keys": [...]}``. Duplicates (exact or near, against the bank or an
    earlier row of the file) are also in ``rejected``, their reason naming the question they
    repeat. Without ``partial`` and with any rejected row nothing is written. ``office``
    (a name, or an :class:`Office` for an office's own upload) forces the office of every
    question and makes them ``submitted``. A whole-file problem raises ContestError.
    """
    actor = actor or _cli()
    if max_bytes is None:
        from flask import current_app
        max_bytes = int(current_app.config.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024))
    result = parse_file(filename, data, max_bytes=max_bytes)
    office_name = office.name if isinstance(office, Office) else (office or None)
    forced_office = office_name is not None
    label = filename.rsplit("/", 1)[-1]
    rejected = [{"row": r.row, "reason": r.reason} for r in result.rejected]
    bank = [(q.key, to_data(q)) for q in all_questions(contest.id)]
    texts = {key: q.text for key, q in bank}
    file_texts = {row: q.text for row, q in result.questions}
    duplicates = find_duplicates(list(result.questions), bank, threshold=DUPLICATE_THRESHOLD)
    dup_rows = set()
    dup_out = []
    for d in duplicates:
        dup_rows.add(d.row)
        if d.of.startswith("row "):
            other = int(d.of[4:])
            of = f"{_row_label(label, other).lower()} của tệp"
            repeated = file_texts.get(other, "")
            of_key = d.of
        else:
            of = f"câu hỏi {d.of} trong ngân hàng"
            repeated = texts.get(d.of, "")
            of_key = d.of
        kind = "trùng" if d.exact else f"gần trùng ({round(d.similarity * 100)}%)"
        reason = f"{_row_label(label, d.row)}: {kind} với {of}: “{_short(repeated)}”"
        rejected.append({"row": d.row, "reason": reason})
        dup_out.append({"row": d.row, "of": of_key, "similarity": d.similarity, "exact": d.exact})
    rejected.sort(key=lambda r: r["row"])
    good = [(row, q) for row, q in result.questions if row not in dup_rows]
    report = {"imported": 0, "rejected": rejected, "duplicates": dup_out, "keys": [],
              "file": label, "ready": len(good)}
    if rejected and not partial:
        return report
    if not good:
        return report
    with write_transaction():
        known = {fold(o.name): o for o in offices(contest.id)}
        taken_keys = set(db.session.scalars(select(Question.key).where(Question.contest_id == contest.id)))
        fresh = iter(_next_keys(contest.id, len(good)))
        position = _next_position(contest.id)
        created_office = False
        keys = []
        for row, q in good:
            name = office_name if forced_office else q.office
            if name:
                existing = known.get(fold(name))
                if existing is None:
                    existing = _new_office(contest, name)
                    known[fold(name)] = existing
                    created_office = True
                name = existing.name
            status = q.status
            if forced_office or status not in ("submitted", "approved", "rejected"):
                status = "submitted" if forced_office else "approved"
            key = q.key if q.key and q.key not in taken_keys else next(fresh)
            while key in taken_keys:
                key = next(fresh)
            taken_keys.add(key)
            row_q = Question(contest_id=contest.id, key=key, office=name or "", status=status,
                             source=f"{label}#{row}"[:300], position=position)
            position += 1
            _apply(row_q, q)
            db.session.add(row_q)
            keys.append(key)
        if created_office:
            db.session.flush()
            access.ensure_tokens(contest)
        record(contest.id, actor, "questions.import", label,
               new={"imported": len(keys), "keys": keys, "rejected": len(rejected),
                    "partial": bool(partial), "office": office_name})
    report["imported"] = len(keys)
    report["keys"] = keys
    return report


def export_xlsx(contest: Contest, filters: Filters | None = None) -> bytes:
    from .core.export import export_xlsx as build
    rows = list_questions(contest.id, filters)
    return build([to_data(q) for q in rows], title=f"Ngân hàng câu hỏi — {contest.name}")


def booklet_docx(contest: Contest, *, with_answers: bool = True,
                 statuses: tuple[str, ...] = ("approved", "used")) -> bytes:
    """The jury's printable booklet: the approved (and drawn) questions with their answers;
    in lot order once sealed, so the jury can find lot N quickly."""
    from .core.booklet import booklet_docx as build
    rows = [q for q in all_questions(contest.id) if q.status in statuses]
    seal = _seal_row(contest.id, QUESTIONS)
    if seal is not None:
        lot_of = {key: int(n) for n, key in (seal.lots or {}).items()}
        rows.sort(key=lambda q: (lot_of.get(q.key, 10**9), q.position, q.id))
    title = f"Bộ câu hỏi — {contest.name}"
    return build(title, [to_data(q) for q in rows], with_answers=with_answers)


def template_xlsx() -> bytes:
    from .core.export import template_xlsx as build
    return build()


# ---- the sealed draw -------------------------------------------------------------------------

def _seal_row(contest_id: int, kind: str) -> LotSeal | None:
    return db.session.scalar(select(LotSeal).where(LotSeal.contest_id == contest_id,
                                                   LotSeal.kind == kind))


def _sealed(seal: LotSeal) -> core_draw.SealedLots:
    return core_draw.SealedLots(salt=seal.salt, lots=core_draw.lots_from_reveal(seal.lots),
                                commitment=seal.commitment)


def _draws(contest_id: int, kind: str = QUESTIONS) -> list[Draw]:
    return list(db.session.scalars(select(Draw).where(Draw.contest_id == contest_id, Draw.kind == kind)
                                   .order_by(Draw.id)))


def _store_seal(contest: Contest, kind: str, sealed: core_draw.SealedLots, actor: Actor) -> None:
    seal = _seal_row(contest.id, kind)
    lots = {str(n): key for n, key in sealed.lots.items()}
    old = None
    if seal is None:
        seal = LotSeal(contest_id=contest.id, kind=kind)
        db.session.add(seal)
    else:
        old = {"commitment": seal.commitment, "lots": len(seal.lots or {}), "revealed": seal.revealed}
    seal.salt, seal.lots, seal.commitment = sealed.salt, lots, sealed.commitment
    seal.revealed, seal.sealed_at = False, utcnow()
    action = ("draw.seal" if kind == QUESTIONS else "order.seal") + (".replace" if old else "")
    record(contest.id, actor, action, kind, old=old,
           new={"commitment": sealed.commitment, "lots": sealed.count})


def seal_questions(contest: Contest, actor: Actor | None = None, rng: Any = None) -> dict:
    """Shuffle the approved questions into lots 1..N and seal them; ``{"commitment", "lots": N}``.

    Re-sealing before any lot is drawn replaces the seal (audited); after a draw it is refused.
    """
    actor = actor or _cli()
    rng = rng or random.SystemRandom()
    with write_transaction():
        if _draws(contest.id):
            raise Conflict("Đã có lá thăm được bốc trên sân khấu: không niêm phong lại được nữa",
                           field="seal", code="already_drawn")
        keys = [q.key for q in all_questions(contest.id) if q.status == "approved"]
        if not keys:
            raise ContestError("Chưa có câu hỏi nào được duyệt để niêm phong", field="questions",
                               code="nothing_to_seal")
        sealed = core_draw.seal_lots(keys, rng)
        _store_seal(contest, QUESTIONS, sealed, actor)
    result = {"commitment": sealed.commitment, "lots": sealed.count}
    _publish(contest.id, "seal", {"kind": QUESTIONS, **result})
    return result


def seal_performance_order(contest: Contest, actor: Actor | None = None, rng: Any = None) -> dict:
    """Draw the order in which teams perform (position → team key), sealed the same way.
    Refused once it has been revealed or once the quiz draw has started."""
    actor = actor or _cli()
    rng = rng or random.SystemRandom()
    with write_transaction():
        existing = _seal_row(contest.id, ORDER)
        if existing is not None and existing.revealed:
            raise Conflict("Thứ tự thi đã được công bố: không bốc lại được", field="seal")
        if existing is not None and _draws(contest.id):
            raise Conflict("Hội thi đã bắt đầu bốc thăm câu hỏi: không bốc lại thứ tự thi được",
                           field="seal", code="already_drawn")
        keys = [t.key for t in db.session.scalars(select(Team).where(Team.contest_id == contest.id)
                                                  .order_by(Team.position, Team.id))]
        if not keys:
            raise ContestError("Chưa có đội thi nào", field="teams", code="nothing_to_seal")
        sealed = core_draw.seal_order(keys, rng)
        _store_seal(contest, ORDER, sealed, actor)
    result = {"commitment": sealed.commitment, "lots": sealed.count}
    _publish(contest.id, "seal", {"kind": ORDER, **result})
    return result


def reveal_lots(contest: Contest, actor: Actor | None = None) -> dict:
    """Publish the salt and the lots (and the performance order's, when sealed):
    ``{"commitment", "salt", "lots": {"1": key}}`` plus ``"order"`` when there is one."""
    actor = actor or _cli()
    with write_transaction():
        seal = _seal_row(contest.id, QUESTIONS)
        if seal is None:
            raise Conflict("Chưa niêm phong lá thăm nên chưa có gì để công bố", field="seal",
                           code="not_sealed")
        result = {"commitment": seal.commitment, "salt": seal.salt, "lots": dict(seal.lots)}
        order = _seal_row(contest.id, ORDER)
        if order is not None:
            result["order"] = {"commitment": order.commitment, "salt": order.salt,
                               "lots": dict(order.lots)}
        changed = [s for s in (seal, order) if s is not None and not s.revealed]
        for s in changed:
            s.revealed = True
        if changed:
            record(contest.id, actor, "draw.reveal", ",".join(s.kind for s in changed),
                   new={s.kind: s.commitment for s in changed})
    if changed:
        _publish(contest.id, "reveal", {"kind": QUESTIONS, "reveal": _reveal_of(seal),
                                        "commitment": seal.commitment})
    return result


def _reveal_of(seal: LotSeal | None) -> dict | None:
    if seal is None or not seal.revealed:
        return None
    return {"salt": seal.salt, "lots": dict(seal.lots)}


def _lot_number(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        raise ContestError("Số lá thăm (lot) phải là một số nguyên", field="lot")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ContestError(f"Số lá thăm (lot) '{value}' phải là một số nguyên", field="lot")


def record_draw(contest: Contest, team: Any, lot: Any, actor: Actor | None = None) -> dict:
    """The MC records the lot a team's representative picked.

    Answers ``{"lot", "team", "question", "answer", "follow_ups"}``; the question becomes
    ``used``; a lot already drawn is a 409, even when two consoles press at once.
    """
    actor = actor or _cli()
    number = _lot_number(lot)
    if not isinstance(team, str) or not team.strip():
        raise ContestError("Đội (team): hãy chọn đội bốc thăm", field="team")
    team_key = team.strip()
    try:
        with write_transaction():
            seal = _seal_row(contest.id, QUESTIONS)
            if seal is None:
                raise Conflict("Chưa niêm phong lá thăm: Ban Tổ chức cần niêm phong bộ câu hỏi "
                               "trước khi bốc thăm", field="lot", code="not_sealed")
            if seal.revealed:
                raise Conflict("Lá thăm đã được công bố (kết thúc bốc thăm): không bốc thêm được",
                               field="lot", code="revealed")
            team_row = db.session.scalar(select(Team).where(Team.contest_id == contest.id,
                                                            Team.key == team_key))
            if team_row is None:
                raise ContestError(f"Đội (team): không có đội '{team_key}'", field="team",
                                   code="unknown_team")
            drawn = {d.lot for d in _draws(contest.id)}
            key = core_draw.draw_lot(_sealed(seal), drawn, number)
            q = get_question(contest.id, key)
            db.session.add(Draw(contest_id=contest.id, kind=QUESTIONS, lot=number,
                                team_key=team_key, value=key))
            old_status = q.status
            q.status, q.updated_at = "used", utcnow()
            db.session.flush()
            record(contest.id, actor, "draw.record", f"lot {number}",
                   new={"team": team_key, "question": key, "status": {"old": old_status, "new": "used"}})
            full = _draw_payload(number, team_row, q, with_answer=True)
            public = _draw_payload(number, team_row, q, with_answer=False)
            left = len(seal.lots) - len(drawn) - 1
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"Lá thăm số {number} đã được bốc", field="lot", code="lot_drawn") from None
    public["remaining"] = full["remaining"] = left
    _publish(contest.id, "draw", public, staff_payload=full)
    return full


def _draw_payload(number: int, team: Team, q: Question, *, with_answer: bool) -> dict:
    out = {"lot": number, "team": team.key, "team_name": team.name, "unit": team.unit_name,
           "question": public_question(q)}
    if with_answer:
        out["answer"] = q.answer
        out["follow_ups"] = [{"text": f.get("text", ""), "answer": f.get("answer", ""),
                              "points": f.get("points")} for f in q.follow_ups or []]
        if q.kind == "choice":
            out["answer_text"] = to_data(q).choice_text()
    return out


def draws_state(contest: Contest | int) -> dict:
    """``GET /draws``: ``{"commitment", "lots": N, "drawn": [{"lot", "team", "question"}],
    "reveal": null | {"salt", "lots"}}`` (commitment null and lots 0 before sealing)."""
    cid = _contest_id(contest)
    seal = _seal_row(cid, QUESTIONS)
    if seal is None:
        return {"commitment": None, "lots": 0, "drawn": [], "reveal": None}
    return {"commitment": seal.commitment, "lots": len(seal.lots or {}),
            "drawn": [{"lot": d.lot, "team": d.team_key, "question": d.value} for d in _draws(cid)],
            "reveal": _reveal_of(seal)}


def order_state(contest: Contest | int, *, staff: bool) -> dict:
    """The performance order's seal: commitment and count for anyone; the order itself for
    the staff, and for everyone once revealed."""
    cid = _contest_id(contest)
    seal = _seal_row(cid, ORDER)
    if seal is None:
        return {"commitment": None, "teams": 0, "order": None, "reveal": None}
    order = [seal.lots[str(n)] for n in range(1, len(seal.lots) + 1)] \
        if (staff or seal.revealed) else None
    return {"commitment": seal.commitment, "teams": len(seal.lots or {}), "order": order,
            "reveal": _reveal_of(seal)}


def performance_order(contest: Contest | int) -> list[str] | None:
    """Team keys in the sealed performance order; None when the order is not sealed."""
    seal = _seal_row(_contest_id(contest), ORDER)
    if seal is None:
        return None
    lots = core_draw.lots_from_reveal(seal.lots)
    return [lots[n] for n in sorted(lots)]


def drawn_question(contest_id: int, team_key: str) -> dict | None:
    """The team's latest question draw, with the answer (for the MC and the jury):
    ``{"lot", "question": {"key", "kind", "text", "choices", "points"}, "answer",
    "follow_ups": [{"text", "answer", "points"}]}``; None when the team has not drawn."""
    d = db.session.scalar(select(Draw).where(Draw.contest_id == contest_id, Draw.kind == QUESTIONS,
                                             Draw.team_key == team_key)
                          .order_by(Draw.id.desc()).limit(1))
    if d is None:
        return None
    q = db.session.scalar(select(Question).where(Question.contest_id == contest_id,
                                                 Question.key == d.value))
    if q is None:
        return None
    return {"lot": d.lot, "team": team_key, "question": public_question(q), "answer": q.answer,
            "follow_ups": [{"text": f.get("text", ""), "answer": f.get("answer", ""),
                            "points": f.get("points")} for f in q.follow_ups or []]}


def latest_draw(contest_id: int, *, with_answer: bool) -> dict | None:
    d = db.session.scalar(select(Draw).where(Draw.contest_id == contest_id, Draw.kind == QUESTIONS)
                          .order_by(Draw.id.desc()).limit(1))
    if d is None:
        return None
    team = db.session.scalar(select(Team).where(Team.contest_id == contest_id, Team.key == d.team_key))
    q = db.session.scalar(select(Question).where(Question.contest_id == contest_id,
                                                 Question.key == d.value))
    if team is None or q is None:
        return None
    return _draw_payload(d.lot, team, q, with_answer=with_answer)


def draw_listing(contest: Contest) -> dict:
    """For the review page: the seals, the draws with team names, what is left."""
    cid = contest.id
    seal = _seal_row(cid, QUESTIONS)
    order = _seal_row(cid, ORDER)
    teams = {t.key: t for t in db.session.scalars(select(Team).where(Team.contest_id == cid))}
    drawn = _draws(cid)
    approved_keys = {q.key for q in all_questions(cid) if q.status == "approved"}
    sealed_keys = set((seal.lots or {}).values()) if seal else set()
    return {
        "seal": seal, "order": order,
        "drawn": [{"lot": d.lot, "team": d.team_key,
                   "team_name": teams[d.team_key].name if d.team_key in teams else d.team_key,
                   "question": d.value, "at": d.at} for d in drawn],
        "unsealed_approved": sorted(approved_keys - sealed_keys) if seal else [],
        "order_teams": [teams[k].name if k in teams else k for k in (performance_order(cid) or [])],
        "can_reseal": not drawn,
    }


# ---- live ---------------------------------------------------------------------------------

def _publish(contest_id: int, kind: str, payload: dict, staff_payload: dict | None = None) -> None:
    from contest import live
    live.publish(contest_id, kind, payload, staff_payload=staff_payload)


def snapshot_part(contest: Contest, principal: Principal) -> dict:
    """``snapshot["draws"]``: the GET /draws shape, the order's commitment, and the current
    (latest) draw: with its answer for the staff, without for everyone else."""
    state = draws_state(contest)
    state["order_commitment"] = (_seal_row(contest.id, ORDER) or _Nothing).commitment
    state["current"] = latest_draw(contest.id, with_answer=principal.is_staff)
    return state


class _Nothing:
    commitment = None


def register_live() -> None:
    from contest import live
    live.SNAPSHOT_PARTS["draws"] = snapshot_part



def key_names(contest_id: int) -> dict[str, str]:
    """Team key → team name, for showing a revealed order in words."""
    return {t.key: t.name for t in db.session.scalars(select(Team).where(Team.contest_id == contest_id))}


register_live()
