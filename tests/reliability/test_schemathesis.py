"""Schemathesis against /api/openapi.json: every operation of the published API, with data
generated from its own schema (valid and invalid), sent with the token of the role the
operation names ("Who: ..."), answers without a server error; refusals carry the documented
error shape. Bounded for CI (HOITHI_SCHEMATHESIS_EXAMPLES per operation, default 5).

Also: every route under /api in the URL map is in the OpenAPI document (no hidden API)."""

from __future__ import annotations

import os
import re
import time

import schemathesis
from hypothesis import HealthCheck, given, settings

from conftest import make_contest, tokens_of
from reliability_support import OFFICE, dispose, secured_app

EXAMPLES = int(os.environ.get("HOITHI_SCHEMATHESIS_EXAMPLES", "5"))


def token_for(description: str, tokens: dict) -> str | None:
    who = (description or "").lower()
    for words, role in ((("jury head",), "head"), (("a judge", "jury"), "judge"), (("the mc",), "mc"),
                        (("office",), "office"), (("organiser",), "organiser")):
        if any(w in who for w in words):
            return tokens[role]
    return None


def test_every_api_route_is_documented(tmp_path):
    app = secured_app(tmp_path)
    try:
        spec = app.test_client().get("/api/openapi.json").get_json()
        documented = {(re.sub(r"\{[^}]+\}", "{}", p), m.upper()) for p, ops in spec["paths"].items() for m in ops}
        missing = []
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/api/v1"):
                continue
            path = re.sub(r"<[^>]+>", "{}", rule.rule[len("/api"):])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                if (path, method) not in documented:
                    missing.append(f"{method} {rule.rule}")
        assert not missing, f"API routes missing from /api/openapi.json: {sorted(missing)}"
    finally:
        dispose(app)


def test_api_has_no_server_errors(tmp_path):
    app = secured_app(tmp_path)
    cid = make_contest(app)
    links = tokens_of(app, cid)
    tokens = {"judge": links["judges"]["j2"]["token"], "head": links["judges"]["j1"]["token"],
              "mc": links["mc"]["token"], "organiser": links["organiser"]["token"],
              "office": links["offices"][OFFICE]["token"]}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures: list[str] = []
    calls = {"n": 0}
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        token = token_for(operation.definition.raw.get("description", ""), tokens)
        headers = {"Authorization": f"Bearer {token}"} if token else {}

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        @given(case=operation.as_strategy())
        def run(case):
            # aim at the real contest: a random id only ever meets a 404
            if case.path_parameters and "id" in case.path_parameters:
                case.path_parameters["id"] = cid
            response = case.call(headers=headers)
            calls["n"] += 1
            what = f"{case.method} {case.formatted_path} {str(case.body)[:120]!r}"
            if response.status_code >= 500:
                failures.append(f"{what}: {response.status_code} {response.text[:200]}")
            elif response.status_code >= 400 and "json" in response.headers.get("Content-Type", ""):
                error = (response.json() or {}).get("error") or {}
                if not (error.get("code") and error.get("message")):
                    failures.append(f"{what}: {response.status_code} without the error shape")

        run()
    print(f"\nschemathesis: {calls['n']} calls in {time.monotonic() - started:.1f} s, {len(failures)} failures")
    dispose(app)
    assert not failures, "\n".join(failures[:30])
