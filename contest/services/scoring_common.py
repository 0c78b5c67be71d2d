"""What the judging services share: the roster, lookups of what a client named, checks of who
may act, and the small conversions every answer uses.

Terms: a *roster* is the contest's teams, judges and members keyed by their document keys, in
document order, as plain values cached per process until the next setup change; the *performers* of a
part are the members whose roles include it. ``_MISSING`` marks an ``expected`` the client
did not send (``None`` is a value: "there was nothing"). This module writes nothing and
publishes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Mapping

from flask import current_app
from sqlalchemy import bindparam, func, select

from ..core.errors import Conflict, ContestError, Forbidden, NotFound
from ..core.rules import Rules
from ..core.tabulation import number
from ..extensions import db
from ..models import Contest, Decision, Judge, Member, PartLock, Team, Unit
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


@dataclass(frozen=True, slots=True)
class TeamRef:
    """A team as the judging services read it: plain values, still there after the
    transaction that loaded them has committed (and ~10× cheaper to load than ORM rows)."""

    id: int
    key: str
    name: str
    unit_name: str


@dataclass(frozen=True, slots=True)
class JudgeRef:
    id: int
    key: str
    name: str
    title: str
    head: bool


@dataclass(frozen=True, slots=True)
class MemberRef:
    id: int
    key: str
    name: str
    position_title: str
    kind: str
    roles: tuple[str, ...]
    team: TeamRef


@dataclass(frozen=True)
class Roster:
    """The contest's teams (with their units), judges and members as plain values, keyed by
    their document keys, in order, and its parsed rules. Shared by every request of the
    process until the next setup change: read it, never change it."""

    teams: dict[str, TeamRef]
    judges: dict[str, JudgeRef]
    members: dict[str, MemberRef]
    rules: Rules  # the contest's rules at the same revision, parsed once

    @property
    def team_by_id(self) -> dict[int, TeamRef]:
        return {t.id: t for t in self.teams.values()}

    @property
    def judge_by_id(self) -> dict[int, JudgeRef]:
        return {j.id: j for j in self.judges.values()}

    @property
    def member_by_id(self) -> dict[int, MemberRef]:
        return {m.id: m for m in self.members.values()}


def roster_columns() -> list:
    """What the roster's cache key reads: the team, judge and member counts and the contest's
    revision (every setup change bumps it), for the contest bound as ``cid``. Also the last
    four columns of the results' stamp."""
    cid = bindparam("cid")

    def count(model):
        return select(func.count(model.id)).where(model.contest_id == cid).scalar_subquery()

    return [count(Team), count(Judge), count(Member),
            select(Contest.revision).where(Contest.id == cid).scalar_subquery()]


@cache
def _roster_key_query():
    return select(*roster_columns())  # built once: building it cost as much as running it


def roster(contest_id: int, *, key: tuple | None = None) -> Roster:
    """The contest's roster, loaded once per setup change and process: reused while its key
    (:func:`roster_columns`, one query; ``key`` when the caller has read it already) stands.
    Read as columns, not ORM objects (loading members as ORM rows was ~20 % of every
    recomputation, and ~30 % of a judge's POST when it loaded them)."""
    if key is None:
        key = tuple(str(v) for v in db.session.execute(_roster_key_query(),
                                                        {"cid": contest_id}).one())
    rosters = current_app.extensions.setdefault("hoithi.rosters", {})
    hit = rosters.get(contest_id)
    if hit is not None and hit[0] == key:
        return hit[1]
    ros = _load_roster(contest_id)
    rosters[contest_id] = (key, ros)
    return ros


def _load_roster(contest_id: int) -> Roster:
    s = db.session
    contest = s.get(Contest, contest_id)
    if contest is None:
        raise NotFound("Không có hội thi này", field="contest")
    teams = {key: TeamRef(id_, key, name, unit or "") for id_, key, name, unit in s.execute(
        select(Team.id, Team.key, Team.name, Unit.name)
        .outerjoin(Unit, Unit.id == Team.unit_id).where(Team.contest_id == contest_id)
        .order_by(Team.position, Team.id))}
    judges = {key: JudgeRef(id_, key, name, title or "", bool(head))
              for id_, key, name, title, head in s.execute(
                  select(Judge.id, Judge.key, Judge.name, Judge.title, Judge.head)
                  .where(Judge.contest_id == contest_id).order_by(Judge.position, Judge.id))}
    by_id = {t.id: t for t in teams.values()}
    people = {}
    for id_, key, name, title, kind, roles, team_id in s.execute(
            select(Member.id, Member.key, Member.name, Member.position_title, Member.kind,
                   Member.roles, Member.team_id).where(Member.contest_id == contest_id)
            .order_by(Member.team_id, Member.position, Member.id)):
        team = by_id.get(team_id)
        if team is not None:
            people[key] = MemberRef(id_, key, name, title or "", kind, tuple(roles or ()), team)
    return Roster(teams, judges, people, contest.rules)


def _named(table: Mapping[str, Any], key: Any):
    """``table[key]`` for a key sent by a client, None for anything that is not a known string."""
    return table.get(key) if isinstance(key, str) else None


def _locks(contest_id: int) -> dict[str, PartLock]:
    return {lk.part_key: lk for lk in db.session.scalars(
        select(PartLock).where(PartLock.contest_id == contest_id).order_by(PartLock.id))}


def _judge_of(principal: Principal, ros: Roster, body: Mapping) -> JudgeRef:
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


def _decisions(contest_id: int, *kinds: str) -> list[Decision]:
    """The contest's decisions of these kinds, oldest first."""
    return list(db.session.scalars(select(Decision).where(
        Decision.contest_id == contest_id, Decision.kind.in_(kinds)).order_by(Decision.id)))


def _check_expected(expected: Any, current: int | None) -> None:
    if expected is _MISSING:
        return
    if expected is not None and (isinstance(expected, bool) or not isinstance(expected, int)):
        raise ContestError("'expected' phải là mã quyết định đã thấy hoặc null",
                           field="expected")
    if expected != current:
        raise Conflict("Quyết định này vừa được ghi ở một máy khác; tải lại để xem rồi quyết "
                       "định lại nếu cần", field="expected", code="stale")
