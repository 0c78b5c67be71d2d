"""The server-authoritative countdown of a timed phase (hội ý, trả lời, biểu diễn ...).

Terms
- *duration*: the time the rules allow for the phase, in milliseconds.
- *extension*: time the MC adds on the jury's say (``extend``); it adds to the duration for
  this run of the timer and is dropped by ``reset``.
- *deadline*: while the timer runs, the epoch millisecond at which it reaches zero. It is the
  only moving part that is stored: the server never keeps a ticking counter, and every screen
  computes ``deadline - now`` itself. A timer restored from storage after a crash therefore
  shows the right time without anyone having counted in between.
- *remaining*: ``deadline - now`` while running, else the frozen remainder. It goes negative
  once the deadline has passed (the overrun counts up); *overtime* is that overrun, >= 0.

States: ``stopped`` (never started since the last reset), ``running``, ``paused``.

Transitions are total: a press that does not apply to the current state returns the timer
unchanged instead of raising, because the MC double-taps and a retried request arrives twice.

========  ==========================  =========================================
action    from                        result
========  ==========================  =========================================
start     stopped, paused             running (a paused timer simply resumes)
          running                     unchanged
pause     running                     paused, the remainder frozen
          stopped, paused             unchanged
resume    paused                      running
          stopped, running            unchanged (a stale resume never starts it)
reset     any                         stopped, full duration, extensions dropped
extend    any                         the same state with ``ms`` more
========  ==========================  =========================================

The only user error is a bad extension (not a whole number of milliseconds between 1 ms and
one hour, or more than 24 hours in total): :class:`ContestError` on field ``seconds``.

This module does not know which step of the programme is on stage, does not record overtime
penalties (``show`` does) and never reads the clock: ``now_ms`` is always a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .errors import ContestError

STATES = ("stopped", "running", "paused")
MAX_EXTENSION_MS = 3600 * 1000
MAX_TOTAL_EXTENSION_MS = 24 * 3600 * 1000
MAX_DURATION_MS = 24 * 3600 * 1000


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Timer:
    """A countdown. ``remaining_ms`` defaults to ``duration_ms``; it is meaningful only while
    the timer is not running (while running, ``deadline_ms`` is)."""

    duration_ms: int
    state: str = "stopped"
    deadline_ms: int | None = None
    remaining_ms: int = None  # type: ignore[assignment]  # filled with duration_ms
    extended_ms: int = 0

    def __post_init__(self) -> None:
        if self.remaining_ms is None:
            object.__setattr__(self, "remaining_ms", self.duration_ms)
        if not _is_int(self.duration_ms) or not 0 < self.duration_ms <= MAX_DURATION_MS:
            raise ValueError(f"Timer.duration_ms must be 1..{MAX_DURATION_MS}: {self.duration_ms!r}")
        if self.state not in STATES:
            raise ValueError(f"Timer.state must be one of {STATES}: {self.state!r}")
        if not _is_int(self.remaining_ms) or not _is_int(self.extended_ms) or self.extended_ms < 0:
            raise ValueError("Timer.remaining_ms and extended_ms must be integers, extended_ms >= 0")
        if (self.state == "running") != (self.deadline_ms is not None):
            raise ValueError("Timer.deadline_ms is set exactly while the timer runs")
        if self.deadline_ms is not None and not _is_int(self.deadline_ms):
            raise ValueError(f"Timer.deadline_ms must be an integer: {self.deadline_ms!r}")

    @property
    def allowed_ms(self) -> int:
        """The duration plus every extension since the last reset."""
        return self.duration_ms + self.extended_ms


def start(t: Timer, now_ms: int) -> Timer:
    """Run the timer from its current remainder; a running timer is left as it is."""
    if t.state == "running":
        return t
    return replace(t, state="running", deadline_ms=now_ms + t.remaining_ms)


def pause(t: Timer, now_ms: int) -> Timer:
    """Freeze the remainder of a running timer (negative when overrun); else unchanged."""
    if t.state != "running":
        return t
    return replace(t, state="paused", deadline_ms=None, remaining_ms=remaining(t, now_ms))


def resume(t: Timer, now_ms: int) -> Timer:
    """Run a paused timer again from where it was frozen; else unchanged."""
    if t.state != "paused":
        return t
    return start(t, now_ms)


def reset(t: Timer) -> Timer:
    """Back to the full duration, stopped; extensions are dropped."""
    return Timer(duration_ms=t.duration_ms)


def extend(t: Timer, ms: int, now_ms: int) -> Timer:
    """Add ``ms`` to the timer in whatever state it is; a running timer keeps running.

    ``now_ms`` is not needed to extend (the deadline moves by ``ms``) and is accepted so that
    every transition has the same shape."""
    if not _is_int(ms) or not 0 < ms <= MAX_EXTENSION_MS:
        raise ContestError("Thời gian cộng thêm phải từ 1 giây đến 60 phút", field="seconds")
    if t.extended_ms + ms > MAX_TOTAL_EXTENSION_MS:
        raise ContestError("Tổng thời gian cộng thêm không được quá 24 giờ", field="seconds")
    if t.state == "running":
        assert t.deadline_ms is not None
        return replace(t, deadline_ms=t.deadline_ms + ms, extended_ms=t.extended_ms + ms)
    return replace(t, remaining_ms=t.remaining_ms + ms, extended_ms=t.extended_ms + ms)


def remaining(t: Timer, now_ms: int) -> int:
    """Milliseconds left at ``now_ms``; negative once overrun (the overrun counts up)."""
    if t.state == "running":
        assert t.deadline_ms is not None
        return t.deadline_ms - now_ms
    return t.remaining_ms


def overtime_ms(t: Timer, now_ms: int) -> int:
    """How far past zero the timer is at ``now_ms`` (0 while time is left)."""
    return max(0, -remaining(t, now_ms))


def timer_event(t: Timer, now_ms: int, part: str | None, phase: str | None) -> dict:
    """The ``timer`` live event of CONTRACT section 6, plus the server clock and the durations.

    Clients correct for their own clock with ``server_ms`` and count down to ``deadline_ms``
    while running; otherwise they show ``remaining_ms``."""
    return {
        "part": part,
        "phase": phase,
        "state": t.state,
        "remaining_ms": remaining(t, now_ms),
        "deadline_ms": t.deadline_ms,
        "duration_ms": t.duration_ms,
        "extended_ms": t.extended_ms,
        "server_ms": now_ms,
    }


def format_duration(seconds: int) -> str:
    """How the MC says a duration: 180 → '3 phút', 150 → '2 phút 30 giây', 45 → '45 giây',
    3905 → '1 giờ 5 phút 5 giây'."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    words = [f"{n} {unit}" for n, unit in ((hours, "giờ"), (minutes, "phút"), (secs, "giây")) if n]
    return " ".join(words) or "0 giây"


def timer_to_dict(t: Timer) -> dict:
    """Plain JSON-safe data to persist; the inverse of :func:`timer_from_dict`."""
    return {"duration_ms": t.duration_ms, "state": t.state, "deadline_ms": t.deadline_ms,
            "remaining_ms": t.remaining_ms, "extended_ms": t.extended_ms}


def timer_from_dict(data: Any, path: str = "timer") -> Timer:
    """Read a stored timer; :class:`ContestError` naming ``path`` when the data is damaged."""
    if not isinstance(data, dict):
        raise ContestError(f"{path}: dữ liệu đồng hồ không hợp lệ", field=path)
    try:
        return Timer(duration_ms=data["duration_ms"], state=data.get("state", "stopped"),
                     deadline_ms=data.get("deadline_ms"),
                     remaining_ms=data.get("remaining_ms", data["duration_ms"]),
                     extended_ms=data.get("extended_ms", 0))
    except (KeyError, ValueError) as exc:
        raise ContestError(f"{path}: dữ liệu đồng hồ không hợp lệ ({exc})", field=path) from None
