"""The JSON API at ``/api/v1`` and its OpenAPI document at ``/api/openapi.json``.

Authentication: ``Authorization: Bearer TOKEN`` (the links of ``hoithi tokens``); the browser
screens use their session cookie and must then send the CSRF token (``X-CSRFToken``).
Errors are ``{"error": {"code", "message", "field"}}`` with a 4xx status.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..extensions import csrf
from ..web.auth import bearer_token
from .spec import build_spec

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)


@bp.before_request
def _csrf_for_cookies():
    """Bearer requests carry no cookie to forge; cookie-authenticated writes need CSRF."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and bearer_token() is None:
        csrf.protect()


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_spec())


def json_body() -> dict:
    from ..core.errors import ContestError
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ContestError("Thân yêu cầu phải là một đối tượng JSON", field="body")
    return data


from . import contests, scoring, setup, stage  # noqa: E402,F401  (routes)
from question_bank import api as _bank_api  # noqa: E402,F401
