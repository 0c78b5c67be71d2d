"""The sheets as tables of rows, and the contest document rebuilt from them.

:func:`assemble` is the one reader of rows: :mod:`.xlsx_read` calls it on the rows of an
uploaded workbook, :mod:`.xlsx_write` on the rows it is about to write (with a hook that
records, per row, what the reader would get wrong). Errors name the sheet, the row and the
column (:class:`Ctx`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from contest.core.errors import ContestError

from .xlsx_cells import ABSENT, BadCell, Codec, Number, Text, hfold
from .xlsx_corrections import apply, get_path, set_path
from .xlsx_layout import (AUDIT, CONTEST_KV, CRITERIA, DECISIONS, DRAWN, DRAWS, FOLLOW_UPS,
                          FORMAT, JUDGES, KV, LOTS, MEMBERS, NOMINATIONS, OFFICES, OPTIONAL_KEY,
                          PARTS, PHASES, PRIZE_KINDS, PRIZES, PROGRAMME, QUESTIONS, RULES_KV,
                          SCORES, TEAMS, UNITS, Col, Sheet)

ERROR_CODE = "invalid_workbook"


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


def column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(index)


class Ctx:
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
        return self.decode(col.codec, cell, col.id)

    def decode(self, codec: Codec, cell: Any, cid: str) -> Any:
        try:
            return codec.read(cell)
        except BadCell as exc:
            raise self.fail(str(exc), cid) from None


# --------------------------------------------------------------------------- assembling


Hook = Callable[[Table, Row, dict], None]


def _decode_row(sheet: Sheet, table: Table, row: Row) -> dict:
    ctx = Ctx(table, row)
    item: dict = {}
    for col in sheet.cols:
        if col.id.startswith("_"):
            continue
        value = ctx.read(col, row.values.get(col.id))
        if value is not ABSENT:
            set_path(item, col.path, value)
        if col.id == "text" and sheet.choices:
            choices = _decode_choices(ctx, row, item)
            if choices is not ABSENT:
                item["choices"] = choices
    if sheet.criteria:
        item["criteria"] = _decode_criteria(ctx, row)
    return item


def _decode_choices(ctx: Ctx, row: Row, item: dict) -> Any:
    cells = {int(cid.split(":")[1]): Text(ABSENT).read(v) for cid, v in row.values.items()
             if cid.startswith("choice:")}
    cells = {i: v for i, v in cells.items() if v is not ABSENT}
    if not cells:
        kind = ctx.read(QUESTIONS.col("kind"), row.values.get("kind"))
        return [] if kind == "choice" else ABSENT
    return [cells.get(i, "") for i in range(max(cells) + 1)]


def _decode_criteria(ctx: Ctx, row: Row) -> dict:
    out = {}
    for cid, cell in row.values.items():
        if cid.startswith("crit:"):
            value = ctx.decode(Number(), cell, cid)
            if value is not ABSENT:
                out[cid[5:]] = value
    return out


def _finish(sheet: Sheet, table: Table, row: Row, item: dict, hook: Hook | None) -> dict:
    if sheet.order:
        ordered = {k: item[k] for k in sheet.order if k in item}
        ordered.update((k, v) for k, v in item.items() if k not in ordered)
        item.clear()
        item.update(ordered)
    if hook is not None:
        hook(table, row, item)
    else:
        apply(item, _parse_meta(table, row))
    ctx = Ctx(table, row)
    for col in sheet.cols:
        if col.required and not col.id.startswith("_") and get_path(item, *col.path) is ABSENT:
            raise ctx.fail(f"thiếu {col.what}")
    return item


def _parse_meta(table: Table, row: Row) -> list:
    if not row.meta:
        return []
    try:
        ops = json.loads(row.meta)
    except ValueError:
        raise Ctx(table, row).fail("cột _meta (dữ liệu kỹ thuật) bị hỏng; hãy xóa nội dung ô "
                                   "này") from None
    return ops if isinstance(ops, list) else []


def _link_value(sheet: Sheet, table: Table, row: Row) -> str:
    ctx = Ctx(table, row)
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
        ctx = Ctx(table, row)
        if not isinstance(key, str):
            raise ctx.fail(f"thiếu {sheet.col('key').what}")
        if key in index:
            raise ctx.fail(f"trùng {sheet.col('key').what} '{key}' "
                           f"(đã có ở dòng {out[index[key]][0].num})", "key")
        index[key] = len(out)
        out.append((row, item))
    return out, index


def _children(sheet: Sheet, table: Table | None, parents: list[tuple[Row, dict]],
              index: dict[str, int], parent_what: str, hook: Hook | None) -> dict[int, list]:
    """Child rows grouped by the index of their parent, in sheet order."""
    by_name: dict[str, list[int]] = {}
    for i, (_, p) in enumerate(parents):
        if isinstance(p.get("name"), str):
            by_name.setdefault(hfold(p["name"]), []).append(i)
    groups: dict[int, list[tuple[Row, dict]]] = {}
    for row in table.rows if table else []:
        ref = _link_value(sheet, table, row)
        i = index.get(ref)
        if i is None:
            named = by_name.get(hfold(ref), [])
            if len(named) != 1:
                raise Ctx(table, row).fail(f"không có {parent_what} '{ref}'", "_link")
            i = named[0]
        item = _decode_row(sheet, table, row)
        groups.setdefault(i, []).append((row, item))
    out: dict[int, list] = {}
    for i, entries in groups.items():
        if "_order" in {c.id for c in sheet.cols}:
            orders = [Ctx(table, r).read(sheet.col("_order"), r.values.get("_order"))
                      for r, _ in entries]
            if all(isinstance(o, (int, float)) for o in orders):
                entries = [e for _, _, e in sorted(
                    ((o, n, e) for n, (o, e) in enumerate(zip(orders, entries))),
                    key=lambda t: (t[0], t[1]))]
        out[i] = [_finish(sheet, table, r, item, hook) for r, item in entries]
    return out


def _grouped(sheet: Sheet, table: Table | None, hook: Hook | None,
             draws: dict[str, int] | None = None) -> dict[str, list[tuple[Row, dict]]]:
    """Rows grouped by a code column (prize kind, draw kind), in sheet order; with ``draws``,
    each code must name a row of the draw sheet."""
    out: dict[str, list[tuple[Row, dict]]] = {}
    for row in table.rows if table else []:
        kind = _link_value(sheet, table, row)
        if draws is not None and kind not in draws:
            raise Ctx(table, row).fail(f"không có loại bốc thăm '{kind}' trong sheet "
                                       f"'{DRAWS.name}'", "_link")
        item = _finish(sheet, table, row, _decode_row(sheet, table, row), hook)
        out.setdefault(kind, []).append((row, item))
    return out


def _nested(sheet: Sheet, children: dict[str, Sheet], parent_what: str,
            tables: dict[str, Table], hook: Hook | None) -> list:
    """Parent items (parts, teams, questions) with the lists of their child sheets inside."""
    parents, index = _parents(sheet, tables.get(sheet.name))
    groups = {key: _children(child, tables.get(child.name), parents, index, parent_what, hook)
              for key, child in children.items()}
    out = []
    for i, (row, item) in enumerate(parents):
        for key in children:
            item[key] = groups[key].get(i, [])
        out.append(_finish(sheet, tables[sheet.name], row, item, hook))
    return out


def _plain(sheet: Sheet, table: Table | None, hook: Hook | None) -> list:
    return [_finish(sheet, table, row, _decode_row(sheet, table, row), hook)
            for row in (table.rows if table else [])]


def _kv(specs: list[KV], table: Table | None, doc: dict) -> None:
    for row in table.rows if table else []:
        spec = row.values.get("_spec")
        if spec is None:
            continue
        value = Ctx(table, row).decode(spec.codec, row.values.get("value"), "value")
        if value is not ABSENT:
            set_path(doc, spec.path, value)


def assemble(tables: dict[str, Table], hook: Hook | None) -> dict:
    """Rebuild the document from the tables; ``hook`` (write side) computes each row's _meta."""
    doc: dict = {"format": FORMAT, "contest": {}}
    _kv(CONTEST_KV, tables.get("Hội thi"), doc)
    contest = doc["contest"]
    if not isinstance(contest, dict):  # pragma: no cover - _kv only writes scalars
        contest = doc["contest"] = {}
    rules = contest.setdefault("rules", {})
    _kv(RULES_KV, tables.get("Thể lệ"), doc)

    rules["parts"] = _nested(PARTS, {"phases": PHASES, "criteria": CRITERIA}, "phần thi",
                             tables, hook)
    prizes = _grouped(PRIZES, tables.get(PRIZES.name), hook)
    rules["prizes"] = {kind: [item for _, item in prizes.get(kind, [])] for kind in PRIZE_KINDS}

    contest["units"] = _plain(UNITS, tables.get(UNITS.name), hook)
    contest["teams"] = _nested(TEAMS, {"members": MEMBERS}, "đội", tables, hook)
    contest["judges"] = _plain(JUDGES, tables.get(JUDGES.name), hook)
    contest["questions"] = _nested(QUESTIONS, {"follow_ups": FOLLOW_UPS}, "câu hỏi", tables, hook)
    contest["programme"] = _plain(PROGRAMME, tables.get(PROGRAMME.name), hook)

    for sheet in (OFFICES, SCORES, NOMINATIONS, DECISIONS, AUDIT):
        if sheet.name in tables:
            contest[OPTIONAL_KEY[sheet.name]] = _plain(sheet, tables[sheet.name], hook)
    if DRAWS.name in tables:
        contest["draws"] = _draws(tables, hook)
    for key in ("offices", "scores", "nominations", "draws", "decisions", "audit"):
        if key in contest:  # export order
            contest[key] = contest.pop(key)
    return doc


