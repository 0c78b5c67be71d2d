"""Recognising the columns of a question table by their Vietnamese headers.

Offices name their columns in many ways ("Câu hỏi", "Nội dung câu hỏi", "NOI DUNG CAU HOI (*)",
"Đáp án/Gợi ý trả lời", "Phương án A" or just "A"). A header is compared by its
:func:`~.fields.fold_key` (no case, no diacritics, no punctuation), so the same names also
serve as the labels of the lines of a Word file ("Lĩnh vực: ...").

Field names: ``number``, ``key``, ``kind``, ``status``, ``text``, ``answer``, ``choice_A`` ..
``choice_H``, ``field``, ``office``, ``basis``, ``points``, and ``fu_text_N``,
``fu_answer_N``, ``fu_points_N`` for the N-th follow-up question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .fields import fold_key
from .model import LETTERS

ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("stt", "tt", "so tt", "so thu tu", "thu tu", "cau so", "so cau"),
    "key": ("ma", "ma cau hoi", "ma so", "key"),
    "kind": ("loai", "loai cau hoi", "hinh thuc", "dang cau hoi", "kieu cau hoi", "kind"),
    "status": ("trang thai", "tinh trang", "status"),
    "text": ("cau hoi", "noi dung cau hoi", "noi dung", "cau hoi chinh", "noi dung cau hoi chinh",
             "de bai", "cau hoi thi", "text", "question"),
    "answer": ("dap an", "dap an dung", "goi y tra loi", "dap an goi y tra loi",
               "dap an goi y", "goi y dap an", "goi y cham", "huong dan cham", "tra loi",
               "cau tra loi", "dap an cau hoi chinh", "dap an hoac goi y tra loi",
               "phuong an dung", "noi dung dap an", "noi dung tra loi", "dap an tra loi",
               "answer"),
    "field": ("linh vuc", "chu de", "linh vuc chu de", "nhom linh vuc", "field"),
    "office": ("co quan", "don vi soan", "co quan soan", "co quan soan cau hoi",
               "don vi soan cau hoi", "don vi", "don vi de xuat", "co quan de xuat",
               "don vi cung cap", "co quan cung cap", "nguoi soan", "office"),
    "basis": ("can cu", "van ban can cu", "can cu phap ly", "co so phap ly", "van ban",
              "nguon", "tai lieu tham khao", "van ban quy dinh", "basis"),
    "points": ("diem", "so diem", "thang diem", "diem toi da", "diem cau hoi chinh", "points"),
    "fu_text": ("cau hoi phu", "noi dung cau hoi phu"),
    "fu_answer": ("dap an cau hoi phu", "dap an phu", "goi y tra loi cau hoi phu",
                  "dap an goi y tra loi cau hoi phu", "tra loi cau hoi phu"),
    "fu_points": ("diem cau hoi phu", "diem phu"),
}
for _letter in LETTERS:
    _l = _letter.lower()
    ALIASES[f"choice_{_letter}"] = (_l, f"phuong an {_l}", f"dap an {_l}", f"lua chon {_l}",
                                    f"pa {_l}", f"cau {_l}", f"phuong an tra loi {_l}")

_LOOKUP = {alias: name for name, aliases in ALIASES.items() for alias in aliases}
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_TRAILING_NUMBER = re.compile(r"^(.*?)\s*(\d{1,2})$")
FOLLOW_UP_FIELDS = ("fu_text", "fu_answer", "fu_points")


def header_field(text: str) -> str | None:
    """The field a header (or a line label) names, or None.

    Parenthesised notes are ignored ("Điểm (số)"), and a number after a follow-up header
    picks the follow-up ("Câu hỏi phụ 2" → ``fu_text_2``).
    """
    if not text or len(text) > 80:
        return None
    for candidate in (text, _PAREN.sub(" ", text), text.split("/")[0], text.split("(")[0]):
        key = fold_key(candidate)
        if not key:
            continue
        if key in _LOOKUP:
            name = _LOOKUP[key]
            return f"{name}_1" if name in FOLLOW_UP_FIELDS else name
        numbered = _TRAILING_NUMBER.match(key)
        if numbered and _LOOKUP.get(numbered.group(1)) in FOLLOW_UP_FIELDS:
            n = int(numbered.group(2))
            if 1 <= n <= 5:
                return f"{_LOOKUP[numbered.group(1)]}_{n}"
    return None


@dataclass(frozen=True)
class Header:
    """The header of a table: where it is and which column holds which field."""

    row: int  # index in the scanned rows of the (last) header row
    columns: dict[int, str]  # column index → field name

    def fields(self) -> set[str]:
        return set(self.columns.values())


def _map_row(cells: Sequence[str]) -> dict[int, str]:
    columns: dict[int, str] = {}
    seen: set[str] = set()
    for col, cell in enumerate(cells):
        name = header_field(cell) if cell else None
        if name and name not in seen:
            columns[col] = name
            seen.add(name)
    return columns


def _is_header(columns: dict[int, str]) -> bool:
    names = set(columns.values())
    return "text" in names and len(names) >= 2


def find_header(rows: Sequence[Sequence[str]], scan: int = 30) -> Header | None:
    """The header among the first ``scan`` rows: the first row naming the question text and at
    least one other known column. A second header row right below (the letters A, B, C, D
    under a merged "Phương án trả lời") is merged into it.
    """
    for index, cells in enumerate(rows[:scan]):
        columns = _map_row(cells)
        if not _is_header(columns):
            continue
        if index + 1 < len(rows):
            below = rows[index + 1]
            extra = _map_row(below)
            text_col = next(c for c, n in columns.items() if n == "text")
            text_below = below[text_col] if text_col < len(below) else ""
            new = {c: n for c, n in extra.items()
                   if c not in columns and n not in columns.values()}
            if new and not text_below.strip():
                columns = {**columns, **new}
                return Header(row=index + 1, columns=columns)
        return Header(row=index, columns=columns)
    return None
