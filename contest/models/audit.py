"""The append-only audit log: who changed what, when, from which device, old → new, why."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    device: Mapped[str] = mapped_column(String(300), default="")
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(300), default="")
    old: Mapped[dict | list | None] = mapped_column(JSON, default=None)
    new: Mapped[dict | list | None] = mapped_column(JSON, default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
