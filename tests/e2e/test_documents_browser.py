"""The "Văn bản" setup screen in a real Chromium at 1366x768: the defaults greyed in the empty
fields, a new signer saved and shown again, no sideways scrolling; screenshots in
/tmp/shots/organiser-documents-*-1366x768.png."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")


def _shot(page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"organiser-documents-{name}-1366x768.png"), full_page=full)


def test_organiser_sets_the_signer(server, browser):
    from support import organiser_login
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        organiser_login(page, server)
        page.goto(f"{server.url}/c/{server.contest}/setup")
        page.get_by_role("navigation", name="Các bước thiết lập").get_by_role("link", name="Văn bản", exact=True).click()
        page.wait_for_url("**/setup/documents")
        assert page.get_attribute("#signer_title", "placeholder") == "PHÓ CHỦ TỊCH"
        assert page.get_attribute("#issuer", "placeholder") == "ỦY BAN NHÂN DÂN HUYỆN KON RẪY"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        _shot(page, "empty")
        _shot(page, "empty-full", full=True)

        page.fill("#signer_title", "CHỦ TỊCH")
        page.fill("#signer_name", "Nguyễn Thị Bích Hạnh")
        page.uncheck("#draft")
        page.get_by_role("button", name="Lưu", exact=True).click()
        page.wait_for_selector("text=Đã lưu tiêu đề, người ký và nơi nhận")
        assert page.input_value("#signer_name") == "Nguyễn Thị Bích Hạnh"
        assert not page.is_checked("#draft")
        _shot(page, "saved")

        page.get_by_role("link", name="Tải các văn bản").click()
        page.wait_for_url("**/documents")
        page.get_by_role("link", name="Sửa tiêu đề, người ký, nơi nhận").click()
        page.wait_for_url("**/setup/documents")
        assert not problems, problems
    finally:
        context.close()
