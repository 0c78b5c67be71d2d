"""Reading questions out of a Word file (.docx) as offices really write them.

Two shapes, in any mix, in document order:

- Paragraphs. "Câu 1:", "Câu 2.", "Câu hỏi 3:", "CÂU 4 (20 điểm):" start a question (its
  number is the one reported). Lines "A." .. "H." are the choices; the answer is on a
  "Đáp án:" line, or else is the one choice set in bold, underline or highlight. Labelled
  lines ("Lĩnh vực:", "Cơ quan soạn:", "Căn cứ:", "Điểm:", "Câu hỏi phụ:", "Đáp án câu hỏi
  phụ:", "Loại:") fill those fields; unlabelled lines continue the text, the answer or the
  basis above them. Labelled lines before the first question (and after a section heading
  such as "II. LĨNH VỰC TÀI CHÍNH") are defaults for the questions that follow.
- Tables with the same headers as the Excel template, read like a sheet; a row is numbered
  by its STT.

Word's automatic numbering ("Câu 1:" or "A." produced by a numbered list) is rendered as the
text the reader sees (:mod:`.numbering`).
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from docx.oxml.ns import qn

from contest.core.errors import ContestError
from contest.core.text import nfc

from .fields import choice_spans, fold_key
from .headers import find_header, header_field
from .legacy import LEGACY_MESSAGE, any_legacy
from .numbering import Numbering
from .result import ImportResult
from .rows import RowProblem, read_table, record_to_question, section_name
from .safezip import open_office_zip

_QUESTION = re.compile(
    r"^\s*c[aâ]u(?:\s+h[oỏ]i)?\s*(?:s[oố]\s*)?(\d{1,4})\s*(?:\(([^)]{0,300})\))?\s*"
    r"(?:[:.)\-–]\s*|$)", re.I)
_POINTS_NOTE = re.compile(r"^\s*\(?\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:điểm|đ)(?!\w)\s*\)?\s*[:.]?\s*",
                          re.I)
_POINTS_IN_LABEL = re.compile(r"\(\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:điểm|đ)\s*\)", re.I)
_SECTION_WORDS = re.compile(r"^[ivxlc]+ (?:linh vuc|phan|chu de)\b")
# "C. 2020", "D) UBND": an option inside a question, never the Roman-numbered section "C." (100)
_OPTION = re.compile(r"^[A-Ha-h]\s*[.)]\s")
_MULTI_LINE = ("text", "answer", "basis")
_SINGLE_LINE = ("field", "office", "points", "kind", "status", "key")
_DEFAULTS = ("field", "office", "basis")


@dataclass
class _Block:
    number: int
    lines: list[tuple[str, list[bool]]] = field(default_factory=list)  # the question text
    values: dict[str, list[str]] = field(default_factory=dict)  # other fields, by line
    follow_ups: int = 0
    target: str | None = "text"

    def add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def has(self, name: str) -> bool:
        return any(v.strip() for v in self.values.get(name, ()))


def _marked_letter(text: str, marks: list[bool]) -> str | None:
    """The single choice set apart by bold/underline/highlight, if exactly one is."""
    found = choice_spans(text)
    if found is None:
        return None
    _, spans = found

    if len(marks) != len(text):
        return None

    def all_marked(start: int, end: int) -> bool:
        flags = [marks[i] for i in range(start, end) if not text[i].isspace()]
        return bool(flags) and all(flags)

    whole = [letter for letter, start, end in spans if all_marked(start, end)]
    if len(whole) == 1 and len(spans) > 1:
        return whole[0]

    def letter_marked(letter: str, start: int) -> bool:
        i = start - 1
        while i > 0 and text[i].upper() != letter:
            i -= 1
        return marks[i]

    by_letter = [letter for letter, start, _ in spans if letter_marked(letter, start)]
    if len(by_letter) == 1 and len(spans) > 1:
        return by_letter[0]
    return None


class _Parser:
    """Walks the lines of the document and cuts them into question blocks."""

    def __init__(self) -> None:
        self.block: _Block | None = None
        self.defaults: dict[str, str] = {}
        self.questions: list = []
        self.rejected: list[tuple[int, str]] = []
        self.last_number = 0

    def line(self, text: str, marks: list[bool]) -> None:
        stripped = text.strip()
        if not stripped:
            return
        heading = _QUESTION.match(text)
        if heading:
            self.start(int(heading.group(1)))
            self.note(heading.group(2) or "")
            rest_at = heading.end()
            points = _POINTS_NOTE.match(text[rest_at:])
            if points and points.group(0).strip():
                self.block.add("points", points.group(1))
                rest_at += points.end()
            if text[rest_at:].strip():
                self.block.lines.append((text[rest_at:], marks[rest_at:]))
            return
        section = section_name(stripped)
        folded = fold_key(stripped)
        if section is not None and self.block is not None and _OPTION.match(stripped) \
                and not _SECTION_WORDS.match(folded):
            section = None
        if section is not None and (self.block is None or stripped.isupper()
                                    or _SECTION_WORDS.match(folded)):
            self.finish()
            if "linh vuc" in folded or "chu de" in folded:
                self.defaults["field"] = section
            return
        if self.label(stripped):
            return
        if self.block is None or self.block.target is None:
            return  # the title and other text around the questions
        if self.block.target == "text":
            self.block.lines.append((text, marks))
        else:
            self.block.add(self.block.target, stripped)

    def note(self, note: str) -> None:
        """The note after a question number: "(20 điểm)", "(Lĩnh vực: X; 20 điểm)"."""
        for part in note.split(";"):
            points = _POINTS_NOTE.fullmatch(part)
            label, sep, value = part.partition(":")
            name = header_field(label) if sep else None
            if points:
                self.block.add("points", points.group(1))
            elif name in _DEFAULTS or name == "points":
                self.block.add(name, value.strip())

    def label(self, line: str) -> bool:
        """Handle "Label: value"; False when the line is not a known label."""
        label, sep, value = line.partition(":")
        if not sep:
            label, value = line, ""
            if len(line) > 40 or "/" in line or "(" in line:
                return False
        name = header_field(label) if len(label) <= 60 else None
        if name is None or name.startswith("choice_") or name == "number":
            return False
        value = value.strip()
        points = _POINTS_IN_LABEL.search(label)
        block = self.block
        if block is None or (name == "text" and block.lines and block.has("answer")):
            if name == "text":
                self.start(self.last_number + 1)
                self.block.lines.append((value, [False] * len(value)))
            elif name in _DEFAULTS and value:
                self.defaults[name] = value
            return True
        if name == "answer" and (block.target or "").startswith("fu_text_"):
            name = "fu_answer_" + block.target.rsplit("_", 1)[1]  # "Đáp án:" under a follow-up
        elif name.startswith("fu_"):
            kind, n = name.rsplit("_", 1)
            explicit = bool(re.search(r"\d$", fold_key(re.sub(r"\([^)]*\)", " ", label))))
            if kind == "fu_text" and not explicit:
                block.follow_ups += 1
                number = block.follow_ups
            else:
                number = int(n) if explicit else max(block.follow_ups, 1)
                block.follow_ups = max(block.follow_ups, number)
            name = f"{kind}_{number}"
            if points and kind == "fu_text":
                block.add(f"fu_points_{number}", points.group(1))
        elif points and name == "text":
            block.add("points", points.group(1))
        if name == "text":
            block.target = "text"
            if value:
                block.lines.append((value, [False] * len(value)))
            return True
        if value:
            block.add(name, value)
        if name in _MULTI_LINE or name.startswith(("fu_text", "fu_answer")):
            block.target = name
        return True

    def start(self, number: int) -> None:
        self.finish()
        self.block = _Block(number)
        self.last_number = number

    def finish(self) -> None:
        block, self.block = self.block, None
        if block is None:
            return
        text = "\n".join(t for t, _ in block.lines)
        marks: list[bool] = []
        for i, (_, m) in enumerate(block.lines):
            marks.extend(m + ([False] if i + 1 < len(block.lines) else []))
        record = {name: ("\n" if name in _MULTI_LINE or name.startswith("fu_") else " ")
                  .join(values) for name, values in block.values.items()}
        record["text"] = text
        for name in _DEFAULTS:
            if not record.get(name):
                record[name] = self.defaults.get(name, "")
        marked = None if record.get("answer") else _marked_letter(text, marks)
        try:
            self.questions.append((block.number, record_to_question(
                record, f"Câu {block.number}", marked=marked)))
        except RowProblem as problem:
            self.rejected.append((block.number, problem.message))


def _paragraph_lines(paragraph, numbering: Numbering) -> list[tuple[str, list[bool]]]:
    """The lines of a paragraph (split at line breaks), each with a flag per character telling
    whether it is bold, underlined or highlighted; Word's automatic number comes first."""
    from docx.text.run import Run

    label = numbering.label(paragraph._p)
    text_parts: list[str] = [label + " "] if label else []
    marks: list[bool] = [False] * (len(label) + 1) if label else []
    for r in paragraph._p.xpath(".//w:r"):
        run = Run(r, paragraph)
        piece = nfc(run.text)
        if not piece:
            continue
        marked = bool(run.bold or run.underline or run.font.highlight_color)
        text_parts.append(piece)
        marks.extend([marked] * len(piece))
    text = "".join(text_parts)
    lines = []
    start = 0
    for part in text.split("\n"):
        lines.append((part, marks[start:start + len(part)]))
        start += len(part) + 1
    return lines


