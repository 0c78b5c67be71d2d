"""Nobody gets in where they don't belong: every route of the app's own URL map and every
Socket.IO event, asked by each of the six people of the day.

The expectation table :data:`EXPECT` is the one readable place that says who may use what.
The test walks ``app.url_map`` (and the ``/live`` namespace's handlers): a route or an event
with no row fails the test, so a new route cannot ship without someone deciding who may call
it. For each (route, role) the answer must be:

- allowed: anything but 401/403 and a redirect to the sign-in page (a 400 for the empty body
  we send, a 404 for a made-up key or a 409 is fine: the door opened);
- refused: 401 or 403 (or, for the organiser's password-only pages, the redirect to /login);
- never a 500.

Devices sign in as they do on the day (QR link -> session cookie; organisers with a password);
API routes are asked twice, with the session cookie (+ CSRF header) and with the bearer token.
Writes run on a fresh copy of the demo contest each, so one route's success cannot change
another's answer.
"""

from __future__ import annotations

import time

from conftest import make_contest, tokens_of
from reliability_support import OFFICE, ROLES, Person, signed_in

# ------------------------------------------------------------------------ who may do what
EVERYONE = "anonymous office judge head mc organiser"
STAFF = "judge head mc organiser"  # sees answers and hidden standings
JURY = "judge head organiser"
HEAD = "head organiser"
ORG = "organiser"