def _draws(tables: dict[str, Table], hook: Hook | None) -> dict:
    table = tables[DRAWS.name]
    draws: list[tuple[str, Row, dict]] = []
    index: dict[str, int] = {}
    for row in table.rows:
        kind = _link_value(DRAWS, table, row)
        if kind in index:
            raise Ctx(table, row).fail(f"trùng loại bốc thăm '{kind}'", "_link")
        index[kind] = len(draws)
        draws.append((kind, row, _decode_row(DRAWS, table, row)))
    lots = {}
    for kind, items in _grouped(LOTS, tables.get(LOTS.name), hook, index).items():
        mapping: dict = {}
        for row, item in items:
            lot = item.get("lot")
            if lot in mapping:
                raise Ctx(tables[LOTS.name], row).fail(f"trùng lá thăm số '{lot}'", "lot")
            mapping[lot] = item.get("value")
        lots[kind] = mapping
    drawn = {kind: [item for _, item in items] for kind, items in
             _grouped(DRAWN, tables.get(DRAWN.name), hook, index).items()}
    out: dict = {}
    for kind, row, item in draws:
        item["lots"] = lots.get(kind, {})
        item["drawn"] = drawn.get(kind, [])
        out[kind] = _finish(DRAWS, table, row, item, hook)
    return out

