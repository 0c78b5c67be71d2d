"""What a judge's sheet and a standings read cost in queries, and how fresh an audience read is
(contest.services.results): a sheet loads no member, a computation loads the units in one
query, an audience read reuses a computation checked less than 0.5 s ago, staff reads never do,
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


def test_a_sheet_loads_no_member_and_a_computation_loads_units_once(sqlite_app, monkeypatch):
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
    assert [s for s in seen if "FROM member" in s] == []
    monkeypatch.undo()
    with _statements(app) as seen:
        r = client.get(f"/api/v1/contests/{cid}/standings", headers=bearer(links["mc"]["token"]))
        assert r.status_code == 200
    assert any(row["unit"] for row in r.get_json()["teams"])
    assert len([s for s in seen if "FROM unit" in s]) == 1, seen


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
