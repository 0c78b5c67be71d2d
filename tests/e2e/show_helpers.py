"""Helpers for the live-show tests: a real `hoithi serve` on a SQLite file that was prepared
in-process (the demo imported, the tokens issued), which starts in a fraction of the time of
three CLI runs. Used by tests/e2e/test_show.py and tests/integration/test_stage_restart.py."""

from __future__ import annotations

import os
from pathlib import Path


def fast_server(tmp_path: Path, async_mode: str = "gevent"):
    from conftest import make_app, make_contest, tokens_of  # tests/conftest.py
    from support import Server, free_port  # tests/e2e/support.py

    from contest.extensions import db
    app = make_app(tmp_path)
    contest = make_contest(app)
    links = tokens_of(app, contest)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    url = app.config["DATABASE_URL"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    links = {k: _rebase(v, base) for k, v in links.items()}
    instance = tmp_path / "instance"
    env = dict(os.environ, HOITHI_DATABASE_URL=url, HOITHI_INSTANCE_PATH=str(instance),
               HOITHI_ASYNC_MODE=async_mode, HOITHI_PUBLIC_URL=base,
               HOITHI_RATELIMIT_ENABLED="0", HOITHI_BACKUP_MINUTES="0")
    server = Server(url=base, db=url, port=port, instance=instance, contest=contest,
                    links=links, env=env)
    server.start()
    return server


def _rebase(value, base: str):
    """The links were made for http://testserver: point them at the real server."""
    if isinstance(value, str):
        return value.replace("http://testserver", base)
    if isinstance(value, dict):
        return {k: _rebase(v, base) for k, v in value.items()}
    return value
