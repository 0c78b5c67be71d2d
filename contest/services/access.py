"""Access links: one token for the organisers, one for the MC, one per judge and one per
contributing office. Tokens come from :mod:`secrets` (256 bits), can be revoked and re-issued,
and are never written to a log.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache

from sqlalchemy import bindparam, select

from ..core.errors import NotFound
from ..extensions import db
from ..models import AccessToken, Contest, Judge, Office


@dataclass(frozen=True)
class Principal:
    """Who a request or a socket is: role in ("organiser", "mc", "judge", "office", "audience")."""

    role: str
    contest_id: int | None = None
    subject: str | None = None  # judge key or office key
    name: str = ""
    head: bool = False  # a judge who is the jury head
    token_id: int | None = None

    @property
    def is_staff(self) -> bool:
        """Organisers, the MC and the jury see answers and hidden standings."""
        return self.role in ("organiser", "mc", "judge")

    def actor(self, device: str = ""):
        """The audit log's actor; the device defaults to the current request's."""
        from .audit import Actor, request_device
        device = device or request_device()
        who = f"{self.role}:{self.subject}" if self.subject else f"{self.role}:{self.name or '-'}"
        return Actor(name=who, device=device, role=self.role, subject=self.subject)


AUDIENCE = Principal(role="audience")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def ensure_tokens(contest: Contest) -> None:
    """Create every missing token of the contest (inside the caller's write transaction)."""
    existing = {(t.role, t.subject) for t in db.session.scalars(
        select(AccessToken).where(AccessToken.contest_id == contest.id, AccessToken.revoked.is_(False)))}
    wanted = [("organiser", None, "Ban Tổ chức"), ("mc", None, "Người dẫn chương trình")]
    wanted += [("judge", j.key, j.name) for j in db.session.scalars(
        select(Judge).where(Judge.contest_id == contest.id).order_by(Judge.position))]
    wanted += [("office", o.key, o.name) for o in db.session.scalars(
        select(Office).where(Office.contest_id == contest.id).order_by(Office.position))]
    for role, subject, label in wanted:
        if (role, subject) not in existing:
            db.session.add(AccessToken(contest_id=contest.id, role=role, subject=subject,
                                       token=new_token(), label=label))
    db.session.flush()


def tokens(contest_id: int) -> list[AccessToken]:
    return list(db.session.scalars(select(AccessToken).where(
        AccessToken.contest_id == contest_id, AccessToken.revoked.is_(False)).order_by(AccessToken.id)))


def principal_for_token(token: str | None) -> Principal | None:
    """Who a bearer token speaks for (None: unknown or revoked): one query, the judge's row
    joined (every tablet request asks)."""
    if not token or len(token) > 100:
        return None
    found = db.session.execute(_token_query(), {"token": token}).first()
    if found is None or found[0].revoked:
        return None
    return _principal(found[0], found[1])


@cache
def _token_query():
    return (select(AccessToken, Judge)
            .outerjoin(Judge, (AccessToken.role == "judge") & (Judge.contest_id == AccessToken.contest_id)
                       & (Judge.key == AccessToken.subject))
            .where(AccessToken.token == bindparam("token")))


def principal_for_row(row: AccessToken) -> Principal:
    judge = None
    if row.role == "judge":
        judge = db.session.scalar(select(Judge).where(Judge.contest_id == row.contest_id,
                                                      Judge.key == row.subject))
    return _principal(row, judge)


def _principal(row: AccessToken, judge: Judge | None) -> Principal:
    head = False
    name = row.label
    if row.role == "judge":
        if judge is None:
            raise NotFound("Giám khảo của đường dẫn này không còn tồn tại")
        head, name = judge.head, judge.name
    return Principal(role=row.role, contest_id=row.contest_id, subject=row.subject, name=name,
                     head=head, token_id=row.id)


def revoke(contest_id: int, token_id: int) -> AccessToken:
    """Revoke one link and issue a fresh one for the same role (inside a write transaction)."""
    row = db.session.get(AccessToken, token_id)
    if row is None or row.contest_id != contest_id:
        raise NotFound("Không tìm thấy đường dẫn truy cập")
    row.revoked = True
    fresh = AccessToken(contest_id=contest_id, role=row.role, subject=row.subject, token=new_token(),
                        label=row.label)
    db.session.add(fresh)
    db.session.flush()
    return fresh
