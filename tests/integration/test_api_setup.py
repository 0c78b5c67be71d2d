"""Every setup action the screens offer is also in the API, by document keys."""

from __future__ import annotations

from conftest import bearer, make_contest, tokens_of


def _org(app, cid):
    return bearer(tokens_of(app, cid)["organiser"]["token"])


def test_setup_roundtrip_through_the_api(client, app):
    cid = make_contest(app)
    h = _org(app, cid)
    state = client.get(f"/api/v1/contests/{cid}/setup", headers=h).get_json()
    rev = state["revision"]
    assert state["checklist"]
    r = client.put(f"/api/v1/contests/{cid}", json={"name": "Hội thi thử", "organizer": "UBND",
                                                     "date": "2024-05-01", "venue": "Hội trường",
                                                     "revision": rev}, headers=h)
    assert r.status_code == 200, r.get_json()
    stale = client.put(f"/api/v1/contests/{cid}", json={"name": "X", "revision": rev}, headers=h)
    assert stale.status_code == 409
    r = client.post(f"/api/v1/contests/{cid}/units", json={"name": "Xã Mới"}, headers=h)
    assert r.status_code == 201, r.get_json()
    unit = r.get_json()["key"]
    r = client.post(f"/api/v1/contests/{cid}/teams", json={"name": "Đội Xã Mới", "unit": unit}, headers=h)
    assert r.status_code == 201, r.get_json()
    team = r.get_json()["key"]
    r = client.post(f"/api/v1/contests/{cid}/members",
                    json={"team": team, "name": "Nguyễn Thị Mai", "kind": "member", "roles": ["skit"]}, headers=h)
    assert r.status_code == 201, r.get_json()
    member = r.get_json()["key"]
    r = client.put(f"/api/v1/contests/{cid}/members/{member}",
                   json={"name": "Nguyễn Thị Mai", "position": "Công chức", "roles": ["intro"]}, headers=h)
    assert r.status_code == 200, r.get_json()
    bad = client.post(f"/api/v1/contests/{cid}/members", json={"team": team, "name": "A", "roles": ["dance"]},
                      headers=h)
    assert bad.status_code == 400 and "dance" in bad.get_json()["error"]["message"]
    r = client.post(f"/api/v1/contests/{cid}/judges", json={"name": "Giám khảo Sáu", "head": False}, headers=h)
    assert r.status_code == 201
    assert r.get_json()["key"] in tokens_of(app, cid)["judges"]
    r = client.put(f"/api/v1/contests/{cid}/rules/general",
                   json={"max_members": 15, "max_guests": 4, "aggregation": "median", "decimals": 2,
                         "score_step": 0.5, "tie_break": ["skit", "quiz", "intro"]}, headers=h)
    assert r.status_code == 200, r.get_json()
    bad = client.put(f"/api/v1/contests/{cid}/rules/general",
                     json={"max_members": 3, "max_guests": 4, "aggregation": "mean", "decimals": 2,
                           "score_step": 0.5, "tie_break": []}, headers=h)
    assert bad.status_code == 400, bad.get_json()  # teams already have more than 3 members
    assert client.delete(f"/api/v1/contests/{cid}/members/{member}", json={}, headers=h).status_code == 200
    assert client.delete(f"/api/v1/contests/{cid}/teams/nope", json={}, headers=h).status_code == 404


def test_reissue_and_roles(client, app):
    cid = make_contest(app)
    links = tokens_of(app, cid)
    judge = links["judges"]["j2"]
    h = _org(app, cid)
    assert client.post(f"/api/v1/contests/{cid}/units", json={"name": "X"},
                       headers=bearer(judge["token"])).status_code == 403
    assert client.post(f"/api/v1/contests/{cid}/units", json={"name": "X"}).status_code in (400, 401)
    r = client.post(f"/api/v1/contests/{cid}/tokens/{judge['id']}/reissue", json={}, headers=h)
    assert r.status_code == 201
    assert client.get(f"/api/v1/contests/{cid}/stage", headers=bearer(judge["token"])).status_code == 401
    assert r.get_json()["links"]["judges"]["j2"]["token"] != judge["token"]


def test_drawn_through_the_api(client, app):
    from contest.core.show import default_draw_parts
    from contest.extensions import db
    from contest.models import Contest
    cid = make_contest(app)
    h = _org(app, cid)

    def state():
        with app.app_context():
            contest = db.session.get(Contest, cid)
            return default_draw_parts(contest.rules), [p.get("drawn") for p in contest.rules_data["parts"]]

    skit = dict(client.get(f"/api/v1/contests/{cid}/document", headers=h).get_json()["contest"]["rules"]["parts"][1])
    # saying what the default already says writes nothing
    r = client.put(f"/api/v1/contests/{cid}/rules/parts/skit", json=dict(skit, drawn=False), headers=h)
    assert r.status_code == 200, r.get_json()
    assert state() == (("quiz",), [None, None, None])
    bad = client.put(f"/api/v1/contests/{cid}/rules/parts/skit", json=dict(skit, drawn="yes"), headers=h)
    assert bad.status_code == 400
    assert bad.get_json()["error"]["field"] == "rules.parts[1].drawn"
    # drawing the skit too writes the flag on every part, the quiz keeping its default
    r = client.put(f"/api/v1/contests/{cid}/rules/parts/skit", json=dict(skit, drawn=True), headers=h)
    assert r.status_code == 200, r.get_json()
    assert state() == (("skit", "quiz"), [False, True, True])
    # a body without drawn keeps what the part said
    r = client.put(f"/api/v1/contests/{cid}/rules/parts/skit", json=dict(skit, name="Tiểu phẩm"), headers=h)
    assert r.status_code == 200, r.get_json()
    assert state() == (("skit", "quiz"), [False, True, True])
    quiz = client.get(f"/api/v1/contests/{cid}/document", headers=h).get_json()["contest"]["rules"]["parts"][2]
    r = client.put(f"/api/v1/contests/{cid}/rules/parts/quiz", json=dict(quiz, drawn=False), headers=h)
    assert r.status_code == 200 and state()[0] == ("skit",)
    r = client.put(f"/api/v1/contests/{cid}/rules/parts/skit", json=dict(skit, drawn=False), headers=h)
    assert r.status_code == 200, r.get_json()
    assert state() == ((), [False, False, False])   # unticking the last one does not bring the default back