def _blocks(element, parent) -> Iterator:
    """The paragraphs and tables of the body in order, including those inside content
    controls (w:sdt), which python-docx's own iterator passes over."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _blocks(content, parent)


def read_docx(data: bytes, filename: str) -> ImportResult:
    """Read the questions of a Word file; raise ContestError for a bad file."""
    open_office_zip(data, filename, what="Word (.docx)", required="word/document.xml",
                    old_format="là tệp Word 97-2003 (.doc) hoặc tệp được đặt mật khẩu; hãy mở "
                               "bằng Word, bỏ mật khẩu nếu có và lưu lại dạng .docx").close()
    import docx

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            document = docx.Document(io.BytesIO(data))
            items = list(_blocks(document.element.body, document._body))
    except Exception as exc:  # a corrupt document, whatever the library trips on
        raise ContestError(f"Tệp '{filename}': tệp Word bị hỏng, không đọc được "
                           f"({type(exc).__name__})", field="file", code="bad_file") from None
    result = ImportResult()
    parser = _Parser()
    numbering = Numbering(document)
    all_text: list[str] = []
    tables = 0
    for item in items:
        if item._element.tag == qn("w:p"):
            for text, marks in _paragraph_lines(item, numbering):
                all_text.append(text)
                parser.line(text, marks)
            continue
        rows, cells_seen, paragraphs = [], set(), []
        for number, row in enumerate(item.rows, start=1):
            cells = []
            for cell in row.cells:
                cells.append(cell.text)
                if id(cell._tc) not in cells_seen:
                    cells_seen.add(id(cell._tc))
                    paragraphs.extend(cell.paragraphs)
            rows.append((number, cells))
            all_text.extend(cells)
        header = find_header([cells for _, cells in rows])
        if header is None:  # a layout table: read the paragraphs inside it
            for paragraph in paragraphs:
                for text, marks in _paragraph_lines(paragraph, numbering):
                    parser.line(text, marks)
            continue
        parser.finish()
        tables += 1
        table_no = tables

        def where(n: int, table_no: int = table_no) -> str:
            return f"Bảng {table_no}, câu {n}" if table_no > 1 else f"Câu {n}"

        result.add(*read_table(rows, header, where, number_from_stt=True))
    parser.finish()
    result.add(parser.questions, parser.rejected)
    if not result.total():
        if any_legacy(*all_text):
            raise ContestError(f"Tệp '{filename}': {LEGACY_MESSAGE}", field="file",
                               code="legacy_encoding")
        raise ContestError(f"Tệp '{filename}': không tìm thấy câu hỏi nào (mỗi câu bắt đầu "
                           "bằng 'Câu 1:', 'Câu 2:'..., hoặc một bảng có cột 'Câu hỏi' và "
                           "'Đáp án')", field="file", code="no_questions")
    return result
