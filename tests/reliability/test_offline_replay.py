"""Judges' tablets offline for minutes, then back: every sheet arrives exactly once.

A tablet keeps its sheets in an outbox (FIFO) and sends them again until the server answers;
when the router comes back, answers get lost, tablets retry, and several tablets flush at once.
At the API level that is: each tablet's sheets in their order, the tablets interleaved at
random, and duplicates of anything already sent at random later places. Hypothesis explores
those deliveries; for every one the stored sheets must equal the clean, in-order delivery:
one sheet per (judge, team, part), the tablet's last one, each id answered the same every
time, the audit log holding one create per sheet and one replace per correction.
"""

from __future__ import annotations

import os
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import bearer, make_contest, tokens_of

TEAMS = ["dak-rve", "dak-koi", "dak-to-lung"]
JUDGES = ["j1", "j2", "j3"]
# CI runs a handful of deliveries (each sheet costs ~70 ms); raise for a deeper search.
EXAMPLES = int(os.environ.get("HOITHI_RELIABILITY_EXAMPLES", "6"))


def outboxes(seed: int) -> dict[str, list[dict]]:
    """Each judge scores every team on the intro, and corrects one or two sheets later."""
    rng = random.Random(seed)
    boxes = {}
    for j in JUDGES:
        box = []
        for n, t in enumerate(TEAMS):
            box.append({"team": t, "part": "intro", "id": f"{j}-{t}-1",
                        "criteria": {"content": rng.randint(0, 20) / 2, "delivery": rng.randint(0, 20) / 2}})
        for t in rng.sample(TEAMS, rng.randint(0, 2)):
            box.append({"team": t, "part": "intro", "id": f"{j}-{t}-2",
                        "criteria": {"content": rng.randint(0, 20) / 2, "delivery": rng.randint(0, 20) / 2}})
        boxes[j] = box
    return boxes


def delivery(boxes: dict, order_seed: int, dup_rate: float) -> list[tuple[str, dict]]:
    """Interleave the outboxes (each keeps its order) and add duplicates after first sends."""
    rng = random.Random(order_seed)
    queues = {j: list(b) for j, b in boxes.items()}
    sent: list[tuple[str, dict]] = []
    out: list[tuple[str, dict]] = []
    while any(queues.values()):
        j = rng.choice([k for k, q in queues.items() if q])
        item = (j, queues[j].pop(0))
        out.append(item)
        sent.append(item)
        while sent and rng.random() < dup_rate:
            out.append(rng.choice(sent))
    for _ in range(int(len(out) * dup_rate)):  # late retries after everything went through
        out.append(rng.choice(sent))
    return out


def expected_state(boxes: dict) -> dict:
    state = {}
    for j, box in boxes.items():
        for s in box:
            state[(j, s["team"], s["part"])] = (s["id"], sum(s["criteria"].values()))
    return state


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sheet_seed=st.integers(0, 10_000), order_seed=st.integers(0, 10_000),
       dup_rate=st.sampled_from([0.2, 0.5]))
def test_shuffled_replays_store_each_sheet_once(sqlite_app, sheet_seed, order_seed, dup_rate):
    app = sqlite_app
    cid = make_contest(app)
    links = tokens_of(app, cid)
    client = app.test_client()
    boxes = outboxes(sheet_seed)
    answers: dict[str, dict] = {}
    for j, body in delivery(boxes, order_seed, dup_rate):
        r = client.post(f"/api/v1/contests/{cid}/scores", json=body,
                        headers=bearer(links["judges"][j]["token"]))
        assert r.status_code in (200, 201), r.get_json()
        answer = r.get_json()
        if body["id"] in answers:
            assert r.status_code == 200 and answer == answers[body["id"]], "a replay answered differently"
        else:
            assert r.status_code == 201
            answers[body["id"]] = answer
    organiser = links["organiser"]["token"]
    sheets = client.get(f"/api/v1/contests/{cid}/scores", headers=bearer(organiser)).get_json()["sheets"]
    got = {(s["judge"], s["team"], s["part"]): (s["id"], s["total"]) for s in sheets}
    assert got == expected_state(boxes)
    audit = client.get(f"/api/v1/contests/{cid}/audit?action=sheet.", headers=bearer(organiser)).get_json()
    actions = [e["action"] for e in audit["entries"]]
    n_sheets = sum(len(b) for b in boxes.values())
    assert actions.count("sheet.create") == len(got)
    assert actions.count("sheet.replace") == n_sheets - len(got)


def test_replay_after_lock_is_answered_and_new_sheets_refused(sqlite_app):
    """Once the jury head locks a part, a tablet that comes back still gets its old answers
    (its outbox empties) and a sheet it never sent is refused with 409, never stored."""
    app = sqlite_app
    cid = make_contest(app)
    links = tokens_of(app, cid)
    client = app.test_client()
    j2 = bearer(links["judges"]["j2"]["token"])
    head = bearer(links["judges"]["j1"]["token"])
    sent = {"team": "dak-rve", "part": "intro", "id": "j2-a", "criteria": {"content": 7, "delivery": 6}}
    first = client.post(f"/api/v1/contests/{cid}/scores", json=sent, headers=j2)
    assert first.status_code == 201
    assert client.post(f"/api/v1/contests/{cid}/locks", json={"part": "intro", "force": True,
                                                              "reason": "Hết giờ chấm"},
                       headers=head).status_code == 201
    again = client.post(f"/api/v1/contests/{cid}/scores", json=sent, headers=j2)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    late = dict(sent, id="j2-b", criteria={"content": 9, "delivery": 9})
    refused = client.post(f"/api/v1/contests/{cid}/scores", json=late, headers=j2)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "locked"
    reused = dict(sent, criteria={"content": 1, "delivery": 1})  # same id, other content
    assert client.post(f"/api/v1/contests/{cid}/scores", json=reused, headers=j2).status_code == 409


def test_nominations_replayed_keep_the_last(sqlite_app):
    app = sqlite_app
    cid = make_contest(app)
    links = tokens_of(app, cid)
    client = app.test_client()
    from contest.extensions import db
    from contest.models import Contest
    with app.app_context():
        rules = db.session.get(Contest, cid).rules
        prize = rules.prizes.individual[0]
    from contest.services.scoring import performers, roster
    with app.app_context():
        members = sorted(performers(roster(cid)).get(prize.part, ()))
    assert len(members) >= 2
    j3 = bearer(links["judges"]["j3"]["token"])
    bodies = [{"prize": prize.key, "member": members[0]}, {"prize": prize.key, "member": members[1]}]
    for body in bodies + [bodies[1], bodies[1]]:
        assert client.post(f"/api/v1/contests/{cid}/nominations", json=body, headers=j3).status_code in (200, 201)
    mine = client.get(f"/api/v1/contests/{cid}/nominations", headers=j3).get_json()["nominations"]
    assert [(n["prize"], n["member"]) for n in mine] == [(prize.key, members[1])]
