"""Scale-out (docs/scaling.md): two ``hoithi serve`` processes share one PostgreSQL database and
one Redis message queue. Audience sockets on both, a judge's sheet posted to one: the new
standings reach the sockets of both processes, with consecutive versions, and equal what the
other process answers over HTTP.

Each run gets its own Redis channel (``#channel=`` on HOITHI_MESSAGE_QUEUE), so runs that share
a Redis never hear each other.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import make_app, make_contest, make_organiser, postgres_database, redis_url, tokens_of
from support import Server, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CLIENTS_PER_PROCESS = 3


class LiveClient:
    """A raw Engine.IO v4 / Socket.IO v5 websocket client of namespace /live."""

    def __init__(self, port: int, contest: int):
        from websockets.sync.client import connect
        self.ws = connect(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket&contest={contest}",
                          open_timeout=10, max_size=None)
        opened = self.ws.recv(timeout=10)
        assert opened.startswith("0{"), opened
        self.ws.send("40/live,{}")
        self.events: list[tuple[str, dict]] = []
        self.snapshot = self.wait_for(lambda name, _data: name == "snapshot", timeout=10)

    def wait_for(self, match, timeout: float):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                message = self.ws.recv(timeout=max(0.01, deadline - time.monotonic()))
            except TimeoutError:
                break
            if message == "2":
                self.ws.send("3")
                continue
            if not message.startswith("42/live,"):
                continue
            name, data = json.loads(message[len("42/live,"):])
            self.events.append((name, data))
            if match(name, data):
                return data
        raise AssertionError(f"no matching event in {timeout} s; got {[e[0] for e in self.events]}")

    def close(self):
        self.ws.close()


def _call(url: str, method: str, path: str, token: str, body=None):
    import requests
    r = requests.request(method, url + path, json=body, headers={"Authorization": f"Bearer {token}"},
                         timeout=15)
    return r.status_code, r.json()


@pytest.fixture
def two_servers(tmp_path):
    db = postgres_database()
    queue = f"{redis_url()}#channel=hoithi-test-{uuid.uuid4().hex[:12]}"
    instance = tmp_path / "instance"
    instance.mkdir()
    env = dict(os.environ, HOITHI_DATABASE_URL=db, HOITHI_MESSAGE_QUEUE=queue,
               HOITHI_INSTANCE_PATH=str(instance), HOITHI_ASYNC_MODE="gevent",
               HOITHI_RATELIMIT_ENABLED="0", HOITHI_BACKUP_MINUTES="0",
               HOITHI_PUBLIC_URL="http://127.0.0.1")
    app = make_app(tmp_path, DATABASE_URL=db)
    contest = make_contest(app)
    links = tokens_of(app, contest)
    # the organiser account first, so the two processes starting together do not both create it
    make_organiser(app, "admin", "mat-khau-scale")
    with app.app_context():
        from contest.extensions import db as _db
        _db.engine.dispose()
    servers = []
    for i in range(2):
        port = free_port()
        servers.append(Server(url=f"http://127.0.0.1:{port}", db=db, port=port, instance=instance,
                              contest=contest, links=links, env=dict(env)))
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda s: s.start(), servers))
    yield servers
    for s in servers:
        s.stop()


def test_a_sheet_posted_to_one_process_reaches_the_audience_of_both(two_servers):
    a, b = two_servers
    cid, links = a.contest, a.links
    status, _ = _call(a.url, "POST", f"/api/v1/contests/{cid}/stage", links["mc"]["token"],
                      {"action": "results", "mode": "live"})
    assert status == 200
    time.sleep(0.3)  # the results-mode broadcast is not what this test is about

    clients = {s.port: [LiveClient(s.port, cid) for _ in range(CLIENTS_PER_PROCESS)]
               for s in (a, b)}
    try:
        judge = links["judges"]["j1"]["token"]
        sheet = {"team": "dak-rve", "part": "intro", "criteria": {"content": 7.5, "delivery": 8},
                 "id": f"scale-{uuid.uuid4().hex[:8]}"}
        status, answer = _call(a.url, "POST", f"/api/v1/contests/{cid}/scores", judge, sheet)
        assert status == 201, answer

        def has_sheet(name, data):
            if name != "standings":
                return False
            row = next((t for t in data.get("teams", []) if t["team"] == "dak-rve"), None)
            return row is not None and row["parts"].get("intro") == 15.5

        seen = {}
        for port, group in clients.items():
            for c in group:
                data = c.wait_for(has_sheet, timeout=10)
                versions = [d["version"] for _, d in c.events if "version" in d]
                assert versions == list(range(versions[0], versions[0] + len(versions))), versions
                seen.setdefault(port, []).append(data)

        # the same standings everywhere, and what the other process answers over HTTP
        status, from_b = _call(b.url, "GET", f"/api/v1/contests/{cid}/standings", links["mc"]["token"])
        assert status == 200
        for port, datas in seen.items():
            for data in datas:
                assert data["teams"] == from_b["teams"], port
    finally:
        for group in clients.values():
            for c in group:
                c.close()
