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

Speed (docs/performance.md has the figures and the profiles):
- one broadcast is one JSON encoding and, under gevent, one websocket frame shared by every
  listener (:class:`contest.live_transport._FastWebSocket`: no thread, queue or writer per connection; a slow phone
  gets its own backlog and never holds up the others); no acks on broadcasts;
- projectors (``?screen=projector``) also join ``<id>:projector`` and are served first;
- the audience's snapshot is the same for everyone, so it is built once per version (and at
  most every :data:`SNAPSHOT_TTL` seconds) and sent pre-encoded: a reconnect storm costs one
  build, not thousands;
- the version is bumped with a single ``UPDATE ... RETURNING``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

from flask import Flask, current_app, request
from flask_socketio import Namespace, disconnect, join_room
from sqlalchemy import select, update

from .clock import now_ms
from .core.errors import ContestError
from .extensions import db, socketio
from .live_transport import FAST_TRANSPORT, install_fast_transport
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


def projector_room(contest_id: int) -> str:
    """Projectors are in the public room too; this room only puts them first in line."""
    return f"{contest_id}:projector"


def current_version(contest_id: int) -> int:
    return db.session.scalar(select(StageRecord.version).where(StageRecord.contest_id == contest_id)) or 0


def _bump_version(contest_id: int) -> int:
    from .database import write_transaction
    with write_transaction() as session:
        version = session.scalar(update(StageRecord).where(StageRecord.contest_id == contest_id)
                                 .values(version=StageRecord.version + 1)
                                 .returning(StageRecord.version))
        if version is None:
            session.add(StageRecord(contest_id=contest_id, state={}, version=1))
            return 1
        return version


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
    _snapshots().pop(contest_id, None)
    _pages().pop(contest_id, None)
    if staff_payload is not None:
        # Staff sockets are in both rooms and take the first copy of a version: send theirs
        # first (a handful of sockets), so the public copy that follows is the duplicate.
        socketio.emit(kind, dict(staff_payload, version=version, staff=True), namespace=NAMESPACE,
                      to=staff_room(contest_id))
    # One emit, one encoding: projectors first, then everyone else in the public room.
    socketio.emit(kind, dict(payload, version=version), namespace=NAMESPACE,
                  to=[projector_room(contest_id), public_room(contest_id)])
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


# The audience's snapshot, encoded, per contest: (version, built at (monotonic), JSON text
# without ``server_ms``). Dropped whenever a versioned event reaches this process's public
# room (:func:`publish` here, the message queue from other processes: :func:`_forget`), so a
# socket that joined the room never gets a snapshot older than an event it missed; rebuilt at
# least every SNAPSHOT_TTL s (a running timer's ``remaining_ms`` is at most that old;
# ``deadline_ms`` is exact).
SNAPSHOT_TTL = 0.5


def _snapshots(app: Flask | None = None) -> dict[int, tuple[int, float, str]]:
    """This app's cache (one per app: tests build many apps in one process)."""
    app = app or current_app._get_current_object()
    return app.extensions.setdefault("live_snapshots", {})


def _pages(app: Flask | None = None) -> dict[int, dict[tuple, tuple[float, Any]]]:
    app = app or current_app._get_current_object()
    return app.extensions.setdefault("live_pages", {})


def cached_public(contest_id: int, key: tuple, build: Callable[[], Any]) -> Any:
    """What every anonymous visitor of a contest's public page gets (its HTML, say), built at
    most every SNAPSHOT_TTL s and dropped together with the audience snapshot whenever a
    versioned event reaches this process: at most SNAPSHOT_TTL old, and the page's script
    replaces it with the live snapshot as soon as it connects."""
    per_contest = _pages().setdefault(contest_id, {})
    hit = per_contest.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < SNAPSHOT_TTL:
        return hit[1]
    value = build()
    per_contest[key] = (now, value)
    return value


def _is_public(principal: Principal) -> bool:
    return principal.role == AUDIENCE.role and not principal.is_staff and principal.token_id is None


