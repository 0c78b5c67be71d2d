"""Reading the bank: filters from a query string, the search, what a reviewer or an office
sees, and the coverage table (approved questions per field and per office against the need)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import func, select

from contest.core.text import fold, nfc
from contest.extensions import db
from contest.models import Contest, Team

from ..models import Office, Question
from .office_admin import offices
from .questions import KIND_LABELS, STATUS_LABELS, all_questions

DEFAULT_RESERVES = 3


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
