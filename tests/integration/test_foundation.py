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
