"""One cell of the contest workbook: the text a cell can carry, formula escaping, and the
codecs that turn a JSON value into a cell value and back.

Formula safety: a text cell whose value starts with ``= + - @ ' \\t \\r`` is written with one
apostrophe in front (``'=1+1``), which no spreadsheet executes; :func:`unescape` removes one
leading apostrophe on reading. Characters XML cannot carry become U+FFFD (:func:`safe_text`).
This module knows nothing of sheets or of the contest document.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from contest.core.text import fold

CELL_LIMIT = 32767          # Excel's limit on the characters of a cell
CHUNK = 32000               # JSON in _meta / _extra is split into cells of this size


class _Absent:
    def __repr__(self):
        return "ABSENT"


ABSENT = _Absent()          # a key the item does not have; an empty cell that means nothing

# --------------------------------------------------------------------------- cell text

_XML_BAD = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPE_FIRST = ("=", "+", "-", "@", "'", "\t", "\r")


def safe_text(s: str) -> str:
    """Text a cell can carry exactly: XML-legal characters, within Excel's cell limit."""
    s = _XML_BAD.sub("\ufffd", s)
    if len(s) > CELL_LIMIT - 1:
        s = s[:CELL_LIMIT - 1]
    return s


def escape(s: str) -> str:
    return "'" + s if s.startswith(_ESCAPE_FIRST) else s


def unescape(s: str) -> str:
    return s[1:] if s.startswith("'") else s


def hfold(value: Any) -> str:
    """A header or a code folded for matching: lower case, no diacritics, no punctuation."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(str(value))).split())


def json_text(value: Any) -> str:
    """Compact JSON for the hidden _meta and _extra cells, ASCII-escaped if XML cannot carry it."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if _XML_BAD.search(text):
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text


def chunks(text: str) -> list[str]:
    """Long text split over the following cells of a row."""
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]


# --------------------------------------------------------------------------- cell codecs


class BadCell(Exception):
    """A cell that cannot be read; the caller names the sheet, row and column."""


class Codec:
    """Turns a JSON value into one logical cell value and back."""

    blank: Any = ABSENT     # what an empty cell means

    def encode(self, value: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def decode(self, cell: Any) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def read(self, cell: Any) -> Any:
        if cell is None or cell == "":
            return self.blank
        return self.decode(cell)


def _cell_text(cell: Any) -> str:
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() and abs(cell) < 2 ** 53 else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


class _Str(Codec):
    """A codec written as text: any string, made safe for a cell."""

    def encode(self, value):
        return safe_text(value) if isinstance(value, str) else None


class Text(_Str):
    def __init__(self, blank: Any = ""):
        self.blank = blank

    def decode(self, cell):
        return _cell_text(cell)


class Key(_Str):
    """A code (key, reference): surrounding spaces are dropped; 7 typed as a number is '7'."""

    def decode(self, cell):
        text = _cell_text(cell).strip()
        return text if text else ABSENT


class Enum(_Str):
    """A code from a short list; Vietnamese words accepted; unknown text kept as typed."""

    def __init__(self, codes: tuple[str, ...], synonyms: dict[str, str] | None = None,
                 strict: bool = False):
        self.codes = codes
        self.map = {hfold(c): c for c in codes}
        for word, code in (synonyms or {}).items():
            self.map[hfold(word)] = code
        self.strict = strict

    def decode(self, cell):
        text = _cell_text(cell).strip()
        if not text:
            return ABSENT
        code = self.map.get(hfold(text))
        if code is not None:
            return code
        if self.strict:
            raise BadCell(f"'{text}' không hợp lệ; chọn một trong: {', '.join(self.codes)}")
        return text


_NUM_TEXT = re.compile(r"^[+-]?(\d[\d.,]*|[.,]\d+)$")


def _parse_number(text: str, integer: bool) -> int | float:
    raw = text
    text = re.sub(r"\s+", "", text.replace("\u00a0", ""))
    text = re.sub(r"(?i)(vnđ|vnd|đồng|đ)$", "", text)
    if not _NUM_TEXT.match(text):
        raise BadCell(f"'{raw}' không phải là số")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal_sep == "." else "."
        if text.count(decimal_sep) > 1:
            raise BadCell(f"'{raw}' không phải là số")
        text = text.replace(thousands, "").replace(decimal_sep, ".")
    elif commas or dots:
        sep = "," if commas else "."
        count = commas or dots
        thousands_like = re.fullmatch(r"\d{1,3}(\%s\d{3})+" % sep, text) is not None
        if count > 1:
            if not thousands_like:
                raise BadCell(f"'{raw}' không phải là số")
            text = text.replace(sep, "")
        elif integer and thousands_like:
            text = text.replace(sep, "")
        else:
            text = text.replace(sep, ".")
    try:
        number = float(text) if "." in text else int(text)
    except ValueError:
        raise BadCell(f"'{raw}' không phải là số") from None
    return tidy_number(sign * number)


def tidy_number(number: int | float) -> int | float:
    if isinstance(number, float):
        if not math.isfinite(number):
            raise BadCell("số không hợp lệ")
        if number.is_integer() and abs(number) < 2 ** 53:
            return int(number)
    return number


class Number(Codec):
    """A number cell; read back as int when integral, else float. Text like '20,5' accepted."""

    def __init__(self, integer: bool = False):
        self.integer = integer

    def encode(self, value):
        if isinstance(value, bool):
            return None
        if isinstance(value, int) and abs(value) < 2 ** 53:
            return value
        if isinstance(value, float) and math.isfinite(value) and abs(value) < 1e15:
            return value
        return None

    def decode(self, cell):
        if isinstance(cell, bool):
            raise BadCell(f"'{_cell_text(cell)}' không phải là số")
        if isinstance(cell, (int, float)):
            return tidy_number(cell)
        if isinstance(cell, str):
            if not cell.strip():
                return ABSENT
            return _parse_number(cell, self.integer)
        raise BadCell(f"'{_cell_text(cell)}' không phải là số")


_TRUE = {"x", "co", "true", "yes", "y", "1", "dung", "v"}
_FALSE = {"khong", "false", "no", "n", "0", "sai"}


class Bool(Codec):
    """``x`` for yes, empty for no."""

    blank = False

    def encode(self, value):
        return "x" if value is True else None

    def decode(self, cell):
        flag = _flag(cell, "ghi 'x' (có) hoặc để trống (không)")
        return bool(flag)


def _flag(cell, how: str) -> bool | None:
    """A yes/no cell: True, False, or None when empty; BadCell saying ``how`` to write it."""
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, (int, float)) and cell in (0, 1):
        return bool(cell)
    text = hfold(_cell_text(cell))
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadCell(f"'{_cell_text(cell)}' không hợp lệ; {how}")


