"""The bank as files: importing a file of questions, exporting the bank, the jury's booklet
and the empty template.

An *import* is a file (.xlsx, .docx, .json) read by
:func:`question_bank.core.importing.parse_file`, then compared with the bank and with its own
earlier rows (:func:`question_bank.core.dedupe.find_duplicates`). A duplicate is a rejected
row whose reason names the question it repeats. Without ``partial`` a file with any rejected
row writes nothing; with it the good rows go in. The file formats themselves live in the core.
"""

from __future__ import annotations

from sqlalchemy import select

from contest.core.text import fold
from contest.database import write_transaction
from contest.extensions import db
from contest.models import Contest
from contest.services import access
from contest.services.audit import Actor, record

from ..core.dedupe import find_duplicates
from ..core.importing import parse_file
from ..models import Office, Question
from .common import cli_actor
from .listing import Filters, list_questions
from .office_admin import new_office, offices
from .questions import all_questions, apply, next_keys, next_position, to_data
from .seals import QUESTIONS, seal_row

DUPLICATE_THRESHOLD = 0.9


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
    actor = actor or cli_actor()
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
        else:
            of = f"câu hỏi {d.of} trong ngân hàng"
            repeated = texts.get(d.of, "")
        kind = "trùng" if d.exact else f"gần trùng ({round(d.similarity * 100)}%)"
        reason = f"{_row_label(label, d.row)}: {kind} với {of}: “{_short(repeated)}”"
        rejected.append({"row": d.row, "reason": reason})
        dup_out.append({"row": d.row, "of": d.of, "similarity": d.similarity, "exact": d.exact})
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
        fresh = iter(next_keys(contest.id, len(good)))
        position = next_position(contest.id)
        created_office = False
        keys = []
        for row, q in good:
            name = office_name if forced_office else q.office
            if name:
                existing = known.get(fold(name))
                if existing is None:
                    existing = new_office(contest, name)
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
            apply(row_q, q)
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
    from ..core.export import export_xlsx as build
    rows = list_questions(contest.id, filters)
    return build([to_data(q) for q in rows], title=f"Ngân hàng câu hỏi — {contest.name}")


def booklet_docx(contest: Contest, *, with_answers: bool = True,
                 statuses: tuple[str, ...] = ("approved", "used")) -> bytes:
    """The jury's printable booklet: the approved (and drawn) questions with their answers;
    in lot order once sealed, so the jury can find lot N quickly."""
    from ..core.booklet import booklet_docx as build
    rows = [q for q in all_questions(contest.id) if q.status in statuses]
    seal = seal_row(contest.id, QUESTIONS)
    if seal is not None:
        lot_of = {key: int(n) for n, key in (seal.lots or {}).items()}
        rows.sort(key=lambda q: (lot_of.get(q.key, 10**9), q.position, q.id))
    title = f"Bộ câu hỏi — {contest.name}"
    return build(title, [to_data(q) for q in rows], with_answers=with_answers)


def template_xlsx() -> bytes:
    from ..core.export import template_xlsx as build
    return build()
