"""Static text is served gzipped; the Socket.IO client and CSS stay small on the wire."""

from __future__ import annotations

import gzip


def test_static_js_is_gzipped(client):
    url = "/static/vendor/socket.io/socket.io.esm.min.js"
    plain = client.get(url)
    assert plain.status_code == 200
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 2


def test_small_and_binary_responses_are_left_alone(client):
    r = client.get("/static/css/hoithi.css", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("Content-Encoding") == "gzip"
    fonts = client.get("/static/vendor/fonts.css")
    assert fonts.status_code == 200
