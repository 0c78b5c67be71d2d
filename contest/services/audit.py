"""Writing the append-only audit log. Nothing here ever updates or deletes an entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where: 'organiser:admin', 'judge:j2', 'cli', ..."""

    name: str
    device: str = ""
    role: str = ""
    subject: str | None = None

    @classmethod
    def cli(cls) -> "Actor":
        return cls(name="cli", device="hoithi command", role="organiser")


def request_device() -> str:
    """Where the current request comes from: the tablet's own id (X-Hoithi-Device), address,
    browser; "" outside a request (the command line says who it is itself)."""
    from flask import has_request_context, request
    if not has_request_context():
        return ""
    parts = [request.headers.get("X-Hoithi-Device", "")[:40], request.remote_addr or "",
             request.headers.get("User-Agent", "")[:200]]
    return " · ".join(p for p in parts if p)


def record(contest_id: int, actor: Actor, action: str, target: str = "", *, old: Any = None,
           new: Any = None, reason: str = "") -> AuditEntry:
    entry = AuditEntry(contest_id=contest_id, actor=actor.name, device=actor.device[:300],
                       action=action, target=target[:300], old=old, new=new, reason=reason)
    db.session.add(entry)
    return entry


def entries(contest_id: int) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.contest_id == contest_id)
                                   .order_by(AuditEntry.id)))


def to_dict(e: AuditEntry) -> dict:
    return {"at": e.at.isoformat(timespec="milliseconds") + "Z", "actor": e.actor, "device": e.device,
            "action": e.action, "target": e.target, "old": e.old, "new": e.new, "reason": e.reason}
