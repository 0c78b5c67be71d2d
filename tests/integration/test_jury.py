"""The jury's screens and the paper fallback: pages and who may open them, live events (one
computation per change, staff-only while hidden, coalesced bursts), the board's matrix,
``hoithi scores`` / ``standings`` / ``prizes`` and the secretary's paper form."""

from __future__ import annotations

import json
import re

import pytest

from conftest import bearer, csrf_token, login, make_contest, tokens_of


def _setup(app):
    cid = make_contest(app)
    return cid, tokens_of(app, cid)


def _sheet(team="dak-rve", part="intro", id="s-1", **criteria):
    return {"team": team, "part": part, "criteria": criteria or {"content": 8, "delivery": 7.5}, "id": id}


def _signed_in(app, links, key):
    client = app.test_client()
    assert client.get(links["judges"][key]["url"].replace("http://testserver", "")).status_code == 302
    return client


def test_who_opens_which_screen(sqlite_app):
    app = sqlite_app
    cid, links = _setup(app)
    anon = app.test_client()
    assert anon.get(f"/c/{cid}/judge").status_code == 401
    assert anon.get(f"/c/{cid}/jury").status_code == 401
    judge = _signed_in(app, links, "j2")
    page = judge.get(f"/c/{cid}/judge")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    data = json.loads(re.search(r'id="judge-data">(.*?)</script>', html, re.S).group(1))
    assert data["judge"]["key"] == "j2" and data["step"] == 0.5
    assert [p["key"] for p in data["parts"]] == ["intro", "skit", "quiz"]
    assert "dak-rve-m2" in {m["key"] for m in data["performers"]["skit"]["dak-rve"]}
    assert "<script>" not in html and 'style="' not in html  # CSP: no inline script or style
    assert judge.get(f"/c/{cid}/jury").status_code == 403
    assert judge.get(f"/c/{cid}/paper").status_code == 403
    head = _signed_in(app, links, "j1")
    assert head.get(f"/c/{cid}/jury").status_code == 200
    org = login(app.test_client(), app)
    assert org.get(f"/c/{cid}/judge").status_code == 302  # organisers go to the board
    assert org.get(f"/c/{cid}/jury").status_code == 200
    assert org.get(f"/c/{cid}/paper").status_code == 200
    assert org.get(f"/c/{cid + 50}/jury").status_code == 404


def test_the_board_matrix_flags_missing_sheets_and_outliers(sqlite_app):
    app = sqlite_app
    cid, links = _setup(app)
    client = app.test_client()
    for key, content in (("j1", 8), ("j2", 8.5), ("j3", 7.5), ("j4", 1)):
        r = client.post(f"/api/v1/contests/{cid}/scores", json=_sheet(content=content, delivery=8),
                        headers=bearer(links["judges"][key]["token"]))
        assert r.status_code == 201
    head = bearer(links["judges"]["j1"]["token"])
    assert client.get(f"/api/v1/contests/{cid}/sheets", headers=bearer(links["judges"]["j2"]["token"])).status_code == 403
    m = client.get(f"/api/v1/contests/{cid}/sheets", headers=head).get_json()
    row = next(r for r in m["rows"] if r["team"] == "dak-rve" and r["part"] == "intro")
    assert row["missing"] == ["j5"] and row["outliers"] == ["j4"] and row["sheets"]["j4"]["outlier"]
    assert row["spread"] == 7.5 and row["score"] == 14.25
    assert m["missing"] == 5 * 7 * 3 - 4 and m["complete"] is False and m["locks"] == {}


