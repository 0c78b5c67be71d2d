"""Many writers at once on SQLite, under gevent (greenlets, as `hoithi serve` runs): a real
server, eight client threads, every judge's sheets and their corrections plus MC presses
arriving together. Every write is answered 2xx (never "database is locked", never a 5xx), each
sheet is stored once with its last values, and the audit log has one entry per write."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from support import start_server

pytestmark = pytest.mark.e2e


@pytest.fixture
def gevent_server(tmp_path):
    server = start_server(tmp_path, async_mode="gevent")
    yield server
    server.stop()


def test_two_hundred_concurrent_writes_on_sqlite_under_gevent(gevent_server):
    server = gevent_server
    base = f"{server.url}/api/v1/contests/{server.contest}"
    organiser = {"Authorization": f"Bearer {server.links['organiser']['token']}"}
    judges = server.links["judges"]
    session = requests.Session()
    document = session.get(f"{base}/document", timeout=10, headers=organiser).json()["contest"]
    parts, teams = document["rules"]["parts"], document["teams"]
    jobs = []  # one job = one judge's sheets for one team, first version then the correction
    for jkey, judge in judges.items():
        for team in teams:
            jobs.append((jkey, judge["token"], team["key"]))
    answers: list[int] = []
    lock = threading.Lock()

    def post(path: str, token: str, body: dict) -> None:
        with requests.Session() as http:
            r = http.post(base + path, json=body, timeout=30, headers={"Authorization": f"Bearer {token}"})
        with lock:
            answers.append(r.status_code)

    def judge_job(job) -> None:
        jkey, token, team = job
        for part in parts:
            for version, delta in (("a", 1), ("b", 0)):
                criteria = {c["key"]: max(0, c["max"] - delta) for c in part["criteria"]}
                post("/scores", token, {"id": f"{jkey}-{team}-{part['key']}-{version}", "team": team,
                                        "part": part["key"], "criteria": criteria})

    def mc_job(n: int) -> None:
        post("/stage", server.links["mc"]["token"], {"action": "next"} if n % 2 == 0 else {"action": "previous"})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda j: judge_job(j) if isinstance(j, tuple) else mc_job(j),
                      [*jobs, *range(20)]))
    expected = len(jobs) * len(parts) * 2 + 20
    assert len(answers) == expected >= 200
    assert all(200 <= code < 300 for code in answers), sorted(set(answers))
    for jkey, judge in judges.items():
        sheets = session.get(f"{base}/scores", timeout=10,
                             headers={"Authorization": f"Bearer {judge['token']}"}).json()["sheets"]
        sheets = [s for s in sheets if s.get("judge", jkey) == jkey]  # the jury head sees all
        assert len(sheets) == len(teams) * len(parts)
        assert all(s["id"].endswith("-b") for s in sheets)
    audit = session.get(f"{base}/audit?action=sheet.", timeout=10, headers=organiser).json()["entries"]
    assert len(audit) == len(jobs) * len(parts) * 2
