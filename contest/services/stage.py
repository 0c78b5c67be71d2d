"""The live stage: load the run of show, apply the MC's presses, persist, broadcast.

Terms (see :mod:`contest.core.show` for step, stage, version):
- *steps* are rebuilt from the data on every use: the programme, the teams in their drawn
  performance order (the question bank's sealed order; position order until it is drawn)
  and the rules; the ``results`` item expands into one *reveal* per prize slot of the rules.
- *reveal slot*: one prize handed out on stage: every individual prize, then every special
  prize slot, then the collective slots from the last prize (encouragement) up to the first.
  Slots come from the rules, not from the allocation, so the number of steps never changes
  while scores arrive; what a slot shows (a team, a performer, "Đồng hạng — chờ Ban Giám
  khảo quyết định" or "Không trao") is read from the allocation when it is shown. Within one
  prize the slots still undecided come first and the winners from the lowest ranked up.
- *step id*: what a step is (kind, programme item, team, part, phase, prize slot). Stored with
  the stage, so that when the steps change under it (the order is drawn after the show has
  started) the stage stays on the same step, not on the same index.
- *stage version* (``stage.version`` in the views) guards the MC's presses (a stale press is a
  409); the *live version* (``version`` of events and snapshots) is :mod:`contest.live`'s
  per-contest counter and detects missed events. They are different counters.

Policies
- The whole stage is written on every change (``StageRecord.state``), inside one write
  transaction that re-reads it first, so presses from two consoles and the ticker serialise.
  Only the timer's deadline is stored; a server restarted mid-timer shows the right time.
- The audience (public room) never gets an answer, a follow-up question, the MC's script or
  the overtime records; staff views add them.
- A reveal is never shown before the reveals of lower prizes: moving onto a reveal step is
  refused unless every earlier reveal has been shown (``stage.revealed``).
- Results mode ``frozen`` stores the standings of that moment; the audience then sees those
  until the mode changes (the judging screens read :func:`results_mode` and
  :func:`frozen_standings`). Setting the mode also sets ``Contest.results_public``.
- Auto-advance (conferral flowing into answer) is time's doing, not the MC's: a background
  ticker (:func:`start_ticker`) wakes every ~200 ms, and only touches the database for a
  contest whose running, auto-advancing phase has reached its deadline.

This module does not draw lots, compute standings or allocate prizes: it asks the question
bank (:func:`question_bank.services.performance_order`, ``drawn_question``) and the scoring
service (``standings_dict``, ``prizes_dict``), imported lazily so that either may be absent.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from .. import live
from ..clock import now_ms
from ..core import show
from ..core import timer as tm
from ..core.ceremony import (PRIZE_KINDS_VI, TIE_TEXT, UNAWARDED_TEXT, RevealSlot,
                             check_reveal_order, resolve_slot, reveal_slots)
from ..core.errors import ContestError
from ..core.show import Stage, Step
from ..core.text import format_money, format_number
from ..database import write_transaction
from ..extensions import db
from ..models import Contest, StageRecord, Team
from . import audit
from .access import Principal
from .ticker import (TICK_SECONDS, _watch, ensure_ticker, start_ticker, tick_contest,  # noqa: F401
                     tick_due, watch_all)

log = logging.getLogger("hoithi.stage")

# What the projector shows for each kind of step (the screens switch layouts on it).
SCREENS = {"programme": "welcome", "team": "team", "draw": "draw", "question": "question",
           "follow_up": "question", "phase": "timer", "scoring": "scoring",
           "results": "results", "reveal": "reveal"}


# --------------------------------------------------------------------------- building the steps


def _lazy(module: str, name: str):
    try:
        mod = __import__(module, fromlist=[name])
    except ImportError:
        return None
    return getattr(mod, name, None)


def _teams(contest: Contest) -> list[Team]:
    teams = list(db.session.scalars(select(Team).where(Team.contest_id == contest.id)
                                    .order_by(Team.position, Team.id)))
    order_of = _lazy("question_bank.services", "performance_order")
    order = order_of(contest) if order_of else None
    if not order:
        return teams
    rank = {key: i for i, key in enumerate(order)}
    return sorted(teams, key=lambda t: (rank.get(t.key, len(rank)), t.position, t.id))


def _prizes(contest: Contest) -> dict | None:
    fn = _lazy("contest.services.scoring", "prizes_dict")
    return fn(contest) if fn else None


def _standings(contest: Contest) -> dict | None:
    fn = _lazy("contest.services.scoring", "standings_dict")
    return fn(contest) if fn else None


@dataclass
class Show:
    """Everything loaded for one contest: the steps and the names they need."""

    contest: Contest
    steps: tuple[Step, ...]
    teams: dict[str, Team]
    order: list[str]
    slots: dict[str, RevealSlot]


def build(contest: Contest) -> Show:
    teams = _teams(contest)
    rules = contest.rules
    slots = reveal_slots(rules)
    programme = list(contest.programme or []) or [
        {"key": "contest", "name": "Các đội thi lần lượt dự thi"},
        {"key": "results", "name": "Công bố kết quả và trao giải"}]
    steps = show.build_steps(programme, [(t.key, t.name, t.unit_name) for t in teams], rules,
                             reveals=[(s.id, s.title) for s in slots])
    return Show(contest=contest, steps=steps, teams={t.key: t for t in teams},
                order=[t.key for t in teams], slots={s.id: s for s in slots})


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
    """What the audience sees of the standings: ``hidden``, ``live`` or ``frozen``."""
    mode = _state(contest_id).get("results_mode", "hidden")
    return mode if mode in show.RESULTS_MODES else "hidden"


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


# --------------------------------------------------------------------------- views


def _drawn(contest: Contest, team_key: str) -> dict | None:
    fn = _lazy("question_bank.services", "drawn_question")
    if fn is not None:
        return fn(contest.id, team_key)
    from question_bank.models import Draw, Question  # the tables, until the service exists
    draw = db.session.scalar(select(Draw).where(Draw.contest_id == contest.id,
                                                Draw.kind == "questions", Draw.team_key == team_key)
                             .order_by(Draw.id.desc()))
    if draw is None:
        return None
    q = db.session.scalar(select(Question).where(Question.contest_id == contest.id,
                                                 Question.key == draw.value))
    if q is None:
        return None
    return {"lot": draw.lot, "question": {"key": q.key, "kind": q.kind, "text": q.text,
                                          "choices": list(q.choices or []),
                                          "points": float(q.points) if q.points is not None else None},
            "answer": q.answer, "follow_ups": list(q.follow_ups or [])}


def _question_view(drawn: dict | None, staff: bool) -> dict | None:
    if not drawn:
        return None
    q = drawn.get("question") or {}
    out = {"lot": drawn.get("lot"),
           "question": {k: q.get(k) for k in ("key", "kind", "text", "choices", "points")}}
    if staff:
        out["answer"] = drawn.get("answer")
        out["follow_ups"] = [{"text": f.get("text"), "answer": f.get("answer"),
                              "points": f.get("points")} for f in drawn.get("follow_ups") or ()]
    return out


def _member(contest_id: int, key: str):
    from ..models import Member
    return db.session.scalar(select(Member).where(Member.contest_id == contest_id, Member.key == key))


def _award_view(sh: Show, slot: RevealSlot, prizes: dict | None) -> dict:
    got = resolve_slot(slot, prizes)
    out = {"slot": slot.id, "prize": slot.prize, "prize_name": slot.name, "kind": slot.kind,
           "kind_name": PRIZE_KINDS_VI[slot.kind], "n": slot.n, "of": slot.of,
           "amount": slot.amount, "amount_text": format_money(slot.amount) if slot.amount else "",
           "status": got["status"], "winner": None, "detail": None, "text": None}
    if got["status"] == "tie":
        out["text"] = TIE_TEXT
    elif got["status"] in ("unawarded", "pending"):
        out["text"] = UNAWARDED_TEXT if got["status"] == "unawarded" else "Chưa có kết quả"
    elif got.get("member"):
        m = _member(sh.contest.id, got["member"])
        team = m.team if m else None
        out["winner"] = m.name if m else got["member"]
        out["detail"] = ", ".join(x for x in ((m.position_title if m else ""),
                                              team.name if team else "") if x)
        out["team"] = team.key if team else None
        out["member"] = got["member"]
    else:
        team = sh.teams.get(got.get("team") or "")
        out["winner"] = team.name if team else got.get("team")
        out["detail"] = team.unit_name if team else ""
        out["team"] = got.get("team")
    return out


def _step_view(sh: Show, step: Step | None) -> dict | None:
    if step is None:
        return None
    d = show.step_to_dict(step)
    team = sh.teams.get(step.team or "")
    part = sh.contest.rules.part(step.part) if step.part else None
    phase = next((p for p in part.phases if p.key == step.phase), None) if part else None
    item = next((p for p in sh.contest.programme or () if p.get("key") == step.programme), None)
    d.update(team_name=team.name if team else None, unit=team.unit_name if team else None,
             part_name=part.name if part else None, phase_name=phase.name if phase else None,
             programme_name=(item or {}).get("name"), id=step_id(step),
             team_order=sh.order.index(step.team) + 1 if step.team in sh.order else None)
    return d


def _programme(sh: Show, index: int) -> list[dict]:
    """The programme of the day with each item's state (done / current / next)."""
    current = sh.steps[index].programme
    keys = [s.programme for s in sh.steps]
    first = {k: keys.index(k) for k in reversed(keys)}
    out = []
    for item in sh.contest.programme or ():
        start = first.get(item.get("key"))
        state = ("current" if item.get("key") == current else
                 "done" if start is not None and start < index else "next")
        out.append({"key": item.get("key"), "name": item.get("name"), "state": state})
    return out


