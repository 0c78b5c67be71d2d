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
  listener (:class:`_FastWebSocket`: no thread, queue or writer per connection; a slow phone
  gets its own backlog and never holds up the others); no acks on broadcasts;
- projectors (``?screen=projector``) also join ``<id>:projector`` and are served first;
- the audience's snapshot is the same for everyone, so it is built once per version (and at
  most every :data:`SNAPSHOT_TTL` seconds) and sent pre-encoded: a reconnect storm costs one
  build, not thousands;
- the version is bumped with a single ``UPDATE ... RETURNING``.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import socket as _socket
import threading
import time
from typing import Any, Callable

from flask import Flask, current_app, request
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
    if server.eio.async_mode == "gevent" and FAST_TRANSPORT:
        install_fast_transport(server.eio)


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


# --------------------------------------------------------------------------- gevent websockets
#
# Engine.IO's gevent driver gives every websocket connection a reader thread (simple-websocket),
# a writer greenlet, a send queue and a greenlet sleeping until the next ping: four greenlets of
# ~16 KB each, and for every listener of a broadcast a queue hand-off, a context switch and a
# frame built by wsproto. :class:`_FastWebSocket` replaces that driver for connections that
# open as websockets (the only kind live.js and bench clients use first):
# - the request's own greenlet reads the frames (:meth:`_FastWebSocket.wait`);
# - sends do not queue: the socket's ``queue`` is a :class:`_DirectQueue` whose ``put`` writes
#   the frame with one non-blocking ``send``; the frame of a broadcast packet is built once
#   and shared (cached on the packet object, which python-socketio shares between listeners);
# - a client that does not read gets a private backlog drained by its own greenlet, and is
#   dropped past MAX_BACKLOG bytes; nobody else waits for it;
# - pings come from one greenlet for the whole process (:func:`_schedule_ping`).
# A polling connection that upgrades keeps Engine.IO's own code path (with its writer).

FAST_TRANSPORT = True
MAX_BACKLOG = 2 * 1024 * 1024
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _frame(data: bytes, opcode: int = 0x1) -> bytes:
    n = len(data)
    if n < 126:
        return bytes((0x80 | opcode, n)) + data
    if n < 65536:
        return bytes((0x80 | opcode, 126)) + n.to_bytes(2, "big") + data
    return bytes((0x80 | opcode, 127)) + n.to_bytes(8, "big") + data


def _unmask(data: bytes, mask: bytes) -> bytes:
    n = len(data)
    if not n:
        return data
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "little")
    return (int.from_bytes(data, "little") ^ key).to_bytes(n, "little")


def _packet_frame(pkt) -> bytes:
    frame = pkt.__dict__.get("_ws_frame")
    if frame is None:
        data = pkt.encode()
        frame = _frame(data.encode(), 0x1) if isinstance(data, str) else _frame(bytes(data), 0x2)
        pkt._ws_frame = frame
    return frame


class _DirectQueue:
    """Stands in for an Engine.IO socket's send queue once it runs on a :class:`_FastWebSocket`:
    ``put`` writes at once; ``None`` (the socket closing) flushes and closes."""

    __slots__ = ("ws",)

    def __init__(self, ws: "_FastWebSocket"):
        self.ws = ws

    def put(self, pkt, *_args, **_kwargs) -> None:
        if pkt is None:
            self.ws.finish()
        else:
            self.ws.write(_packet_frame(pkt))

    def empty(self) -> bool:
        return True

    def qsize(self) -> int:
        return 0

    def join(self) -> None:
        pass

    def task_done(self) -> None:
        pass

    def get(self, *_args, **_kwargs):
        raise self.ws.server.get_queue_empty_exception()


def _socket_of(environ: dict):
    """The gevent socket under a pywsgi request."""
    wsgi_input = environ.get("wsgi.input")
    if not hasattr(wsgi_input, "raw") and hasattr(wsgi_input, "rfile"):
        wsgi_input = wsgi_input.rfile
    return getattr(getattr(wsgi_input, "raw", None), "_sock", None)


