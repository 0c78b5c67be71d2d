"""What the judging services share: the roster, lookups of what a client named, checks of who
may act, and the small conversions every answer uses.

Terms: a *roster* is the contest's teams, judges and members keyed by their document keys, in
document order (the light roster of a write leaves the members out); the *performers* of a
part are the members whose roles include it. ``_MISSING`` marks an ``expected`` the client
did not send (``None`` is a value: "there was nothing"). This module writes nothing and
publishes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.errors import Conflict, ContestError, Forbidden, NotFound
from ..core.tabulation import number
from ..extensions import db
from ..models import Contest, Decision, Judge, Member, PartLock, Team
from .access import Principal

ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,100}$")
MAX_COMMENT = 2000
MAX_REASON = 1000
ALL = "all"
_MISSING: Any = object()


def _num(value: Decimal | int | float | None):
    if value is None:
        return None
    return number(Decimal(str(value)))


def _reason(value: Any, field: str = "reason", required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ContestError("Lý do phải là một đoạn văn bản", field=field)
    value = value.strip()
    if required and len(value) < 3:
        raise ContestError("Cần ghi lý do (ít nhất 3 ký tự)", field=field)
    if len(value) > MAX_REASON:
        raise ContestError(f"Lý do dài quá {MAX_REASON} ký tự", field=field)
    return value


def _text_key(body: Mapping, key: str, what: str, prefix: str = "") -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContestError(f"{prefix}{key}: cần ghi {what}" if prefix else f"Cần chọn {what}",
                           field=f"{prefix}{key}")
    return value.strip()


def _err(exc: ContestError, prefix: str) -> ContestError:
    """The same error with its field (and message) under ``prefix`` (bulk rows)."""
    if not prefix:
        return exc
    field = f"{prefix}{exc.field}" if exc.field else prefix.rstrip(".")
    new = type(exc)(f"{field}: {exc.message}", field=field, code=exc.code, status=exc.status)
    return new


@dataclass(frozen=True)
class Roster:
    """The contest's teams (with their units), judges and members, keyed by their document
    keys, in order. ``members`` is None in the light roster of a write that needs none."""

    teams: dict[str, Team]
    judges: dict[str, Judge]
    members: dict[str, Member] | None

    @property
    def team_by_id(self) -> dict[int, Team]:
        return {t.id: t for t in self.teams.values()}

    @property
    def judge_by_id(self) -> dict[int, Judge]:
        return {j.id: j for j in self.judges.values()}

    @property
    def member_by_id(self) -> dict[int, Member]:
        return {m.id: m for m in self.members.values()}


def roster(contest_id: int, *, members: bool = True) -> Roster:
    """The contest's roster; ``members=False`` skips the members (a sheet needs teams and
    judges only: loading every member was ~30 % of a judge's POST)."""
    s = db.session
    teams = {t.key: t for t in s.scalars(select(Team).where(Team.contest_id == contest_id)
                                         .options(selectinload(Team.unit))
                                         .order_by(Team.position, Team.id))}
    judges = {j.key: j for j in s.scalars(select(Judge).where(Judge.contest_id == contest_id)
                                          .order_by(Judge.position, Judge.id))}
    if not members:
        return Roster(teams, judges, None)
    people = {m.key: m for m in s.scalars(select(Member).where(Member.contest_id == contest_id)
                                          .order_by(Member.team_id, Member.position, Member.id))}
    return Roster(teams, judges, people)


def _named(table: Mapping[str, Any], key: Any):
    """``table[key]`` for a key sent by a client, None for anything that is not a known string."""
    return table.get(key) if isinstance(key, str) else None


def _locks(contest_id: int) -> dict[str, PartLock]:
    return {lk.part_key: lk for lk in db.session.scalars(
        select(PartLock).where(PartLock.contest_id == contest_id).order_by(PartLock.id))}


def _judge_of(principal: Principal, ros: Roster, body: Mapping) -> Judge:
    """The judge a request speaks for: the token's, never the body's."""
    if principal.role != "judge" or not principal.subject:
        raise Forbidden("Chỉ giám khảo được gửi phiếu chấm và đề cử", field="judge")
    claimed = body.get("judge")
    if claimed not in (None, "", principal.subject):
        raise Forbidden("Giám khảo chỉ được gửi phiếu của chính mình", field="judge")
    judge = ros.judges.get(principal.subject)
    if judge is None:
        raise NotFound("Giám khảo của mã truy cập này không còn trong hội thi", field="judge")
    return judge


def performers(ros: Roster) -> dict[str, set[str]]:
    """Part key -> the keys of the members whose roles include it."""
    out: dict[str, set[str]] = {}
    for m in ros.members.values():
        for part in m.roles or ():
            out.setdefault(part, set()).add(m.key)
    return out


def _part_keys(contest: Contest, part: Any) -> list[str]:
    rules = contest.rules
    if part == ALL:
        return list(rules.part_keys)
    if not isinstance(part, str) or rules.part(part) is None:
        raise ContestError(f"Không có phần thi '{part}'", field="part")
    return [part]


def _require_head(principal: Principal, *, organisers: bool = False) -> None:
    if principal.role == "judge" and principal.head:
        return
    if organisers and principal.role == "organiser":
        return
    who = "Trưởng ban giám khảo hoặc Ban Tổ chức" if organisers else "Trưởng ban giám khảo"
    raise Forbidden(f"Chỉ {who} được làm việc này")


def locks_dict(contest_id: int) -> dict:
    return {k: {"by": lk.locked_by, "at": lk.locked_at.isoformat(timespec="seconds") + "Z"}
            for k, lk in _locks(contest_id).items()}


def _decisions(contest_id: int, kind: str) -> list[Decision]:
    return list(db.session.scalars(select(Decision).where(
        Decision.contest_id == contest_id, Decision.kind == kind).order_by(Decision.id)))


def _check_expected(expected: Any, current: int | None) -> None:
    if expected is _MISSING:
        return
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
        raise ContestError("'expected' phải là mã quyết định đã thấy hoặc null",
                           field="expected")
    if expected != current:
        raise Conflict("Quyết định này vừa được ghi ở một máy khác; tải lại để xem rồi quyết "
                       "định lại nếu cần", field="expected", code="stale")
