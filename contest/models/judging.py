"""Score sheets, nominations for individual prizes, part locks and the jury head's decisions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..clock import utcnow
from ..extensions import db


class ScoreSheet(db.Model):
    """One judge's sheet for one team and one part. ``client_id`` is the id the tablet made;
    the same id sent twice is the same sheet."""

    __tablename__ = "score_sheet"
    __table_args__ = (UniqueConstraint("contest_id", "judge_id", "team_id", "part_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    part_key: Mapped[str] = mapped_column(String(64))
    criteria: Mapped[dict] = mapped_column(JSON)
    total: Mapped[float] = mapped_column(Numeric(12, 4))
    client_id: Mapped[str] = mapped_column(String(100))
    comment: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(10), default="tablet")
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SheetReceipt(db.Model):
    """Every client id ever accepted, so a replayed old id answers the same and changes nothing."""

    __tablename__ = "sheet_receipt"
    __table_args__ = (UniqueConstraint("contest_id", "judge_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(100))
    answer: Mapped[dict] = mapped_column(JSON)


class Nomination(db.Model):
    __tablename__ = "nomination"
    __table_args__ = (UniqueConstraint("contest_id", "judge_id", "prize_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"))
    prize_key: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PartLock(db.Model):
    __tablename__ = "part_lock"
    __table_args__ = (UniqueConstraint("contest_id", "part_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    part_key: Mapped[str] = mapped_column(String(64))
    locked_by: Mapped[str] = mapped_column(String(200), default="")
    locked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Decision(db.Model):
    """A recorded decision of the jury head: a tie resolved, an overtime penalty confirmed."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
