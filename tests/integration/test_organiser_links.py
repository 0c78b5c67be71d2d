"""Access links and QR codes: every judge on the links page, revoke-and-reissue, printable
cards, QR SVG without style attributes, who may open the setup screens."""

from __future__ import annotations

import re

from conftest import bearer, login, make_contest, tokens_of
from test_organiser_support import read_form, refused, snapshot


def test_links_page_and_cards_show_every_judge(sqlite_app):
    app, client = sqlite_app, sqlite_app.test_client()
    cid = make_contest(app)
    login(client, app)
    links = tokens_of(app, cid)
    page = client.get(f"/c/{cid}/setup/links").get_data(as_text=True)
    for key, entry in links["judges"].items():
        assert entry["name"] in page, key
        assert f"/t/{entry['token']}" in page
    assert f"/t/{links['mc']['token']}" in page and f"/t/{links['organiser']['token']}" in page
    assert f"/c/{cid}/projector" in page
    svgs = re.findall(r"<svg\b.*?</svg>", page, re.S)
    assert len(svgs) >= 2 + len(links["judges"]) + 2
    assert not any("style=" in s for s in svgs)
    assert "Trưởng ban giám khảo" in page

    cards = client.get(f"/c/{cid}/setup/cards?only=judges").get_data(as_text=True)
    assert cards.count('class="qr-card2"') == len(links["judges"])
    assert "Hội thi Cải cách hành chính" in cards
    for entry in links["judges"].values():
        assert entry["url"].split("/t/")[1] in cards
    every = client.get(f"/c/{cid}/setup/cards").get_data(as_text=True)
    assert every.count('class="qr-card2"') == 2 + len(links["judges"]) + len(links["offices"]) + 2

    svg = client.get(f"/c/{cid}/qr/audience.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"style=" not in svg.data
    assert client.get(f"/c/{cid}/qr/secret.svg").status_code == 404
    from contest.extensions import db
    from contest.models import AccessToken
    with app.app_context():
        tid = db.session.query(AccessToken).filter_by(contest_id=cid, role="mc").one().id
    assert client.get(f"/c/{cid}/setup/qr/{tid}.svg").status_code == 200
    anonymous = app.test_client()
    assert anonymous.get(f"/c/{cid}/setup/qr/{tid}.svg").status_code == 401


def test_reissue_makes_the_old_link_fail(app, client):
    cid = make_contest(app)
    login(client, app)
    old = tokens_of(app, cid)["judges"]["j2"]["token"]
    other = app.test_client()
    assert other.get(f"/t/{old}").status_code == 302
    api = f"/api/v1/contests/{cid}/standings"
    assert client.get(api, headers=bearer(old)).status_code != 401

    from contest.extensions import db
    from contest.models import AccessToken, AuditEntry
    with app.app_context():
        tid = db.session.query(AccessToken).filter_by(token=old).one().id
    path = f"/c/{cid}/setup/links/{tid}/reissue"
    form = read_form(client, f"/c/{cid}/setup/links", action=path)
    refused(client, app, cid, path, dict(form, csrf_token=""), "CSRF")
    r = client.post(path, data=form)
    assert r.status_code == 302
    new = tokens_of(app, cid)["judges"]["j2"]["token"]
    assert new != old
    assert other.get(f"/t/{old}").status_code == 404
    assert client.get(api, headers=bearer(old)).status_code == 401
    assert other.get(f"/c/{cid}/setup/links").status_code in (401, 403)  # a judge's session is not an organiser
    assert app.test_client().get(f"/t/{new}").status_code == 302
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(contest_id=cid, action="link.reissue").one()
        assert entry.old["subject"] == "j2" and old not in str(entry.old) + str(entry.new)
    before = snapshot(app, cid)
    r = client.post(path, data=form)  # the same old link again
    assert r.status_code == 409 and snapshot(app, cid) == before


def test_setup_screens_are_for_organisers_only(sqlite_app):
    app = sqlite_app
    cid = make_contest(app)
    anonymous = app.test_client()
    for path in (f"/c/{cid}/setup", f"/c/{cid}/setup/teams", f"/c/{cid}/setup/links", f"/c/{cid}/setup/cards",
                 f"/c/{cid}/setup/export.json"):
        assert anonymous.get(path).status_code == 401, path
    assert anonymous.get("/setup").status_code == 302  # to the login page
    judge = app.test_client()
    judge.get(f"/t/{tokens_of(app, cid)['judges']['j3']['token']}")
    assert judge.get(f"/c/{cid}/setup").status_code == 403
    # the organisers' QR link is enough to open the setup screens (no password on a tablet)
    organiser = app.test_client()
    assert organiser.get(f"/t/{tokens_of(app, cid)['organiser']['token']}").status_code == 302
    assert organiser.get(f"/c/{cid}/setup").status_code == 200
    assert organiser.get(f"/c/{cid + 1}/setup").status_code in (401, 404)
    client = login(app.test_client(), app)
    assert client.get(f"/c/{cid + 50}/setup").status_code == 404


def test_a_saved_change_tells_the_staff_screens(sqlite_app):
    app, client = sqlite_app, sqlite_app.test_client()
    from contest.extensions import socketio
    cid = make_contest(app)
    login(client, app)
    mc = app.test_client()
    mc.get(f"/t/{tokens_of(app, cid)['mc']['token']}")
    sock = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}", flask_test_client=mc)
    assert sock.is_connected("/live")
    sock.get_received("/live")
    form = read_form(client, f"/c/{cid}/setup/info")
    assert client.post(f"/c/{cid}/setup/info", data=dict(form, venue="Nhà văn hóa huyện")).status_code == 302
    events = [e for e in sock.get_received("/live") if e["name"] == "setup"]
    assert events and events[0]["args"][0]["action"] == "contest.update"
    sock.disconnect("/live")
