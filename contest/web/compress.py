"""Gzip for text responses: static CSS/JS/SVG (compressed once per file version and kept in
memory) and pages/JSON above a small size. A phone on crowded Wi-Fi gets the audience page,
Socket.IO client included, in well under 150 KB."""

from __future__ import annotations

import gzip
import threading

from flask import Flask, Response, request

TEXT_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml",
              "application/xml")
MIN_SIZE = 600
_cache: dict[tuple[str, str], bytes] = {}
_lock = threading.Lock()


def _compressible(response: Response) -> bool:
    if response.status_code not in (200, 201) or "Content-Encoding" in response.headers:
        return False
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return False
    mimetype = response.mimetype or ""
    return mimetype.startswith(TEXT_TYPES)


def init_compression(app: Flask) -> None:
    @app.after_request
    def _gzip(response: Response) -> Response:
        if not _compressible(response):
            return response
        static = request.path.startswith(app.static_url_path + "/")
        if static:
            response.direct_passthrough = False
            key = (request.path, response.headers.get("ETag", ""))
            body = _cache.get(key)
            if body is None:
                body = gzip.compress(response.get_data(), 6)
                with _lock:
                    _cache[key] = body
        else:
            if response.is_streamed:
                return response
            data = response.get_data()
            if len(data) < MIN_SIZE:
                return response
            body = gzip.compress(data, 5)
        response.set_data(body)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(body))
        response.vary.add("Accept-Encoding")
        return response
