"""Reading real Word files: numbered questions, marked answers, labelled lines, tables."""

from __future__ import annotations

from decimal import Decimal

import pytest
from qb_builders import TCVN3, declare_size, make_docx, make_xlsx

from contest.core.errors import ContestError
from question_bank.core.importing import parse_file


def read(lines=(), tables=()):
    return parse_file("cau-hoi.docx", make_docx(lines, tables))


def test_headings_choices_answer_lines_and_labels():
    result = read([
        "ỦY BAN NHÂN DÂN HUYỆN KON RẪY", "BỘ CÂU HỎI HỘI THI CẢI CÁCH HÀNH CHÍNH NĂM 2023",
        "Đơn vị soạn: Phòng Nội vụ",
        "Câu 1: Văn bản nào quy định về công tác văn thư hiện hành?",
        "A. Nghị định số 30/2020/NĐ-CP", "B. Nghị định số 110/2004/NĐ-CP",
        "C. Luật Lưu trữ năm 2011", "D. Thông tư số 01/2011/TT-BNV",
        "Đáp án: A",
        "Lĩnh vực: Cải cách thể chế", "Căn cứ: Nghị định số 30/2020/NĐ-CP", "Điểm: 20",
        "Câu 2. Thế nào là dịch vụ công trực tuyến toàn trình?",
        "Gợi ý trả lời: Là dịch vụ bảo đảm cung cấp toàn bộ thông tin về thủ tục hành chính.",
        "- Lợi ích: tiết kiệm thời gian, chi phí.",
        "Câu hỏi phụ: Dịch vụ công trực tuyến một phần khác ở điểm nào?",
        "Đáp án câu hỏi phụ: Có ít nhất một bước thực hiện trực tiếp.",
        "Điểm câu hỏi phụ: 10",
        "CÂU HỎI 3 (20 điểm): Nêu sáu nội dung cải cách hành chính?",
        "Đáp án:", "Cải cách thể chế; cải cách thủ tục hành chính; …",
        "Câu hỏi phụ: Nội dung nào gắn với bộ phận một cửa?", "Đáp án: Cải cách thủ tục hành chính.",
        "Câu hỏi phụ 2 (5 điểm): Kể tên một thủ tục?", "Đáp án: Đăng ký khai sinh.",
    ])
    assert result.rejected == []
    (n1, q1), (n2, q2), (n3, q3) = result.questions
    assert (n1, q1.kind, q1.answer, len(q1.choices), q1.field, q1.basis, q1.points, q1.office) == \
        (1, "choice", "A", 4, "Cải cách thể chế", "Nghị định số 30/2020/NĐ-CP", Decimal(20),
         "Phòng Nội vụ")
    assert q1.text == "Văn bản nào quy định về công tác văn thư hiện hành?"
    assert (n2, q2.kind) == (2, "open")
    assert q2.answer.endswith("\n- Lợi ích: tiết kiệm thời gian, chi phí.")
    assert [(f.text, f.answer, f.points) for f in q2.follow_ups] == [
        ("Dịch vụ công trực tuyến một phần khác ở điểm nào?",
         "Có ít nhất một bước thực hiện trực tiếp.", Decimal(10))]
    assert (n3, q3.points, q3.answer) == (3, Decimal(20), "Cải cách thể chế; cải cách thủ tục hành chính; …")
    assert [(f.answer, f.points) for f in q3.follow_ups] == \
        [("Cải cách thủ tục hành chính.", None), ("Đăng ký khai sinh.", Decimal(5))]


@pytest.mark.parametrize("style", ["b", "u", "h"])
def test_the_answer_marked_by_bold_underline_or_highlight(style):
    result = read([
        "Câu 1: Thời hạn giải quyết là bao lâu?",
        [("A. ", ""), ("3 ngày", "")], [("B. 5 ngày", style)], "C. 7 ngày", "D. 10 ngày",
    ])
    assert [(q.answer, q.choices[1]) for _, q in result.questions] == [("B", "5 ngày")]


@pytest.mark.parametrize("third", ["C. 2020", "C. UBND", "C) HĐND", "C. XII"])
def test_choices_in_capitals_or_figures_are_choices_not_roman_sections(third):
    """"C. 2020" or "C. UBND" inside a question is option C, not section C (100)."""
    result = read([
        "II. LĨNH VỰC CẢI CÁCH THỂ CHẾ",
        "Câu 1: Năm nào?", "A. 2017", "B. 2019", third, "Đáp án: B",
        "Câu 2: Cơ quan nào?", "A. Sở Nội vụ", [("B. 2019", "b")], third, "D. 2022",
    ])
    assert result.rejected == []
    (_, q1), (_, q2) = result.questions
    assert (len(q1.choices), q1.answer, q1.choices[2]) == (3, "B", third[3:])
    assert (len(q2.choices), q2.answer, q2.choices[2:]) == (4, "B", (third[3:], "2022"))
    assert q1.field == q2.field == "Cải cách thể chế"


