"""The computation behind every results screen: standings, prize allocation and the jury
board's matrix, computed together from the stored sheets and cached per contest.

**One computation per change.** The result is cached per contest under a *stamp* read from
the database in one cheap query (counts and latest changes of sheets, nominations, decisions,
locks, the roster and the contest's revision), so several server processes stay correct and
a thousand listeners cost one computation. The cache belongs to the app (one per process in
production; tests that build several apps in one process do not share it).

**Little to read per change.** A recomputation reuses the roster and rules while the stamp's
roster part stands (:func:`~contest.services.scoring_common.roster`) and the sheets it parsed
before, by (id, client id, revision) (:func:`_sheets`); the prize allocation and the jury
board's matrix are worked out on first use, so a broadcast publishes the standings first.

**Audience reads may skip the stamp.** Reading the stamp is 13 sub-queries; a read given
``max_age`` (the audience's, :data:`AUDIENCE_MAX_AGE`) reuses a computation whose stamp was
checked less than ``max_age`` seconds ago without reading it again. The bound: a change made
in this process drops the entry (:func:`invalidate`), so the next read sees it; a change
committed by another process (scale-out) reaches audience reads here at most 0.5 s later,
plus the few milliseconds of a read transaction already open (the same bound covers a
computation here that read just before a local change). Staff reads, the checks of writes
and broadcasts always read the stamp. The arithmetic lives in the pure core
(:mod:`contest.core.tabulation`, :mod:`contest.core.prizes`); this module loads rows, calls
it and adds the names the screens show. It writes nothing and publishes nothing.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from typing import Callable

from flask import current_app, has_app_context
from sqlalchemy import bindparam, func, select

from ..core import prizes as prize_core
from ..core.rules import Rules
from ..core.tabulation import (Sheet, Standings, compute_standings, outlier_threshold, outliers,
                               spread, standings_to_dict)
from ..extensions import db
from ..models import Contest, Decision, Nomination, PartLock, ScoreSheet
from ..models.contest import contest_id_of
from .scoring_common import Roster, _decisions, _num, performers, roster, roster_columns


@dataclass(frozen=True)
class Computed:
    """Everything derived from the sheets at one stamp. The prize allocation and the jury
    board's ``matrix`` are worked out on first use (from values loaded with the rest, in the
    same read), so a broadcast publishes the standings before spending time on them."""

    stamp: tuple
    standings: Standings
    standings_payload: dict
    build_prizes: Callable[[], tuple] = field(repr=False, compare=False)
    build_matrix: Callable[[], dict] = field(repr=False, compare=False)

    @cached_property
    def _prizes(self) -> tuple:
        return self.build_prizes()

    @property
    def allocation(self) -> prize_core.Allocation:
        return self._prizes[0]

    @property
    def all_ties(self) -> tuple[prize_core.Tie, ...]:
        return self._prizes[1]

    @property
    def prizes_payload(self) -> dict:
        return self._prizes[2]

    @cached_property
    def matrix(self) -> dict:
        return self.build_matrix()


@dataclass(frozen=True)
class _SheetRow:
    """A stored sheet as the jury board shows it (plain values)."""

    criteria: dict
    source: str
    revision: int
    comment: str


AUDIENCE_MAX_AGE = 0.5  # seconds; see the module docstring
_ROSTER_PART = slice(9, 13)  # the stamp's last columns: scoring_common.roster_columns
_cache_lock = threading.RLock()


def _cache() -> dict[int, tuple[Computed, float]]:
    """This app's cache: contest id -> (computation, monotonic time its stamp was read)."""
    ext = current_app.extensions
    cache = ext.get("hoithi.results")
    if cache is None:
        cache = ext.setdefault("hoithi.results", {})
    return cache


def _sheets(contest_id: int) -> list[tuple]:
    """The contest's sheets in id order as (judge id, team id, part, row, criteria as
    Decimals), each read and parsed once: a sheet is loaded in full only when its (id, client
    id, revision) is new to this process (a replaced sheet has a new revision; a sheet after
    a rehearsal reset a new client id), the rest come from the last recomputation. Reading
    and parsing every sheet's criteria was half of a recomputation."""
    s = db.session
    known = current_app.extensions.setdefault("hoithi.sheets", {}).get(contest_id, {})
    keys = s.execute(select(ScoreSheet.id, ScoreSheet.client_id, ScoreSheet.revision)
                     .where(ScoreSheet.contest_id == contest_id)
                     .order_by(ScoreSheet.id)).all()
    fresh = [i for i, client, rev in keys if known.get(i, (None,))[0] != (client, rev)]
    loaded = {}
    for start in range(0, len(fresh), 500):
        for (i, client, rev, judge_id, team_id, part_key, criteria, source,
             comment) in s.execute(select(
                ScoreSheet.id, ScoreSheet.client_id, ScoreSheet.revision, ScoreSheet.judge_id,
                ScoreSheet.team_id, ScoreSheet.part_key, ScoreSheet.criteria, ScoreSheet.source,
                ScoreSheet.comment).where(ScoreSheet.id.in_(fresh[start:start + 500]))):
            loaded[i] = ((client, rev), judge_id, team_id, part_key,
                         _SheetRow(criteria, source, rev, comment),
                         {k: Decimal(str(v)) for k, v in criteria.items()})
    now = {}
    for i, client, rev in keys:
        entry = loaded.get(i) or known.get(i)
        if entry is not None and (i in loaded or entry[0] == (client, rev)):
            now[i] = entry
    current_app.extensions["hoithi.sheets"][contest_id] = now
    return [entry[1:] for entry in now.values()]


