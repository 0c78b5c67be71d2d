"""Database set-up: SQLite pragmas, write transactions, migrations on start.

SQLite under gevent: every SQLite call blocks the event loop, so write transactions are short,
serialised by one lock per process, and take SQLite's write lock up front
(``BEGIN IMMEDIATE``) so two writers never both read and then both try to upgrade (which fails
at once with "database is locked"). Reads use plain deferred transactions. Nothing emits or
does network I/O inside a write transaction: services commit, then publish.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db

_local = threading.local()
_write_lock = threading.RLock()


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}


def install_sqlite_hooks(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA busy_timeout=30000")  # first: the pragmas below may wait for a lock
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if getattr(_local, "immediate", False) else "BEGIN")


@contextmanager
def write_transaction():
    """Run the block as one short write transaction, committed at the end.

    Ends any read transaction the request had open, takes the process's write lock and, on
    SQLite, the database's write lock up front. Rolls back everything on any exception.
    Re-entrant: an inner block joins the outer transaction.
    """
    if getattr(_local, "depth", 0):
        _local.depth += 1
        try:
            yield db.session
        finally:
            _local.depth -= 1
        return
    with _write_lock:
        db.session.commit()  # close any open read transaction first
        _local.immediate = True
        _local.depth = 1
        try:
            yield db.session
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            _local.immediate = False
            _local.depth = 0


def migrate(app: Flask) -> None:
    """Bring the database schema up to date with Alembic (run on every start)."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["engine"] = db.engine
    with _write_lock:
        # Take SQLite's write lock up front: two processes starting at once (the server and a
        # CLI command) then wait for each other instead of failing with "database is locked".
        _local.immediate = True
        try:
            command.upgrade(cfg, "head")
        finally:
            _local.immediate = False
