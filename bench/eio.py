"""A light Engine.IO v4 / Socket.IO v5 client fleet for load tests (namespace ``/live``).

Thousands of websocket connections in ONE process and ONE thread: an epoll loop over raw
non-blocking sockets, with the ``websockets`` package's sans-I/O ``ClientProtocol`` for the
handshake and the frames. It is built not to be the bottleneck:

- on every wake-up it first ``recv()``s every ready socket and timestamps the bytes
  (``time.monotonic_ns()``, the same clock in every process of the machine), and only then
  parses them; an event's arrival time is the ``recv`` time, not the parse time;
- events are kept as raw bytes and decoded (JSON) only when collected, after the measurement;
- nothing is logged; the only replies are Engine.IO pongs.

Run it in its own process (:class:`Fleet` starts one, pinned with ``os.sched_setaffinity`` to
the cores given) and drive it through a pipe: ``connect``, ``clear``, ``collect``, ``drop``,
``close``. ``bench/live.py`` uses it; it is usable on its own::

    fleet = Fleet("http://127.0.0.1:5000", contest=1, cores={1})
    print(fleet.connect(1000))        # {"live": 1000, "failed": 0, "seconds": ..}
    ...                               # make something happen on the server
    events = fleet.collect()          # [(conn, t_ns, name, payload-dict), ...]
    fleet.close()
"""

from __future__ import annotations

import errno
import gc
import json
import multiprocessing as mp
import os
import resource
import selectors
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlparse

NAMESPACE = "/live"
PREFIX_EVENT = b"42" + NAMESPACE.encode() + b","
PREFIX_CONNECTED = b"40" + NAMESPACE.encode() + b","
PREFIX_ERROR = b"44" + NAMESPACE.encode() + b","
OPENING = ("tcp", "http", "eio", "sio")


def raise_nofile(limit: int = 65536) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(max(soft, limit), hard)
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


class Conn:
    __slots__ = ("idx", "sock", "proto", "state", "t_start", "t_live", "out", "auth", "tag",
                 "fd")

    def __init__(self, idx: int, tag: str, auth: dict | None):
        self.idx = idx
        self.tag = tag
        self.auth = auth
        self.sock: socket.socket | None = None
        self.proto = None
        self.state = "new"
        self.t_start = 0
        self.t_live = 0
        self.out = b""
        self.fd = -1


