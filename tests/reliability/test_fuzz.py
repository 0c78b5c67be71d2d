"""Bad input gets a clear error and writes nothing: every JSON endpoint, every form and the
contest document, fed random, oversized, wrongly typed, deeply nested and Unicode-hostile
values (NFD, zero-width, right-to-left marks, lone surrogates, 100,000-character strings,
NaN, 2**70).

For every request: never a 5xx; a refusal (4xx) is a JSON error with a code and a Vietnamese
message, naming the field for a 400 (API), or the form again with the error shown (pages);
and a refusal leaves the database exactly as it was (compared row by row).

Two passes: a deterministic catalogue (every write route x every field of a valid body or of
the real HTML form x hostile values) and Hypothesis (random mutations and whole random
bodies); ``HOITHI_RELIABILITY_EXAMPLES`` raises the Hypothesis budget for a deeper run.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import demo_document, make_contest, tokens_of
from reliability_support import ROLES, db_diff, dispose, form_fields, secured_app, signed_in, snapshot_db

EXAMPLES = int(os.environ.get("HOITHI_RELIABILITY_EXAMPLES", "6")) * 10
FORM_POSTS = int(os.environ.get("HOITHI_FUZZ_FORM_POSTS", "20"))  # hostile posts per form
PER_FIELD = int(os.environ.get("HOITHI_FUZZ_PER_FIELD", "3"))  # len(HOSTILE) for all of them

def _deep(depth: int):
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


DEEP = _deep(400)  # deeper than any sane document (and 100,000 deep as raw bytes below)
HOSTILE = [
    "x" * 100_000,
    "Nguye\u0302\u0303n Va\u0306n A",  # NFD: decomposed Vietnamese
    "\u200b\u200c\u200d\ufeff",  # only zero-width characters
    "\u202eĐội\u202c \u200f\u061c",  # right-to-left override and marks
    "\ud800 lone surrogate",
    "<script>alert(1)</script>\"'&",
    "=HYPERLINK(\"http://evil.example\")",
    "",
    "   ",
    "\x00\x01\x1b[31m",
    -1,
    2 ** 70,
    1e308,
    float("nan"),
    True,
    None,
    [],
    {},
    ["a", {"b": [1, None]}],
    DEEP,
]


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


# ------------------------------------------------------------------------ valid API bodies

# "endpoint METHOD" -> (role, valid body). A write route of the API without a row fails
# test_every_api_write_has_a_valid_body, so new routes get fuzzed too.
VALID: dict[str, tuple[str, object]] = {
    "api.create_contest POST": ("organiser-account", "DOCUMENT"),
    "api.backup_now POST": ("organiser", {}),
    "api.rehearsal_reset POST": ("organiser", {"reason": "Tổng duyệt xong"}),
    "api.act_stage POST": ("mc", {"action": "extend", "seconds": 30}),
    "api.post_draw POST": ("mc", {"team": "dak-rve", "lot": 1}),
    "api.seal POST": ("organiser", {}),
    "api.reveal POST": ("organiser", {}),
    "api.add_office POST": ("organiser", {"name": "Phòng Y tế"}),
    "api.rename_office PATCH": ("organiser", {"name": "Phòng Nội vụ huyện"}),
    "api.create_question POST": ("office", {"text": "Câu hỏi?", "answer": "Đáp án", "field": "Nội vụ",
                                            "points": 20, "follow_ups": [{"text": "Phụ?", "answer": "Đ"}]}),
    "api.update_question PATCH": ("office", {"text": "Câu hỏi đã sửa?", "answer": "Đáp án mới"}),
    "api.delete_question DELETE": ("office", None),
    "api.approve_question POST": ("organiser", {}),
    "api.reject_question POST": ("organiser", {"reason": "Trùng câu khác"}),
    "api.import_questions POST": ("office", "MULTIPART"),
    "api.post_score POST": ("judge", {"team": "dak-rve", "part": "intro", "id": "fz-1",
                                      "criteria": {"content": 5, "delivery": 4.5}, "comment": "Tốt"}),
    "api.post_nomination POST": ("judge", {"prize": "best_actor", "member": "MEMBER"}),
    "api.post_lock POST": ("head", {"part": "intro", "force": True, "reason": "Đủ phiếu"}),
    "api.post_unlock POST": ("head", {"reason": "Sửa điểm"}),
    "api.post_tie POST": ("head", {"tie": "t1", "order": ["dak-rve", "dak-koi"], "reason": "Bốc thăm",
                                   "expected": None}),
    "api.post_penalty POST": ("head", {"team": "dak-rve", "part": "skit", "points": 1,
                                       "reason": "Quá giờ", "expected": None}),
    # setup over the API
    "api.update_contest PUT": ("organiser", {"name": "Hội thi mới", "organizer": "UBND huyện",
                                             "date": "2023-09-15", "venue": "Hội trường"}),
    "api.rules_general PUT": ("organiser", {"max_members": 12, "max_guests": 4, "aggregation": "mean",
                                            "decimals": 2, "score_step": 0.5,
                                            "tie_break": ["skit", "quiz", "intro"]}),
    "api.add_part POST": ("organiser", "PART"),
    "api.edit_part PUT": ("organiser", "PART"),
    "api.remove_part DELETE": ("organiser", {}),
    "api.rules_prizes PUT": ("organiser", "PRIZES"),
    "api.programme PUT": ("organiser", "PROGRAMME"),
    "api.save_document_settings PUT": ("organiser", {"signer_title": "CHỦ TỊCH", "signer_name": "Nguyễn Văn A",
                                                     "recipients": ["Như Điều 3", "Lưu: VT"], "draft": False}),
    "api.units_create POST": ("organiser", {"name": "Xã Mới Lập"}),
    "api.units_edit PUT": ("organiser", {"name": "Xã Đổi Tên"}),
    "api.units_delete DELETE": ("organiser", {}),
    "api.teams_create POST": ("organiser", {"name": "Đội Mới", "unit": "dak-rve"}),
    "api.teams_edit PUT": ("organiser", {"name": "Đội Đổi Tên"}),
    "api.teams_delete DELETE": ("organiser", {}),
    "api.members_create POST": ("organiser", {"team": "dak-rve", "name": "Nguyễn Văn Mới", "position": "Cán bộ",
                                              "workplace": "UBND xã", "kind": "member", "roles": ["skit"]}),
    "api.members_edit PUT": ("organiser", {"name": "Nguyễn Văn Sửa", "position": "Công chức"}),
    "api.members_delete DELETE": ("organiser", {}),
    "api.judges_create POST": ("organiser", {"name": "Giám khảo Mới", "title": "Phó phòng", "head": False}),
    "api.judges_edit PUT": ("organiser", {"name": "Giám khảo Sửa", "title": "Trưởng phòng"}),
    "api.judges_delete DELETE": ("organiser", {}),
    "api.reissue POST": ("organiser", {}),
}


@pytest.fixture
def app(tmp_path):
    application = secured_app(tmp_path)
    yield application
    dispose(application)


def api_writes(app) -> list:
    from test_role_matrix import routes
    return [(k, m, r) for k, m, r in routes(app) if r.rule.startswith("/api/") and m != "GET"]


def test_every_api_write_has_a_valid_body(app):
    missing = sorted(k for k, _, _ in api_writes(app) if k not in VALID)
    assert not missing, f"API writes with no valid body in tests/reliability/test_fuzz.py VALID: {missing}"


class Target:
    """One contest, its people and fresh ids, for the fuzz passes."""

    def __init__(self, app):
        from test_role_matrix import _ids
        self.app = app
        self.cid = make_contest(app)
        self.links = tokens_of(app, self.cid)
        self.people = {r: signed_in(app, self.cid, r, self.links) for r in ROLES}
        self.ids = _ids(app, self.cid)
        self.member = self._member()
        self.client = app.test_client()  # for bearer requests: no cookie
        self.baseline = snapshot_db(app)

    def _member(self) -> str:
        from contest.services.scoring import performers, roster
        with self.app.app_context():
            return sorted(performers(roster(self.cid)).get("skit", ()))[0]

    def url(self, rule) -> str:
        from test_role_matrix import build_url
        return build_url(self.app, rule, self.ids)

    def send_api(self, key: str, rule, method: str, body, raw: bytes | None = None):
        role, _ = VALID[key]
        url = self.url(rule)
        if role == "organiser-account":
            person = self.people["organiser"]
            client, headers = person.client, {"X-CSRFToken": person.csrf}
        else:
            person = self.people[role]
            client, headers = self.client, {"Authorization": f"Bearer {person.token}"}
        if raw is not None:
            return client.open(url, method=method, data=raw, headers=headers, content_type="application/json")
        if VALID[key][1] == "MULTIPART" and isinstance(body, dict) and "file" in body:
            return client.open(url, method=method, data=body, headers=headers)
        payload = json.dumps(body, ensure_ascii=True, allow_nan=True)
        return client.open(url, method=method, data=payload, headers=headers, content_type="application/json")

    def check(self, response, what: str, api: bool) -> list[str]:
        """Problems with one answer (and the database, when it was a refusal)."""
        problems = []
        status = response.status_code
        if status >= 500:
            return [f"{what}: {status}"]
        if status >= 400:
            if api:
                try:
                    error = response.get_json()["error"]
                except Exception:  # noqa: BLE001
                    return [f"{what}: {status} without a JSON error"]
                if not error.get("code") or not error.get("message"):
                    problems.append(f"{what}: error without code or message")
                if status == 400 and not error.get("field"):
                    problems.append(f"{what}: 400 without the field named ({error.get('message')})")
            else:
                html = response.get_data(as_text=True)
                if status == 400 and not re.search(r'aria-invalid="true"|has-error|role="alert"|flash-error', html):
                    problems.append(f"{what}: 400 page without the error shown")
            after = snapshot_db(self.app)
            diff = db_diff(self.baseline, after)
            if diff:
                problems.append(f"{what}: refused with {status} but wrote {diff}")
                self.baseline = after
        else:
            self.baseline = snapshot_db(self.app)
        return problems


def valid_body(t: Target, key: str):
    body = VALID[key][1]
    if body == "DOCUMENT":
        return demo_document()
    if body == "MULTIPART":
        import io
        return {"file": (io.BytesIO(b'{"questions": []}'), "q.json")}
    demo = demo_document()["contest"]
    if body == "PART":
        body = dict(demo["rules"]["parts"][0], key="bonus", name="Phần thi phụ")
    elif body == "PRIZES":
        body = demo["rules"]["prizes"]
    elif body == "PROGRAMME":
        body = {"items": demo["programme"]}
    body = json.loads(json.dumps(body))
    if isinstance(body, dict) and body.get("member") == "MEMBER":
        body["member"] = t.member
    return body


def mutations(body) -> list[tuple[str, object]]:
    """(description, body) with each field of ``body`` set to each hostile value, plus whole
    bodies of the wrong shape."""
    out = [(f"body={_short(h)}", h) for h in HOSTILE]
    if isinstance(body, dict):
        for i, field in enumerate(body):
            # each field gets PER_FIELD hostile values, rotating so that every value is used
            for k in range(PER_FIELD):
                h = HOSTILE[(i * PER_FIELD + k) % len(HOSTILE)]
                out.append((f"{field}={_short(h)}", dict(body, **{field: h})))
        out.append(("extra key", dict(body, **{"\u202eextra": "x" * 1000})))
        for h in HOSTILE[:6]:
            if isinstance(body.get("criteria"), dict):
                out.append((f"criteria.key={_short(h)}", dict(body, criteria={h if isinstance(h, str) else "k": 1})))
    return out


def test_api_catalogue(app):
    t = Target(app)
    problems = []
    count = 0
    for key, method, rule in api_writes(t.app):
        body = valid_body(t, key)
        if body is None or VALID[key][1] in ("MULTIPART",):
            cases = [(f"body={_short(h)}", h) for h in HOSTILE]
        elif VALID[key][1] == "DOCUMENT":
            cases = document_mutations(body)
        else:
            cases = mutations(body)
        for what, case in cases:
            r = t.send_api(key, rule, method, case)
            problems += t.check(r, f"{key} {what}", api=True)
            count += 1
        for raw in (b"{", b"\xff\xfe", b"[" * 100_000, b'{"a": NaN}', b"null", b"1" * 5000):
            r = t.send_api(key, rule, method, None, raw=raw)
            problems += t.check(r, f"{key} raw {raw[:12]!r}", api=True)
            count += 1
    print(f"\nAPI catalogue: {count} requests")
    assert not problems, "\n".join(problems[:40])


def document_mutations(doc: dict) -> list[tuple[str, object]]:
    """The contest document with hostile values at representative paths."""
    paths = [("contest", "name"), ("contest", "date"), ("contest", "rules"), ("contest", "teams"),
             ("contest", "rules", "parts"), ("contest", "rules", "aggregation"), ("contest", "rules", "decimals"),
             ("contest", "teams", 0, "members"), ("contest", "teams", 0, "name"),
             ("contest", "teams", 0, "members", 0, "kind"), ("contest", "judges", 0, "head"),
             ("contest", "questions", 0, "points"), ("contest", "rules", "parts", 0, "criteria", 0, "max"),
             ("format",)]
    out = [(f"document={_short(h)}", h) for h in HOSTILE]
    for n, path in enumerate(paths):
        for h in (HOSTILE[(n * 3 + k) % len(HOSTILE)] for k in range(3)):
            d = json.loads(json.dumps(doc))
            node = d
            for p in path[:-1]:
                node = node[p]
            node[path[-1]] = h
            out.append((f"{'.'.join(map(str, path))}={_short(h)}", d))
    return out


# ------------------------------------------------------------------------ HTML forms

def crawl_forms(t: Target) -> dict[str, tuple[str, dict]]:
    """action URL -> (role, fields) for every POST form on every page each role can open."""
    from test_role_matrix import routes
    found: dict[str, tuple[str, dict]] = {}
    seen_endpoints: set[str] = set()
    for role in ("organiser", "office", "head"):
        person = t.people[role]
        for key, method, rule in routes(t.app):
            if method != "GET" or rule.endpoint == "static":
                continue
            r = person.client.get(t.url(rule))
            if r.status_code != 200 or not r.content_type.startswith("text/html"):
                continue
            html = r.get_data(as_text=True)
            page = t.url(rule)
            for tag in re.findall(r"<form\b[^>]*>", html, re.I):
                if not re.search(r'method=["\']?post', tag, re.I):
                    continue
                action = (re.search(r'action="([^"]*)"', tag) or [None, ""])[1] or page
                action = action.split("#")[0].replace("&amp;", "&")
                if action in found or action == "/logout":
                    continue
                endpoint = _endpoint(t.app, action)
                if endpoint in seen_endpoints:  # one form per route: /members/1/delete is enough
                    continue
                seen_endpoints.add(endpoint)
                try:
                    fields = form_fields(html, action if action != page else "")
                except AssertionError:
                    fields = form_fields(html, action)
                found[action] = (role, fields)
    return found


def _endpoint(app, url: str) -> str:
    from urllib.parse import urlsplit
    try:
        return app.url_map.bind("localhost").match(urlsplit(url).path, method="POST")[0]
    except Exception:  # noqa: BLE001
        return url


def _revision(t: Target) -> str:
    from contest.extensions import db
    from contest.models import Contest
    with t.app.app_context():
        return str(db.session.get(Contest, t.cid).revision)


def test_forms_catalogue(app):
    t = Target(app)
    forms = crawl_forms(t)
    assert len(forms) > 15, sorted(forms)
    problems = []
    count = 0
    hostile_strings = [h for h in HOSTILE if isinstance(h, str) and "\ud800" not in h] + ["-1", "1e999", "99999999999999999999"]
    destructive = re.compile(r"/(delete|reissue|seal|reveal|reset)$")
    for n, (action, (role, fields)) in enumerate(sorted(forms.items())):
        person = t.people[role]
        names = [f for f in fields if f != "csrf_token"]
        per_field = max(1, min(3, FORM_POSTS // max(1, len(names))))
        for i, field in enumerate(names):
            # each field gets 1-3 hostile values (at most FORM_POSTS per form), rotating
            for h in (hostile_strings[(i * 3 + n + k) % len(hostile_strings)] for k in range(per_field)):
                data = dict(fields, csrf_token=person.csrf)
                if "revision" in data and field != "revision":
                    data["revision"] = _revision(t)
                if destructive.search(action) and field != "revision":
                    continue
                data[field] = h
                r = person.client.post(action, data=data)
                problems += t.check(r, f"{action} {field}={_short(h)}", api=action.startswith("/api/"))
                count += 1
    print(f"\nforms: {len(forms)} forms, {count} posts")
    assert not problems, "\n".join(problems[:40])


# ------------------------------------------------------------------------ Hypothesis

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2 ** 80), 2 ** 80),
                      st.floats(allow_nan=True, allow_infinity=True),
                      st.text(alphabet=st.characters(codec="utf-8"), max_size=200),
                      st.sampled_from([h for h in HOSTILE if isinstance(h, str)]))
json_value = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=20), inner, max_size=4)), max_leaves=20)


@pytest.fixture
def target(app):
    return Target(app)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_api_hypothesis(target, data):
    t = target
    writes = [w for w in api_writes(t.app) if VALID[w[0]][1] not in ("DOCUMENT", "MULTIPART")]
    key, method, rule = data.draw(st.sampled_from(writes), label="route")
    body = valid_body(t, key)
    if isinstance(body, dict) and body and data.draw(st.booleans(), label="mutate one field"):
        field = data.draw(st.sampled_from(sorted(body)), label="field")
        body = dict(body, **{field: data.draw(json_value, label="value")})
    else:
        body = data.draw(json_value, label="body")
    problems = t.check(t.send_api(key, rule, method, body), f"{key} {_short(body)}", api=True)
    assert not problems, problems


def test_ids_beyond_any_integer_in_every_url(app):
    """Every route of the URL map with each integer argument set to 10**20 (SQLite's INTEGER
    overflows past 2**63): a 404, never a 500."""
    from test_role_matrix import routes
    t = Target(app)
    problems = []
    for key, method, rule in routes(app):
        ints = [a for a in rule.arguments if rule._converters[a].__class__.__name__ == "IntegerConverter"]
        if not ints:
            continue
        ids = dict(t.ids, **{a: 10 ** 20 for a in ints})
        from test_role_matrix import build_url
        url = build_url(app, rule, ids)
        for role in ("organiser", "anonymous"):
            person = t.people[role]
            kwargs = {"headers": {"X-CSRFToken": person.csrf}}
            if method != "GET":
                kwargs["json" if url.startswith("/api/") else "data"] = {} if url.startswith("/api/") else {"csrf_token": person.csrf}
            r = person.client.open(url, method=method, **kwargs)
            if r.status_code >= 500:
                problems.append(f"{key} {url} as {role}: {r.status_code}")
            elif role == "organiser" and r.status_code != 404:
                problems.append(f"{key} {url} as organiser: {r.status_code}, expected 404")
    assert not problems, "\n".join(problems)


def _paths(value, prefix=()) -> list[tuple]:
    """Every path into a JSON document (dict keys and list indexes)."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            out += _paths(v, prefix + (i,))
    return out


