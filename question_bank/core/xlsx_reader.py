"""Reading questions out of an Excel workbook (.xlsx) as offices really fill them in.

Every sheet is searched for a header row (title rows, merged cells and blank rows above it
are passed over); sheets without one (a "Hướng dẫn" note sheet) are ignored. Formulas are
never evaluated: the workbook is opened with ``data_only=False`` and a formula cell is read as
the literal text of its formula. Dates become "dd/mm/yyyy", whole numbers lose their ".0".
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from collections.abc import Sequence
from decimal import Decimal

from contest.core.errors import ContestError

from .headers import find_header
from .legacy import LEGACY_MESSAGE, any_legacy
from .result import ImportResult
from .rows import read_table
from .safezip import open_office_zip

MAX_COLUMNS = 40
MAX_SCAN_ROWS = 50_000
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def cell_text(value: object) -> str:
    """The text of a cell value as a person sees it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    text = getattr(value, "text", None)  # ArrayFormula and friends: their formula text
    return str(text if isinstance(text, str) else value)


def _rows(sheet, filename: str) -> list[tuple[int, list[str]]]:
    # The <dimension> a file declares may be wrong; trusting it would drop rows silently.
    if hasattr(sheet, "reset_dimensions"):
        sheet.reset_dimensions()
    rows: list[tuple[int, list[str]]] = []
    for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True),
                                    start=1):
        if number > MAX_SCAN_ROWS:
            if any(v is not None and str(v).strip() for v in values):
                raise ContestError(f"Tệp '{filename}': trang '{sheet.title}' có quá "
                                   f"{MAX_SCAN_ROWS} dòng, hãy chia nhỏ tệp", field="file",
                                   code="too_many_rows")
            continue
        rows.append((number, [cell_text(v) for v in values]))
    return rows


def read_xlsx(data: bytes, filename: str) -> ImportResult:
    """Read every question sheet of the workbook; raise ContestError for a bad file."""
    archive = open_office_zip(
        data, filename, what="Excel (.xlsx)", required="xl/workbook.xml",
        old_format="là tệp Excel 97-2003 (.xls) hoặc tệp được đặt mật khẩu; hãy mở bằng Excel, "
                   "bỏ mật khẩu nếu có và lưu lại dạng .xlsx")
    archive.close()
    from openpyxl import load_workbook  # imported late: the JSON path does not need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False,
                                 keep_links=False, keep_vba=False)
    except Exception as exc:  # a corrupt workbook, whatever the library trips on
        raise ContestError(f"Tệp '{filename}': tệp Excel bị hỏng, không đọc được "
                           f"({type(exc).__name__})", field="file", code="bad_file") from None
    try:
        sheets = []
        for sheet in book.worksheets:
            try:
                rows = _rows(sheet, filename)
            except ContestError:
                raise
            except Exception as exc:  # broken sheet XML
                raise ContestError(f"Tệp '{filename}': trang '{sheet.title}' bị hỏng, không "
                                   f"đọc được ({type(exc).__name__})", field="file",
                                   code="bad_file") from None
            sheets.append((sheet.title, rows))
    finally:
        book.close()
    return read_sheets(sheets, filename)


def read_sheets(sheets: Sequence[tuple[str, list[tuple[int, list[str]]]]],
                filename: str) -> ImportResult:
    """Read the question tables among ``sheets`` ((title, rows) pairs)."""
    found = [(title, rows, header) for title, rows in sheets
             if (header := find_header([cells for _, cells in rows])) is not None]
    if not found:
        top = [c for _, rows in sheets for _, cells in rows[:30] for c in cells if c]
        if any_legacy(*top):
            raise ContestError(f"Tệp '{filename}': {LEGACY_MESSAGE}", field="file",
                               code="legacy_encoding")
        raise ContestError(f"Tệp '{filename}': không tìm thấy dòng tiêu đề của bảng câu hỏi "
                           "(cần có cột 'Câu hỏi' và cột 'Đáp án'; hãy dùng tệp mẫu)",
                           field="file", code="no_header")
    result = ImportResult()
    for title, rows, header in found:
        if len(found) > 1:
            def where(n: int, title: str = title) -> str:
                return f"Trang '{title}', dòng {n}"
        else:
            def where(n: int) -> str:
                return f"Dòng {n}"
        result.add(*read_table(rows, header, where))
    return result