def _team_rows(sh: Show, index: int) -> list[dict]:
    step = sh.steps[index]
    seen: dict[str, int] = {}
    for s in sh.steps:
        if s.kind == "team" and s.team not in seen:
            seen[s.team] = s.index
    rows = []
    for n, key in enumerate(sh.order, 1):
        team = sh.teams[key]
        start = seen.get(key, -1)
        state = ("current" if step.team == key else "done" if 0 <= start < index else "next")
        rows.append({"key": key, "name": team.name, "unit": team.unit_name, "order": n,
                     "state": state})
    return rows


def _cue(sh: Show, step: Step, award: dict | None) -> str:
    team = sh.teams.get(step.team or "")
    part = sh.contest.rules.part(step.part) if step.part else None
    phase = next((p for p in part.phases if p.key == step.phase), None) if part else None
    if step.kind == "reveal" and award is not None:
        if award["status"] == "awarded":
            cue = show.script_cue(step, award["winner"], award["detail"] or None)
            return cue + (f" Phần thưởng: {award['amount_text']}." if award["amount_text"] else "")
        return f"Xin trân trọng công bố {step.title}: {award['text']}."
    return show.script_cue(step, team.name if team else None, team.unit_name if team else None,
                           part.name if part else None, phase.name if phase else None,
                           step.seconds, opens_part=show.opens_part(sh.steps, step.index))


