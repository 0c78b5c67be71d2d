"""Tokens, passwords, rate limits, CSRF, Socket.IO origins and security headers.

Each test states the promise it proves (docs/reliability.md lists them)."""

from __future__ import annotations

import logging
import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import bearer, csrf_token, make_app, make_contest, tokens_of
from reliability_support import ROLES, db_diff, signed_in, snapshot_db

ROOT = Path(__file__).resolve().parents[2]


def _app(tmp_path, **overrides):
    return make_app(tmp_path, "sqlite", **overrides)


def test_create_app_installs_the_security_layer(tmp_path):
    """Not only the tests: every app the product builds scrubs logs, limits token guesses and
    refuses hostile JSON."""
    app = _app(tmp_path)
    assert app.extensions.get("hoithi_security") is True
    client = app.test_client()
    deep = b"[" * 200 + b"]" * 200
    answer = client.post("/api/v1/contests", data=deep, content_type="application/json")
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "too_deep"


@pytest.fixture
def secured(tmp_path):
    app = _app(tmp_path)
    yield app
    from contest.extensions import db
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def all_tokens(links: dict) -> list[str]:
    out = [links["organiser"]["token"], links["mc"]["token"]]
    out += [j["token"] for j in links["judges"].values()]
    out += [o["token"] for o in links.get("offices", {}).values()]
    return out


# ------------------------------------------------------------------------ tokens

def test_tokens_have_at_least_128_bits_from_secrets(secured):
    from contest.services.access import new_token
    cid = make_contest(secured)
    tokens = all_tokens(tokens_of(secured, cid))
    alphabet = set(string.ascii_letters + string.digits + "-_")
    for t in tokens:
        # base64url: 6 bits per character; 22 characters = 132 bits
        assert len(t) >= 22 and set(t) <= alphabet, t
    assert len(set(tokens)) == len(tokens)
    fresh = {new_token() for _ in range(2000)}
    assert len(fresh) == 2000
    # every character position varies (no fixed prefix, no counter)
    for i in range(22):
        assert len({t[i] for t in fresh}) > 30
    source = (ROOT / "contest" / "services" / "access.py").read_text()
    assert "secrets.token_urlsafe(32)" in source


def test_revoked_tablet_is_refused_next_request_and_its_socket_dropped(secured):
    from contest.extensions import socketio
    app = secured
    cid = make_contest(app)
    links = tokens_of(app, cid)
    old = links["judges"]["j2"]["token"]
    tablet = signed_in(app, cid, "judge", links)  # the tablet: QR sign-in, session cookie
    script = app.test_client()
    assert script.get(f"/api/v1/contests/{cid}/scores", headers=bearer(old)).status_code == 200
    assert tablet.client.get(f"/c/{cid}/judge").status_code == 200
    by_cookie = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}",
                                     flask_test_client=tablet.client)
    by_token = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}",
                                    auth={"token": old})
    assert by_cookie.is_connected("/live") and by_token.is_connected("/live")

    organiser = signed_in(app, cid, "organiser", links)
    from contest.extensions import db
    from contest.models import AccessToken
    with app.app_context():
        token_id = db.session.scalar(db.select(AccessToken.id).where(AccessToken.token == old))
    r = organiser.client.post(f"/c/{cid}/setup/links/{token_id}/reissue",
                              data={"csrf_token": organiser.csrf})
    assert r.status_code == 302, r.status_code

    # the next request of the revoked tablet is refused, by token and by its cookie
    r = script.get(f"/api/v1/contests/{cid}/scores", headers=bearer(old))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "bad_token"
    assert tablet.client.get(f"/c/{cid}/judge").status_code == 401
    body = {"team": "dak-rve", "part": "intro", "criteria": {"content": 5, "delivery": 5}, "id": "after-revoke"}
    assert script.post(f"/api/v1/contests/{cid}/scores", json=body, headers=bearer(old)).status_code == 401
    assert tablet.client.post(f"/api/v1/contests/{cid}/scores", json=body,
                              headers={"X-CSRFToken": tablet.csrf}).status_code == 401
    # and both of its sockets were dropped; a new connection with it is refused
    assert not by_token.is_connected("/live")
    assert not by_cookie.is_connected("/live")
    again = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}", auth={"token": old})
    assert not again.is_connected("/live")
    # the new card works
    new = tokens_of(app, cid)["judges"]["j2"]["token"]
    assert new != old
    assert script.get(f"/api/v1/contests/{cid}/scores", headers=bearer(new)).status_code == 200


