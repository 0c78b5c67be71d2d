"""The question bank's tables: contributing offices, questions, sealed lots and draws."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contest.clock import utcnow
from contest.extensions import db

STATUSES = ("submitted", "approved", "rejected", "used")


class Office(db.Model):
    """A district office that contributes questions (cơ quan soạn câu hỏi)."""

    __tablename__ = "office"
    __table_args__ = (UniqueConstraint("contest_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)


class Question(db.Model):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("contest_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(10), default="open")
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text, default="")
    field: Mapped[str] = mapped_column(String(300), default="")
    office: Mapped[str] = mapped_column(String(300), default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[float | None] = mapped_column(Numeric(10, 2), default=None)
    follow_ups: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LotSeal(db.Model):
    """Sealed lots: ``kind`` is "questions" (the quiz draw) or "order" (performance order)."""

    __tablename__ = "lot_seal"
    __table_args__ = (UniqueConstraint("contest_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="questions")
    salt: Mapped[str] = mapped_column(String(64))
    lots: Mapped[dict] = mapped_column(JSON)
    commitment: Mapped[str] = mapped_column(String(64))
    revealed: Mapped[bool] = mapped_column(default=False)
    sealed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Draw(db.Model):
    """A lot picked on stage. A lot can be drawn once: the unique constraint makes it so."""

    __tablename__ = "draw"
    __table_args__ = (UniqueConstraint("contest_id", "kind", "lot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="questions")
    lot: Mapped[int]
    team_key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
