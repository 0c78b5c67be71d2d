"""The run of show of one contest, loaded: the steps rebuilt from the programme, the teams in
their drawn order and the rules, and the stage stored for it (see :mod:`contest.services.stage`
for the terms). Reads only; :mod:`contest.services.stage` acts and broadcasts,
:mod:`contest.services.stage_views` renders."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select

from ..core import show
from ..core import timer as tm
from ..core.ceremony import RevealSlot, reveal_slots
from ..core.rules import Rules
from ..core.show import Stage, Step
from ..extensions import db
from ..models import Contest, StageRecord
from ..models.contest import contest_id_of
from .scoring_common import Roster, TeamRef, roster

# What the projector shows for each kind of step (the screens switch layouts on it).
SCREENS = {"programme": "welcome", "team": "team", "draw": "draw", "question": "question",
           "follow_up": "question", "phase": "timer", "scoring": "scoring",
           "results": "results", "reveal": "reveal"}


def _lazy(module: str, name: str):
    try:
        mod = __import__(module, fromlist=[name])
    except ImportError:
        return None
    return getattr(mod, name, None)


def _in_order(ros: Roster, order: tuple[str, ...]) -> list[TeamRef]:
    """The teams in the drawn performance order (document order until it is sealed)."""
    teams = list(ros.teams.values())
    if not order:
        return teams
    rank = {key: i for i, key in enumerate(order)}
    return sorted(teams, key=lambda t: rank.get(t.key, len(rank)))  # stable: document order after


def _prizes(contest: Contest) -> dict | None:
    fn = _lazy("contest.services.scoring", "prizes_dict")
    return fn(contest) if fn else None


def _standings(contest: Contest) -> dict | None:
    fn = _lazy("contest.services.scoring", "standings_dict")
    return fn(contest) if fn else None


@dataclass
class Show:
    """Everything loaded for one contest's run of show, as plain values that outlive the
    transaction that read them: the steps, the contest's name and programme, the teams in
    their drawn order, the reveal slots and the parsed rules. Built once per process while the
    roster (the contest's revision) and the drawn order stand, and shared: read it, never
    change it."""

    contest_id: int
    name: str
    programme: tuple[dict, ...]
    steps: tuple[Step, ...]
    teams: dict[str, TeamRef]
    order: list[str]
    slots: dict[str, RevealSlot]
    rules: Rules

    @cached_property
    def steps_key(self) -> str:
        """A short hash of the steps' ids: the screens notice when the run of show changed."""
        return hashlib.sha256("\n".join(step_id(s) for s in self.steps).encode()).hexdigest()[:16]


def build(contest: Contest | int) -> Show:
    """The contest's run of show: two queries (the roster's key and the drawn order) while
    neither changed since the last build in this process (an MC press rebuilt it every time)."""
    cid = contest_id_of(contest)
    ros = roster(cid)
    order_of = _lazy("question_bank.services", "performance_order")
    order = tuple((order_of(cid) if order_of else None) or ())
    shows = current_app.extensions.setdefault("hoithi.shows", {})
    hit = shows.get(cid)
    if hit is not None and hit[0] is ros and hit[1] == order:
        return hit[2]
    row = db.session.get(Contest, cid)  # the name and programme at (at least) the roster's revision
    teams = _in_order(ros, order)
    rules = ros.rules
    slots = reveal_slots(rules)
    programme = tuple(row.programme or ()) or (
        {"key": "contest", "name": "Các đội thi lần lượt dự thi"},
        {"key": "results", "name": "Công bố kết quả và trao giải"})
    steps = show.build_steps(list(programme), [(t.key, t.name, t.unit_name) for t in teams], rules,
                             reveals=[(s.id, s.title) for s in slots])
    sh = Show(contest_id=cid, name=row.name, programme=tuple(row.programme or ()), steps=steps,
              teams={t.key: t for t in teams}, order=[t.key for t in teams],
              slots={s.id: s for s in slots}, rules=rules)
    shows[cid] = (ros, order, sh)
    return sh


def step_id(step: Step) -> str:
    return "|".join(str(x or "") for x in (step.kind, step.programme, step.team, step.part,
                                            step.phase, step.prize))


def _fresh_timer(step: Step) -> tm.Timer | None:
    return tm.Timer(duration_ms=step.seconds * 1000) if step.kind == "phase" and step.seconds else None


def restore(state: Any, steps: tuple[Step, ...]) -> Stage:
    """The stage stored in ``state`` (``StageRecord.state``), fitted to today's ``steps``."""
    if not isinstance(state, dict) or "step" not in state:
        return Stage(step=0, timer=_fresh_timer(steps[0]))
    stage = show.stage_from_dict(state)
    index = stage.step
    wanted = state.get("step_id")
    if wanted and (index >= len(steps) or step_id(steps[index]) != wanted):
        index = next((s.index for s in steps if step_id(s) == wanted), min(index, len(steps) - 1))
    index = min(index, len(steps) - 1)
    step = steps[index]
    timer = stage.timer
    if step.kind != "phase":
        timer = None
    elif timer is None or (index != stage.step and timer.state == "stopped"):
        timer = _fresh_timer(step)
    return replace(stage, step=index, timer=timer)


def load(contest: Contest) -> tuple[Stage, tuple[Step, ...]]:
    """The current stage and the steps of ``contest`` (contract for the other services)."""
    sh = build(contest)
    record = db.session.get(StageRecord, contest.id)
    return restore(record.state if record else None, sh.steps), sh.steps


def _state(contest_id: int) -> dict:
    record = db.session.get(StageRecord, contest_id)
    return dict(record.state or {}) if record is not None else {}


def results_mode(contest_id: int) -> str:
    """What the audience sees of the standings: ``hidden``, ``live`` or ``frozen`` (read
    from the stored state alone: the state may hold the frozen standings)."""
    mode = db.session.execute(_results_mode_query(), {"cid": contest_id}).scalar()
    return mode if mode in show.RESULTS_MODES else "hidden"


@cache
def _results_mode_query():
    return select(StageRecord.state["results_mode"].as_string()).where(
        StageRecord.contest_id == bindparam("cid"))


def frozen_standings(contest_id: int) -> dict | None:
    """The standings stored when the MC froze the results (None unless the mode is frozen)."""
    state = _state(contest_id)
    return state.get("frozen_standings") if state.get("results_mode") == "frozen" else None


def overtime(contest: Contest) -> list[dict]:
    """The overruns the timer observed, with the penalty the rules would deduct (the jury
    head confirms it elsewhere): ``[{"team", "part", "phase", "ms", "penalty"}]``."""
    stage, _steps = load(contest)
    rows = []
    for (team, part, phase), ms in sorted(stage.overtime.items()):
        rule = contest.rules.part(part)
        penalty = rule.overtime_penalty.deduction(ms / 1000) if rule and rule.overtime_penalty else 0
        rows.append({"team": team, "part": part, "phase": phase, "ms": ms,
                     "penalty": float(penalty)})
    return rows
