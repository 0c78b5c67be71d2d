"""The score API (CONTRACT section 4): idempotent sheets, replacement, locks, who may submit,
errors naming the field, nominations, standings by results mode, prizes, the audit log."""

from __future__ import annotations

import random

from conftest import bearer, csrf_token, make_contest, tokens_of

INTRO = {"content": 8, "delivery": 7.5}


def _setup(app):
    cid = make_contest(app)
    return cid, tokens_of(app, cid)


def _judge(links, key="j2"):
    return bearer(links["judges"][key]["token"])


def _sheet(team="dak-rve", part="intro", criteria=None, id="s-1", **extra):
    return {"team": team, "part": part, "criteria": criteria if criteria is not None else dict(INTRO), "id": id, **extra}


def _post(client, cid, headers, body):
    return client.post(f"/api/v1/contests/{cid}/scores", json=body, headers=headers)


def _count(app, model, cid):
    from sqlalchemy import func, select

    from contest.extensions import db
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(model.contest_id == cid))


def _audit(app, cid, prefix=""):
    from contest.services.audit import entries, to_dict
    with app.app_context():
        return [to_dict(e) for e in entries(cid) if e.action.startswith(prefix)]


def test_same_id_twice_stores_one_sheet_and_answers_the_same(app):
    from contest.models import ScoreSheet, SheetReceipt
    cid, links = _setup(app)
    client = app.test_client()
    first = _post(client, cid, _judge(links), _sheet())
    assert first.status_code == 201
    assert first.get_json() == {"id": "s-1", "team": "dak-rve", "part": "intro", "total": 15.5,
                                "stored": True, "replaced": False}
    again = _post(client, cid, _judge(links), _sheet())
    assert again.status_code == 200 and again.get_json() == first.get_json()

    # shuffled duplicates of five more sheets, as a tablet retrying on bad Wi-Fi sends them
    teams = ["dak-koi", "dak-to-lung", "dak-ruong", "tan-lap", "dak-to-re"]
    deliveries = [_sheet(team=t, id=f"x-{t}") for t in teams for _ in range(3)]
    random.Random(7).shuffle(deliveries)
    answers = {}
    for body in deliveries:
        r = _post(client, cid, _judge(links), body)
        assert r.status_code in (200, 201)
        answers.setdefault(body["id"], []).append(r.get_json())
    assert all(len({str(a) for a in got}) == 1 for got in answers.values())
    assert _count(app, ScoreSheet, cid) == 6
    assert _count(app, SheetReceipt, cid) == 6
    assert len(_audit(app, cid, "sheet.create")) == 6


def test_a_later_sheet_replaces_and_an_old_id_changes_nothing(app):
    cid, links = _setup(app)
    client = app.test_client()
    assert _post(client, cid, _judge(links), _sheet(id="a")).status_code == 201
    r = _post(client, cid, _judge(links), _sheet(id="b", criteria={"content": 9, "delivery": 9}))
    assert r.status_code == 201 and r.get_json()["replaced"] is True and r.get_json()["total"] == 18
    late = _post(client, cid, _judge(links), _sheet(id="a"))  # a delayed retry of the first
    assert late.status_code == 200 and late.get_json()["total"] == 15.5
    mine = client.get(f"/api/v1/contests/{cid}/scores", headers=_judge(links)).get_json()["sheets"]
    assert [(s["id"], s["total"]) for s in mine] == [("b", 18)]
    change = _audit(app, cid, "sheet.replace")
    assert len(change) == 1
    assert change[0]["old"]["criteria"] == {"content": 8, "delivery": 7.5}
    assert change[0]["new"]["criteria"] == {"content": 9, "delivery": 9}
    assert change[0]["actor"] == "judge:j2" and change[0]["target"] == "j2/dak-rve/intro"
    # the same id with other numbers is a client bug, never silently dropped
    clash = _post(client, cid, _judge(links), _sheet(id="b", criteria={"content": 1, "delivery": 1}))
    assert clash.status_code == 409 and clash.get_json()["error"]["field"] == "id"


