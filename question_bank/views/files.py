"""Files in and out of the bank's pages. An import from either page: a file with rejected
rows is kept for a while (the *stash*, under the instance folder, named in the session) so
that "nhập các dòng hợp lệ" needs no second upload."""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import current_app, request, session

from contest.core.errors import ContestError

from .. import services
from .forms import actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STASH_SECONDS = 2 * 3600


def _stash_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stash(contest_id: int, filename: str, data: bytes) -> str:
    folder = _stash_dir()
    now = time.time()
    for old in folder.glob("bank-*"):
        try:
            if now - old.stat().st_mtime > STASH_SECONDS:
                old.unlink()
        except OSError:
            pass
    token = secrets.token_urlsafe(16)
    (folder / f"bank-{token}").write_bytes(data)
    stashes = dict(session.get("bank_uploads", {}))
    stashes = {k: v for k, v in stashes.items() if now - v.get("at", 0) < STASH_SECONDS}
    stashes[token] = {"contest": contest_id, "filename": filename, "at": now}
    session["bank_uploads"] = stashes
    return token


def _unstash(contest_id: int, token: str) -> tuple[str, bytes]:
    meta = session.get("bank_uploads", {}).get(token or "")
    path = _stash_dir() / f"bank-{token}"
    if not meta or meta.get("contest") != contest_id or not path.is_file():
        raise ContestError("Tệp đã gửi không còn được lưu tạm; hãy chọn và gửi lại tệp",
                           field="file", code="stash_expired")
    return meta["filename"], path.read_bytes()


def _drop_stash(token: str) -> None:
    stashes = dict(session.get("bank_uploads", {}))
    stashes.pop(token, None)
    session["bank_uploads"] = stashes
    try:
        (_stash_dir() / f"bank-{token}").unlink()
    except OSError:
        pass


def run_import(contest, principal, office):
    """The upload form: a new file, or the stashed one again with partial. Returns the report
    (with ``stash`` when rows were rejected and nothing was written)."""
    partial = request.form.get("partial") in ("1", "on", "true")
    token = request.form.get("stash", "")
    if token:
        filename, data = _unstash(contest.id, token)
    else:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ContestError("Tệp câu hỏi: hãy chọn tệp .xlsx, .docx hoặc .json", field="file")
        filename, data = os.path.basename(upload.filename.replace("\\", "/")), upload.read()
    report = services.import_questions(contest, filename, data, partial=partial, office=office,
                                       actor=actor(principal))
    report["partial"] = partial
    if report["rejected"] and not partial and report["ready"]:
        report["stash"] = token or _stash(contest.id, filename, data)
    elif token:
        _drop_stash(token)
    return report


def report_status(report: dict) -> int:
    """400 when a file brought rejected rows and nothing went in; 200 otherwise."""
    return 400 if report["rejected"] and not report["imported"] else 200
