"""What a judge's sheet and a standings read cost in queries, and how fresh an audience read is
(contest.services.results): the roster is read once per setup change, with the units in one
query; a recomputation reads only new sheets in full; an audience read reuses a computation
checked less than 0.5 s ago, staff reads never do,
and a change made by another process reaches the audience here within that bound."""

from __future__ import annotations

import time
from contextlib import contextmanager

from conftest import bearer, make_app, make_contest, tokens_of

STAMP_MARK = "sum(score_sheet.revision)"  # a piece of the stamp query


def _sheet(team="dak-rve", id="s-1", content=8):
    return {"team": team, "part": "intro", "criteria": {"content": content, "delivery": 7.5},
            "id": id}


@contextmanager
def _statements(app):
    """The SQL statements the app runs inside the block."""
    from sqlalchemy import event

    from contest.extensions import db
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


ROSTER_READS = tuple(f'SELECT {t}.id, {t}."key", {t}.name' for t in ("team", "judge", "member"))


def test_the_roster_is_read_once_with_its_units_and_shared_by_the_computation(sqlite_app,
                                                                              monkeypatch):
    from contest.services import sheets
    app = sqlite_app
    cid = make_contest(app)
    links = tokens_of(app, cid)
    client = app.test_client()
    broadcasts = []
    monkeypatch.setattr(sheets, "changed", broadcasts.append)  # the receiving path alone
    with _statements(app) as seen:
        r = client.post(f"/api/v1/contests/{cid}/scores", json=_sheet(),
                        headers=bearer(links["judges"]["j2"]["token"]))
        assert r.status_code == 201
    assert broadcasts == [cid]
    reads = [s for s in seen if s.startswith(ROSTER_READS)]
    assert len(reads) == 3, reads  # teams with their units in one query, judges, members
    assert [s for s in seen if "unit" in s] == [reads[0]]
    monkeypatch.undo()
    with _statements(app) as seen:
        r = client.get(f"/api/v1/contests/{cid}/standings", headers=bearer(links["mc"]["token"]))
        assert r.status_code == 200
    assert any(row["unit"] for row in r.get_json()["teams"])
    assert [s for s in seen if s.startswith(ROSTER_READS)] == []


def test_a_recomputation_after_a_sheet_reads_only_that_sheet_and_no_roster(sqlite_app):
    """The roster is reused while the contest's revision and counts stand; a stored sheet is
    read in full once, then only its id, client id and revision are checked."""
    app = sqlite_app
    cid = make_contest(app)
    links = tokens_of(app, cid)
    client = app.test_client()
    judge = bearer(links["judges"]["j2"]["token"])
    assert client.post(f"/api/v1/contests/{cid}/scores", json=_sheet(),
                       headers=judge).status_code == 201
    with _statements(app) as seen:  # the second sheet, and the broadcast's recomputation
        r = client.post(f"/api/v1/contests/{cid}/scores", json=_sheet(team="dak-koi", id="s-2"),
                        headers=judge)
        assert r.status_code == 201
    assert [s for s in seen if s.startswith(ROSTER_READS)] == []
    full = [s for s in seen if "score_sheet.criteria" in s and "FROM score_sheet" in s]
    # the receiving path looks up that judge's sheet for that team and part; the
    # recomputation reads one sheet in full (the new one), not the contest's every sheet
    assert [s for s in full if "score_sheet.id IN (" in s][0].endswith("IN (?)"), full
    assert all("score_sheet.id IN (?)" in s or "score_sheet.judge_id = ?" in s for s in full), full
    before = client.get(f"/api/v1/contests/{cid}/standings",
                        headers=bearer(links["mc"]["token"])).get_json()
    assert before["teams"][0]["name"]

    # a setup change (revision bump) reloads the roster: a renamed team shows its new name
    from contest.extensions import db
    from contest.models import Contest, Team
    with app.app_context():
        team = db.session.query(Team).filter_by(contest_id=cid, key="dak-koi").one()
        team.name = "Đội Đắk Kôi (mới)"
        db.session.get(Contest, cid).revision += 1
        db.session.commit()
    after = client.get(f"/api/v1/contests/{cid}/standings",
                       headers=bearer(links["mc"]["token"])).get_json()
    assert "Đội Đắk Kôi (mới)" in [row["name"] for row in after["teams"]]


def test_audience_reads_are_at_most_half_a_second_behind_another_process(tmp_path):
    here = make_app(tmp_path)
    cid = make_contest(here)
    links = tokens_of(here, cid)
    mc = bearer(links["mc"]["token"])
    url = f"/api/v1/contests/{cid}/standings"
    audience, staff = here.test_client(), here.test_client()
    assert staff.post(f"/api/v1/contests/{cid}/stage", json={"action": "results", "mode": "live"},
                      headers=mc).status_code == 200
    before = audience.get(url).get_json()
    with _statements(here) as seen:  # a second audience read at once: no stamp, no build
        assert audience.get(url).get_json() == before
    assert not any(STAMP_MARK in s for s in seen)
    with _statements(here) as seen:  # staff always check the stamp
        assert staff.get(url, headers=mc).get_json() == before
    assert any(STAMP_MARK in s for s in seen)

    other = make_app(tmp_path)  # another process: same database, its own cache
    r = other.test_client().post(url.replace("/standings", "/scores"), json=_sheet(content=9.5),
                                 headers=bearer(links["judges"]["j2"]["token"]))
    assert r.status_code == 201
    changed_at = time.monotonic()
    after = staff.get(url, headers=mc).get_json()  # staff here: at once
    assert after != before
    while audience.get(url).get_json() != after:
        assert time.monotonic() - changed_at < 0.5, "the audience is more than 0.5 s behind"
        time.sleep(0.02)

    # a change made here is seen by the next audience read here
    r = audience.post(url.replace("/standings", "/scores"), json=_sheet(id="s-2", content=4),
                      headers=bearer(links["judges"]["j2"]["token"]))
    assert r.status_code == 201
    assert audience.get(url).get_json() == staff.get(url, headers=mc).get_json() != after

    from contest.extensions import db
    for app in (here, other):
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