def steps_key(steps: tuple[Step, ...]) -> str:
    return hashlib.sha256("\n".join(step_id(s) for s in steps).encode()).hexdigest()[:16]


def _view(sh: Show, stage: Stage, state: dict, *, staff: bool, now: int,
          include_steps: bool = False, prizes: Any = ...) -> dict:
    view = show.stage_to_dict(stage, sh.steps, now)
    index = min(stage.step, len(sh.steps) - 1)
    step = sh.steps[index]
    view["step"] = _step_view(sh, step)
    view["next"] = _step_view(sh, sh.steps[index + 1] if index + 1 < len(sh.steps) else None)
    view["contest"] = {"id": sh.contest.id, "name": sh.contest.name}
    view["programme"] = _programme(sh, index)
    view["teams"] = _team_rows(sh, index)
    view["steps_key"] = steps_key(sh.steps)
    view["results_public"] = stage.results_mode != "hidden"
    view["screen"] = SCREENS[step.kind]
    sv = view["step"]
    view["headline"] = sv["team_name"] if step.team else step.title
    view["subline"] = " · ".join(x for x in (sv["unit"], step.title if step.kind != "team" else "")
                                 if x) if step.team else ""
    drawn_parts = show.default_draw_parts(sh.contest.rules)
    view["question"] = None
    if step.team and step.part in drawn_parts and step.kind in ("draw", "question", "phase",
                                                                "follow_up", "scoring"):
        view["question"] = _question_view(_drawn(sh.contest, step.team), staff)
    view["award"] = None
    view["awards"] = []
    if step.kind in ("reveal", "results") or stage.revealed:
        if prizes is ...:
            prizes = _prizes(sh.contest)
        reveal_steps = [s for s in sh.steps if s.kind == "reveal"]
        for s in reveal_steps[:stage.revealed]:
            slot = sh.slots.get(s.prize or "")
            if slot is not None:
                view["awards"].append(dict(_award_view(sh, slot, prizes), step=s.index))
        if step.kind == "reveal" and step.prize in sh.slots:
            view["award"] = _award_view(sh, sh.slots[step.prize], prizes)
    if step.kind == "programme":
        view["commitment"] = _commitment(sh.contest.id)
    if staff:
        view["cue"] = _cue(sh, step, view["award"])
        nxt = sh.steps[index + 1] if index + 1 < len(sh.steps) else None
        next_award = None
        if nxt is not None and nxt.kind == "reveal" and nxt.prize in sh.slots:
            if prizes is ...:
                prizes = _prizes(sh.contest)
            next_award = _award_view(sh, sh.slots[nxt.prize], prizes)
        view["next_cue"] = _cue(sh, nxt, next_award) if nxt is not None else None
        view["overtime"] = [dict(r, team_name=sh.teams[r["team"]].name if r["team"] in sh.teams else r["team"])
                            for r in view["overtime"]]
        for r in view["overtime"]:
            rule = sh.contest.rules.part(r["part"])
            pen = rule.overtime_penalty.deduction(r["ms"] / 1000) if rule and rule.overtime_penalty else 0
            phase = next((p for p in rule.phases if p.key == r["phase"]), None) if rule else None
            r.update(penalty=float(pen), penalty_text=format_number(pen) if pen else "",
                     part_name=rule.name if rule else r["part"],
                     phase_name=phase.name if phase else r["phase"], seconds=-(-r["ms"] // 1000))
        if include_steps:
            view["steps_list"] = [_step_view(sh, s) for s in sh.steps]
    else:
        view.pop("overtime", None)
    return view


def _commitment(contest_id: int) -> str | None:
    from question_bank.models import LotSeal
    return db.session.scalar(select(LotSeal.commitment).where(LotSeal.contest_id == contest_id,
                                                              LotSeal.kind == "questions"))


def stage_view(contest: Contest, principal: Principal, *, include_steps: bool = False) -> dict:
    """The ``GET /stage`` answer for ``principal`` (CONTRACT section 4): the core's stage
    view with names, the programme, the question on screen (its answer, follow-ups and the
    MC's script cue only for staff) and, on a reveal step, the award being revealed."""
    sh = build(contest)
    record = db.session.get(StageRecord, contest.id)
    state = dict(record.state or {}) if record is not None else {}
    stage = restore(state, sh.steps)
    return _view(sh, stage, state, staff=principal.is_staff, now=now_ms(),
                 include_steps=include_steps and principal.is_staff)


# --------------------------------------------------------------------------- acting


def parse_body(body: Any) -> tuple[str, dict]:
    """Check the POST /stage body; :class:`ContestError` naming the bad field."""
    if not isinstance(body, dict):
        raise ContestError("Thân yêu cầu phải là một đối tượng JSON", field="body")
    action = body.get("action")
    if not isinstance(action, str) or action not in show.ACTIONS:
        raise ContestError("Thao tác phải là một trong: " + ", ".join(show.ACTIONS), field="action")
    kwargs: dict[str, Any] = {}
    for key in ("seconds", "step", "version"):
        value = body.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            names = {"seconds": "Số giây", "step": "Bước", "version": "Phiên bản"}
            raise ContestError(f"{names[key]} phải là số nguyên", field=key)
        kwargs[key] = value
    if body.get("mode") is not None:
        if body["mode"] not in show.RESULTS_MODES:
            raise ContestError("Chế độ kết quả phải là hidden, live hoặc frozen", field="mode")
        kwargs["mode"] = body["mode"]
    if body.get("auto_advance") is not None:
        if not isinstance(body["auto_advance"], bool):
            raise ContestError("Tự chuyển phải là true hoặc false", field="auto_advance")
        kwargs["auto_advance"] = body["auto_advance"]
    if action == "extend" and not 0 < kwargs.get("seconds", 0) <= tm.MAX_EXTENSION_MS // 1000:
        raise ContestError("Thời gian cộng thêm phải là số giây từ 1 đến 3600", field="seconds")
    if action == "jump" and "step" not in kwargs:
        raise ContestError("Cần bước muốn chuyển đến", field="step")
    if action == "results" and "mode" not in kwargs:
        raise ContestError("Cần chế độ kết quả (hidden, live hoặc frozen)", field="mode")
    return action, kwargs


def _locked_record(session, contest_id: int) -> StageRecord:
    record = session.scalar(select(StageRecord).where(StageRecord.contest_id == contest_id)
                            .with_for_update().execution_options(populate_existing=True))
    if record is None:
        record = StageRecord(contest_id=contest_id, state={}, version=0)
        session.add(record)
        session.flush()
    return record


def _save(record: StageRecord, stage: Stage, steps: tuple[Step, ...], extra: dict) -> dict:
    from ..clock import utcnow
    state = {k: v for k, v in extra.items() if k in ("frozen_standings",)}
    state.update(show.stage_to_state(stage))
    state["step_id"] = step_id(steps[min(stage.step, len(steps) - 1)])
    record.state = state
    record.updated_at = utcnow()
    return state


def act(contest: Contest, principal: Principal, body: Any) -> dict:
    """Apply one MC press (``POST /stage``): validate, apply, persist with an audit entry,
    then broadcast ``stage`` (and ``timer`` when it changed). Answers the staff view."""
    action, kwargs = parse_body(body)
    ensure_ticker()
    now = now_ms()
    with write_transaction() as session:
        record = _locked_record(session, contest.id)
        sh = build(contest)
        old_state = dict(record.state or {})
        old = restore(old_state, sh.steps)
        if action in ("next", "previous", "jump"):
            target = {"next": old.step + 1, "previous": old.step - 1}.get(action, kwargs.get("step"))
            if isinstance(target, int):
                check_reveal_order(sh.steps, old, target)
        new = show.apply(old, sh.steps, action, now, **kwargs)
        extra = dict(old_state)
        if action == "results":
            extra.pop("frozen_standings", None)
            if kwargs["mode"] == "frozen":
                extra["frozen_standings"] = (old_state.get("frozen_standings")
                                             if old.results_mode == "frozen" else _standings(contest))
            contest.results_public = kwargs["mode"] != "hidden"
        state = _save(record, new, sh.steps, extra)
        step = sh.steps[new.step]
        audit.record(contest.id, principal.actor(), f"stage.{action}", step.title,
                     old={"step": old.step, "timer": tm.timer_to_dict(old.timer) if old.timer else None,
                          "results_mode": old.results_mode},
                     new={"step": new.step, "timer": tm.timer_to_dict(new.timer) if new.timer else None,
                          "results_mode": new.results_mode, "params": kwargs})
    _watch(contest.id, new, sh.steps)
    views = broadcast(sh, old, new, state, now)
    return views[1] if principal.is_staff else views[0]


def broadcast(sh: Show, old: Stage | None, new: Stage, state: dict, now: int) -> tuple[dict, dict]:
    """Publish the change (after commit): ``stage`` with a public and a staff payload,
    ``timer`` when the timer changed, ``standings`` when the results mode changed."""
    prizes = _prizes(sh.contest) if (sh.steps[new.step].kind in ("reveal", "results")
                                      or new.revealed) else None
    public = _view(sh, new, state, staff=False, now=now, prizes=prizes)
    staff = _view(sh, new, state, staff=True, now=now, prizes=prizes)
    cid = sh.contest.id
    live.publish(cid, "stage", {"stage": public}, staff_payload={"stage": staff})
    if old is None or old.timer != new.timer or (old.step != new.step and new.timer is not None):
        step = sh.steps[new.step]
        payload = (tm.timer_event(new.timer, now, step.part, step.phase) if new.timer is not None
                   else {"part": None, "phase": None, "state": "stopped", "remaining_ms": 0,
                         "deadline_ms": None, "server_ms": now, "none": True})
        live.publish(cid, "timer", payload)
    if old is not None and old.results_mode != new.results_mode:
        _publish_standings(sh.contest, new.results_mode, state)
    return public, staff


def _publish_standings(contest: Contest, mode: str, state: dict) -> None:
    full = _standings(contest)
    if full is None:
        return
    if mode == "hidden":
        live.publish(contest.id, "standings", full, staff_only=True)
        return
    public = state.get("frozen_standings") if mode == "frozen" else full
    live.publish(contest.id, "standings", dict(public or full, results_mode=mode),
                 staff_payload=dict(full, results_mode=mode))


def _standings_part(contest: Contest, principal: Principal) -> dict | None:
    """Fallback snapshot part ``standings`` until the scoring service registers its own."""
    if principal.is_staff:
        return _standings(contest)
    mode = results_mode(contest.id)
    if mode == "hidden":
        return None
    return frozen_standings(contest.id) if mode == "frozen" else _standings(contest)


def _stage_part(contest: Contest, principal: Principal) -> dict:
    """Snapshot part ``stage``; the first snapshot after a start also starts the ticker."""
    ensure_ticker()
    return stage_view(contest, principal, include_steps=principal.role in ("mc", "organiser"))


live.SNAPSHOT_PARTS["stage"] = _stage_part
live.SNAPSHOT_PARTS.setdefault("standings", _standings_part)
