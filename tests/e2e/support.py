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
    instance = tmp / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{tmp / 'e2e.sqlite'}"
    contest = json.loads(hoithi("import", str(doc), "--json", db=db).stdout)["contest"]
    hoithi("user", "admin", "--password", "mat-khau-e2e", db=db)
    port = free_port()
    env = dict(os.environ, HOITHI_DATABASE_URL=db, HOITHI_INSTANCE_PATH=str(instance),
               HOITHI_ASYNC_MODE=async_mode, HOITHI_PUBLIC_URL=f"http://127.0.0.1:{port}",
               HOITHI_RATELIMIT_ENABLED="0", HOITHI_BACKUP_MINUTES="0")
    links = json.loads(subprocess.run([*HOITHI, "tokens", str(contest), "--json"], cwd=ROOT, env=env,
                                      capture_output=True, text=True, check=True).stdout)
    server = Server(url=f"http://127.0.0.1:{port}", db=db, port=port, instance=instance,
                    contest=contest, links=links, env=env)
    server.start()
    return server


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

