"""Reading the values people type into a cell or a line: answer letters, choices written
inside the question, the kind and status of a question, and the escaping that keeps a
spreadsheet from running text as a formula.

Pure string functions, shared by the Excel, Word and export code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from contest.core.text import fold, nfc

from .model import LETTERS

# Text starting with one of these is a formula (or DDE payload) to a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

KIND_WORDS = {
    "choice": ("choice", "trac nghiem", "lua chon", "nhieu lua chon", "chon dap an",
               "cau hoi trac nghiem"),
    "open": ("open", "tu luan", "hoi dap", "cau hoi mo", "tra loi ngan", "cau hoi tu luan",
             "van dap", "tra loi"),
}
STATUS_WORDS = {
    "submitted": ("submitted", "cho duyet", "da gui", "moi", "de xuat", "chua duyet"),
    "approved": ("approved", "da duyet", "duyet", "dong y"),
    "rejected": ("rejected", "khong duyet", "loai", "tu choi", "bi loai"),
    "used": ("used", "da dung", "da su dung", "da boc"),
}
KIND_LABELS = {"open": "Tự luận", "choice": "Trắc nghiệm"}
STATUS_LABELS = {"submitted": "Chờ duyệt", "approved": "Đã duyệt", "rejected": "Không duyệt",
                 "used": "Đã sử dụng"}

_NON_WORD = re.compile(r"[^0-9a-z]+")
_ANSWER_PREFIX = re.compile(
    r"^(?:(?:dap an|phuong an|pa|cau tra loi|tra loi|chon|lua chon)(?: dung)?(?: la)?"
    r"|dung(?: la)?)\s*[:.\-–=]?\s*")
_ANSWER_LETTER = re.compile(r"^[(\[]?([a-h])[)\].:,;/]?(?:\s.*)?$", re.S)
_SEVERAL_LETTERS = re.compile(r"^[a-h](?:\s*(?:,|;|/|\+|&|va|and|hoac)\s*[a-h])+\.?$")
# A choice marker: a letter A-H (or a-h) followed by ".", ")", ":" or "/" at a line start or
# after a blank, then a blank or the end: "A. 3 năm", "B) 5 năm", "c/ 7 năm".
_CHOICE_MARK = re.compile(r"(?:^|(?<=\s))([A-Ha-h])\s?[.):/](?=\s|$)", re.M)


def fold_key(text: str) -> str:
    """Lower case, no diacritics, words of letters and digits separated by one blank:
    "  Nội dung câu hỏi (*) " → "noi dung cau hoi"."""
    return _NON_WORD.sub(" ", fold(nfc(text))).strip()


def answer_letter(raw: str, choices: Sequence[str] = ()) -> str | None:
    """The letter a person meant by an answer: "B", " b ", "Đáp án: B", "phương án b", "B.",
    "(B)", "B. Nghị định 30/2020"; or the letter of the choice whose text the answer repeats.

    The letter is returned even when there is no such choice (the caller says so); None when
    the answer does not name a letter at all.
    """
    text = fold(nfc(raw)).strip()
    if not text:
        return None
    for _ in range(3):
        stripped = _ANSWER_PREFIX.sub("", text, count=1).strip()
        if stripped == text:
            break
        text = stripped
    if _SEVERAL_LETTERS.match(text):
        return None  # "A, C": a single right answer is expected
    match = _ANSWER_LETTER.match(text)
    if match:
        return match.group(1).upper()
    wanted = fold_key(raw)
    for i, choice in enumerate(choices):
        if wanted and fold_key(choice) == wanted:
            return LETTERS[i]
    return None


def choice_spans(text: str) -> tuple[int, list[tuple[str, int, int]]] | None:
    """Where the choices written inside a question are: "Câu hỏi?\\nA. x\\nB. y",
    "Câu hỏi? A. x  B. y  C. z" or "Câu hỏi?\\na) x\\nb) y".

    Returns (end of the stem, [(LETTER, start, end) of each choice's text]) when markers
    A., B., ... (or a., b., ...) follow each other in order (at least two) after a non-empty
    stem, else None.
    """
    found = list(_CHOICE_MARK.finditer(text))
    marks: list[re.Match] = []
    for letters in (LETTERS, LETTERS.lower()):  # "A. B. C." or else "a) b) c)"
        expected = 0
        marks = []
        for match in found:
            if expected < len(letters) and match.group(1) == letters[expected]:
                marks.append(match)
                expected += 1
        if len(marks) >= 2:
            break
    if len(marks) < 2 or not text[:marks[0].start()].strip():
        return None
    spans = []
    for i, match in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        spans.append((match.group(1).upper(), match.end(), end))
    if any(not text[start:end].strip() for _, start, end in spans):
        return None
    return marks[0].start(), spans


def split_choices(text: str) -> tuple[str, tuple[str, ...]] | None:
    """The stem and the choices written inside a question, or None (see :func:`choice_spans`)."""
    found = choice_spans(text)
    if found is None:
        return None
    stem_end, spans = found
    choices = tuple(" ".join(text[start:end].split()) for _, start, end in spans)
    return text[:stem_end].strip(), choices


def _name_of(raw: str, words_by_name: dict) -> str | None:
    key = fold_key(raw)
    if not key:
        return None
    for name, words in words_by_name.items():
        if key in words:
            return name
    raise ValueError(raw)


def parse_kind(raw: str) -> str | None:
    """"Trắc nghiệm" → "choice", "Tự luận" → "open", blank → None; ValueError otherwise."""
    return _name_of(raw, KIND_WORDS)


def parse_status(raw: str) -> str | None:
    """"Đã duyệt" → "approved" and so on; blank → None; ValueError otherwise."""
    return _name_of(raw, STATUS_WORDS)


def escape_cell(text: str) -> str:
    """Text safe to put in a spreadsheet cell: a leading = + - @ tab or CR gets a single quote
    in front so no program runs it as a formula (a leading quote is doubled, so that
    :func:`unescape_cell` gives back the original)."""
    if text and (text.startswith(FORMULA_STARTS) or text.startswith("'")):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """The inverse of :func:`escape_cell`, for reading back our own exports."""
    if len(text) > 1 and text[0] == "'" and (text[1] == "'" or text[1:].startswith(FORMULA_STARTS)):
        return text[1:]
    return text
