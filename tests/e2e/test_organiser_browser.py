"""The organiser's setup flow in a real Chromium against a real server: sign in, create a
contest, add a unit, a team, two members and a judge as jury head, watch the checklist
update, refuse a bad member without losing what was typed, and open the QR cards."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"organiser-{name}-1366x768.png"))


def _step(page, key: str):
    return page.locator(f"#step-{key}")


def test_organiser_sets_up_a_contest(server, browser):
    from support import organiser_login
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    # scripts that fail and CSP refusals; a refused form's own 400 is expected
    page.on("console", lambda m: problems.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)
    try:
        organiser_login(page, server)
        assert page.url.endswith("/setup")

        # a new contest, with the default rules
        page.fill("#name", "Hội thi Dân vận khéo năm 2024")
        page.fill("#organizer", "Ủy ban nhân dân huyện Kon Rẫy")
        page.fill("#date", "2024-10-20")
        page.fill("#venue", "Hội trường UBND huyện")
        page.get_by_role("button", name="Tạo hội thi").click()
        page.wait_for_url("**/c/*/setup")
        assert _step(page, "contest").get_attribute("data-state") == "done"
        assert _step(page, "rules").get_attribute("data-state") == "done"
        assert "Chưa có đơn vị dự thi" in _step(page, "teams").inner_text()
        assert "Chưa có giám khảo" in _step(page, "judges").inner_text()
        _shot(page, "checklist-new")

        # a unit and a team
        _step(page, "teams").get_by_role("link", name="Đơn vị và đội thi").click()
        page.fill("#units form >> [name=name]", "Xã Đăk Kôi")
        page.get_by_role("button", name="Thêm đơn vị").click()
        page.wait_for_selector("text=Đã thêm đơn vị “Xã Đăk Kôi”")
        page.fill("form[action$='/setup/teams'] >> [name=name]", "Đội Xã Đăk Kôi")
        page.select_option("form[action$='/setup/teams'] >> [name=unit]", label="Xã Đăk Kôi")
        page.get_by_role("button", name="Thêm đội").click()
        page.wait_for_selector("text=Đã thêm đội “Đội Xã Đăk Kôi”")

        # the checklist names the team without members
        page.click("nav.setup-nav >> text=Tổng quan")
        assert "Đội Xã Đăk Kôi chưa có thành viên" in _step(page, "teams").inner_text()
        page.go_back()

        # a member with a missing name is refused next to the field, what was typed stays
        form = "form[action*='/members']"
        page.fill(f"{form} >> [name=position]", "Phó Chủ tịch UBND xã")
        page.check(f"{form} >> input[name=roles][value=intro]")
        page.get_by_role("button", name="Thêm vào đội").click()
        page.wait_for_selector("text=Họ và tên: không được để trống")
        assert page.input_value(f"{form} >> [name=position]") == "Phó Chủ tịch UBND xã"
        assert page.is_checked(f"{form} >> input[name=roles][value=intro]")
        _shot(page, "member-error")

        page.fill(f"{form} >> [name=name]", "Nguyễn Văn An")
        page.get_by_role("button", name="Thêm vào đội").click()
        page.wait_for_selector("text=Đã thêm Nguyễn Văn An vào Đội Xã Đăk Kôi")
        page.fill(f"{form} >> [name=name]", "Y Thị Hoa")
        page.fill(f"{form} >> [name=workplace]", "Trường Tiểu học xã")
        page.check(f"{form} >> input[name=kind][value=guest]")
        page.check(f"{form} >> input[name=roles][value=skit]")
        page.get_by_role("button", name="Thêm vào đội").click()
        page.wait_for_selector("text=Đã thêm Y Thị Hoa vào Đội Xã Đăk Kôi")
        rows = page.locator("#members-table tbody tr")
        assert rows.count() == 2
        page.wait_for_load_state("load")
        page.fill("input[data-filter=members-table]", "hoa")  # accents ignored
        expect(page.locator("#members-table tbody tr:visible")).to_have_count(1)
        page.fill("input[data-filter=members-table]", "")
        expect(page.locator("#members-table tbody tr:visible")).to_have_count(2)
        page.click("#members-table th >> text=Họ và tên")  # Vietnamese order: by given name (An, Hoa)
        expect(page.locator("#members-table tbody tr").first).to_contain_text("Nguyễn Văn An")
        page.click("#members-table th >> text=Họ và tên")
        expect(page.locator("#members-table tbody tr").first).to_contain_text("Y Thị Hoa")
        _shot(page, "team")

        # a judge as head
        page.click("nav.setup-nav >> text=Giám khảo")
        page.fill("#judge-form >> [name=name]", "Đinh Văn Thành")
        page.fill("#judge-form >> [name=title]", "Phó Chủ tịch UBND huyện")
        page.check("#judge-form >> [name=head]")
        page.get_by_role("button", name="Thêm giám khảo").click()
        page.wait_for_selector("text=Đã thêm giám khảo Đinh Văn Thành")
        assert "Trưởng ban" in page.locator("#judges-table").inner_text()

        # the checklist has caught up
        page.click("nav.setup-nav >> text=Tổng quan")
        assert _step(page, "teams").get_attribute("data-state") in ("done", "warn")
        assert "chưa có thành viên" not in _step(page, "teams").inner_text()
        judges = _step(page, "judges")
        assert "Trưởng ban: Đinh Văn Thành" in judges.inner_text()
        assert "Chưa có Trưởng ban giám khảo" not in judges.inner_text()
        assert "Chưa có câu hỏi được duyệt" in _step(page, "questions").inner_text()
        _shot(page, "checklist")

        # the QR cards: one per judge, with the QR at least 4 cm when printed
        page.get_by_role("link", name="In thẻ QR").click()
        page.wait_for_selector(".qr-card2")
        cards = page.locator(".qr-card2")
        assert cards.count() >= 5  # organisers, MC, the judge, audience, projector
        assert "Đinh Văn Thành" in page.locator(".qr-sheet").inner_text()
        _shot(page, "cards")
        page.emulate_media(media="print")
        width_px = page.eval_on_selector(".qc-code svg", "el => el.getBoundingClientRect().width")
        assert width_px / 96 * 25.4 >= 40
        page.emulate_media(media="screen")
        assert not problems, problems
    finally:
        context.close()
