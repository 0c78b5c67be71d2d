"""Turning the rows of a question table (an Excel sheet, a Word table) or the fields of a Word
question block into questions, or into the reason a person can act on.

A *record* is a mapping from the field names of :mod:`.headers` to the raw text of a cell.
:func:`record_to_question` reads one; :func:`read_table` reads a whole table under its header,
skipping blank rows and section headings ("I. LĨNH VỰC NỘI VỤ", whose name then fills the
field of the rows below that have none) and never dropping a row that has content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal

from contest.core.errors import ContestError
from contest.core.rules import KEY_RE
from contest.core.text import format_number

from .fields import answer_letter, parse_kind, parse_status, split_choices, unescape_cell
from .headers import Header
from .legacy import LEGACY_MESSAGE, any_legacy
from .model import (LETTERS, MAX_BASIS, MAX_CHOICE, MAX_FOLLOW_UPS, MAX_POINTS, MAX_SHORT,
                    MAX_TEXT, FollowUp, QuestionData, clean_text, parse_points,
                    question_from_dict, question_to_dict)

COLUMN_NAMES = {
    "number": "STT", "key": "Mã", "kind": "Loại", "status": "Trạng thái", "text": "Câu hỏi",
    "answer": "Đáp án", "field": "Lĩnh vực", "office": "Cơ quan soạn", "basis": "Căn cứ",
    "points": "Điểm", **{f"choice_{x}": f"Phương án {x}" for x in LETTERS},
}
for _n in range(1, MAX_FOLLOW_UPS + 1):
    _s = "" if _n == 1 else f" {_n}"
    COLUMN_NAMES.update({f"fu_text_{_n}": f"Câu hỏi phụ{_s}",
                         f"fu_answer_{_n}": f"Đáp án câu hỏi phụ{_s}",
                         f"fu_points_{_n}": f"Điểm câu hỏi phụ{_s}"})

_CONTENT_PREFIXES = ("text", "answer", "choice_", "fu_text", "fu_answer", "basis")
_HEADING = re.compile(r"^(?:[IVXLC]{1,6}[.)/]\s*|(?:phần|lĩnh vực|chủ đề)\b)", re.I)
_FIELD_PREFIX = re.compile(r"^(?:lĩnh vực|chủ đề|nhóm)\s*[:\-–]?\s*", re.I)


class RowProblem(ContestError):
    """A row (or a Word question) that cannot be read; the message names it."""

    code = "bad_row"


def _max_len(name: str) -> int:
    if name.startswith("choice_"):
        return MAX_CHOICE
    if name == "basis":
        return MAX_BASIS
    if name in ("field", "office", "key", "kind", "status", "number", "points") \
            or name.startswith("fu_points"):
        return MAX_SHORT
    return MAX_TEXT


def _clean(record: dict[str, str]) -> dict[str, str]:
    return {name: clean_text(unescape_cell(value or "")) for name, value in record.items()}


def _q(value: str, limit: int = 60) -> str:
    """A value quoted in a message, shortened: a reason stays one readable line."""
    value = " ".join(value.split())
    return f"'{value if len(value) <= limit else value[:limit - 1] + '…'}'"


def _points(value: str, where: str, label: str) -> Decimal | None:
    try:
        return parse_points(value)
    except ValueError:
        raise RowProblem(f"{where}: {label} {_q(value)} không hợp lệ (ghi một số từ 0 đến "
                         f"{MAX_POINTS}, ví dụ 20 hoặc 20,5)") from None


def record_to_question(record: dict[str, str], where: str, *, default_field: str = "",
                       marked: str | None = None) -> QuestionData:
    """Read one question from a record; raise :class:`RowProblem` naming ``where`` ("Dòng 7").

    ``marked`` is the letter a Word file marks as right (bold or underlined) when no answer is
    written. Choices come from the choice columns or, failing that, from "A." / "B." lines in
    the question text; with neither, the question is open.
    """
    r = _clean(record)
    for name, value in r.items():
        limit = _max_len(name)
        if len(value) > limit:
            raise RowProblem(f"{where}: ô '{COLUMN_NAMES.get(name, name)}' dài "
                             f"{format_number(len(value))} ký tự, tối đa {format_number(limit)}")
    if any_legacy(*r.values()):
        raise RowProblem(f"{where}: {LEGACY_MESSAGE}", code="legacy_encoding")
    try:
        kind = parse_kind(r.get("kind", ""))
    except ValueError:
        raise RowProblem(f"{where}: loại câu hỏi {_q(r['kind'])} không rõ "
                         "(ghi 'Tự luận' hoặc 'Trắc nghiệm')") from None
    text = r.get("text", "")
    if not text:
        raise RowProblem(f"{where}: thiếu nội dung câu hỏi")
    columns = [r.get(f"choice_{x}", "") for x in LETTERS]
    while columns and not columns[-1]:
        columns.pop()
    if "" in columns:
        gap = LETTERS[columns.index("")]
        raise RowProblem(f"{where}: phương án {gap} để trống trong khi có phương án sau nó")
    choices = tuple(columns)
    if kind == "open" and choices:
        raise RowProblem(f"{where}: câu hỏi tự luận nhưng lại có các phương án lựa chọn")
    answer = r.get("answer", "") or (marked or "")
    if not answer:
        raise RowProblem(f"{where}: thiếu đáp án")
    if not choices and kind != "open":
        inside = split_choices(text)
        if inside is not None:
            stem, found = inside
            if kind == "choice" or answer_letter(answer, found) is not None:
                text, choices = stem, found
    if choices:
        letter = answer_letter(answer, choices)
        if letter is None:
            raise RowProblem(f"{where}: không đọc được đáp án {_q(answer)}: hãy ghi một chữ cái "
                             f"A–{LETTERS[len(choices) - 1]}")
        if letter not in LETTERS[:len(choices)]:
            raise RowProblem(f"{where}: đáp án '{letter}' không có trong các phương án "
                             f"A–{LETTERS[len(choices) - 1]}")
        if len(choices) < 2:
            raise RowProblem(f"{where}: câu hỏi trắc nghiệm cần ít nhất 2 phương án")
        answer, kind = letter, "choice"
    elif kind == "choice":
        raise RowProblem(f"{where}: câu hỏi trắc nghiệm cần ít nhất 2 phương án "
                         "(các cột Phương án A, B, ... hoặc các dòng 'A.', 'B.' trong câu hỏi)")
    else:
        kind = "open"
    follow_ups = []
    for n in range(1, MAX_FOLLOW_UPS + 1):
        fu_text, fu_answer = r.get(f"fu_text_{n}", ""), r.get(f"fu_answer_{n}", "")
        fu_points_raw = r.get(f"fu_points_{n}", "")
        if not (fu_text or fu_answer):
            continue
        label = "câu hỏi phụ" if n == 1 else f"câu hỏi phụ {n}"
        if not fu_text:
            raise RowProblem(f"{where}: có đáp án nhưng thiếu nội dung {label}")
        if not fu_answer:
            raise RowProblem(f"{where}: {label} thiếu đáp án")
        follow_ups.append(FollowUp(fu_text, fu_answer,
                                   _points(fu_points_raw, where, f"điểm {label}")))
    try:
        status = parse_status(r.get("status", "")) or "submitted"
    except ValueError:
        raise RowProblem(f"{where}: trạng thái {_q(r['status'])} không rõ") from None
    key = r.get("key") or None
    if key is not None and not KEY_RE.match(key):
        raise RowProblem(f"{where}: mã câu hỏi {_q(key)} không hợp lệ (chữ không dấu, số, "
                         "'-', '_' hoặc '.')")
    question = QuestionData(kind=kind, text=text, answer=answer, choices=choices,
                            field=r.get("field", "") or default_field,
                            office=r.get("office", ""), basis=r.get("basis", ""),
                            points=_points(r.get("points", ""), where, "điểm"),
                            follow_ups=tuple(follow_ups), key=key, status=status)
    try:  # the document's own rules, so an imported question always exports cleanly
        return question_from_dict(question_to_dict(question))
    except ContestError as exc:
        raise RowProblem(f"{where}: {exc.message.split(': ', 1)[-1]}") from None


def section_name(value: str) -> str | None:
    """The name of a section heading ("II. LĨNH VỰC TÀI CHÍNH" → "Tài chính"), or None."""
    match = _HEADING.match(value)
    if not match or len(value) > 150 or value.rstrip().endswith(("?", ":")):
        return None
    name = value[match.end():] if match.group(0).strip()[-1] in ".)/" else value
    name = _FIELD_PREFIX.sub("", name.strip()).strip(" :.-–")
    if name.isupper():
        name = name[:1] + name[1:].lower()
    return name or None


def _heading(cells: dict[str, str]) -> str | None:
    """The name of a section heading row, or None for any other row."""
    filled = {n: v for n, v in cells.items() if v}
    if len(filled) != 1 or next(iter(filled)) not in ("text", "number"):
        return None
    return section_name(next(iter(filled.values())))


def read_table(rows: Sequence[tuple[int, Sequence[str]]], header: Header,
               where: Callable[[int], str], *, number_from_stt: bool = False
               ) -> tuple[list[tuple[int, QuestionData]], list[tuple[int, str]]]:
    """Read the rows below ``header``: ([(row number, question)], [(row number, reason)]).

    ``rows`` are (row number, cell texts). With ``number_from_stt`` (Word tables) the number
    reported for a row is its STT when that is a whole number, else its place in the table.
    """
    questions: list[tuple[int, QuestionData]] = []
    rejected: list[tuple[int, str]] = []
    section = ""
    has_field = "field" in header.fields()
    ordinal = 0
    for number, cells in rows[header.row + 1:]:
        record = {name: (cells[col] if col < len(cells) and cells[col] is not None else "")
                  for col, name in header.columns.items()}
        cleaned = {n: v.strip() for n, v in record.items()}
        heading = _heading(cleaned)
        if heading is not None:
            if not has_field:
                section = heading
            continue
        if not any(v for n, v in cleaned.items() if n.startswith(_CONTENT_PREFIXES)):
            continue
        ordinal += 1
        if number_from_stt:
            stt = cleaned.get("number", "")
            number = int(stt) if stt.isdigit() and len(stt) < 6 else ordinal
        try:
            questions.append((number, record_to_question(record, where(number),
                                                         default_field=section)))
        except RowProblem as problem:
            rejected.append((number, problem.message))
    return questions, rejected
