"""The contest document as an Excel workbook (``.xlsx``), both ways, losslessly.

:func:`document_to_workbook` writes a contest document (``{"format": "hoithi/1",
"contest": {...}}``, export keys included) as a workbook with one sheet per list and
Vietnamese headers; :func:`workbook_to_document` reads it back, or reads a workbook an
organiser filled in by hand. Plain data in, bytes out and back: no Flask, no database.

Sheets (in this order; the ones marked * only when the document has that key):

=====================  =====================================================================
Hội thi                Trường | Giá trị | Mã (hidden): name, organizer, date (a real date
                       cell shown dd/mm/yyyy), venue, *results_public, *stage, *documents
                       (JSON text), format
Thể lệ                 Trường | Giá trị | Mã (hidden): team.max_members, team.max_guests,
                       aggregation, decimals, score_step, tie_break (comma list)
Phần thi               Mã | Tên | Phạt quá giờ: điểm | Phạt quá giờ: mỗi số giây
Giai đoạn              Phần thi | Mã | Tên | Thời gian (giây)
Tiêu chí               Phần thi | Mã | Tên | Điểm tối đa
Giải thưởng            Loại (collective/special/individual) | Mã | Tên | Số lượng |
                       Tiền thưởng | Phần thi
Đơn vị                 Mã | Tên
Đội thi                Mã | Tên đội | Đơn vị
Thành viên             Đội | Mã | Họ và tên | Chức vụ | Nơi công tác | Loại (member/guest) |
                       Phần thi tham gia (comma list)
Giám khảo              Mã | Họ và tên | Chức vụ | Trưởng ban (x)
Câu hỏi                Mã | Loại (open/choice) | Nội dung | Phương án A.. (at least A-D, as many
                       as the longest choice list) | Đáp án | Lĩnh vực | Cơ quan soạn | Căn cứ |
                       Điểm | Trạng thái
Câu hỏi phụ            Câu hỏi | Thứ tự | Nội dung | Đáp án | Điểm
Chương trình           Mã | Nội dung | Loại
*Cơ quan soạn câu hỏi  Mã | Tên                                           (``offices``)
*Phiếu chấm            Giám khảo | Đội | Phần thi | Tiêu chí: <key> (one column per criterion
                       key) | Tổng (ignored on reading) | Mã phiếu | Nhận xét | Nguồn | Thời điểm
*Đề cử                 Giám khảo | Giải | Thành viên
*Bốc thăm              Loại bốc thăm (questions/order) | Mã cam kết | Chuỗi bí mật | Đã công bố
*Lá thăm               Loại bốc thăm | Lá thăm số | Mã (question or team key)
*Lượt bốc thăm         Loại bốc thăm | Lá thăm | Đội | Câu hỏi | Thời điểm
*Quyết định            Loại | Dữ liệu (JSON) | Lý do | Người quyết định | Thời điểm
*Nhật ký               Thời điểm | Người thực hiện | Thiết bị | Thao tác | Đối tượng |
                       Giá trị cũ (JSON) | Giá trị mới (JSON) | Lý do
_extra (hidden)        whatever the sheets above cannot say (unknown keys, null containers...)
=====================  =====================================================================

Lossless by construction. Every list sheet has a hidden last column ``_meta``; while
writing, each row is read back in memory exactly as :func:`workbook_to_document` will read
it, compared with the original item, and the differences (a key the document did not have,
``10.0`` that reads back as ``10``, an unknown key, text no cell can hold...) are stored in
that row's ``_meta`` as JSON ``[[path, [value read] or [], [original] or []], ...]``
(``[]`` = key absent). On reading, a correction is applied only while the cell still reads as
it did when written, so a hand edit always wins. What cannot belong to a row (unknown contest
keys, a ``null`` draw, a missing ``rules.prizes``...) goes the same way into the hidden
``_extra`` sheet with paths from the document root. Long JSON is split over the following
cells of the row (32,000 characters each).

Formula safety: a text cell whose value starts with ``= + - @ ' \\t \\r`` is written as an
explicit string cell (never a formula) with one apostrophe in front (``'=1+1``), which no
spreadsheet executes, even after a CSV export; on reading one leading apostrophe is removed
from every text cell. (A value typed ``'abc`` in Excel is stored as ``abc`` anyway.)
Characters XML cannot carry are written as U+FFFD and restored from ``_meta``.

Workbooks filled in by hand: headers are matched ignoring case, diacritics and punctuation
(a few synonyms are accepted: "Tên" for "Tên đội"...), the header row may be within the
first 10 rows, blank rows are skipped, numbers may be typed as text ("20,5", "5.000.000"),
codes may be written in Vietnamese ("tập thể", "khách mời", "trắc nghiệm", "đã duyệt"), a
member's team may be given by name. A missing key or a bad value raises
:class:`ContestError` naming the sheet, the row and the column.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Callable

from contest.core.errors import ContestError
from contest.core.text import fold

__all__ = ["document_to_workbook", "workbook_to_document", "MAX_UNCOMPRESSED_BYTES",
           "SHEET_NAMES"]

FORMAT = "hoithi/1"
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_ROWS = 200_000
CELL_LIMIT = 32767          # Excel's limit on the characters of a cell
CHUNK = 32000               # JSON in _meta / _extra is split into cells of this size
META_HEADER = "_meta"
EXTRA_SHEET = "_extra"
ERROR_CODE = "invalid_workbook"


class _Absent:
    def __repr__(self):
        return "ABSENT"


ABSENT = _Absent()

# --------------------------------------------------------------------------- small helpers

_XML_BAD = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPE_FIRST = ("=", "+", "-", "@", "'", "\t", "\r")


def _safe_text(s: str) -> str:
    """Text a cell can carry exactly: XML-legal characters, within Excel's cell limit."""
    s = _XML_BAD.sub("\ufffd", s)
    if len(s) > CELL_LIMIT - 1:
        s = s[:CELL_LIMIT - 1]
    return s


def _escape(s: str) -> str:
    return "'" + s if s.startswith(_ESCAPE_FIRST) else s


def _unescape(s: str) -> str:
    return s[1:] if s.startswith("'") else s


def _hfold(value: Any) -> str:
    """A header or a code folded for matching: lower case, no diacritics, no punctuation."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(str(value))).split())


def _same(a: Any, b: Any) -> bool:
    """JSON equality that also tells 1 from 1.0 and True from 1 (key order ignored)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def _diff(rec: Any, orig: Any, path: list, ops: list) -> None:
    """Operations turning ``rec`` into ``orig``: ``[path, [rec value] | [], [orig value] | []]``."""
    if isinstance(rec, dict) and isinstance(orig, dict):
        for k, v in orig.items():
            if k in rec:
                _diff(rec[k], v, path + [k], ops)
            else:
                ops.append([path + [k], [], [v]])
        for k, v in rec.items():
            if k not in orig:
                ops.append([path + [k], [v], []])
    elif isinstance(rec, list) and isinstance(orig, list) and len(rec) == len(orig):
        for i, (x, y) in enumerate(zip(rec, orig)):
            _diff(x, y, path + [i], ops)
    elif not _same(rec, orig):
        ops.append([path, [rec], [orig]])


def _apply(target: Any, ops: Any) -> None:
    """Apply diff operations in place, each only while the value still reads as written."""
    if not isinstance(ops, list):
        return
    for op in ops:
        if not (isinstance(op, list) and len(op) == 3 and isinstance(op[0], list) and op[0]
                and isinstance(op[1], list) and isinstance(op[2], list)):
            continue
        path, expect, value = op
        parent = target
        for step in path[:-1]:
            if isinstance(parent, dict) and isinstance(step, str) and step in parent:
                parent = parent[step]
            elif (isinstance(parent, list) and isinstance(step, int)
                  and not isinstance(step, bool) and 0 <= step < len(parent)):
                parent = parent[step]
            else:
                parent = None
                break
        last = path[-1]
        if isinstance(parent, dict) and isinstance(last, str):
            current = [parent[last]] if last in parent else []
            if _same(current, expect):
                if value:
                    parent[last] = value[0]
                else:
                    parent.pop(last, None)
        elif (isinstance(parent, list) and isinstance(last, int) and not isinstance(last, bool)
              and 0 <= last < len(parent) and len(value) == 1):
            if _same([parent[last]], expect):
                parent[last] = value[0]