class YesNo(Codec):
    """An optional flag: ``có`` for yes, ``không`` for no, empty when the item says nothing
    (the key stays absent). Reads the same words as :class:`Bool` ('x', 'yes', 'no'...)."""

    def encode(self, value):
        return {True: "có", False: "không"}.get(value) if isinstance(value, bool) else None

    def decode(self, cell):
        flag = _flag(cell, "ghi 'có' hoặc 'không', hoặc để trống")
        return ABSENT if flag is None else flag


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DMY_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


class Date(Codec):
    """A real date cell (shown dd/mm/yyyy), read back as 'YYYY-MM-DD'; empty is null."""

    blank = None

    def encode(self, value):
        if isinstance(value, str) and _ISO_DATE.match(value):
            try:
                day = dt.date.fromisoformat(value)
            except ValueError:
                return safe_text(value)
            if day.year >= 1900:
                return day
        return safe_text(value) if isinstance(value, str) else None

    def decode(self, cell):
        if isinstance(cell, dt.datetime):
            return cell.date().isoformat()
        if isinstance(cell, dt.date):
            return cell.isoformat()
        if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 1 <= cell < 2958466:
            from openpyxl.utils.datetime import from_excel
            return from_excel(cell).date().isoformat()
        text = _cell_text(cell)
        m = _DMY_DATE.match(text.strip())
        if m:
            try:
                return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
            except ValueError:
                raise BadCell(f"'{text}' không phải là ngày hợp lệ") from None
        if _ISO_DATE.match(text.strip()):
            return text.strip()
        return text


class Json(Codec):
    """A JSON value written as JSON text."""

    def __init__(self, blank: Any = ABSENT):
        self.blank = blank

    def encode(self, value):
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            return None
        if text != safe_text(text):
            return None
        return text

    def decode(self, cell):
        if isinstance(cell, (bool, int, float)):
            return tidy_number(cell) if not isinstance(cell, bool) else cell
        text = _cell_text(cell)
        try:
            return json.loads(text)
        except ValueError:
            raise BadCell(f"'{text[:60]}' không phải là JSON hợp lệ") from None


class CommaList(Codec):
    """A list of codes written 'a, b, c'; empty is []."""

    blank: Any = []

    def __init__(self):
        self.blank = []

    def read(self, cell):
        if cell is None or cell == "":
            return []
        return self.decode(cell)

    def encode(self, value):
        if not isinstance(value, list):
            return None
        for item in value:
            if (not isinstance(item, str) or not item or item != item.strip()
                    or re.search(r"[,;\n]", item) or item != safe_text(item)):
                return None
        return ", ".join(value) or None

    def decode(self, cell):
        return [p.strip() for p in re.split(r"[,;\n]", _cell_text(cell)) if p.strip()]
