"""The stage API (CONTRACT section 4): every press, bad input, who may press, persistence,
answers only for staff, and the ceremony's reveals going up, never down."""

from __future__ import annotations

import json

import pytest

from conftest import bearer, csrf_token, make_app, make_contest, tokens_of
from contest.core.ceremony import TIE_TEXT


def _api(cid: int) -> str:
    return f"/api/v1/contests/{cid}/stage"


def _setup(app):
    cid = make_contest(app)
    links = tokens_of(app, cid)
    return cid, links, bearer(links["mc"]["token"])


def _press(client, cid, headers, **body):
    r = client.post(_api(cid), json=body, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _index_of(client, cid, headers, predicate) -> int:
    steps = client.get(_api(cid) + "?steps=1", headers=headers).get_json()["steps_list"]
    return next(s["index"] for s in steps if predicate(s))


def _add_draw(app, cid, team="dak-rve", question="q2", lot=7):
    from question_bank.models import Draw

    from contest.database import write_transaction
    with app.app_context(), write_transaction() as session:
        session.add(Draw(contest_id=cid, kind="questions", lot=lot, team_key=team, value=question))


def _audit_count(app, cid) -> int:
    from contest.services.audit import entries
    with app.app_context():
        return len(entries(cid))


def test_the_stage_is_public_and_walks_the_programme(app):
    cid, _links, mc = _setup(app)
    client = app.test_client()
    view = client.get(_api(cid)).get_json()
    assert view["step"]["kind"] == "programme" and view["step"]["title"] == "Ổn định tổ chức"
    assert view["version"] == 0 and view["timer"] is None and "cue" not in view
    assert [p["state"] for p in view["programme"]][:2] == ["current", "next"]
    assert len(view["teams"]) == 7 and view["screen"] == "welcome"

    staff = client.get(_api(cid), headers=mc).get_json()
    assert staff["cue"].startswith("Kính thưa quý vị đại biểu")

    # Through the opening to the first team and its first timed phase.
    for _ in range(4):
        view = _press(client, cid, mc, action="next")
    assert view["step"]["kind"] == "team" and view["step"]["team_name"] == "Đội Thị trấn Đăk Rve"
    assert view["cue"] == "Xin mời Đội Thị trấn Đăk Rve (Thị trấn Đăk Rve) lên sân khấu dự thi."
    view = _press(client, cid, mc, action="next")
    assert view["step"]["kind"] == "phase" and view["timer"]["state"] == "stopped"
    assert view["timer"]["remaining_ms"] == 180_000 and "3 phút" in view["cue"]

    view = _press(client, cid, mc, action="start", version=view["version"])
    assert view["timer"]["state"] == "running"
    assert 179_000 < view["timer"]["deadline_ms"] - view["timer"]["server_ms"] <= 180_000
    view = _press(client, cid, mc, action="pause")
    assert view["timer"]["state"] == "paused" and view["timer"]["deadline_ms"] is None
    view = _press(client, cid, mc, action="extend", seconds=30)
    assert view["timer"]["remaining_ms"] > 209_000 and view["timer"]["extended_ms"] == 30_000
    view = _press(client, cid, mc, action="resume")
    assert view["timer"]["state"] == "running"
    view = _press(client, cid, mc, action="reset")
    assert view["timer"] == {**view["timer"], "state": "stopped", "remaining_ms": 180_000,
                             "extended_ms": 0}
    view = _press(client, cid, mc, action="previous")
    assert view["step"]["kind"] == "team" and view["timer"] is None
    view = _press(client, cid, mc, action="jump", step=0)
    assert view["step"]["index"] == 0
    view = _press(client, cid, mc, action="auto_advance", auto_advance=True)
    assert view["auto_advance"] is True
    view = _press(client, cid, mc, action="results", mode="live")
    assert view["results_mode"] == "live" and view["results_public"] is True
    assert view["version"] == 14
    from contest.services import stage
    with app.app_context():
        assert stage.results_mode(cid) == "live"
        assert stage.frozen_standings(cid) is None


BAD_PRESSES = [
    ({}, "action"),
    ({"action": "fly"}, "action"),
    ({"action": 3}, "action"),
    ({"action": "extend"}, "seconds"),
    ({"action": "extend", "seconds": "30"}, "seconds"),
    ({"action": "extend", "seconds": 0}, "seconds"),
    ({"action": "extend", "seconds": 99999}, "seconds"),
    ({"action": "jump"}, "step"),
    ({"action": "jump", "step": 9999}, "step"),
    ({"action": "jump", "step": -1}, "step"),
    ({"action": "jump", "step": True}, "step"),
    ({"action": "results"}, "mode"),
    ({"action": "results", "mode": "public"}, "mode"),
    ({"action": "auto_advance", "auto_advance": "yes"}, "auto_advance"),
    ({"action": "next", "version": "0"}, "version"),
    ({"action": "start"}, "action"),          # the welcome step has no timer
    ({"action": "previous"}, "step"),         # already at the first step
]


def test_bad_presses_are_refused_naming_the_field(sqlite_app):
    app = sqlite_app
    cid, _links, mc = _setup(app)
    client = app.test_client()
    before = _audit_count(app, cid)
    for body, field in BAD_PRESSES:
        r = client.post(_api(cid), json=body, headers=mc)
        assert r.status_code == 400, (body, r.get_json())
        error = r.get_json()["error"]
        assert error["field"] == field, body
        assert any(ch in error["message"] for ch in "ảáàạãăâêôơưđ"), body  # Vietnamese
    assert client.get(_api(cid)).get_json()["version"] == 0
    assert _audit_count(app, cid) == before


def test_a_body_that_is_not_an_object_is_refused(sqlite_app):
    cid, _links, mc = _setup(sqlite_app)
    r = sqlite_app.test_client().post(_api(cid), data="next", headers={**mc, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "body"


def test_only_the_mc_and_the_organisers_press(app):
    cid, links, mc = _setup(app)
    client = app.test_client()
    assert client.post(_api(cid), json={"action": "next"}).status_code == 400  # no CSRF token
    visitor = {"X-CSRFToken": csrf_token(client, "/login")}
    assert client.post(_api(cid), json={"action": "next"}, headers=visitor).status_code == 401
    judge = next(iter(links["judges"].values()))["token"]
    assert client.post(_api(cid), json={"action": "next"}, headers=bearer(judge)).status_code == 403
    assert client.post(_api(cid), json={"action": "next"}, headers=bearer("nope")).status_code == 401
    ok = client.post(_api(cid), json={"action": "next"}, headers=bearer(links["organiser"]["token"]))
    assert ok.status_code == 200
    assert client.post(_api(cid + 99), json={"action": "next"}, headers=mc).status_code == 404
    assert client.get(_api(cid)).get_json()["version"] == 1


def test_each_press_is_in_the_audit_log_with_its_device(sqlite_app):
    app = sqlite_app
    cid = make_contest(app)
    client = app.test_client()
    mc = dict(bearer(tokens_of(app, cid)["mc"]["token"]), **{"X-Hoithi-Device": "mc-laptop-1"})
    _press(client, cid, mc, action="next")
    organiser = bearer(tokens_of(app, cid)["organiser"]["token"])
    entries = client.get(f"/api/v1/contests/{cid}/audit?action=stage.", headers=organiser).get_json()["entries"]
    assert [e["action"] for e in entries] == ["stage.next"]
    assert entries[0]["device"].startswith("mc-laptop-1 · 127.0.0.1")


def test_a_stale_press_is_a_conflict_and_changes_nothing(sqlite_app):
    cid, _links, mc = _setup(sqlite_app)
    client = sqlite_app.test_client()
    _press(client, cid, mc, action="next", version=0)
    r = client.post(_api(cid), json={"action": "next", "version": 0}, headers=mc)  # double tap
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "version"
    assert client.get(_api(cid)).get_json()["step"]["index"] == 1


def test_the_mc_console_posts_with_its_session_and_csrf(sqlite_app):
    cid, links, _mc = _setup(sqlite_app)
    client = sqlite_app.test_client()
    assert client.get(f"/c/{cid}/mc").status_code == 401
    client.get(links["mc"]["url"].replace("http://testserver", ""))
    page = client.get(f"/c/{cid}/mc")
    assert page.status_code == 200
    token = csrf_token(client, f"/c/{cid}/mc")
    assert client.post(_api(cid), json={"action": "next"}).status_code == 400  # no CSRF
    r = client.post(_api(cid), json={"action": "next"}, headers={"X-CSRFToken": token})
    assert r.status_code == 200 and r.get_json()["step"]["index"] == 1


def test_the_screens_render_before_any_script(sqlite_app):
    cid, _links, _mc = _setup(sqlite_app)
    client = sqlite_app.test_client()
    audience = client.get(f"/c/{cid}").get_data(as_text=True)
    assert "Ổn định tổ chức" in audience and "Đội Xã Đăk Kôi" in audience
    projector = client.get(f"/c/{cid}/projector").get_data(as_text=True)
    assert "Quét mã để theo dõi" in projector and f"/c/{cid}/qr.svg" in projector
    qr = client.get(f"/c/{cid}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    for page in (audience, projector):
        assert "<script>" not in page and "style=" not in page  # CSP: no inline code or style
    assert client.get(f"/c/{cid + 5}/projector").status_code == 404


def test_the_stage_survives_a_new_app_on_the_same_database(tmp_path):
    first = make_app(tmp_path)
    cid, _links, mc = _setup(first)
    client = first.test_client()
    for _ in range(5):
        view = _press(client, cid, mc, action="next")
    view = _press(client, cid, mc, action="start")
    deadline = view["timer"]["deadline_ms"]
    from contest.extensions import db
    with first.app_context():
        db.engine.dispose()

    second = make_app(tmp_path)  # same instance folder, same SQLite file
    again = second.test_client().get(_api(cid)).get_json()
    assert again["step"]["index"] == view["step"]["index"] and again["version"] == view["version"]
    assert again["timer"]["state"] == "running" and again["timer"]["deadline_ms"] == deadline
    assert abs(again["timer"]["remaining_ms"] - (deadline - again["timer"]["server_ms"])) <= 1
    assert 170_000 < again["timer"]["remaining_ms"] <= 180_000
    with second.app_context():
        db.engine.dispose()


def test_answers_and_follow_ups_only_for_staff(app):
    cid, links, mc = _setup(app)
    client = app.test_client()
    _add_draw(app, cid, question="q2")
    question = _index_of(client, cid, mc, lambda s: s["kind"] == "question")
    _press(client, cid, mc, action="jump", step=question)

    public = client.get(_api(cid)).get_json()
    assert public["question"]["lot"] == 7
    assert public["question"]["question"]["text"].startswith("Văn bản nào quy định")
    assert len(public["question"]["question"]["choices"]) == 4
    assert set(public["question"]) == {"lot", "question"}
    from contest.extensions import db
    from question_bank.models import Question
    with app.app_context():
        q = db.session.query(Question).filter_by(contest_id=cid, key="q2").one()
        answer = q.answer
    assert answer and answer not in json.dumps(public, ensure_ascii=False)

    staff = client.get(_api(cid), headers=mc).get_json()
    assert staff["question"]["answer"] == answer and "follow_ups" in staff["question"]
    judge = next(iter(links["judges"].values()))["token"]
    assert client.get(_api(cid), headers=bearer(judge)).get_json()["question"]["answer"] == answer
    projector = client.get(f"/c/{cid}/projector").get_data(as_text=True)
    assert "Văn bản nào quy định" in projector and f"Đáp án" not in projector


def test_time_hands_the_conferral_over_to_the_answer(sqlite_app):
    from contest.services.access import AUDIENCE
    from contest.extensions import db
    from contest.models import Contest
    from contest.services import stage
    cid, _links, mc = _setup(sqlite_app)
    client = sqlite_app.test_client()
    confer = _index_of(client, cid, mc, lambda s: s["phase"] == "confer")
    _press(client, cid, mc, action="jump", step=confer)
    _press(client, cid, mc, action="auto_advance", auto_advance=True)
    view = _press(client, cid, mc, action="start")
    deadline = view["timer"]["deadline_ms"]
    with sqlite_app.test_request_context():
        assert stage.tick_contest(cid, deadline - 1) is False
        assert stage.tick_contest(cid, deadline + 500) is True
        after = stage.stage_view(db.session.get(Contest, cid), AUDIENCE)
    assert after["step"]["phase"] == "answer" and after["step"]["index"] == confer + 1
    assert after["timer"]["state"] == "running"
    assert after["timer"]["deadline_ms"] == deadline + 180_000  # not a millisecond lost


def test_the_ticker_runs_by_itself(tmp_path):
    import time
    app = make_app(tmp_path, STAGE_TICKER=True)
    cid, _links, mc = _setup(app)
    client = app.test_client()
    confer = _index_of(client, cid, mc, lambda s: s["phase"] == "confer")
    _press(client, cid, mc, action="jump", step=confer)
    _press(client, cid, mc, action="auto_advance", auto_advance=True)
    _press(client, cid, mc, action="start")
    # Pretend two minutes passed: move the stored deadline into the past.
    from contest.database import write_transaction
    from contest.models import StageRecord
    with app.app_context(), write_transaction() as session:
        record = session.get(StageRecord, cid)
        state = dict(record.state)
        state["timer"] = dict(state["timer"], deadline_ms=state["timer"]["deadline_ms"] - 120_000)
        record.state = state
    _press(client, cid, mc, action="auto_advance", auto_advance=True)  # refreshes the watch list
    for _ in range(30):
        if client.get(_api(cid)).get_json()["step"]["phase"] == "answer":
            break
        time.sleep(0.1)
    assert client.get(_api(cid)).get_json()["step"]["phase"] == "answer"


def test_overtime_is_recorded_for_the_jury(sqlite_app, monkeypatch):
    from contest.services import stage
    cid, _links, mc = _setup(sqlite_app)
    client = sqlite_app.test_client()
    answer = _index_of(client, cid, mc, lambda s: s["phase"] == "answer")
    _press(client, cid, mc, action="jump", step=answer)
    start = _press(client, cid, mc, action="start")["timer"]["deadline_ms"] - 180_000
    monkeypatch.setattr(stage, "now_ms", lambda: start + 180_000 + 45_000)
    view = _press(client, cid, mc, action="pause")
    assert view["timer"]["remaining_ms"] == -45_000
    row = view["overtime"][0]
    assert (row["team"], row["part"], row["phase"], row["ms"], row["seconds"]) == (
        "dak-rve", "quiz", "answer", 45_000, 45)
    assert row["team_name"] == "Đội Thị trấn Đăk Rve" and row["phase_name"] == "Trả lời"
    assert "overtime" not in client.get(_api(cid)).get_json()  # not for the audience
    with sqlite_app.app_context():
        from contest.extensions import db
        from contest.models import Contest
        rows = stage.overtime(db.session.get(Contest, cid))
    assert rows == [{"team": "dak-rve", "part": "quiz", "phase": "answer", "ms": 45_000, "penalty": 0.0}]


# --------------------------------------------------------------------------- the ceremony


def _rules(app, cid):
    from contest.extensions import db
    from contest.models import Contest
    with app.app_context():
        return db.session.get(Contest, cid).rules


def test_reveal_slots_go_from_the_lowest_prize_up(sqlite_app):
    from contest.core.ceremony import prize_height, reveal_slots
    cid = make_contest(sqlite_app)
    rules = _rules(sqlite_app, cid)
    slots = reveal_slots(rules)
    assert [s.id for s in slots] == [
        "best_actor#1", "best_presenter#1", "best_answerer#1", "best_skit#1",
        "encouragement#1", "encouragement#2", "encouragement#3", "third#1", "third#2",
        "second#1", "first#1"]
    heights = [prize_height(rules, s.prize) for s in slots]
    assert heights == sorted(heights)  # a reveal never shows a higher prize before a lower one


def test_a_slot_shows_ties_and_gaps_before_winners(sqlite_app):
    from contest.core.ceremony import resolve_slot, reveal_slots
    cid = make_contest(sqlite_app)
    slots = {s.id: s for s in reveal_slots(_rules(sqlite_app, cid))}
    prizes = {"awards": [{"prize": "third", "kind": "collective", "team": "a", "amount": 1},
                         {"prize": "first", "kind": "collective", "team": "z", "amount": 1}],
              "ties": [{"key": "t", "kind": "collective", "candidates": ["b", "c"],
                        "prizes": ["third", ""], "slots": 1, "rank": 3}],
              "unawarded": [{"prize": "encouragement", "slots": 3}]}
    assert resolve_slot(slots["third#1"], prizes)["status"] == "tie"
    assert resolve_slot(slots["third#2"], prizes)["team"] == "a"
    assert [resolve_slot(slots[f"encouragement#{n}"], prizes)["status"] for n in (1, 2, 3)] == [
        "unawarded"] * 3
    assert resolve_slot(slots["second#1"], prizes)["status"] == "unawarded"
    assert resolve_slot(slots["first#1"], prizes)["team"] == "z"
    assert resolve_slot(slots["first#1"], None)["status"] == "pending"


def test_the_mc_cannot_skip_to_a_higher_prize(sqlite_app, monkeypatch):
    from contest.services import stage
    cid, _links, mc = _setup(sqlite_app)
    client = sqlite_app.test_client()
    prizes = {"awards": [{"prize": "first", "kind": "collective", "team": "dak-koi", "amount": 5000000},
                         {"prize": "best_actor", "kind": "individual", "member": "m-x", "amount": 1}],
              "ties": [{"key": "t", "kind": "individual", "candidates": ["m1", "m2"],
                        "prizes": ["best_presenter", ""], "slots": 1, "rank": None}],
              "unawarded": []}
    monkeypatch.setattr(stage.model, "_prizes", lambda contest: prizes)
    steps = client.get(_api(cid) + "?steps=1", headers=mc).get_json()["steps_list"]
    results = next(s["index"] for s in steps if s["kind"] == "results")
    first = next(s["index"] for s in steps if s["prize"] == "first#1")
    r = client.post(_api(cid), json={"action": "jump", "step": first}, headers=mc)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "step"
    _press(client, cid, mc, action="jump", step=results)
    seen = []
    for _ in range(11):
        view = _press(client, cid, mc, action="next")
        seen.append(view["award"])
    assert [a["prize"] for a in seen][-2:] == ["second", "first"]
    assert seen[-1]["winner"] == "Đội Xã Đăk Kôi" and seen[-1]["amount_text"] == "5.000.000 đ"
    assert seen[-1]["status"] == "awarded" and "Đội Xã Đăk Kôi" in view["cue"]
    assert seen[1]["status"] == "tie" and seen[1]["text"] == TIE_TEXT and seen[1]["winner"] is None
    public = client.get(_api(cid)).get_json()
    assert len(public["awards"]) == 11 and public["award"]["prize"] == "first"
    # Once shown, a reveal may be shown again (going back is allowed).
    _press(client, cid, mc, action="jump", step=results + 1)
    _press(client, cid, mc, action="jump", step=first)


def test_openapi_declares_the_stage(sqlite_app):
    spec = sqlite_app.test_client().get("/api/openapi.json").get_json()
    ops = spec["paths"]["/v1/contests/{id}/stage"]
    assert {"get", "post"} <= set(ops)
    assert "409" in ops["post"]["responses"]


def test_a_press_reuses_the_run_of_show_until_a_setup_change(sqlite_app):
    """The run of show is built once per revision: a press reads no team or contest row, and
    renaming a team (a setup change) shows the new name at the next press."""
    from sqlalchemy import event

    from contest.extensions import db
    from contest.services.audit import Actor
    from contest.services.setup_roster import save_team
    app = sqlite_app
    cid, _links, mc = _setup(app)
    client = app.test_client()
    _press(client, cid, mc, action="next")  # builds it once
    seen: list[str] = []
    with app.app_context():
        engine = db.engine
    listen = lambda _c, _cur, statement, *_a: seen.append(" ".join(statement.split()))  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        view = _press(client, cid, mc, action="next")
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert not [s for s in seen if s.startswith("SELECT team.")], seen
    assert len([s for s in seen if s.startswith("SELECT contest.")]) == 1, seen  # the route's 404 check
    step = _index_of(client, cid, mc, lambda s: s.get("team") == "dak-koi")
    with app.app_context():
        from contest.models import Contest, Team
        contest = db.session.get(Contest, cid)
        team = db.session.query(Team).filter_by(contest_id=cid, key="dak-koi").one()
        save_team(cid, contest.revision, {"name": "Đội Đắk Kôi (đổi tên)", "unit": team.unit_id},
                  Actor.cli(), team_id=team.id)
    view = _press(client, cid, mc, action="jump", step=step)
    assert view["step"]["team_name"] == "Đội Đắk Kôi (đổi tên)", view["step"]
