"""Who is asking: an organiser signed in with a password, a device signed in by its QR link
(session cookie), or a script with ``Authorization: Bearer TOKEN``. Anyone else is audience.
"""

from __future__ import annotations

from functools import wraps

from flask import g, request, session
from flask_login import current_user

from ..core.errors import Forbidden, Unauthorized
from ..extensions import db
from ..models import AccessToken
from ..services.access import AUDIENCE, Principal, principal_for_row, principal_for_token


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def current_principal(contest_id: int | None = None) -> Principal:
    """The principal for this request, for ``contest_id`` (an organiser account covers all)."""
    cache = g.setdefault("_principals", {})
    if contest_id in cache:
        return cache[contest_id]
    principal = _resolve(contest_id)
    cache[contest_id] = principal
    return principal


def _resolve(contest_id: int | None) -> Principal:
    token = bearer_token()
    if token is not None:
        p = principal_for_token(token)
        if p is None:
            raise Unauthorized("Mã truy cập không hợp lệ hoặc đã bị thu hồi", code="bad_token")
        if contest_id is not None and p.contest_id != contest_id:
            raise Forbidden("Mã truy cập này không thuộc hội thi này")
        return p
    if current_user.is_authenticated:
        return Principal(role="organiser", contest_id=contest_id, name=current_user.username)
    token_ids = session.get("tokens", {})
    tid = token_ids.get(str(contest_id)) if contest_id is not None else None
    if tid is not None:
        row = db.session.get(AccessToken, tid)
        if row is not None and not row.revoked:
            return principal_for_row(row)
        token_ids.pop(str(contest_id), None)
        session["tokens"] = token_ids
    return AUDIENCE


def remember_token(row: AccessToken) -> None:
    tokens = dict(session.get("tokens", {}))
    tokens[str(row.contest_id)] = row.id
    session["tokens"] = tokens
    session.permanent = True


def require(contest_id: int, *roles: str, head: bool = False) -> Principal:
    """The principal if it has one of ``roles`` (and is the jury head when ``head``); else 401/403."""
    p = current_principal(contest_id)
    if p.role == "audience":
        raise Unauthorized("Cần đăng nhập hoặc quét mã QR được cấp để làm việc này")
    if p.role not in roles:
        raise Forbidden("Bạn không có quyền làm việc này")
    if head and p.role == "judge" and not p.head:
        raise Forbidden("Chỉ Trưởng ban giám khảo được làm việc này")
    return p


def roles_required(*roles: str, head: bool = False):
    """View decorator: the view's ``contest_id`` argument decides which contest's roles count."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.principal = require(kwargs.get("contest_id"), *roles, head=head)
            return view(*args, **kwargs)
        return wrapper
    return decorator
