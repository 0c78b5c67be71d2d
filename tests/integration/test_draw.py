"""The sealed draw through the API, the live events and the CLI: seal → draw → 409 on the
same lot → reseal refused → reveal → the commitment recomputed in Python equals; the audience
never receives an answer."""

from __future__ import annotations

import hashlib
import json
import random

import pytest
from conftest import bearer, csrf_token, login, make_contest, tokens_of


def recompute(lots: dict, salt: str) -> str:
    payload = json.dumps({"lots": lots, "salt": salt}, sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def contains(value, needle: str) -> bool:
    return needle in json.dumps(value, ensure_ascii=False)


def test_seal_draw_conflicts_reveal_verify(client, app):
    cid = make_contest(app)
    links = tokens_of(app, cid)
    org, mc = bearer(links["organiser"]["token"]), bearer(links["mc"]["token"])
    url = f"/api/v1/contests/{cid}/draws"
    # Not sealed yet: GET shape with nothing, POST 409 with a clear message.
    assert client.get(url).get_json() == {"commitment": None, "lots": 0, "drawn": [], "reveal": None}
    r = client.post(url, headers=mc, json={"team": "dak-rve", "lot": 1})
    assert r.status_code == 409 and "niêm phong" in r.get_json()["error"]["message"]
    # Seal (organisers only).
    assert client.post(f"/api/v1/contests/{cid}/seal", headers=mc).status_code == 403
    sealed = client.post(f"/api/v1/contests/{cid}/seal", headers=org).get_json()
    assert sealed["lots"] == 10 and len(sealed["commitment"]) == 64
    state = client.get(url).get_json()
    assert set(state) == {"commitment", "lots", "drawn", "reveal"}
    assert state == {"commitment": sealed["commitment"], "lots": 10, "drawn": [], "reveal": None}
    # Bad input: lot outside 1..N, not a number, unknown team, missing body; nothing drawn.
    for body, status, field in (({"team": "dak-rve", "lot": 0}, 404, "lot"),
                                ({"team": "dak-rve", "lot": 11}, 404, "lot"),
                                ({"team": "dak-rve", "lot": "ba"}, 400, "lot"),
                                ({"team": "dak-rve", "lot": True}, 400, "lot"),
                                ({"team": "nobody", "lot": 1}, 400, "team"),
                                ({"lot": 1}, 400, "team")):
        r = client.post(url, headers=mc, json=body)
        assert (r.status_code, r.get_json()["error"]["field"]) == (status, field), body
    assert client.post(url, headers=mc, data="x", content_type="application/json").status_code == 400
    judge = bearer(next(iter(links["judges"].values()))["token"])
    assert client.post(url, headers=judge, json={"team": "dak-rve", "lot": 1}).status_code == 403
    assert client.post(url, json={"team": "dak-rve", "lot": 1}).status_code in (400, 401)
    assert client.get(url).get_json()["drawn"] == []
    # The MC records a draw: the question with its answer, the question becomes "used".
    r = client.post(url, headers=mc, json={"team": "dak-rve", "lot": 4})
    assert r.status_code == 201
    drawn = r.get_json()
    assert {"lot", "team", "question", "answer", "follow_ups"} <= set(drawn)
    assert drawn["lot"] == 4 and drawn["team"] == "dak-rve" and drawn["answer"]
    assert set(drawn["question"]) == {"key", "kind", "text", "choices", "points"}
    key = drawn["question"]["key"]
    q = client.get(f"/api/v1/contests/{cid}/questions/{key}", headers=org).get_json()
    assert q["status"] == "used"
    # The same lot again: 409, even for another team; the question cannot be edited or rejected.
    r = client.post(url, headers=mc, json={"team": "dak-koi", "lot": 4})
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "lot"
    assert client.patch(f"/api/v1/contests/{cid}/questions/{key}", headers=org, json={"text": "x"}).status_code == 409
    other = next(k for k in ("q1", "q2", "q3") if k != key)
    r = client.post(f"/api/v1/contests/{cid}/questions/{other}/reject", headers=org, json={"reason": "đổi ý"})
    assert r.status_code == 409  # still in a sealed lot
    r = client.patch(f"/api/v1/contests/{cid}/questions/{other}", headers=org, json={"text": "Đổi câu"})
    assert r.status_code == 409  # nor its text, once the draw has started
    # Reseal after a draw is refused (API and CLI-facing service alike).
    r = client.post(f"/api/v1/contests/{cid}/seal", headers=org)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "already_drawn"
    # GET: exactly the contract's shape, the drawn question's key but no answer.
    state = client.get(url).get_json()
    assert state["drawn"] == [{"lot": 4, "team": "dak-rve", "question": key}]
    assert not contains(state, drawn["answer"])
    # Reveal: salt and lots published; the commitment recomputes; no more draws.
    revealed = client.post(f"/api/v1/contests/{cid}/reveal", headers=org).get_json()
    assert revealed["commitment"] == sealed["commitment"]
    assert recompute(revealed["lots"], revealed["salt"]) == sealed["commitment"]
    from question_bank.core.draw import verify
    assert verify(sealed["commitment"], revealed["lots"], revealed["salt"])
    state = client.get(url).get_json()
    assert state["reveal"] == {"salt": revealed["salt"], "lots": revealed["lots"]}
    assert state["reveal"]["lots"]["4"] == key
    assert sorted(state["reveal"]["lots"], key=int) == [str(n) for n in range(1, 11)]
    assert client.post(url, headers=mc, json={"team": "dak-koi", "lot": 5}).status_code == 409
    page = client.get(f"/c/{cid}/verify").get_data(as_text=True)
    assert sealed["commitment"] in page and revealed["salt"] in page
    # Every step is in the audit log.
    from contest.services.audit import entries
    with app.app_context():
        actions = [e.action for e in entries(cid)]
    assert {"draw.seal", "draw.record", "draw.reveal"} <= set(actions)


def test_reseal_before_a_draw_replaces_the_seal_and_audits(sqlite_app):
    app = sqlite_app
    cid = make_contest(app)
    from contest.extensions import db
    from contest.models import Contest
    from question_bank import services
    with app.app_context():
        contest = db.session.get(Contest, cid)
        first = services.seal_questions(contest, rng=random.Random(1))
        second = services.seal_questions(contest, rng=random.Random(2))
        assert first["commitment"] != second["commitment"]
        assert services.draws_state(contest)["commitment"] == second["commitment"]
        from contest.services.audit import entries
        replaced = [e for e in entries(cid) if e.action == "draw.seal.replace"]
        assert replaced and replaced[0].old["commitment"] == first["commitment"]
        # Approving a question after sealing does not change the lots until a reseal.
        q = services.create_question(contest, {"text": "Câu mới", "answer": "x", "status": "approved"})
        assert q.key not in services.draws_state(contest).get("drawn", [])
        assert services.draw_listing(contest)["unsealed_approved"] == [q.key]
        assert services.seal_questions(contest)["lots"] == 11
        # The performance order: sealed, verifiable, given to the show in order.
        assert services.performance_order(contest) is None
        order = services.seal_performance_order(contest, rng=random.Random(3))
        teams = services.performance_order(contest)
        assert sorted(teams) == sorted(t.key for t in contest.teams) and order["lots"] == 7
        assert services.order_state(contest, staff=False)["order"] is None
        assert services.order_state(contest, staff=True)["order"] == teams
        # The team's latest draw for the show.
        assert services.drawn_question(cid, "dak-rve") is None
        services.record_draw(contest, "dak-rve", 2)
        services.record_draw(contest, "dak-rve", 3)
        latest = services.drawn_question(cid, "dak-rve")
        assert latest["lot"] == 3 and set(latest) >= {"lot", "question", "answer", "follow_ups"}
        assert set(latest["question"]) == {"key", "kind", "text", "choices", "points"}
        with pytest.raises(Exception) as refused:
            services.seal_performance_order(contest)
        assert getattr(refused.value, "status", None) == 409
        result = services.reveal_lots(contest)
        assert set(result) >= {"commitment", "salt", "lots", "order"}
        assert recompute(result["order"]["lots"], result["order"]["salt"]) == order["commitment"]
        assert services.order_state(contest, staff=False)["order"] == teams


def test_nothing_to_seal_and_empty_reveal(sqlite_app):
    from conftest import demo_document
    doc = demo_document()
    for q in doc["contest"]["questions"]:
        q["status"] = "submitted"
    cid = make_contest(sqlite_app, doc)
    c = sqlite_app.test_client()
    org = bearer(tokens_of(sqlite_app, cid)["organiser"]["token"])
    r = c.post(f"/api/v1/contests/{cid}/seal", headers=org)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "questions"
    assert c.post(f"/api/v1/contests/{cid}/reveal", headers=org).status_code == 409
    assert c.post(f"/api/v1/contests/{cid}/seal", headers=org, json={"kind": "x"}).status_code == 400
    login(c, sqlite_app)
    r = c.post(f"/c/{cid}/questions/seal", data={"csrf_token": csrf_token(c, f"/c/{cid}/questions"), "kind": "questions"})
    assert r.status_code == 400 and "Chưa có câu hỏi nào được duyệt" in r.get_data(as_text=True)
    r = c.post(f"/c/{cid}/questions/seal", data={"csrf_token": csrf_token(c, f"/c/{cid}/questions"), "kind": "order"})
    assert r.status_code == 302
    assert "Mã cam kết" in c.get(f"/c/{cid}/questions").get_data(as_text=True)


def test_the_audience_never_receives_an_answer(app):
    from contest.extensions import socketio
    cid = make_contest(app)
    links = tokens_of(app, cid)
    org, mc = bearer(links["organiser"]["token"]), bearer(links["mc"]["token"])
    client = app.test_client()
    audience = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}",
                                    flask_test_client=app.test_client())
    staff = socketio.test_client(app, namespace="/live", query_string=f"contest={cid}",
                                 auth={"token": links["mc"]["token"]}, flask_test_client=app.test_client())
    assert audience.is_connected("/live") and staff.is_connected("/live")
    first = audience.get_received("/live")
    staff.get_received("/live")
    snap = next(e["args"][0] for e in first if e["name"] == "snapshot")
    assert snap["draws"]["commitment"] is None
    sealed = client.post(f"/api/v1/contests/{cid}/seal", headers=org).get_json()
    drawn = client.post(f"/api/v1/contests/{cid}/draws", headers=mc, json={"team": "dak-koi", "lot": 1}).get_json()
    answer = drawn["answer"]
    heard = audience.get_received("/live")
    seal_events = [e["args"][0] for e in heard if e["name"] == "seal"]
    assert seal_events and seal_events[0]["commitment"] == sealed["commitment"]
    public = [e["args"][0] for e in heard if e["name"] == "draw"]
    assert len(public) == 1 and public[0]["lot"] == 1 and public[0]["question"]["key"] == drawn["question"]["key"]
    assert "answer" not in public[0] and "follow_ups" not in public[0]
    assert not any(contains(e["args"], answer) for e in heard)
    staff_draws = [e["args"][0] for e in staff.get_received("/live") if e["name"] == "draw"]
    assert any(d.get("answer") == answer for d in staff_draws)
    # A fresh snapshot: the audience gets the current question without its answer, staff with.
    audience.emit("resync", namespace="/live")
    snap = next(e["args"][0] for e in audience.get_received("/live") if e["name"] == "snapshot")
    assert snap["draws"]["current"]["question"]["key"] == drawn["question"]["key"]
    assert snap["draws"]["drawn"] == [{"lot": 1, "team": "dak-koi", "question": drawn["question"]["key"]}]
    assert not contains(snap, answer)
    staff.emit("resync", namespace="/live")
    snap = next(e["args"][0] for e in staff.get_received("/live") if e["name"] == "snapshot")
    assert snap["draws"]["current"]["answer"] == answer
    audience.disconnect("/live")
    staff.disconnect("/live")


