"""The question bank through the app: imports of real files built here (openpyxl,
python-docx, JSON), all-or-nothing vs --partial, duplicates, bad files, exports, review with
bad input, offices and their isolation."""

from __future__ import annotations

import io
import json
import re
import unicodedata

import pytest
from conftest import bearer, csrf_token, login, make_contest, tokens_of

@pytest.fixture
def sqlite_client(sqlite_app):
    """Tests of the screens and files themselves run on SQLite only (they touch no SQL that
    differs); the writes that matter run on both databases."""
    return sqlite_app.test_client()


OPEN = "Thủ tục hành chính được công khai tại Bộ phận Một cửa bằng những hình thức nào?"


# ---- file builders ----------------------------------------------------------------------

def xlsx(rows: list[list], *, title: bool = True) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    ws = book.active
    if title:
        ws.append(["DANH SÁCH CÂU HỎI HỘI THI"])
        ws.merge_cells("A1:F1")
        ws.append([])
    ws.append(["STT", "Nội dung câu hỏi", "Phương án A", "Phương án B", "Phương án C",
               "Đáp án đúng", "Lĩnh vực", "Căn cứ", "Điểm"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def docx(blocks: list[str]) -> bytes:
    import docx as python_docx
    document = python_docx.Document()
    document.add_paragraph("CÂU HỎI CỦA PHÒNG TƯ PHÁP")
    for block in blocks:
        for line in block.split("\n"):
            document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def as_json(items: list[dict]) -> bytes:
    return json.dumps({"questions": items}, ensure_ascii=False).encode()


GOOD_ROWS = [
    [1, "Một cửa liên thông là gì?", None, None, None, "Là cách giải quyết thủ tục hành chính "
     "liên quan nhiều cơ quan.", "Cải cách thủ tục hành chính", "Nghị định 61/2018/NĐ-CP", "20,0"],
    [2, "Cổng Dịch vụ công quốc gia có địa chỉ nào?", "dichvucong.gov.vn", "chinhphu.vn",
     "baochinhphu.vn", "Đáp án: A", "Chính phủ số", "", 20],
]
BAD_ROW = [3, "Câu này có đáp án không có trong phương án", "Một", "Hai", None, "D", "", "", 20]


def count(app, cid: int) -> int:
    from sqlalchemy import func, select

    from contest.extensions import db
    from question_bank.models import Question
    with app.app_context():
        return db.session.scalar(select(func.count(Question.id)).where(Question.contest_id == cid))


def question(app, cid: int, key: str):
    from sqlalchemy import select

    from contest.extensions import db
    from question_bank.models import Question
    with app.app_context():
        q = db.session.scalar(select(Question).where(Question.contest_id == cid, Question.key == key))
        db.session.expunge_all()
        return q


def upload(client, cid: int, name: str, data: bytes, *, partial: bool = False, path: str | None = None):
    path = path or f"/c/{cid}/questions/import"
    form = {"csrf_token": csrf_token(client, f"/c/{cid}/questions"), "file": (io.BytesIO(data), name)}
    if partial:
        form["partial"] = "1"
    return client.post(path, data=form, content_type="multipart/form-data")


# ---- import ---------------------------------------------------------------------------------

def test_upload_good_xlsx_adds_every_row_and_audits(client, app):
    cid = make_contest(app)
    login(client, app)
    before = count(app, cid)
    r = upload(client, cid, "cau-hoi.xlsx", xlsx(GOOD_ROWS))
    html = r.get_data(as_text=True)
    assert r.status_code == 200, html[-2000:]
    assert "Đã nhập 2 câu hỏi" in html
    assert count(app, cid) == before + 2
    q = question(app, cid, "q11")
    assert q.text == "Một cửa liên thông là gì?" and q.points == 20 and q.status == "submitted"
    choice = question(app, cid, "q12")
    assert choice.kind == "choice" and choice.answer == "A" and len(choice.choices) == 3
    from contest.services.audit import entries
    with app.app_context():
        assert any(e.action == "questions.import" and e.new["imported"] == 2 for e in entries(cid))


def test_a_bad_row_changes_nothing_unless_partial(sqlite_client, sqlite_app):
    client, app = sqlite_client, sqlite_app
    cid = make_contest(app)
    login(client, app)
    before = count(app, cid)
    data = xlsx(GOOD_ROWS + [BAD_ROW])
    r = upload(client, cid, "cau-hoi.xlsx", data)
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Chưa nhập gì" in html and "Dòng 6" in html and "Nhập các dòng hợp lệ (2 câu)" in html
    assert count(app, cid) == before
    # "nhập các dòng hợp lệ": the stashed file again, with partial, without re-sending it.
    stash = re.search(r'name="stash" value="([^"]+)"', html).group(1)
    r = client.post(f"/c/{cid}/questions/import", data={
        "csrf_token": csrf_token(client, f"/c/{cid}/questions"), "stash": stash, "partial": "1"})
    assert r.status_code == 200
    assert "Đã nhập 2 câu hỏi" in r.get_data(as_text=True)
    assert count(app, cid) == before + 2
    # The stash is gone once used.
    r = client.post(f"/c/{cid}/questions/import", data={
        "csrf_token": csrf_token(client, f"/c/{cid}/questions"), "stash": stash, "partial": "1"})
    assert r.status_code == 400 and "gửi lại tệp" in r.get_data(as_text=True)


def test_service_all_or_nothing_and_partial_with_docx_and_json(sqlite_app):
    app = sqlite_app
    cid = make_contest(app)
    from contest.extensions import db
    from contest.models import Contest
    from question_bank.services import import_questions
    word = docx(["Câu 1: Luật Tiếp cận thông tin có hiệu lực từ ngày nào?",
                 "Đáp án: Ngày 01/7/2018.",
                 "Câu 2. Văn bản nào quy định về kiểm soát thủ tục hành chính?",
                 "A. Nghị định 63/2010/NĐ-CP", "B. Luật Ban hành văn bản", "Đáp án: A",
                 "Câu 3: Câu hỏi không có đáp án?"])
    with app.app_context():
        contest = db.session.get(Contest, cid)
        refused = import_questions(contest, "tu-phap.docx", word, partial=False, office="Phòng Tư pháp")
        assert refused["imported"] == 0 and [r["row"] for r in refused["rejected"]] == [3]
        assert "Câu 3" in refused["rejected"][0]["reason"]
        done = import_questions(contest, "tu-phap.docx", word, partial=True, office="Phòng Tư pháp")
        assert done["imported"] == 2
        from question_bank.services import list_questions, offices
        office = next(o for o in offices(cid) if o.name == "Phòng Tư pháp")  # created, with a link
        mine = list_questions(cid, office=office)
        assert {q.status for q in mine} == {"submitted"} and len(mine) == 2
        data = as_json([{"text": "Chính quyền thân thiện là gì?", "answer": "Gần dân, vì dân.",
                         "field": "Cải cách hành chính chung", "points": 20,
                         "follow_ups": [{"text": "Cho ví dụ", "answer": "Tiếp dân ngoài giờ",
                                         "points": 10}]},
                        {"text": "", "answer": "x"}])
        result = import_questions(contest, "q.json", data, partial=True)
        assert result["imported"] == 1
        assert result["rejected"][0]["row"] == 2 and "Câu thứ 2" in result["rejected"][0]["reason"]
    links = tokens_of(app, cid)
    assert any(o["name"] == "Phòng Tư pháp" for o in links["offices"].values())


def test_duplicates_against_the_bank_and_within_the_file(sqlite_client, sqlite_app):
    client, app = sqlite_client, sqlite_app
    cid = make_contest(app)
    login(client, app)
    from conftest import demo_document
    q1 = demo_document()["contest"]["questions"][0]
    # The bank's q1 again: other case, NFD, extra spaces and punctuation -> an exact duplicate.
    again = unicodedata.normalize("NFD", "  " + q1["text"].upper().replace(" ", "  ") + "!!")
    near = q1["text"].replace("2030", "2035")
    new = "Người dân có thể nộp hồ sơ trực tuyến qua những kênh nào?"
    items = [{"text": again, "answer": "x"}, {"text": near, "answer": "x"},
             {"text": new, "answer": "Cổng dịch vụ công"}, {"text": new + " ", "answer": "y"}]
    before = count(app, cid)
    r = client.post(f"/api/v1/contests/{cid}/questions/import", headers=bearer(tokens_of(app, cid)["organiser"]["token"]),
                    data={"file": (io.BytesIO(as_json(items)), "dup.json")}, content_type="multipart/form-data")
    assert r.status_code == 400
    body = r.get_json()
    assert body["error"]["field"] == "file" and body["imported"] == 0
    dups = {d["row"]: d for d in body["duplicates"]}
    assert dups[1]["of"] == "q1" and dups[1]["similarity"] == 1.0
    assert dups[2]["of"] == "q1" and 0.9 <= dups[2]["similarity"] < 1.0 and not dups[2]["exact"]
    assert dups[4]["of"] == "row 3"
    reasons = {x["row"]: x["reason"] for x in body["rejected"]}
    assert "q1" in reasons[1] and "trùng" in reasons[1]
    assert "gần trùng" in reasons[2] and "q1" in reasons[2]
    assert "câu thứ 3" in reasons[4].lower()
    assert count(app, cid) == before
    # With partial only the genuinely new question goes in, once.
    r = client.post(f"/api/v1/contests/{cid}/questions/import", headers=bearer(tokens_of(app, cid)["organiser"]["token"]),
                    data={"file": (io.BytesIO(as_json(items)), "dup.json"), "partial": "1"},
                    content_type="multipart/form-data")
    assert r.status_code == 200 and r.get_json()["imported"] == len(items) - len(dups)
    assert count(app, cid) == before + len(items) - len(dups)


def test_bad_files_are_refused_naming_the_file(sqlite_client, sqlite_app):
    client, app = sqlite_client, sqlite_app
    cid = make_contest(app)
    login(client, app)
    before = count(app, cid)
    r = upload(client, cid, "cau-hoi.xlsx", b"this is not a spreadsheet at all")
    assert r.status_code == 400 and "cau-hoi.xlsx" in r.get_data(as_text=True)
    r = upload(client, cid, "virus.exe", b"MZ")
    assert r.status_code == 400 and ".xlsx" in r.get_data(as_text=True)
    r = upload(client, cid, "old.xls", b"\xd0\xcf\x11\xe0")
    assert r.status_code == 400 and "97-2003" in r.get_data(as_text=True)
    r = client.post(f"/c/{cid}/questions/import", data={"csrf_token": csrf_token(client, f"/c/{cid}/questions")})
    assert r.status_code == 400 and "hãy chọn tệp" in r.get_data(as_text=True)
    # Oversized: the request is refused before the file is read.
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    r = upload(client, cid, "big.json", big)
    assert r.status_code in (400, 413)
    # A 10,000-character cell is a rejected row, not a crash.
    r = upload(client, cid, "long.xlsx", xlsx([[1, "x" * 10_000, None, None, None, "y", "", "", 20]]))
    assert r.status_code == 400 and "Dòng 4" in r.get_data(as_text=True)
    assert count(app, cid) == before


def test_formulas_are_escaped_on_export_and_booklet_has_answers(sqlite_client, sqlite_app):
    client, app = sqlite_client, sqlite_app
    cid = make_contest(app)
    login(client, app)
    payload = '=HYPERLINK("http://evil.example","bấm vào đây")'
    r = client.post(f"/api/v1/contests/{cid}/questions", headers=bearer(tokens_of(app, cid)["organiser"]["token"]),
                    json={"text": payload, "answer": "@SUM(A1:A2)", "status": "approved"})
    assert r.status_code == 201, r.get_json()
    key = r.get_json()["key"]
    r = client.get(f"/c/{cid}/questions/export.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(r.data)).active
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    assert any(c.value == "'" + payload for c in cells)
    assert not any(c.value.startswith("=") for c in cells)
    # The export reads back with the importer (the quote removed).
    from question_bank.core.importing import parse_file
    parsed = parse_file("bank.xlsx", r.data)
    assert any(q.text == payload for _, q in parsed.questions)
    # Filtered export.
    r = client.get(f"/c/{cid}/questions/export.xlsx?q=hyperlink")
    parsed = parse_file("bank.xlsx", r.data)
    assert [q.key for _, q in parsed.questions] == [key]
    # The jury's booklet: approved questions with answers; without answers on request.
    import docx as python_docx
    r = client.get(f"/c/{cid}/questions/booklet.docx")
    text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(r.data)).paragraphs)
    assert "Nghị quyết số 76/NQ-CP" in text and "Đáp án" in text
    r = client.get(f"/c/{cid}/questions/booklet.docx?answers=0")
    text = "\n".join(p.text for p in python_docx.Document(io.BytesIO(r.data)).paragraphs)
    assert "Đáp án" not in text
    r = client.get(f"/c/{cid}/questions/template.xlsx")
    assert r.status_code == 200 and parse_file("mau.xlsx", r.data).questions


# ---- review ---------------------------------------------------------------------------------

def test_review_actions_and_bad_input(client, app):
    cid = make_contest(app)
    login(client, app)
    org = bearer(tokens_of(app, cid)["organiser"]["token"])
    key = client.post(f"/api/v1/contests/{cid}/questions", headers=org,
                      json={"text": OPEN, "answer": "Niêm yết, trang điện tử", "office": "Phòng Nội vụ",
                            "field": "Cải cách thủ tục hành chính"}).get_json()["key"]
    # Reject without a reason: 400 naming "reason", nothing written (API and screen).
    r = client.post(f"/api/v1/contests/{cid}/questions/{key}/reject", headers=org, json={"reason": "  "})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    token = csrf_token(client, f"/c/{cid}/questions")
    r = client.post(f"/c/{cid}/questions/{key}/review", data={"csrf_token": token, "decision": "reject", "reason": ""})
    assert r.status_code == 400 and "Lý do không duyệt" in r.get_data(as_text=True)
    assert question(app, cid, key).status == "submitted"
    r = client.post(f"/c/{cid}/questions/{key}/review", data={"csrf_token": token, "decision": "maybe"})
    assert r.status_code == 400
    # Reject with a reason, then approve on the screen.
    r = client.post(f"/c/{cid}/questions/{key}/review", data={"csrf_token": token, "decision": "reject",
                                                             "reason": "Chưa nêu căn cứ", "next": f"/c/{cid}/questions?status=submitted"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/c/{cid}/questions?status=submitted#q-{key}")
    q = question(app, cid, key)
    assert q.status == "rejected" and q.reject_reason == "Chưa nêu căn cứ"
    r = client.post(f"/c/{cid}/questions/{key}/review", data={"csrf_token": token, "decision": "approve",
                                                             "next": "https://evil.example/"})
    assert r.status_code == 302 and "evil" not in r.headers["Location"]
    assert question(app, cid, key).status == "approved"
    # Edit on the screen with a bad value: 400, error next to the field, what was typed kept.
    r = client.post(f"/c/{cid}/questions/{key}/edit", data={
        "csrf_token": token, "kind": "open", "text": "Câu hỏi đã sửa", "answer": "Đáp án", "points": "abc"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Điểm" in html and "Câu hỏi đã sửa" in html
    assert question(app, cid, key).text == OPEN
    r = client.post(f"/c/{cid}/questions/{key}/edit", data={
        "csrf_token": token, "kind": "choice", "text": "Chọn đáp án đúng", "choices": ["Một", "Hai", "", ""],
        "answer_letter": "B", "points": "20,5", "fu_text": ["Vì sao?"], "fu_answer": ["Vì thế"],
        "fu_points": ["10"], "office": "Phòng Nội vụ"})
    assert r.status_code == 302
    q = question(app, cid, key)
    assert (q.kind, q.choices, q.answer, float(q.points)) == ("choice", ["Một", "Hai"], "B", 20.5)
    assert q.follow_ups == [{"text": "Vì sao?", "answer": "Vì thế", "points": 10}]
    # API filters: diacritics-insensitive text, status, office, field.
    r = client.get(f"/api/v1/contests/{cid}/questions?q=CHON+DAP+AN&status=approved", headers=org)
    assert [x["key"] for x in r.get_json()["questions"]] == [key]
    r = client.get(f"/c/{cid}/questions?q=nghi+quyet+76&office=Phòng+Nội+vụ")
    assert r.status_code == 200 and "q1" in r.get_data(as_text=True)
    r = client.get(f"/api/v1/contests/{cid}/questions?field=Cải cách thể chế", headers=org)
    assert r.get_json()["questions"] and all(x["field"] == "Cải cách thể chế" for x in r.get_json()["questions"])
    # Coverage: 7 teams + 3 reserves by default; per field and office.
    cov = client.get(f"/api/v1/contests/{cid}/coverage?reserves=5", headers=org).get_json()
    assert (cov["teams"], cov["reserves"], cov["needed"], cov["approved"]) == (7, 5, 12, 11)
    assert cov["missing"] == 1 and not cov["enough"]
    assert next(r for r in cov["by_office"] if r["name"] == "Phòng Nội vụ")["approved"] == 7
    assert client.get(f"/api/v1/contests/{cid}/coverage?reserves=x", headers=org).status_code == 400
    # Audit trail of the review.
    from contest.services.audit import entries
    with app.app_context():
        actions = [e.action for e in entries(cid) if e.target == key]
    assert actions == ["question.create", "question.reject", "question.approve", "question.update"]


def test_api_question_crud_bad_input(sqlite_client, sqlite_app):
    client, app = sqlite_client, sqlite_app
    cid = make_contest(app)
    org = bearer(tokens_of(app, cid)["organiser"]["token"])
    r = client.post(f"/api/v1/contests/{cid}/questions", headers=org, json={"text": "", "answer": "x"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "text"
    assert "Nội dung câu hỏi" in r.get_json()["error"]["message"]
    r = client.post(f"/api/v1/contests/{cid}/questions", headers=org,
                    json={"kind": "choice", "text": "Chọn?", "choices": ["A1", "B1"], "answer": "C"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "answer"
    r = client.post(f"/api/v1/contests/{cid}/questions", headers=org, json={"text": "x", "answer": "y", "status": "used"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "status"
    r = client.post(f"/api/v1/contests/{cid}/questions", headers=org, data="[]", content_type="application/json")
    assert r.status_code == 400
    r = client.patch(f"/api/v1/contests/{cid}/questions/q1", headers=org, json={"points": -1})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "points"
    assert client.patch(f"/api/v1/contests/{cid}/questions/nope", headers=org, json={}).status_code == 404
    r = client.patch(f"/api/v1/contests/{cid}/questions/q1", headers=org, json={"basis": "Nghị quyết 76"})
    assert r.status_code == 200 and r.get_json()["basis"] == "Nghị quyết 76"
    judge = bearer(next(iter(tokens_of(app, cid)["judges"].values()))["token"])
    assert client.get(f"/api/v1/contests/{cid}/questions", headers=judge).status_code == 403
    assert client.get(f"/api/v1/contests/{cid}/questions").status_code == 401
    assert client.get(f"/c/{cid}/questions").status_code in (401, 302)
    # Cookie-authenticated API writes need the CSRF header.
    login(client, app)
    assert client.post(f"/api/v1/contests/{cid}/questions", json={"text": "x", "answer": "y"}).status_code == 400
    r = client.delete(f"/api/v1/contests/{cid}/questions/q2", headers=org)
    assert r.status_code == 200 and question(app, cid, "q2") is None
    spec = client.get("/api/openapi.json").get_json()["paths"]
    assert {"/v1/contests/{id}/draws", "/v1/contests/{id}/questions/{key}/reject",
            "/v1/contests/{id}/offices"} <= set(spec)


# ---- offices ----------------------------------------------------------------------------------

def office_client(app, cid: int, key: str):
    c = app.test_client()
    token = tokens_of(app, cid)["offices"][key]["token"]
    assert c.get(f"/t/{token}").status_code == 302
    return c, bearer(token)


def test_office_sees_and_edits_only_its_own_questions(app):
    cid = make_contest(app)
    a, a_api = office_client(app, cid, "phong-noi-vu")
    b, b_api = office_client(app, cid, "phong-tai-chinh-ke-hoach")
    # A types a question on its page; a bad one first (nothing written, error named).
    token = csrf_token(a, f"/c/{cid}/office")
    before = count(app, cid)
    r = a.post(f"/c/{cid}/office", data={"csrf_token": token, "kind": "open", "text": OPEN, "answer": ""})
    assert r.status_code == 400 and "Đáp án" in r.get_data(as_text=True) and OPEN in r.get_data(as_text=True)
    assert count(app, cid) == before
    r = a.post(f"/c/{cid}/office", data={"csrf_token": token, "kind": "open", "text": OPEN,
                                         "answer": "Niêm yết", "office": "Phòng Tài chính - Kế hoạch",
                                         "points": "20"})
    assert r.status_code == 302
    key = f"q{before + 1}"
    q = question(app, cid, key)
    assert q.office == "Phòng Nội vụ" and q.status == "submitted"  # its own office, always
    # Isolation: B does not see it, cannot read, edit or delete it.
    assert OPEN not in b.get(f"/c/{cid}/office").get_data(as_text=True)
    assert OPEN in a.get(f"/c/{cid}/office").get_data(as_text=True)
    listed = b.get(f"/api/v1/contests/{cid}/questions", headers=b_api).get_json()["questions"]
    assert listed and all(x["office"] == "Phòng Tài chính - Kế hoạch" for x in listed)
    assert b.get(f"/api/v1/contests/{cid}/questions/{key}", headers=b_api).status_code == 404
    assert b.patch(f"/api/v1/contests/{cid}/questions/{key}", headers=b_api, json={"text": "x"}).status_code == 404
    assert b.delete(f"/api/v1/contests/{cid}/questions/{key}", headers=b_api).status_code == 404
    assert b.get(f"/c/{cid}/office?edit={key}").status_code == 404
    r = b.post(f"/c/{cid}/office", data={"csrf_token": csrf_token(b, f"/c/{cid}/office"), "key": key,
                                         "kind": "open", "text": "chiếm", "answer": "x"})
    assert r.status_code == 404
    assert b.post(f"/c/{cid}/office/questions/{key}/delete",
                  data={"csrf_token": csrf_token(b, f"/c/{cid}/office")}).status_code == 404
    assert question(app, cid, key).text == OPEN
    # Offices do not review, seal or see the review page.
    assert a.post(f"/api/v1/contests/{cid}/questions/{key}/approve", headers=a_api).status_code == 403
    assert a.post(f"/api/v1/contests/{cid}/seal", headers=a_api).status_code == 403
    assert a.get(f"/c/{cid}/questions").status_code == 403
    # A edits its own while submitted, not once approved.
    r = a.patch(f"/api/v1/contests/{cid}/questions/{key}", headers=a_api, json={"points": 30})
    assert r.status_code == 200 and r.get_json()["points"] == 30
    r = a.patch(f"/api/v1/contests/{cid}/questions/q1", headers=a_api, json={"text": "x"})
    assert r.status_code == 403  # its own, but approved
    org = bearer(tokens_of(app, cid)["organiser"]["token"])
    a.post(f"/api/v1/contests/{cid}/questions/{key}/reject", headers=org, json={"reason": "Trùng q5"})
    page = a.get(f"/c/{cid}/office").get_data(as_text=True)
    assert "Trùng q5" in page and "Không duyệt" in page
    assert a.get(f"/c/{cid}/office?edit={key}").status_code == 403
    # Upload on the office page: every question is the office's own and "submitted".
    r = a.post(f"/c/{cid}/office/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(a, f"/c/{cid}/office"),
        "file": (io.BytesIO(as_json([{"text": "Câu gửi bằng tệp", "answer": "x", "office": "Khác",
                                      "status": "approved"}])), "noi-vu.json")})
    assert r.status_code == 200 and "Đã nhập 1 câu hỏi" in r.get_data(as_text=True)
    mine = a.get(f"/api/v1/contests/{cid}/questions?q=cau+gui+bang+tep", headers=a_api).get_json()["questions"]
    assert [(x["office"], x["status"]) for x in mine] == [("Phòng Nội vụ", "submitted")]
    # An audience visitor and a judge are refused.
    assert app.test_client().get(f"/c/{cid}/office").status_code in (401, 302)


def test_offices_add_rename_with_links_and_bad_input(sqlite_client, sqlite_app):
    client, app = sqlite_client, sqlite_app
    cid = make_contest(app)
    login(client, app)
    token = csrf_token(client, f"/c/{cid}/questions")
    r = client.post(f"/c/{cid}/questions/offices", data={"csrf_token": token, "name": "  "})
    assert r.status_code == 400 and "Tên cơ quan" in r.get_data(as_text=True)
    r = client.post(f"/c/{cid}/questions/offices", data={"csrf_token": token, "name": "phòng nội vụ"})
    assert r.status_code == 409 and "đã có" in r.get_data(as_text=True)
    r = client.post(f"/c/{cid}/questions/offices", data={"csrf_token": token, "name": "Phòng Tư pháp"})
    assert r.status_code == 302
    links = tokens_of(app, cid)["offices"]
    assert links["phong-tu-phap"]["name"] == "Phòng Tư pháp"
    # Rename: the questions follow, the link stays.
    org = bearer(tokens_of(app, cid)["organiser"]["token"])
    r = client.patch(f"/api/v1/contests/{cid}/offices/phong-noi-vu", headers=org, json={"name": "Phòng Nội vụ huyện"})
    assert r.status_code == 200 and r.get_json()["name"] == "Phòng Nội vụ huyện"
    assert question(app, cid, "q1").office == "Phòng Nội vụ huyện"
    c, api = office_client(app, cid, "phong-noi-vu")
    assert any(x["key"] == "q1" for x in c.get(f"/api/v1/contests/{cid}/questions", headers=api).get_json()["questions"])
    r = client.patch(f"/api/v1/contests/{cid}/offices/phong-noi-vu", headers=org, json={"name": "Phòng Tư pháp"})
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "name"
    assert client.patch(f"/api/v1/contests/{cid}/offices/nope", headers=org, json={"name": "X"}).status_code == 404
    r = client.post(f"/api/v1/contests/{cid}/offices", headers=org, json={"name": "Thanh tra huyện"})
    assert r.status_code == 201 and r.get_json()["token"]
    assert client.get(f"/c/{cid}/questions/offices/phong-tu-phap/qr.svg").mimetype == "image/svg+xml"
    assert "Phòng Tư pháp" in client.get(f"/c/{cid}/questions/offices/cards").get_data(as_text=True)
