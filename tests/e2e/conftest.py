"""End-to-end fixtures: a real ``hoithi serve`` process and a real Chromium (Debian's, driven by
Playwright; never a downloaded browser). Helpers live in support.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support import CHROMIUM, CHROMIUM_ARGS, start_server


@pytest.fixture
def server(tmp_path):
    s = start_server(tmp_path)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("HOITHI_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(locale="vi-VN")
    yield ctx
    ctx.close()


