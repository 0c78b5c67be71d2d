"""Live updates over Socket.IO (CONTRACT.md section 6): namespace ``/live``.

Terms
- *room*: every socket of a contest joins ``<id>:public``; organisers, the MC and judges also
  join ``<id>:staff``. The audience never joins a room that carries answers, hidden standings
  or individual sheets.
- *snapshot*: the whole current screen state for one principal, with the contest's ``version``.
  Parts of it come from :data:`SNAPSHOT_PARTS`, a registry other packages add to.
- *version*: a per-contest counter bumped by :func:`publish` for every public event, stored in
  the database so that several server processes agree. A client that sees a gap asks for a new
  snapshot (``resync``).

Every emit goes through :func:`publish` (write once, broadcast once per room); handlers here
stay thin. This module does not decide what is on stage or what the standings are.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from flask import Flask, request
from flask_socketio import Namespace, disconnect, join_room
from sqlalchemy import select, update

from .clock import now_ms
from .core.errors import ContestError
from .extensions import db, socketio
from .models import Contest, StageRecord
from .services.access import AUDIENCE, Principal, principal_for_token

log = logging.getLogger("hoithi.live")
NAMESPACE = "/live"

# name -> builder(contest, principal) -> JSON-able value (or None to leave it out)
SNAPSHOT_PARTS: dict[str, Callable[[Contest, Principal], Any]] = {}


def public_room(contest_id: int) -> str:
    return f"{contest_id}:public"


def staff_room(contest_id: int) -> str:
    return f"{contest_id}:staff"


def token_room(token_id: int) -> str:
    return f"token:{token_id}"


def current_version(contest_id: int) -> int:
    return db.session.scalar(select(StageRecord.version).where(StageRecord.contest_id == contest_id)) or 0


def _bump_version(contest_id: int) -> int:
    from .database import write_transaction
    with write_transaction() as session:
        result = session.execute(update(StageRecord).where(StageRecord.contest_id == contest_id)
                                 .values(version=StageRecord.version + 1))
        if result.rowcount == 0:
            session.add(StageRecord(contest_id=contest_id, state={}, version=1))
            return 1
        return session.scalar(select(StageRecord.version).where(StageRecord.contest_id == contest_id))


def publish(contest_id: int, kind: str, payload: dict, *, staff_payload: dict | None = None,
            staff_only: bool = False) -> int | None:
    """Broadcast one change. Call after the change is committed, never inside a transaction.

    The public room gets ``payload`` (with the next ``version``); the staff room gets
    ``staff_payload`` when given (e.g. with the answer) or the same payload. ``staff_only``
    events carry no version (the audience never sees them, so they cannot make a gap).
    """
    if staff_only:
        socketio.emit(kind, payload, namespace=NAMESPACE, to=staff_room(contest_id))
        return None
    version = _bump_version(contest_id)
    public = dict(payload, version=version)
    if staff_payload is None:
        socketio.emit(kind, public, namespace=NAMESPACE, to=public_room(contest_id))
    else:
        socketio.emit(kind, public, namespace=NAMESPACE, to=public_room(contest_id),
                      skip_sid=None)
        # Staff sockets are in both rooms: they receive the staff version too, same version.
        socketio.emit(kind, dict(staff_payload, version=version, staff=True), namespace=NAMESPACE,
                      to=staff_room(contest_id))
    return version


def drop_token(token_id: int) -> None:
    """Disconnect every socket signed in with a revoked token."""
    socketio.close_room(token_room(token_id), namespace=NAMESPACE)
    for sid in list(_TOKEN_SIDS.pop(token_id, set())):
        try:
            socketio.server.disconnect(sid, namespace=NAMESPACE)
        except Exception:  # pragma: no cover - already gone
            pass


_TOKEN_SIDS: dict[int, set[str]] = {}
_lock = threading.Lock()


def snapshot(contest: Contest, principal: Principal) -> dict:
    data: dict[str, Any] = {
        "version": current_version(contest.id),
        "server_ms": now_ms(),
        "role": principal.role,
        "contest": {"id": contest.id, "name": contest.name, "venue": contest.venue,
                    "date": contest.date.isoformat() if contest.date else None,
                    "organizer": contest.organizer},
    }
    for name, build in SNAPSHOT_PARTS.items():
        value = build(contest, principal)
        if value is not None:
            data[name] = value
    return data


def _principal_for_socket(contest_id: int, auth: Any) -> Principal:
    token = None
    if isinstance(auth, dict):
        token = auth.get("token")
    token = token or request.args.get("token")
    if token:
        p = principal_for_token(token)
        if p is None or p.contest_id != contest_id:
            raise ConnectionRefusedError("bad_token")
        return p
    from .web.auth import current_principal
    try:
        return current_principal(contest_id)
    except ContestError:
        return AUDIENCE


class LiveNamespace(Namespace):
    def on_connect(self, auth=None):
        try:
            contest_id = int(request.args.get("contest", ""))
        except ValueError:
            raise ConnectionRefusedError("contest") from None
        contest = db.session.get(Contest, contest_id)
        if contest is None:
            raise ConnectionRefusedError("contest")
        principal = _principal_for_socket(contest_id, auth)
        sid = request.sid
        join_room(public_room(contest_id))
        if principal.is_staff:
            join_room(staff_room(contest_id))
        if principal.token_id is not None:
            join_room(token_room(principal.token_id))
            with _lock:
                _TOKEN_SIDS.setdefault(principal.token_id, set()).add(sid)
        self._principals[sid] = (contest_id, principal)
        self.emit("snapshot", snapshot(contest, principal), to=sid)
        db.session.remove()

    def on_disconnect(self, reason=None):
        entry = self._principals.pop(request.sid, None)
        if entry and entry[1].token_id is not None:
            with _lock:
                _TOKEN_SIDS.get(entry[1].token_id, set()).discard(request.sid)

    def on_resync(self, _data=None):
        entry = self._principals.get(request.sid)
        if entry is None:
            disconnect()
            return
        contest = db.session.get(Contest, entry[0])
        if contest is not None:
            self.emit("snapshot", snapshot(contest, entry[1]), to=request.sid)
        db.session.remove()

    def on_ping_time(self, _data=None):
        return now_ms()

    def __init__(self, namespace: str):
        super().__init__(namespace)
        self._principals: dict[str, tuple[int, Principal]] = {}


def register(app: Flask) -> None:
    socketio.on_namespace(LiveNamespace(NAMESPACE))
