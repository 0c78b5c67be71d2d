"""Backups and rehearsal resets.

- ``backup_sqlite``: a consistent copy of the live SQLite database through SQLite's online
  backup API (readers and writers carry on), into ``instance/backups/``.
- ``backup_contest``: the whole contest as a contest document (works on PostgreSQL too).
- ``restore``: a backup file is restored by pointing ``--db`` at it (SQLite) or by
  ``hoithi import`` of the contest document; ``docs/reliability.md`` says how.
- ``rehearsal_reset``: after a rehearsal, clear scores, nominations, draws, decisions, locks
  and the stage, keeping teams, judges and questions; recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, update

from ..clock import utcnow
from ..core.errors import ContestError
from ..database import _write_lock, write_transaction
from ..extensions import db
from ..models import (Contest, Decision, Draw, LotSeal, Nomination, PartLock, Question, ScoreSheet,
                      SheetReceipt, StageRecord)
from .audit import Actor, record


def backup_dir() -> Path:
    path = Path(current_app.config["INSTANCE_PATH"]) / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stamp() -> str:
    return utcnow().strftime("%Y%m%d-%H%M%S-%f")


def backup_sqlite(target: Path | None = None) -> Path:
    """Copy the live SQLite database consistently; refuse on other databases."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        raise ContestError("Sao lưu tệp chỉ dùng cho SQLite; với PostgreSQL hãy dùng pg_dump "
                           "hoặc xuất hội thi ra tệp", field="database")
    target = target or backup_dir() / f"hoithi-{_stamp()}.sqlite"
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(str(target))
        try:
            with _write_lock:  # no write of this process in the middle of a page copy
                raw.driver_connection.backup(dest)
        finally:
            dest.close()
    finally:
        raw.close()
    return target


def backup_contest(contest: Contest, target: Path | None = None) -> Path:
    from .document import export_contest
    target = target or backup_dir() / f"contest-{contest.id}-{_stamp()}.json"
    target.write_text(json.dumps(export_contest(contest), ensure_ascii=False, indent=1), encoding="utf-8")
    return target


def prune(keep: int = 48) -> None:
    """Keep the newest ``keep`` automatic backups of each kind."""
    for pattern in ("hoithi-*.sqlite", "contest-*.json"):
        files = sorted(backup_dir().glob(pattern))
        for old in files[:-keep]:
            old.unlink(missing_ok=True)


def automatic_backups(app) -> None:
    """Background task: every HOITHI_BACKUP_MINUTES, a SQLite backup (and contest exports)."""
    from ..extensions import socketio
    minutes = app.config.get("BACKUP_MINUTES", 0)
    if not minutes:
        return

    def loop():
        while True:
            socketio.sleep(minutes * 60)
            with app.app_context():
                try:
                    if db.engine.dialect.name == "sqlite":
                        backup_sqlite()
                    else:
                        for contest in db.session.scalars(db.select(Contest)):
                            backup_contest(contest)
                    prune()
                except Exception:  # noqa: BLE001 - a failed backup must never stop the show
                    current_app.logger.exception("automatic backup failed")
                finally:
                    db.session.remove()

    socketio.start_background_task(loop)


def rehearsal_reset(contest: Contest, actor: Actor, reason: str = "") -> dict:
    """Back to the start after a rehearsal: teams, judges and questions untouched."""
    cid = contest.id
    with write_transaction() as session:
        counts = {
            "scores": session.execute(delete(ScoreSheet).where(ScoreSheet.contest_id == cid)).rowcount,
            "nominations": session.execute(delete(Nomination).where(Nomination.contest_id == cid)).rowcount,
            "draws": session.execute(delete(Draw).where(Draw.contest_id == cid)).rowcount,
            "decisions": session.execute(delete(Decision).where(Decision.contest_id == cid)).rowcount,
            "locks": session.execute(delete(PartLock).where(PartLock.contest_id == cid)).rowcount,
        }
        session.execute(delete(SheetReceipt).where(SheetReceipt.contest_id == cid))
        session.execute(delete(LotSeal).where(LotSeal.contest_id == cid, LotSeal.kind == "questions"))
        session.execute(update(Question).where(Question.contest_id == cid, Question.status == "used")
                        .values(status="approved"))
        stage = session.get(StageRecord, cid)
        if stage is not None:
            stage.state = {}
            stage.version = stage.version + 1
        record(cid, actor, "rehearsal.reset", contest.name, old=counts, reason=reason or "Kết thúc tổng duyệt")
    return counts


__all__ = ["backup_sqlite", "backup_contest", "rehearsal_reset", "automatic_backups", "prune", "dt"]