def test_one_computation_per_change_and_staff_only_events_while_hidden(sqlite_app):
    from contest.extensions import socketio
    from contest.services import results
    app = sqlite_app
    cid, links = _setup(app)
    client = app.test_client()
    builds = []
    real = results._build
    results._build = lambda contest, stamp: builds.append(stamp) or real(contest, stamp)
    try:
        audience = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}")
        staff = socketio.test_client(app, namespace="/live",
                                     query_string=f"contest={cid}&token={links['judges']['j1']['token']}")
        judge = socketio.test_client(app, namespace="/live",
                                     query_string=f"contest={cid}&token={links['judges']['j2']['token']}")
        snap = {c: next(e for e in c.get_received("/live") if e["name"] == "snapshot")["args"][0]
                for c in (audience, staff, judge)}
        assert "standings" not in snap[audience] and "judging" not in snap[audience]
        assert snap[staff]["standings"]["complete"] is False and "matrix" in snap[staff]["judging"]
        assert "matrix" not in snap[judge]["judging"] and snap[judge]["judging"]["sheets"] == []
        assert len(builds) == 1  # three snapshots, one computation

        r = client.post(f"/api/v1/contests/{cid}/scores", json=_sheet(),
                        headers=bearer(links["judges"]["j2"]["token"]))
        assert r.status_code == 201
        for _ in range(5):
            client.get(f"/api/v1/contests/{cid}/standings", headers=bearer(links["mc"]["token"]))
        assert len(builds) == 2
        got_staff = [e["name"] for e in staff.get_received("/live")]
        assert got_staff.count("standings") == 1 and got_staff.count("sheets") == 1
        assert [e["name"] for e in audience.get_received("/live")] == []
        sheets_event = next(e for e in judge.get_received("/live") if e["name"] == "sheets")["args"][0]
        assert sheets_event["have"]["intro/dak-rve"] == ["j2"]
        assert "total" not in json.dumps(sheets_event)  # no numbers for the other judges

        # a replay changes nothing: no event, no computation
        client.post(f"/api/v1/contests/{cid}/scores", json=_sheet(),
                    headers=bearer(links["judges"]["j2"]["token"]))
        assert staff.get_received("/live") == [] and len(builds) == 2

        client.post(f"/api/v1/contests/{cid}/stage", json={"action": "results", "mode": "live"},
                    headers=bearer(links["mc"]["token"]))
        audience.get_received("/live")
        client.post(f"/api/v1/contests/{cid}/scores", json=_sheet(team="dak-koi", id="s-2"),
                    headers=bearer(links["judges"]["j2"]["token"]))
        public = [e for e in audience.get_received("/live") if e["name"] == "standings"]
        assert len(public) == 1 and public[0]["args"][0]["teams"][0]["team"] == "dak-rve"
        assert public[0]["args"][0]["results_mode"] == "live"
        for c in (audience, staff, judge):
            c.disconnect(namespace="/live")
    finally:
        results._build = real


def _wait_for_events(client, names: set[str], timeout: float) -> tuple[list, float]:
    """Events received until every name in ``names`` arrived (or ``timeout`` s); the time."""
    import time

    from contest.extensions import socketio
    got, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        got += client.get_received("/live")
        if names <= {e["name"] for e in got}:
            break
        socketio.sleep(0.005)
    return got, time.monotonic()


def test_a_burst_is_broadcast_at_once_and_once_more_at_the_window_end(sqlite_app):
    """Leading-edge coalescing: the first sheet of a burst is broadcast at once (before its POST
    answers, not after the window), the rest of the burst exactly once more at the window's end, with the last sheet."""
    import time

    from contest.extensions import socketio
    app = sqlite_app
    window = 600
    app.config["BROADCAST_COALESCE_MS"] = window
    cid, links = _setup(app)
    client = app.test_client()
    staff = socketio.test_client(app, namespace="/live",
                                 query_string=f"contest={cid}&token={links['mc']['token']}")
    staff.get_received("/live")
    teams = ["dak-rve", "dak-koi", "dak-to-lung", "dak-ruong"]
    posted = time.monotonic()
    r = client.post(f"/api/v1/contests/{cid}/scores", json=_sheet(team=teams[0], id="b-0"),
                    headers=bearer(links["judges"]["j3"]["token"]))
    assert r.status_code == 201
    at = time.monotonic()
    first = staff.get_received("/live")  # broadcast before the POST answered: nothing to wait for
    assert [e["name"] for e in first].count("standings") == 1, first
    assert [e["name"] for e in first].count("sheets") == 1, first
    assert (at - posted) * 1000 < window / 2  # at once, not at the window's end
    for i, team in enumerate(teams[1:], 1):  # the rest of the burst, inside the window
        r = client.post(f"/api/v1/contests/{cid}/scores", json=_sheet(team=team, id=f"b-{i}"),
                        headers=bearer(links["judges"]["j3"]["token"]))
        assert r.status_code == 201
    burst_done = time.monotonic()
    assert (burst_done - at) * 1000 < window, "the burst took longer than the window"
    second, at2 = _wait_for_events(staff, {"standings", "sheets"}, timeout=2 * window / 1000)
    socketio.sleep(window / 1000 + 0.2)  # nothing more after it
    second += staff.get_received("/live")
    names = [e["name"] for e in second]
    assert names.count("standings") == 1 and names.count("sheets") == 1, names
    assert (at2 - at) * 1000 >= window * 0.9  # at the end of the window the first one opened
    have = next(e for e in second if e["name"] == "sheets")["args"][0]["have"]
    assert all(have.get(f"intro/{team}") == ["j3"] for team in teams)  # the last sheet is in
    staff.disconnect(namespace="/live")


