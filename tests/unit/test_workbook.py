"""The contest document as an Excel workbook: lossless both ways, safe, and forgiving of
workbooks filled in by hand."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contest.core.errors import ContestError
from contest.document.workbook import document_to_workbook, workbook_to_document

DEMO = Path("/work/shared/contract/kon-ray-2023.json")
if not DEMO.exists():  # pragma: no cover - the copy inside the repository
    DEMO = Path(__file__).resolve().parents[2] / "contest" / "document" / "kon-ray-2023.json"


def demo() -> dict:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def normal(doc: dict) -> dict:
    return json.loads(json.dumps(doc))


def round_trip(doc: dict) -> dict:
    return workbook_to_document(document_to_workbook(doc), "test.xlsx")


def strict(a, b) -> bool:
    """== that also tells 1 from 1.0 and True from 1."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict(x, y) for x, y in zip(a, b))
    return a == b


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def save(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rows(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


# --------------------------------------------------------------------------- the demo


def test_demo_round_trip_is_exact():
    doc = normal(demo())
    back = round_trip(doc)
    assert back == doc
    assert strict(back, doc)
    # the same key order too, so an exported JSON reads the same
    assert json.dumps(back, ensure_ascii=False) == json.dumps(doc, ensure_ascii=False)


def test_demo_layout_is_vietnamese_and_clean():
    data = document_to_workbook(demo())
    wb = load(data)
    assert wb.sheetnames[:13] == ["Hội thi", "Thể lệ", "Phần thi", "Giai đoạn", "Tiêu chí",
                                  "Giải thưởng", "Đơn vị", "Đội thi", "Thành viên", "Giám khảo",
                                  "Câu hỏi", "Câu hỏi phụ", "Chương trình"]
    assert "Phiếu chấm" not in wb.sheetnames and "_extra" not in wb.sheetnames
    teams = wb["Đội thi"]
    assert [c.value for c in teams[1]][:3] == ["Mã", "Tên đội", "Đơn vị"]
    assert teams["A1"].font.bold and teams.freeze_panes == "A2"
    assert teams.column_dimensions["B"].width >= 20
    meta_col = [c.column_letter for c in teams[1] if c.value == "_meta"][0]
    assert teams.column_dimensions[meta_col].hidden
    # nothing needed correcting: every _meta cell is empty for the demo
    for ws in wb.worksheets:
        header = [c.value for c in ws[1]]
        if "_meta" in header:
            j = header.index("_meta")
            assert all(r[j] is None for r in rows(ws)[1:]), ws.title
    contest = {r[2]: (r[0], ws_cell) for r, ws_cell in
               zip(rows(wb["Hội thi"])[1:], list(wb["Hội thi"].iter_rows(min_row=2)))}
    label, cells = contest["date"]
    assert label == "Ngày"
    assert cells[1].is_date and cells[1].value == dt.datetime(2023, 9, 15)
    assert cells[1].number_format.lower() == "dd/mm/yyyy"
    assert wb["Hội thi"].column_dimensions["C"].hidden
    rules = {r[2]: r[1] for r in rows(wb["Thể lệ"])[1:]}
    assert rules["team.max_members"] == 12 and rules["tie_break"] == "skit, quiz, intro"
    criteria = rows(wb["Tiêu chí"])
    assert criteria[1][:4] == ("intro", "content", "Nội dung giới thiệu", 10)
    assert type(criteria[1][3]) is int
    questions = rows(wb["Câu hỏi"])
    header = questions[0]
    assert header[3:7] == ("Phương án A", "Phương án B", "Phương án C", "Phương án D")
    q2 = questions[2]
    assert q2[0] == "q2" and q2[3] == "Nghị định số 30/2020/NĐ-CP"
    members = rows(wb["Thành viên"])
    assert members[0][:7] == ("Đội", "Mã", "Họ và tên", "Chức vụ", "Nơi công tác", "Loại",
                              "Phần thi tham gia")
    judges = rows(wb["Giám khảo"])
    assert judges[1][3] == "x" and judges[2][3] is None


# --------------------------------------------------------------------------- a contest after the day


def finished_contest() -> dict:
    doc = demo()
    c = doc["contest"]
    c["offices"] = [{"key": "noi-vu", "name": "Phòng Nội vụ"},
                    {"key": "vh-tt", "name": "Phòng Văn hóa và Thông tin"}]
    scores = []
    for j, judge in enumerate(c["judges"]):
        for t, team in enumerate(c["teams"][:3]):
            for part in c["rules"]["parts"]:
                crit = {cr["key"]: (cr["max"] - (j + t) * 0.5) for cr in part["criteria"]}
                crit = {k: (int(v) if v == int(v) else v) for k, v in crit.items()}
                scores.append({"judge": judge["key"], "team": team["key"], "part": part["key"],
                               "criteria": crit, "id": f"{judge['key']}-{team['key']}-{part['key']}",
                               "comment": "Tốt" if t == 0 else "",
                               "source": "paper" if j == 4 else "tablet",
                               "at": f"2023-09-15T08:{10 + t:02d}:00+07:00"})
    scores[0]["comment"] = "=HYPERLINK(\"http://x\")"
    c["scores"] = scores
    c["nominations"] = [{"judge": "j1", "prize": "best_actor", "member": "dak-rve-m2"},
                        {"judge": "j2", "prize": "best_actor", "member": "dak-koi-m2"},
                        {"judge": "j3", "prize": "best_presenter", "member": "dak-rve-m1"}]
    c["draws"] = {
        "questions": {"commitment": "ab" * 32, "salt": "0123456789abcdef0123456789abcdef",
                      "lots": {"1": "q3", "2": "q1", "3": "q7", "10": "q2"},
                      "revealed": False,
                      "drawn": [{"lot": 2, "team": "dak-rve", "question": "q1",
                                 "at": "2023-09-15T09:00:00+07:00"},
                                {"lot": 10, "team": "dak-koi", "question": "q2",
                                 "at": "2023-09-15T09:30:00+07:00"}]},
        "order": None,
    }
    c["decisions"] = [{"kind": "tie", "data": {"prize": "third", "teams": ["dak-koi", "tan-lap"],
                                               "winner": "tan-lap"},
                       "reason": "Trưởng ban quyết định theo điểm tiểu phẩm", "by": "j1",
                       "at": "2023-09-15T11:00:00+07:00"}]
    c["audit"] = [
        {"at": "2023-09-15T08:00:00+07:00", "actor": "organiser", "device": "laptop-1",
         "action": "score.fix", "target": "sheet:j1-dak-rve-intro", "old": {"content": 9.5},
         "new": {"content": 10}, "reason": "Nhập nhầm"},
        {"at": "2023-09-15T08:01:00+07:00", "actor": "mc", "device": "", "action": "stage.next",
         "target": "", "old": None, "new": [1, 2.5, True, "x"], "reason": ""},
        {"at": "2023-09-15T08:02:00+07:00", "actor": "system", "device": None,
         "action": "seal", "target": None, "old": "-1", "new": "=SUM(A1)"},
    ]
    c["stage"] = {"step": "contest", "team": "dak-rve", "part": "quiz", "phase": "answer",
                  "timer": {"state": "paused", "remaining_ms": 61000}, "question": "q1",
                  "results": "hidden"}
    c["documents"] = {"decision_number": "123/QĐ-UBND", "signer": "Nguyễn Văn A"}
    c["results_public"] = False
    c["rules"]["score_step"] = 0.5
    c["rules"]["aggregation"] = "trimmed_mean"
    return normal(doc)


def test_finished_contest_round_trip():
    doc = finished_contest()
    data = document_to_workbook(doc)
    back = workbook_to_document(data, "export.xlsx")
    assert strict(back, doc)
    wb = load(data)
    for name in ("Cơ quan soạn câu hỏi", "Phiếu chấm", "Đề cử", "Bốc thăm", "Lá thăm",
                 "Lượt bốc thăm", "Quyết định", "Nhật ký"):
        assert name in wb.sheetnames
    sheets = rows(wb["Phiếu chấm"])
    header = sheets[0]
    assert header[:3] == ("Giám khảo", "Đội", "Phần thi")
    assert "Tiêu chí: content" in header and "Tổng" in header
    first = dict(zip(header, sheets[1]))
    assert first["Tiêu chí: content"] == 10 and first["Tổng"] == 20
    assert first["Nhận xét"] == "'=HYPERLINK(\"http://x\")"
    lots = rows(wb["Lá thăm"])
    assert lots[1][:3] == ("questions", 1, "q3")
    audit = rows(wb["Nhật ký"])
    assert "Giá trị cũ (JSON)" in audit[0]
    # scores with half points come back as floats, whole ones as ints
    sheet = next(s for s in back["contest"]["scores"] if s["judge"] == "j2" and s["team"] == "dak-rve")
    assert any(isinstance(v, float) for v in sheet["criteria"].values())


def test_export_keys_only_when_present():
    doc = normal(demo())
    doc["contest"]["scores"] = []
    back = round_trip(doc)
    assert back["contest"]["scores"] == [] and "nominations" not in back["contest"]
    assert "audit" not in round_trip(normal(demo()))["contest"]


# --------------------------------------------------------------------------- nothing is ever lost


def test_types_absent_keys_nulls_and_unknown_keys_survive():
    doc = normal(demo())
    c = doc["contest"]
    doc["extension"] = {"by": "someone"}
    c["future_key"] = {"nested": [1, 2.5, None, True, "x"]}
    c["another"] = "=1+1"
    c["date"] = None
    c["venue"] = ""
    del c["organizer"]
    c["rules"]["parts"][0]["criteria"][0]["max"] = 7.5
    c["rules"]["parts"][0]["criteria"][1]["max"] = 10.0        # a float that looks whole
    c["rules"]["parts"][1]["overtime_penalty"] = None
    c["rules"]["parts"][2]["overtime_penalty"] = {"points": 0.5, "per_seconds": 30}
    c["rules"]["parts"][0]["unknown"] = [1]
    del c["rules"]["parts"][0]["phases"]
    c["rules"]["team"]["note"] = "x"
    c["rules"]["prizes"]["special"] = []
    del c["rules"]["prizes"]["individual"]
    c["rules"]["decimals"] = True                            # wrong type, kept as is
    team = c["teams"][0]
    del team["members"][0]["roles"]
    team["members"][1]["position"] = 12                      # a number where text belongs
    team["members"][2]["roles"] = ["a,b", " spaced "]
    team["members"][3]["kind"] = "visitor"
    team["members"][4]["extra"] = {"k": "v"}
    del c["teams"][1]["members"]
    c["teams"][2]["members"] = []
    c["judges"][0]["head"] = "yes"
    del c["judges"][1]["head"]
    q = c["questions"][0]
    q["points"] = None
    q["follow_ups"][0]["points"] = 12.25
    c["questions"][1]["choices"] = ["A", "", "C", "D", "E", "F"]
    c["questions"][2]["kind"] = "choice"                     # a choice question without choices
    c["questions"][3]["choices"] = []
    del c["questions"][4]["follow_ups"]
    c["questions"][5]["points"] = 2 ** 60                    # too big for a spreadsheet number
    c["questions"][6]["text"] = "x" * 40000                  # longer than a cell may be
    c["questions"][7]["answer"] = "ctrl\x00\x07\x1f chars \ud800 and \ufffe"
    c["programme"][0]["kind"] = "plain"
    c["units"] = []
    c["draws"] = None
    c["scores"] = [{"judge": "j1", "team": "dak-rve", "part": "intro",
                    "criteria": {"content": "7,5", "delivery": 8, " odd key": 1}}]
    data = document_to_workbook(doc)
    assert strict(workbook_to_document(data), doc)
    wb = load(data)
    assert wb["_extra"].sheet_state == "hidden"
    extra = [json.loads(r[0]) for r in rows(wb["_extra"])[1:]]
    assert [["contest", "future_key"], [], [{"nested": [1, 2.5, None, True, "x"]}]] in extra
    assert [["extension"], [], [{"by": "someone"}]] in extra


def test_a_hand_edit_wins_over_the_stored_correction():
    doc = normal(demo())
    doc["contest"]["teams"][0]["members"][0].pop("position")   # stored as "drop the key"
    wb = load(document_to_workbook(doc))
    ws = wb["Thành viên"]
    assert ws["B2"].value == "dak-rve-m1"
    ws["D2"] = "Chủ tịch UBND"                               # the organiser fills it in
    back = workbook_to_document(save(wb), "edited.xlsx")
    assert back["contest"]["teams"][0]["members"][0]["position"] == "Chủ tịch UBND"
    untouched = workbook_to_document(save(load(document_to_workbook(doc))), "x.xlsx")
    assert "position" not in untouched["contest"]["teams"][0]["members"][0]


def _parts_sheet(wb) -> tuple[openpyxl.worksheet.worksheet.Worksheet, int]:
    ws = wb["Phần thi"]
    header = [c.value for c in ws[1]]
    return ws, header.index("Bốc thăm câu hỏi") + 1


def test_drawn_round_trips_and_reads_as_yes_no():
    doc = normal(demo())
    parts = doc["contest"]["rules"]["parts"]
    parts[0]["drawn"], parts[2]["drawn"] = True, False     # skit says nothing
    data = document_to_workbook(doc)
    back = workbook_to_document(data, "x.xlsx")
    assert strict(back, doc)
    assert json.dumps(back, ensure_ascii=False) == json.dumps(doc, ensure_ascii=False)
    ws, col = _parts_sheet(load(data))
    assert [ws.cell(r, col).value for r in (2, 3, 4)] == ["có", None, "không"]
    header = [c.value for c in ws[1]]
    assert all(r[header.index("_meta")] is None for r in rows(ws)[1:])   # nothing to correct
    plain, col = _parts_sheet(load(document_to_workbook(demo())))   # nothing said: empty
    assert all(r[col - 1] is None for r in rows(plain)[1:])


def test_drawn_typed_by_hand_and_a_workbook_without_the_column():
    wb = load(document_to_workbook(demo()))
    ws, col = _parts_sheet(wb)
    ws.cell(3, col, "X")                                    # skit: drawn
    ws.cell(4, col, "Không")                                # quiz: not drawn
    parts = workbook_to_document(save(wb), "tay.xlsx")["contest"]["rules"]["parts"]
    assert [p.get("drawn", "absent") for p in parts] == ["absent", True, False]
    ws.cell(2, col, "có lẽ")
    with pytest.raises(ContestError) as err:
        workbook_to_document(save(wb), "tay.xlsx")
    assert "Bốc thăm câu hỏi" in err.value.message and "Phần thi" in err.value.message
    ws.delete_cols(col)                                     # an older workbook: no such column
    back = workbook_to_document(save(wb), "cu.xlsx")
    assert back["contest"]["rules"] == normal(demo())["contest"]["rules"]


# --------------------------------------------------------------------------- hypothesis

VIETNAMESE = "ăâđêôơưĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
texts = st.one_of(
    st.text(alphabet=st.sampled_from(list(VIETNAMESE + "abc XYZ019-=+@'\t\n\r,;\"{}[]")),
            max_size=40),
    st.sampled_from(["=1+1", "@x", "+84 905", "-5", "'quoted", "''", " lead", "trail ",
                     "a\r\nb", "\tTAB", "=cmd|' /C calc'!A0", "Nguye\u0302\u0303n (NFD)",
                     "", " ", "null", "[1, 2]", "0012", "1e5", "TRUE", "15/09/2023"]),
    st.text(max_size=30),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["ạ", "x", "=", "\n"]),
              st.integers(1000, 5000)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=texts, answer=texts, member=texts, position=texts, choice=texts, title=texts,
       phase=texts, prize=texts, comment=texts, reason=texts, venue=texts, extra=texts)
def test_any_text_round_trips_exactly(name, answer, member, position, choice, title, phase,
                                      prize, comment, reason, venue, extra):
    doc = _small_doc()
    c = doc["contest"]
    c["name"], c["venue"] = name, venue
    c["questions"][0]["answer"] = answer
    c["questions"][1]["choices"][2] = choice
    c["questions"][0]["follow_ups"][0]["text"] = extra
    c["teams"][0]["members"][0]["name"] = member
    c["teams"][0]["members"][0]["position"] = position
    c["judges"][0]["title"] = title
    c["rules"]["parts"][0]["phases"][0]["name"] = phase
    c["rules"]["prizes"]["collective"][0]["name"] = prize
    c["scores"] = [{"judge": "j1", "team": "dak-rve", "part": "intro",
                    "criteria": {"content": 9.5, "delivery": 10}, "id": "s1", "comment": comment}]
    c["audit"] = [{"action": "x", "old": comment, "new": {extra: reason}, "reason": reason}]
    c[extra or "k"] = reason
    back = round_trip(doc)
    assert strict(back, doc)


def _small_doc() -> dict:
    doc = normal(demo())
    c = doc["contest"]
    c["teams"] = c["teams"][:1]
    c["teams"][0]["members"] = c["teams"][0]["members"][:2]
    c["questions"] = c["questions"][:2]
    return doc


# --------------------------------------------------------------------------- filled in by hand


def test_a_workbook_filled_in_by_hand():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "hoi thi"                                   # sheet names without diacritics
    ws.append(["TRƯỜNG", "giá trị"])                       # no hidden key column
    ws.append(["Tên hội thi", "Hội thi thử"])
    ws.append(["Ngày", "15/9/2023"])
    ws = wb.create_sheet("Thể lệ")
    ws.append(["Trường", "Giá trị"])
    ws.append(["Số thành viên tối đa của mỗi đội", "10"])
    ws.append(["Cách tổng hợp điểm", "Trung vị"])
    ws.append(["Bước điểm", "0,25"])
    ws.append(["Thứ tự phần thi xét khi bằng điểm", "skit; intro"])
    ws = wb.create_sheet("Phần thi")
    ws.append(["Danh sách phần thi"])                        # a title row above the headers
    ws.append(["mã", "tên"])
    ws.append(["intro", "Giới thiệu"])
    ws.append([None, None])
    ws.append(["skit", "Tiểu phẩm"])
    ws = wb.create_sheet("Tiêu chí")
    ws.append(["Phần thi", "Mã", "Tên", "Điểm tối đa"])
    ws.append(["intro", "content", "Nội dung", "20,5"])
    ws.append(["skit", "acting", "Diễn xuất", 10])
    ws = wb.create_sheet("Giải thưởng")
    ws.append(["Loại", "Mã", "Tên", "Số lượng", "Tiền thưởng", "Phần thi"])
    ws.append(["Tập thể", "first", "Giải Nhất", 1, "5.000.000 đ", None])
    ws.append(["Cá nhân", "best_actor", "Diễn viên", None, "1.000", "skit"])
    ws = wb.create_sheet("Đội thi")
    ws.append(["Mã đội", "Tên đội", "Đơn vị"])
    ws.append(["d1", "Đội Xã A", "Xã A"])
    ws.append(["d2", "Đội Xã B", "Xã B"])
    ws = wb.create_sheet("Thành viên")
    ws.append(["Đội", "Mã", "Họ và tên", "Chức vụ", "Loại", "Phần thi tham gia"])
    ws.append(["d1", "m1", "Nguyễn Văn A", "Chủ tịch", "Thành viên", "intro, skit"])
    ws.append(["Đội Xã B", "m2", "Trần Thị B", None, "Khách mời", None])
    ws = wb.create_sheet("Giám khảo")
    ws.append(["Mã", "Họ và tên", "Chức vụ", "Trưởng ban"])
    ws.append(["j1", "Lê Văn C", "Phó Chủ tịch", "X"])
    ws.append([2, "Phạm D", None, None])
    ws = wb.create_sheet("Câu hỏi")
    ws.append(["Mã", "Loại", "Nội dung", "Phương án A", "Phương án B", "Đáp án", "Điểm",
               "Trạng thái"])
    ws.append(["q1", "Trắc nghiệm", "Câu hỏi?", "Có", "Không", "A", "20", "Đã duyệt"])
    ws = wb.create_sheet("Câu hỏi phụ")
    ws.append(["Câu hỏi", "Thứ tự", "Nội dung", "Đáp án", "Điểm"])
    ws.append(["q1", 2, "Phụ hai", "", 5])
    ws.append(["q1", 1, "Phụ một", "", 5])
    ws = wb.create_sheet("Phiếu chấm")                       # the paper fallback
    ws.append(["Giám khảo", "Đội", "Phần thi", "Tiêu chí: content", "Tiêu chí: acting", "Tổng"])
    ws.append(["j1", "d1", "intro", "18,5", None, 18.5])
    ws.append(["j1", "d2", "skit", None, 9, 9])
    doc = workbook_to_document(save(wb), "tay.xlsx")
    c = doc["contest"]
    assert c["scores"] == [
        {"judge": "j1", "team": "d1", "part": "intro", "criteria": {"content": 18.5}},
        {"judge": "j1", "team": "d2", "part": "skit", "criteria": {"acting": 9}}]
    assert doc["format"] == "hoithi/1"
    assert c["name"] == "Hội thi thử" and c["date"] == "2023-09-15"
    rules = c["rules"]
    assert rules["team"] == {"max_members": 10}
    assert rules["aggregation"] == "median" and rules["score_step"] == 0.25
    assert rules["tie_break"] == ["skit", "intro"]
    assert [p["key"] for p in rules["parts"]] == ["intro", "skit"]
    assert rules["parts"][0]["criteria"] == [{"key": "content", "name": "Nội dung", "max": 20.5}]
    assert rules["parts"][1]["criteria"][0]["max"] == 10
    assert rules["prizes"]["collective"][0]["amount"] == 5000000
    assert rules["prizes"]["individual"][0] == {"key": "best_actor", "name": "Diễn viên",
                                                "amount": 1000, "part": "skit"}
    assert rules["prizes"]["special"] == []
    m1, m2 = (t["members"][0] for t in c["teams"])
    assert m1["kind"] == "member" and m1["roles"] == ["intro", "skit"] and m1["workplace"] == ""
    assert m2["kind"] == "guest" and m2["roles"] == [] and m2["position"] == ""
    assert c["judges"][0]["head"] is True and c["judges"][1] == {
        "key": "2", "name": "Phạm D", "title": "", "head": False}
    q = c["questions"][0]
    assert q["kind"] == "choice" and q["choices"] == ["Có", "Không"] and q["points"] == 20
    assert q["status"] == "approved"
    assert [f["text"] for f in q["follow_ups"]] == ["Phụ một", "Phụ hai"]
    assert c["units"] == [] and c["programme"] == []


# --------------------------------------------------------------------------- bad workbooks


def test_a_text_file_renamed_xlsx():
    with pytest.raises(ContestError) as err:
        workbook_to_document("Mã,Tên\nd1,Đội 1\n".encode(), "doi-thi.xlsx")
    assert "doi-thi.xlsx" in err.value.message


def test_a_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "xin chào")
    with pytest.raises(ContestError) as err:
        workbook_to_document(buf.getvalue(), "nen.xlsx")
    assert "nen.xlsx" in err.value.message