class _FastWebSocket:
    __slots__ = ("handler", "server", "sock", "raw", "buf", "out", "out_size", "flushing",
                 "finishing", "closed", "limit")

    def __init__(self, handler, server):
        self.handler = handler  # engineio Socket._websocket_handler (bound)
        self.server = server
        self.sock = self.raw = None
        self.buf = bytearray()
        self.out: list[bytes] = []
        self.out_size = 0
        self.flushing = self.finishing = self.closed = False
        self.limit = getattr(server, "max_http_buffer_size", 1_000_000) or 1_000_000

    def __call__(self, environ, start_response):
        key = environ.get("HTTP_SEC_WEBSOCKET_KEY", "")
        sock = _socket_of(environ)
        eio = getattr(self.handler, "__self__", None)
        if not key or environ.get("HTTP_SEC_WEBSOCKET_VERSION") != "13" or sock is None:
            if eio is not None and not eio.connected:
                eio.close(wait=False, abort=True)
            start_response("400 Bad Request", [("Content-Type", "text/plain")])
            return [b"Bad websocket request"]
        accept = base64.b64encode(hashlib.sha1(key.encode("latin-1") + _GUID).digest())
        self.sock = sock
        self.raw = getattr(sock, "_sock", sock)  # the OS socket, non-blocking under gevent
        try:
            sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            if eio is not None and not eio.connected and hasattr(eio, "queue"):
                self._serve(eio)
            else:  # an upgrade from long-polling: Engine.IO's own loop
                self.handler(self)
        except OSError:  # the client left during the handshake
            if eio is not None:
                eio.close(wait=False, abort=True)
        finally:
            self._shutdown()
        return []

    def _serve(self, eio) -> None:
        from engineio import exceptions as eio_exceptions
        from engineio import packet as eio_packet
        server = self.server
        queued = []
        while not eio.queue.empty():  # the OPEN packet, queued before the handshake
            pkt = eio.queue.get(block=False)
            eio.queue.task_done()
            if pkt is not None:
                queued.append(pkt)
        eio.queue = _DirectQueue(self)
        eio.connected = eio.upgraded = True
        for pkt in queued:
            self.write(_packet_frame(pkt))
        self.sock.settimeout(server.ping_interval + server.ping_timeout)
        while True:
            try:
                message = self.wait()
            except Exception:  # noqa: BLE001 - timeout, reset, bad frame: the client is gone
                break
            if message is None:
                break
            try:
                eio.receive(eio_packet.Packet(encoded_packet=message))
            except eio_exceptions.UnknownPacketError:
                pass
            except eio_exceptions.SocketIsClosedError:
                break
            except Exception:  # noqa: BLE001
                log.exception("live: error handling a packet")
                break
        eio.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE)

    # -- Engine.IO's websocket interface (also used on the upgrade path)
    def send(self, message) -> None:
        data = message.encode() if isinstance(message, str) else bytes(message)
        self.write(_frame(data, 0x1 if isinstance(message, str) else 0x2))

    def close(self) -> None:
        self.finish()

    def wait(self):
        """The next whole message (str or bytes); None when the connection ends."""
        message, opcode0 = None, 0
        while True:
            head = self._read(2)
            if head is None:
                return None
            b0, b1 = head[0], head[1]
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if not b1 & 0x80:
                return None  # a client's frames are always masked
            if n >= 126:
                ext = self._read(2 if n == 126 else 8)
                if ext is None:
                    return None
                n = int.from_bytes(ext, "big")
            if n > self.limit:
                return None
            mask = self._read(4)
            payload = self._read(n) if n else b""
            if mask is None or payload is None:
                return None
            payload = _unmask(payload, mask)
            if opcode >= 0x8:  # control frames may come between fragments
                if opcode == 0x8:
                    self.write(_frame(payload[:2], 0x8))
                    return None
                if opcode == 0x9:
                    self.write(_frame(payload, 0xA))
                continue
            if opcode:
                if message is not None:
                    return None
                message, opcode0 = payload, opcode
            elif message is None:
                return None
            else:
                message += payload
                if len(message) > self.limit:
                    return None
            if b0 & 0x80:
                return message.decode("utf-8") if opcode0 == 0x1 else bytes(message)

    def _read(self, n: int) -> bytes | None:
        buf = self.buf
        while len(buf) < n:
            if self.closed:
                return None
            data = self.sock.recv(16384)
            if not data:
                return None
            buf += data
        out = bytes(buf[:n])
        del buf[:n]
        return out

    # -- writing
    def write(self, frame: bytes) -> None:
        """Send now if the socket takes it; otherwise keep it for this client only."""
        if self.closed:
            return
        if self.flushing:
            self.out.append(frame)
            self.out_size += len(frame)
            if self.out_size > MAX_BACKLOG:
                self._abort()
            return
        try:
            sent = self.raw.send(frame)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            self._abort()
            return
        if sent < len(frame):
            self.out.append(frame[sent:])
            self.out_size = len(frame) - sent
            self.flushing = True
            self.server.start_background_task(self._flush)

    def _flush(self) -> None:
        try:
            while self.out and not self.closed:
                chunk = b"".join(self.out)
                self.out.clear()
                self.out_size = 0
                self.sock.sendall(chunk)  # waits for this client only
        except OSError:
            self._abort()
        finally:
            self.flushing = False
            if self.finishing:
                self._shutdown()

    def finish(self) -> None:
        self.finishing = True
        if not self.flushing:
            self._shutdown()

    def _abort(self) -> None:
        self.out.clear()
        self.out_size = 0
        self._shutdown()

    def _shutdown(self) -> None:
        if self.closed or self.sock is None:
            return
        self.closed = True
        try:
            self.raw.send(b"\x88\x00")
        except OSError:
            pass
        try:
            self.sock.shutdown(_socket.SHUT_RDWR)  # pywsgi then reads EOF and closes it
        except OSError:
            pass


_PING_DUE: dict = {}
_pinger: list = []


def _schedule_ping(eio_socket) -> None:
    """Replaces ``engineio.socket.Socket.schedule_ping``: one greenlet pings every socket."""
    if eio_socket.last_ping:
        eio_socket.last_ping = None
        _PING_DUE[eio_socket] = time.time() + eio_socket.server.ping_interval
        if not _pinger:
            _pinger.append(eio_socket.server.start_background_task(_ping_loop, eio_socket.server))


def _ping_loop(server) -> None:
    from engineio import packet as eio_packet
    while True:
        server.sleep(1.0)
        now = time.time()
        for s in [s for s, due in _PING_DUE.items() if due <= now]:
            del _PING_DUE[s]
            if not s.closing and not s.closed:
                s.last_ping = time.time()
                try:
                    s.send(eio_packet.Packet(eio_packet.PING))
                except Exception:  # noqa: BLE001 - a closed socket
                    pass


def install_fast_transport(eio_server) -> None:
    """Use :class:`_FastWebSocket` and the shared pinger on this Engine.IO server (gevent)."""
    import engineio.socket
    eio_server._async = dict(eio_server._async, websocket=_FastWebSocket)
    engineio.socket.Socket.schedule_ping = _schedule_ping
