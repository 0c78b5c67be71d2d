"""The printable question booklet for the jury (and, without answers, for rehearsals).

A4 portrait, margins of an administrative document (top and bottom 20 mm, left 30 mm,
right 15 mm), Times New Roman 13 pt, page numbers at the bottom. Each question is numbered
("Câu 1.") with its field, office and points, the choices of a multiple-choice question,
then, with answers, the answer (for a choice question, the letter and the choice's text),
the follow-up questions with their answers, and the legal basis.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from contest.core.text import format_number

from .model import LETTERS, QuestionData

FONT = "Times New Roman"
SIZE = Pt(13)


def _points(value) -> str:
    return f"{format_number(value)} điểm" if value is not None else ""


def _setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = SIZE
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    style.paragraph_format.space_after = Pt(3)
    style.paragraph_format.line_spacing = 1.1
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), tag)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _lines(document, text: str, *, lead: str = "", bold_lead: bool = True,
           indent: float = 0, italic: bool = False) -> list:
    """A paragraph per line of ``text``, the first one starting with ``lead``."""
    paragraphs = []
    for i, line in enumerate(text.split("\n") or [""]):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            paragraph.paragraph_format.left_indent = Mm(indent)
        if i == 0 and lead:
            paragraph.add_run(lead).bold = bold_lead
        run = paragraph.add_run(line)
        run.italic = italic
        paragraphs.append(paragraph)
    return paragraphs


def booklet_docx(title: str, questions: list[QuestionData], with_answers: bool = True) -> bytes:
    """The booklet as .docx bytes; ``with_answers=False`` leaves out every answer."""
    document = Document()
    _setup(document)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title.upper())
    run.bold = True
    run.font.size = Pt(14)
    note = document.add_paragraph()
    note.alignment = WD_ALIGN_PARAGRAPH.CENTER
    note.add_run(f"({len(questions)} câu hỏi – "
                 f"{'có đáp án, dành cho Ban Giám khảo' if with_answers else 'không kèm đáp án'})"
                 ).italic = True
    for number, q in enumerate(questions, start=1):
        meta = [part for part in (q.field and f"Lĩnh vực: {q.field}",
                                  q.office and f"Cơ quan soạn: {q.office}",
                                  _points(q.points)) if part]
        lead = f"Câu {number}" + (f" ({'; '.join(meta)})" if meta else "") + ". "
        paragraphs = _lines(document, q.text, lead=lead)
        paragraphs[0].paragraph_format.space_before = Pt(9)
        for paragraph in paragraphs:
            paragraph.paragraph_format.keep_with_next = True
        for i, choice in enumerate(q.choices):
            _lines(document, choice, lead=f"{LETTERS[i]}. ", indent=8, bold_lead=False)
        if with_answers:
            if q.kind == "choice":
                _lines(document, f"{q.answer}. {q.choice_text()}", lead="Đáp án: ")
            else:
                _lines(document, q.answer, lead="Đáp án / Gợi ý trả lời: ")
        for i, follow_up in enumerate(q.follow_ups, start=1):
            label = "Câu hỏi phụ" + (f" {i}" if len(q.follow_ups) > 1 else "")
            points = _points(follow_up.points)
            _lines(document, follow_up.text,
                   lead=f"{label}{f' ({points})' if points else ''}: ", indent=5)
            if with_answers:
                _lines(document, follow_up.answer, lead="Đáp án: ", indent=5)
        if q.basis:
            _lines(document, q.basis, lead="Căn cứ: ", italic=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
