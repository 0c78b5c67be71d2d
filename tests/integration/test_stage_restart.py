"""A server killed mid-timer (kill -9) and started again resumes the same step with the
right remaining time: the stage is written on every press and only the deadline is stored."""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))


def _call(server, token: str | None, body: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"{server.url}/api/v1/contests/{server.contest}/stage",
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers=headers, method="POST" if body is not None else "GET")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_kill_9_mid_timer_and_restart(tmp_path):
    from show_helpers import fast_server  # tests/e2e/show_helpers.py
    server = fast_server(tmp_path)
    try:
        mc = server.links["mc"]["token"]
        for _ in range(5):
            view = _call(server, mc, {"action": "next"})
        assert view["step"]["kind"] == "phase"
        view = _call(server, mc, {"action": "start", "version": view["version"]})
        deadline = view["timer"]["deadline_ms"]
        time.sleep(0.3)

        server.stop(kill=True)  # SIGKILL: no shutdown handler runs
        assert server.proc.returncode == -9
        server.start()

        again = _call(server, None)
        now = int(time.time() * 1000)
        assert again["step"]["index"] == view["step"]["index"]
        assert again["version"] == view["version"]
        assert again["timer"]["state"] == "running" and again["timer"]["deadline_ms"] == deadline
        assert abs(again["timer"]["remaining_ms"] - (deadline - now)) <= 1000
        assert again["timer"]["remaining_ms"] < 180_000 - 250
        # And the MC carries on where it was.
        paused = _call(server, mc, {"action": "pause", "version": again["version"]})
        assert paused["timer"]["state"] == "paused"
    finally:
        server.stop()
