"""What the screens read and receive of the judging: the standings as the audience may see
them, the jury board, a judge's own sheets, the tablet's data, the ``standings`` and
``sheets`` events, and the judging parts of the live snapshot.

After every committed change :func:`changed` forgets the cached computation and broadcasts.
Broadcasts are coalesced on the leading edge (``BROADCAST_COALESCE_MS``,
:mod:`contest.core.coalesce`): a lone change goes out at once, a burst at most once per
window. What the audience may see of the stage (``results_mode``) comes from
:mod:`contest.services.stage`. Nothing here writes a sheet.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import threading
import time

from flask import current_app, has_app_context
from sqlalchemy import select

from ..core import coalesce
from ..core.errors import Forbidden
from ..extensions import db, socketio
from ..models import Contest, Nomination, ScoreSheet
from ..models.contest import contest_id_of
from .access import Principal
from .results import AUDIENCE_MAX_AGE, Computed, _compute, _parts_info, invalidate
from .scoring_common import _locks, _num, locks_dict, roster

log = logging.getLogger("hoithi.scoring")

# --------------------------------------------------------------------------- read models


def results_mode(contest: Contest | int) -> str:
    """What the audience sees of the standings: ``hidden``, ``live`` or ``frozen``."""
    from .stage_show import results_mode as stage_results_mode  # stage imports this module
    return stage_results_mode(contest_id_of(contest))


def _frozen(contest: Contest) -> dict | None:
    try:
        from . import stage as stage_service
        return stage_service.frozen_standings(contest.id)
    except (ImportError, AttributeError):
        return None


def standings_dict(contest: Contest, max_age: float = 0) -> dict:
    """The live standings (staff and ``hoithi standings``), names included. A copy: callers
    may keep or change it without touching the cache. ``max_age``: see
    :func:`contest.services.results._compute` (audience reads only)."""
    return copy.deepcopy(_compute(contest, max_age).standings_payload)


def prizes_dict(contest: Contest) -> dict:
    """The prize allocation with names, ties for the jury head and unawarded prizes."""
    return copy.deepcopy(_compute(contest).prizes_payload)


def audience_standings(contest: Contest) -> dict | None:
    """What the audience may see now: the live standings, the frozen ones, or nothing.

    The live standings may be up to :data:`~contest.services.results.AUDIENCE_MAX_AGE`
    seconds behind a change committed by another process."""
    mode = results_mode(contest)
    if mode == "live":
        return standings_dict(contest, AUDIENCE_MAX_AGE)
    if mode == "frozen":
        return _frozen(contest)
    return None


def standings_for(contest: Contest, principal: Principal) -> dict:
    """GET .../standings: staff always see the live standings; the audience per the mode."""
    if principal.is_staff:
        return standings_dict(contest)
    data = audience_standings(contest)
    if data is None:
        raise Forbidden("Kết quả chưa được công bố", code="hidden")
    return data


def matrix_dict(contest: Contest) -> dict:
    data = copy.deepcopy(_compute(contest).matrix)
    data["locks"] = locks_dict(contest.id)
    return data


def sheets_of(contest: Contest, judge_key: str) -> list[dict]:
    """One judge's stored sheets (for their tablet)."""
    ros = roster(contest.id)
    judge = ros.judges.get(judge_key)
    if judge is None:
        return []
    teams = ros.team_by_id
    return [{"team": teams[r.team_id].key, "part": r.part_key, "criteria": dict(r.criteria),
             "total": _num(r.total), "id": r.client_id, "comment": r.comment,
             "source": r.source}
            for r in db.session.scalars(select(ScoreSheet).where(
                ScoreSheet.contest_id == contest.id, ScoreSheet.judge_id == judge.id)
                .order_by(ScoreSheet.id)) if r.team_id in teams]


def nominations_of(contest: Contest, judge_key: str | None = None) -> list[dict]:
    ros = roster(contest.id)
    judges, members = ros.judge_by_id, ros.member_by_id
    out = []
    for n in db.session.scalars(select(Nomination).where(Nomination.contest_id == contest.id)
                                .order_by(Nomination.id)):
        j, m = judges.get(n.judge_id), members.get(n.member_id)
        if j is None or m is None or (judge_key is not None and j.key != judge_key):
            continue
        out.append({"judge": j.key, "prize": n.prize_key, "member": m.key, "name": m.name})
    return out


def tablet_data(contest: Contest, principal: Principal) -> dict:
    """Everything the judge's tablet needs to score offline: rubric, teams, performers."""
    ros = roster(contest.id)
    rules = contest.rules
    perf: dict[str, dict[str, list[dict]]] = {}
    for m in ros.members.values():
        for part in m.roles or ():
            perf.setdefault(part, {}).setdefault(m.team.key, []).append(
                {"key": m.key, "name": m.name, "position": m.position_title})
    judge = ros.judges.get(principal.subject or "")
    return {
        "contest": contest.id,
        "name": contest.name,
        "judge": {"key": judge.key, "name": judge.name, "head": judge.head} if judge else None,
        "step": _num(rules.score_step),
        "parts": _parts_info(rules),
        "teams": [{"key": t.key, "name": t.name, "unit": t.unit_name} for t in ros.teams.values()],
        "prizes": [{"key": p.key, "name": p.name, "part": p.part}
                   for p in rules.prizes.individual],
        "performers": perf,
        "sheets": sheets_of(contest, judge.key) if judge else [],
        "nominations": nominations_of(contest, judge.key) if judge else [],
        "locks": sorted(_locks(contest.id)),
    }


