"""End-to-end helpers: start a real ``hoithi serve`` process, screenshots, sign-in.
Import with ``from support import ...`` from tests in tests/e2e/."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "contest" / "demo" / "kon-ray-2023.json"
CHROMIUM = os.environ.get("HOITHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
HOITHI = [sys.executable, "-m", "contest.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hoithi(*args: str, db: str, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, HOITHI_DATABASE_URL=db)
    return subprocess.run([*HOITHI, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=check, timeout=120)


@dataclass
class Server:
    url: str
    db: str
    port: int
    instance: Path
    contest: int
    links: dict
    admin: tuple[str, str] = ("admin", "mat-khau-e2e")
    proc: subprocess.Popen | None = None
    env: dict = field(default_factory=dict)

    def start(self) -> None:
        log = open(self.instance / "server.log", "ab")
        self.proc = subprocess.Popen([*HOITHI, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--no-qr"], cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError((self.instance / "server.log").read_text()[-3000:])
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            (self.proc.kill if kill else self.proc.terminate)()
            self.proc.wait(timeout=10)


def start_server(tmp: Path, async_mode: str = "gevent", doc: Path = DEMO) -> Server:
    """A real `hoithi serve` on a SQLite file prepared in-process (contest imported, the
    organiser account ``admin`` created, tokens issued): much faster than three CLI runs."""
    from conftest import make_app, make_contest, make_organiser, tokens_of  # tests/conftest.py

    from contest.extensions import db as _db
    instance = tmp / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{tmp / 'e2e.sqlite'}"
    app = make_app(tmp, DATABASE_URL=db, INSTANCE_PATH=str(instance))
    contest = make_contest(app, json.loads(Path(doc).read_text(encoding="utf-8")))
    make_organiser(app, "admin", "mat-khau-e2e")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    links = _rebase(tokens_of(app, contest), base)
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    env = dict(os.environ, HOITHI_DATABASE_URL=db, HOITHI_INSTANCE_PATH=str(instance),
               HOITHI_ASYNC_MODE=async_mode, HOITHI_PUBLIC_URL=base,
               HOITHI_RATELIMIT_ENABLED="0", HOITHI_BACKUP_MINUTES="0")
    server = Server(url=base, db=db, port=port, instance=instance, contest=contest, links=links, env=env)
    server.start()
    return server


def _rebase(value, base: str):
    """Links made for http://testserver, pointed at the real server."""
    if isinstance(value, str):
        return value.replace("http://testserver", base)
    if isinstance(value, dict):
        return {k: _rebase(v, base) for k, v in value.items()}
    return value


def shot(page, name: str) -> Path:
    """Save a screenshot as a test artifact (test-artifacts/, gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def organiser_login(page, server: Server) -> None:
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", server.admin[0])
    page.fill("input[name=password]", server.admin[1])
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)

