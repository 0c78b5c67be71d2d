"""The contest document (``format: "hoithi/1"``): one JSON document that describes a whole
contest, and its Excel form. This package reads and checks documents; it does not touch the
database (see :mod:`contest.services.document` for import and export).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from jsonschema import Draft202012Validator

from ..core.errors import ContestError

SCHEMA_PATH = Path(__file__).with_name("contest.schema.json")
MAX_JSON_BYTES = 20 * 1024 * 1024


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _path(error) -> str:
    parts = []
    for p in error.absolute_path:
        if isinstance(p, int):
            parts.append(f"[{p}]")
        else:
            parts.append(("." if parts else "") + str(p))
    return "".join(parts) or "(document)"


def _document_order(doc, path) -> list:
    """Where a path sits in the document: the position of each key in its object, so that the
    first bad field is the first one a reader would meet."""
    order, node = [], doc
    for step in path:
        if isinstance(node, dict):
            keys = list(node)
            order.append(keys.index(step) if step in node else len(keys))
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int):
            order.append(step)
            node = node[step] if step < len(node) else None
        else:
            order.append(0)
            node = None
    return order


def validate(doc) -> None:
    """Raise ContestError naming the path of the first field that breaks the JSON Schema."""
    errors = list(_validator().iter_errors(doc))
    if not errors:
        return
    errors.sort(key=lambda e: (_document_order(doc, list(e.absolute_path)), e.message))
    first = errors[0]
    # Within the first bad branch, the deepest error names the field most precisely.
    prefix = list(first.absolute_path)
    same_branch = [e for e in errors if list(e.absolute_path)[:len(prefix)] == prefix]
    error = max(same_branch, key=lambda e: len(e.absolute_path))
    path = _path(error)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        path = f"{path}.{missing}" if path != "(document)" else missing
        raise ContestError(f"{path}: thiếu trường bắt buộc", field=path, code="invalid_document")
    raise ContestError(f"{path}: {error.message}", field=path, code="invalid_document")


def parse_json(data: bytes, filename: str = "document.json"):
    if len(data) > MAX_JSON_BYTES:
        raise ContestError(f"{filename}: tệp quá lớn (tối đa {MAX_JSON_BYTES // 1024 // 1024} MB)",
                           field="file")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ContestError(f"{filename}: không phải văn bản UTF-8", field="file") from None
    except json.JSONDecodeError as exc:
        raise ContestError(f"{filename}: JSON lỗi ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}",
                           field="file") from None
    except RecursionError:
        raise ContestError(f"{filename}: JSON lồng nhau quá sâu", field="file") from None


def load_document(filename: str, data: bytes) -> dict:
    """Read a contest document from ``.json`` or ``.xlsx`` bytes and check it against the schema."""
    name = filename.lower()
    if name.endswith(".json"):
        doc = parse_json(data, filename)
    elif name.endswith(".xlsx"):
        from .workbook import workbook_to_document
        doc = workbook_to_document(data, filename)
    else:
        raise ContestError(f"{filename}: chỉ nhận tệp .json hoặc .xlsx", field="file")
    validate(doc)
    return doc


def dump_document(filename: str, doc: dict) -> bytes:
    name = filename.lower()
    if name.endswith(".json"):
        return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if name.endswith(".xlsx"):
        from .workbook import document_to_workbook
        return document_to_workbook(doc)
    raise ContestError(f"{filename}: chỉ xuất được .json hoặc .xlsx", field="file")