def test_a_zip_bomb_is_refused_before_opening():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(ContestError) as err:
        workbook_to_document(data, "bom.xlsx")
    assert "bom.xlsx" in err.value.message and "MB" in err.value.message


def test_a_damaged_workbook():
    data = document_to_workbook(demo())
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                body = body[: len(body) // 2]
            z.writestr(info, body)
    with pytest.raises(ContestError) as err:
        workbook_to_document(buf.getvalue(), "hong.xlsx")
    assert "hong.xlsx" in err.value.message


def test_a_missing_sheet():
    wb = load(document_to_workbook(demo()))
    del wb["Đội thi"]
    with pytest.raises(ContestError) as err:
        workbook_to_document(save(wb), "thieu.xlsx")
    assert "thieu.xlsx" in err.value.message and "'Đội thi'" in err.value.message


def test_a_team_row_without_key():
    wb = load(document_to_workbook(demo()))
    wb["Đội thi"]["A5"] = None
    with pytest.raises(ContestError) as err:
        workbook_to_document(save(wb), "doi.xlsx")
    assert err.value.message == "Sheet 'Đội thi', dòng 5: thiếu Mã đội"


def test_bad_cells_name_sheet_row_and_column():
    wb = load(document_to_workbook(demo()))
    wb["Tiêu chí"]["D3"] = "mười"
    with pytest.raises(ContestError) as err:
        workbook_to_document(save(wb), "x.xlsx")
    assert err.value.message.startswith("Sheet 'Tiêu chí', dòng 3, cột D (Điểm tối đa):")
    wb = load(document_to_workbook(demo()))
    wb["Thành viên"]["A4"] = "khong-co"
    with pytest.raises(ContestError) as err:
        workbook_to_document(save(wb), "x.xlsx")
    assert "Sheet 'Thành viên', dòng 4" in err.value.message and "khong-co" in err.value.message
    wb = load(document_to_workbook(demo()))
    wb["Đội thi"]["A4"] = "dak-rve"
    with pytest.raises(ContestError) as err:
        workbook_to_document(save(wb), "x.xlsx")
    assert "Sheet 'Đội thi', dòng 4" in err.value.message and "trùng" in err.value.message
    wb = load(document_to_workbook(demo()))
    wb["Giải thưởng"]["A2"] = "hạng nhất"
    with pytest.raises(ContestError) as err:
        workbook_to_document(save(wb), "x.xlsx")
    assert "Sheet 'Giải thưởng', dòng 2" in err.value.message


def test_a_missing_required_column():
    wb = load(document_to_workbook(demo()))
    wb["Đội thi"]["A1"] = "Ghi chú"
    with pytest.raises(ContestError) as err:
        workbook_to_document(save(wb), "x.xlsx")
    assert "Sheet 'Đội thi'" in err.value.message and "Mã" in err.value.message


def test_writing_refuses_items_that_are_not_objects():
    doc = normal(demo())
    doc["contest"]["teams"].append("Đội lạ")
    with pytest.raises(ContestError) as err:
        document_to_workbook(doc)
    assert "contest.teams[7]" in err.value.message
    doc = normal(demo())
    doc["contest"]["teams"][1]["key"] = doc["contest"]["teams"][0]["key"]
    with pytest.raises(ContestError, match="trùng"):
        document_to_workbook(doc)


def test_no_cell_is_ever_a_formula():
    doc = finished_contest()
    doc["contest"]["teams"][0]["name"] = "=1+1"
    doc["contest"]["judges"][0]["title"] = "@SUM(A1:A2)"
    data = document_to_workbook(doc)
    wb = load(data)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert wb["Đội thi"]["B2"].value == "'=1+1"
    assert workbook_to_document(data)["contest"]["teams"][0]["name"] == "=1+1"


def test_the_input_document_is_not_changed():
    doc = finished_contest()
    before = copy.deepcopy(doc)
    document_to_workbook(doc)
    assert strict(doc, before)