def _dumps(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if _XML_BAD.search(text):
        text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text


def _chunks(text: str) -> list[str]:
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]


def _json_clone(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as exc:
        raise ContestError(f"Không ghi được tệp Excel: giá trị không biểu diễn được bằng JSON ({exc})",
                           code=ERROR_CODE) from None


def _get(obj: Any, *path: Any) -> Any:
    for step in path:
        if isinstance(obj, dict) and step in obj:
            obj = obj[step]
        else:
            return ABSENT
    return obj


def _set(obj: dict, path: tuple, value: Any) -> None:
    for step in path[:-1]:
        nxt = obj.get(step)
        if not isinstance(nxt, dict):
            nxt = obj[step] = {}
        obj = nxt
    obj[path[-1]] = value


# --------------------------------------------------------------------------- cell codecs


class _BadCell(Exception):
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


class Text(Codec):
    def __init__(self, blank: Any = ""):
        self.blank = blank

    def encode(self, value):
        return _safe_text(value) if isinstance(value, str) else None

    def decode(self, cell):
        return _cell_text(cell)


class Key(Codec):
    """A code (key, reference): surrounding spaces are dropped; 7 typed as a number is '7'."""

    def encode(self, value):
        return _safe_text(value) if isinstance(value, str) else None

    def decode(self, cell):
        text = _cell_text(cell).strip()
        return text if text else ABSENT


class Enum(Codec):
    """A code from a short list; Vietnamese words accepted; unknown text kept as typed."""

    def __init__(self, codes: tuple[str, ...], synonyms: dict[str, str] | None = None,
                 strict: bool = False):
        self.codes = codes
        self.map = {_hfold(c): c for c in codes}
        for word, code in (synonyms or {}).items():
            self.map[_hfold(word)] = code
        self.strict = strict

    def encode(self, value):
        return _safe_text(value) if isinstance(value, str) else None

    def decode(self, cell):
        text = _cell_text(cell).strip()
        if not text:
            return ABSENT
        code = self.map.get(_hfold(text))
        if code is not None:
            return code
        if self.strict:
            raise _BadCell(f"'{text}' không hợp lệ; chọn một trong: {', '.join(self.codes)}")
        return text


_NUM_TEXT = re.compile(r"^[+-]?(\d[\d.,]*|[.,]\d+)$")


def _parse_number(text: str, integer: bool) -> int | float:
    raw = text
    text = re.sub(r"\s+", "", text.replace("\u00a0", ""))
    text = re.sub(r"(?i)(vnđ|vnd|đồng|đ)$", "", text)
    if not _NUM_TEXT.match(text):
        raise _BadCell(f"'{raw}' không phải là số")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal_sep == "." else "."
        if text.count(decimal_sep) > 1:
            raise _BadCell(f"'{raw}' không phải là số")
        text = text.replace(thousands, "").replace(decimal_sep, ".")
    elif commas or dots:
        sep = "," if commas else "."
        count = commas or dots
        thousands_like = re.fullmatch(r"\d{1,3}(\%s\d{3})+" % sep, text) is not None
        if count > 1:
            if not thousands_like:
                raise _BadCell(f"'{raw}' không phải là số")
            text = text.replace(sep, "")
        elif integer and thousands_like:
            text = text.replace(sep, "")
        else:
            text = text.replace(sep, ".")
    try:
        number = float(text) if "." in text else int(text)
    except ValueError:
        raise _BadCell(f"'{raw}' không phải là số") from None
    return _tidy_number(sign * number)


def _tidy_number(number: int | float) -> int | float:
    if isinstance(number, float):
        if not math.isfinite(number):
            raise _BadCell("số không hợp lệ")
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
            raise _BadCell(f"'{_cell_text(cell)}' không phải là số")
        if isinstance(cell, (int, float)):
            return _tidy_number(cell)
        if isinstance(cell, str):
            if not cell.strip():
                return ABSENT
            return _parse_number(cell, self.integer)
        raise _BadCell(f"'{_cell_text(cell)}' không phải là số")


_TRUE = {"x", "co", "true", "yes", "y", "1", "dung", "v"}
_FALSE = {"khong", "false", "no", "n", "0", "sai"}


class Bool(Codec):
    """``x`` for yes, empty for no."""

    blank = False

    def encode(self, value):
        return "x" if value is True else None

    def decode(self, cell):
        if isinstance(cell, bool):
            return cell
        if isinstance(cell, (int, float)) and cell in (0, 1):
            return bool(cell)
        text = _hfold(_cell_text(cell))
        if text in _TRUE:
            return True
        if text in _FALSE or not text:
            return False
        raise _BadCell(f"'{_cell_text(cell)}' không hợp lệ; ghi 'x' (có) hoặc để trống (không)")


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
                return _safe_text(value)
            if day.year >= 1900:
                return day
        return _safe_text(value) if isinstance(value, str) else None

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
                raise _BadCell(f"'{text}' không phải là ngày hợp lệ") from None
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
        if text != _safe_text(text):
            return None
        return text

    def decode(self, cell):
        if isinstance(cell, (bool, int, float)):
            return _tidy_number(cell) if not isinstance(cell, bool) else cell
        text = _cell_text(cell)
        try:
            return json.loads(text)
        except ValueError:
            raise _BadCell(f"'{text[:60]}' không phải là JSON hợp lệ") from None


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
                    or re.search(r"[,;\n]", item) or item != _safe_text(item)):
                return None
        return ", ".join(value) or None

    def decode(self, cell):
        return [p.strip() for p in re.split(r"[,;\n]", _cell_text(cell)) if p.strip()]


# --------------------------------------------------------------------------- sheet specs


@dataclass
class Col:
    """One column: where its value lives in the item, its header and how it is written."""

    id: str
    header: str
    codec: Codec
    what: str = ""                 # for messages: "Mã đội"
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: float = 16
    path: tuple = ()               # within the item; default (id,)

    def __post_init__(self):
        if not self.path:
            self.path = (self.id,)
        if not self.what:
            self.what = self.header


@dataclass
class Sheet:
    name: str
    cols: list[Col]
    link: Col | None = None        # the parent's key (not stored in the item)
    order: tuple[str, ...] = ()    # key order of the rebuilt item
    choices: bool = False          # the question sheet's Phương án A.. columns
    criteria: bool = False         # the score sheet's Tiêu chí: <key> columns
    note: str = ""

    def col(self, cid: str) -> Col:
        return next(c for c in self.cols if c.id == cid)


def _key(what: str, header: str = "Mã", **kw) -> Col:
    return Col("key", header, Key(), what=what, required=True, aliases=("ma", "key"), width=14,
               **kw)


def _link(what: str, header: str, aliases: tuple[str, ...] = ()) -> Col:
    return Col("_link", header, Key(), what=what, required=True, aliases=aliases, width=14)


_KIND_MEMBER = Enum(("member", "guest"), {
    "thành viên": "member", "thanh vien": "member", "tv": "member",
    "khách mời": "guest", "khach moi": "guest", "người được mời": "guest",
    "người được mời phối hợp": "guest", "khách": "guest", "mời": "guest"})
_KIND_QUESTION = Enum(("open", "choice"), {
    "tự luận": "open", "hỏi đáp": "open", "mở": "open",
    "trắc nghiệm": "choice", "lựa chọn": "choice", "abcd": "choice"})
_STATUS = Enum(("submitted", "approved", "rejected", "used"), {
    "đã gửi": "submitted", "chờ duyệt": "submitted", "mới": "submitted",
    "đã duyệt": "approved", "duyệt": "approved",
    "không duyệt": "rejected", "từ chối": "rejected", "loại": "rejected",
    "đã dùng": "used", "đã sử dụng": "used"})
