"""A malicious phone in the audience: everything a public client can receive during a whole
scripted contest, captured and searched.

The whole show is run (93 steps of the demo: every team, every part, the draws, scoring,
results, every reveal) while an audience socket, a projector socket and a contributing office's
socket record every event, and the public pages and API are fetched along the way. In all of
it there must be no answer (or answer guide, or follow-up answer), no standings while results
are hidden, no judge's individual sheet, no MC script, no token. The question answers, sheet
comments and sheet ids carry unique markers so that a leak anywhere, under any key, is found.
"""

from __future__ import annotations

import json

from conftest import bearer, demo_document, make_contest, tokens_of

# keys that only staff payloads may carry, at any depth
STAFF_KEYS = {"answer", "answer_text", "cue", "next_cue", "sheets", "matrix", "criteria", "token",
              "comment", "overtime", "tokens", "judging"}


def marked_document() -> tuple[dict, list[str]]:
    doc = demo_document()
    secrets_ = []
    for q in doc["contest"]["questions"]:
        if q.get("kind", "open") == "open":
            q["answer"] = f"ĐÁPÁN-{q['key']}-BÍMẬT"
            secrets_.append(q["answer"])
        for n, f in enumerate(q.get("follow_ups") or []):
            f["answer"] = f"PHỤ-{q['key']}-{n}-BÍMẬT"
            secrets_.append(f["answer"])
    if not any(q.get("follow_ups") for q in doc["contest"]["questions"]):
        q = doc["contest"]["questions"][0]
        q["follow_ups"] = [{"text": "Câu hỏi phụ?", "answer": "PHỤ-thêm-BÍMẬT", "points": 10}]
        secrets_.append("PHỤ-thêm-BÍMẬT")
    return doc, secrets_