@dataclass
class _Loop:
    url: str
    contest: int
    query: dict = field(default_factory=dict)
    conns: dict = field(default_factory=dict)     # fd -> Conn
    all: list = field(default_factory=list)       # every Conn ever made, by idx
    received: list = field(default_factory=list)  # (idx, t_ns, raw bytes)
    sel: selectors.BaseSelector = field(default_factory=selectors.EpollSelector)
    opening: int = 0                              # handshakes in flight
    rbuf: bytearray = field(default_factory=lambda: bytearray(1 << 18))

    def __post_init__(self):
        u = urlparse(self.url)
        self.addr = (u.hostname, u.port or 80)
        q = dict(self.query, contest=str(self.contest), EIO="4", transport="websocket")
        self.rview = memoryview(self.rbuf)
        self.ws_url = f"ws://{u.hostname}:{u.port or 80}/socket.io/?{urlencode(q)}"

    # ------------------------------------------------------------------ connections
    def open(self, tag: str, auth: dict | None) -> Conn:
        from websockets.client import ClientProtocol
        from websockets.uri import parse_uri

        c = Conn(len(self.all), tag, auth)
        self.all.append(c)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.sock, c.fd = s, s.fileno()
        c.proto = ClientProtocol(parse_uri(self.ws_url), max_size=None)
        c.t_start = time.monotonic_ns()
        err = s.connect_ex(self.addr)
        if err not in (0, errno.EINPROGRESS):
            c.state = "failed"
            s.close()
            return c
        c.state = "tcp"
        self.opening += 1
        self.conns[c.fd] = c
        self.sel.register(s, selectors.EVENT_WRITE, c)
        return c

    def _send(self, c: Conn, data: bytes) -> None:
        if c.out:
            c.out += data
            return
        try:
            n = c.sock.send(data)
        except (BlockingIOError, InterruptedError):
            n = 0
        except OSError:
            self._fail(c)
            return
        if n < len(data):
            c.out = data[n:]
            self.sel.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)

    def _flush_proto(self, c: Conn) -> None:
        for chunk in c.proto.data_to_send():
            if chunk:
                self._send(c, chunk)

    def _text(self, c: Conn, text: bytes) -> None:
        c.proto.send_text(text)
        self._flush_proto(c)

    def _fail(self, c: Conn) -> None:
        if c.state in ("failed", "closed"):
            return
        if c.state in OPENING:
            self.opening -= 1
        c.state = "failed" if c.state != "live" else "closed"
        try:
            self.sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        self.conns.pop(c.fd, None)
        c.sock.close()

    def close_all(self, abort: bool = True) -> int:
        n = 0
        for c in list(self.conns.values()):
            if abort:
                c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self._fail(c)
            c.state = "closed"
            n += 1
        return n

    # ------------------------------------------------------------------ the loop
    def on_writable(self, c: Conn) -> None:
        if c.state == "tcp":
            err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self._fail(c)
                return
            c.state = "http"
            self.sel.modify(c.sock, selectors.EVENT_READ, c)
            c.proto.send_request(c.proto.connect())
            self._flush_proto(c)
            return
        if c.out:
            try:
                n = c.sock.send(c.out)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                self._fail(c)
                return
            c.out = c.out[n:]
        if not c.out:
            self.sel.modify(c.sock, selectors.EVENT_READ, c)

    def on_data(self, c: Conn, t: int, data: bytes) -> None:
        from websockets.frames import Frame
        from websockets.http11 import Response

        if not data:
            c.proto.receive_eof()
            self._fail(c)
            return
        c.proto.receive_data(data)
        for ev in c.proto.events_received():
            if isinstance(ev, Response):
                if ev.status_code != 101:
                    self._fail(c)
                    return
                c.state = "eio"
                continue
            if not isinstance(ev, Frame) or ev.opcode.value != 1:  # text frames only
                continue
            msg = ev.data
            if msg[:1] == b"2":  # Engine.IO ping
                self._text(c, b"3")
            elif msg.startswith(PREFIX_EVENT):
                if c.state != "live" and msg.startswith(b'["snapshot"', len(PREFIX_EVENT)):
                    c.state = "live"
                    c.t_live = t
                    self.opening -= 1
                self.received.append((c.idx, t, msg))
            elif msg[:1] == b"0" and c.state == "eio":
                c.state = "sio"
                self._text(c, PREFIX_CONNECTED + json.dumps(c.auth or {}).encode())
            elif msg.startswith(PREFIX_ERROR):
                self._fail(c)
        self._flush_proto(c)  # pongs to websocket pings, if any

    def step(self, timeout: float) -> None:
        """Wait for sockets; read and timestamp everything that keeps arriving; then parse.

        Reading goes on (``select(0)``) as long as some socket is ready, so a broadcast is
        timestamped as it lands and parsing it (the costly part) waits until it is over."""
        inbox = []
        append = inbox.append
        now = time.monotonic_ns
        buf, view = self.rbuf, self.rview
        ready = self.sel.select(timeout)
        while ready:
            for key, mask in ready:
                c = key.data
                if c is None:
                    continue
                if mask & 1:  # EVENT_READ
                    try:
                        n = c.sock.recv_into(buf)
                        data = view[:n].tobytes()
                    except (BlockingIOError, InterruptedError):
                        data = None
                    except OSError:
                        data = b""
                    if data is not None:
                        append((c, now(), data))
                if mask & 2 and c.state not in ("failed", "closed"):  # EVENT_WRITE
                    self.on_writable(c)
            if len(inbox) > 50000:
                break
            ready = [r for r in self.sel.select(0) if r[0].data is not None]
        for c, t, data in inbox:  # parse after every socket was read and timestamped
            if c.state not in ("failed", "closed"):
                self.on_data(c, t, data)