def _dumps(data: Any) -> str:
    # exactly what python-socketio would send (its JSON module and separators)
    return socketio.server.packet_class.json.dumps(data, separators=(",", ":"))


def _snapshot_text(contest_id: int, principal: Principal, contest: Contest | None = None) -> str | None:
    """The snapshot as the JSON text of a Socket.IO event argument (None: no such contest)."""
    if _is_public(principal):
        cache = _snapshots()
        hit = cache.get(contest_id)
        if hit is not None and time.monotonic() - hit[1] < SNAPSHOT_TTL:
            body = hit[2]  # no event was delivered here since it was built (see _forget)
        else:
            contest = contest or db.session.get(Contest, contest_id)
            if contest is None:
                return None
            data = snapshot(contest, principal)
            data.pop("server_ms", None)
            body = _dumps(data)
            cache[contest_id] = (data["version"], time.monotonic(), body)
        return '{"server_ms":%d,%s' % (now_ms(), body[1:])
    contest = contest or db.session.get(Contest, contest_id)
    return None if contest is None else _dumps(snapshot(contest, principal))


def _send_snapshot(sid: str, text: str) -> None:
    """Send a pre-encoded ``snapshot`` event to one socket of this process (no message queue)."""
    from engineio import packet as eio_packet
    eio_sid = socketio.server.manager.eio_sid_from_sid(sid, NAMESPACE)
    if eio_sid is None:
        return
    socketio.server._send_eio_packet(
        eio_sid, eio_packet.Packet(eio_packet.MESSAGE, f'2{NAMESPACE},["snapshot",{text}]'))


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
        if not 0 < contest_id < 2 ** 63:  # no such contest (and no OverflowError in SQLite)
            raise ConnectionRefusedError("contest")
        principal = _principal_for_socket(contest_id, auth)
        sid = request.sid
        if request.args.get("screen") == "projector":
            join_room(projector_room(contest_id))
        join_room(public_room(contest_id))
        if principal.is_staff:
            join_room(staff_room(contest_id))
        if principal.token_id is not None:
            join_room(token_room(principal.token_id))
            with _lock:
                _TOKEN_SIDS.setdefault(principal.token_id, set()).add(sid)
        # Built after joining the rooms, so no event falls between the snapshot and the room.
        text = _snapshot_text(contest_id, principal)
        db.session.remove()
        if text is None:
            raise ConnectionRefusedError("contest")  # python-socketio takes it out of the rooms
        self._principals[sid] = (contest_id, principal)
        _send_snapshot(sid, text)

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
        text = _snapshot_text(entry[0], entry[1])
        if text is not None:
            _send_snapshot(request.sid, text)
        db.session.remove()

    def on_ping_time(self, _data=None):
        return now_ms()

    def __init__(self, namespace: str):
        super().__init__(namespace)
        self._principals: dict[str, tuple[int, Principal]] = {}


def register(app: Flask) -> None:
    socketio.on_namespace(LiveNamespace(NAMESPACE))
    server = getattr(socketio, "server", None)
    if server is None:
        return
    channel = _queue_channel(app)
    if channel and hasattr(server.manager, "channel"):
        server.manager.channel = channel  # read when the manager starts (first connection)
    _index_rooms(server.manager)
    handle = getattr(server.manager, "_handle_emit", None)
    if handle is not None and not getattr(handle, "_live_forget", False):
        def _handle_emit(message, _handle=handle):  # an emit from the message queue
            _forget(app, message.get("room"))
            return _handle(message)
        _handle_emit._live_forget = True
        server.manager._handle_emit = _handle_emit
    queue_first(server.manager)
    if server.eio.async_mode == "gevent" and FAST_TRANSPORT:
        install_fast_transport(server.eio)


