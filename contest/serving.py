"""The server process itself, for `hoithi serve`: the open-files limit, the garbage
collector, gevent's WSGI handler with TCP_NODELAY, and the supervisor of ``--workers``
processes sharing one listening socket (docs/scaling.md)."""

from __future__ import annotations

import os
import sys

import click


def raise_open_files() -> None:
    """Every websocket is a file descriptor: lift the soft limit to the hard one."""
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not on Linux
        pass


def handler_class():
    """gevent's WSGI handler with TCP_NODELAY on every connection. pywsgi writes a response's
    headers and body in separate sends; with Nagle's algorithm on, the second waits for the
    client's delayed ACK (40 ms on Linux), so every request on a kept-alive connection (a
    page's CSS and scripts, a tablet's API calls) took 40 ms and one process served 720
    requests/s whatever the page (docs/performance.md)."""
    import socket as _socket

    from gevent import pywsgi

    class NoDelayHandler(pywsgi.WSGIHandler):
        def handle(self):
            try:
                self.socket.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
            except (OSError, AttributeError):  # not TCP (a Unix socket): nothing to do
                pass
            return super().handle()

    return NoDelayHandler


def tune_gc() -> None:
    """Move what start-up built out of the garbage collector's sight: with thousands of
    sockets, full collections otherwise stall broadcasts for tens of milliseconds."""
    import gc
    gc.collect()
    gc.freeze()


def supervise(host: str, port: int, db: str | None, workers: int) -> None:
    """Open the listening socket once and run ``workers`` processes accepting on it; restart
    a worker that dies; stop them all on Ctrl+C or SIGTERM."""
    import signal
    import socket as _socket
    import subprocess
    import time

    family = _socket.AF_INET6 if ":" in host else _socket.AF_INET
    listener = _socket.socket(family, _socket.SOCK_STREAM)
    listener.setsockopt(_socket.SOL_SOCKET, _socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(4096)
    listener.set_inheritable(True)
    fd = listener.fileno()
    env = dict(os.environ)
    if db:
        env["HOITHI_DATABASE_URL"] = db

    def spawn(index: int) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "contest.cli", "serve", "--host", host,
                                 "--port", str(port), "--workers", str(workers),
                                 "--worker-fd", str(fd), "--worker-index", str(index)],
                                env=env, pass_fds=(fd,))

    procs = [spawn(i) for i in range(workers)]
    click.echo(f"{workers} tiến trình phục vụ cổng {port} (websocket; sự kiện qua hàng đợi tin nhắn)")
    stopping = []

    def stop(*_args):
        stopping.append(True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping:
            for i, p in enumerate(procs):
                if p.poll() is not None and not stopping:
                    click.echo(f"Tiến trình {i} dừng (mã {p.returncode}); khởi động lại", err=True)
                    time.sleep(1)
                    procs[i] = spawn(i)
            time.sleep(0.5)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        listener.close()