def test_lock_refuses_changes_until_the_head_unlocks_with_a_reason(app):
    cid, links = _setup(app)
    client = app.test_client()
    head, judge = _judge(links, "j1"), _judge(links, "j2")
    organiser = bearer(links["organiser"]["token"])
    assert _post(client, cid, judge, _sheet(id="a")).status_code == 201
    locks = f"/api/v1/contests/{cid}/locks"

    r = client.post(locks, json={"part": "intro"}, headers=head)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "incomplete"
    assert client.post(locks, json={"part": "intro"}, headers=judge).status_code == 403
    r = client.post(locks, json={"part": "intro", "force": True, "reason": ""}, headers=head)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    r = client.post(locks, json={"part": "intro", "force": True, "reason": "Giám khảo vắng"},
                    headers=organiser)
    assert r.status_code == 201 and r.get_json()["locked"] == ["intro"]
    again = client.post(locks, json={"part": "intro", "force": True, "reason": "lần hai"}, headers=head)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "stale"

    r = _post(client, cid, judge, _sheet(id="b", criteria={"content": 10, "delivery": 10}))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "locked"
    assert _post(client, cid, judge, _sheet(id="a")).status_code == 200  # a replay still answers
    r = _post(client, cid, _judge(links, "j3"), _sheet(id="c"))
    assert r.status_code == 409  # nor a first sheet after the lock

    unlock = f"/api/v1/contests/{cid}/locks/intro/unlock"
    assert client.post(unlock, json={"reason": "sửa điểm"}, headers=organiser).status_code == 403
    assert client.post(unlock, json={"reason": "sửa điểm"}, headers=judge).status_code == 403
    r = client.post(unlock, json={}, headers=head)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    r = client.post(unlock, json={"reason": "Giám khảo Hồng nhập nhầm"}, headers=head)
    assert r.status_code == 200 and r.get_json()["unlocked"] == ["intro"]
    assert client.post(unlock, json={"reason": "lần hai"}, headers=head).status_code == 409
    assert _post(client, cid, judge, _sheet(id="b", criteria={"content": 10, "delivery": 10})).status_code == 201

    log = _audit(app, cid, "part.")
    assert [(e["action"], e["reason"]) for e in log] == [
        ("part.lock", "Giám khảo vắng"), ("part.unlock", "Giám khảo Hồng nhập nhầm")]
    assert log[0]["old"] == {"locked": False} and log[1]["new"] == {"locked": False}


def test_lock_all_once_complete(sqlite_app):
    app = sqlite_app
    cid, links = _setup(app)
    _fill(app, cid)
    client = app.test_client()
    r = client.post(f"/api/v1/contests/{cid}/locks", json={"part": "all"}, headers=_judge(links, "j1"))
    assert r.status_code == 201 and set(r.get_json()["locks"]) == {"intro", "skit", "quiz"}
    r = client.post(f"/api/v1/contests/{cid}/nominations", json={"prize": "best_actor", "member": "dak-rve-m2"},
                    headers=_judge(links))
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "locked"


def test_a_judge_never_submits_as_another(app):
    from contest.models import ScoreSheet
    cid, links = _setup(app)
    client = app.test_client()
    r = _post(client, cid, _judge(links, "j1"), _sheet(judge="j2"))
    assert r.status_code == 403 and r.get_json()["error"]["field"] == "judge"
    r = _post(client, cid, _judge(links, "j1"), _sheet(judge="j1"))  # naming oneself is fine
    assert r.status_code == 201
    assert _post(client, cid, bearer(links["organiser"]["token"]), _sheet(id="o")).status_code == 403
    assert _post(client, cid, bearer(links["mc"]["token"]), _sheet(id="m")).status_code == 403
    assert _post(client, cid, {}, _sheet(id="anon")).status_code in (400, 401)  # CSRF first
    other = make_contest(app)
    r = _post(client, other, _judge(links, "j1"), _sheet(id="x"))
    assert r.status_code == 403
    assert _count(app, ScoreSheet, cid) == 1 and _count(app, ScoreSheet, other) == 0
    # the same client id from two judges is two sheets: ids are per judge
    assert _post(client, cid, _judge(links, "j2"), _sheet(judge="j2")).status_code == 201


