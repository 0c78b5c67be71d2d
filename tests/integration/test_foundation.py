"""The foundation end to end: import the demo, export it, tokens, API errors, login."""

from __future__ import annotations

import json

from conftest import bearer, demo_document, login, make_contest, tokens_of


def test_demo_import_export_round_trip(app):
    from contest.extensions import db
    from contest.models import Contest
    from contest.services.document import export_contest, import_contest
    cid = make_contest(app)
    with app.app_context():
        first = export_contest(db.session.get(Contest, cid))
        again = import_contest(json.loads(json.dumps(first)))
        second = export_contest(again)
    assert first == second
    original = demo_document()["contest"]
    for key in ("name", "organizer", "date", "venue", "units", "teams", "judges", "questions", "programme"):
        assert first["contest"][key] == original[key], key


def test_the_drawn_flag_round_trips_and_a_bad_one_names_its_path(app):
    import pytest

    from contest.core.errors import ContestError
    from contest.core.show import default_draw_parts
    from contest.extensions import db
    from contest.models import Contest
    from contest.services.document import export_contest, import_contest
    doc = demo_document()
    parts = doc["contest"]["rules"]["parts"]
    parts[0]["drawn"], parts[2]["drawn"] = True, False
    cid, plain_id = make_contest(app, doc), make_contest(app)
    with app.app_context():
        contest = db.session.get(Contest, cid)
        assert default_draw_parts(contest.rules) == ("intro",)
        first = export_contest(contest)
        assert [p.get("drawn", "absent") for p in first["contest"]["rules"]["parts"]] == [True, "absent", False]
        second = export_contest(import_contest(json.loads(json.dumps(first))))
        assert first == second
        plain = export_contest(db.session.get(Contest, plain_id))
        assert all("drawn" not in p for p in plain["contest"]["rules"]["parts"])
    parts[1]["drawn"] = "có"
    with app.app_context(), pytest.raises(ContestError) as err:
        import_contest(doc)
    assert err.value.field == "contest.rules.parts[1].drawn"


def test_api_errors_have_the_contract_shape(client, app):
    cid = make_contest(app)
    r = client.get(f"/api/v1/contests/{cid + 100}")
    assert r.status_code == 404
    assert set(r.get_json()["error"]) == {"code", "message", "field"}
    r = client.get(f"/api/v1/contests/{cid}/tokens")
    assert r.status_code == 401
    r = client.get(f"/api/v1/contests/{cid}/tokens", headers=bearer("nope"))
    assert r.status_code == 401
    links = tokens_of(app, cid)
    judge = next(iter(links["judges"].values()))["token"]
    assert client.get(f"/api/v1/contests/{cid}/tokens", headers=bearer(judge)).status_code == 403
    ok = client.get(f"/api/v1/contests/{cid}/tokens", headers=bearer(links["organiser"]["token"]))
    assert ok.status_code == 200
    assert set(ok.get_json()["judges"]) == {"j1", "j2", "j3", "j4", "j5"}


def test_openapi_lists_the_routes(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "/v1/contests" in spec["paths"]


def test_organiser_login_and_wrong_password(client, app):
    login(client, app)
    r = client.get("/setup")
    assert r.status_code == 200
    client.post("/logout", data={"csrf_token": ""})


def test_bad_password_is_refused_in_vietnamese(client, app):
    from conftest import csrf_token, make_organiser
    make_organiser(app)
    token = csrf_token(client, "/login")
    r = client.post("/login", data={"username": "thuky", "password": "sai", "csrf_token": token})
    assert r.status_code == 400
    assert "không đúng" in r.get_data(as_text=True)