# "endpoint METHOD" -> the roles that get in. Keep sorted by URL within each group.
EXPECT: dict[str, str] = {
    # front door, static files, sign-in
    "pages.index GET": EVERYONE,
    "static GET": EVERYONE,
    "pages.login GET": EVERYONE,
    "pages.login POST": EVERYONE,
    "pages.logout POST": EVERYONE,
    "pages.token_login GET": EVERYONE,
    "pages.favicon GET": EVERYONE,
    # public screens of the hall
    "show.audience GET": EVERYONE,
    "show.projector GET": EVERYONE,
    "show.qr GET": EVERYONE,
    "organiser.qr_public GET": EVERYONE,
    "bank.verify GET": EVERYONE,
    # the MC
    "show.mc GET": "mc organiser",
    # the jury
    "judging.judge GET": JURY,  # organisers are sent on to the jury board
    "judging.judge_session GET": "judge head",
    "judging.jury GET": HEAD,
    "judging.audit GET": HEAD,
    "judging.audit_json GET": HEAD,
    "judging.audit_xlsx GET": HEAD,
    "paperwork.index GET": HEAD,
    "paperwork.download GET": HEAD,
    "judging.paper GET": ORG,
    "judging.paper_post POST": ORG,
    "judging.paper_nomination POST": ORG,
    # contributing offices
    "bank.office GET": "office organiser",  # organisers are sent on to the review page
    "bank.office POST": "office organiser",
    "bank.office_delete POST": "office organiser",  # organisers: redirected, nothing done
    "bank.office_upload POST": "office organiser",
    "bank.template GET": "office organiser",
    # the question bank, organisers
    "bank.review GET": ORG,
    "bank.review_action POST": ORG,
    "bank.edit GET": ORG,
    "bank.edit POST": ORG,
    "bank.delete POST": ORG,
    "bank.upload POST": ORG,
    "bank.export_xlsx GET": ORG,
    "bank.booklet GET": ORG,
    "bank.add_office POST": ORG,
    "bank.rename_office POST": ORG,
    "bank.office_qr GET": ORG,
    "bank.office_cards GET": ORG,
    "bank.seal POST": ORG,
    "bank.reveal POST": ORG,
    # organiser setup screens
    "organiser.home GET": ORG,
    "organiser.create POST": ORG,
    "organiser.import_file POST": ORG,
    "organiser.contest GET": ORG,
    "organiser.cards GET": ORG,
    "organiser.export GET": ORG,
    "organiser.info GET": ORG,
    "organiser.info POST": ORG,
    "organiser.judges GET": ORG,
    "organiser.judges POST": ORG,
    "organiser.judge GET": ORG,
    "organiser.judge POST": ORG,
    "organiser.delete_judge POST": ORG,
    "organiser.links GET": ORG,
    "organiser.reissue POST": ORG,
    "organiser.programme GET": ORG,
    "organiser.programme POST": ORG,
    "organiser.qr_token GET": ORG,
    "organiser.rules GET": ORG,
    "organiser.rules POST": ORG,
    "organiser.part GET": ORG,
    "organiser.part POST": ORG,
    "organiser.delete_part POST": ORG,
    "organiser.prizes GET": ORG,
    "organiser.prizes POST": ORG,
    "organiser.teams GET": ORG,
    "organiser.add_team POST": ORG,
    "organiser.team GET": ORG,
    "organiser.team POST": ORG,
    "organiser.delete_team POST": ORG,
    "organiser.add_member POST": ORG,
    "organiser.member GET": ORG,
    "organiser.member POST": ORG,
    "organiser.delete_member POST": ORG,
    "organiser.add_unit POST": ORG,
    "organiser.unit GET": ORG,
    "organiser.unit POST": ORG,
    "organiser.delete_unit POST": ORG,
    "organiser.documents GET": ORG,
    "organiser.documents POST": ORG,
    # JSON API
    "api.openapi GET": EVERYONE,
    "api.list_contests GET": EVERYONE,
    "api.create_contest POST": ORG,
    "api.read_contest GET": EVERYONE,
    "api.contest_document GET": ORG,
    "api.contest_tokens GET": ORG,
    "api.backup_now POST": ORG,
    "api.rehearsal_reset POST": ORG,
    "api.read_stage GET": EVERYONE,  # the answer only for staff: see test_audience_leaks
    "api.act_stage POST": "mc organiser",
    "api.get_draws GET": EVERYONE,
    "api.post_draw POST": "mc organiser",
    "api.get_order GET": EVERYONE,
    "api.seal POST": ORG,
    "api.reveal POST": ORG,
    "api.coverage GET": ORG,
    "api.list_offices GET": ORG,
    "api.add_office POST": ORG,
    "api.rename_office PATCH": ORG,
    "api.list_questions GET": "office organiser",
    "api.create_question POST": "office organiser",
    "api.get_question GET": "office organiser",
    "api.update_question PATCH": "office organiser",
    "api.delete_question DELETE": "office organiser",
    "api.approve_question POST": ORG,
    "api.reject_question POST": ORG,
    "api.import_questions POST": "office organiser",
    "api.post_score POST": "judge head",
    "api.get_scores GET": JURY,
    "api.post_nomination POST": "judge head",
    "api.get_nominations GET": JURY,
    "api.get_standings GET": STAFF,  # results hidden (the default): the audience gets 403
    "api.get_prizes GET": JURY,
    "api.get_sheets GET": HEAD,
    "api.get_locks GET": JURY,
    "api.post_lock POST": HEAD,
    "api.post_unlock POST": "head",
    "api.get_penalties GET": JURY,
    "api.post_penalty POST": "head",
    "api.post_tie POST": "head",
    "api.get_audit GET": HEAD,
    # setup over the API (by document keys)
    "api.setup_state GET": ORG,
    "api.update_contest PUT": ORG,
    "api.rules_general PUT": ORG,
    "api.add_part POST": ORG,
    "api.edit_part PUT": ORG,
    "api.remove_part DELETE": ORG,
    "api.rules_prizes PUT": ORG,
    "api.programme PUT": ORG,
    "api.document_settings GET": ORG,
    "api.save_document_settings PUT": ORG,
    "api.units_create POST": ORG,
    "api.units_edit PUT": ORG,
    "api.units_delete DELETE": ORG,
    "api.teams_create POST": ORG,
    "api.teams_edit PUT": ORG,
    "api.teams_delete DELETE": ORG,
    "api.members_create POST": ORG,
    "api.members_edit PUT": ORG,
    "api.members_delete DELETE": ORG,
    "api.judges_create POST": ORG,
    "api.judges_edit PUT": ORG,
    "api.judges_delete DELETE": ORG,
    "api.reissue POST": ORG,
}

# Socket.IO, namespace /live: event -> roles that may use it. Everyone may connect (the
# audience too); what each one *receives* is checked in test_audience_leaks.
SOCKET_EXPECT: dict[str, str] = {
    "connect": EVERYONE,
    "disconnect": EVERYONE,
    "resync": EVERYONE,
    "ping_time": EVERYONE,
}

# Routes that only an organiser *account* may use (a password, not a link); /login otherwise.
ACCOUNT_ONLY = {"organiser.home", "organiser.create", "organiser.import_file", "api.create_contest"}


# Routes that end the session they are asked with.
SIGNS_OUT = {"pages.logout"}


