"""Two people editing the same thing at once: the later write is refused with 409 and a clear
Vietnamese message, and the earlier one stays. Never a silent overwrite.

- two tabs of the secretary on the same team (the setup forms carry the contest's revision);
- two MC consoles pressing on the same stage (presses carry the stage version);
- two tabs of the jury head deciding the same penalty / tie (``expected``) or locking a part;
- the secretary typing a paper sheet while the judge's tablet sends the same sheet.
"""

from __future__ import annotations

from conftest import bearer, make_contest, tokens_of
from reliability_support import db_diff, form_fields, signed_in, snapshot_db


def _team(app, cid, key="dak-rve"):
    from contest.extensions import db
    from contest.models import Team
    with app.app_context():
        t = db.session.scalar(db.select(Team).where(Team.contest_id == cid, Team.key == key))
        return t.id, t.name


def test_two_tabs_of_the_secretary_on_one_team(sqlite_app):
    app = sqlite_app
    cid = make_contest(app)
    team_id, name = _team(app, cid)
    sec = signed_in(app, cid, "organiser")
    url = f"/c/{cid}/setup/teams/{team_id}"
    tab_a = form_fields(sec.client.get(url).get_data(as_text=True), "")
    tab_b = form_fields(sec.client.get(url).get_data(as_text=True), "")
    assert tab_a["revision"] == tab_b["revision"] and tab_a["name"] == name

    r = sec.client.post(url, data=dict(tab_a, name="Đội Đăk Rve (tab A)"))
    assert r.status_code in (200, 302), r.status_code
    before = snapshot_db(app)
    r = sec.client.post(url, data=dict(tab_b, name="Đội Đăk Rve (tab B)"))
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "tải lại" in page  # the message says what to do
    assert "Đội Đăk Rve (tab B)" in page  # what was typed is kept on the form
    assert db_diff(before, snapshot_db(app)) == {}
    assert _team(app, cid)[1] == "Đội Đăk Rve (tab A)"


def test_two_mc_consoles(sqlite_app):
    app = sqlite_app
    cid = make_contest(app)
    mc = tokens_of(app, cid)["mc"]["token"]
    client = app.test_client()
    seen = client.get(f"/api/v1/contests/{cid}/stage", headers=bearer(mc)).get_json()["version"]
    first = client.post(f"/api/v1/contests/{cid}/stage", json={"action": "next", "version": seen},
                        headers=bearer(mc))
    assert first.status_code == 200
    before = snapshot_db(app)
    second = client.post(f"/api/v1/contests/{cid}/stage", json={"action": "next", "version": seen},
                         headers=bearer(mc))
    assert second.status_code == 409
    error = second.get_json()["error"]
    assert error["field"] == "version" and len(error["message"]) > 20
    assert db_diff(before, snapshot_db(app)) == {}
    now = client.get(f"/api/v1/contests/{cid}/stage", headers=bearer(mc)).get_json()
    assert now["step"]["index"] == 1  # one press, not two


def test_two_tabs_of_the_jury_head(sqlite_app):
    app = sqlite_app
    cid = make_contest(app)
    head = tokens_of(app, cid)["judges"]["j1"]["token"]
    client = app.test_client()
    api = f"/api/v1/contests/{cid}"
    # both tabs saw no penalty for dak-rve/skit (expected: null) and confirm a different one
    a = client.post(f"{api}/penalties", json={"team": "dak-rve", "part": "skit", "points": 1,
                                               "reason": "Quá giờ 40 giây", "expected": None},
                    headers=bearer(head))
    assert a.status_code == 201, a.get_json()
    before = snapshot_db(app)
    b = client.post(f"{api}/penalties", json={"team": "dak-rve", "part": "skit", "points": 2,
                                               "reason": "Quá giờ 70 giây", "expected": None},
                    headers=bearer(head))
    assert b.status_code == 409 and b.get_json()["error"]["code"] == "stale"
    assert "máy khác" in b.get_json()["error"]["message"]
    assert db_diff(before, snapshot_db(app)) == {}
    # both tabs lock the same part
    assert client.post(f"{api}/locks", json={"part": "intro", "force": True, "reason": "Đủ phiếu giấy"},
                       headers=bearer(head)).status_code == 201
    before = snapshot_db(app)
    again = client.post(f"{api}/locks", json={"part": "intro", "force": True, "reason": "Đủ phiếu"},
                        headers=bearer(head))
    assert again.status_code == 409
    assert db_diff(before, snapshot_db(app)) == {}


def test_secretary_paper_sheet_against_the_judges_tablet(sqlite_app):
    app = sqlite_app
    cid = make_contest(app)
    links = tokens_of(app, cid)
    judge = links["judges"]["j2"]["token"]
    sec = signed_in(app, cid, "organiser", links)
    url = f"/c/{cid}/paper"
    # the secretary opens the paper form for j2 / dak-rve / intro (no sheet yet) ...
    form = form_fields(sec.client.get(f"{url}?judge=j2&team=dak-rve&part=intro").get_data(as_text=True), url)
    # ... while the judge's tablet, back online, sends its sheet
    r = app.test_client().post(f"/api/v1/contests/{cid}/scores", headers=bearer(judge), json={
        "team": "dak-rve", "part": "intro", "id": "tablet-1", "criteria": {"content": 8, "delivery": 7}})
    assert r.status_code == 201
    before = snapshot_db(app)
    form.update({"judge": "j2", "team": "dak-rve", "criteria.content": "5", "criteria.delivery": "5"})
    r = sec.client.post(url, data=form)
    assert r.status_code == 409
    assert db_diff(before, snapshot_db(app)) == {}
    page = r.get_data(as_text=True)
    assert "15" in page  # the tablet's numbers (8 + 7) are shown before any replacement
    # saving again from the refreshed form is a conscious replacement
    again = form_fields(page, url)
    again.update({"criteria.content": "5", "criteria.delivery": "5"})
    r = sec.client.post(url, data=again)
    assert r.status_code == 302
    sheets = app.test_client().get(f"/api/v1/contests/{cid}/scores", headers=bearer(judge)).get_json()["sheets"]
    assert [(s["team"], s["total"]) for s in sheets] == [("dak-rve", 10)]
