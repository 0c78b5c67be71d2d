"""Backups restore the contest exactly; a rehearsal reset keeps teams and questions."""

from __future__ import annotations

import json

from conftest import bearer, make_contest, tokens_of


def _export(app, cid):
    from contest.extensions import db
    from contest.models import Contest
    from contest.services.document import export_contest
    with app.app_context():
        return export_contest(db.session.get(Contest, cid))


def test_sqlite_backup_restores_exactly(sqlite_app, tmp_path):
    from conftest import make_app
    cid = make_contest(sqlite_app)
    client = sqlite_app.test_client()
    organiser = tokens_of(sqlite_app, cid)["organiser"]["token"]
    r = client.post(f"/api/v1/contests/{cid}/backup", headers=bearer(organiser))
    assert r.status_code == 201, r.get_json()
    files = r.get_json()
    before = _export(sqlite_app, cid)
    # restore on a "standby laptop": a new app on the backup file
    standby = make_app(tmp_path / "standby", "sqlite", DATABASE_URL=f"sqlite:///{files['database']}")
    after = _export(standby, cid)
    # the backup itself is audited after the copy was taken: compare everything else
    before["contest"]["audit"] = [a for a in before["contest"]["audit"] if a["action"] != "backup"]
    assert after == before
    # and the contest document restores on another database too
    doc = json.loads(open(files["document"], encoding="utf-8").read())
    other = make_app(tmp_path / "other", "sqlite")
    from contest.services.document import import_contest
    with other.app_context():
        new_id = import_contest(doc).id
    assert _export(other, new_id) == doc


def test_backup_needs_an_organiser(client, app):
    cid = make_contest(app)
    judge = next(iter(tokens_of(app, cid)["judges"].values()))["token"]
    assert client.post(f"/api/v1/contests/{cid}/backup", headers=bearer(judge)).status_code == 403
    assert client.post(f"/api/v1/contests/{cid}/backup").status_code in (400, 401)


def test_rehearsal_reset_keeps_teams_and_questions(client, app):
    from contest.database import write_transaction
    from contest.extensions import db
    from contest.models import Judge, ScoreSheet, Team
    cid = make_contest(app)
    with app.app_context():
        judge = db.session.scalar(db.select(Judge).where(Judge.contest_id == cid))
        team = db.session.scalar(db.select(Team).where(Team.contest_id == cid))
        with write_transaction() as s:
            s.add(ScoreSheet(contest_id=cid, judge_id=judge.id, team_id=team.id, part_key="intro",
                             criteria={"content": 5, "delivery": 5}, total=10, client_id="x1"))
    before = _export(app, cid)
    organiser = tokens_of(app, cid)["organiser"]["token"]
    r = client.post(f"/api/v1/contests/{cid}/rehearsal/reset", json={"reason": "Tổng duyệt xong"},
                    headers=bearer(organiser))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["cleared"]["scores"] == 1
    after = _export(app, cid)
    assert after["contest"]["scores"] == []
    for key in ("teams", "judges", "questions", "rules", "units"):
        assert after["contest"][key] == before["contest"][key]
    assert after["contest"]["audit"][-1]["action"] == "rehearsal.reset"
    bad = client.post(f"/api/v1/contests/{cid}/rehearsal/reset", json={"reason": 5}, headers=bearer(organiser))
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "reason"