def _stamp(contest_id: int) -> tuple:
    """One cheap query that changes whenever anything the standings depend on changes."""
    return tuple(str(v) for v in db.session.execute(_stamp_query(), {"cid": contest_id}).one())


@cache
def _stamp_query():
    """The stamp's statement, built once (building it took as long as running it)."""
    cid = bindparam("cid")

    def sub(*cols, model):
        return select(*cols).where(model.contest_id == cid).scalar_subquery()

    return select(
        sub(func.count(ScoreSheet.id), model=ScoreSheet),
        sub(func.coalesce(func.sum(ScoreSheet.revision), 0), model=ScoreSheet),
        sub(func.max(ScoreSheet.updated_at), model=ScoreSheet),
        sub(func.count(Nomination.id), model=Nomination),
        sub(func.max(Nomination.updated_at), model=Nomination),
        sub(func.count(Decision.id), model=Decision),
        sub(func.max(Decision.id), model=Decision),
        sub(func.count(PartLock.id), model=PartLock),
        sub(func.max(PartLock.id), model=PartLock),
        *roster_columns(),
    )


def invalidate(contest_id: int) -> None:
    """Forget the contest's computation in this process (after a committed change)."""
    if not has_app_context():  # pragma: no cover - services always run in an app context
        return
    with _cache_lock:
        _cache().pop(contest_id, None)


def computed(contest: Contest | int) -> Computed:
    """The cached computation for the contest's current state (recomputed once per change)."""
    return _compute(contest)


def _compute(contest: Contest | int, max_age: float = 0) -> Computed:
    """The computation for the contest (or contest id)'s state: cached, rebuilt when the stamp
    moved. The contest row itself is never read: its rules come with the cached roster.

    ``max_age`` > 0 (audience reads only): trust an entry whose stamp was read less than that
    many seconds ago without reading the stamp (bound: the module docstring)."""
    cid = contest_id_of(contest)
    with _cache_lock:
        cache = _cache()
        hit = cache.get(cid)
        checked = time.monotonic()
        if hit is not None and max_age > 0 and checked - hit[1] < max_age:
            return hit[0]
        stamp = _stamp(cid)
        if hit is not None and hit[0].stamp == stamp:
            cache[cid] = (hit[0], checked)
            return hit[0]
        result = _build(cid, stamp)
        cache[cid] = (result, checked)
        return result


def _build(contest_id: int, stamp: tuple) -> Computed:
    s = db.session
    ros = roster(contest_id, key=stamp[_ROSTER_PART])
    rules = ros.rules
    teams_by_id, judges_by_id = ros.team_by_id, ros.judge_by_id
    sheets = []
    for judge_id, team_id, part_key, row, criteria in _sheets(contest_id):
        t, j = teams_by_id.get(team_id), judges_by_id.get(judge_id)
        if t is not None and j is not None:
            sheets.append((row, Sheet(judge=j.key, team=t.key, part=part_key, criteria=criteria)))
    penalties: dict[tuple[str, str], Decimal] = {}
    tie_rows = []
    for d in _decisions(contest_id, "penalty", "tie"):
        if d.kind == "tie":
            tie_rows.append(d)
        else:
            penalties[(d.data.get("team"), d.data.get("part"))] = Decimal(
                str(d.data.get("points", 0)))
    penalties = {k: v for k, v in penalties.items() if v}
    standings = compute_standings(rules, list(ros.teams), list(ros.judges),
                                  [sh for _, sh in sheets], penalties)

    members_by_id = ros.member_by_id
    noms = []
    for judge_id, prize_key, member_id in s.execute(
            select(Nomination.judge_id, Nomination.prize_key, Nomination.member_id)
            .where(Nomination.contest_id == contest_id)
            .order_by(Nomination.updated_at, Nomination.id)):
        j, m = judges_by_id.get(judge_id), members_by_id.get(member_id)
        if j is not None and m is not None:
            noms.append(prize_core.Nomination(judge=j.key, prize=prize_key, member=m.key))
    decisions = [prize_core.TieDecision(tie=d.data.get("tie", ""),
                                        order=tuple(d.data.get("order") or ()), reason=d.reason)
                 for d in tie_rows]
    standings_payload = _standings_payload(rules, ros, standings)
    parts = _parts_info(rules)

    def build_prizes() -> tuple:
        perf = performers(ros)
        allocation = prize_core.allocate(rules, standings, noms, perf, decisions)
        open_ties = prize_core.allocate(rules, standings, noms, perf, ()).ties
        return (allocation, open_ties,
                _prizes_payload(rules, ros, allocation, standings, decisions, noms))

    return Computed(stamp=stamp, standings=standings, standings_payload=standings_payload,
                    build_prizes=build_prizes,
                    build_matrix=lambda: _matrix(rules, parts, ros, sheets, standings))