_AGGREGATION = Enum(("mean", "median", "trimmed_mean"), {
    "trung bình": "mean", "trung bình cộng": "mean", "trung vị": "median",
    "trung bình cắt": "trimmed_mean", "trung bình bỏ cao nhất thấp nhất": "trimmed_mean"})
_PRIZE_KINDS = ("collective", "special", "individual")
_PRIZE_KIND = Enum(_PRIZE_KINDS, {
    "tập thể": "collective", "giải tập thể": "collective",
    "giải phụ": "special", "đặc biệt": "special", "giải đặc biệt": "special",
    "cá nhân": "individual", "giải cá nhân": "individual"}, strict=True)
_DRAW_KIND = Enum(("questions", "order"), {
    "câu hỏi": "questions", "bốc thăm câu hỏi": "questions",
    "thứ tự": "order", "thứ tự thi": "order", "bốc thăm thứ tự": "order"})


PARTS = Sheet("Phần thi", [
    _key("Mã phần thi"),
    Col("name", "Tên", Text(ABSENT), what="Tên phần thi", required=True,
        aliases=("ten phan thi",), width=32),
    Col("penalty_points", "Phạt quá giờ: điểm", Number(), path=("overtime_penalty", "points"),
        aliases=("phat qua gio diem", "diem phat"), width=18),
    Col("penalty_seconds", "Phạt quá giờ: mỗi số giây", Number(integer=True),
        path=("overtime_penalty", "per_seconds"), aliases=("phat qua gio moi so giay",
                                                           "moi so giay"), width=22),
], order=("key", "name", "phases", "criteria", "overtime_penalty"))

PHASES = Sheet("Giai đoạn", [
    _key("Mã giai đoạn"),
    Col("name", "Tên", Text(ABSENT), what="Tên giai đoạn", required=True, width=28),
    Col("seconds", "Thời gian (giây)", Number(integer=True), what="Thời gian (giây)",
        aliases=("thoi gian", "so giay", "giay"), width=16),
], link=_link("Phần thi", "Phần thi", ("ma phan thi",)), order=("key", "name", "seconds"))

CRITERIA = Sheet("Tiêu chí", [
    _key("Mã tiêu chí"),
    Col("name", "Tên", Text(ABSENT), what="Tên tiêu chí", required=True,
        aliases=("ten tieu chi", "tieu chi"), width=32),
    Col("max", "Điểm tối đa", Number(), aliases=("diem toi da", "toi da", "diem"), width=14),
], link=_link("Phần thi", "Phần thi", ("ma phan thi",)), order=("key", "name", "max"))

PRIZES = Sheet("Giải thưởng", [
    _key("Mã giải"),
    Col("name", "Tên", Text(ABSENT), what="Tên giải", required=True, aliases=("ten giai",),
        width=36),
    Col("count", "Số lượng", Number(integer=True), aliases=("so giai",), width=10),
    Col("amount", "Tiền thưởng", Number(integer=True), aliases=("so tien", "tien thuong dong"),
        width=14),
    Col("part", "Phần thi", Key(), aliases=("ma phan thi", "theo phan thi"), width=14),
], link=Col("_link", "Loại", _PRIZE_KIND, what="Loại giải", required=True,
            aliases=("loai giai",), width=14),
    order=("key", "name", "count", "amount", "part"),
    note="Loại: collective (tập thể), special (giải phụ theo phần thi), individual (cá nhân)")

UNITS = Sheet("Đơn vị", [
    _key("Mã đơn vị"),
    Col("name", "Tên", Text(ABSENT), what="Tên đơn vị", required=True,
        aliases=("ten don vi", "don vi"), width=36),
], order=("key", "name"))

TEAMS = Sheet("Đội thi", [
    _key("Mã đội"),
    Col("name", "Tên đội", Text(ABSENT), what="Tên đội", required=True, aliases=("ten",),
        width=36),
    Col("unit", "Đơn vị", Text(), aliases=("don vi du thi",), width=30),
], order=("key", "name", "unit", "members"))

MEMBERS = Sheet("Thành viên", [
    _key("Mã thành viên"),
    Col("name", "Họ và tên", Text(ABSENT), what="Họ và tên", required=True,
        aliases=("ho ten", "ten"), width=28),
    Col("position", "Chức vụ", Text(), width=30),
    Col("workplace", "Nơi công tác", Text(), aliases=("don vi cong tac", "co quan"), width=30),
    Col("kind", "Loại", _KIND_MEMBER, aliases=("loai member guest", "loai thanh vien"), width=12),
    Col("roles", "Phần thi tham gia", CommaList(), aliases=("phan thi", "vai tro"), width=22),
], link=_link("Đội", "Đội", ("ma doi", "doi thi")),
    order=("key", "name", "position", "workplace", "kind", "roles"))

JUDGES = Sheet("Giám khảo", [
    _key("Mã giám khảo"),
    Col("name", "Họ và tên", Text(ABSENT), what="Họ và tên", required=True,
        aliases=("ho ten", "ten"), width=28),
    Col("title", "Chức vụ", Text(), aliases=("chuc danh",), width=40),
    Col("head", "Trưởng ban (x)", Bool(), aliases=("truong ban",), width=14),
], order=("key", "name", "title", "head"))

QUESTIONS = Sheet("Câu hỏi", [
    _key("Mã câu hỏi"),
    Col("kind", "Loại", _KIND_QUESTION, aliases=("loai cau hoi",), width=10),
    Col("text", "Nội dung", Text(ABSENT), what="Nội dung câu hỏi", required=True,
        aliases=("cau hoi", "noi dung cau hoi"), width=60),
    Col("answer", "Đáp án", Text(), aliases=("dap an goi y", "goi y tra loi", "goi y cham"),
        width=50),
    Col("field", "Lĩnh vực", Text(), width=24),
    Col("office", "Cơ quan soạn", Text(), aliases=("co quan soan cau hoi",), width=24),
    Col("basis", "Căn cứ", Text(), aliases=("van ban can cu",), width=30),
    Col("points", "Điểm", Number(), width=8),
    Col("status", "Trạng thái", _STATUS, width=12),
], choices=True,
    order=("key", "kind", "text", "choices", "answer", "field", "office", "basis", "points",
           "follow_ups", "status"))

FOLLOW_UPS = Sheet("Câu hỏi phụ", [
    Col("_order", "Thứ tự", Number(integer=True), aliases=("stt",), width=8),
    Col("text", "Nội dung", Text(ABSENT), what="Nội dung câu hỏi phụ", required=True,
        aliases=("cau hoi phu",), width=60),
    Col("answer", "Đáp án", Text(), width=50),
    Col("points", "Điểm", Number(), width=8),
], link=_link("Câu hỏi", "Câu hỏi", ("ma cau hoi", "cau hoi chinh")),
    order=("text", "answer", "points"))

PROGRAMME = Sheet("Chương trình", [
    _key("Mã bước"),
    Col("name", "Nội dung", Text(ABSENT), what="Nội dung", required=True, aliases=("ten",),
        width=50),
    Col("kind", "Loại", Enum(("plain", "contest", "results"), {
        "thường": "plain", "phần thi": "contest", "các phần thi": "contest",
        "kết quả": "results", "công bố kết quả": "results"}), width=12),
], order=("key", "name", "kind"))

OFFICES = Sheet("Cơ quan soạn câu hỏi", [
    _key("Mã cơ quan"),
    Col("name", "Tên", Text(ABSENT), what="Tên cơ quan", required=True,
        aliases=("ten co quan", "co quan"), width=40),
], order=("key", "name"))

