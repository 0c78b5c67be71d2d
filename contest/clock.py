"""The one place that reads the clock. The pure core never calls these: it takes ``now_ms``."""

from __future__ import annotations

import datetime as dt
import time


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def now_ms() -> int:
    return int(time.time() * 1000)