def _child(url: str, contest: int, query: dict, cores: set | None, pipe) -> None:
    if cores:
        os.sched_setaffinity(0, cores)
    # No garbage collection in the load generator: a full collection over thousands of sockets
    # and the events kept so far paused this loop for 100-300 ms now and then, and every socket's
    # receipt of the broadcast then looked late (the events form no cycles; the run is short).
    gc.disable()
    raise_nofile(1 << 16)
    loop = _Loop(url, contest, query)
    loop.sel.register(pipe.fileno(), selectors.EVENT_READ, None)
    pending = None  # a connect in progress
    while True:
        loop.step(0.005 if pending else 0.2)
        if pending:
            conns = pending["conns"]
            opening = loop.opening
            while pending["todo"] and opening < pending["inflight"]:
                conns.append(loop.open(pending["tag"], pending["auth"]))
                pending["todo"] -= 1
                opening += 1
            done = not pending["todo"] and loop.opening == 0
            if done or time.monotonic() > pending["deadline"]:
                live = [c for c in conns if c.state == "live"]
                ms = sorted((c.t_live - c.t_start) / 1e6 for c in live)
                pipe.send({"live": len(live), "failed": len(conns) + pending["todo"] - len(live),
                           "seconds": (time.monotonic_ns() - pending["t0"]) / 1e9,
                           "snapshot_ms": ms, "last_ms": (max(c.t_live for c in live) - pending["t0"]) / 1e6
                           if live else None})
                pending = None
        if pipe.poll():
            cmd, *args = pipe.recv()
            if cmd == "connect":
                n, opts = args
                pending = {"conns": [], "deadline": time.monotonic() + opts.get("timeout", 60),
                           "inflight": opts.get("inflight", 256), "todo": n, "t0": time.monotonic_ns(),
                           "tag": opts.get("tag", "audience"), "auth": opts.get("auth")}
            elif cmd == "clear":
                loop.received.clear()
                pipe.send(True)
            elif cmd == "collect":
                out = []
                for idx, t, raw in loop.received:
                    body = raw[len(PREFIX_EVENT):]
                    try:
                        name, *rest = json.loads(body)
                    except ValueError:
                        continue
                    out.append((idx, t, name, rest[0] if rest else None, len(raw)))
                if args and args[0]:
                    loop.received.clear()
                pipe.send(out)
            elif cmd == "stats":
                ru = resource.getrusage(resource.RUSAGE_SELF)
                pipe.send({"cpu_s": ru.ru_utime + ru.ru_stime, "open": len(loop.conns),
                           "live": sum(1 for c in loop.conns.values() if c.state == "live"),
                           "tags": {t: sum(1 for c in loop.conns.values() if c.tag == t and c.state == "live")
                                    for t in {c.tag for c in loop.conns.values()}}})
            elif cmd == "drop":
                pipe.send(loop.close_all(abort=bool(args and args[0])))
            elif cmd == "close":
                loop.close_all(abort=False)
                pipe.send(True)
                return


class Fleet:
    """A client process holding many /live sockets; methods block until it answers."""

    def __init__(self, url: str, contest: int, *, cores: set | None = None, query: dict | None = None):
        ctx = mp.get_context("fork")
        self._pipe, child = ctx.Pipe()
        self.proc = ctx.Process(target=_child, args=(url, contest, query or {}, cores, child),
                                daemon=True)
        self.proc.start()

    def _ask(self, *cmd, timeout: float = 120):
        self._pipe.send(cmd)
        if not self._pipe.poll(timeout):
            raise TimeoutError(f"fleet did not answer {cmd[0]} in {timeout} s")
        return self._pipe.recv()

    def connect(self, n: int, *, tag: str = "audience", auth: dict | None = None,
                inflight: int = 256, timeout: float = 60) -> dict:
        """Open ``n`` sockets (at most ``inflight`` handshakes at once); wait for every snapshot."""
        return self._ask("connect", n, {"tag": tag, "auth": auth, "inflight": inflight,
                                        "timeout": timeout}, timeout=timeout + 30)

    def clear(self) -> None:
        self._ask("clear")

    def collect(self, clear: bool = True) -> list[tuple[int, int, str, dict | None, int]]:
        """Every event received since the last clear: (conn index, t_ns, name, payload, bytes)."""
        return self._ask("collect", clear, timeout=300)

    def stats(self) -> dict:
        return self._ask("stats")

    def drop(self, abort: bool = False) -> int:
        """Close every socket at once (abort = RST, as when a router dies mid-flight)."""
        return self._ask("drop", abort)

    def close(self) -> None:
        try:
            self._ask("close", timeout=30)
        except (TimeoutError, EOFError, BrokenPipeError, OSError):
            pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
