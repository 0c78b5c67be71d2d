"""The organisers' setup screens: contests (create, import, export), the contest's details,
the rules editor and the programme. Every refused form answers 4xx with a Vietnamese message
and leaves the database exactly as it was. The forms' flows run on SQLite and PostgreSQL; the
long tables of bad input on SQLite only, to stay fast."""

from __future__ import annotations

import io
import json
import re

from conftest import csrf_token, demo_document, login, make_contest
from test_organiser_support import contest_value, errors_in, read_form, refused, revision, snapshot

STALE = "Dữ liệu đã được người khác thay đổi; hãy tải lại trang"


def _rules(app, cid):
    return contest_value(app, cid, "rules_data")


def test_create_a_contest_with_the_default_rules(app, client):
    login(client, app)
    token = csrf_token(client, "/setup")
    good = {"csrf_token": token, "name": "  Hội thi Dân vận khéo  ", "organizer": "UBND huyện",
            "date": "20/10/2024", "venue": "Hội trường"}
    before = snapshot(app)
    for changes, message in [({"name": ""}, "Tên hội thi: không được để trống"),
                             ({"date": "31/2/2024"}, "Ngày không hợp lệ (viết dd/mm/yyyy)"),
                             ({"date": "mai"}, "Ngày không hợp lệ")]:
        r = client.post("/setup/new", data=dict(good, **changes))
        assert r.status_code == 400
        assert any(message in e for e in errors_in(r.get_data(as_text=True))), message
        if "name" not in changes:  # what was typed is kept
            assert 'value="Hội thi Dân vận khéo"' in r.get_data(as_text=True)
    assert snapshot(app) == before
    r = client.post("/setup/new", data=dict(good, csrf_token=""))
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    assert snapshot(app) == before

    r = client.post("/setup/new", data=good)
    assert r.status_code == 302
    cid = int(r.headers["Location"].split("/c/")[1].split("/")[0])
    doc = demo_document()["contest"]
    from contest.extensions import db
    from contest.models import Contest
    from contest.services.links import links
    with app.app_context():
        contest = db.session.get(Contest, cid)
        assert contest.name == "Hội thi Dân vận khéo"
        assert contest.date.isoformat() == "2024-10-20"
        assert contest.rules.team.max_members == doc["rules"]["team"]["max_members"]
        assert [p.key for p in contest.rules.parts] == [p["key"] for p in doc["rules"]["parts"]]
        assert contest.programme == doc["programme"]
        assert {"organiser", "mc"} <= set(links(cid, "http://x"))
    page = client.get(f"/c/{cid}/setup").get_data(as_text=True)
    assert "Chưa có đơn vị dự thi" in page and "Chưa có giám khảo" in page