SCORES = Sheet("Phiếu chấm", [
    Col("judge", "Giám khảo", Key(), what="Giám khảo", required=True,
        aliases=("ma giam khao",), width=12),
    Col("team", "Đội", Key(), what="Đội", required=True, aliases=("ma doi", "doi thi"), width=14),
    Col("part", "Phần thi", Key(), what="Phần thi", required=True, aliases=("ma phan thi",),
        width=12),
    Col("id", "Mã phiếu", Text(ABSENT), aliases=("id",), width=20),
    Col("comment", "Nhận xét", Text(ABSENT), width=30),
    Col("source", "Nguồn", Enum(("tablet", "paper", "api"), {
        "máy tính bảng": "tablet", "phiếu giấy": "paper", "giấy": "paper"}), width=10),
    Col("at", "Thời điểm", Text(ABSENT), aliases=("thoi gian",), width=26),
], criteria=True, order=("judge", "team", "part", "criteria", "id", "comment", "source", "at"))

NOMINATIONS = Sheet("Đề cử", [
    Col("judge", "Giám khảo", Key(), what="Giám khảo", required=True, width=12),
    Col("prize", "Giải", Key(), what="Giải", required=True, aliases=("ma giai",), width=18),
    Col("member", "Thành viên", Key(), what="Thành viên", required=True,
        aliases=("ma thanh vien",), width=18),
], order=("judge", "prize", "member"))

DRAWS = Sheet("Bốc thăm", [
    Col("commitment", "Mã cam kết", Text(ABSENT), aliases=("commitment",), width=66),
    Col("salt", "Chuỗi bí mật", Text(ABSENT), aliases=("salt",), width=36),
    Col("revealed", "Đã công bố", Bool(), aliases=("revealed", "cong bo"), width=12),
], link=Col("_link", "Loại bốc thăm", _DRAW_KIND, what="Loại bốc thăm", required=True,
            aliases=("loai",), width=16),
    order=("commitment", "salt", "lots", "revealed", "drawn"),
    note="Loại bốc thăm: questions (câu hỏi) hoặc order (thứ tự thi)")

LOTS = Sheet("Lá thăm", [
    Col("lot", "Lá thăm số", Key(), what="Lá thăm số", required=True,
        aliases=("la tham", "so"), width=12),
    Col("value", "Mã", Text(ABSENT), what="Mã câu hỏi/đội", aliases=("noi dung",), width=20),
], link=Col("_link", "Loại bốc thăm", _DRAW_KIND, what="Loại bốc thăm", required=True,
            aliases=("loai",), width=16))

DRAWN = Sheet("Lượt bốc thăm", [
    Col("lot", "Lá thăm", Number(integer=True), aliases=("la tham so",), width=10),
    Col("team", "Đội", Key(), aliases=("ma doi",), width=14),
    Col("question", "Câu hỏi", Key(), aliases=("ma cau hoi",), width=14),
    Col("at", "Thời điểm", Text(ABSENT), width=26),
], link=Col("_link", "Loại bốc thăm", _DRAW_KIND, what="Loại bốc thăm", required=True,
            aliases=("loai",), width=16), order=("lot", "team", "question", "at"))

DECISIONS = Sheet("Quyết định", [
    Col("kind", "Loại", Text(ABSENT), what="Loại quyết định", required=True, width=18),
    Col("data", "Dữ liệu (JSON)", Json(), aliases=("du lieu",), width=50),
    Col("reason", "Lý do", Text(ABSENT), width=40),
    Col("by", "Người quyết định", Text(ABSENT), aliases=("nguoi thuc hien",), width=18),
    Col("at", "Thời điểm", Text(ABSENT), width=26),
], order=("kind", "data", "reason", "by", "at"))

AUDIT = Sheet("Nhật ký", [
    Col("at", "Thời điểm", Text(ABSENT), width=26),
    Col("actor", "Người thực hiện", Text(ABSENT), width=18),
    Col("device", "Thiết bị", Text(ABSENT), width=18),
    Col("action", "Thao tác", Text(ABSENT), what="Thao tác", required=True, width=22),
    Col("target", "Đối tượng", Text(ABSENT), width=22),
    Col("old", "Giá trị cũ (JSON)", Json(), aliases=("gia tri cu",), width=30),
    Col("new", "Giá trị mới (JSON)", Json(), aliases=("gia tri moi",), width=30),
    Col("reason", "Lý do", Text(ABSENT), width=30),
], order=("at", "actor", "device", "action", "target", "old", "new", "reason"))


@dataclass
class KV:
    label: str
    path: tuple                    # from the document root
    codec: Codec
    aliases: tuple[str, ...] = ()


CONTEST_KV = [
    KV("Tên hội thi", ("contest", "name"), Text(), ("ten",)),
    KV("Cơ quan tổ chức", ("contest", "organizer"), Text(), ("don vi to chuc",)),
    KV("Ngày", ("contest", "date"), Date(), ("ngay thi", "ngay to chuc")),
    KV("Địa điểm", ("contest", "venue"), Text()),
    KV("Công khai kết quả", ("contest", "results_public"), Bool()),
    KV("Trạng thái sân khấu (JSON)", ("contest", "stage"), Json(None), ("trang thai san khau",)),
    KV("Tài liệu (JSON)", ("contest", "documents"), Json(None), ("tai lieu",)),
    KV("Định dạng tệp", ("format",), Text(), ("dinh dang",)),
]
_R = ("contest", "rules")
RULES_KV = [
    KV("Số thành viên tối đa của mỗi đội", _R + ("team", "max_members"), Number(integer=True),
       ("so thanh vien toi da", "max_members")),
    KV("Số người được mời phối hợp tối đa", _R + ("team", "max_guests"), Number(integer=True),
       ("so khach moi toi da", "max_guests")),
    KV("Cách tổng hợp điểm (mean, median, trimmed_mean)", _R + ("aggregation",), _AGGREGATION,
       ("cach tong hop diem", "aggregation")),
    KV("Số chữ số thập phân", _R + ("decimals",), Number(integer=True), ("decimals",)),
    KV("Bước điểm", _R + ("score_step",), Number(), ("score_step",)),
    KV("Thứ tự phần thi xét khi bằng điểm", _R + ("tie_break",), CommaList(),
       ("xet khi bang diem", "tie_break")),
]
KV_SHEETS = {"Hội thi": CONTEST_KV, "Thể lệ": RULES_KV}


def _kv_key(spec: KV) -> str:
    """The code in the hidden Mã column: the path without 'contest' and 'rules'."""
    path = spec.path[1:] if spec.path[0] == "contest" else spec.path
    path = path[1:] if path[0] == "rules" else path
    return ".".join(path)
KV_HEADERS = ("Trường", "Giá trị", "Mã")

LIST_SHEETS = [PARTS, PHASES, CRITERIA, PRIZES, UNITS, TEAMS, MEMBERS, JUDGES, QUESTIONS,
               FOLLOW_UPS, PROGRAMME]
OPTIONAL_SHEETS = [OFFICES, SCORES, NOMINATIONS, DRAWS, LOTS, DRAWN, DECISIONS, AUDIT]
SHEETS = {s.name: s for s in LIST_SHEETS + OPTIONAL_SHEETS}
REQUIRED_SHEETS = ("Hội thi", "Thể lệ", "Phần thi", "Tiêu chí", "Đội thi", "Giám khảo")
SHEET_NAMES = ("Hội thi", "Thể lệ") + tuple(s.name for s in LIST_SHEETS + OPTIONAL_SHEETS)
_OPTIONAL_KEY = {OFFICES.name: "offices", SCORES.name: "scores", NOMINATIONS.name: "nominations",
                 DRAWS.name: "draws", DECISIONS.name: "decisions", AUDIT.name: "audit"}

# --------------------------------------------------------------------------- tables


@dataclass
class Row:
    num: int                                   # the row number in the sheet (1-based)
    values: dict[str, Any] = field(default_factory=dict)   # column id -> logical cell value
    meta: str | None = None                    # the _meta JSON text as read
    ops: list | None = None                    # the _meta operations (write side)
    orig: Any = ABSENT                         # the original item (write side)
    letters: dict[str, str] | None = None


