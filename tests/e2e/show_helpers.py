"""Kept for the live-show tests: ``fast_server`` is :func:`support.start_server`."""

from __future__ import annotations

from pathlib import Path


def fast_server(tmp_path: Path, async_mode: str = "gevent"):
    from support import start_server  # tests/e2e/support.py
    return start_server(tmp_path, async_mode)
