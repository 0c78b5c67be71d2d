"""The database layer: migrations match the models, SQLite writers never see "database is
locked", the published schema is the one the code uses."""

from __future__ import annotations

import threading
from pathlib import Path

from conftest import ROOT, make_contest


def test_published_schema_is_the_one_in_use():
    assert (ROOT / "docs/contest.schema.json").read_text() == (
        ROOT / "contest/document/contest.schema.json").read_text()


def test_migrations_match_the_models(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from contest.extensions import db
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], "models changed without a migration: " + repr(diff)[:500]


def test_sqlite_is_in_wal_mode(sqlite_app):
    from contest.extensions import db
    with sqlite_app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_many_writers_never_see_database_is_locked(sqlite_app, tmp_path):
    """Eight threads read then write, 25 times each, through write_transaction()."""
    from sqlalchemy import select

    from contest.database import write_transaction
    from contest.extensions import db
    from contest.models import Contest
    cid = make_contest(sqlite_app)
    errors: list[BaseException] = []

    def worker(n: int):
        with sqlite_app.app_context():
            try:
                for _ in range(25):
                    with write_transaction() as session:
                        contest = session.scalar(select(Contest).where(Contest.id == cid))
                        contest.revision = contest.revision + 1
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    with sqlite_app.app_context():
        assert db.session.get(Contest, cid).revision == 1 + 8 * 25


def test_two_processes_write_the_same_sqlite_file(tmp_path):
    """A CLI import while another process holds write transactions: both succeed."""
    import json
    import os
    import subprocess
    import sys
    db = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    env = dict(os.environ, HOITHI_DATABASE_URL=db, HOITHI_INSTANCE_PATH=str(tmp_path / "i"))
    demo = str(ROOT / "contest/demo/kon-ray-2023.json")
    procs = [subprocess.Popen([sys.executable, "-m", "contest.cli", "import", demo, "--json"], env=env,
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert sorted(json.loads(o[0])["contest"] for o in outs) == [1, 2, 3]
    assert Path(tmp_path / "shared.sqlite").exists()