BAD_SHEETS = [
    (_sheet(criteria={"content": 11, "delivery": 5}), "criteria.content"),
    (_sheet(criteria={"content": 7.25, "delivery": 5}), "criteria.content"),
    (_sheet(criteria={"content": -0.5, "delivery": 5}), "criteria.content"),
    (_sheet(criteria={"content": "tám", "delivery": 5}), "criteria.content"),
    (_sheet(criteria={"content": True, "delivery": 5}), "criteria.content"),
    (_sheet(criteria={"content": 5}), "criteria.delivery"),
    (_sheet(criteria={"content": 5, "delivery": 5, "acting": 5}), "criteria.acting"),
    (_sheet(criteria=[5, 5]), "criteria"),
    (_sheet(team="khong-co"), "team"),
    (_sheet(part="dance"), "part"),
    (_sheet(id=""), "id"),
    (_sheet(id="có dấu cách"), "id"),
    (_sheet(id="x" * 101), "id"),
    (_sheet(comment="x" * 2001), "comment"),
]


def test_bad_sheets_are_refused_naming_the_field(sqlite_app):
    from contest.models import AuditEntry, ScoreSheet
    app = sqlite_app
    cid, links = _setup(app)
    client = app.test_client()
    before = _count(app, AuditEntry, cid)
    for body, field in BAD_SHEETS:
        r = _post(client, cid, _judge(links), body)
        assert r.status_code == 400, (body, r.get_json())
        error = r.get_json()["error"]
        assert error["field"] == field, (body, error)
        assert error["message"] and not error["message"].isascii()  # Vietnamese
    assert _count(app, ScoreSheet, cid) == 0 and _count(app, AuditEntry, cid) == before
    r = _post(client, cid, _judge(links), _sheet(criteria={"content": 11, "delivery": 5}))
    assert "tối đa 10" not in r.get_json()["error"]["message"] or "Nội dung" in r.get_json()["error"]["message"]


def test_body_must_be_json(sqlite_app):
    cid, links = _setup(sqlite_app)
    r = sqlite_app.test_client().post(f"/api/v1/contests/{cid}/scores", data="x", headers=_judge(links))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "body"


def test_the_tablet_session_needs_csrf(sqlite_app):
    app = sqlite_app
    cid, links = _setup(app)
    client = app.test_client()
    assert client.get(links["judges"]["j2"]["url"].replace("http://testserver", "")).status_code == 302
    assert _post(client, cid, {}, _sheet()).status_code == 400  # no CSRF header
    token = csrf_token(client, f"/c/{cid}/judge")
    r = _post(client, cid, {"X-CSRFToken": token, "X-Hoithi-Device": "tablet-ab12"}, _sheet())
    assert r.status_code == 201
    assert "tablet-ab12" in _audit(app, cid, "sheet.")[0]["device"]
    fresh = client.get(f"/c/{cid}/judge/session").get_json()
    assert fresh["judge"] == "j2" and fresh["csrf"]


