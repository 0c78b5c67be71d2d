"""Who may do what: organiser accounts (password) and access tokens (QR links).

A token is a random string of at least 128 bits from :mod:`secrets`. It is what a judge's QR
card, the MC's link and an office's submission link carry. Tokens are stored so the cards can
be printed again, and can be revoked; they are never logged.
"""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..extensions import db

ROLES = ("organiser", "mc", "judge", "office")


class User(UserMixin, db.Model):
    """An organiser's account (Ban Tổ chức / Thư ký)."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"user:{self.id}"


class AccessToken(db.Model):
    """A link with a token. ``subject`` is the judge's or the office's key for those roles."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str | None] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(80), unique=True)
    label: Mapped[str] = mapped_column(String(300), default="")
    revoked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def get_id(self) -> str:
        return f"token:{self.id}"
