"""A websocket driver of our own for Engine.IO under gevent: one greenlet per connection, no
send queue, one frame per broadcast shared by every listener, one pinger for the process.
Installed by :func:`contest.live.register` (``install_fast_transport``); measured in
docs/performance.md."""

from __future__ import annotations

import base64
import hashlib
import logging
import socket as _socket
import time
from collections import OrderedDict

from engineio import packet as eio_packet

log = logging.getLogger("hoithi.live")

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
# - pings come from one greenlet for the whole process, at most PING_BATCH at a time
#   (:func:`_schedule_ping`).
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


# socket -> when to ping it, in due order (every socket waits the same interval after its pong)
_PING_DUE: OrderedDict = OrderedDict()
_pinger: list = []
PING_TICK = 0.05  # seconds between looks at who is due
# Pings sent per look at most: their pongs come back together and each costs its socket's
# greenlet a frame to parse, so 1,000 at once held a judge's sheet ~100 ms behind them;
# 100 hold it a few ms. 2,000 pings/s still ping 6,000 sockets within 3 s of their due time
# (a client waits ping_interval + ping_timeout = 45 s).
PING_BATCH = 100


def _schedule_ping(eio_socket) -> None:
    """Replaces ``engineio.socket.Socket.schedule_ping``: one greenlet pings every socket."""
    if eio_socket.last_ping:
        eio_socket.last_ping = None
        _PING_DUE.pop(eio_socket, None)
        _PING_DUE[eio_socket] = time.time() + eio_socket.server.ping_interval
        if not _pinger:
            _pinger.append(eio_socket.server.start_background_task(_ping_loop, eio_socket.server))


def _ping_loop(server) -> None:
    while True:
        server.sleep(PING_TICK)
        for s in due_for_ping(time.time()):
            if not s.closing and not s.closed:
                s.last_ping = time.time()
                try:
                    s.send(eio_packet.Packet(eio_packet.PING))
                except Exception:  # noqa: BLE001 - a closed socket
                    pass


def due_for_ping(now: float, limit: int = PING_BATCH) -> list:
    """Take at most ``limit`` sockets whose ping is due, the longest due first."""
    out = []
    while _PING_DUE and len(out) < limit:
        sock, due = next(iter(_PING_DUE.items()))
        if due > now:
            break
        del _PING_DUE[sock]
        out.append(sock)
    return out


def install_fast_transport(eio_server) -> None:
    """Use :class:`_FastWebSocket` and the shared pinger on this Engine.IO server (gevent)."""
    import engineio.socket
    eio_server._async = dict(eio_server._async, websocket=_FastWebSocket)
    engineio.socket.Socket.schedule_ping = _schedule_ping
