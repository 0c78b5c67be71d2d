"""Security that spans the whole app, installed by :func:`init_security`.

What it adds (the rest lives where it belongs: CSRF in :mod:`contest.extensions`, the
Content-Security-Policy in :mod:`contest.web`, the Socket.IO origin check in
:func:`contest.create_app`, token checks in :mod:`contest.web.auth` and :mod:`contest.live`):

- **No token in any log.** A log-record factory rewrites every record, whatever logger it comes
  from (werkzeug's access lines, gevent's, ours, a traceback's message), so that ``/t/<token>``,
  ``token=...``, ``Bearer ...`` and any token-shaped word come out as ``***``.
- **Token guessing is rate-limited.** Requests with a bearer token that is unknown or revoked
  count against ``RATELIMIT_TOKENS`` per client address (default 20 per minute); past the limit
  every bearer request from that address is refused with 429 until the window passes. Valid
  tokens never count. (``/t/<token>`` has its own limit on the view; the organisers' password
  login has ``RATELIMIT_LOGIN``.)
- **JSON that no view should have to survive is refused at the door** with a 400 naming the
  place: nesting deeper than ``MAX_JSON_DEPTH`` (64; Python's parser would hit its recursion
  limit on ``[[[[…`` and answer 500), and strings that are not valid Unicode (a lone surrogate
  such as ``"\ud800"`` parses in JSON but cannot be stored or encoded).
- **Ids beyond any database integer** in a URL (``/c/99999999999999999999``) are a 404, not
  an OverflowError.
- **A few more headers**: pages that carry access links are never cached; the browser is told
  not to share the window with other origins and not to offer camera, microphone or location.

This module does not decide who may do what (that is :func:`contest.web.auth.require`).
"""

from __future__ import annotations

import logging
import re

from flask import Flask, current_app, request

# A token is secrets.token_urlsafe(32): 43 characters of [A-Za-z0-9_-]. The patterns below
# also catch anything that *looks* like one after the usual prefixes.
_PATTERNS = (
    (re.compile(r"(/t/)[^\s\"'?#/]+"), r"\1***"),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"), r"\1***"),
    (re.compile(r"(?i)((?:token|csrf_token|X-CSRFToken)[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,;}]+"), r"\1***"),
    (re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z0-9_\-]{43}(?![A-Za-z0-9_\-])"), "***"),
)


def scrub(text: str) -> str:
    """``text`` with every access token replaced by ``***``."""
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


_installed = False


def install_log_scrubber() -> None:
    """Wrap the log-record factory once per process: every record is scrubbed at birth."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logged as it is
            return record
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


# --------------------------------------------------------------------------- token attempts

def _limit():
    from limits import parse
    return parse(current_app.config.get("RATELIMIT_TOKENS") or "20 per minute")


def _limiter_on() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _strategy():
    from ..extensions import limiter
    return limiter.limiter


def _key() -> str:
    return request.remote_addr or "?"


def _check_token_attempts():
    from .auth import bearer_token
    if not _limiter_on() or bearer_token() is None:
        return None
    if not _strategy().test(_limit(), "token-attempts", _key()):
        from . import error_response
        return error_response(429, "too_many_requests",
                              "Quá nhiều lần thử mã truy cập sai; vui lòng đợi một lát rồi thử lại.")
    return None


def _count_failed_token(response):
    from .auth import bearer_token
    if _limiter_on() and response.status_code == 401 and bearer_token() is not None:
        _strategy().hit(_limit(), "token-attempts", _key())
    return response


# --------------------------------------------------------------------------- hostile JSON

MAX_JSON_DEPTH = 64
_OPEN, _CLOSE, _QUOTE, _ESC = 0x5B, 0x5D, 0x22, 0x5C  # [ ] " \


def json_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """The nesting depth of a JSON text (strings skipped); stops counting past ``limit``."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return 0
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _ESC:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in (_OPEN, 0x7B):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif byte in (_CLOSE, 0x7D):
            depth -= 1
    return deepest


def bad_unicode(value, path: str = "") -> str | None:
    """The path of the first string (or key) that is not valid Unicode, or None."""
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return where or "body"
        elif isinstance(node, dict):
            for k, v in node.items():
                sub = f"{where}.{k}" if where else str(k)
                try:
                    str(k).encode("utf-8")
                except UnicodeEncodeError:
                    return where or "body"
                stack.append((v, sub))
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(node))
    return None


MAX_ID = 2 ** 63 - 1  # the largest integer a database column holds


def _check_ids():
    """An id in the URL beyond any database integer names nothing: 404 (not an overflow)."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
            from . import error_response
            return error_response(404, "not_found", "Không tìm thấy trang hoặc dữ liệu yêu cầu.")
    return None


def _check_json():
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or not request.is_json:
        return None
    from . import error_response
    raw = request.get_data(cache=True)
    if json_depth(raw) > MAX_JSON_DEPTH:
        return error_response(400, "too_deep", f"Dữ liệu JSON lồng nhau quá sâu (tối đa "
                              f"{MAX_JSON_DEPTH} tầng)", "body")
    where = bad_unicode(request.get_json(silent=True))
    if where is not None:
        return error_response(400, "bad_unicode", f"{where}: có ký tự Unicode không hợp lệ "
                              "(nửa cặp surrogate); hãy gõ lại", where)
    return None


# --------------------------------------------------------------------------- headers

NO_STORE_ENDPOINTS = {"organiser.links", "organiser.cards", "bank.office_cards", "api.contest_tokens",
                      "pages.token_login"}


def _headers(response):
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint in NO_STORE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_security(app: Flask) -> None:
    """Install everything above on ``app`` (idempotent per app)."""
    if app.extensions.get("hoithi_security"):
        return
    app.extensions["hoithi_security"] = True
    install_log_scrubber()
    app.before_request(_check_token_attempts)
    app.before_request(_check_json)
    app.before_request(_check_ids)
    app.after_request(_count_failed_token)
    app.after_request(_headers)
