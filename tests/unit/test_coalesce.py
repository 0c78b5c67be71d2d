"""Leading-edge coalescing of broadcasts (contest.core.coalesce): the decision, and a simulated
scheduler proving that no change is lost and a contest is broadcast at most once per window."""

from __future__ import annotations

import heapq

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.core.coalesce import LATER, NOW, SKIP, decide


@pytest.mark.parametrize("now, last, pending, window, expected", [
    (1000, None, False, 60, (NOW, 0)),       # never broadcast: at once
    (1000, 900, False, 60, (NOW, 0)),        # quiet for longer than the window
    (1000, 940, False, 60, (NOW, 0)),        # exactly one window ago
    (1000, 980, False, 60, (LATER, 40)),     # inside the window: at its end
    (1000, 1000, False, 100, (LATER, 100)),  # a broadcast just started reading
    (1000, 980, True, 60, (SKIP, 0)),        # one is waiting to read: it includes this
    (1000, None, True, 60, (SKIP, 0)),
    (1000, 999, False, 0, (NOW, 0)),         # no window
])
def test_decide(now, last, pending, window, expected):
    assert decide(now, last, pending, window) == expected


def simulate(changes: list[float], window: float, start_delays: list[float]) -> list[float]:
    """Run ``changed()``'s protocol over changes at the given times (integer ms); a scheduled
    broadcast starts reading ``start_delays[i]`` ms after it was due. Returns the start times."""
    pending, last = False, None
    due: list[float] = []  # start times of scheduled broadcasts
    starts: list[float] = []
    delays = iter(start_delays)
    for t in sorted(changes):
        while due and due[0] < t:  # broadcasts that start before this change commits
            last = heapq.heappop(due)
            pending = False
            starts.append(last)
        what, wait = decide(t, last, pending, window)
        if what != SKIP:
            pending = True
            heapq.heappush(due, t + wait + next(delays, 0))
    while due:
        starts.append(heapq.heappop(due))
    return starts


@settings(max_examples=300, deadline=None)
@given(changes=st.lists(st.integers(0, 2000), min_size=1, max_size=40),
       window=st.sampled_from([1, 60, 100, 250]),
       start_delays=st.lists(st.integers(0, 30), max_size=40))
def test_no_change_is_lost_and_at_most_one_broadcast_per_window(changes, window, start_delays):
    starts = simulate(changes, window, start_delays)
    # every change is read by a broadcast that starts when it is committed or later
    assert all(any(s >= c for s in starts) for c in changes)
    # the last change is always followed by a broadcast
    assert starts[-1] >= max(changes)
    # one broadcast per window at most, and never more broadcasts than changes
    assert all(b - a >= window for a, b in zip(starts, starts[1:]))
    assert len(starts) <= len(changes)


def test_a_burst_is_one_broadcast_at_once_and_one_at_the_window_end():
    starts = simulate([0, 5, 10, 20, 40], window=100, start_delays=[1, 1])
    assert starts == [1, 102]  # each broadcast starts 1 ms after it is due


def test_a_lone_change_after_a_quiet_window_goes_at_once():
    assert simulate([0, 500], window=100, start_delays=[0, 0]) == [0, 500]
