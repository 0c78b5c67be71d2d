"""Reading real Excel files: the shapes offices send, and the files that must be refused."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from qb_builders import TCVN3, VNI, declare_size, make_docx, make_xlsx, replace_member

from contest.core.errors import ContestError
from question_bank.core import importing
from question_bank.core.importing import parse_file

HEADERS = ["STT", "Nội dung câu hỏi", "Phương án A", "Phương án B", "Phương án C", "Phương án D",
           "Đáp án đúng", "Lĩnh vực", "Đơn vị soạn", "Văn bản căn cứ", "Điểm"]
CHOICES = ["Nghị định số 30/2020/NĐ-CP", "Nghị định số 110/2004/NĐ-CP", "Luật Lưu trữ năm 2011",
           "Thông tư số 01/2011/TT-BNV"]


def choice_row(n, answer="A", **kw):
    row = [n, kw.get("text", "Văn bản nào quy định về công tác văn thư hiện hành?"), *CHOICES,
           answer, "Cải cách thể chế", "Phòng Nội vụ", "Nghị định 30/2020/NĐ-CP", kw.get("points", 20)]
    return row


def read(rows, **kw):
    return parse_file("cau-hoi.xlsx", make_xlsx(rows, **kw))


def test_title_rows_merged_cells_and_blank_rows_above_the_header():
    rows = [["ỦY BAN NHÂN DÂN HUYỆN KON RẪY"], ["DANH SÁCH CÂU HỎI HỘI THI CẢI CÁCH HÀNH CHÍNH"],
            [None], [None, "(Kèm theo Công văn số 12/PNV)"], [None], HEADERS, choice_row(1),
            [None] * 3, [], choice_row(2, answer="c")]
    result = read(rows, merge=["A1:K1", "A2:K2"])
    assert result.rejected == []
    assert [row for row, _ in result.questions] == [7, 10]
    first = result.questions[0][1]
    assert (first.kind, first.answer, first.choices, first.field, first.office, first.points) == \
        ("choice", "A", tuple(CHOICES), "Cải cách thể chế", "Phòng Nội vụ", Decimal(20))
    assert result.questions[1][1].answer == "C"


@pytest.mark.parametrize("headers", [
    ["stt", "CAU HOI", "a", "b", "c", "d", "DAP AN", "linh vuc", "co quan", "can cu", "diem"],
    ["TT", "Câu hỏi (*)", "A", "B", "C", "D", "Đáp án (*)", "Lĩnh vực", "Cơ quan", "Căn cứ",
     "Điểm (số)"],
])
def test_headers_without_diacritics_or_in_any_case(headers):
    result = read([headers, choice_row(1, answer="b")])
    assert [q.answer for _, q in result.questions] == ["B"] and not result.rejected


@pytest.mark.parametrize("written", ["B", " b ", "Đáp án: B", "phương án b", "B.", "(B)",
                                     "B. Nghị định số 110/2004/NĐ-CP",
                                     "Nghị định số 110/2004/NĐ-CP"])
def test_the_many_ways_of_writing_a_choice_answer(written):
    result = read([HEADERS, choice_row(1, answer=written)])
    assert [q.answer for _, q in result.questions] == ["B"]


def test_two_row_header_with_letters_under_a_merged_cell():
    rows = [["STT", "Câu hỏi", "Phương án trả lời", None, None, None, "Đáp án"],
            [None, None, "A", "B", "C", "D", None],
            [1, "Hỏi gì?", "một", "hai", "ba", "bốn", "D"]]
    result = read(rows, merge=["C1:F1"])
    assert [(r, q.choices, q.answer) for r, q in result.questions] == \
        [(3, ("một", "hai", "ba", "bốn"), "D")]


def test_open_questions_follow_ups_numbers_as_text_and_dates():
    headers = ["STT", "Câu hỏi", "Gợi ý trả lời", "Điểm", "Câu hỏi phụ", "Đáp án câu hỏi phụ",
               "Điểm câu hỏi phụ", "Câu hỏi phụ 2", "Đáp án câu hỏi phụ 2", "Văn bản căn cứ"]
    rows = [headers,
            [1, "Thế nào là dịch vụ công trực tuyến toàn trình?", "Là dịch vụ…\n- Lợi ích: …",
             "20,0", "Khác gì một phần?", "Một bước trực tiếp.", "10", "Ví dụ?", "Cấp hộ tịch.",
             dt.datetime(2022, 6, 24)],
            [2, "Câu hai?", "Trả lời hai", 17.5]]
    result = read(rows)
    (_, first), (_, second) = result.questions
    assert first.kind == "open" and first.points == Decimal(20) and first.answer.endswith("- Lợi ích: …")
    assert [(f.text, f.points) for f in first.follow_ups] == \
        [("Khác gì một phần?", Decimal(10)), ("Ví dụ?", None)]
    assert first.basis == "24/06/2022"
    assert second.points == Decimal("17.5") and second.follow_ups == ()


def test_choices_written_inside_the_question_cell():
    rows = [["Câu hỏi", "Đáp án"],
            ["Thời hạn giải quyết là bao lâu?\nA. 3 ngày\nB. 5 ngày\nC. 7 ngày", "Đáp án: B"],
            ["Chọn đáp án đúng: A) Có   B) Không", "a"],
            ["Nêu hai bước: A. chuẩn bị và B. thực hiện.", "Chuẩn bị hồ sơ rồi nộp."]]
    result = read(rows)
    assert [(q.kind, q.text, q.choices, q.answer) for _, q in result.questions] == [
        ("choice", "Thời hạn giải quyết là bao lâu?", ("3 ngày", "5 ngày", "7 ngày"), "B"),
        ("choice", "Chọn đáp án đúng:", ("Có", "Không"), "A"),
        ("open", "Nêu hai bước: A. chuẩn bị và B. thực hiện.", (), "Chuẩn bị hồ sơ rồi nộp."),
    ]


def test_formulas_are_read_as_literal_text_never_evaluated():
    link = '=HYPERLINK("http://x","y")'
    rows = [["Câu hỏi", "Đáp án", "Điểm"],
            [link, "=1+1", None],                    # real formula cells
            [link + " ", "Đáp án", None],            # the same text stored as a string
            ["Câu thường?", "Đáp án", "=10+10"]]     # a formula where a number should be
    data = make_xlsx(rows, text_cells=["A3"])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<f>") == 3  # A2, B2 and C4 are formulas in the file, A3 is not
    result = parse_file("f.xlsx", data)
    assert [(r, q.text, q.answer) for r, q in result.questions] == \
        [(2, link, "=1+1"), (3, link, "Đáp án")]
    assert [r.row for r in result.rejected] == [4]
    assert "'=10+10'" in result.rejected[0].reason and "điểm" in result.rejected[0].reason


def test_bad_rows_are_rejected_with_their_row_number_and_good_rows_kept():
    rows = [HEADERS,                                            # row 1
            choice_row(1),                                      # row 2: good
            [2, "", *CHOICES, "A"],                             # no text
            [3, "Có câu hỏi nhưng không có đáp án?"],
            choice_row(4, answer="E"),
            choice_row(5, answer="Không rõ"),
            choice_row(6, points="hai mươi"),
            choice_row(7, points=-3),
            [8, "Câu hỏi?", "Chỉ một phương án", None, None, None, "A"],
            [9, "Câu hỏi?", "Một", None, "Ba", None, "A"],
            choice_row(10, text="x" * 10_000),
            choice_row(11, text=TCVN3),
            [12, VNI, None, None, None, None, "Traû lôøi"],   # row 13
            [13],                                               # only the STT: skipped
            [14, "Câu tự luận?", None, None, None, None, "Có"]]  # row 15: good
    result = read(rows)
    assert [row for row, _ in result.questions] == [2, 15]
    reasons = {r.row: r.reason for r in result.rejected}
    assert sorted(reasons) == list(range(3, 14))
    assert all(reason.startswith(f"Dòng {row}:") for row, reason in reasons.items())
    assert "thiếu nội dung câu hỏi" in reasons[3]
    assert "thiếu đáp án" in reasons[4]
    assert "'E'" in reasons[5] and "A–D" in reasons[5]
    assert "không đọc được đáp án" in reasons[6]
    assert "điểm 'hai mươi'" in reasons[7] and "'-3'" in reasons[8]
    assert "ít nhất 2 phương án" in reasons[9]
    assert "phương án B để trống" in reasons[10]
    assert "10.000 ký tự" in reasons[11] and "5.000" in reasons[11]
    assert "TCVN3/VNI" in reasons[12] and "TCVN3/VNI" in reasons[13]


def test_kind_column_section_headings_and_status():
    rows = [["STT", "Loại", "Câu hỏi", "A", "B", "Đáp án", "Trạng thái"],
            ["I. LĨNH VỰC CẢI CÁCH THỂ CHẾ"],
            [1, "Trắc nghiệm", "Đúng hay sai?", "Đúng", "Sai", "A", "Đã duyệt"],
            [2, "Tự luận", "Nêu khái niệm?", None, None, "Khái niệm là…", None],
            [None, None, "II. Lĩnh vực tài chính công"],
            [3, "Trắc nghiệm", "Không có phương án?", None, None, "A", None],
            [4, "Tự luận", "Có phương án?", "x", "y", "A", None],
            [5, "Bài luận", "Loại lạ?", None, None, "x", None],
            [6, "Tự luận", "Nêu tiếp?", None, None, "Tiếp", "xong"]]
    result = read(rows)
    assert [(r, q.kind, q.field, q.status) for r, q in result.questions] == [
        (3, "choice", "Cải cách thể chế", "approved"),
        (4, "open", "Cải cách thể chế", "submitted")]
    assert [r.row for r in result.rejected] == [6, 7, 8, 9]
    assert "Trắc nghiệm" not in result.rejected[0].reason and "2 phương án" in result.rejected[0].reason


def test_several_question_sheets_and_a_note_sheet():
    notes = [["Cột", "Cách ghi"], ["Câu hỏi", "Nội dung"], ["Đáp án", "B"]]
    data = make_xlsx([["Câu hỏi", "Đáp án"], ["Một?", "1"]], title="Nội vụ",
                     sheets={"Hướng dẫn": notes, "Tài chính": [["Câu hỏi", "Đáp án"], ["Hai?", ""]]})
    result = parse_file("nhieu-trang.xlsx", data)
    assert [q.text for _, q in result.questions] == ["Một?"]
    assert [r.reason for r in result.rejected] == ["Trang 'Tài chính', dòng 2: thiếu đáp án"]


def test_no_header_row_is_a_whole_file_error():
    with pytest.raises(ContestError, match="không tìm thấy dòng tiêu đề") as info:
        read([["Họ tên", "Chức vụ"], ["Nguyễn Văn A", "Chuyên viên"]])
    assert "cau-hoi.xlsx" in info.value.message


def test_legacy_header_row_is_reported_as_such():
    with pytest.raises(ContestError, match="TCVN3/VNI"):
        read([["STT", "C©u hái", "§¸p ¸n"], [1, TCVN3, "Cã"]])


def test_a_renamed_file_is_not_a_spreadsheet():
    with pytest.raises(ContestError, match="không phải tệp Excel") as info:
        parse_file("bao-cao.xlsx", "Đây là văn bản thường".encode())
    assert "bao-cao.xlsx" in info.value.message
    with pytest.raises(ContestError, match="tệp Word"):
        parse_file("cau-hoi.xlsx", make_docx(["Câu 1: Hỏi?", "Đáp án: Đáp"]))
    with pytest.raises(ContestError, match=r"\.xls"):
        parse_file("cu.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)


def test_a_truncated_zip_is_refused():
    data = make_xlsx([["Câu hỏi", "Đáp án"], ["Một?", "1"]])
    with pytest.raises(ContestError, match="hỏng"):
        parse_file("hong.xlsx", data[: len(data) // 2])


def test_zip_bomb_declared_size_is_refused_before_opening():
    data = make_xlsx([["Câu hỏi", "Đáp án"], ["Một?", "1"]])
    bomb = declare_size(data, "xl/worksheets/sheet1.xml", 3_000_000_000)
    assert len(bomb) < 20_000
    with pytest.raises(ContestError, match="zip bomb"):
        parse_file("bom.xlsx", bomb)


def test_zip_bomb_by_compression_ratio_is_refused():
    data = make_xlsx([["Câu hỏi", "Đáp án"], ["Một?", "1"]])
    bomb = replace_member(data, "xl/worksheets/sheet2.xml", b"<a>" + b" " * 5_000_000 + b"</a>")
    assert len(bomb) < 60_000
    with pytest.raises(ContestError, match="zip bomb"):
        parse_file("bom.xlsx", bomb)


def test_entity_expansion_is_refused():
    data = make_xlsx([["Câu hỏi", "Đáp án"], ["Một?", "1"]])
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<si><t>&lol2;</t></si></sst>')
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        target = next(n for n in z.namelist() if n.endswith("sharedStrings.xml") or
                      n.endswith("workbook.xml"))
    with pytest.raises(ContestError, match="DOCTYPE"):
        parse_file("xxe.xlsx", replace_member(data, target, laughs))


def test_oversized_unknown_and_old_files():
    data = make_xlsx([["Câu hỏi", "Đáp án"], ["Một?", "1"]])
    with pytest.raises(ContestError, match="vượt quá giới hạn"):
        parse_file("lon.xlsx", data, max_bytes=1000)
    with pytest.raises(ContestError, match=r"chỉ nhận"):
        parse_file("cau-hoi.csv", b"a,b")
    with pytest.raises(ContestError, match="97-2003"):
        parse_file("cau-hoi.xls", b"\xd0\xcf\x11\xe0")
    with pytest.raises(ContestError, match="rỗng"):
        parse_file("rong.json", b"")


def test_more_questions_than_the_cap(monkeypatch):
    monkeypatch.setattr(importing, "MAX_QUESTIONS", 3)
    rows = [["Câu hỏi", "Đáp án"]] + [[f"Câu {i}?", "Đáp"] for i in range(4)]
    with pytest.raises(ContestError, match="vượt quá 3 câu"):
        read(rows)


def test_a_wrong_declared_dimension_does_not_drop_rows():
    data = make_xlsx([["Câu hỏi", "Đáp án"], ["Một?", "1"], ["Hai?", "2"], ["Ba?", "3"]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:B4"/>' in sheet
    data = replace_member(data, "xl/worksheets/sheet1.xml",
                          sheet.replace(b'<dimension ref="A1:B4"/>', b'<dimension ref="A1:B2"/>'))
    assert [q.text for _, q in parse_file("dim.xlsx", data).questions] == ["Một?", "Hai?", "Ba?"]


def test_several_answer_letters_are_refused():
    result = read([HEADERS, choice_row(1, answer="A, C"), choice_row(2, answer="b và d")])
    assert [r.row for r in result.rejected] == [2, 3]
    assert "không đọc được đáp án 'A, C'" in result.rejected[0].reason
