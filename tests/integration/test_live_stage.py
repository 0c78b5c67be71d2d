"""The stage over Socket.IO (CONTRACT section 6): the snapshot on connect, versioned events,
resync, rooms per contest, private screens, and an audience that never receives an answer."""

from __future__ import annotations

import json

import pytest

from conftest import bearer, demo_document, make_contest, tokens_of

SECRET_KEYS = {"answer", "follow_ups", "cue", "next_cue", "overtime", "steps_list"}


def _socket(app, cid, token=None, client=None):
    from contest.extensions import socketio
    return socketio.test_client(app, namespace="/live", query_string=f"contest={cid}",
                                auth={"token": token} if token else None,
                                flask_test_client=client or app.test_client())


def _events(sock):
    return sock.get_received("/live")


def _press(client, cid, headers, **body):
    r = client.post(f"/api/v1/contests/{cid}/stage", json=body, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _keys(value) -> set:
    """Every key anywhere inside a JSON value."""
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(set(), *(_keys(v) for v in value))
    return set()


def _add_draw(app, cid, team, question, lot):
    from question_bank.models import Draw

    from contest.database import write_transaction
    with app.app_context(), write_transaction() as session:
        session.add(Draw(contest_id=cid, kind="questions", lot=lot, team_key=team, value=question))


def test_snapshot_on_connect_then_consecutive_versions(app):
    cid = make_contest(app)
    mc = bearer(tokens_of(app, cid)["mc"]["token"])
    client = app.test_client()
    audience = _socket(app, cid)
    assert audience.is_connected("/live")
    [snap] = [e for e in _events(audience) if e["name"] == "snapshot"]
    data = snap["args"][0]
    assert isinstance(data["version"], int) and data["role"] == "audience"
    assert data["stage"]["step"]["title"] == "Ổn định tổ chức"
    assert not (_keys(data["stage"]) & SECRET_KEYS)

    for _ in range(5):  # to the first timed phase
        _press(client, cid, mc, action="next")
    _press(client, cid, mc, action="start")
    received = _events(audience)
    versions = [e["args"][0]["version"] for e in received]
    assert versions == list(range(data["version"] + 1, data["version"] + 1 + len(received)))
    names = [e["name"] for e in received]
    assert names.count("stage") == 6 and "timer" in names
    timer = [e["args"][0] for e in received if e["name"] == "timer"][-1]
    assert timer["state"] == "running" and timer["part"] == "intro" and timer["phase"] == "present"
    assert timer["deadline_ms"] - timer["server_ms"] == timer["remaining_ms"]
    last_stage = [e["args"][0] for e in received if e["name"] == "stage"][-1]
    assert last_stage["stage"]["timer"]["state"] == "running"

    # A client that saw a gap asks again and gets the current state.
    audience.emit("resync", {"contest": cid}, namespace="/live")
    [again] = [e["args"][0] for e in _events(audience) if e["name"] == "snapshot"]
    assert again["version"] == versions[-1]
    assert again["stage"]["step"]["kind"] == "phase"
    # The clock offset estimate: ping_time answers the server's epoch milliseconds.
    assert isinstance(audience.emit("ping_time", {}, namespace="/live", callback=True), int)
    audience.disconnect("/live")


def test_private_screens_need_a_good_token(sqlite_app):
    app = sqlite_app
    cid = make_contest(app)
    links = tokens_of(app, cid)
    refused = _socket(app, cid, token="not-a-token")
    assert not refused.is_connected("/live")
    other = make_contest(app)
    foreign = _socket(app, cid, token=tokens_of(app, other)["mc"]["token"])
    assert not foreign.is_connected("/live")

    mc = _socket(app, cid, token=links["mc"]["token"])
    snap = [e["args"][0] for e in _events(mc) if e["name"] == "snapshot"][0]
    assert snap["role"] == "mc" and snap["stage"]["cue"] and snap["stage"]["steps_list"]
    _press(app.test_client(), cid, bearer(links["mc"]["token"]), action="next")
    stage_events = [e["args"][0] for e in _events(mc) if e["name"] == "stage"]
    staff = [p for p in stage_events if p.get("staff")]
    assert staff and staff[-1]["stage"]["cue"].startswith("Kính thưa")
    mc.disconnect("/live")


def test_rooms_are_per_contest(sqlite_app):
    app = sqlite_app
    first = make_contest(app)
    doc = demo_document()
    doc["contest"]["name"] = "Hội thi Dân vận khéo"
    second = make_contest(app, doc)
    watcher = _socket(app, second)
    _events(watcher)
    _press(app.test_client(), first, bearer(tokens_of(app, first)["mc"]["token"]), action="next")
    assert _events(watcher) == []
    _press(app.test_client(), second, bearer(tokens_of(app, second)["mc"]["token"]), action="next")
    assert [e["name"] for e in _events(watcher)] == ["stage"]
    watcher.disconnect("/live")


def test_the_audience_never_receives_an_answer(app, monkeypatch):
    """A scripted run: a drawn question, the phases, the follow-up, frozen results and the
    ceremony. Everything a public socket receives is captured and searched."""
    from contest.extensions import db
    from contest.services import stage
    from question_bank.models import Question
    cid = make_contest(app)
    links = tokens_of(app, cid)
    mc = bearer(links["mc"]["token"])
    client = app.test_client()
    _add_draw(app, cid, "dak-rve", "q2", 7)
    with app.app_context():
        q = db.session.query(Question).filter_by(contest_id=cid, key="q2").one()
        secrets = [q.answer] + [f["answer"] for f in q.follow_ups or [] if f.get("answer")] \
            + [f["text"] for f in q.follow_ups or [] if f.get("text")]
    assert secrets and all(len(s) >= 1 for s in secrets)
    standings = {"teams": [{"team": "dak-rve", "rank": 1, "total": 90, "parts": {}}], "complete": False}
    monkeypatch.setattr(stage.model, "_standings", lambda contest: standings)
    monkeypatch.setattr(stage.model, "_prizes", lambda contest: {
        "awards": [{"prize": "first", "kind": "collective", "team": "dak-rve", "amount": 5000000}],
        "ties": [], "unawarded": []})

    audience = _socket(app, cid)
    projector = _socket(app, cid)
    judge = _socket(app, cid, token=next(iter(links["judges"].values()))["token"])
    steps = client.get(f"/api/v1/contests/{cid}/stage?steps=1", headers=mc).get_json()["steps_list"]
    draw = next(s["index"] for s in steps if s["kind"] == "draw")
    _press(client, cid, mc, action="jump", step=draw)
    for _ in range(3):                     # question, conferral, answer
        _press(client, cid, mc, action="next")
        if client.get(f"/api/v1/contests/{cid}/stage").get_json()["timer"]:
            _press(client, cid, mc, action="start")
    _press(client, cid, mc, action="next")  # the follow-up
    _press(client, cid, mc, action="results", mode="live")
    _press(client, cid, mc, action="results", mode="frozen")
    results = next(s["index"] for s in steps if s["kind"] == "results")
    _press(client, cid, mc, action="jump", step=results)
    for _ in range(11):
        _press(client, cid, mc, action="next")
    audience.emit("resync", {}, namespace="/live")

    public = _events(audience) + _events(projector)
    assert any(e["name"] == "standings" for e in public)
    assert any(e["name"] == "stage" and e["args"][0]["stage"].get("question") for e in public)
    text = json.dumps(public, ensure_ascii=False)
    for secret in secrets:
        assert secret not in text
    for event in public:
        assert not (_keys(event["args"]) & SECRET_KEYS), event["name"]
        assert not event["args"][0].get("staff")
    staff_text = json.dumps(_events(judge), ensure_ascii=False)
    assert q.answer in staff_text                 # the jury does get it
    for sock in (audience, projector, judge):
        sock.disconnect("/live")


def test_hidden_results_stay_with_the_staff(sqlite_app, monkeypatch):
    from contest.services import stage
    app = sqlite_app
    cid = make_contest(app)
    links = tokens_of(app, cid)
    mc = bearer(links["mc"]["token"])
    full = {"teams": [{"team": "dak-koi", "rank": 1, "total": 88.5, "parts": {}}], "complete": True}
    monkeypatch.setattr(stage.model, "_standings", lambda contest: full)
    audience = _socket(app, cid)
    organiser = _socket(app, cid, token=links["organiser"]["token"])
    first = [e["args"][0] for e in _events(audience) if e["name"] == "snapshot"][0]
    if stage.live.SNAPSHOT_PARTS.get("standings") is stage._standings_part:
        assert "standings" not in first
    _press(app.test_client(), cid, mc, action="results", mode="frozen")
    frozen = [e["args"][0] for e in _events(audience) if e["name"] == "standings"]
    assert frozen and frozen[-1]["teams"][0]["total"] == 88.5 and frozen[-1]["results_mode"] == "frozen"
    with app.app_context():
        assert stage.results_mode(cid) == "frozen"
        assert stage.frozen_standings(cid)["teams"] == full["teams"]
    full["teams"][0]["total"] = 99  # later sheets do not reach the audience while frozen
    _press(app.test_client(), cid, mc, action="results", mode="hidden")
    assert not [e for e in _events(audience) if e["name"] == "standings"]
    assert [e for e in _events(organiser) if e["name"] == "standings"]
    with app.app_context():
        assert stage.frozen_standings(cid) is None
    for sock in (audience, organiser):
        sock.disconnect("/live")


@pytest.mark.parametrize("path", ["/c/{cid}", "/c/{cid}/projector"])
def test_public_pages_carry_no_answer(sqlite_app, path):
    app = sqlite_app
    cid = make_contest(app)
    mc = bearer(tokens_of(app, cid)["mc"]["token"])
    client = app.test_client()
    _add_draw(app, cid, "dak-rve", "q2", 7)
    steps = client.get(f"/api/v1/contests/{cid}/stage?steps=1", headers=mc).get_json()["steps_list"]
    _press(client, cid, mc, action="jump", step=next(s["index"] for s in steps if s["kind"] == "follow_up"))
    from contest.extensions import db
    from question_bank.models import Question
    with app.app_context():
        answer = db.session.query(Question).filter_by(contest_id=cid, key="q2").one().answer
    html = client.get(path.format(cid=cid)).get_data(as_text=True)
    assert "Văn bản nào quy định" in html and f">{answer}<" not in html and "Đáp án" not in html


def test_public_pages_are_shared_yet_follow_every_press(sqlite_app, monkeypatch):
    """Anonymous visitors share one rendering per language; every live event drops it, so a
    page loaded after the MC's press shows the new step, in the visitor's language."""
    from contest import live
    monkeypatch.setattr(live, "SNAPSHOT_TTL", 3600)  # only the event may drop it here
    app = sqlite_app
    cid = make_contest(app)
    mc = bearer(tokens_of(app, cid)["mc"]["token"])
    phone = app.test_client()
    first = phone.get(f"/c/{cid}").get_data(as_text=True)
    assert "Ổn định tổ chức" in first
    assert app.test_client().get(f"/c/{cid}").get_data(as_text=True) == first  # shared
    english = app.test_client()
    assert 'lang="en"' in english.get(f"/c/{cid}?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english.get(f"/c/{cid}").get_data(as_text=True)  # remembered, shared
    assert 'lang="vi"' in app.test_client().get(f"/c/{cid}").get_data(as_text=True)
    _press(app.test_client(), cid, mc, action="next")
    after = app.test_client().get(f"/c/{cid}").get_data(as_text=True)
    assert after != first and "Ổn định tổ chức" not in after.split("<main", 1)[-1].split("</h1>", 1)[0]
    for path in (f"/c/{cid}", f"/c/{cid}/projector"):
        assert app.test_client().get(path).get_data(as_text=True) == app.test_client().get(path).get_data(as_text=True)


def test_the_jury_board_shows_the_question_with_its_answer(sqlite_app):
    """The MC and the jury see the drawn question with its answer (the audience never does)."""
    app = sqlite_app
    cid = make_contest(app)
    links = tokens_of(app, cid)
    mc = bearer(links["mc"]["token"])
    client = app.test_client()
    head = links["judges"]["j1"]  # the jury head of the demo contest
    board = app.test_client()
    board.get(f"/t/{head['token']}")
    assert 'id="jury-question" hidden' in board.get(f"/c/{cid}/jury").get_data(as_text=True)
    _add_draw(app, cid, "dak-rve", "q2", 7)
    steps = client.get(f"/api/v1/contests/{cid}/stage?steps=1", headers=mc).get_json()["steps_list"]
    _press(client, cid, mc, action="jump", step=next(s["index"] for s in steps if s["kind"] == "follow_up"))
    from contest.extensions import db
    from question_bank.models import Question
    with app.app_context():
        answer = db.session.query(Question).filter_by(contest_id=cid, key="q2").one().answer
    html = board.get(f"/c/{cid}/jury").get_data(as_text=True)
    assert 'id="jury-question" hidden' not in html and "lá thăm số 7" in html
    assert answer in html and "Văn bản nào quy định" in html