def test_tokens_never_reach_a_log(secured, caplog):
    """Every record of every logger, during sign-ins, API calls, sockets and an access log line
    carrying a token, comes out scrubbed."""
    from contest.extensions import socketio
    app = secured
    caplog.set_level(logging.DEBUG)
    cid = make_contest(app)
    links = tokens_of(app, cid)
    tokens = all_tokens(links)
    client = app.test_client()
    for t in tokens:
        client.get(f"/t/{t}")
        client.get(f"/api/v1/contests/{cid}/stage", headers=bearer(t))
        sio = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}&token={t}")
        sio.disconnect(namespace="/live")
    judge = links["judges"]["j2"]["token"]
    # what werkzeug's and gevent's access logs, and our own error log, would write
    logging.getLogger("werkzeug").info('127.0.0.1 - - [01/Jan/2024 10:00:00] "GET /t/%s HTTP/1.1" 302 -', judge)
    logging.getLogger("hoithi").error("Unhandled error on %s %s", "GET", f"/t/{judge}")
    logging.getLogger("geventwebsocket").info("GET /socket.io/?contest=1&token=%s&EIO=4", judge)
    logging.getLogger("hoithi").warning("header Authorization: Bearer %s", judge)
    logging.getLogger("engineio").info({"token": judge})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "/t/***" in text and "Bearer ***" in text
    leaked = [t for t in tokens if t in text]
    assert not leaked, f"{len(leaked)} token(s) in the logs"


def test_scrub_leaves_ordinary_text_alone():
    from contest.web.security import scrub
    assert scrub("Đội Thị trấn Đăk Rve: 17,5 điểm") == "Đội Thị trấn Đăk Rve: 17,5 điểm"
    assert scrub("GET /c/1/projector 200") == "GET /c/1/projector 200"
    assert scrub("GET /t/abcDEF_-123 302") == "GET /t/*** 302"


# ------------------------------------------------------------------------ passwords, limits

def test_organiser_passwords_are_hashed(secured):
    from conftest import make_organiser
    from contest.extensions import db
    from contest.models import User
    make_organiser(secured, "thuky", "mat-khau-rat-bi-mat")
    with secured.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "thuky"))
        assert "mat-khau-rat-bi-mat" not in user.password_hash
        assert re.match(r"^(scrypt|pbkdf2:sha256):", user.password_hash), user.password_hash[:20]
        assert user.check_password("mat-khau-rat-bi-mat") and not user.check_password("mat-khau")


def test_login_is_rate_limited(tmp_path):
    from conftest import make_organiser
    app = _app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="5 per minute")
    make_organiser(app)
    client = app.test_client()
    token = csrf_token(client, "/login")
    statuses = [client.post("/login", data={"username": "thuky", "password": f"sai-{i}",
                                            "csrf_token": token}).status_code for i in range(7)]
    assert statuses[:5] == [400] * 5 and statuses[5:] == [429, 429], statuses
    # even the right password waits for the window: guessing cannot be raced
    r = client.post("/login", data={"username": "thuky", "password": "mat-khau-1", "csrf_token": token})
    assert r.status_code == 429
    assert "Quá nhiều" in r.get_data(as_text=True)


def test_token_attempts_are_rate_limited(tmp_path):
    app = _app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_TOKENS="10 per minute")
    cid = make_contest(app)
    good = tokens_of(app, cid)["mc"]["token"]
    client = app.test_client()
    assert client.get(f"/api/v1/contests/{cid}/stage", headers=bearer(good)).status_code == 200
    statuses = [client.get(f"/api/v1/contests/{cid}/scores", headers=bearer(f"guess-{i:040d}")).status_code
                for i in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429], statuses
    r = client.get(f"/api/v1/contests/{cid}/stage", headers=bearer(good))
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_requests"
    # the QR sign-in link has its own limit
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    codes = [other.get(f"/t/{'x' * 43}").status_code for _ in range(32)]
    assert codes[:30] == [404] * 30 and 429 in codes[30:], codes


