"""The letterhead and signer of the organisers' documents (``Contest.documents``): the save
behind the "Văn bản" setup screen and ``PUT /api/v1/contests/<id>/setup/documents``.

Terms: a **setting** is one key of the table "Letterhead and signer" in docs/documents.md;
its **default** is what :class:`contest.documents.context.ContestView` derives from the
contest when the key is absent.

Policies
- Every setting but ``date`` is edited here (the documents' date is the contest's date, edited
  on the contest details screen). Keys this module does not edit (``date``, anything an
  imported document carried) are kept as they are.
- **Empty means the default.** An empty text or an empty list removes the key, so the
  documents fall back to the default; "" is never stored. (The documents would print an
  empty value that is present; the screen keeps it simple and never writes one.) ``draft``
  is stored only when false, its default being true.
- Text is NFC-normalised, control characters become spaces, outer blanks are trimmed and inner
  ones collapsed, except the number symbols, whose leading blank is where the number is
  written by hand ("      /QĐ-UBND") and is kept.
- Limits: one line up to 300 characters (the executors, one long sentence, 1,000); a list up
  to 40 entries of up to 1,000 characters each (a legal ground is long).
- A refused value is a :class:`ContestError` naming the key (``field``) and, in Vietnamese,
  the setting; nothing is written. A stale ``revision`` is a :class:`Conflict`.

This module does not render documents or pages.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..core.errors import ContestError
from ..core.text import nfc
from ..database import write_transaction
from ..models import Contest
from .audit import Actor, record
from .setup_common import _announce, _contest_for_write, _saved

LINE_MAX = 300
LIST_MAX = 40
ENTRY_MAX = 1000


@dataclass(frozen=True)
class Setting:
    """One key of ``contest.documents``: ``kind`` is "text", "symbol" (leading blank kept),
    "list" (one entry per line) or "flag"."""

    key: str
    label: str
    kind: str = "text"
    max_len: int = LINE_MAX


SETTINGS: tuple[Setting, ...] = (
    Setting("issuer", "Tên cơ quan ban hành"),
    Setting("issuer_parent", "Cơ quan chủ quản"),
    Setting("place", "Địa danh"),
    Setting("committee", "Tên Ban Tổ chức"),
    Setting("jury", "Tên Ban Giám khảo"),
    Setting("signer_on_behalf", "Thay mặt (TM.)"),
    Setting("signer_deputy", "Ký thay (KT.)"),
    Setting("signer_title", "Chức vụ người ký"),
    Setting("signer_name", "Họ tên người ký"),
    Setting("number_symbol", "Số, ký hiệu quyết định", "symbol"),
    Setting("awarder", "Thẩm quyền khen thưởng"),
    Setting("bases", "Căn cứ", "list"),
    Setting("proposer", "Người đề nghị"),
    Setting("funding", "Nguồn kinh phí"),
    Setting("executors", "Tổ chức thực hiện (Điều 3)", max_len=ENTRY_MAX),
    Setting("recipients", "Nơi nhận quyết định", "list"),
    Setting("draft", "Dự thảo", "flag"),
    Setting("report_number_symbol", "Số, ký hiệu báo cáo", "symbol"),
    Setting("report_to", "Kính gửi"),
    Setting("report_recipients", "Nơi nhận báo cáo", "list"),
    Setting("certificate_title", "Tên giấy khen"),
    Setting("certificate_give", "Dòng “TẶNG”"),
    Setting("certificate_reason", "Lý do khen"),
)
BY_KEY = {s.key: s for s in SETTINGS}

_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029")


def _no_controls(text: str) -> str:
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in nfc(text))


def _text(setting: Setting, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ContestError(f"{setting.label}: phải là một chuỗi chữ", field=setting.key)
    if setting.kind == "symbol":
        text = _no_controls(value).rstrip()
        text = text if text.strip() else ""
    else:
        text = " ".join(_no_controls(value).split())
    if len(text) > setting.max_len:
        raise ContestError(f"{setting.label}: dài quá {setting.max_len} ký tự", field=setting.key)
    return text


def _lines(setting: Setting, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        items: list = _LINE_BREAK.split(value)
    elif isinstance(value, list):
        items = value
        if not all(isinstance(x, str) for x in items):
            raise ContestError(f"{setting.label}: phải là danh sách các dòng chữ", field=setting.key)
    else:
        raise ContestError(f"{setting.label}: phải là danh sách các dòng chữ (mỗi dòng một mục)",
                           field=setting.key)
    lines = [" ".join(_no_controls(x).split()) for x in items]
    lines = [x for x in lines if x]
    if len(lines) > LIST_MAX:
        raise ContestError(f"{setting.label}: nhiều quá {LIST_MAX} dòng ({len(lines)} dòng)",
                           field=setting.key)
    for n, line in enumerate(lines, 1):
        if len(line) > ENTRY_MAX:
            raise ContestError(f"{setting.label}: dòng {n} dài quá {ENTRY_MAX} ký tự", field=setting.key)
    return lines


def _flag(setting: Setting, value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, bool):
        raise ContestError(f"{setting.label}: phải là true hoặc false", field=setting.key)
    return value


def clean_settings(data: dict) -> dict[str, Any]:
    """The settings to store from what was typed (every key of :data:`SETTINGS`; an absent
    one counts as empty): only non-empty values, ``draft`` only when false. Refuses unknown
    keys, wrong types and over-long values, naming the setting."""
    if not isinstance(data, dict):
        raise ContestError("Cài đặt văn bản phải là một đối tượng", field="documents")
    unknown = sorted(k for k in data if k not in BY_KEY)
    if unknown:
        raise ContestError(f"{unknown[0]}: không phải một cài đặt văn bản sửa được ở đây "
                           f"(các khóa: {', '.join(BY_KEY)})", field=str(unknown[0]))
    out: dict[str, Any] = {}
    for setting in SETTINGS:
        value = data.get(setting.key)
        if setting.kind == "list":
            lines = _lines(setting, value)
            if lines:
                out[setting.key] = lines
        elif setting.kind == "flag":
            if not _flag(setting, value):
                out[setting.key] = False
        else:
            text = _text(setting, value)
            if text:
                out[setting.key] = text
    return out


def merged(old: dict | None, settings: dict[str, Any]) -> dict | None:
    """``old`` with every key of :data:`SETTINGS` replaced by ``settings`` (removed when
    absent there); other keys kept. None when nothing is left."""
    kept = {k: v for k, v in (old or {}).items() if k not in BY_KEY} if isinstance(old, dict) else {}
    result = {**kept, **settings}
    return result or None


def save_documents(contest_id: int, revision: int | None, data: dict, actor: Actor) -> Contest:
    """Replace the contest's document settings with ``data`` (see :func:`clean_settings`)."""
    settings = clean_settings(data)
    with write_transaction() as session:
        contest = _contest_for_write(session, contest_id, revision)
        old = dict(contest.documents) if isinstance(contest.documents, dict) else contest.documents
        contest.documents = merged(old, settings)
        _saved(contest)
        record(contest.id, actor, "documents.update", "Văn bản", old=old, new=contest.documents)
        rev = contest.revision
    _announce(contest_id, "documents.update", rev)
    return contest


def defaults(contest: Contest) -> dict[str, Any]:
    """What each setting prints as when left empty: ``ContestView.settings`` computed with
    that key absent (and the others as stored, since some defaults follow them: the awarder
    follows the issuer, the report's recipients follow ``report_to``)."""
    from ..documents.context import ContestView
    stored = contest.documents if isinstance(contest.documents, dict) else {}
    base = {"name": contest.name, "organizer": contest.organizer or "",
            "date": contest.date.isoformat() if contest.date else None, "rules": contest.rules_data}
    out: dict[str, Any] = {}
    for setting in SETTINGS:
        given = {k: v for k, v in stored.items() if k != setting.key}
        value = ContestView({"contest": {**base, "documents": given}}).settings[setting.key]
        out[setting.key] = value.replace("\u00a0", " ") if isinstance(value, str) else value
    return out
