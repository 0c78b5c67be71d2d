"""The stage's clock: a background task that lets a running phase flow into the next one
(the quiz's conferral into the answer) when the MC chose auto-advance.

It wakes every ~200 ms and touches the database only for a contest whose running,
auto-advancing phase has reached its deadline; the deadline is kept in memory per app.
"""

from __future__ import annotations

import logging
import threading
import weakref

from sqlalchemy import select

from ..clock import now_ms
from ..core import show
from ..core.show import Stage, Step
from ..database import write_transaction
from ..extensions import db, socketio
from ..models import Contest, StageRecord
from . import audit

log = logging.getLogger("hoithi.stage")
TICK_SECONDS = 0.2

_lock = threading.Lock()


def _ticking() -> dict[int, int]:
    """This app's contests whose phase will hand over by itself: id -> deadline (epoch ms)."""
    from flask import current_app
    return current_app.extensions.setdefault("hoithi_stage_ticking", {})


def _flows_on(steps: tuple[Step, ...], index: int) -> bool:
    if index + 1 >= len(steps):
        return False
    a, b = steps[index], steps[index + 1]
    return (a.kind == b.kind == "phase" and a.team == b.team and a.part == b.part
            and a.programme == b.programme)


def _watch(contest_id: int, stage: Stage, steps: tuple[Step, ...]) -> None:
    ticking = _ticking()
    with _lock:
        if (stage.auto_advance and stage.timer is not None and stage.timer.state == "running"
                and _flows_on(steps, stage.step)):
            ticking[contest_id] = stage.timer.deadline_ms or 0
        else:
            ticking.pop(contest_id, None)


def tick_contest(contest_id: int, now: int | None = None) -> bool:
    """Let time act on one contest (auto-advance); persist and publish when it did."""
    now = now_ms() if now is None else now
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        _ticking().pop(contest_id, None)
        return False
    with write_transaction() as session:
        from .stage import _locked_record, _save, broadcast, build, restore
        record = _locked_record(session, contest_id)
        sh = build(contest)
        old = restore(record.state, sh.steps)
        new = show.tick(old, sh.steps, now)
        if new is not None:
            state = _save(record, new, sh.steps, dict(record.state or {}))
            audit.record(contest_id, audit.Actor(name="system:timer", device="auto-advance"),
                         "stage.auto_advance", sh.steps[new.step].title,
                         old={"step": old.step}, new={"step": new.step})
    _watch(contest_id, new or old, sh.steps)
    if new is None:
        return False
    broadcast(sh, old, new, state, now)
    return True


def tick_due(now: int | None = None) -> list[int]:
    """One beat of the ticker: tick every contest whose deadline has passed."""
    now = now_ms() if now is None else now
    with _lock:
        due = [cid for cid, deadline in _ticking().items() if deadline <= now]
    return [cid for cid in due if tick_contest(cid, now)]


def watch_all() -> None:
    """Rebuild the ticker's set from the database (after a restart)."""
    for record in db.session.scalars(select(StageRecord)):
        state = record.state or {}
        timer = state.get("timer") or {}
        if state.get("auto_advance") and timer.get("state") == "running":
            with _lock:
                _ticking()[record.contest_id] = int(timer.get("deadline_ms") or 0)


def _ticker(app_ref) -> None:
    scanned = False
    while True:
        app = app_ref()
        if app is None:
            return
        try:
            with app.app_context():
                if not scanned:
                    watch_all()
                    scanned = True
                tick_due()
                db.session.remove()
        except Exception:  # pragma: no cover - logged, the loop goes on
            log.exception("stage ticker")
        del app
        socketio.sleep(TICK_SECONDS)


def start_ticker(app) -> None:
    """Start the background task that lets phases flow into each other (once per app)."""
    with _lock:
        if app.extensions.get("hoithi_stage_ticker"):
            return
        app.extensions["hoithi_stage_ticker"] = True
    socketio.start_background_task(_ticker, weakref.ref(app))


def ensure_ticker() -> None:
    """Start the ticker for the current app if nobody has (called from request handlers).
    Test apps (``TESTING``) start it only when ``STAGE_TICKER`` is set."""
    from flask import current_app, has_app_context
    if not has_app_context():
        return
    app = current_app._get_current_object()
    if app.testing and not app.config.get("STAGE_TICKER"):
        return
    start_ticker(app)