@pytest.mark.parametrize("hops", [0, 1])
def test_behind_a_proxy_each_phone_has_its_own_limit(tmp_path, hops):
    """With HOITHI_PROXY_HOPS=1 (nginx in front) the limits and the audit log key on the phone's
    address from X-Forwarded-For: one revoked tablet guessing does not lock out the others.
    Without it (the default) the header is ignored: a client cannot forge its way past."""
    app = _app(tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_TOKENS="5 per minute", PROXY_HOPS=hops)
    cid = make_contest(app)
    good = tokens_of(app, cid)["mc"]["token"]
    nginx = app.test_client()
    nginx.environ_base["REMOTE_ADDR"] = "127.0.0.1"

    def get(token, phone):
        return nginx.get(f"/api/v1/contests/{cid}/stage", headers=dict(
            bearer(token), **{"X-Forwarded-For": phone})).status_code

    assert [get(f"guess-{i:040d}", "10.0.0.66") for i in range(6)][-1] == 429
    assert get(good, "10.0.0.66") == 429          # the guessing phone waits
    assert get(good, "10.0.0.8") == (200 if hops else 429)  # another phone: only behind a proxy
    if hops:
        r = nginx.post(f"/api/v1/contests/{cid}/stage", json={"action": "next"},
                       headers=dict(bearer(good), **{"X-Forwarded-For": "10.0.0.8"}))
        assert r.status_code == 200
        org = bearer(tokens_of(app, cid)["organiser"]["token"])
        entry = nginx.get(f"/api/v1/contests/{cid}/audit?action=stage.", headers=dict(
            org, **{"X-Forwarded-For": "10.0.0.9"})).get_json()["entries"][-1]
        assert "10.0.0.8" in entry["device"] and "127.0.0.1" not in entry["device"]


# ------------------------------------------------------------------------ CSRF

def test_every_cookie_authenticated_write_needs_csrf(secured):
    """Every POST/PATCH/DELETE of the URL map, by a role allowed to use it, signed in with its
    session cookie but without the CSRF token: 400 'csrf', and nothing written."""
    from test_role_matrix import EXPECT, _ids, build_url, routes
    app = secured
    cid = make_contest(app)
    links = tokens_of(app, cid)
    people = {role: signed_in(app, cid, role, links) for role in ROLES}
    ids = _ids(app, cid)
    before = snapshot_db(app)
    checked = []
    for key, method, rule in routes(app):
        if method == "GET":
            continue
        allowed = [r for r in ROLES if r in EXPECT[key].split()]
        role = "organiser" if "organiser" in allowed else allowed[-1]
        url = build_url(app, rule, ids)
        person = people[role]
        kwargs = {"json": {}} if url.startswith("/api/") else {"data": {}}
        r = person.client.open(url, method=method, **kwargs)
        assert r.status_code == 400, (key, role, r.status_code)
        if url.startswith("/api/"):
            assert r.get_json()["error"]["code"] == "csrf", key
        else:
            assert "CSRF" in r.get_data(as_text=True), key
        checked.append(key)
    assert db_diff(before, snapshot_db(app)) == {}
    assert len(checked) > 40


def test_every_html_form_carries_a_csrf_token(secured):
    """Every page an organiser, the jury head or an office opens: each POST form has the token."""
    from test_role_matrix import _ids, build_url, routes
    app = secured
    cid = make_contest(app)
    links = tokens_of(app, cid)
    ids = _ids(app, cid)
    forms_seen = 0
    for role in ("organiser", "head", "office", "mc", "judge", "anonymous"):
        person = signed_in(app, cid, role, links)
        for key, method, rule in routes(app):
            if method != "GET" or rule.endpoint == "static":
                continue
            r = person.client.get(build_url(app, rule, ids))
            if r.status_code != 200 or not r.content_type.startswith("text/html"):
                continue
            html = r.get_data(as_text=True)
            for form in re.findall(r"<form\b[^>]*>.*?</form>", html, re.S | re.I):
                if re.search(r'method=["\']?post', form, re.I):
                    forms_seen += 1
                    assert 'name="csrf_token"' in form, (key, role, form[:200])
    assert forms_seen > 10


# ------------------------------------------------------------------------ Socket.IO origin

def test_socketio_refuses_other_origins(secured):
    client = secured.test_client()
    handshake = "/socket.io/?EIO=4&transport=polling"
    assert client.get(handshake, headers={"Origin": "http://evil.example"}).status_code == 400
    assert client.get(handshake, headers={"Origin": "http://localhost"}).status_code == 200
    assert client.get(handshake).status_code == 200  # no Origin: not a browser page


