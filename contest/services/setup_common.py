"""Shared steps of the setup services: reading and checking a form's values, loading the
contest for a write with its revision check, and announcing a saved change."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any


from ..core.errors import Conflict, ContestError, NotFound
from ..core.rules import KEY_RE
from ..core.text import nfc
from ..extensions import db
from ..models import Contest
from .document import slug

DEFAULT_DOCUMENT = Path(__file__).resolve().parent.parent / "demo" / "kon-ray-2023.json"
STALE = "Dữ liệu đã được người khác thay đổi; hãy tải lại trang"
PROGRAMME_KINDS = ("plain", "contest", "results")
KIND_LABELS = {"member": "Thành viên", "guest": "Người được mời phối hợp"}


# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=1)
def _default_document() -> str:
    return DEFAULT_DOCUMENT.read_text(encoding="utf-8")


def default_rules() -> dict:
    """The rules of the Kon Rẫy 2023 contest: a new contest starts with them."""
    return json.loads(_default_document())["contest"]["rules"]


def default_programme() -> list:
    return json.loads(_default_document())["contest"].get("programme", [])


def clean_text(value: Any, field: str, label: str, *, required: bool = False,
               max_len: int = 300, multiline: bool = False) -> str:
    """NFC, trimmed, inner spaces collapsed; refused when required and empty, or too long."""
    text = nfc("" if value is None else str(value)).strip()
    if not multiline:
        text = " ".join(text.split())
    if required and not text:
        raise ContestError(f"{label}: không được để trống", field=field)
    if len(text) > max_len:
        raise ContestError(f"{label}: dài quá {max_len} ký tự", field=field)
    return text


def clean_key(value: Any, name: str, taken: set[str], what: str, prefix: str,
              field: str = "key") -> str:
    """The key typed, checked; or one made from the name when left empty."""
    key = nfc("" if value is None else str(value)).strip()
    if not key:
        return slug(name, set(taken), prefix)
    if not KEY_RE.match(key):
        raise ContestError(f"Mã '{key}': chỉ gồm chữ không dấu, số, '-', '_' hoặc '.' "
                           "(tối đa 64 ký tự, bắt đầu bằng chữ hoặc số)", field=field)
    if key in taken:
        raise ContestError(f"Mã '{key}' đã được dùng cho {what} khác", field=field)
    return key


def _contest_for_write(session, contest_id: int, revision: int | None) -> Contest:
    contest = session.get(Contest, contest_id)
    if contest is None:
        raise NotFound(f"Không có hội thi số {contest_id}")
    if revision is not None and int(revision) != contest.revision:
        raise Conflict(STALE, field="revision", code="stale")
    return contest


def get_contest(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        raise NotFound(f"Không có hội thi số {contest_id}")
    return contest


def _saved(contest: Contest) -> None:
    contest.revision = (contest.revision or 0) + 1


def _announce(contest_id: int, action: str, revision: int) -> None:
    """After commit: tell the staff screens that the setup changed (they may reload)."""
    from .. import live
    live.publish(contest_id, "setup", {"contest": contest_id, "action": action, "revision": revision},
                 staff_only=True)


def _row(session, model, contest_id: int, row_id: int, what: str):
    if not 0 < row_id < 2 ** 63:  # beyond any database integer: no such row
        raise NotFound(f"Không tìm thấy {what}")
    row = session.get(model, row_id)
    if row is None or row.contest_id != contest_id:
        raise NotFound(f"Không tìm thấy {what}")
    return row


def _parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if "/" in text:
            d, m, y = (int(x) for x in text.split("/"))
            return dt.date(y, m, d)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ContestError(f"Ngày '{text}' không hợp lệ (viết dd/mm/yyyy)", field="date") from None


