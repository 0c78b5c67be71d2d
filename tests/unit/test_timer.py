"""The server-authoritative timer: transitions, extensions, the live event, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.core import timer as tm
from contest.core.errors import ContestError
from contest.core.timer import Timer

T0 = 1_700_000_000_000  # an epoch millisecond


def make_timer(seconds: int = 120, **kw) -> Timer:
    return Timer(duration_ms=seconds * 1000, **kw)


def test_new_timer_is_stopped_with_full_remainder():
    t = make_timer(180)
    assert (t.state, t.deadline_ms, t.remaining_ms, t.extended_ms) == ("stopped", None, 180_000, 0)
    assert tm.remaining(t, T0) == 180_000
    assert tm.remaining(t, T0 + 999_999) == 180_000  # a stopped timer does not move


@pytest.mark.parametrize("duration, state, deadline", [
    (0, "stopped", None), (-5, "stopped", None), (1000, "ticking", None),
    (1000, "running", None), (1000, "paused", T0), (True, "stopped", None),
])
def test_inconsistent_timers_cannot_be_built(duration, state, deadline):
    with pytest.raises(ValueError):
        Timer(duration_ms=duration, state=state, deadline_ms=deadline)


def test_run_pause_resume_overrun():
    t = tm.start(make_timer(120), T0)
    assert (t.state, t.deadline_ms) == ("running", T0 + 120_000)
    assert tm.remaining(t, T0 + 20_000) == 100_000
    t = tm.pause(t, T0 + 20_000)
    assert (t.state, t.deadline_ms, t.remaining_ms) == ("paused", None, 100_000)
    t = tm.resume(t, T0 + 500_000)  # a long pause costs nothing
    assert t.deadline_ms == T0 + 600_000
    assert tm.remaining(t, T0 + 600_000) == 0
    assert tm.overtime_ms(t, T0 + 600_000) == 0
    assert tm.remaining(t, T0 + 607_500) == -7_500  # overrun counts up
    assert tm.overtime_ms(t, T0 + 607_500) == 7_500
    t = tm.pause(t, T0 + 607_500)
    assert (t.remaining_ms, tm.overtime_ms(t, T0 + 10**9)) == (-7_500, 7_500)
    t = tm.start(t, T0 + 700_000)  # start on a paused timer resumes it, overrun kept
    assert tm.remaining(t, T0 + 701_000) == -8_500


# (action, from-state) -> is the timer returned unchanged?
NOOPS = [
    ("start", "running"), ("pause", "stopped"), ("pause", "paused"),
    ("resume", "stopped"), ("resume", "running"),
]


def _in_state(state: str) -> Timer:
    t = make_timer(60)
    if state in ("running", "paused"):
        t = tm.start(t, T0)
    if state == "paused":
        t = tm.pause(t, T0 + 10_000)
    return t


def _press(t: Timer, action: str, now: int) -> Timer:
    if action == "reset":
        return tm.reset(t)
    return getattr(tm, action)(t, now)


@pytest.mark.parametrize("action, state", NOOPS)
def test_presses_that_do_not_apply_are_noops(action, state):
    t = _in_state(state)
    assert _press(t, action, T0 + 30_000) == t


@pytest.mark.parametrize("action", ["start", "pause", "resume", "reset"])
@pytest.mark.parametrize("state", ["stopped", "running", "paused"])
def test_double_press_is_harmless(action, state):
    once = _press(_in_state(state), action, T0 + 20_000)
    assert _press(once, action, T0 + 20_000) == once
    assert _press(once, action, T0 + 20_150) == once  # the second tap a moment later


@pytest.mark.parametrize("state, expect_remaining_at_20s", [
    ("stopped", 90_000), ("running", 70_000), ("paused", 80_000),
])
def test_extend_in_every_state(state, expect_remaining_at_20s):
    t = tm.extend(_in_state(state), 30_000, T0 + 15_000)
    assert t.state == state
    assert t.extended_ms == 30_000
    assert t.allowed_ms == 90_000
    assert tm.remaining(t, T0 + 20_000) == expect_remaining_at_20s


def test_reset_drops_extensions_and_overrun():
    t = tm.extend(tm.start(make_timer(60), T0), 60_000, T0)
    t = tm.reset(tm.pause(t, T0 + 500_000))
    assert t == make_timer(60)


@pytest.mark.parametrize("ms", [0, -1000, 3600 * 1000 + 1, 1.5, True, None, "30"])
def test_bad_extension_is_a_user_error_on_seconds(ms):
    with pytest.raises(ContestError) as err:
        tm.extend(make_timer(), ms, T0)
    assert err.value.field == "seconds"
    assert "giây" in err.value.message


def test_total_extension_is_bounded():
    t = make_timer()
    for _ in range(24):
        t = tm.extend(t, 3600 * 1000, T0)
    with pytest.raises(ContestError):
        tm.extend(t, 1, T0)


def test_timer_event_has_the_contract_shape():
    t = tm.start(make_timer(120), T0)
    event = tm.timer_event(t, T0 + 1_000, "quiz", "confer")
    assert event == {"part": "quiz", "phase": "confer", "state": "running",
                     "remaining_ms": 119_000, "deadline_ms": T0 + 120_000,
                     "duration_ms": 120_000, "extended_ms": 0, "server_ms": T0 + 1_000}
    paused = tm.timer_event(tm.pause(t, T0 + 1_000), T0 + 5_000, "quiz", "confer")
    assert (paused["state"], paused["remaining_ms"], paused["deadline_ms"]) == ("paused", 119_000, None)


@pytest.mark.parametrize("t", [
    make_timer(), tm.start(make_timer(), T0), tm.pause(tm.start(make_timer(), T0), T0 + 200_000),
    tm.extend(make_timer(), 5_000, T0),
])
def test_storage_round_trip(t):
    assert tm.timer_from_dict(tm.timer_to_dict(t)) == t


@pytest.mark.parametrize("data", [None, [], {}, {"duration_ms": 1000, "state": "running"},
                                  {"duration_ms": "x"}])
def test_damaged_storage_is_a_user_error(data):
    with pytest.raises(ContestError) as err:
        tm.timer_from_dict(data)
    assert err.value.field == "timer"


# --------------------------------------------------------------------------- properties

action_st = st.tuples(
    st.sampled_from(["start", "pause", "resume", "reset", "extend"]),
    st.integers(0, 400_000),              # ms since the previous action
    st.integers(1, 3600 * 1000),          # extension
)


@settings(max_examples=300, deadline=None)
@given(seconds=st.integers(1, 3600), actions=st.lists(action_st, max_size=30),
       probe=st.integers(0, 10**7), offset=st.integers(-10**12, 10**12))
def test_time_is_never_lost_nor_gained(seconds, actions, probe, offset):
    """remaining == duration + extensions - time spent running (since the last reset),
    whatever the presses; and a clock shifted by ``offset`` sees the very same remainders."""
    t = shifted = make_timer(seconds)
    now = T0
    running_ms = extensions = 0
    for action, dt, ms in actions:
        if t.state == "running":
            running_ms += dt
        now += dt
        if action == "extend":
            if extensions + ms > tm.MAX_TOTAL_EXTENSION_MS:
                continue
            t, shifted = tm.extend(t, ms, now), tm.extend(shifted, ms, now + offset)
            extensions += ms
        elif action == "reset":
            t, shifted = tm.reset(t), tm.reset(shifted)
            running_ms = extensions = 0
        else:
            t, shifted = _press(t, action, now), _press(shifted, action, now + offset)
        allowed = seconds * 1000 + extensions
        left = tm.remaining(t, now)
        assert left == allowed - running_ms
        assert allowed - running_ms <= left <= allowed
        assert t.allowed_ms == allowed
        assert tm.overtime_ms(t, now) == max(0, -left)
        assert tm.remaining(shifted, now + offset) == left
        assert shifted.state == t.state
    # later on, a running timer has moved by exactly the time passed, a frozen one not at all
    later = tm.remaining(t, now + probe)
    assert later == tm.remaining(t, now) - (probe if t.state == "running" else 0)
    assert tm.remaining(shifted, now + offset + probe) == later
    assert tm.timer_from_dict(tm.timer_to_dict(t)) == t
