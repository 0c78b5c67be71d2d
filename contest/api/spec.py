"""The OpenAPI document, assembled from the operations each API module declares with
:func:`operation` next to its route, so the document and the routes cannot drift apart."""

from __future__ import annotations

from typing import Any

OPERATIONS: dict[str, dict[str, dict]] = {}

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "field": {"type": ["string", "null"]}}}}}


def operation(path: str, method: str, summary: str, *, roles: str = "anyone",
              body: dict | None = None, response: dict | None = None, status: int = 200,
              errors: tuple[int, ...] = (400, 401, 403, 404)) -> None:
    """Declare one operation of the API (``path`` in OpenAPI form, e.g. /v1/contests/{id})."""
    op: dict[str, Any] = {
        "summary": summary,
        "description": f"Who: {roles}.",
        "responses": {str(status): {"description": "OK", "content": {"application/json": {
            "schema": response or {"type": "object"}}}}},
    }
    for code in errors:
        op["responses"][str(code)] = {"description": "Error", "content": {"application/json": {
            "schema": ERROR}}}
    params = [{"name": name[1:-1], "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1} if name == "{id}" else {"type": "string"}}
              for name in path.split("/") if name.startswith("{")]
    if params:
        op["parameters"] = params
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if roles != "anyone":
        op["security"] = [{"bearer": []}]
    OPERATIONS.setdefault(path, {})[method.lower()] = op


def build_spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hội thi API", "version": "1",
                 "description": "Contest setup, judging, the live stage and the draw."},
        "servers": [{"url": "/api"}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": {"Error": ERROR}},
        "paths": OPERATIONS,
    }
