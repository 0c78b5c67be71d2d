"""The spreadsheets: team rosters and the results minutes.

Vietnamese headers, bold header rows, set column widths, A4 print setup. Every text cell
goes through :func:`safe`: text that a spreadsheet would run as a formula (starting with
``= + - @``, a tab or a carriage return) gets a leading apostrophe and is stored as text,
so a name like ``=cmd|' /C calc'!A0`` is only ever shown.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from . import views
from .context import ContestView, clean, points

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(name="Times New Roman", bold=True, size=12)
NORMAL = Font(name="Times New Roman", size=12)
TITLE = Font(name="Times New Roman", bold=True, size=14)
ITALIC = Font(name="Times New Roman", italic=True, size=12)
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
MONEY = '#,##0" đ"'


def safe(value):
    """A value fit for a cell: numbers as they are, text cleaned and defused."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = clean(value) if not isinstance(value, str) or "\n" not in value else "\n".join(
        clean(x) for x in value.split("\n"))
    if text.startswith(FORMULA_START):
        text = "'" + text
    return text


def _put(ws, row: int, col: int, value, font=NORMAL, align=WRAP, border=None, fmt=None):
    cell = ws.cell(row=row, column=col)
    cell.value = safe(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"  # never a formula, whatever openpyxl guessed
    cell.font, cell.alignment = font, align
    if border is not None:
        cell.border = border
    if fmt:
        cell.number_format = fmt
    return cell


def _table(ws, row: int, headers: list[str], rows: list[list], formats: dict | None = None) -> int:
    """A bordered table with a bold header row; returns the next free row."""
    for c, h in enumerate(headers, 1):
        _put(ws, row, c, h, BOLD, CENTER, GRID)
    for r, values in enumerate(rows, row + 1):
        for c, v in enumerate(values, 1):
            _put(ws, r, c, v, NORMAL, WRAP if isinstance(v, str) else CENTER, GRID,
                 (formats or {}).get(c))
    return row + len(rows) + 2


def _widths(ws, widths: list[float]) -> None:
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _print_setup(ws, landscape: bool = False, title_rows: str | None = None) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left, ws.page_margins.right = 0.8, 0.5
    if title_rows:
        ws.print_title_rows = title_rows


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ------------------------------------------------------------------------------ roster
ROSTER_HEADERS = ["STT", "Đội thi", "Đơn vị dự thi", "Họ và tên", "Chức vụ", "Nơi công tác",
                  "Thành phần", "Phần thi tham gia"]


def roster_xlsx(doc: dict) -> bytes:
    """All members of all teams, one row each, header in row 1 (filterable)."""
    cv = ContestView(doc)
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách đội thi"
    rows, n = [], 0
    for team in views.roster_view(cv):
        for m in team["members"]:
            n += 1
            rows.append([n, team["name"], team["unit"], m["name"], m["position"], m["workplace"],
                         m["kind"], m["roles"]])
    _table(ws, 1, ROSTER_HEADERS, rows)
    _widths(ws, [6, 26, 22, 26, 30, 30, 22, 26])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(ROSTER_HEADERS))}{len(rows) + 1}"
    _print_setup(ws, landscape=True, title_rows="1:1")
    ws.oddHeader.center.text = safe(f"DANH SÁCH CÁC ĐỘI THI – {cv.name}")[:250]
    ws.oddFooter.center.text = "Trang &P / &N"

    summary = wb.create_sheet("Tổng hợp theo đội")
    srows = [[t["index"], t["name"], t["unit"], t["count"] - t["guests"], t["guests"], t["count"]]
             for t in views.roster_view(cv)]
    _table(summary, 1, ["STT", "Đội thi", "Đơn vị dự thi", "Thành viên",
                        "Người được mời phối hợp", "Tổng số"], srows)
    _widths(summary, [6, 30, 26, 14, 16, 12])
    summary.freeze_panes = "A2"
    _print_setup(summary)
    return _save(wb)


