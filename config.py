"""All configuration of Hội thi, in one place.

Every setting is read from a ``HOITHI_*`` environment variable with a default that works on
one laptop with no internet. Nothing else in the code reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"HOITHI_{name}", default)


def _bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    # Where the SQLite file, backups and edited document templates live.
    INSTANCE_PATH = _env("INSTANCE_PATH")
    # SQLAlchemy URL; empty means the SQLite file ``hoithi.sqlite`` in the instance folder.
    DATABASE_URL = _env("DATABASE_URL")
    SECRET_KEY = _env("SECRET_KEY")  # generated and kept in the instance folder when unset
    # Flask-SocketIO: "gevent" (production, many sockets) or "threading" (tests, debugging).
    ASYNC_MODE = _env("ASYNC_MODE", "gevent")
    # Redis URL for several server processes (``redis://127.0.0.1:6379/0``); unset = one process.
    MESSAGE_QUEUE = _env("MESSAGE_QUEUE")
    # Redis channel of the queue (also "#channel=NAME" at the end of MESSAGE_QUEUE): contests or
    # test runs sharing one Redis never hear each other.
    MESSAGE_QUEUE_CHANNEL = _env("MESSAGE_QUEUE_CHANNEL")
    # Public base URL printed on QR codes; unset = the LAN address found at start.
    PUBLIC_URL = _env("PUBLIC_URL")
    LANGUAGE = _env("LANGUAGE", "vi")
    # The hall's time zone: times on screens and in workbooks (the API keeps UTC, ISO 8601).
    TIMEZONE = _env("TIMEZONE", "Asia/Ho_Chi_Minh")
    LANGUAGES = ("vi", "en")
    MAX_UPLOAD_BYTES = int(_env("MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
    # Coalesce bursts of standings changes into one broadcast per this many milliseconds.
    BROADCAST_COALESCE_MS = int(_env("BROADCAST_COALESCE_MS", "60"))
    # Automatic SQLite backups every N minutes into instance/backups (0 = off).
    BACKUP_MINUTES = int(_env("BACKUP_MINUTES", "5"))
    RATELIMIT_LOGIN = _env("RATELIMIT_LOGIN", "10 per minute")
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_TOKENS = _env("RATELIMIT_TOKENS", "20 per minute")
    # Reverse proxies in front of the server (nginx: 1). Their X-Forwarded-For / -Proto are then
    # trusted, so rate limits and the audit log see each phone's address, not the proxy's; 0
    # (default) ignores those headers, which anyone could otherwise forge.
    PROXY_HOPS = int(_env("PROXY_HOPS", "0"))
    # Allowed Origin hosts for Socket.IO besides the server's own host ("*" = any).
    SOCKET_ORIGINS = _env("SOCKET_ORIGINS", "")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    TESTING = False

    @classmethod
    def as_dict(cls) -> dict:
        return {k: getattr(cls, k) for k in dir(cls) if k.isupper()}


class TestConfig(Config):
    TESTING = True
    ASYNC_MODE = "threading"
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = False
    BACKUP_MINUTES = 0
    BROADCAST_COALESCE_MS = 0
    MESSAGE_QUEUE = None


def default_instance_path() -> Path:
    return Path(Config.INSTANCE_PATH or Path.cwd() / "instance")
