"""A kept-alive connection is not held back by Nagle's algorithm: `hoithi serve` sets
TCP_NODELAY on every connection. Without it each request after the first on a connection (a
page's stylesheet and scripts, a tablet's API calls) waited for the client's delayed ACK,
40 ms on Linux, whatever the machine's speed (see docs/performance.md)."""

from __future__ import annotations

import http.client
import statistics
import time

import pytest

from support import start_server

pytestmark = pytest.mark.e2e


def test_keep_alive_requests_are_not_delayed(tmp_path):
    server = start_server(tmp_path)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        times = []
        for _ in range(15):
            began = time.perf_counter()
            conn.request("GET", "/static/css/hoithi.css", headers={"Accept-Encoding": "gzip"})
            answer = conn.getresponse()
            assert answer.status == 200 and answer.read()
            times.append(time.perf_counter() - began)
        conn.close()
    finally:
        server.stop()
    # 40 ms each with Nagle on (the delayed ACK); a few ms at most without, even on a busy CI
    assert statistics.median(times[1:]) < 0.020, [round(t * 1000, 1) for t in times]