def _bulk(**extra):
    base = {"sheets": [
        {"judge": "j1", "team": "dak-rve", "part": "intro", "criteria": {"content": 8, "delivery": 8}, "id": "p-1"},
        {"judge": "j2", "team": "dak-rve", "part": "intro", "criteria": {"content": 12, "delivery": 8}, "id": "p-2"},
        {"judge": "j3", "team": "dak-rve", "part": "intro", "criteria": {"content": 7, "delivery": 8}},
    ], "nominations": [{"judge": "j1", "prize": "best_presenter", "member": "dak-rve-m1"}]}
    base.update(extra)
    return base


def test_apply_bulk_is_all_or_nothing(sqlite_app):
    from contest.core.errors import ContestError
    from contest.extensions import db
    from contest.models import AuditEntry, Contest, Nomination, ScoreSheet
    from contest.services.scoring import apply_bulk
    app = sqlite_app
    cid, _links = _setup(app)
    with app.app_context():
        contest = db.session.get(Contest, cid)
        audit_before = db.session.query(AuditEntry).count()
        with pytest.raises(ContestError) as bad:
            apply_bulk(contest, _bulk())
        assert bad.value.field == "sheets[1].criteria.content"
        assert bad.value.message.startswith("sheets[1].criteria.content: ")
        assert db.session.query(ScoreSheet).count() == 0 and db.session.query(Nomination).count() == 0
        assert db.session.query(AuditEntry).count() == audit_before
        for data, field in (({"sheets": [{"judge": "j9"}]}, "sheets[0].judge"),
                            ({"nominations": [{"judge": "j1", "prize": "best_actor", "member": "dak-rve-m1"}]},
                             "nominations[0].member"),
                            ({"sheets": {}}, "sheets"), ({"scores": []}, "scores"), ([], "file")):
            with pytest.raises(ContestError) as bad:
                apply_bulk(contest, data)
            assert bad.value.field == field
        good = _bulk()
        good["sheets"][1]["criteria"]["content"] = 9
        assert apply_bulk(contest, good) == {"sheets": 3, "nominations": 1}
        assert apply_bulk(contest, good) == {"sheets": 3, "nominations": 1}  # again: no change
        rows = db.session.query(ScoreSheet).all()
        assert len(rows) == 3 and {r.source for r in rows} == {"paper"}
        log = [e for e in db.session.query(AuditEntry).order_by(AuditEntry.id) if e.action.startswith("sheet.")]
        assert len(log) == 3 and all(e.new["source"] == "paper" and e.reason and e.actor == "cli" for e in log)


