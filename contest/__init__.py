"""Hội thi: the web application.

``create_app(config)`` builds the Flask app: configuration from :mod:`config`, the database
(migrated on start), Flask-SocketIO (``async_mode`` and ``message_queue`` from config),
CSRF, Babel, Flask-Login, the rate limiter, the screens and the JSON API.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


ROOT = Path(__file__).resolve().parent.parent

log = logging.getLogger("hoithi")


def _load_config(app: "Flask", config: Any, overrides: dict) -> None:
    from config import Config

    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    app.config.update(overrides)

    instance = Path(app.config.get("INSTANCE_PATH") or app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config["INSTANCE_PATH"] = str(instance)
    url = app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'hoithi.sqlite'}"
    app.config["DATABASE_URL"] = url
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    from .database import engine_options
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(url))
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_BYTES"] + 64 * 1024
    if not app.config.get("SECRET_KEY"):
        key_file = instance / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            os.chmod(key_file, 0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    app.config["RATELIMIT_ENABLED"] = app.config.get("RATELIMIT_ENABLED", True)


def _instance_path(config: Any, overrides: dict) -> str:
    from config import default_instance_path

    for source in (overrides, config if isinstance(config, dict) else {}):
        if source.get("INSTANCE_PATH"):
            return str(Path(source["INSTANCE_PATH"]).resolve())
    value = getattr(config, "INSTANCE_PATH", None) if not isinstance(config, dict) else None
    return str(Path(value or default_instance_path()).resolve())


def create_app(config: Any = None, **overrides: Any) -> "Flask":
    from flask import Flask

    app = Flask(__name__, template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"), static_url_path="/static",
                instance_path=_instance_path(config, overrides))
    _load_config(app, config, overrides)

    from .extensions import babel, csrf, db, limiter, login_manager, socketio
    from .database import install_sqlite_hooks, migrate

    db.init_app(app)
    with app.app_context():
        install_sqlite_hooks(db.engine)
        migrate(app)

    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from .web.i18n import init_i18n
    init_i18n(app, babel)

    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config.get("MESSAGE_QUEUE") or None,
        cors_allowed_origins=_socket_origins(app),
        logger=False,
        engineio_logger=False,
        http_compression=False,
        compression_threshold=1 << 30,
        ping_interval=20,
        ping_timeout=25,
        max_http_buffer_size=1_000_000,
    )
    from .web import register
    register(app)
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        # outermost, so the Socket.IO middleware and every view see the client's address
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app


def _socket_origins(app: "Flask"):
    """Socket.IO origin check: same host by default, plus HOITHI_SOCKET_ORIGINS."""
    extra = [o.strip() for o in (app.config.get("SOCKET_ORIGINS") or "").split(",") if o.strip()]
    if "*" in extra:
        return "*"
    return extra or None