@dataclass
class Table:
    name: str
    rows: list[Row] = field(default_factory=list)
    columns: list[tuple[str, str, float]] = field(default_factory=list)  # (id, header, width)
    headers_by_id: dict[str, str] = field(default_factory=dict)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(index)


class _Ctx:
    """Raises errors naming the sheet, the row and the column."""

    def __init__(self, table: Table, row: Row | None = None):
        self.table, self.row = table, row

    def where(self) -> str:
        text = f"Sheet '{self.table.name}'"
        if self.row is not None:
            text += f", dòng {self.row.num}"
        return text

    def fail(self, message: str, cid: str | None = None) -> ContestError:
        col = ""
        if cid is not None:
            header = self.table.headers_by_id.get(cid, cid)
            letter = (self.row.letters or {}).get(cid) if self.row else None
            col = f", cột {letter} ({header})" if letter else f", cột '{header}'"
        return ContestError(f"{self.where()}{col}: {message}",
                            field=f"{self.table.name}!{self.row.num if self.row else 1}",
                            code=ERROR_CODE)

    def read(self, col: Col, cell: Any) -> Any:
        try:
            return col.codec.read(cell)
        except _BadCell as exc:
            raise self.fail(str(exc), col.id) from None


# --------------------------------------------------------------------------- assembling


_Hook = Callable[[Table, Row, dict], None]


def _decode_row(sheet: Sheet, table: Table, row: Row) -> dict:
    ctx = _Ctx(table, row)
    item: dict = {}
    for col in sheet.cols:
        if col.id.startswith("_"):
            continue
        value = ctx.read(col, row.values.get(col.id))
        if value is not ABSENT:
            _set(item, col.path, value)
        if col.id == "text" and sheet.choices:
            choices = _decode_choices(ctx, row, item)
            if choices is not ABSENT:
                item["choices"] = choices
    if sheet.criteria:
        item["criteria"] = _decode_criteria(ctx, row)
    return item


def _decode_choices(ctx: _Ctx, row: Row, item: dict) -> Any:
    cells = {int(cid.split(":")[1]): Text(ABSENT).read(v) for cid, v in row.values.items()
             if cid.startswith("choice:")}
    cells = {i: v for i, v in cells.items() if v is not ABSENT}
    if not cells:
        kind = ctx.read(QUESTIONS.col("kind"), row.values.get("kind"))
        return [] if kind == "choice" else ABSENT
    return [cells.get(i, "") for i in range(max(cells) + 1)]


def _decode_criteria(ctx: _Ctx, row: Row) -> dict:
    out = {}
    for cid, cell in row.values.items():
        if cid.startswith("crit:"):
            value = _Ctx.read(ctx, Col(cid, ctx.table.headers_by_id.get(cid, cid), Number()), cell)
            if value is not ABSENT:
                out[cid[5:]] = value
    return out


def _finish(sheet: Sheet, table: Table, row: Row, item: dict, hook: _Hook | None) -> dict:
    if sheet.order:
        ordered = {k: item[k] for k in sheet.order if k in item}
        ordered.update((k, v) for k, v in item.items() if k not in ordered)
        item.clear()
        item.update(ordered)
    if hook is not None:
        hook(table, row, item)
    else:
        _apply(item, _parse_meta(table, row))
    ctx = _Ctx(table, row)
    for col in sheet.cols:
        if col.required and not col.id.startswith("_") and _get(item, *col.path) is ABSENT:
            raise ctx.fail(f"thiếu {col.what}")
    return item


def _parse_meta(table: Table, row: Row) -> list:
    if not row.meta:
        return []
    try:
        ops = json.loads(row.meta)
    except ValueError:
        raise _Ctx(table, row).fail("cột _meta (dữ liệu kỹ thuật) bị hỏng; hãy xóa nội dung ô "
                                    "này") from None
    return ops if isinstance(ops, list) else []


def _link_value(sheet: Sheet, table: Table, row: Row) -> str:
    ctx = _Ctx(table, row)
    value = ctx.read(sheet.link, row.values.get("_link"))
    if value is ABSENT:
        raise ctx.fail(f"thiếu {sheet.link.what}", "_link")
    return value


def _parents(sheet: Sheet, table: Table | None) -> tuple[list[tuple[Row, dict]], dict[str, int]]:
    """Decode the parent rows; map their keys (as written in the cells) to their index."""
    out: list[tuple[Row, dict]] = []
    index: dict[str, int] = {}
    for row in table.rows if table else []:
        item = _decode_row(sheet, table, row)
        key = item.get("key")
        ctx = _Ctx(table, row)
        if not isinstance(key, str):
            raise ctx.fail(f"thiếu {sheet.col('key').what}")
        if key in index:
            raise ctx.fail(f"trùng {sheet.col('key').what} '{key}' "
                           f"(đã có ở dòng {out[index[key]][0].num})", "key")
        index[key] = len(out)
        out.append((row, item))
    return out, index


def _children(sheet: Sheet, table: Table | None, parents: list[tuple[Row, dict]],
              index: dict[str, int], parent_what: str, hook: _Hook | None) -> dict[int, list]:
    """Child rows grouped by the index of their parent, in sheet order."""
    by_name: dict[str, list[int]] = {}
    for i, (_, p) in enumerate(parents):
        if isinstance(p.get("name"), str):
            by_name.setdefault(_hfold(p["name"]), []).append(i)
    groups: dict[int, list[tuple[Row, dict]]] = {}
    for row in table.rows if table else []:
        ref = _link_value(sheet, table, row)
        i = index.get(ref)
        if i is None:
            named = by_name.get(_hfold(ref), [])
            if len(named) != 1:
                raise _Ctx(table, row).fail(f"không có {parent_what} '{ref}'", "_link")
            i = named[0]
        item = _decode_row(sheet, table, row)
        groups.setdefault(i, []).append((row, item))
    out: dict[int, list] = {}
    for i, entries in groups.items():
        if "_order" in {c.id for c in sheet.cols}:
            orders = [_Ctx(table, r).read(sheet.col("_order"), r.values.get("_order"))
                      for r, _ in entries]
            if all(isinstance(o, (int, float)) for o in orders):
                entries = [e for _, _, e in sorted(
                    ((o, n, e) for n, (o, e) in enumerate(zip(orders, entries))),
                    key=lambda t: (t[0], t[1]))]
        out[i] = [_finish(sheet, table, r, item, hook) for r, item in entries]
    return out


def _grouped(sheet: Sheet, table: Table | None, hook: _Hook | None) -> dict[str, list]:
    """Rows grouped by a code column (prize kind, draw kind), in sheet order."""
    out: dict[str, list] = {}
    for row in table.rows if table else []:
        kind = _link_value(sheet, table, row)
        item = _decode_row(sheet, table, row)
        out.setdefault(kind, []).append(_finish(sheet, table, row, item, hook))
    return out


def _plain(sheet: Sheet, table: Table | None, hook: _Hook | None) -> list:
    return [_finish(sheet, table, row, _decode_row(sheet, table, row), hook)
            for row in (table.rows if table else [])]


def _kv(specs: list[KV], table: Table | None, doc: dict) -> None:
    for row in table.rows if table else []:
        spec = row.values.get("_spec")
        if spec is None:
            continue
        ctx = _Ctx(table, row)
        try:
            value = spec.codec.read(row.values.get("value"))
        except _BadCell as exc:
            raise ctx.fail(str(exc), "value") from None
        if value is not ABSENT:
            _set(doc, spec.path, value)


