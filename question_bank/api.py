"""(stub: being built)"""

from __future__ import annotations

from contest.api import bp  # noqa: F401
