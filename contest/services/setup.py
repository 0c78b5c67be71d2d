"""First start: the first organiser account and the demo contest."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core.errors import ContestError
from ..database import write_transaction
from ..extensions import db
from ..models import Contest, User
from .audit import Actor


def ensure_organiser() -> str | None:
    """Create the account ``admin`` with a random password when there is no account at all.
    Returns the password (to print once) or None when an account exists."""
    if db.session.scalar(select(func.count(User.id))):
        return None
    password = secrets.token_urlsafe(9)
    try:
        with write_transaction() as session:
            # Checked again inside the write lock: another process may have just created it.
            if session.scalar(select(func.count(User.id))):
                return None
            user = User(username="admin")
            user.set_password(password)
            session.add(user)
    except IntegrityError:
        # Two processes started at the same moment on PostgreSQL: the other one won.
        db.session.rollback()
        return None
    return password


def set_password(username: str, password: str) -> User:
    username = username.strip()
    if not username or len(username) > 80:
        raise ContestError("Tên đăng nhập phải có từ 1 đến 80 ký tự", field="username")
    if len(password) < 8:
        raise ContestError("Mật khẩu phải có ít nhất 8 ký tự", field="password")
    with write_transaction() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username)
            session.add(user)
        user.set_password(password)
    return user


def load_demo(path: Path) -> int:
    """Import the demo contest unless a contest of the same name is already there."""
    from .document import import_contest
    doc = json.loads(path.read_text(encoding="utf-8"))
    existing = db.session.scalar(select(Contest.id).where(Contest.name == doc["contest"]["name"]))
    if existing:
        return existing
    return import_contest(doc, Actor(name="demo", device="hoithi serve --demo")).id
