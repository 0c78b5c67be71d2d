"""The template, the bank export (formula-safe) and the jury's booklet."""

from __future__ import annotations

import io
from decimal import Decimal

import docx
import openpyxl
from docx.shared import Pt
from hypothesis import given, settings
from hypothesis import strategies as st
from qb_builders import FollowUp, QuestionData, make_question

from question_bank.core.booklet import booklet_docx
from question_bank.core.export import EXAMPLES, HEADER_ROW, export_xlsx, template_xlsx
from question_bank.core.importing import parse_file

DANGEROUS = '=HYPERLINK("http://x","y")'


def test_template_has_title_headers_example_widths_and_notes():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = book["Câu hỏi"]
    assert sheet["A1"].value == "MẪU NHẬP CÂU HỎI HỘI THI"
    assert "A1:" in str(sheet.merged_cells)
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers[:4] == ["STT", "Loại", "Câu hỏi", "Phương án A"]
    assert "Đáp án / Gợi ý trả lời" in headers and "Văn bản căn cứ" in headers
    assert sheet.column_dimensions["C"].width >= 40
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    notes = book["Hướng dẫn"]
    explained = [notes.cell(row=r, column=1).value for r in range(5, notes.max_row + 1)]
    assert "Câu hỏi" in explained and "Điểm câu hỏi phụ" in explained


def test_template_round_trip_reads_its_examples():
    result = parse_file("mau-cau-hoi.xlsx", template_xlsx())
    assert result.rejected == []
    assert [q for _, q in result.questions] == list(EXAMPLES)
    assert [row for row, _ in result.questions] == [HEADER_ROW + 1, HEADER_ROW + 2]
    assert {q.kind for q in EXAMPLES} == {"open", "choice"}


def test_export_escapes_formula_text_and_reads_back_unchanged():
    questions = [
        make_question(DANGEROUS, answer="+84 901 234 567", key="q1", status="approved"),
        make_question("Hỏi?", answer="-Ý một\n-Ý hai", basis="@Luật", field="=1+1", key="q2"),
        make_question("Chọn?", choices=("=A1", "@B", "Bình thường", "'trích dẫn"), answer="C",
                      points=Decimal("7.5"), key="q3", status="used",
                      follow_ups=(FollowUp("-Hỏi thêm?", "+Đáp", Decimal(10)),)),
    ]
    data = export_xlsx(questions)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in sheet.iter_rows(min_row=HEADER_ROW + 1) for c in row
             if isinstance(c.value, str)]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not any(c.value.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert f"'{DANGEROUS}" in [c.value for c in cells]
    assert sheet.cell(row=HEADER_ROW + 3, column=[c.value for c in sheet[HEADER_ROW]]
                      .index("Điểm") + 1).value == 7.5
    result = parse_file("ngan-hang.xlsx", data)
    assert result.rejected == []
    assert [q for _, q in result.questions] == questions


_text = st.text(st.sampled_from("=+-@' \tAaĂăĐđỆệ?.,0123456789\n"), min_size=1, max_size=12) \
    .filter(lambda s: s.strip() and s.strip() == s)
_points = st.none() | st.decimals(min_value=0, max_value=100, places=1)


@st.composite
def bank_questions(draw):
    n_choices = draw(st.sampled_from([0, 2, 4, 6]))
    choices = tuple(draw(_text) for _ in range(n_choices))
    kind = "choice" if choices else "open"
    answer = draw(st.sampled_from("ABCDEF"[:n_choices])) if choices else draw(_text)
    follow_ups = tuple(FollowUp(draw(_text), draw(_text), draw(_points))
                       for _ in range(draw(st.integers(0, 2))))
    return QuestionData(kind=kind, text=draw(_text), answer=answer, choices=choices,
                        field=draw(_text), office=draw(_text), basis=draw(_text),
                        points=draw(_points), follow_ups=follow_ups,
                        key=f"q{draw(st.integers(1, 999))}",
                        status=draw(st.sampled_from(["submitted", "approved", "rejected", "used"])))


@settings(max_examples=15, deadline=None)
@given(st.lists(bank_questions(), min_size=1, max_size=4))
def test_export_then_import_is_the_identity(questions):
    result = parse_file("bank.xlsx", export_xlsx(questions))
    assert result.rejected == []
    assert [q for _, q in result.questions] == questions


def _booklet_text(data: bytes) -> tuple[object, str]:
    document = docx.Document(io.BytesIO(data))
    return document, "\n".join(p.text for p in document.paragraphs)


def test_booklet_layout_and_content():
    questions = list(EXAMPLES)
    document, text = _booklet_text(booklet_docx("Bộ câu hỏi hội thi", questions))
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.left_margin, section.right_margin,
             section.top_margin)
    assert [round(x.mm) for x in sizes] == [210, 297, 30, 15, 20]
    normal = document.styles["Normal"].font
    assert (normal.name, normal.size) == ("Times New Roman", Pt(13))
    assert text.startswith("BỘ CÂU HỎI HỘI THI")
    assert "Câu 1 (Lĩnh vực: Cải cách hành chính chung; Cơ quan soạn: Phòng Nội vụ; 20 điểm)." in text
    assert "A. Nghị định số 30/2020/NĐ-CP" in text and "D. Thông tư số 01/2011/TT-BNV" in text
    assert "Đáp án: A. Nghị định số 30/2020/NĐ-CP" in text
    assert "Câu hỏi phụ (10 điểm): Chương trình gồm mấy nội dung cải cách?" in text
    assert "Căn cứ: Nghị quyết số 76/NQ-CP ngày 15/7/2021" in text
    assert "PAGE" in document.sections[0].footer._element.xml


def test_booklet_without_answers_hides_every_answer():
    _, text = _booklet_text(booklet_docx("Đề thi", list(EXAMPLES), with_answers=False))
    assert "Đáp án" not in text and "Sáu nội dung" not in text
    assert "Câu hỏi phụ (10 điểm)" in text and "C. Luật Lưu trữ năm 2011" in text


def test_booklet_reads_back_as_a_word_file_of_questions():
    questions = list(EXAMPLES) + [make_question("Dòng một?\nDòng hai?", answer="Ý 1\nÝ 2",
                                                points=Decimal("7.5"))]
    result = parse_file("booklet.docx", booklet_docx("Bộ câu hỏi", questions))
    assert result.rejected == []
    assert [q for _, q in result.questions] == questions