def test_socket_connect_handler_authenticates(secured):
    from contest.extensions import socketio
    cid = make_contest(secured)
    staff = socketio.test_client(secured, namespace="/live", query_string=f"contest={cid}",
                                 auth={"token": "nope-" + "x" * 38})
    assert not staff.is_connected("/live")
    public = socketio.test_client(secured, namespace="/live", query_string=f"contest={cid}")
    assert public.is_connected("/live")
    snap = public.get_received("/live")[0]["args"][0]
    assert snap["role"] == "audience"


# ------------------------------------------------------------------------ headers, assets

class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href", "action", "poster", "data"):
            if a.get(name):
                self.urls.append(a[name])
        if "style" in a:
            self.inline.append(f"<{tag} style=...>")
        if tag == "script" and not a.get("src") and a.get("type", "module") in ("module", "text/javascript"):
            # a data block (type="application/json") is never executed: the CSP allows it
            self._in_script = True
        if tag == "style":
            self.inline.append("<style>")
        for name in a:
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}=...>")

    def handle_endtag(self, tag):
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append("<script>inline</script>")


def _local(url: str) -> bool:
    return not re.match(r"^(https?:)?//", url) or url.startswith(("http://localhost", "http://testserver"))


def test_security_headers_and_no_outside_asset(secured):
    """Every page of every role: CSP default-src 'self' and the other headers; every src/href
    is our own (links in the text, like a printed URL, are allowed to be absolute LAN URLs:
    only src of scripts, styles, images, fonts are checked); no inline script or style, which
    the CSP would block."""
    from test_role_matrix import _ids, build_url, routes
    app = secured
    cid = make_contest(app)
    links = tokens_of(app, cid)
    ids = _ids(app, cid)
    pages = 0
    problems = []
    for role in ("organiser", "head", "office", "mc", "judge", "anonymous"):
        person = signed_in(app, cid, role, links)
        for key, method, rule in routes(app):
            if method != "GET":
                continue
            r = person.client.get(build_url(app, rule, ids))
            csp = r.headers.get("Content-Security-Policy", "")
            assert "default-src 'self'" in csp, key
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
            assert r.headers.get("X-Content-Type-Options") == "nosniff"
            assert r.headers.get("X-Frame-Options") == "DENY"
            assert r.headers.get("Referrer-Policy") == "no-referrer"
            if r.status_code != 200 or not r.content_type.startswith("text/html"):
                continue
            pages += 1
            parser = _Assets()
            parser.feed(r.get_data(as_text=True))
            html = r.get_data(as_text=True)
            for tag in re.findall(r"<(?:script|link|img|source|iframe|embed|object)\b[^>]*>", html, re.I):
                for url in re.findall(r'(?:src|href)="([^"]+)"', tag):
                    if not _local(url):
                        problems.append(f"{key} as {role}: outside asset {url}")
            problems += [f"{key} as {role}: {x}" for x in parser.inline]
    assert pages > 20
    assert not problems, "\n".join(sorted(set(problems)))


def test_static_files_load_nothing_from_outside():
    offenders = []
    for path in (ROOT / "static").rglob("*"):
        if path.suffix not in (".css", ".js", ".html", ".svg") or "vendor" in path.parts and path.suffix == ".js":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r"""(?:url\(|import\s*\(?|from\s+)\s*["']?((?:https?:)?//[^"')\s]+)""", text):
            if "www.w3.org" not in url:
                offenders.append(f"{path.relative_to(ROOT)}: {url}")
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r"""(?:src|href)=["']((?:https?:)?//[^"']+)""", text):
            offenders.append(f"{path.relative_to(ROOT)}: {url}")
    assert not offenders, offenders


def test_no_token_on_public_pages(secured):
    cid = make_contest(secured)
    tokens = all_tokens(tokens_of(secured, cid))
    client = secured.test_client()
    for url in (f"/c/{cid}", f"/c/{cid}/projector", "/", f"/api/v1/contests/{cid}/stage",
                f"/api/v1/contests/{cid}/draws", f"/api/v1/contests/{cid}", "/api/v1/contests",
                f"/c/{cid}/verify", f"/c/{cid}/qr.svg", f"/c/{cid}/qr/audience.svg", "/api/openapi.json"):
        text = client.get(url).get_data(as_text=True)
        assert not [t for t in tokens if t in text], url