def test_written_answer_wins_over_marks_and_all_bold_marks_nothing():
    result = read([
        "Câu 1: Hỏi một?", [("A. Có", "b")], "B. Không", "Đáp án: B",
        "Câu 2: Hỏi hai?", [("A. Có", "b")], [("B. Không", "b")],
        "Câu 3: Hỏi ba?", "A. Có", "B. Không",
    ])
    assert [(n, q.answer) for n, q in result.questions] == [(1, "B")]
    assert [(r.row, r.reason) for r in result.rejected] == [(2, "Câu 2: thiếu đáp án"),
                                                            (3, "Câu 3: thiếu đáp án")]


def test_choices_two_per_line_and_a_section_heading_sets_the_field():
    result = read([
        "I. LĨNH VỰC CẢI CÁCH TÀI CHÍNH CÔNG",
        "Câu 5: Ngân sách được lập mấy năm một lần?", "A. 1 năm\tB. 3 năm", "C. 5 năm\tD. 10 năm",
        "Đáp án: phương án a",
        "II. LĨNH VỰC CHÍNH PHỦ SỐ",
        "Câu 6: Chính phủ số là gì?", "Đáp án: Chính phủ vận hành trên dữ liệu số.",
    ])
    assert [(n, q.choices, q.answer, q.field) for n, q in result.questions] == [
        (5, ("1 năm", "3 năm", "5 năm", "10 năm"), "A", "Cải cách tài chính công"),
        (6, (), "Chính phủ vận hành trên dữ liệu số.", "Chính phủ số")]


def test_bad_questions_are_rejected_with_their_number():
    result = read([
        "Câu 1: Có đáp án?", "Đáp án: Có.",
        "Câu 2: Không có đáp án?",
        "Câu 3: Đáp án không có?", "A. x", "B. y", "Đáp án: E",
        "Câu 4:", "Đáp án: Không có câu hỏi.",
        "Câu 5: Điểm lạ?", "Đáp án: x", "Điểm: nhiều",
        "Câu 6: Câu hỏi phụ thiếu đáp án?", "Đáp án: x", "Câu hỏi phụ: Hỏi thêm?",
        "Câu 7: " + TCVN3, "§¸p ¸n: Cã",
    ])
    assert [n for n, _ in result.questions] == [1]
    reasons = {r.row: r.reason for r in result.rejected}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert reasons[2] == "Câu 2: thiếu đáp án"
    assert "'E'" in reasons[3]
    assert "thiếu nội dung câu hỏi" in reasons[4]
    assert "điểm 'nhiều'" in reasons[5]
    assert "câu hỏi phụ thiếu đáp án" in reasons[6]
    assert "TCVN3/VNI" in reasons[7]


