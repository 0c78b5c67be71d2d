"""When to broadcast a change: leading-edge coalescing, as a pure decision.

Terms: a *window* (``BROADCAST_COALESCE_MS``) bounds how often one process broadcasts one
contest; a broadcast *reads* the state when it starts; a broadcast is *pending* from the moment
it is scheduled until it starts reading.

* A change is broadcast **now** when no broadcast of its contest started within the last
  window: a lone sheet reaches the audience without waiting.
* Otherwise it is broadcast **later**, when the window the last broadcast opened ends: a
  burst costs at most one broadcast per window.
* It is **skipped** when a broadcast is pending: that broadcast has not read the state yet,
  so it will include the change.

No change is lost: every change either finds a pending broadcast or schedules one that starts
after it. Times are milliseconds of a monotonic clock; this module never reads it.
"""

from __future__ import annotations

NOW = "now"
LATER = "later"
SKIP = "skip"


def decide(now_ms: float, last_ms: float | None, pending: bool,
           window_ms: float) -> tuple[str, float]:
    """``(NOW | LATER | SKIP, wait_ms)`` for a change committed at ``now_ms``.

    ``last_ms``: when the contest's last broadcast started reading (None: never);
    ``pending``: a broadcast of the contest is scheduled and has not started reading.
    ``wait_ms`` is how long a ``LATER`` broadcast waits (0 otherwise)."""
    if pending:
        return SKIP, 0
    if window_ms <= 0 or last_ms is None or now_ms - last_ms >= window_ms:
        return NOW, 0
    return LATER, last_ms + window_ms - now_ms