def _organiser_copy(app, organiser):
    """A second client carrying the organiser's session cookie."""
    client = app.test_client()
    cookie = organiser.client.get_cookie("session")
    client.set_cookie("session", cookie.value)
    return client


# ------------------------------------------------------------------------ route parameters

def _ids(app, cid: int) -> dict:
    from sqlalchemy import select
    from contest.extensions import db
    from contest.models import AccessToken, Judge, Member, Team, Unit
    with app.app_context():
        team = db.session.scalar(select(Team).where(Team.contest_id == cid).order_by(Team.id))
        member = db.session.scalar(select(Member).where(Member.team_id == team.id).order_by(Member.id))
        return {
            "contest_id": cid, "team_id": team.id, "member_id": member.id,
            "judge_id": db.session.scalar(select(Judge.id).where(Judge.contest_id == cid, Judge.key == "j3")),
            "unit_id": db.session.scalar(select(Unit.id).where(Unit.contest_id == cid).order_by(Unit.id)),
            "token_id": db.session.scalar(select(AccessToken.id).where(
                AccessToken.contest_id == cid, AccessToken.role == "judge", AccessToken.subject == "j4")),
            "index": 0, "part": "intro", "fmt": "json", "which": "audience",
            "name": "danh-sach-doi.xlsx", "filename": "css/hoithi.css", "token": "x" * 43,
            "question": _office_question(app, cid),
        }


def _office_question(app, cid: int) -> str:
    """A question the office has just sent (still 'submitted': it may edit or delete it)."""
    from contest.extensions import db
    from contest.models import Contest
    from contest.services.access import principal_for_token
    from question_bank import services
    with app.app_context():
        token = tokens_of(app, cid)["offices"][OFFICE]["token"]
        principal = principal_for_token(token)
        office = services.office_of(principal, cid)
        q = services.create_question(db.session.get(Contest, cid), {
            "text": "Câu hỏi thử của cơ quan?", "answer": "Đáp án thử", "field": "Thử"},
            principal.actor("test"), office=office)
        return q.key


# What <key> names, by the path segment before it (the keys of the contest document).
KEY_OF = {"offices": OFFICE, "judges": "j3", "teams": "dak-to-re", "units": "dak-to-re",
          "members": "dak-rve-m3", "parts": "intro"}


def build_url(app, rule, ids: dict) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "key":  # an office's, a judge's, a team's... key; a question's by default
            before = rule.rule.split("/<key>")[0].rsplit("/", 1)[-1]
            values[arg] = KEY_OF.get(before, ids["question"])
        else:
            values[arg] = ids[arg]
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


def routes(app) -> list[tuple[str, str, object]]:
    """(row key, method, rule) for every route and method of the URL map."""
    out = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((f"{rule.endpoint} {method}", method, rule))
    return sorted(out, key=lambda r: (r[2].rule, r[1]))


# ------------------------------------------------------------------------ the outcome

def outcome(response) -> str:
    status = response.status_code
    if status >= 500:
        return "500!"
    if status in (401, 403):
        return "refused"
    if status in (301, 302, 303, 307) and "/login" in response.headers.get("Location", ""):
        return "refused"
    return "allowed"


def ask(person, method: str, url: str, *, bearer: bool):
    headers = person.headers(bearer)
    client = person.client
    if bearer:
        # a script with a token and no cookie
        client = person.client.application.test_client()
    kwargs = {"headers": headers}
    if method in ("POST", "PATCH", "PUT", "DELETE"):
        if url.startswith("/api/"):
            kwargs["json"] = {}
        else:
            kwargs["data"] = {"csrf_token": person.csrf or ""}
    return client.open(url, method=method, **kwargs)


def test_every_route_has_a_row(sqlite_app):
    keys = {key for key, _, _ in routes(sqlite_app)}
    missing = sorted(keys - set(EXPECT))
    assert not missing, ("Routes with no row in tests/reliability/test_role_matrix.py EXPECT — "
                         "decide who may call them: " + ", ".join(missing))
    stale = sorted(set(EXPECT) - keys)
    assert not stale, f"EXPECT rows for routes that no longer exist: {stale}"
    for key, roles in EXPECT.items():
        assert set(roles.split()) <= set(ROLES), key