def _assemble(tables: dict[str, Table], hook: _Hook | None) -> dict:
    """Rebuild the document from the tables; ``hook`` (write side) computes each row's _meta."""
    doc: dict = {"format": FORMAT, "contest": {}}
    _kv(CONTEST_KV, tables.get("Hội thi"), doc)
    contest = doc["contest"]
    if not isinstance(contest, dict):  # pragma: no cover - _kv only writes scalars
        contest = doc["contest"] = {}
    rules = contest.setdefault("rules", {})
    _kv(RULES_KV, tables.get("Thể lệ"), doc)

    parts, index = _parents(PARTS, tables.get(PARTS.name))
    phases = _children(PHASES, tables.get(PHASES.name), parts, index, "phần thi", hook)
    criteria = _children(CRITERIA, tables.get(CRITERIA.name), parts, index, "phần thi", hook)
    rules["parts"] = []
    for i, (row, item) in enumerate(parts):
        item["phases"] = phases.get(i, [])
        item["criteria"] = criteria.get(i, [])
        rules["parts"].append(_finish(PARTS, tables[PARTS.name], row, item, hook))
    prizes = _grouped(PRIZES, tables.get(PRIZES.name), hook)
    rules["prizes"] = {kind: prizes.get(kind, []) for kind in _PRIZE_KINDS}

    contest["units"] = _plain(UNITS, tables.get(UNITS.name), hook)
    teams, index = _parents(TEAMS, tables.get(TEAMS.name))
    members = _children(MEMBERS, tables.get(MEMBERS.name), teams, index, "đội", hook)
    contest["teams"] = []
    for i, (row, item) in enumerate(teams):
        item["members"] = members.get(i, [])
        contest["teams"].append(_finish(TEAMS, tables[TEAMS.name], row, item, hook))
    contest["judges"] = _plain(JUDGES, tables.get(JUDGES.name), hook)
    questions, index = _parents(QUESTIONS, tables.get(QUESTIONS.name))
    follow_ups = _children(FOLLOW_UPS, tables.get(FOLLOW_UPS.name), questions, index, "câu hỏi",
                           hook)
    contest["questions"] = []
    for i, (row, item) in enumerate(questions):
        item["follow_ups"] = follow_ups.get(i, [])
        contest["questions"].append(_finish(QUESTIONS, tables[QUESTIONS.name], row, item, hook))
    contest["programme"] = _plain(PROGRAMME, tables.get(PROGRAMME.name), hook)

    for sheet in (OFFICES, SCORES, NOMINATIONS, DECISIONS, AUDIT):
        if sheet.name in tables:
            contest[_OPTIONAL_KEY[sheet.name]] = _plain(sheet, tables[sheet.name], hook)
    if DRAWS.name in tables:
        contest["draws"] = _draws(tables, hook)
    for key in ("offices", "scores", "nominations", "draws", "decisions", "audit"):
        if key in contest:  # export order
            contest[key] = contest.pop(key)
    return doc


def _draws(tables: dict[str, Table], hook: _Hook | None) -> dict:
    table = tables[DRAWS.name]
    draws: list[tuple[str, Row, dict]] = []
    index: dict[str, int] = {}
    for row in table.rows:
        kind = _link_value(DRAWS, table, row)
        if kind in index:
            raise _Ctx(table, row).fail(f"trùng loại bốc thăm '{kind}'", "_link")
        index[kind] = len(draws)
        draws.append((kind, row, _decode_row(DRAWS, table, row)))
    lots = {}
    for kind, items in _grouped_children(LOTS, tables.get(LOTS.name), index, hook).items():
        mapping: dict = {}
        for row, item in items:
            lot = item.get("lot")
            if lot in mapping:
                raise _Ctx(tables[LOTS.name], row).fail(f"trùng lá thăm số '{lot}'", "lot")
            mapping[lot] = item.get("value")
        lots[kind] = mapping
    drawn = {kind: [item for _, item in items] for kind, items in
             _grouped_children(DRAWN, tables.get(DRAWN.name), index, hook).items()}
    out: dict = {}
    for kind, row, item in draws:
        item["lots"] = lots.get(kind, {})
        item["drawn"] = drawn.get(kind, [])
        out[kind] = _finish(DRAWS, table, row, item, hook)
    return out


def _grouped_children(sheet: Sheet, table: Table | None, index: dict[str, int],
                      hook: _Hook | None) -> dict[str, list]:
    out: dict[str, list] = {}
    for row in table.rows if table else []:
        kind = _link_value(sheet, table, row)
        if kind not in index:
            raise _Ctx(table, row).fail(f"không có loại bốc thăm '{kind}' trong sheet "
                                        f"'{DRAWS.name}'", "_link")
        item = _finish(sheet, table, row, _decode_row(sheet, table, row), hook)
        out.setdefault(kind, []).append((row, item))
    return out


# --------------------------------------------------------------------------- writing


def _encode_row(sheet: Sheet, item: dict, link: Any = ABSENT) -> Row:
    row = Row(num=0, orig=item)
    if sheet.link is not None:
        row.values["_link"] = sheet.link.codec.encode(link)
    for col in sheet.cols:
        if col.id.startswith("_"):
            continue
        value = _get(item, *col.path)
        if value is not ABSENT:
            row.values[col.id] = _checked(col.codec, col.codec.encode(value))
    if sheet.choices:
        choices = item.get("choices")
        if isinstance(choices, list):
            for i, choice in enumerate(choices):
                row.values[f"choice:{i}"] = _checked(Text(), Text().encode(choice))
    if sheet.criteria:
        crit = item.get("criteria")
        if isinstance(crit, dict):
            for key, value in crit.items():
                if isinstance(key, str) and key.strip() == key and key:
                    row.values[f"crit:{key}"] = _checked(Number(), Number().encode(value))
            total = [v for v in crit.values() if isinstance(v, (int, float))
                     and not isinstance(v, bool) and math.isfinite(v)]
            row.values["_total"] = _tidy_number(sum(total)) if total else None
    return row


def _checked(codec: Codec, cell: Any) -> Any:
    """A cell the reader accepts, else an empty cell (the _meta column then keeps the value)."""
    if cell is None or cell == "":
        return None
    try:
        codec.read(cell)
    except _BadCell:
        return None
    return cell


def _require_list(value: Any, path: str) -> list:
    if value is ABSENT or not isinstance(value, list):
        return []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise ContestError(f"Không ghi được tệp Excel: {path}[{i}] phải là một đối tượng",
                               field=f"{path}[{i}]", code=ERROR_CODE)
    return value