# ---- the command line -----------------------------------------------------------------------

def _xlsx(rows) -> bytes:
    import io

    from openpyxl import Workbook
    book = Workbook()
    ws = book.active
    ws.append(["STT", "Câu hỏi", "Đáp án", "Lĩnh vực", "Điểm"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_cli_questions_seal_reveal(sqlite_app, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from contest.cli import main
    cid = make_contest(sqlite_app)
    db = sqlite_app.config["DATABASE_URL"]
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    good = [[1, "Dịch vụ công trực tuyến toàn trình là gì?", "Là dịch vụ thực hiện hoàn toàn trên mạng",
             "Chính phủ số", 20],
            [2, "Bộ phận Một cửa cấp xã đặt tại đâu?", "Trụ sở UBND xã", "Cải cách TTHC", "20,5"]]
    bad = good + [[3, "Câu thiếu đáp án", "", "", 20]]
    path = tmp_path / "cau-hoi.xlsx"
    path.write_bytes(_xlsx(bad))

    def bank_size() -> int:
        from sqlalchemy import func, select

        from contest.extensions import db as sqldb
        from question_bank.models import Question
        with sqlite_app.app_context():
            sqldb.session.remove()
            return sqldb.session.scalar(select(func.count(Question.id)).where(Question.contest_id == cid))

    before = bank_size()
    r = runner.invoke(main, ["questions", str(cid), str(path), "--db", db])
    assert r.exit_code == 2, r.output
    assert "cau-hoi.xlsx" in r.stderr and "Dòng 4" in r.stderr and "--partial" in r.stderr
    assert bank_size() == before
    r = runner.invoke(main, ["questions", str(cid), str(path), "--db", db, "--json"])
    assert r.exit_code == 2
    report = json.loads(r.stdout)
    assert report["imported"] == 0 and [x["row"] for x in report["rejected"]] == [4]
    r = runner.invoke(main, ["questions", str(cid), str(path), "--db", db, "--json", "--partial"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["imported"] == 2 and bank_size() == before + 2
    # The same file again: every row is now a duplicate of the bank, reported with its key.
    path.write_bytes(_xlsx(good))
    r = runner.invoke(main, ["questions", str(cid), str(path), "--db", db, "--json"])
    assert r.exit_code == 2
    dup = json.loads(r.stdout)
    assert [d["of"] for d in dup["duplicates"]] == ["q11", "q12"]
    assert "q11" in dup["rejected"][0]["reason"]
    notjson = tmp_path / "x.json"
    notjson.write_text("{nope", encoding="utf-8")
    r = runner.invoke(main, ["questions", str(cid), str(notjson), "--db", db])
    assert r.exit_code == 2 and "x.json" in r.stderr
    r = runner.invoke(main, ["questions", str(cid), str(tmp_path / "missing.xlsx"), "--db", db])
    assert r.exit_code == 2
    # seal --json, then reveal: the commitment recomputes.
    r = runner.invoke(main, ["seal", str(cid), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    sealed = json.loads(r.stdout)
    assert set(sealed) == {"commitment", "lots"} and sealed["lots"] == 10
    r = runner.invoke(main, ["seal", str(cid), "--db", db])
    assert r.exit_code == 0 and "lá thăm" in r.stdout
    resealed = r.stdout.rsplit(" ", 1)[-1].strip()
    r = runner.invoke(main, ["reveal", str(cid), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    revealed = json.loads(r.stdout)
    assert revealed["commitment"] == resealed != sealed["commitment"]
    assert recompute(revealed["lots"], revealed["salt"]) == resealed
    assert runner.invoke(main, ["seal", str(cid + 99), "--db", db]).exit_code == 2


def test_two_consoles_drawing_the_same_lot_at_once_get_one_409(sqlite_app, monkeypatch):
    """The unique constraint decides a race the in-memory check cannot see."""
    app = sqlite_app
    cid = make_contest(app)
    from contest.core.errors import Conflict
    from contest.extensions import db
    from contest.models import Contest
    from question_bank import services
    with app.app_context():
        contest = db.session.get(Contest, cid)
        services.seal_questions(contest)
        services.record_draw(contest, "dak-rve", 5)
        from question_bank.services import draws
        looked = []  # the other console's view: nothing drawn yet
        monkeypatch.setattr(draws, "draw_rows", lambda *a, **k: looked.append(1) or [])
        with pytest.raises(Conflict) as refused:
            services.record_draw(contest, "dak-koi", 5)
        assert looked, "record_draw no longer reads the draws through draws.draw_rows"
        assert refused.value.field == "lot"
        monkeypatch.undo()
        assert services.draws_state(contest)["drawn"] == [
            {"lot": 5, "team": "dak-rve", "question": services.draws_state(contest)["drawn"][0]["question"]}]
