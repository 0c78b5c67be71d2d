"""Writing the contest document as ``.xlsx`` bytes (:func:`document_to_workbook`).

The document is turned into tables (one row per item), the tables are read back in memory
exactly as :func:`contest.document.xlsx_read.workbook_to_document` will read them, and what
differs is stored in each row's hidden ``_meta`` cells or in the hidden ``_extra`` sheet.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from typing import Any

from contest.core.errors import ContestError

from .xlsx_cells import (ABSENT, BadCell, Codec, Key, Number, Text, chunks, escape, json_text,
                         tidy_number)
from .xlsx_corrections import apply, diff, get_path
from .xlsx_layout import (AUDIT, CRITERIA, DECISIONS, DRAWN, DRAWS, EXTRA_SHEET, FOLLOW_UPS, JUDGES,
                          KV_HEADERS, KV_SHEETS, LOTS, MEMBERS, META_HEADER, NOMINATIONS, OFFICES,
                          OPTIONAL_KEY, PARTS, PHASES, PRIZE_KINDS, PRIZES, PROGRAMME, QUESTIONS,
                          SCORES, SHEET_NAMES, SHEETS, TEAMS, UNITS, Sheet, kv_key)
from .xlsx_tables import ERROR_CODE, Row, Table, assemble, column_letter


def _json_clone(value: Any) -> Any:
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as exc:
        raise ContestError(f"Không ghi được tệp Excel: giá trị không biểu diễn được bằng JSON ({exc})",
                           code=ERROR_CODE) from None


def _encode_row(sheet: Sheet, item: dict, link: Any = ABSENT) -> Row:
    row = Row(num=0, orig=item)
    if sheet.link is not None:
        row.values["_link"] = sheet.link.codec.encode(link)
    for col in sheet.cols:
        if col.id.startswith("_"):
            continue
        value = get_path(item, *col.path)
        if value is not ABSENT:
            row.values[col.id] = _encoded(col.codec, value)
    if sheet.choices:
        choices = item.get("choices")
        if isinstance(choices, list):
            for i, choice in enumerate(choices):
                row.values[f"choice:{i}"] = _encoded(Text(), choice)
    if sheet.criteria:
        crit = item.get("criteria")
        if isinstance(crit, dict):
            for key, value in crit.items():
                if isinstance(key, str) and key.strip() == key and key:
                    row.values[f"crit:{key}"] = _encoded(Number(), value)
            total = [v for v in crit.values() if isinstance(v, (int, float))
                     and not isinstance(v, bool) and math.isfinite(v)]
            row.values["_total"] = tidy_number(sum(total)) if total else None
    return row


def _encoded(codec: Codec, value: Any) -> Any:
    """The value as a cell the reader accepts, else an empty cell (the _meta column then keeps
    the value)."""
    cell = codec.encode(value)
    if cell is None or cell == "":
        return None
    try:
        codec.read(cell)
    except BadCell:
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


def _encode_list(table: Table, sheet: Sheet, value: Any, path: str, link: Any = ABSENT) -> None:
    """One row per item of a list of the document (``path`` names it in messages)."""
    table.rows.extend(_encode_row(sheet, item, link) for item in _require_list(value, path))


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
            value = get_path(doc, *spec.path)
            if value is ABSENT:
                continue
            t.rows.append(Row(0, {"_spec": spec, "label": spec.label,
                                  "value": _encoded(spec.codec, value)}))

    parts_t, phases_t, criteria_t = table(PARTS), table(PHASES), table(CRITERIA)
    for i, part in enumerate(_require_list(rules.get("parts"), "contest.rules.parts")):
        parts_t.rows.append(_encode_row(PARTS, part))
        key = part.get("key")
        _encode_list(phases_t, PHASES, part.get("phases"), f"contest.rules.parts[{i}].phases", key)
        _encode_list(criteria_t, CRITERIA, part.get("criteria"),
                     f"contest.rules.parts[{i}].criteria", key)
    prizes_t = table(PRIZES)
    prizes = rules.get("prizes") if isinstance(rules.get("prizes"), dict) else {}
    for kind in PRIZE_KINDS:
        _encode_list(prizes_t, PRIZES, prizes.get(kind), f"contest.rules.prizes.{kind}", kind)
    _encode_list(table(UNITS), UNITS, contest.get("units"), "contest.units")
    teams_t, members_t = table(TEAMS), table(MEMBERS)
    for i, team in enumerate(_require_list(contest.get("teams"), "contest.teams")):
        teams_t.rows.append(_encode_row(TEAMS, team))
        _encode_list(members_t, MEMBERS, team.get("members"), f"contest.teams[{i}].members",
                     team.get("key"))
    _encode_list(table(JUDGES), JUDGES, contest.get("judges"), "contest.judges")
    questions_t, follow_t = table(QUESTIONS), table(FOLLOW_UPS)
    for i, q in enumerate(_require_list(contest.get("questions"), "contest.questions")):
        questions_t.rows.append(_encode_row(QUESTIONS, q))
        for n, item in enumerate(_require_list(q.get("follow_ups"),
                                               f"contest.questions[{i}].follow_ups"), 1):
            row = _encode_row(FOLLOW_UPS, item, q.get("key"))
            row.values["_order"] = n
            follow_t.rows.append(row)
    _encode_list(table(PROGRAMME), PROGRAMME, contest.get("programme"), "contest.programme")

    for sheet in (OFFICES, SCORES, NOMINATIONS, DECISIONS, AUDIT):
        key = OPTIONAL_KEY[sheet.name]
        if key in contest and (isinstance(contest[key], list) or contest[key] is None):
            _encode_list(table(sheet), sheet, contest[key], f"contest.{key}")
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
            _encode_list(drawn_t, DRAWN, draw.get("drawn"), f"contest.draws.{kind}.drawn", kind)

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
                row.values["key"] = kv_key(row.values["_spec"])
    return tables


def _encode_lot(kind: str, lot: Any, value: Any) -> Row:
    row = Row(num=0, orig={"lot": lot, "value": value})
    row.values["_link"] = LOTS.link.codec.encode(kind)
    if isinstance(lot, str) and re.fullmatch(r"[1-9]\d{0,14}", lot):
        row.values["lot"] = int(lot)
    else:
        row.values["lot"] = _encoded(Key(), lot)
    row.values["value"] = _encoded(Text(), value)
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
    diff(item, row.orig, [], ops)
    if ops:
        ops = _json_clone(ops)
        row.ops = ops
        apply(item, ops)


def document_to_workbook(doc: dict) -> bytes:
    """The contest document as ``.xlsx`` bytes; :func:`workbook_to_document` gives it back."""
    if not isinstance(doc, dict):
        raise ContestError("Không ghi được tệp Excel: tài liệu hội thi phải là một đối tượng",
                           code=ERROR_CODE)
    tables = _tabulate(doc)
    try:
        rebuilt = assemble(tables, _write_hook)
    except ContestError as exc:
        raise ContestError(f"Không ghi được tệp Excel: {exc.message}", field=exc.field,
                           code=ERROR_CODE) from None
    extra: list = []
    diff(rebuilt, doc, [], extra)
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
            dim = ws.column_dimensions[column_letter(j)]
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
                for k, chunk in enumerate(chunks(json_text(row.ops))):
                    _put(ws.cell(row.num, len(table.columns) + 1 + k), chunk)
        if name in KV_SHEETS:
            ws.sheet_view.zoomScale = 100
    if extra:
        ws = wb.create_sheet(EXTRA_SHEET)
        ws.sheet_state = "hidden"
        ws.cell(1, 1, "_extra: [đường dẫn, [giá trị khi đọc] hoặc [], [giá trị gốc] hoặc []]")
        for n, op in enumerate(extra, 2):
            for k, chunk in enumerate(chunks(json_text(op)), 1):
                _put(ws.cell(n, k), chunk)
    wb.active = 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _put(cell, value: Any) -> None:
    if isinstance(value, str):
        cell.value = escape(value)
        cell.data_type = "s"      # a string, never a formula
    else:
        cell.value = value
