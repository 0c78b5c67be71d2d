"""Reading a file of questions sent by a contributing office: Excel, Word or JSON.

:func:`parse_file` takes the file's name and bytes and returns an :class:`ImportResult`: the
questions it could read, each with its row (Excel row number, question number in a Word file,
1-based index in a JSON list), and a :class:`Rejection` for every row it could not read, with
the reason in Vietnamese. Nothing is dropped silently: a row with content is either a question
or a rejection; blank rows and section headings are skipped.

Whole-file problems raise :class:`ContestError` naming the file: an unknown extension, a file
over the size limit, a file that is not what its extension says (a renamed file, an old .xls
or .doc), a zip bomb or an XML entity trick, broken JSON, no header row, legacy TCVN3/VNI
text throughout, more than :data:`MAX_QUESTIONS` questions.

What this module does not do: compare with the bank (:mod:`.dedupe`), store anything, decide
whether good rows of a file with bad ones are kept (the caller's ``--partial``).
"""

from __future__ import annotations

import json
import os

from contest.core.errors import ContestError
from contest.core.text import format_number, nfc

from .legacy import LEGACY_MESSAGE
from .model import question_from_dict
from .result import ImportResult, Rejection
from .xlsx_reader import read_xlsx

__all__ = ["EXTENSIONS", "MAX_QUESTIONS", "ImportResult", "Rejection", "parse_file", "read_json"]

MAX_QUESTIONS = 5000
EXTENSIONS = (".xlsx", ".docx", ".json")
_OLD = {".xls": "tệp Excel 97-2003 (.xls): hãy mở bằng Excel và lưu lại dạng .xlsx",
        ".doc": "tệp Word 97-2003 (.doc): hãy mở bằng Word và lưu lại dạng .docx"}


def _display_name(filename: str) -> str:
    name = os.path.basename(nfc(filename or "").replace("\\", "/")) or "(không tên)"
    return "".join(ch for ch in name if ch.isprintable())[:120]


def _mb(size: int) -> str:
    return f"{format_number(round(size / 1_000_000, 1))} MB"


def parse_file(filename: str, data: bytes, *, max_bytes: int = 5_000_000) -> ImportResult:
    """Read the questions of an uploaded ``.xlsx``, ``.docx`` or ``.json`` file."""
    name = _display_name(filename)
    extension = os.path.splitext(name)[1].lower()
    if extension in _OLD:
        raise ContestError(f"Tệp '{name}': {_OLD[extension]}", field="file", code="bad_file")
    if extension not in EXTENSIONS:
        raise ContestError(f"Tệp '{name}': chỉ nhận tệp Excel (.xlsx), Word (.docx) hoặc "
                           "JSON (.json)", field="file", code="bad_extension")
    if len(data) > max_bytes:
        raise ContestError(f"Tệp '{name}' nặng {_mb(len(data))}, vượt quá giới hạn "
                           f"{_mb(max_bytes)}", field="file", code="too_large")
    if not data:
        raise ContestError(f"Tệp '{name}' rỗng", field="file", code="bad_file")
    if extension == ".xlsx":
        result = read_xlsx(data, name)
    elif extension == ".docx":
        from .docx_reader import read_docx  # python-docx loads with the first Word file
        result = read_docx(data, name)
    else:
        result = read_json(data, name)
    if result.total() > MAX_QUESTIONS:
        raise ContestError(f"Tệp '{name}' có {format_number(result.total())} câu hỏi, vượt quá "
                           f"{format_number(MAX_QUESTIONS)} câu; hãy chia thành nhiều tệp",
                           field="file", code="too_many_rows")
    return result


def read_json(data: bytes, name: str) -> ImportResult:
    """A list of question objects, ``{"questions": [...]}`` or a whole contest document."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ContestError(f"Tệp '{name}': không phải văn bản UTF-8", field="file",
                           code="bad_json") from None
    except json.JSONDecodeError as exc:
        raise ContestError(f"Tệp '{name}': JSON không hợp lệ ở dòng {exc.lineno}, cột "
                           f"{exc.colno}: {exc.msg}", field="file", code="bad_json") from None
    except RecursionError:
        raise ContestError(f"Tệp '{name}': JSON lồng nhau quá sâu", field="file",
                           code="bad_json") from None
    items = document
    if isinstance(items, dict) and isinstance(items.get("contest"), dict):
        items = items["contest"]
    if isinstance(items, dict):
        items = items.get("questions")
    if not isinstance(items, list):
        raise ContestError(f"Tệp '{name}': cần một danh sách câu hỏi hoặc một đối tượng có "
                           "khóa \"questions\"", field="file", code="bad_json")
    if len(items) > MAX_QUESTIONS:
        raise ContestError(f"Tệp '{name}' có {format_number(len(items))} câu hỏi, vượt quá "
                           f"{format_number(MAX_QUESTIONS)} câu; hãy chia thành nhiều tệp",
                           field="file", code="too_many_rows")
    result = ImportResult()
    for index, item in enumerate(items, start=1):
        try:
            result.questions.append((index, question_from_dict(item, f"questions[{index - 1}]")))
        except ContestError as exc:
            reason = exc.message
            if exc.code == "legacy_encoding":
                reason = LEGACY_MESSAGE
            result.rejected.append(Rejection(index, f"Câu thứ {index}: {reason}"))
    return result