def test_nominations_only_for_performers_of_the_prize_part(app):
    cid, links = _setup(app)
    client = app.test_client()
    url = f"/api/v1/contests/{cid}/nominations"
    # dak-rve-m1 performs the introduction only; dak-rve-m2 and -m3 act in the skit
    r = client.post(url, json={"prize": "best_actor", "member": "dak-rve-m1"}, headers=_judge(links))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "member"
    assert "không tham gia" in r.get_json()["error"]["message"]
    r = client.post(url, json={"prize": "first", "member": "dak-rve-m2"}, headers=_judge(links))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "prize"
    r = client.post(url, json={"prize": "best_actor", "member": "nobody"}, headers=_judge(links))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "member"
    assert client.post(url, json={"prize": "best_actor", "member": "dak-rve-m2"},
                       headers=bearer(links["mc"]["token"])).status_code == 403

    r = client.post(url, json={"prize": "best_actor", "member": "dak-rve-m2"}, headers=_judge(links))
    assert r.status_code == 200 and r.get_json()["replaced"] is False
    r = client.post(url, json={"prize": "best_actor", "member": "dak-rve-m3"}, headers=_judge(links))
    assert r.get_json()["replaced"] is True
    client.post(url, json={"prize": "best_actor", "member": "dak-rve-m3"}, headers=_judge(links))
    log = _audit(app, cid, "nomination.")
    assert [(e["old"], e["new"]["member"]) for e in log] == [
        (None, "dak-rve-m2"), ({"member": "dak-rve-m2"}, "dak-rve-m3")]
    prizes = client.get(f"/api/v1/contests/{cid}/prizes", headers=_judge(links)).get_json()
    actor = next(a for a in prizes["awards"] if a["prize"] == "best_actor")
    assert actor["member"] == "dak-rve-m3" and actor["member_name"]


def _fill(app, cid, *, skip=(), tweak=None):
    """Every judge scores every team on every part (the demo's numbers made up)."""
    from contest.extensions import db
    from contest.models import Contest
    from contest.services.scoring import apply_bulk
    rows = []
    with app.app_context():
        contest = db.session.get(Contest, cid)
        teams = [t.key for t in contest.teams]
        for j, judge in enumerate(j.key for j in contest.judges):
            for t, team in enumerate(teams):
                for part in contest.rules.parts:
                    if (judge, team, part.key) in skip:
                        continue
                    criteria = {c.key: max(0.0, float(c.max) - (t + j) % 3 * 0.5 - t)
                                for c in part.criteria}
                    if tweak:
                        criteria = tweak(judge, team, part.key, criteria)
                    rows.append({"judge": judge, "team": team, "part": part.key, "criteria": criteria})
        apply_bulk(contest, {"sheets": rows})
    return rows


def test_standings_are_hidden_from_the_audience_until_published(sqlite_app):
    app = sqlite_app
    cid, links = _setup(app)
    _fill(app, cid)
    client = app.test_client()
    url = f"/api/v1/contests/{cid}/standings"
    r = client.get(url)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "hidden"
    for who in (links["mc"]["token"], links["organiser"]["token"], links["judges"]["j4"]["token"]):
        staff = client.get(url, headers=bearer(who))
        assert staff.status_code == 200
    data = staff.get_json()
    assert data["complete"] is True and [t["rank"] for t in data["teams"]] == list(range(1, 8))
    assert set(data["teams"][0]) >= {"team", "rank", "total", "parts"}

    mc = bearer(links["mc"]["token"])
    stage = f"/api/v1/contests/{cid}/stage"
    assert client.post(stage, json={"action": "results", "mode": "live"}, headers=mc).status_code == 200
    assert client.get(url).get_json() == data
    assert client.post(stage, json={"action": "results", "mode": "frozen"}, headers=mc).status_code == 200
    frozen = client.get(url).get_json()
    # a change after the freeze reaches staff, not the audience
    head = _judge(links, "j1")
    r = _post(client, cid, head, _sheet(team="dak-pne", criteria={"content": 10, "delivery": 10}, id="late"))
    assert r.status_code == 201 and r.get_json()["replaced"] is True
    assert client.get(url).get_json()["teams"] == frozen["teams"]
    assert client.get(url, headers=mc).get_json() != frozen
    assert client.post(stage, json={"action": "results", "mode": "hidden"}, headers=mc).status_code == 200
    assert client.get(url).status_code == 403


