"""The contest and its rules (stored as the rules object of the contest document)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.rules import Rules, rules_from_dict
from ..clock import utcnow
from ..extensions import db

if TYPE_CHECKING:
    from .people import Judge
    from .teams import Team


class Contest(db.Model):
    __tablename__ = "contest"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    organizer: Mapped[str] = mapped_column(String(300), default="")
    date: Mapped[dt.date | None]
    venue: Mapped[str] = mapped_column(String(300), default="")
    rules_data: Mapped[dict] = mapped_column(JSON)
    programme: Mapped[list] = mapped_column(JSON, default=list)
    documents: Mapped[dict | None] = mapped_column(JSON, default=None)
    results_public: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Bumped on every change to the contest's setup; forms send it back so a stale edit is a 409.
    revision: Mapped[int] = mapped_column(default=1)

    units: Mapped[list[Unit]] = relationship(back_populates="contest", cascade="all, delete-orphan",
                                             order_by="Unit.position")
    teams: Mapped[list[Team]] = relationship(back_populates="contest", cascade="all, delete-orphan",
                                             order_by="Team.position")
    judges: Mapped[list[Judge]] = relationship(back_populates="contest", cascade="all, delete-orphan",
                                               order_by="Judge.position")

    @property
    def rules(self) -> Rules:
        """The parsed rules, cached until ``rules_data`` is replaced."""
        cached = self.__dict__.get("_rules")
        if cached is None or cached[0] is not self.rules_data:
            cached = (self.rules_data, rules_from_dict(self.rules_data))
            self.__dict__["_rules"] = cached
        return cached[1]


def contest_id_of(contest: Contest | int) -> int:
    """The id of a contest (or the id itself), without loading the contest again: after a
    commit ``contest.id`` reloads the whole row, rules and programme included."""
    if isinstance(contest, int):
        return contest
    identity = sa_inspect(contest).identity
    return identity[0] if identity else contest.id


class Unit(db.Model):
    """A commune or town (xã, thị trấn) that sends a team."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("contest_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)

    contest: Mapped[Contest] = relationship(back_populates="units")


