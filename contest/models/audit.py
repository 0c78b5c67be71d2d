"""The append-only audit log: who changed what, when, from which device, old → new, why."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

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


class AuditIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete an audit entry (a bug, never user input)."""


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper, _connection, target: AuditEntry) -> None:
    raise AuditIsAppendOnly(f"audit entry {target.id} cannot be changed")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper, _connection, target: AuditEntry) -> None:
    raise AuditIsAppendOnly(f"audit entry {target.id} cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state) -> None:
    if (state.is_update or state.is_delete) and any(
            getattr(m, "class_", None) is AuditEntry for m in state.all_mappers):
        raise AuditIsAppendOnly("the audit log is append-only")