# --------------------------------------------------------------------------- broadcasting

class _Broadcasts:
    """One app's coalescing state (:mod:`contest.core.coalesce`), per contest: the broadcasts
    scheduled that have not started reading, and when the last one started (monotonic ms)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: set[int] = set()
        self.last_ms: dict[int, float] = {}


def _broadcasts(app) -> _Broadcasts:
    state = app.extensions.get("hoithi.broadcasts")
    if state is None:
        state = app.extensions.setdefault("hoithi.broadcasts", _Broadcasts())
    return state


def _now_ms() -> float:
    return time.monotonic() * 1000


def changed(contest_id: int) -> None:
    """After a committed change: forget the cached computation and broadcast.

    With ``BROADCAST_COALESCE_MS`` > 0: when no broadcast of this contest started within that
    window, the broadcast runs here, before the request answers (the projector hears of a
    sheet before the tablet does, without the hand-off to another task and a second load of
    the contest); otherwise a background task broadcasts at the window's end, and a change
    that finds that broadcast still waiting to read is part of it
    (:func:`contest.core.coalesce.decide`). With 0 every change is broadcast here."""
    invalidate(contest_id)
    if not has_app_context():  # pragma: no cover - services always run in an app context
        return
    app = current_app._get_current_object()
    window = int(app.config.get("BROADCAST_COALESCE_MS", 0) or 0)
    if window <= 0:
        broadcast(contest_id)
        return
    state = _broadcasts(app)
    with state.lock:
        what, wait_ms = coalesce.decide(_now_ms(), state.last_ms.get(contest_id),
                                        contest_id in state.pending, window)
        if what == coalesce.SKIP:
            return
        if what == coalesce.NOW:
            state.last_ms[contest_id] = _now_ms()  # it starts reading now
        else:
            state.pending.add(contest_id)
    if what == coalesce.NOW:
        _broadcast_safely(contest_id)
    else:
        socketio.start_background_task(_broadcast_later, app, contest_id, wait_ms)


def _broadcast_later(app, contest_id: int, wait_ms: float) -> None:
    socketio.sleep(wait_ms / 1000)
    state = _broadcasts(app)
    with state.lock:  # from here on a change needs a broadcast of its own
        state.pending.discard(contest_id)
        state.last_ms[contest_id] = _now_ms()
    with app.app_context():
        try:
            _broadcast_safely(contest_id)
        finally:
            db.session.remove()


def _broadcast_safely(contest_id: int) -> None:
    """Broadcast; a failure is logged, never raised (the change is committed already)."""
    try:
        broadcast(contest_id)
    except Exception:  # noqa: BLE001 - a failed broadcast must not fail the write or the worker
        db.session.rollback()
        log.exception("standings broadcast failed for contest %s", contest_id)


def broadcast(contest_id: int) -> None:
    """Publish ``standings`` (public only while results are live) and the staff ``sheets``.
    Reads no contest row (the rules come with the cached roster): the projector hears of a
    change one reload sooner."""
    from ..live import publish
    data = _compute(contest_id)
    db.session.commit()  # end the read transaction before publish writes the version
    mode = results_mode(contest_id)
    payload = dict(data.standings_payload, results_mode=mode)
    if mode == "live":
        publish(contest_id, "standings", payload)
    else:
        publish(contest_id, "standings", payload, staff_only=True)
    publish(contest_id, "sheets", sheets_event(contest_id, data), staff_only=True)


def sheets_event(contest: Contest | int, data: Computed | None = None) -> dict:
    """The staff ``sheets`` event: which sheets are in (no numbers: judges share the staff
    room, and a judge never sees another's scores), the locks and a revision to refetch on."""
    data = data or _compute(contest)
    have = {r["part"] + "/" + r["team"]: sorted(r["sheets"]) for r in data.matrix["rows"]}
    return {"revision": hashlib.sha256(json.dumps(data.stamp).encode()).hexdigest()[:16],
            "have": have, "missing": data.matrix["missing"], "complete": data.matrix["complete"],
            "locks": sorted(_locks(contest_id_of(contest)))}


# --------------------------------------------------------------------------- live snapshot


def _snapshot_standings(contest: Contest, principal: Principal):
    if principal.is_staff:
        return standings_dict(contest)
    return audience_standings(contest)


def _snapshot_judging(contest: Contest, principal: Principal):
    if principal.role == "judge":
        data = {"judge": principal.subject, "sheets": sheets_of(contest, principal.subject),
                "nominations": nominations_of(contest, principal.subject),
                "locks": sorted(_locks(contest.id))}
        if principal.head:
            data["matrix"] = matrix_dict(contest)
        return data
    if principal.role == "organiser":
        return {"matrix": matrix_dict(contest), "locks": sorted(_locks(contest.id))}
    return None


def register_snapshot_parts() -> None:
    from ..live import SNAPSHOT_PARTS
    SNAPSHOT_PARTS["standings"] = _snapshot_standings
    SNAPSHOT_PARTS["judging"] = _snapshot_judging


register_snapshot_parts()