def _tabulate(doc: dict) -> dict[str, Table]:
    contest = doc.get("contest") if isinstance(doc.get("contest"), dict) else {}
    rules = contest.get("rules") if isinstance(contest.get("rules"), dict) else {}
    tables: dict[str, Table] = {}

    def table(sheet: Sheet) -> Table:
        t = tables[sheet.name] = Table(sheet.name)
        return t

    for name, specs in KV_SHEETS.items():
        t = tables[name] = Table(name)
        for spec in specs:
            value = _get(doc, *spec.path)
            if value is ABSENT:
                continue
            t.rows.append(Row(0, {"_spec": spec, "label": spec.label,
                                  "value": _checked(spec.codec, spec.codec.encode(value))}))

    parts_t, phases_t, criteria_t = table(PARTS), table(PHASES), table(CRITERIA)
    for i, part in enumerate(_require_list(rules.get("parts"), "contest.rules.parts")):
        parts_t.rows.append(_encode_row(PARTS, part))
        key = part.get("key")
        for child, ct, sheet, path in (("phases", phases_t, PHASES, "phases"),
                                       ("criteria", criteria_t, CRITERIA, "criteria")):
            for item in _require_list(part.get(child), f"contest.rules.parts[{i}].{path}"):
                ct.rows.append(_encode_row(sheet, item, key))
    prizes_t = table(PRIZES)
    prizes = rules.get("prizes") if isinstance(rules.get("prizes"), dict) else {}
    for kind in _PRIZE_KINDS:
        for item in _require_list(prizes.get(kind), f"contest.rules.prizes.{kind}"):
            prizes_t.rows.append(_encode_row(PRIZES, item, kind))
    units_t = table(UNITS)
    for item in _require_list(contest.get("units"), "contest.units"):
        units_t.rows.append(_encode_row(UNITS, item))
    teams_t, members_t = table(TEAMS), table(MEMBERS)
    for i, team in enumerate(_require_list(contest.get("teams"), "contest.teams")):
        teams_t.rows.append(_encode_row(TEAMS, team))
        for item in _require_list(team.get("members"), f"contest.teams[{i}].members"):
            members_t.rows.append(_encode_row(MEMBERS, item, team.get("key")))
    judges_t = table(JUDGES)
    for item in _require_list(contest.get("judges"), "contest.judges"):
        judges_t.rows.append(_encode_row(JUDGES, item))
    questions_t, follow_t = table(QUESTIONS), table(FOLLOW_UPS)
    for i, q in enumerate(_require_list(contest.get("questions"), "contest.questions")):
        questions_t.rows.append(_encode_row(QUESTIONS, q))
        for n, item in enumerate(_require_list(q.get("follow_ups"),
                                               f"contest.questions[{i}].follow_ups"), 1):
            row = _encode_row(FOLLOW_UPS, item, q.get("key"))
            row.values["_order"] = n
            follow_t.rows.append(row)
    programme_t = table(PROGRAMME)
    for item in _require_list(contest.get("programme"), "contest.programme"):
        programme_t.rows.append(_encode_row(PROGRAMME, item))

    for sheet in (OFFICES, SCORES, NOMINATIONS, DECISIONS, AUDIT):
        key = _OPTIONAL_KEY[sheet.name]
        if key in contest and (isinstance(contest[key], list) or contest[key] is None):
            t = table(sheet)
            for item in _require_list(contest[key], f"contest.{key}"):
                t.rows.append(_encode_row(sheet, item))
    draws = contest.get("draws")
    if isinstance(draws, dict):
        draws_t, lots_t, drawn_t = table(DRAWS), table(LOTS), table(DRAWN)
        for kind, draw in draws.items():
            if not isinstance(draw, dict) or not isinstance(kind, str):
                continue
            draws_t.rows.append(_encode_row(DRAWS, draw, kind))
            if isinstance(draw.get("lots"), dict):
                for lot, value in draw["lots"].items():
                    lots_t.rows.append(_encode_lot(kind, lot, value))
            for item in _require_list(draw.get("drawn"), f"contest.draws.{kind}.drawn"):
                drawn_t.rows.append(_encode_row(DRAWN, item, kind))

    for t in tables.values():
        for row in t.rows:  # an empty cell is no cell, exactly as the reader will see it
            row.values = {k: v for k, v in row.values.items() if v is not None and v != ""}
        sheet = SHEETS.get(t.name)
        t.columns = _columns(sheet, t) if sheet else [("label", KV_HEADERS[0], 44),
                                                       ("value", KV_HEADERS[1], 60),
                                                       ("key", KV_HEADERS[2], 28)]
        t.headers_by_id = {cid: header for cid, header, _ in t.columns}
        for n, row in enumerate(t.rows, 2):
            row.num = n
            if sheet is None:
                row.values["key"] = _kv_key(row.values["_spec"])
    return tables


def _encode_lot(kind: str, lot: Any, value: Any) -> Row:
    row = Row(num=0, orig={"lot": lot, "value": value})
    row.values["_link"] = LOTS.link.codec.encode(kind)
    if isinstance(lot, str) and re.fullmatch(r"[1-9]\d{0,14}", lot):
        row.values["lot"] = int(lot)
    else:
        row.values["lot"] = _checked(Key(), Key().encode(lot))
    row.values["value"] = _checked(Text(), Text().encode(value))
    return row


def _columns(sheet: Sheet, table: Table) -> list[tuple[str, str, float]]:
    cols: list[tuple[str, str, float]] = []
    if sheet.link is not None:
        cols.append(("_link", sheet.link.header, sheet.link.width))
    for col in sheet.cols:
        if col.id == "_order":
            cols.insert(1, (col.id, col.header, col.width))
            continue
        cols.append((col.id, col.header, col.width))
        if sheet.choices and col.id == "text":
            n = max([4] + [1 + int(c.split(":")[1]) for r in table.rows for c in r.values
                           if c.startswith("choice:")])
            cols.extend((f"choice:{i}", f"Phương án {_choice_letter(i)}", 30) for i in range(n))
        if sheet.criteria and col.id == "part":
            keys: list[str] = []
            for r in table.rows:
                keys.extend(c[5:] for c in r.values if c.startswith("crit:") and c[5:] not in keys)
            cols.extend((f"crit:{k}", f"Tiêu chí: {k}", 12) for k in keys)
            cols.append(("_total", "Tổng", 10))
    return cols


def _choice_letter(i: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] if i < 26 else str(i + 1)


def _write_hook(table: Table, row: Row, item: dict) -> None:
    ops: list = []
    _diff(item, row.orig, [], ops)
    if ops:
        ops = _json_clone(ops)
        row.ops = ops
        _apply(item, ops)


def document_to_workbook(doc: dict) -> bytes:
    """The contest document as ``.xlsx`` bytes; :func:`workbook_to_document` gives it back."""
    if not isinstance(doc, dict):
        raise ContestError("Không ghi được tệp Excel: tài liệu hội thi phải là một đối tượng",
                           code=ERROR_CODE)
    tables = _tabulate(doc)
    try:
        rebuilt = _assemble(tables, _write_hook)
    except ContestError as exc:
        raise ContestError(f"Không ghi được tệp Excel: {exc.message}", field=exc.field,
                           code=ERROR_CODE) from None
    extra: list = []
    _diff(rebuilt, doc, [], extra)
    extra = _json_clone(extra)
    return _save(tables, extra)