def keys_deep(value, path="") -> list[str]:
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in STAFF_KEYS and v not in (None, [], {}, "") and not (k == "sheets" and isinstance(v, int)):
                # (a count of sheets per team is public: "3 of 5 judges have scored")
                out.append(f"{path}.{k}")
            out += keys_deep(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += keys_deep(v, f"{path}[{i}]")
    return out


def test_public_clients_never_receive_secrets(sqlite_app):
    from contest.extensions import socketio
    app = sqlite_app
    doc, secrets_ = marked_document()
    cid = make_contest(app, doc)
    links = tokens_of(app, cid)
    tokens = [links["mc"]["token"], links["organiser"]["token"]]
    tokens += [j["token"] for j in links["judges"].values()] + [o["token"] for o in links["offices"].values()]
    mc = bearer(links["mc"]["token"])
    organiser = bearer(links["organiser"]["token"])
    api = f"/api/v1/contests/{cid}"
    staff_client = app.test_client()
    public_client = app.test_client()

    office_token = next(iter(links["offices"].values()))["token"]
    listeners = {
        "audience": socketio.test_client(app, namespace="/live", query_string=f"contest={cid}"),
        "projector": socketio.test_client(app, namespace="/live", query_string=f"contest={cid}"),
        "office": socketio.test_client(app, namespace="/live", query_string=f"contest={cid}",
                                       auth={"token": office_token}),
    }
    staff = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}",
                                 auth={"token": links["mc"]["token"]})
    captured: list[tuple[str, str, object]] = []  # (who, what, payload)
    hidden_phase: list[tuple[str, object]] = []  # what the public got while results were hidden
    staff_seen: list = []

    def drain(hidden: bool) -> None:
        for who, sio in listeners.items():
            for e in sio.get_received("/live"):
                captured.append((who, e["name"], e["args"]))
                if hidden:
                    hidden_phase.append((e["name"], e["args"]))
        staff_seen.extend(staff.get_received("/live"))

    def fetch_public(step_kind: str) -> None:
        for url in (f"/c/{cid}", f"/c/{cid}/projector", f"{api}/stage", f"{api}/draws",
                    f"{api}/standings", f"{api}/order", f"/c/{cid}/verify", f"{api}", "/"):
            r = public_client.get(url)
            assert r.status_code < 500, url
            body = r.get_json() if r.is_json else r.get_data(as_text=True)
            captured.append(("http", f"{url} @ {step_kind}", body))

    drain(True)
    assert staff_client.post(f"{api}/seal", json={}, headers=organiser).status_code in (200, 201)
    fetched_kinds = set()
    drawn = 0
    scored_teams: set[str] = set()
    for n in range(200):
        r = staff_client.post(f"{api}/stage", json={"action": "next"}, headers=mc)
        assert r.status_code == 200, r.get_json()
        view = r.get_json()
        step = view["step"]
        hidden = view["results_mode"] == "hidden"
        if step["kind"] == "phase":
            staff_client.post(f"{api}/stage", json={"action": "start"}, headers=mc)
            staff_client.post(f"{api}/stage", json={"action": "pause"}, headers=mc)
        if step["kind"] == "draw":
            drawn += 1
            d = staff_client.post(f"{api}/draws", json={"team": step["team"], "lot": drawn}, headers=mc)
            assert d.status_code == 201, d.get_json()
            staff_seen.append(("draw-answer", d.get_json()))
        if step["kind"] == "scoring" and (step["team"] in scored_teams or len(scored_teams) < 2):
            scored_teams.add(step["team"])
            for jkey, j in links["judges"].items():
                body = {"team": step["team"], "part": step["part"], "id": f"SHEET-{jkey}-{n}-SECRET",
                        "comment": f"NHẬNXÉT-{jkey}-BÍMẬT",
                        "criteria": {c: 1 for c in _criteria(app, cid, step["part"])}}
                s = staff_client.post(f"{api}/scores", json=body, headers=bearer(j["token"]))
                assert s.status_code == 201, s.get_json()
        if step["kind"] == "results":
            # everything before this moment was under "hidden"
            drain(True)
            fetch_public("hidden results")
            assert public_client.get(f"{api}/standings").status_code == 403
            r = staff_client.post(f"{api}/stage", json={"action": "results", "mode": "live"}, headers=mc)
            assert r.status_code == 200, r.get_json()
            hidden = False
        drain(hidden)
        if step["kind"] not in fetched_kinds or n % 15 == 0:
            fetched_kinds.add(step["kind"])
            fetch_public(step["kind"])
            drain(hidden)
        if view["next"] is None:
            break
    staff_client.post(f"{api}/stage", json={"action": "results", "mode": "frozen"}, headers=mc)
    for sio in listeners.values():
        sio.emit("resync", namespace="/live")
    drain(False)
    fetch_public("end")

    # the capture is real: the public got the stage, the draws, and (once live) the standings
    names = {name for who, name, _ in captured if who == "audience"}
    assert {"snapshot", "stage", "draw"} <= names, names
    assert any(name == "standings" for who, name, _ in captured), "no standings once results went live"
    assert drawn == 7
    # and the staff really had the secrets, so their absence above means something
    staff_text = json.dumps(staff_seen, ensure_ascii=False)
    assert any(s in staff_text for s in secrets_)

    text = json.dumps([c[2] for c in captured], ensure_ascii=False)
    leaks = [s for s in secrets_ if s in text]
    assert not leaks, f"answers reached a public client: {leaks[:5]}"
    assert "NHẬNXÉT-" not in text and "SHEET-" not in text, "a judge's sheet reached a public client"
    assert not [t for t in tokens if t in text], "a token reached a public client"
    staff_keys = []
    for who, what, payload in captured:
        staff_keys += [f"{who} {what}{k}" for k in keys_deep(payload)]
    assert not staff_keys, staff_keys[:10]
    # while results were hidden: no standings event, no standings in any snapshot
    for name, payload in hidden_phase:
        assert name != "standings", f"standings reached the public while hidden: {payload}"
        assert not _deep_standings(payload), f"{name} carried standings while hidden"
    events = sum(1 for who, _, _ in captured if who != "http")
    print(f"\naudience leaks: {n + 1} steps, {events} public socket events, "
          f"{len(captured) - events} public HTTP answers searched, {len(secrets_)} secret markers")
    for sio in list(listeners.values()) + [staff]:
        sio.disconnect(namespace="/live")


def _criteria(app, cid: int, part: str) -> list[str]:
    from contest.extensions import db
    from contest.models import Contest
    with app.app_context():
        return [c.key for c in db.session.get(Contest, cid).rules.part(part).criteria]


def _deep_standings(value) -> bool:
    """A non-empty standings table (a list of teams with totals) anywhere in ``value``."""
    if isinstance(value, dict):
        table = value.get("standings")
        if isinstance(table, dict) and table.get("teams"):
            return True
        return any(_deep_standings(v) for v in value.values())
    if isinstance(value, list):
        return any(_deep_standings(v) for v in value)
    return False
