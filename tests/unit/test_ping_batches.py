"""The shared pinger (contest.live_transport) pings at most PING_BATCH sockets at a time, the
longest due first: their pongs come back together, and a judge's sheet waits behind them."""

from __future__ import annotations

import pytest

from contest import live_transport as lt


@pytest.fixture
def due():
    saved = lt._PING_DUE.copy()
    lt._PING_DUE.clear()
    yield lt._PING_DUE
    lt._PING_DUE.clear()
    lt._PING_DUE.update(saved)


def test_at_most_a_batch_of_due_sockets_longest_due_first(due):
    for i in range(250):
        due[f"s{i}"] = 100.0 + i * 0.001  # in due order, as _schedule_ping inserts them
    due["later"] = 500.0
    first = lt.due_for_ping(now=200.0, limit=100)
    assert first == [f"s{i}" for i in range(100)]
    assert lt.due_for_ping(now=200.0, limit=100) == [f"s{i}" for i in range(100, 200)]
    assert lt.due_for_ping(now=200.0, limit=100) == [f"s{i}" for i in range(200, 250)]
    assert lt.due_for_ping(now=200.0, limit=100) == []  # "later" is not due yet
    assert list(due) == ["later"]
    assert lt.due_for_ping(now=500.0) == ["later"] and not due


class _Sock:
    def __init__(self):
        self.last_ping = 1.0

    class server:  # noqa: N801 - what _schedule_ping reads
        ping_interval = 20

        @staticmethod
        def start_background_task(*_a):
            return None


def test_a_pong_moves_the_socket_to_the_back_of_the_line(due, monkeypatch):
    monkeypatch.setattr(lt, "_pinger", ["running"])
    a, b = _Sock(), _Sock()
    lt._schedule_ping(a)
    lt._schedule_ping(b)
    a.last_ping = 2.0  # pinged again, then its pong arrives
    lt._schedule_ping(a)
    assert list(due) == [b, a]
    assert due[a] >= due[b]