def test_cli_scores_standings_prizes(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from conftest import DEMO

    from contest.cli import main
    monkeypatch.chdir(tmp_path)
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    runner = CliRunner()
    r = runner.invoke(main, ["import", str(DEMO), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    cid = json.loads(r.stdout)["contest"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_bulk()), encoding="utf-8")
    r = runner.invoke(main, ["scores", str(cid), str(bad), "--db", db])
    assert r.exit_code == 2 and r.stderr.count("\n") == 1 and "sheets[1].criteria.content" in r.stderr
    r = runner.invoke(main, ["scores", str(cid), str(tmp_path / "none.json"), "--db", db])
    assert r.exit_code == 2 and "none.json" in r.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert runner.invoke(main, ["scores", str(cid), str(broken), "--db", db]).exit_code == 2
    r = runner.invoke(main, ["standings", str(cid), "--json", "--db", db])
    assert r.exit_code == 0 and json.loads(r.stdout)["teams"][0]["total"] == 0

    good = _bulk()
    good["sheets"][1]["criteria"]["content"] = 9
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps(good), encoding="utf-8")
    r = runner.invoke(main, ["scores", str(cid), str(ok), "--db", db, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout) == {"sheets": 3, "nominations": 1}
    standings = json.loads(runner.invoke(main, ["standings", str(cid), "--json", "--db", db]).stdout)
    assert standings["teams"][0] == {**standings["teams"][0], "team": "dak-rve", "rank": 1,
                                     "total": 16, "parts": {"intro": 16, "skit": None, "quiz": None}}
    assert standings["complete"] is False
    prizes = json.loads(runner.invoke(main, ["prizes", str(cid), "--json", "--db", db]).stdout)
    assert {"prize": "best_presenter", "member": "dak-rve-m1"}.items() <= next(
        a for a in prizes["awards"] if a["prize"] == "best_presenter").items()
    assert isinstance(prizes["ties"], list) and prizes["unawarded"]


def test_secretary_types_in_a_paper_sheet(sqlite_app):
    from contest.extensions import db
    from contest.models import ScoreSheet
    from contest.services.audit import entries
    app = sqlite_app
    cid, links = _setup(app)
    client = login(app.test_client(), app)
    token = csrf_token(client, f"/c/{cid}/paper?part=skit")
    form = {"csrf_token": token, "judge": "j4", "team": "dak-koi", "part": "skit", "id": "paper-x",
            "criteria.content": "18,5", "criteria.script": "9", "criteria.acting": "", "criteria.staging": "8"}
    r = client.post(f"/c/{cid}/paper", data=form)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Chưa nhập điểm tiêu chí «Diễn xuất»" in html and 'value="18,5"' in html  # keeps what was typed
    r = client.post(f"/c/{cid}/paper", data=dict(form, **{"criteria.acting": "10.5"}))
    assert r.status_code == 400 and "không thể là 10,5" in r.get_data(as_text=True)
    r = client.post(f"/c/{cid}/paper", data=dict(form, judge="j9", **{"criteria.acting": "7"}))
    assert r.status_code == 400 and "Không có giám khảo" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ScoreSheet).count() == 0
    r = client.post(f"/c/{cid}/paper", data=dict(form, **{"criteria.acting": "7"}))
    assert r.status_code == 302 and "team=dak-to-lung" in r.location
    assert "42,5 điểm" in client.get(r.location).get_data(as_text=True)
    with app.app_context():
        row = db.session.query(ScoreSheet).one()
        assert row.source == "paper" and float(row.total) == 42.5
        e = [e for e in entries(cid) if e.action == "sheet.create"][0]
        assert e.new["source"] == "paper" and e.actor.startswith("organiser:") and "giấy" in e.reason
    # nominations typed from paper
    r = client.post(f"/c/{cid}/paper/nomination", data={"csrf_token": token, "judge": "j4",
                                                         "prize": "best_actor", "member": "dak-rve-m1"})
    assert r.status_code == 400 and "không tham gia" in r.get_data(as_text=True)
    r = client.post(f"/c/{cid}/paper/nomination", data={"csrf_token": token, "judge": "j4",
                                                         "prize": "best_actor", "member": "dak-rve-m2"})
    assert r.status_code == 302
    with app.app_context():
        nom = [e for e in entries(cid) if e.action == "nomination.set"][0]
        assert nom.new["source"] == "paper"
    # judges cannot use the paper form
    judge = _signed_in(app, links, "j2")
    assert judge.post(f"/c/{cid}/paper", data=form).status_code in (400, 403)


def test_paper_entry_never_silently_replaces_a_sheet_sent_meanwhile(sqlite_app):
    from contest.extensions import db
    from contest.models import ScoreSheet
    app = sqlite_app
    cid, links = _setup(app)
    client = login(app.test_client(), app)
    html = client.get(f"/c/{cid}/paper?judge=j2&team=dak-rve&part=intro").get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    # the tablet's sheet arrives while the secretary types
    r = app.test_client().post(f"/api/v1/contests/{cid}/scores", json=_sheet(id="tablet-1"),
                               headers=bearer(links["judges"]["j2"]["token"]))
    assert r.status_code == 201
    form = dict(fields, judge="j2", team="dak-rve", **{"criteria.content": "5", "criteria.delivery": "5"})
    form["seen"] = form["seen"].replace("&#34;", '"')
    r = client.post(f"/c/{cid}/paper", data=form)
    assert r.status_code == 409
    assert "vừa thay đổi" in r.get_data(as_text=True) and "15,5" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ScoreSheet).one().client_id == "tablet-1"
    # the form now shows the new state: saving again is a conscious replacement
    again = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', r.get_data(as_text=True)))
    form.update(seen=again["seen"].replace("&#34;", '"'))
    assert client.post(f"/c/{cid}/paper", data=form).status_code == 302
    with app.app_context():
        row = db.session.query(ScoreSheet).one()
        assert row.source == "paper" and float(row.total) == 10
