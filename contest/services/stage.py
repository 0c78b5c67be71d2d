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

Modules: :mod:`~contest.services.stage_show` loads the show (steps, stage),
:mod:`~contest.services.stage_views` renders it per screen, this one acts and broadcasts (and
re-exports the other two's names for the callers).

This service does not draw lots, compute standings or allocate prizes: it asks the question
bank (:func:`question_bank.services.performance_order`, ``drawn_question``) and the scoring
service (``standings_dict``, ``prizes_dict``), imported lazily so that either may be absent.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from .. import live
from ..clock import now_ms
from ..core import show
from ..core import timer as tm
from ..core.ceremony import check_reveal_order
from ..core.errors import ContestError
from ..core.show import Stage, Step
from ..database import write_transaction
from ..models import Contest, StageRecord
from ..models.contest import contest_id_of
from . import audit
from . import stage_show as model
from .access import Principal
# the loaded show and its views, for the callers of this service (one front door)
from .stage_show import (SCREENS, Show, build, frozen_standings, load, overtime,  # noqa: F401
                         restore, results_mode, step_id)
from .stage_views import stage_view, _view  # noqa: F401
from .ticker import (TICK_SECONDS, _watch, ensure_ticker, start_ticker, tick_contest,  # noqa: F401
                     tick_due, watch_all)

log = logging.getLogger("hoithi.stage")

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
    cid = contest_id_of(contest)  # contest.id after a commit reloads the row
    with write_transaction() as session:
        record = _locked_record(session, cid)
        sh = build(cid)
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
                                             if old.results_mode == "frozen" else model._standings(contest))
            contest.results_public = kwargs["mode"] != "hidden"
        state = _save(record, new, sh.steps, extra)
        step = sh.steps[new.step]
        audit.record(cid, principal.actor(), f"stage.{action}", step.title,
                     old={"step": old.step, "timer": tm.timer_to_dict(old.timer) if old.timer else None,
                          "results_mode": old.results_mode},
                     new={"step": new.step, "timer": tm.timer_to_dict(new.timer) if new.timer else None,
                          "results_mode": new.results_mode, "params": kwargs})
    _watch(cid, new, sh.steps)
    views = broadcast(sh, old, new, state, now)
    return views[1] if principal.is_staff else views[0]


def broadcast(sh: Show, old: Stage | None, new: Stage, state: dict, now: int) -> tuple[dict, dict]:
    """Publish the change (after commit): ``stage`` with a public and a staff payload,
    ``timer`` when the timer changed, ``standings`` when the results mode changed."""
    prizes = model._prizes(sh.contest_id) if (sh.steps[new.step].kind in ("reveal", "results")
                                         or new.revealed) else None
    public = _view(sh, new, state, staff=False, now=now, prizes=prizes)
    staff = _view(sh, new, state, staff=True, now=now, prizes=prizes)
    cid = sh.contest_id
    live.publish(cid, "stage", {"stage": public}, staff_payload={"stage": staff})
    if old is None or old.timer != new.timer or (old.step != new.step and new.timer is not None):
        step = sh.steps[new.step]
        payload = (tm.timer_event(new.timer, now, step.part, step.phase) if new.timer is not None
                   else {"part": None, "phase": None, "state": "stopped", "remaining_ms": 0,
                         "deadline_ms": None, "server_ms": now, "none": True})
        live.publish(cid, "timer", payload)
    if old is not None and old.results_mode != new.results_mode:
        _publish_standings(sh.contest_id, new.results_mode, state)
    return public, staff


def _publish_standings(contest_id: int, mode: str, state: dict) -> None:
    full = model._standings(contest_id)
    if full is None:
        return
    if mode == "hidden":
        live.publish(contest_id, "standings", full, staff_only=True)
        return
    public = state.get("frozen_standings") if mode == "frozen" else full
    live.publish(contest_id, "standings", dict(public or full, results_mode=mode),
                 staff_payload=dict(full, results_mode=mode))


def _standings_part(contest: Contest, principal: Principal) -> dict | None:
    """Fallback snapshot part ``standings`` until the scoring service registers its own."""
    if principal.is_staff:
        return model._standings(contest)
    mode = results_mode(contest.id)
    if mode == "hidden":
        return None
    return frozen_standings(contest.id) if mode == "frozen" else model._standings(contest)


def _stage_part(contest: Contest, principal: Principal) -> dict:
    """Snapshot part ``stage``; the first snapshot after a start also starts the ticker."""
    ensure_ticker()
    return stage_view(contest, principal, include_steps=principal.role in ("mc", "organiser"))


live.SNAPSHOT_PARTS["stage"] = _stage_part
live.SNAPSHOT_PARTS.setdefault("standings", _standings_part)