def test_prizes_shape_and_a_tie_decided_by_the_head(app):
    cid, links = _setup(app)
    # dak-to-re and dak-pne end level on every part: they straddle third / encouragement
    def tweak(judge, team, part, criteria):
        if team in ("dak-to-re", "dak-pne"):
            return {k: float(v) for k, v in {c: 5 for c in criteria}.items()}
        if team in ("tan-lap", "dak-ruong"):
            return {c: 4.0 for c in criteria}
        return criteria
    _fill(app, cid, tweak=tweak)
    client = app.test_client()
    head, judge = _judge(links, "j1"), _judge(links, "j2")
    url = f"/api/v1/contests/{cid}/prizes"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(links["mc"]["token"])).status_code == 403
    data = client.get(url, headers=judge).get_json()
    assert set(data) >= {"awards", "ties", "unawarded", "budget", "complete"}
    for a in data["awards"]:
        assert {"prize", "amount", "name"} <= set(a) and ("team" in a or "member" in a)
    tie = next(t for t in data["ties"] if t["kind"] == "collective")
    assert sorted(tie["candidates"]) == ["dak-pne", "dak-to-re"] and tie["candidate_names"]

    ties = f"/api/v1/contests/{cid}/ties"
    body = {"tie": tie["key"], "order": ["dak-pne", "dak-to-re"], "reason": ""}
    r = client.post(ties, json=body, headers=head)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    body["reason"] = "Biểu quyết của Ban Giám khảo"
    assert client.post(ties, json=body, headers=judge).status_code == 403
    r = client.post(ties, json=dict(body, order=["dak-rve"]), headers=head)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "order"
    r = client.post(ties, json=dict(body, expected=None), headers=head)
    assert r.status_code == 201
    # a second tab that still saw the tie open is refused
    r = client.post(ties, json=dict(body, order=["dak-to-re", "dak-pne"], expected=None), headers=head)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "stale"
    after = client.get(url, headers=judge).get_json()
    assert tie["key"] not in {t["key"] for t in after["ties"]}
    won = {a["team"]: a for a in after["awards"] if a.get("team") in ("dak-pne", "dak-to-re")
           and a["kind"] == "collective"}
    assert won["dak-pne"]["prize"] == "third" and won["dak-pne"]["decided"] is True
    assert _audit(app, cid, "tie.")[0]["reason"] == "Biểu quyết của Ban Giám khảo"


def test_overtime_penalty_confirmed_by_the_head_reaches_the_standings(sqlite_app):
    from conftest import demo_document

    from contest.database import write_transaction
    from contest.models import StageRecord
    app = sqlite_app
    doc = demo_document()
    doc["contest"]["rules"]["parts"][2]["overtime_penalty"] = {"points": 1, "per_seconds": 30}
    cid = make_contest(app, doc)
    links = tokens_of(app, cid)
    _fill(app, cid)
    with app.app_context(), write_transaction() as s:
        s.add(StageRecord(contest_id=cid, version=0, state={"overtime": [
            {"team": "dak-rve", "part": "quiz", "phase": "answer", "ms": 45_000}]}))
    client = app.test_client()
    head = _judge(links, "j1")
    got = client.get(f"/api/v1/contests/{cid}/penalties", headers=head).get_json()
    assert got["overtime"][0]["suggested"] == 2 and got["penalties"] == []
    before = next(t for t in client.get(f"/api/v1/contests/{cid}/standings", headers=head)
                  .get_json()["teams"] if t["team"] == "dak-rve")

    url = f"/api/v1/contests/{cid}/penalties"
    assert client.post(url, json={"team": "dak-rve", "part": "quiz", "points": 2}, headers=_judge(links)).status_code == 403
    r = client.post(url, json={"team": "dak-rve", "part": "quiz", "points": 99}, headers=head)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "points"
    r = client.post(url, json={"team": "nobody", "part": "quiz", "points": 1}, headers=head)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "team"
    r = client.post(url, json={"team": "dak-rve", "part": "quiz", "points": 2, "expected": None}, headers=head)
    assert r.status_code == 201
    decision = r.get_json()["decision"]
    after = next(t for t in client.get(f"/api/v1/contests/{cid}/standings", headers=head)
                 .get_json()["teams"] if t["team"] == "dak-rve")
    assert after["penalty"] == 2 and after["total"] == before["total"] - 2

    r = client.post(url, json={"team": "dak-rve", "part": "quiz", "points": 1}, headers=head)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    r = client.post(url, json={"team": "dak-rve", "part": "quiz", "points": 1, "reason": "Đồng hồ bấm chậm",
                               "expected": decision - 1}, headers=head)
    assert r.status_code == 409
    r = client.post(url, json={"team": "dak-rve", "part": "quiz", "points": 1, "reason": "Đồng hồ bấm chậm",
                               "expected": decision}, headers=head)
    assert r.status_code == 201
    log = _audit(app, cid, "penalty.")
    assert [(e["old"], e["new"]["points"]) for e in log] == [(None, 2), ({"points": 2}, 1)]