_DOC_PATHS = _paths(demo_document())


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_document_hypothesis(target, data):
    """The contest document with a random value at a random place: created whole, or refused
    with the path named and nothing written."""
    t = target
    rule = next(r for k, m, r in api_writes(t.app) if k == "api.create_contest POST")
    doc = demo_document()
    path = data.draw(st.sampled_from(_DOC_PATHS), label="path")
    node = doc
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = data.draw(json_value, label="value")
    r = t.send_api("api.create_contest POST", rule, "POST", doc)
    problems = t.check(r, f"document {'.'.join(map(str, path))}", api=True)
    assert not problems, problems


@settings(max_examples=EXAMPLES // 2, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_forms_hypothesis(target, data):
    """A random form of the app with random text in one of its fields."""
    t = target
    forms = _FORMS.get(id(t.app))
    if forms is None:
        forms = _FORMS[id(t.app)] = sorted(crawl_forms(t).items())
    action, (role, fields) = data.draw(st.sampled_from(forms), label="form")
    names = [f for f in fields if f not in ("csrf_token", "revision")]
    if not names or re.search(r"/(delete|reissue|seal|reveal|reset)$", action):
        return
    person = t.people[role]
    field = data.draw(st.sampled_from(names), label="field")
    value = data.draw(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300)
                      | st.sampled_from([h for h in HOSTILE if isinstance(h, str) and "\ud800" not in h]),
                      label="value")
    form = dict(fields, csrf_token=person.csrf, **{field: value})
    if "revision" in form:
        form["revision"] = _revision(t)
    r = person.client.post(action, data=form)
    problems = t.check(r, f"{action} {field}={_short(value)}", api=False)
    assert not problems, problems


_FORMS: dict = {}