def test_role_matrix_over_every_route(sqlite_app):
    app = sqlite_app
    started = time.monotonic()
    shared = make_contest(app)
    people_cache: dict[int, dict] = {}
    organiser = signed_in(app, shared, "organiser")  # one account covers every contest

    def people(cid: int) -> dict:
        if cid not in people_cache:
            links = tokens_of(app, cid)
            people_cache[cid] = {role: signed_in(app, cid, role, links) for role in ROLES
                                 if role != "organiser"}
            people_cache[cid]["organiser"] = Person("organiser", organiser.client,
                                                    links["organiser"]["token"], organiser.csrf)
        return people_cache[cid]

    failures: list[str] = []
    table: list[tuple[str, str, str]] = []
    asked = 0
    for key, method, rule in routes(app):
        allowed = set(EXPECT.get(key, "").split())
        # reads share one contest; every write gets its own, so no write changes another answer
        cid = shared if method == "GET" else make_contest(app)
        ids = _ids(app, cid)
        url = build_url(app, rule, ids)
        # refused roles first, allowed last: an allowed write cannot hide a refusal
        order = sorted(ROLES, key=lambda r: r in allowed)
        for role in order:
            person = people(cid)[role]
            if rule.endpoint in SIGNS_OUT:  # a throwaway session, so the others stay signed in
                person = signed_in(app, cid, role) if role != "organiser" else Person(
                    role, _organiser_copy(app, organiser), person.token, organiser.csrf)
            modes = [False, True] if url.startswith("/api/") and person.token else [False]
            for bearer in modes:
                if bearer and role == "organiser" and rule.endpoint in ACCOUNT_ONLY:
                    expected = "refused"  # the organisers' link is not the password account
                else:
                    expected = "allowed" if role in allowed else "refused"
                got = outcome(ask(person, method, url, bearer=bearer))
                asked += 1
                how = "bearer" if bearer else "cookie"
                table.append((key, f"{role}/{how}", got))
                if got != expected:
                    failures.append(f"{key} {url} as {role} ({how}): expected {expected}, got {got}")
    elapsed = time.monotonic() - started
    print(f"\nrole matrix: {len(routes(app))} routes x {len(ROLES)} roles, {asked} requests, {elapsed:.1f} s")
    assert not failures, "\n".join(failures)


# ------------------------------------------------------------------------ Socket.IO

def socket_events() -> set[str]:
    from contest.live import LiveNamespace
    events = {name[3:] for name in dir(LiveNamespace) if name.startswith("on_")}
    return events


def test_every_socket_event_has_a_row(sqlite_app):
    from contest.extensions import socketio
    events = socket_events()
    # handlers registered with @socketio.on(...) outside the namespace class count too
    for namespace, handlers in socketio.server.handlers.items():
        events |= {f"{name}" if namespace == "/live" else f"{namespace} {name}" for name in handlers}
    missing = sorted(events - set(SOCKET_EXPECT))
    assert not missing, f"Socket.IO events with no row in SOCKET_EXPECT: {missing}"


def test_socket_roles(sqlite_app):
    from contest.extensions import socketio
    app = sqlite_app
    cid = make_contest(app)
    links = tokens_of(app, cid)
    for role in ROLES:
        person = signed_in(app, cid, role, links)
        for how in ("cookie", "token"):
            if how == "token" and not person.token:
                continue
            kwargs = {"auth": {"token": person.token}} if how == "token" else {}
            sio = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}",
                                       flask_test_client=person.client if how == "cookie" else None,
                                       **kwargs)
            assert sio.is_connected("/live"), (role, how)
            got = sio.get_received("/live")
            snap = [e for e in got if e["name"] == "snapshot"]
            assert snap, (role, how)
            expected_role = {"head": "judge", "anonymous": "audience"}.get(role, role)
            assert snap[0]["args"][0]["role"] == expected_role, (role, how)
            sio.emit("resync", namespace="/live")
            assert [e for e in sio.get_received("/live") if e["name"] == "snapshot"], (role, how)
            assert isinstance(sio.emit("ping_time", namespace="/live", callback=True), int)
            sio.disconnect(namespace="/live")
    # refused at the door: a made-up token, another contest's token, no contest, a missing one
    other = make_contest(app)
    other_token = tokens_of(app, other)["mc"]["token"]
    for query, auth in ((f"contest={cid}", {"token": "x" * 43}),
                        (f"contest={cid}", {"token": other_token}),
                        ("contest=abc", None), ("contest=999999", None), ("", None),
                        ("contest=99999999999999999999999", None), ("contest=-1", None)):
        sio = socketio.test_client(app, namespace="/live", query_string=query, auth=auth)
        assert not sio.is_connected("/live"), (query, auth)