def queue_first(manager) -> None:
    """With a message queue, tell the other processes before this process's own sockets.

    python-socketio's ``PubSubManager.emit`` sends to this process's sockets first and
    publishes to the queue after: with 3,000 sockets here, every other process heard of each
    change only after the whole local fan-out (~40 ms; scale-out measured +34 ms p50 on the
    other process). Here an emit made in this process is published first, then sent here;
    the queue's own ``_publish`` of the same message is skipped. Emits with an ack callback
    keep the library's order."""
    publish, handle = getattr(manager, "_publish", None), getattr(manager, "_handle_emit", None)
    host = getattr(manager, "host_id", None)
    if publish is None or handle is None or host is None or getattr(manager, "_live_queue_first", False):
        return

    def _handle_emit(message):
        if message.get("host_id") == host and not message.get("callback"):  # emitted here
            publish(message)
            message["_live_published"] = True
        return handle(message)

    def _publish(message):
        if isinstance(message, dict) and message.pop("_live_published", False):
            return None  # published ahead of this process's own sockets
        return publish(message)

    manager._handle_emit, manager._publish = _handle_emit, _publish
    manager._live_queue_first = True


def _index_rooms(manager) -> None:
    """Make a disconnect cost the socket's own rooms, not every room of the namespace.

    python-socketio's ``basic_disconnect`` copies and scans every room of the namespace to find
    the socket's (each socket is a room of its own): O(sockets) per disconnect, O(sockets²)
    when a router reboot drops them all. This keeps an index sid -> rooms beside it."""
    if getattr(manager, "_live_rooms_of", None) is not None or not hasattr(manager, "basic_disconnect"):
        return
    rooms_of: dict[tuple[str, str], set] = {}
    enter, leave, disconnect = manager.basic_enter_room, manager.basic_leave_room, manager.basic_disconnect

    def basic_enter_room(sid, namespace, room, eio_sid=None):
        result = enter(sid, namespace, room, eio_sid=eio_sid)
        rooms_of.setdefault((namespace, sid), set()).add(room)
        return result

    def basic_leave_room(sid, namespace, room):
        leave(sid, namespace, room)
        rooms = rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)

    def basic_disconnect(sid, namespace, **kwargs):
        rooms = rooms_of.pop((namespace, sid), None)
        if rooms is None:
            return disconnect(sid, namespace, **kwargs)
        for room in list(rooms):
            leave(sid, namespace, room)
        # the rest of BaseManager.basic_disconnect
        manager.callbacks.pop(sid, None)
        for pending in (manager.pending_connect, manager.pending_disconnect):
            if namespace in pending and sid in pending[namespace]:
                pending[namespace].remove(sid)
                if not pending[namespace]:
                    del pending[namespace]

    manager.basic_enter_room = basic_enter_room
    manager.basic_leave_room = basic_leave_room
    manager.basic_disconnect = basic_disconnect
    manager._live_rooms_of = rooms_of


def _forget(app: Flask, room: Any) -> None:
    """Drop the cached snapshot of every contest whose public room ``room`` addresses."""
    cache, pages = _snapshots(app), _pages(app)
    for r in room if isinstance(room, (list, tuple)) else (room,):
        if isinstance(r, str) and r.endswith(":public"):
            try:
                contest_id = int(r.split(":", 1)[0])
            except ValueError:
                continue
            cache.pop(contest_id, None)
            pages.pop(contest_id, None)


def _queue_channel(app: Flask) -> str | None:
    """The message queue's channel: ``MESSAGE_QUEUE_CHANNEL``, or ``#channel=NAME`` at the end
    of the ``MESSAGE_QUEUE`` URL (so that test runs and contests sharing a Redis never hear
    each other). None keeps Flask-SocketIO's default."""
    if app.config.get("MESSAGE_QUEUE_CHANNEL"):
        return app.config["MESSAGE_QUEUE_CHANNEL"]
    url = app.config.get("MESSAGE_QUEUE") or ""
    _, _, fragment = url.partition("#")
    for part in fragment.split("&"):
        key, _, value = part.partition("=")
        if key == "channel" and value:
            return value
    return None
