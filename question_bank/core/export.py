"""The Excel files the bank gives out: the template offices fill in, and the bank export.

Both use the same Vietnamese headers the importer recognises, so an export (or a filled-in
template) reads back with :func:`~.importing.parse_file`. Every text cell goes through
:func:`~.fields.escape_cell`: text starting with = + - @ (or a tab or CR) gets a leading
single quote, so no spreadsheet ever runs it as a formula; the importer removes that quote.
Points are written as numbers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .fields import KIND_LABELS, STATUS_LABELS, escape_cell
from .model import LETTERS, FollowUp, QuestionData, points_to_json

HEADER_ROW = 4  # title, subtitle and a blank row above the header

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
_FONT = "Times New Roman"

EXAMPLES = (
    QuestionData(
        kind="open",
        text="Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030 được "
             "ban hành kèm theo văn bản nào?",
        answer="Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ.",
        field="Cải cách hành chính chung", office="Phòng Nội vụ",
        basis="Nghị quyết số 76/NQ-CP ngày 15/7/2021", points=Decimal(20),
        follow_ups=(FollowUp("Chương trình gồm mấy nội dung cải cách?", "Sáu nội dung.",
                             Decimal(10)),)),
    QuestionData(
        kind="choice", text="Văn bản nào quy định về công tác văn thư hiện hành?",
        choices=("Nghị định số 30/2020/NĐ-CP", "Nghị định số 110/2004/NĐ-CP",
                 "Luật Lưu trữ năm 2011", "Thông tư số 01/2011/TT-BNV"),
        answer="A", field="Cải cách thể chế", office="Phòng Nội vụ",
        basis="Nghị định số 30/2020/NĐ-CP ngày 05/3/2020", points=Decimal(20)),
)

# (column header, width, note for the "Hướng dẫn" sheet, required)
_NOTES = {
    "STT": (6, "Số thứ tự (không bắt buộc).", "Không"),
    "Mã": (10, "Mã câu hỏi trong ngân hàng (do phần mềm ghi khi xuất).", "Không"),
    "Loại": (12, "'Tự luận' hoặc 'Trắc nghiệm'. Để trống thì phần mềm tự nhận: có phương án "
                 "là trắc nghiệm.", "Không"),
    "Câu hỏi": (60, "Nội dung câu hỏi chính. Các phương án cũng có thể viết ngay trong ô này, "
                    "mỗi phương án một dòng bắt đầu bằng 'A.', 'B.'...", "Có"),
    "Phương án": (28, "Nội dung từng phương án của câu trắc nghiệm (ít nhất A và B).",
                  "Với câu trắc nghiệm"),
    "Đáp án / Gợi ý trả lời": (45, "Câu trắc nghiệm: chữ cái của phương án đúng (A, B, C hoặc "
                                   "D). Câu tự luận: đáp án hoặc gợi ý trả lời.", "Có"),
    "Lĩnh vực": (22, "Lĩnh vực, chủ đề của câu hỏi.", "Không"),
    "Cơ quan soạn": (22, "Cơ quan, đơn vị soạn câu hỏi.", "Không"),
    "Văn bản căn cứ": (32, "Văn bản pháp luật làm căn cứ cho câu hỏi.", "Không"),
    "Điểm": (8, "Số điểm của câu hỏi chính, ví dụ 20 hoặc 20,5.", "Không"),
    "Câu hỏi phụ": (40, "Câu hỏi phụ (nếu có), Ban Giám khảo hỏi thêm sau câu hỏi chính.",
                    "Không"),
    "Đáp án câu hỏi phụ": (36, "Đáp án hoặc gợi ý trả lời của câu hỏi phụ.",
                           "Khi có câu hỏi phụ"),
    "Điểm câu hỏi phụ": (10, "Số điểm của câu hỏi phụ, ví dụ 10.", "Không"),
    "Trạng thái": (12, "Chờ duyệt, Đã duyệt, Không duyệt, Đã sử dụng.", "Không"),
}


def _safe(value: object) -> object:
    if isinstance(value, str):
        return escape_cell(ILLEGAL_CHARACTERS_RE.sub("", value)) or None
    return value


def _columns(n_choices: int, n_follow_ups: int, *, bank: bool) -> list[str]:
    columns = ["STT"] + (["Mã"] if bank else []) + ["Loại", "Câu hỏi"]
    columns += [f"Phương án {LETTERS[i]}" for i in range(n_choices)]
    columns += ["Đáp án / Gợi ý trả lời", "Lĩnh vực", "Cơ quan soạn", "Văn bản căn cứ", "Điểm"]
    for n in range(1, n_follow_ups + 1):
        suffix = "" if n == 1 else f" {n}"
        columns += [f"Câu hỏi phụ{suffix}", f"Đáp án câu hỏi phụ{suffix}",
                    f"Điểm câu hỏi phụ{suffix}"]
    if bank:
        columns.append("Trạng thái")
    return columns


def _width(header: str) -> int:
    base = header.rstrip("0123456789 ")
    if base.startswith("Phương án"):
        base = "Phương án"
    return _NOTES.get(base, (14,))[0]


def _row(number: int, q: QuestionData, n_choices: int, n_follow_ups: int, *, bank: bool
         ) -> list[object]:
    row: list[object] = [number] + ([q.key or ""] if bank else [])
    row += [KIND_LABELS.get(q.kind, q.kind), q.text]
    row += [q.choices[i] if i < len(q.choices) else "" for i in range(n_choices)]
    row += [q.answer, q.field, q.office, q.basis, points_to_json(q.points)]
    for i in range(n_follow_ups):
        f = q.follow_ups[i] if i < len(q.follow_ups) else None
        row += [f.text, f.answer, points_to_json(f.points)] if f else ["", "", None]
    if bank:
        row.append(STATUS_LABELS.get(q.status, q.status))
    return row


def _sheet(book: Workbook, title: str, subtitle: str, columns: list[str],
           rows: Sequence[list[object]]):
    sheet = book.active
    sheet.title = "Câu hỏi"
    last = get_column_letter(len(columns))
    sheet["A1"] = _safe(title.upper())
    sheet["A1"].font = Font(name=_FONT, bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = _safe(subtitle)
    sheet["A2"].font = Font(name=_FONT, italic=True, size=11)
    sheet["A2"].alignment = Alignment(horizontal="center", wrap_text=True)
    sheet.merge_cells(f"A2:{last}2")
    sheet.row_dimensions[2].height = 30
    for col, header in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = Font(name=_FONT, bold=True, size=12)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = _width(header)
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=col, value=_safe(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            cell.font = Font(name=_FONT, size=12)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(rows), 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    return sheet


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_xlsx(questions: list[QuestionData], *, title: str = "Ngân hàng câu hỏi") -> bytes:
    """The bank (or part of it) as a workbook, one question per row, with keys and status."""
    n_choices = max([4] + [len(q.choices) for q in questions])
    n_follow_ups = max([1] + [len(q.follow_ups) for q in questions])
    columns = _columns(n_choices, n_follow_ups, bank=True)
    rows = [_row(i, q, n_choices, n_follow_ups, bank=True) for i, q in enumerate(questions, 1)]
    book = Workbook()
    _sheet(book, title, f"Tổng số: {len(questions)} câu hỏi", columns, rows)
    return _save(book)


def template_xlsx() -> bytes:
    """The template offices download: a title, the headers, two example rows (an open and a
    multiple-choice question, to be replaced) and a "Hướng dẫn" sheet explaining each column.
    """
    columns = _columns(4, 1, bank=False)
    examples = [_row(i, q, 4, 1, bank=False) for i, q in enumerate(EXAMPLES, start=1)]
    book = Workbook()
    sheet = _sheet(book, "Mẫu nhập câu hỏi hội thi",
                   "Mỗi câu hỏi một dòng, ghi từ dòng 5. Hai dòng dưới đây là ví dụ, hãy xóa hoặc "
                   "ghi đè. Xem trang 'Hướng dẫn' để biết cách ghi từng cột.", columns, examples)
    kinds = DataValidation(type="list", formula1='"Tự luận,Trắc nghiệm"', allow_blank=True)
    kinds.add(f"{get_column_letter(columns.index('Loại') + 1)}{HEADER_ROW + 1}:"
              f"{get_column_letter(columns.index('Loại') + 1)}2000")
    sheet.add_data_validation(kinds)
    notes = book.create_sheet("Hướng dẫn")
    notes["A1"] = "HƯỚNG DẪN GHI TỆP CÂU HỎI"
    notes["A1"].font = Font(name=_FONT, bold=True, size=14)
    notes["A2"] = ("Không đổi tên các cột ở dòng tiêu đề. Dùng phông chữ Unicode (Times New "
                   "Roman), không dùng bảng mã TCVN3 (.VnTime) hay VNI. Không dùng công thức.")
    notes["A2"].alignment = Alignment(wrap_text=True)
    notes.merge_cells("A2:C2")
    notes.row_dimensions[2].height = 45
    for col, (header, width) in enumerate((("Cột", 26), ("Bắt buộc", 18), ("Cách ghi", 80)), 1):
        cell = notes.cell(row=4, column=col, value=header)
        cell.font = Font(name=_FONT, bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        notes.column_dimensions[get_column_letter(col)].width = width
    shown = [c for c in _NOTES if c not in ("Mã", "Trạng thái")]
    for r, name in enumerate(shown, start=5):
        _, note, required = _NOTES[name]
        label = "Phương án A, B, C, D" if name == "Phương án" else name
        for col, value in enumerate((label, required, note), start=1):
            cell = notes.cell(row=r, column=col, value=value)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    return _save(book)
