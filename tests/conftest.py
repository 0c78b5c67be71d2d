"""Shared fixtures: an app on a throwaway database (SQLite always; PostgreSQL too when it is
reachable, and mandatory when HOITHI_REQUIRE_SERVICES=1 as in CI), clients, and factories.

Environment:
- HOITHI_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test)
- HOITHI_TEST_REDIS_URL (default redis://127.0.0.1:6379/0)
- HOITHI_REQUIRE_SERVICES=1 turns "skipped: not reachable" into a failure.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "contest" / "demo" / "kon-ray-2023.json"
PG_URL = os.environ.get("HOITHI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("HOITHI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE = os.environ.get("HOITHI_REQUIRE_SERVICES") == "1"
sys.path.insert(0, str(Path(__file__).resolve().parent / "e2e"))  # e2e helpers: `from support import ...`


def _unreachable(what: str, exc: Exception):
    message = f"{what} not reachable ({exc.__class__.__name__}); set it up or see README"
    if REQUIRE:
        pytest.fail(f"HOITHI_REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


_pg_state: dict = {}


def postgres_database() -> str:
    """A fresh, empty PostgreSQL database for one test; dropped at session end."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    if "error" in _pg_state:
        _unreachable("PostgreSQL", _pg_state["error"])
    try:
        admin = _pg_state.get("admin") or create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = f"hoithi_t_{uuid.uuid4().hex[:12]}"
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        _pg_state["error"] = exc
        _unreachable("PostgreSQL", exc)
    _pg_state["admin"] = admin
    _pg_state.setdefault("created", []).append(name)
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_databases():
    yield
    admin = _pg_state.get("admin")
    if admin is None:
        return
    from sqlalchemy import text
    with admin.connect() as conn:
        for name in _pg_state.get("created", []):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def redis_url() -> str:
    try:
        import redis
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        _unreachable("Redis", exc)
    return REDIS_URL


def make_app(tmp_path: Path, backend: str = "sqlite", **overrides):
    from config import TestConfig

    from contest import create_app
    url = overrides.pop("DATABASE_URL", None) or (
        postgres_database() if backend == "postgres" else f"sqlite:///{tmp_path / 'test.sqlite'}")
    settings = {"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": url, **overrides}
    return create_app(TestConfig, **settings)


@pytest.fixture(params=["sqlite", "postgres"])
def app(request, tmp_path):
    """The app on SQLite, and again on PostgreSQL (one database for the session, emptied
    after each test: much faster than a new database per test)."""
    if request.param == "postgres":
        application = make_app(tmp_path, DATABASE_URL=shared_postgres())
    else:
        application = make_app(tmp_path, "sqlite")
    yield application
    from contest.extensions import db
    with application.app_context():
        db.session.remove()
        if request.param == "postgres":
            _empty_postgres(db)
        db.engine.dispose()


def shared_postgres() -> str:
    if "shared" not in _pg_state:
        _pg_state["shared"] = postgres_database()
    return _pg_state["shared"]


def _empty_postgres(db) -> None:
    from sqlalchemy import text
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def sqlite_app(tmp_path):
    """The app on SQLite only (for tests of SQLite-specific behaviour or heavy ones)."""
    application = make_app(tmp_path, "sqlite")
    yield application
    from contest.extensions import db
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def demo_document() -> dict:
    return copy.deepcopy(json.loads(DEMO.read_text(encoding="utf-8")))


def make_contest(app, doc: dict | None = None) -> int:
    """Import a contest (the demo by default) and return its id."""
    from contest.services.document import import_contest
    with app.app_context():
        return import_contest(doc or demo_document()).id


def make_organiser(app, username: str = "thuky", password: str = "mat-khau-1") -> tuple[str, str]:
    from contest.services.setup import set_password
    with app.app_context():
        set_password(username, password)
    return username, password


def csrf_token(client, path: str = "/login") -> str:
    """Fetch a page and pull the CSRF token out of its form."""
    import re
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, app, username: str = "thuky", password: str = "mat-khau-1"):
    make_organiser(app, username, password)
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def tokens_of(app, contest_id: int) -> dict:
    from contest.services.links import links
    with app.app_context():
        return links(contest_id, "http://testserver")


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------- end-to-end fixtures

@pytest.fixture
def server(tmp_path):
    """A real `hoithi serve` (gevent) on a free port with the demo contest imported."""
    from support import start_server
    s = start_server(tmp_path)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    from support import CHROMIUM, CHROMIUM_ARGS
    if not Path(CHROMIUM).exists():
        if os.environ.get("HOITHI_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(locale="vi-VN")
    yield ctx
    ctx.close()