def test_audit_log_view_and_exports(sqlite_app):
    import io

    from openpyxl import load_workbook
    app = sqlite_app
    cid, links = _setup(app)
    client = app.test_client()
    _post(client, cid, _judge(links), _sheet(id="a"))
    _post(client, cid, _judge(links), _sheet(id="b", criteria={"content": 1, "delivery": 1}))
    org = bearer(links["organiser"]["token"])
    data = client.get(f"/api/v1/contests/{cid}/audit?action=sheet.", headers=org).get_json()
    assert [e["action"] for e in data["entries"]] == ["sheet.create", "sheet.replace"]
    assert client.get(f"/api/v1/contests/{cid}/audit", headers=_judge(links)).status_code == 403
    head = _judge(links, "j1")
    assert client.get(f"/api/v1/contests/{cid}/audit", headers=head).status_code == 200
    page = client.get(f"/c/{cid}/audit?action=sheet.", headers=org)
    assert page.status_code == 200 and "Thay phiếu chấm" in page.get_data(as_text=True)
    exported = client.get(f"/c/{cid}/audit.json", headers=org)
    assert exported.get_json()["entries"][-1]["new"]["total"] == 2
    xlsx = client.get(f"/c/{cid}/audit.xlsx", headers=org)
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "STT" and any(r[5] == "sheet.replace" for r in rows[1:])
    assert client.get(f"/c/{cid}/audit.xlsx").status_code == 401
    # times in the hall's time zone (Vietnam, UTC+7) on the page and in the workbook; UTC in JSON
    from contest.core.text import local_time
    last = exported.get_json()["entries"][-1]["at"]
    assert last.endswith("Z")
    shown = local_time(last, "Asia/Ho_Chi_Minh")
    assert shown in page.get_data(as_text=True) and shown in [r[1] for r in rows[1:]]


def test_the_audit_log_cannot_be_changed_or_deleted(app):
    """Append-only is enforced, not a convention: an update or delete of an entry, one by one
    or in bulk, is refused and rolled back, on SQLite and PostgreSQL."""
    import pytest
    from sqlalchemy import delete, select, update

    from contest.database import write_transaction
    from contest.extensions import db
    from contest.models import AuditEntry
    from contest.models.audit import AuditIsAppendOnly
    cid, links = _setup(app)
    _post(app.test_client(), cid, _judge(links), _sheet(id="a"))
    with app.app_context():
        count = len(db.session.scalars(select(AuditEntry)).all())
        assert count
        for change in (lambda s: setattr(s.scalars(select(AuditEntry)).first(), "reason", "sửa"),
                       lambda s: s.delete(s.scalars(select(AuditEntry)).first()),
                       lambda s: s.execute(update(AuditEntry).values(reason="sửa")),
                       lambda s: s.execute(delete(AuditEntry))):
            with pytest.raises(AuditIsAppendOnly), write_transaction() as session:
                change(session)
                session.flush()
        db.session.rollback()
        assert len(db.session.scalars(select(AuditEntry)).all()) == count
        assert all(e.reason != "sửa" for e in db.session.scalars(select(AuditEntry)))