def test_tables_are_read_like_a_sheet_and_layout_tables_like_paragraphs():
    layout = [["ỦY BAN NHÂN DÂN HUYỆN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
              ["Câu 1: Câu trong bảng trình bày?\nĐáp án: Có.", ""]]
    questions = [["STT", "Câu hỏi", "A", "B", "Đáp án", "Điểm"],
                 ["7", "Đúng hay sai?", "Đúng", "Sai", "B", "20,5"],
                 ["", "Không có đáp án?", "", "", "", ""],
                 ["9", "Tự luận?", "", "", "Trả lời.", ""]]
    result = read(["Danh sách câu hỏi"], tables=[layout, questions])
    assert [(n, q.kind, q.answer) for n, q in result.questions] == [
        (7, "choice", "B"), (9, "open", "Trả lời."), (1, "open", "Có.")]
    assert result.questions[0][1].points == Decimal("20.5")
    assert [(r.row, r.reason) for r in result.rejected] == [(2, "Câu 2: thiếu đáp án")]


def test_unnumbered_questions_labelled_cau_hoi():
    result = read(["Câu hỏi: Một?", "Đáp án: 1", "Câu hỏi: Hai?", "Trả lời: 2"])
    assert [(n, q.text, q.answer) for n, q in result.questions] == [(1, "Một?", "1"),
                                                                    (2, "Hai?", "2")]


def test_whole_file_errors():
    with pytest.raises(ContestError, match="không tìm thấy câu hỏi nào"):
        read(["Báo cáo kết quả công tác năm 2023", "Nội dung báo cáo…"])
    with pytest.raises(ContestError, match="TCVN3/VNI"):
        read(["C©u 1: " + TCVN3, "§¸p ¸n: Cã"][1:])
    with pytest.raises(ContestError, match="không phải tệp Word"):
        parse_file("cau-hoi.docx", make_xlsx([["Câu hỏi", "Đáp án"]]))
    with pytest.raises(ContestError, match="không phải tệp Word"):
        parse_file("cau-hoi.docx", b"%PDF-1.4 not a docx")
    with pytest.raises(ContestError, match=r"\.doc"):
        parse_file("cau-hoi.doc", b"\xd0\xcf\x11\xe0")
    data = make_docx(["Câu 1: Hỏi?", "Đáp án: Đáp."])
    with pytest.raises(ContestError, match="zip bomb"):
        parse_file("bom.docx", declare_size(data, "word/document.xml", 4_000_000_000))


def test_heading_alone_on_its_line_and_text_below():
    result = read(["Câu 12", "Nêu khái niệm thủ tục hành chính?", "(theo Luật)",
                   "Đáp án", "Là trình tự, cách thức thực hiện…", "Căn cứ:", "Nghị định 63/2010/NĐ-CP"])
    (number, q), = result.questions
    assert (number, q.text, q.answer, q.basis) == (
        12, "Nêu khái niệm thủ tục hành chính?\n(theo Luật)", "Là trình tự, cách thức thực hiện…",
        "Nghị định 63/2010/NĐ-CP")


def test_lower_case_choices_and_sub_questions_of_an_open_question():
    result = read([
        "Câu 1: Hồ sơ gồm mấy bộ?", "a) Một bộ", "b) Hai bộ", "c/ Ba bộ", "Đáp án: b",
        "Câu 2: Anh/chị hãy cho biết:", "a) Khái niệm thủ tục hành chính;", "b) Ví dụ.",
        "Đáp án: Thủ tục hành chính là trình tự, cách thức thực hiện…",
    ])
    (_, q1), (_, q2) = result.questions
    assert (q1.kind, q1.choices, q1.answer) == ("choice", ("Một bộ", "Hai bộ", "Ba bộ"), "B")
    assert q2.kind == "open" and q2.text.endswith("a) Khái niệm thủ tục hành chính;\nb) Ví dụ.")


def test_questions_inside_content_controls_are_read():
    import io

    import docx
    from docx.oxml import OxmlElement

    document = docx.Document(io.BytesIO(make_docx(["Câu 1: Trong khung?", "Đáp án: Có."])))
    body = document.element.body
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    sdt.append(content)
    paragraphs = body.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p")
    paragraphs[0].addprevious(sdt)
    for p in paragraphs:
        content.append(p)
    buffer = io.BytesIO()
    document.save(buffer)
    result = parse_file("sdt.docx", buffer.getvalue())
    assert [(n, q.answer) for n, q in result.questions] == [(1, "Có.")]


def test_word_automatic_numbering_of_questions_and_choices():
    from qb_builders import make_numbered_docx

    data = make_numbered_docx(
        [("Văn bản nào quy định về công tác văn thư?", "90"),
         ("Nghị định số 30/2020/NĐ-CP", "91"), ("Nghị định số 110/2004/NĐ-CP", "91"),
         ("Đáp án: A", None),
         ("Thời hạn giải quyết là bao lâu?", "90"),
         ("3 ngày", "92"), ("5 ngày", "92"), ("Đáp án: B", None),
         ("Câu không có đáp án?", "90")],
        lists={"90": ("decimal", "Câu %1:"), "91": ("upperLetter", "%1.")},
        instances={"90": ("90", None), "91": ("91", None), "92": ("91", 1)})
    result = parse_file("tu-dong.docx", data)
    assert [(n, q.text, q.choices, q.answer) for n, q in result.questions] == [
        (1, "Văn bản nào quy định về công tác văn thư?",
         ("Nghị định số 30/2020/NĐ-CP", "Nghị định số 110/2004/NĐ-CP"), "A"),
        (2, "Thời hạn giải quyết là bao lâu?", ("3 ngày", "5 ngày"), "B")]
    assert [(r.row, r.reason) for r in result.rejected] == [(3, "Câu 3: thiếu đáp án")]