def test_import_and_export_a_contest_document(sqlite_app):
    app, client = sqlite_app, sqlite_app.test_client()
    login(client, app)
    token = csrf_token(client, "/setup")
    before = snapshot(app)
    bad = demo_document()
    team = bad["contest"]["teams"][0]
    while sum(1 for m in team["members"] if m.get("kind", "member") == "member") < 13:
        team["members"].append({"key": f"extra-{len(team['members'])}", "name": "Người Thêm", "kind": "member"})
    for name, data, message in [
        ("over.json", json.dumps(bad).encode(), f"{team['name']} có 13 thành viên"),
        ("broken.json", b"{not json", "broken.json: JSON lỗi ở dòng 1"),
        ("notes.txt", b"hello", "chỉ nhận tệp .json hoặc .xlsx"),
    ]:
        r = client.post("/setup/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data")
        assert r.status_code == 400, name
        assert any(message.lower() in e.lower() for e in errors_in(r.get_data(as_text=True))), (message, errors_in(r.get_data(as_text=True)))
    r = client.post("/setup/import", data={"csrf_token": token}, content_type="multipart/form-data")
    assert r.status_code == 400 and "Chọn một tệp .json hoặc .xlsx" in r.get_data(as_text=True)
    assert snapshot(app) == before

    r = client.post("/setup/import", data={"csrf_token": token, "file": (
        io.BytesIO(json.dumps(demo_document()).encode()), "kon-ray.json")}, content_type="multipart/form-data")
    assert r.status_code == 302
    cid = int(r.headers["Location"].split("/c/")[1].split("/")[0])

    exported = client.get(f"/c/{cid}/setup/export.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    doc = json.loads(exported.data)
    assert doc["contest"]["teams"] == demo_document()["contest"]["teams"]
    xlsx = client.get(f"/c/{cid}/setup/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    from contest.document import load_document
    assert load_document("x.xlsx", xlsx.data)["contest"]["teams"] == doc["contest"]["teams"]
    assert client.get(f"/c/{cid}/setup/export.csv").status_code == 400


def test_contest_details_form_stale_revision_and_csrf(app, client):
    cid = make_contest(app)
    login(client, app)
    path = f"/c/{cid}/setup/info"
    form = read_form(client, path)
    assert form["revision"] == str(revision(app, cid))
    refused(client, app, cid, path, dict(form, name="   "), "Tên hội thi: không được để trống")
    refused(client, app, cid, path, dict(form, date="2023-13-40"), "Ngày không hợp lệ")
    refused(client, app, cid, path, dict(form, revision=""), "Thiếu số phiên bản")
    refused(client, app, cid, path, dict(form, csrf_token=""), "CSRF")
    page = refused(client, app, cid, path, dict(form, name="Tên mới", revision=str(int(form["revision"]) - 1)),
                   STALE, status=409)
    assert 'value="Tên mới"' in page  # what was typed is kept

    r = client.post(path, data=dict(form, name="Hội thi CCHC 2024", venue="Nhà văn hóa"))
    assert r.status_code == 302
    assert revision(app, cid) == int(form["revision"]) + 1
    refused(client, app, cid, path, dict(form, name="Cũ"), STALE, status=409)  # the old form is stale now
    from contest.extensions import db
    from contest.models import AuditEntry
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(contest_id=cid, action="contest.update").one()
        assert entry.old["name"] != entry.new["name"] == "Hội thi CCHC 2024"


def test_general_rules(sqlite_app):
    app, client = sqlite_app, sqlite_app.test_client()
    cid = make_contest(app)
    login(client, app)
    path = f"/c/{cid}/setup/rules"
    form = read_form(client, path, has="max_members")
    assert form["max_members"] == "12" and form["tie_break-0"] == "skit"
    sizes = {t["name"]: sum(1 for m in t["members"] if m.get("kind", "member") == "member")
             for t in demo_document()["contest"]["teams"]}
    big = max(sizes.values())
    biggest = [name for name, n in sizes.items() if n == big]
    refused(client, app, cid, path, dict(form, max_members="mười"), "Phải là một số")
    refused(client, app, cid, path, dict(form, max_members=""), "Không được để trống")
    refused(client, app, cid, path, dict(form, max_guests="-1"), "Không được là số âm")
    refused(client, app, cid, path, dict(form, score_step="0"), "Phải là số dương")
    refused(client, app, cid, path, dict(form, score_step="3"), "không chia hết cho bước điểm 3")
    refused(client, app, cid, path, dict(form, max_members=str(big - 1)),
            f"Các đội có nhiều hơn {big - 1} thành viên: {biggest[0]} ({big}), {biggest[1]} ({big})")
    refused(client, app, cid, path, dict(form, max_guests="3"), "Các đội có nhiều hơn 3 người được mời phối hợp")
    refused(client, app, cid, path, dict(form, aggregation="mode"), "cách tổng hợp 'mode' không có")
    refused(client, app, cid, path, dict(form, **{"tie_break-1": "skit"}), "một phần thi được nêu hai lần")
    refused(client, app, cid, path, dict(form, **{"tie_break-0": "dance"}), "không có phần thi 'dance'")
    refused(client, app, cid, path, dict(form, max_members="14", revision="0"), STALE, status=409)

    r = client.post(path, data=dict(form, max_members="15", aggregation="median", decimals="1",
                                    score_step="0,25", **{"tie_break-0": "quiz", "tie_break-1": "skit",
                                                          "tie_break-2": ""}))
    assert r.status_code == 302, errors_in(r.get_data(as_text=True))
    rules = _rules(app, cid)
    assert rules["team"]["max_members"] == 15 and rules["aggregation"] == "median"
    assert rules["decimals"] == 1 and rules["score_step"] == 0.25 and rules["tie_break"] == ["quiz", "skit"]


def test_part_editor(sqlite_app):
    app, client = sqlite_app, sqlite_app.test_client()
    cid = make_contest(app)
    login(client, app)
    new = f"/c/{cid}/setup/rules/parts/new"
    form = read_form(client, new, has="name")
    form.update({"name": "Hùng biện", "phases-0-name": "Trình bày", "phases-0-seconds": "5:00",
                 "criteria-0-name": "Nội dung", "criteria-0-max": "10",
                 "penalty_points": "1", "penalty_seconds": "30"})
    # "+ Thêm tiêu chí" adds a row and saves nothing
    before = snapshot(app, cid)
    r = client.post(new, data=dict(form, add_criterion="1"))
    assert r.status_code == 200 and 'name="criteria-1-name"' in r.get_data(as_text=True)
    assert 'value="Hùng biện"' in r.get_data(as_text=True)
    assert snapshot(app, cid) == before
    form["criteria-1-name"], form["criteria-1-max"], form["criteria-1-key"] = "Phong cách", "7,5", ""

    refused(client, app, cid, new, dict(form, name=""), "không được để trống")
    refused(client, app, cid, new, dict(form, **{"criteria-0-max": "-5"}), "Phải là số dương")
    refused(client, app, cid, new, dict(form, **{"criteria-0-max": "mười"}), "Phải là một số")
    refused(client, app, cid, new, dict(form, **{"criteria-0-max": ""}), "Nhập điểm tối đa")
    refused(client, app, cid, new, dict(form, **{"criteria-0-max": "10,3"}), "không chia hết cho bước điểm 0.5")
    refused(client, app, cid, new, dict(form, **{"criteria-0-key": "x", "criteria-1-key": "x"}),
            "trùng mã tiêu chí 'x'")
    refused(client, app, cid, new, dict(form, **{"criteria-0-key": "nội dung"}), "mã phải gồm chữ không dấu")
    refused(client, app, cid, new, dict(form, **{"phases-0-seconds": "năm phút"}), "phút:giây")
    refused(client, app, cid, new, dict(form, key="skit"), "Mã 'skit' đã được dùng cho phần thi khác")
    refused(client, app, cid, new, dict(form, penalty_points="-1"), "Không được là số âm")

    r = client.post(new, data=form)
    assert r.status_code == 302, errors_in(r.get_data(as_text=True))
    part = _rules(app, cid)["parts"][-1]
    assert part["key"] == "hung-bien" and part["phases"] == [{"key": "trinh-bay", "name": "Trình bày", "seconds": 300}]
    assert part["criteria"] == [{"key": "noi-dung", "name": "Nội dung", "max": 10},
                                {"key": "phong-cach", "name": "Phong cách", "max": 7.5}]
    assert part["overtime_penalty"] == {"points": 1, "per_seconds": 30}

    # editing keeps the key whatever is posted; a deleted row goes away
    edit = f"/c/{cid}/setup/rules/parts/3"
    form = read_form(client, edit, has="name")
    r = client.post(edit, data=dict(form, key="other", **{"criteria-1-delete": "y"}))
    assert r.status_code == 302
    part = _rules(app, cid)["parts"][3]
    assert part["key"] == "hung-bien" and [c["key"] for c in part["criteria"]] == ["noi-dung"]

    # deleting parts that are in use is refused, naming who uses them
    actions = read_form(client, f"/c/{cid}/setup/rules", action=f"/c/{cid}/setup/rules/parts/skit/delete")
    refused(client, app, cid, f"/c/{cid}/setup/rules/parts/skit/delete", actions,
            "giải 'Giải Kịch bản và diễn xuất hay nhất' được trao theo phần thi này")
    team = demo_document()["contest"]["teams"][0]
    performer = next(m for m in team["members"] if "intro" in m.get("roles", []))
    rules = _rules(app, cid)
    rules["prizes"]["individual"] = [p for p in rules["prizes"]["individual"] if p["part"] != "intro"]
    from contest.extensions import db
    from contest.models import Contest
    with app.app_context():
        db.session.get(Contest, cid).rules_data = rules
        db.session.commit()
    actions = read_form(client, f"/c/{cid}/setup/rules", action=f"/c/{cid}/setup/rules/parts/intro/delete")
    refused(client, app, cid, f"/c/{cid}/setup/rules/parts/intro/delete", actions,
            f"{team['name']}: thành viên '{performer['name']}' đang biểu diễn ở phần thi 'intro'")
    r = client.post(f"/c/{cid}/setup/rules/parts/hung-bien/delete", data=actions)
    assert r.status_code == 302
    assert [p["key"] for p in _rules(app, cid)["parts"]] == ["intro", "skit", "quiz"]


def test_part_editor_says_which_parts_are_drawn(sqlite_app):
    app, client = sqlite_app, sqlite_app.test_client()
    cid = make_contest(app)
    login(client, app)
    rules_page = client.get(f"/c/{cid}/setup/rules").get_data(as_text=True)
    assert rules_page.count('<span class="badge">Bốc thăm câu hỏi</span>') == 1   # the quiz, by default
    skit, quiz = f"/c/{cid}/setup/rules/parts/1", f"/c/{cid}/setup/rules/parts/2"
    assert "drawn" in read_form(client, quiz, has="name")
    form = read_form(client, skit, has="name")
    assert "drawn" not in form and "Bốc thăm câu hỏi cho phần thi này" in client.get(skit).get_data(as_text=True)

    # bad input elsewhere on the form: refused, nothing written, the box stays ticked
    page = refused(client, app, cid, skit, dict(form, name="", drawn="y"), "không được để trống")
    assert re.search(r'<input checked id="drawn" name="drawn" type="checkbox"', page)

    # saving what the default already says writes no flag
    assert client.post(skit, data=form).status_code == 302
    assert all("drawn" not in p for p in _rules(app, cid)["parts"])

    # ticking the skit: every part gets its flag, the quiz keeps being drawn
    form = read_form(client, skit, has="name")
    r = client.post(skit, data=dict(form, drawn="y"))
    assert r.status_code == 302, errors_in(r.get_data(as_text=True))
    assert [p.get("drawn") for p in _rules(app, cid)["parts"]] == [False, True, True]
    assert "drawn" in read_form(client, skit, has="name")

    # unticking the quiz: only the skit is drawn now
    quiz_form = read_form(client, quiz, has="name")
    quiz_form.pop("drawn")
    assert client.post(quiz, data=quiz_form).status_code == 302
    assert [p.get("drawn") for p in _rules(app, cid)["parts"]] == [False, True, False]
    assert "drawn" not in read_form(client, quiz, has="name")
    rules_page = client.get(f"/c/{cid}/setup/rules").get_data(as_text=True)
    assert rules_page.count('<span class="badge">Bốc thăm câu hỏi</span>') == 1
    from contest.core.show import default_draw_parts
    from contest.extensions import db
    from contest.models import Contest
    with app.app_context():
        assert default_draw_parts(db.session.get(Contest, cid).rules) == ("skit",)


def test_prizes_and_programme(sqlite_app):
    app, client = sqlite_app, sqlite_app.test_client()
    cid = make_contest(app)
    login(client, app)
    path = f"/c/{cid}/setup/rules/prizes"
    form = read_form(client, path, has="collective-0-name")
    assert form["collective-0-amount"] == "5.000.000"
    refused(client, app, cid, path, dict(form, **{"collective-1-key": "first"}), "trùng mã giải 'first'")
    refused(client, app, cid, path, dict(form, **{"collective-0-amount": "-100"}), "Không được là số âm")
    refused(client, app, cid, path, dict(form, **{"collective-0-count": "hai"}), "Phải là một số")
    refused(client, app, cid, path, dict(form, **{"special-0-part": "dance"}), "không có phần thi 'dance'")
    refused(client, app, cid, path, dict(form, **{"individual-0-name": ""}), "không được để trống")
    refused(client, app, cid, path, dict(form, **{"special-0-part": ""}), "Chọn phần thi")
    r = client.post(path, data=dict(form, **{"collective-0-amount": "6.000.000", "collective-3-delete": "y",
                                             "collective-4-name": "Giải Phong trào", "collective-4-count": "2",
                                             "collective-4-amount": "500000"}))
    assert r.status_code == 302, errors_in(r.get_data(as_text=True))
    collective = _rules(app, cid)["prizes"]["collective"]
    assert [(p["key"], p["amount"]) for p in collective] == [
        ("first", 6000000), ("second", 4000000), ("third", 3000000), ("giai-phong-trao", 500000)]

    path = f"/c/{cid}/setup/programme"
    form = read_form(client, path, has="items-0-name")
    before = snapshot(app, cid)
    r = client.post(path, data=dict(form, move="1:up"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Thứ tự mới chưa được lưu" in page
    assert page.index("Chào cờ, hát Quốc ca") < page.index("Ổn định tổ chức")
    assert snapshot(app, cid) == before
    refused(client, app, cid, path, dict(form, **{"items-1-key": "opening"}), "trùng mã 'opening'")
    refused(client, app, cid, path, dict(form, **{"items-2-name": ""}), "không được để trống")
    refused(client, app, cid, path, dict(form, **{"items-2-kind": "party"}), "loại 'party' không hợp lệ")
    swapped = dict(form, **{"items-0-key": form["items-1-key"], "items-0-name": form["items-1-name"],
                            "items-1-key": form["items-0-key"], "items-1-name": form["items-0-name"],
                            "items-7-name": "Văn nghệ chào mừng", "items-7-kind": "plain"})
    r = client.post(path, data=swapped)
    assert r.status_code == 302, errors_in(r.get_data(as_text=True))
    from contest.extensions import db
    from contest.models import Contest
    with app.app_context():
        programme = db.session.get(Contest, cid).programme
    assert [p["key"] for p in programme][:2] == ["anthem", "opening"]
    assert programme[-1] == {"key": "van-nghe-chao-mung", "name": "Văn nghệ chào mừng", "kind": "plain"}
