"""The two kinds of error.

A :class:`ContestError` carries a message a person can act on: the web layer shows it as a
flash or a 4xx JSON error, the socket layer as an ``error`` event, the CLI as exit 2.
Anything else that escapes is a bug: logged with its traceback and answered 500.
"""

from __future__ import annotations


class ContestError(Exception):
    """A user error: bad input, a forbidden action, a conflict. Never a bug."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None, *, code: str | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(ContestError):
    status = 404
    code = "not_found"


class Forbidden(ContestError):
    status = 403
    code = "forbidden"


class Unauthorized(ContestError):
    status = 401
    code = "unauthorized"


class Conflict(ContestError):
    status = 409
    code = "conflict"
