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
Phần thi               Mã | Tên | Phạt quá giờ: điểm | Phạt quá giờ: mỗi số giây |
                       Bốc thăm câu hỏi (có/không; empty: not said)
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

This module is the public entry point; the work is done in:

=====================  =====================================================================
``xlsx_cells``         cell text, formula escaping, the codecs (Text, Key, Number, Date...)
``xlsx_layout``        the sheets and columns above, as data
``xlsx_corrections``   the ``_meta`` / ``_extra`` diff operations
``xlsx_tables``        rows and tables, and the document rebuilt from them (both directions)
``xlsx_write``         :func:`document_to_workbook`
``xlsx_read``          :func:`workbook_to_document`
=====================  =====================================================================
"""

from .xlsx_layout import SHEET_NAMES
from .xlsx_read import MAX_UNCOMPRESSED_BYTES, workbook_to_document
from .xlsx_write import document_to_workbook

__all__ = ["document_to_workbook", "workbook_to_document", "MAX_UNCOMPRESSED_BYTES",
           "SHEET_NAMES"]