# ----------------------------------------------------------------------------- minutes
def minutes_xlsx(doc: dict, standings: dict, allocation: dict) -> bytes:
    """The results minutes: a summary sheet (every judge's totals per part, ranking, ties,
    awards, the jury's signature lines) and one sheet per part with every score sheet."""
    cv = ContestView(doc)
    s = cv.settings
    provisional = not standings.get("complete")
    judges = views.judges_view(cv)
    wb = Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    n_cols = max(4 + len(judges), 6 + len(cv.rules.parts))
    _put(ws, 1, 1, s["jury"], TITLE, Alignment(horizontal="left"))
    _put(ws, 2, 1, "BIÊN BẢN TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM", TITLE, Alignment(horizontal="left"))
    _put(ws, 3, 1, cv.name, BOLD, Alignment(horizontal="left"))
    _put(ws, 4, 1, ("KẾT QUẢ TẠM THỜI – chưa đủ phiếu chấm, chưa dùng để trao giải"
                    if provisional else "KẾT QUẢ CHÍNH THỨC – đủ phiếu chấm của tất cả giám khảo"),
         Font(name="Times New Roman", bold=True, size=12, color="C00000" if provisional else None),
         Alignment(horizontal="left"))
    _put(ws, 5, 1, f"{cv.place_date}", ITALIC, Alignment(horizontal="left"))
    row = 7
    _put(ws, row, 1, "I. ĐIỂM CHẤM CỦA TỪNG GIÁM KHẢO", BOLD, Alignment(horizontal="left"))
    row += 1
    for part in views.judge_matrix(cv, standings):
        _put(ws, row, 1, part["title"], BOLD, Alignment(horizontal="left"))
        raw = _raw_matrix(cv, part["key"], standings)
        row = _table(ws, row + 1, ["STT", "Đội thi"] + [j["name"] for j in judges] + ["Điểm phần thi"],
                     raw)
    _put(ws, row - 1, 1, views.aggregation_text(cv), ITALIC, Alignment(horizontal="left"))
    row += 1
    _put(ws, row, 1, "II. TỔNG HỢP KẾT QUẢ VÀ XẾP HẠNG", BOLD, Alignment(horizontal="left"))
    ranking = views.ranking_rows(cv, standings)
    rrows = [[_int(r["rank"]), r["team"], *[_val(v) for v in r["part_values"]],
              _val(r["penalty_value"]) or None, _val(r["total_value"]), r["note"]] for r in ranking]
    row = _table(ws, row + 1, ["Hạng", "Đội thi", *[clean(p.name) for p in cv.rules.parts],
                               "Trừ điểm", "Tổng điểm", "Ghi chú"], rrows)
    _put(ws, row - 1, 1, "III. CÁC TRƯỜNG HỢP BẰNG ĐIỂM, ĐỒNG HẠNG VÀ CÁCH GIẢI QUYẾT", BOLD,
         Alignment(horizontal="left"))
    notes = (views.rank_tie_notes(cv, standings) + views.resolved_tie_notes(cv, allocation)
             + [f"Chưa giải quyết: {n}" for n in views.pending_tie_notes(cv, allocation)])
    for note in notes or ["Không có trường hợp bằng điểm hoặc đồng hạng."]:
        _put(ws, row, 1, f"- {note}", NORMAL, Alignment(horizontal="left"))
        row += 1
    row += 1
    title = "IV. KẾT QUẢ ĐỀ NGHỊ KHEN THƯỞNG" + (" (TẠM THỜI)" if provisional else "")
    _put(ws, row, 1, title, BOLD, Alignment(horizontal="left"))
    awards = views.award_rows(cv, allocation)
    arows = [[i, a["prize"], a["name"], a["unit"], a["amount_value"], a["note"]]
             for i, a in enumerate(awards["all"], 1)]
    arows.append(["", "Tổng cộng", "", "", awards["total_value"], awards["total_words"]])
    row = _table(ws, row + 1, ["STT", "Giải", "Tập thể, cá nhân đạt giải", "Đơn vị",
                               "Tiền thưởng (đồng)", "Ghi chú"], arows, {5: MONEY})
    for note in views.pending_prize_notes(cv, allocation) + views.unawarded_notes(cv, allocation):
        _put(ws, row - 1, 1, f"- {note}", ITALIC, Alignment(horizontal="left"))
        row += 1
    row += 1
    _put(ws, row, 1, "CÁC THÀNH VIÊN BAN GIÁM KHẢO KÝ TÊN", BOLD, Alignment(horizontal="left"))
    row = _table(ws, row + 1, ["STT", "Họ và tên", "Chức vụ", "Nhiệm vụ", "Ký tên"],
                 [[j["index"], j["name"], j["title"], j["role"], ""] for j in judges])
    for r in range(row - 1 - len(judges), row - 1):
        ws.row_dimensions[r].height = 36
    _widths(ws, [8, 30] + [16] * (n_cols - 2))
    _print_setup(ws, landscape=True)

    for i, part in enumerate(cv.rules.parts, 1):
        _part_sheet(wb.create_sheet(f"Phần {i}"), cv, part)
    return _save(wb)


def _raw_matrix(cv: ContestView, part_key: str, standings: dict) -> list[list]:
    sheets = views.latest_sheets(cv)
    by_team = {t["team"]: t for t in standings.get("teams") or []}
    order = [t["team"] for t in standings.get("teams") or []]
    order += [t["key"] for t in cv.teams if t["key"] not in order]
    rows = []
    for i, key in enumerate(order, 1):
        cells = []
        for j in cv.judges:
            sheet = sheets.get((j["key"], key, part_key))
            cells.append(_val(views.sheet_total(sheet)) if sheet else "—")
        score = ((by_team.get(key) or {}).get("parts") or {}).get(part_key)
        rows.append([i, cv.team_name(key), *cells, _val(score) if score is not None else "—"])
    return rows


def _part_sheet(ws, cv: ContestView, part) -> None:
    _put(ws, 1, 1, f"{clean(part.name)} (tối đa {points(part.max)} điểm)", TITLE,
         Alignment(horizontal="left"))
    details = views.sheet_details(cv).get(part.key, [])
    crit = list(part.criteria)
    headers = (["STT", "Đội thi", "Giám khảo"]
               + [f"{clean(c.name)} (tối đa {points(c.max)})" for c in crit]
               + ["Tổng phiếu", "Nguồn", "Nhận xét"])
    rows = [[i, d["team"], d["judge"], *[_val(d["criteria"].get(c.key)) for c in crit],
             _val(d["total"]), "Phiếu giấy" if d["source"] == "paper" else "Máy tính bảng",
             d["comment"]] for i, d in enumerate(details, 1)]
    _table(ws, 3, headers, rows)
    _widths(ws, [6, 28, 24] + [14] * len(crit) + [12, 16, 30])
    ws.freeze_panes = "D4"
    _print_setup(ws, landscape=True, title_rows="3:3")


def _val(value):
    """A score as a number for the spreadsheet (int when whole)."""
    if value is None or value == "":
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def _int(text: str):
    return int(text) if str(text).isdigit() else text