def _parts_info(rules: Rules) -> list[dict]:
    return [{"key": p.key, "name": p.name, "max": _num(p.max),
             "criteria": [{"key": c.key, "name": c.name, "max": _num(c.max)} for c in p.criteria]}
            for p in rules.parts]


def _standings_payload(rules: Rules, ros: Roster, st: Standings) -> dict:
    data = standings_to_dict(st)
    for row in data["teams"]:
        team = ros.teams[row["team"]]
        row["name"] = team.name
        row["unit"] = team.unit_name
    data["parts"] = [{"key": p["key"], "name": p["name"], "max": p["max"]}
                     for p in _parts_info(rules)]
    data["decimals"] = rules.decimals
    return data


def _prizes_payload(rules: Rules, ros: Roster, allocation: prize_core.Allocation,
                    st: Standings, decisions, noms) -> dict:
    data = prize_core.allocation_to_dict(allocation)

    def prize_name(key: str) -> str:
        p = rules.prizes.find(key)
        return p.name if p is not None else ("Không có giải" if key == "" else key)

    def candidate_name(key: str) -> str:
        if key in ros.teams:
            return ros.teams[key].name
        m = ros.members.get(key)
        if m is not None:
            return f"{m.name} ({m.team.name})"
        return key

    for a in data["awards"]:
        a["name"] = prize_name(a["prize"])
        if "team" in a:
            a["team_name"] = ros.teams[a["team"]].name
        if "member" in a:
            m = ros.members.get(a["member"])
            a["member_name"] = m.name if m else a["member"]
            a["member_team"] = m.team.name if m else ""
    for t in data["ties"]:
        t["candidate_names"] = [candidate_name(c) for c in t["candidates"]]
        t["prize_names"] = [prize_name(p) for p in t["prizes"]]
    for u in data["unawarded"]:
        u["name"] = prize_name(u["prize"])
    votes: dict[str, dict[str, int]] = {}
    latest = {(n.judge, n.prize): n.member for n in noms}
    for (_judge, prize), member in latest.items():
        votes.setdefault(prize, {})
        votes[prize][member] = votes[prize].get(member, 0) + 1
    data["nominations"] = {p: [{"member": m, "name": candidate_name(m), "votes": v}
                               for m, v in sorted(ms.items(), key=lambda e: -e[1])]
                           for p, ms in votes.items()}
    data["decisions"] = [{"tie": d.tie, "order": list(d.order), "reason": d.reason}
                         for d in decisions]
    data["complete"] = st.complete
    return data


def _matrix(rules, parts: list[dict], ros: Roster, sheets, st: Standings) -> dict:
    part_scores = {t.team: t.parts for t in st.teams}
    by_key: dict[tuple[str, str, str], tuple[_SheetRow, Sheet]] = {}
    for row, sh in sheets:
        by_key[(sh.judge, sh.team, sh.part)] = (row, sh)
    rows = []
    missing_total = 0
    for part in rules.parts:
        threshold = outlier_threshold(part.max)
        for team in ros.teams.values():
            cells: dict[str, dict] = {}
            totals: dict[str, Decimal] = {}
            for judge in ros.judges.values():
                hit = by_key.get((judge.key, team.key, part.key))
                if hit is None:
                    continue
                row, sh = hit
                totals[judge.key] = sh.total
                cells[judge.key] = {"total": _num(sh.total), "source": row.source,
                                    "revision": row.revision, "comment": row.comment,
                                    "criteria": dict(row.criteria)}
            flagged = outliers(totals, threshold)
            for k in flagged:
                cells[k]["outlier"] = True
            missing = [j for j in ros.judges if j not in cells]
            missing_total += len(missing)
            rows.append({"team": team.key, "part": part.key, "sheets": cells,
                         "score": _num(part_scores.get(team.key, {}).get(part.key)),
                         "spread": _num(spread(totals.values())) if len(totals) > 1 else None,
                         "outliers": sorted(flagged), "missing": missing,
                         "threshold": _num(threshold)})
    return {
        "judges": [{"key": j.key, "name": j.name, "head": j.head} for j in ros.judges.values()],
        "teams": [{"key": t.key, "name": t.name, "unit": t.unit_name} for t in ros.teams.values()],
        "parts": parts,
        "rows": rows,
        "missing": missing_total,
        "complete": st.complete,
    }
