"""The run of show follows the rules' ``drawn`` flag: the lot-draw, question and follow-up
steps, and the question on stage, belong to exactly the parts with ``drawn: true`` (whatever
their key or phases), and change when the organisers tick another part."""

from __future__ import annotations

from conftest import bearer, demo_document, make_contest, tokens_of


def _api(cid: int) -> str:
    return f"/api/v1/contests/{cid}/stage"


def _steps(client, cid, headers) -> list[dict]:
    return client.get(_api(cid) + "?steps=1", headers=headers).get_json()["steps_list"]


def _drawn_parts(steps: list[dict], kind: str) -> set[str]:
    return {s["part"] for s in steps if s["kind"] == kind}


def test_the_steps_follow_the_flag(app):
    doc = demo_document()
    parts = doc["contest"]["rules"]["parts"]
    parts[1]["drawn"], parts[2]["drawn"] = True, False         # the skit, not the quiz
    cid = make_contest(app, doc)
    links = tokens_of(app, cid)
    mc, organiser = bearer(links["mc"]["token"]), bearer(links["organiser"]["token"])
    client = app.test_client()

    steps = _steps(client, cid, mc)
    for kind in ("draw", "question", "follow_up"):
        assert _drawn_parts(steps, kind) == {"skit"}, kind
    first = [(s["kind"], s["part"]) for s in steps if s.get("team") == "dak-rve"]
    assert first[first.index(("phase", "skit")) - 2:first.index(("scoring", "skit")) + 1] == [
        ("draw", "skit"), ("question", "skit"), ("phase", "skit"), ("follow_up", "skit"),
        ("scoring", "skit")]
    assert ("phase", "quiz") in first and ("draw", "quiz") not in first
    assert len(first) == 1 + 2 + 5 + 3     # team; intro; skit drawn; quiz: two phases, scoring

    # the drawn question shows on the skit's steps, not on the quiz's
    from question_bank.models import Draw

    from contest.database import write_transaction
    with app.app_context(), write_transaction() as session:
        session.add(Draw(contest_id=cid, kind="questions", lot=3, team_key="dak-rve", value="q2"))
    at_skit = next(s["index"] for s in steps if s["kind"] == "question" and s["team"] == "dak-rve")
    view = client.post(_api(cid), json={"action": "jump", "step": at_skit}, headers=mc).get_json()
    assert view["question"]["lot"] == 3
    at_quiz = next(s["index"] for s in steps if s["kind"] == "phase" and s["part"] == "quiz"
                   and s["team"] == "dak-rve")
    view = client.post(_api(cid), json={"action": "jump", "step": at_quiz}, headers=mc).get_json()
    assert view["question"] is None

    # questions needed on the checklist: one per team for the skit only
    checklist = client.get(f"/api/v1/contests/{cid}/setup", headers=organiser).get_json()["checklist"]
    questions = next(s for s in checklist if s["key"] == "questions")
    assert "cần 7 +" in questions["summary"]


def test_ticking_a_part_changes_the_steps(app):
    cid = make_contest(app)
    links = tokens_of(app, cid)
    mc, organiser = bearer(links["mc"]["token"]), bearer(links["organiser"]["token"])
    client = app.test_client()
    assert _drawn_parts(_steps(client, cid, mc), "draw") == {"quiz"}     # the default
    intro = client.get(f"/api/v1/contests/{cid}/document", headers=organiser).get_json()
    intro = intro["contest"]["rules"]["parts"][0]
    r = client.put(f"/api/v1/contests/{cid}/rules/parts/intro", json=dict(intro, drawn=True),
                   headers=organiser)
    assert r.status_code == 200, r.get_json()
    steps = _steps(client, cid, mc)
    assert _drawn_parts(steps, "draw") == _drawn_parts(steps, "follow_up") == {"intro", "quiz"}
