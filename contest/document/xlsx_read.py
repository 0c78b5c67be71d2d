"""Reading a contest workbook, exported or filled in by hand (:func:`workbook_to_document`).

Headers are matched ignoring case, diacritics and punctuation, within the first 10 rows;
blank rows are skipped. The archive is checked (size, entries) before openpyxl opens it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

from contest.core.errors import ContestError

from .xlsx_cells import hfold, unescape
from .xlsx_corrections import apply
from .xlsx_layout import (EXTRA_SHEET, KV, KV_HEADERS, KV_SHEETS, LIST_SHEETS, META_HEADER,
                          OPTIONAL_SHEETS, REQUIRED_SHEETS, Sheet, kv_key)
from .xlsx_tables import ERROR_CODE, Row, Table, assemble, column_letter

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 2000
MAX_ROWS = 200_000


def _bad_file(filename: str, why: str) -> ContestError:
    return ContestError(f"Tệp '{filename}': {why}", field=filename, code=ERROR_CODE)


def _damaged(filename: str, exc: Exception) -> ContestError:
    return _bad_file(filename, f"bảng tính bị hỏng, không đọc được ({type(exc).__name__})")


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
        raise _damaged(filename, exc) from None


def _find_header(rows: list[tuple], known: set[str]) -> int | None:
    for i, row in enumerate(rows[:10]):
        hits = sum(1 for v in row if v is not None and hfold(v) in known)
        if hits >= 2 or (hits == 1 and len([v for v in row if v not in (None, "")]) == 1):
            return i
    return None


def _sheet_rows(ws) -> list[tuple]:
    rows = []
    for n, row in enumerate(ws.iter_rows(values_only=True)):
        if n > MAX_ROWS:
            raise ContestError(f"Sheet '{ws.title}': quá {MAX_ROWS} dòng", code=ERROR_CODE)
        rows.append(tuple(unescape(v) if isinstance(v, str) else v for v in row))
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
            aliases.setdefault(hfold(name), col.id)
    if sheet.criteria:
        aliases.setdefault("tong", "_total")
    h = _find_header(rows, set(aliases) | {hfold(META_HEADER)})
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
        folded = hfold(text)
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
    letters = {cid: column_letter(j + 1) for j, cid in mapping.items()}
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
    by_key = {kv_key(s): s for s in specs}
    by_key.update({s.path[-1]: s for s in specs if s.path[-1] not in by_key})
    by_label: dict[str, KV] = {}
    for s in specs:
        for label in (s.label,) + s.aliases:
            by_label.setdefault(hfold(label), s)
    known = {hfold(x) for x in KV_HEADERS} | {"truong", "gia tri", "ma", "noi dung"}
    h = _find_header(rows, known)
    cols = {"label": 0, "value": 1, "key": 2}
    start = 0
    if h is not None:
        start = h + 1
        for j, header in enumerate(rows[h]):
            folded = hfold(header) if header is not None else ""
            if folded in ("truong", "noi dung"):
                cols["label"] = j
            elif folded == "gia tri":
                cols["value"] = j
            elif folded in ("ma", "ma truong", "khoa"):
                cols["key"] = j
    table.headers_by_id = {"value": "Giá trị", "label": "Trường", "key": "Mã"}
    letters = {cid: column_letter(j + 1) for cid, j in cols.items()}
    for n, values in enumerate(rows[start:], start + 1):
        def at(cid):
            j = cols[cid]
            return values[j] if j < len(values) else None
        key, label = at("key"), at("label")
        spec = by_key.get(str(key).strip()) if key not in (None, "") else None
        if spec is None and label not in (None, ""):
            spec = by_label.get(hfold(label))
        if spec is None:
            continue
        table.rows.append(Row(n, {"_spec": spec, "value": at("value")}, letters=letters))
    return table


def _read_extra(ws) -> list:
    ops = []
    for n, values in enumerate(ws.iter_rows(min_row=2, values_only=True), 2):
        text = "".join(unescape(v) for v in values if isinstance(v, str))
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
        by_fold = {hfold(t): ws for t, ws in titles.items()}

        def sheet(name: str):
            return titles.get(name) or by_fold.get(hfold(name))

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
        raise _damaged(filename, exc) from None
    finally:
        wb.close()
    doc = assemble(tables, None)
    root = {"": doc}
    apply(root, [[[""] + op[0], op[1], op[2]] for op in extra
                 if isinstance(op, list) and len(op) == 3 and isinstance(op[0], list)])
    return root[""]