def _save(tables: dict[str, Table], extra: list) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for name in SHEET_NAMES:
        table = tables.get(name)
        if table is None:
            continue
        ws = wb.create_sheet(name)
        headers = list(table.columns)
        has_meta = name not in KV_SHEETS
        if has_meta:
            headers.append((META_HEADER, META_HEADER, 10))
        for j, (cid, header, width) in enumerate(headers, 1):
            cell = ws.cell(1, j, header)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            dim = ws.column_dimensions[_letter(j)]
            dim.width = width
            if cid in (META_HEADER, "key") and (cid == META_HEADER or name in KV_SHEETS):
                dim.hidden = True
        ws.freeze_panes = "A2"
        for row in table.rows:
            for j, (cid, _, width) in enumerate(table.columns, 1):
                value = row.values.get(cid)
                if value is None or value == "":
                    continue
                cell = ws.cell(row.num, j)
                _put(cell, value)
                if isinstance(value, str) and (len(value) > width or "\n" in value):
                    cell.alignment = wrap
                elif isinstance(value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
                    cell.alignment = Alignment(horizontal="left", vertical="top")
                else:
                    cell.alignment = top
                    if cid == "amount" and isinstance(value, int):
                        cell.number_format = "#,##0"
            if has_meta and row.ops:
                for k, chunk in enumerate(_chunks(_dumps(row.ops))):
                    _put(ws.cell(row.num, len(table.columns) + 1 + k), chunk)
        if name in KV_SHEETS:
            ws.sheet_view.zoomScale = 100
    if extra:
        ws = wb.create_sheet(EXTRA_SHEET)
        ws.sheet_state = "hidden"
        ws.cell(1, 1, "_extra: [đường dẫn, [giá trị khi đọc] hoặc [], [giá trị gốc] hoặc []]")
        for n, op in enumerate(extra, 2):
            for k, chunk in enumerate(_chunks(_dumps(op)), 1):
                _put(ws.cell(n, k), chunk)
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _put(cell, value: Any) -> None:
    if isinstance(value, str):
        cell.value = _escape(value)
        cell.data_type = "s"      # a string, never a formula
    else:
        cell.value = value


# --------------------------------------------------------------------------- reading


def _bad_file(filename: str, why: str) -> ContestError:
    return ContestError(f"Tệp '{filename}': {why}", field=filename, code=ERROR_CODE)


def _open(data: bytes, filename: str):
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _bad_file(filename, "không có dữ liệu")
    data = bytes(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        hint = " (tệp .xls cũ: hãy mở bằng Excel và lưu lại dạng .xlsx)" \
            if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" else ""
        raise _bad_file(filename, f"không phải là tệp Excel .xlsx{hint}") from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _bad_file(filename, "tệp nén chứa quá nhiều thành phần")
    total = 0
    for info in infos:
        total += max(info.file_size, 0)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise _bad_file(filename, f"dữ liệu giải nén vượt quá "
                                      f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB; không mở")
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise _bad_file(filename, "không phải là bảng tính Excel .xlsx (thiếu xl/workbook.xml)")
    archive.close()
    try:
        from openpyxl import load_workbook
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise _bad_file(filename, f"bảng tính bị hỏng, không đọc được ({type(exc).__name__})") \
            from None


def _find_header(rows: list[tuple], known: set[str]) -> int | None:
    for i, row in enumerate(rows[:10]):
        hits = sum(1 for v in row if v is not None and _hfold(v) in known)
        if hits >= 2 or (hits == 1 and len([v for v in row if v not in (None, "")]) == 1):
            return i
    return None


def _sheet_rows(ws) -> list[tuple]:
    rows = []
    for n, row in enumerate(ws.iter_rows(values_only=True)):
        if n > MAX_ROWS:
            raise ContestError(f"Sheet '{ws.title}': quá {MAX_ROWS} dòng", code=ERROR_CODE)
        rows.append(tuple(_unescape(v) if isinstance(v, str) else v for v in row))
    while rows and all(v is None or v == "" for v in rows[-1]):
        rows.pop()
    return rows


def _read_list_table(sheet: Sheet, ws) -> Table:
    table = Table(sheet.name)
    rows = _sheet_rows(ws)
    aliases: dict[str, str] = {}
    cols = ([sheet.link] if sheet.link else []) + sheet.cols
    for col in cols:
        for name in (col.header, col.what) + col.aliases:
            aliases.setdefault(_hfold(name), col.id)
    if sheet.criteria:
        aliases.setdefault("tong", "_total")
    h = _find_header(rows, set(aliases) | {_hfold(META_HEADER)})
    if h is None:
        if not rows:
            return table
        raise ContestError(f"Sheet '{sheet.name}': không tìm thấy dòng tiêu đề (các cột "
                           + ", ".join(c.header for c in cols) + ")", code=ERROR_CODE)
    mapping: dict[int, str] = {}
    meta_at = None
    for j, header in enumerate(rows[h]):
        if header is None:
            continue
        text = str(header).strip()
        folded = _hfold(text)
        if text == META_HEADER:
            meta_at = j
            break
        cid = aliases.get(folded)
        if cid is None and sheet.choices:
            m = (re.fullmatch(r"(?:phuong an|lua chon|dap an lua chon) ?([a-z]|\d+)", folded)
                 or re.fullmatch(r"([a-j])", folded))
            if m:
                tag = m[1]
                cid = f"choice:{ord(tag) - 97 if tag.isalpha() else int(tag) - 1}"
        if cid is None and sheet.criteria and ":" in text and folded.startswith("tieu chi"):
            key = text.split(":", 1)[1].strip()
            if key:
                cid = f"crit:{key}"
        if cid is not None and cid not in mapping.values():
            mapping[j] = cid
            table.headers_by_id[cid] = text
    for col in cols:
        table.headers_by_id.setdefault(col.id, col.header)
        if col.required and col.id not in mapping.values():
            raise ContestError(f"Sheet '{sheet.name}': thiếu cột '{col.header}'",
                               field=sheet.name, code=ERROR_CODE)
    letters = {cid: _letter(j + 1) for j, cid in mapping.items()}
    for n, values in enumerate(rows[h + 1:], h + 2):
        row = Row(n, letters=letters)
        for j, cid in mapping.items():
            if j < len(values) and values[j] is not None:
                row.values[cid] = values[j]
        if meta_at is not None and meta_at < len(values):
            parts = [v for v in values[meta_at:] if isinstance(v, str)]
            row.meta = "".join(parts) or None
        if all(v is None or v == "" for k, v in row.values.items() if k != "_total"):
            continue
        table.rows.append(row)
    return table


def _read_kv_table(name: str, specs: list[KV], ws) -> Table:
    table = Table(name)
    rows = _sheet_rows(ws)
    by_key = {_kv_key(s): s for s in specs}
    by_key.update({s.path[-1]: s for s in specs if s.path[-1] not in by_key})
    by_label: dict[str, KV] = {}
    for s in specs:
        for label in (s.label,) + s.aliases:
            by_label.setdefault(_hfold(label), s)
    known = {_hfold(x) for x in KV_HEADERS} | {"truong", "gia tri", "ma", "noi dung"}
    h = _find_header(rows, known)
    cols = {"label": 0, "value": 1, "key": 2}
    start = 0
    if h is not None:
        start = h + 1
        for j, header in enumerate(rows[h]):
            folded = _hfold(header) if header is not None else ""
            if folded in ("truong", "noi dung"):
                cols["label"] = j
            elif folded == "gia tri":
                cols["value"] = j
            elif folded in ("ma", "ma truong", "khoa"):
                cols["key"] = j
    table.headers_by_id = {"value": "Giá trị", "label": "Trường", "key": "Mã"}
    letters = {cid: _letter(j + 1) for cid, j in cols.items()}
    for n, values in enumerate(rows[start:], start + 1):
        def at(cid):
            j = cols[cid]
            return values[j] if j < len(values) else None
        key, label = at("key"), at("label")
        spec = by_key.get(str(key).strip()) if key not in (None, "") else None
        if spec is None and label not in (None, ""):
            spec = by_label.get(_hfold(label))
        if spec is None:
            continue
        table.rows.append(Row(n, {"_spec": spec, "value": at("value")}, letters=letters))
    return table


def _read_extra(ws) -> list:
    ops = []
    for n, values in enumerate(ws.iter_rows(min_row=2, values_only=True), 2):
        text = "".join(_unescape(v) for v in values if isinstance(v, str))
        if not text:
            continue
        try:
            ops.append(json.loads(text))
        except ValueError:
            raise ContestError(f"Sheet '{EXTRA_SHEET}', dòng {n}: dữ liệu kỹ thuật bị hỏng",
                               code=ERROR_CODE) from None
    return ops


def workbook_to_document(data: bytes, filename: str = "hoithi.xlsx") -> dict:
    """Read a contest workbook (exported or filled in by hand) into a contest document."""
    wb = _open(data, filename)
    try:
        titles = {ws.title: ws for ws in wb.worksheets}
        by_fold = {_hfold(t): ws for t, ws in titles.items()}

        def sheet(name: str):
            return titles.get(name) or by_fold.get(_hfold(name))

        missing = [name for name in REQUIRED_SHEETS if sheet(name) is None]
        if missing:
            raise _bad_file(filename, "thiếu sheet " + ", ".join(f"'{m}'" for m in missing))
        tables: dict[str, Table] = {}
        for name, specs in KV_SHEETS.items():
            tables[name] = _read_kv_table(name, specs, sheet(name))
        for spec in LIST_SHEETS + OPTIONAL_SHEETS:
            ws = sheet(spec.name)
            if ws is not None:
                tables[spec.name] = _read_list_table(spec, ws)
        extra = _read_extra(titles[EXTRA_SHEET]) if EXTRA_SHEET in titles else []
    except ContestError:
        raise
    except Exception as exc:  # damaged XML inside a sheet, found while reading it
        raise _bad_file(filename, f"bảng tính bị hỏng, không đọc được ({type(exc).__name__})") \
            from None
    finally:
        wb.close()
    doc = _assemble(tables, None)
    root = {"": doc}
    _apply(root, [[[""] + op[0], op[1], op[2]] for op in extra
                  if isinstance(op, list) and len(op) == 3 and isinstance(op[0], list)])
    return root[""]
