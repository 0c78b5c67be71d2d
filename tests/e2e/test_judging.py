"""The judge's tablet on bad Wi-Fi and the jury head's board, in a real browser.

The tablet enters a sheet, loses the network, enters two more (they wait in the browser's
storage), comes back online (they go by themselves), enters one more offline and is closed
(a dead battery), and is opened again once the network is back: the server then holds
exactly those four sheets, each stored once. The jury board in another browser context
follows every step live. Screenshots go to /tmp/shots/.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for this module's tests (they use different judges)."""
    from support import start_server  # tests/e2e/support.py
    s = start_server(tmp_path_factory.mktemp("judging"))
    yield s
    s.stop()


def api(server, path: str, token: str, body: dict | None = None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{server.url}/api/v1/contests/{server.contest}{path}", data=data,
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"},
                                 method="POST" if body is not None else "GET")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def enter_sheet(page, team: str, part: str, values: dict[str, str]) -> None:
    page.select_option("#team-select", team)
    page.click(f".part-btn[data-part='{part}']")
    for key, value in values.items():
        box = page.locator(f"[data-criterion='{key}'] .stepper-value")
        box.fill(value)
        box.press("Enter")
    page.click("#submit")


def test_tablet_offline_outbox_and_live_board(server, browser):
    judge_url = server.links["judges"]["j2"]["url"]
    head_url = server.links["judges"]["j1"]["url"]
    j2 = server.links["judges"]["j2"]["token"]
    organiser = server.links["organiser"]["token"]
    errors: list[str] = []

    tablet_ctx = browser.new_context(locale="vi-VN", viewport={"width": 768, "height": 1024})
    board_ctx = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 768})
    try:
        board = board_ctx.new_page()
        board.on("pageerror", lambda e: errors.append(f"board: {e}"))
        board.goto(head_url)
        board.goto(f"{server.url}/c/{server.contest}/jury")
        board.wait_for_selector("#parts .part-card")
        cell = lambda team, part, judge="j2": board.locator(  # noqa: E731
            f"#parts .part-card:nth-child({['intro', 'skit', 'quiz'].index(part) + 1}) "
            f"tr[data-team='{team}'] td[data-judge='{judge}']")
        assert cell("dak-rve", "intro").inner_text() == "thiếu"

        tablet = tablet_ctx.new_page()
        tablet.on("pageerror", lambda e: errors.append(f"tablet: {e}"))
        tablet.goto(judge_url)
        state = tablet.locator("#save-state")
        tablet.wait_for_function("() => document.querySelector('#save-state').textContent.includes('Đã lưu')")

        # 1. online: one sheet, with a stepper press for one criterion
        tablet.select_option("#team-select", "dak-rve")
        tablet.click(".part-btn[data-part='intro']")
        for _ in range(3):
            tablet.click("[data-criterion='content'] .stepper-btn[data-delta='1']")
        assert tablet.locator("[data-criterion='content'] .stepper-value").input_value() == "1,5"
        box = tablet.locator("[data-criterion='content'] .stepper-value")
        box.fill("8,5")
        box.press("Enter")
        box = tablet.locator("[data-criterion='delivery'] .stepper-value")
        box.fill("12")  # above the maximum: refused on the tablet, the value stays unset
        box.press("Enter")
        assert box.input_value() == ""
        box.fill("9")
        box.press("Enter")
        assert tablet.locator("#total").inner_text() == "17,5"
        tablet.click("#submit")
        tablet.wait_for_function("() => document.querySelector('#save-state').textContent === 'Đã lưu ✓'")
        board.wait_for_function("() => document.querySelector(\"tr[data-team='dak-rve'] td[data-judge='j2']\")"
                                ".textContent === '17,5'")
        shot(tablet, "judge-tablet-768x1024")

        # 2. offline: two more sheets wait in the browser's storage
        tablet_ctx.set_offline(True)
        enter_sheet(tablet, "dak-koi", "intro", {"content": "7", "delivery": "7,5"})
        enter_sheet(tablet, "dak-to-lung", "intro", {"content": "6", "delivery": "6"})
        tablet.wait_for_function("() => document.querySelector('#save-state').dataset.pending === '2'")
        assert "Chưa gửi: 2 phiếu — sẽ tự gửi lại" in state.inner_text()
        shot(tablet, "judge-tablet-offline-768x1024")
        assert len(api(server, "/scores", j2)["sheets"]) == 1
        assert cell("dak-koi", "intro").inner_text() == "thiếu"

        # 3. back online: they go by themselves, once each
        tablet_ctx.set_offline(False)
        tablet.wait_for_function("() => document.querySelector('#save-state').textContent === 'Đã lưu ✓'",
                                 timeout=20_000)
        board.wait_for_function("() => document.querySelector(\"tr[data-team='dak-to-lung'] td[data-judge='j2']\")"
                                ".textContent === '12'")
        assert cell("dak-koi", "intro").inner_text() == "14,5"

        # 4. offline again, one more sheet, then the tablet dies; reopened once online
        tablet_ctx.set_offline(True)
        enter_sheet(tablet, "dak-ruong", "skit",
                    {"content": "18", "script": "8", "acting": "8,5", "staging": "9"})
        tablet.wait_for_function("() => document.querySelector('#save-state').dataset.pending === '1'")
        tablet.close()
        tablet_ctx.set_offline(False)
        tablet = tablet_ctx.new_page()
        tablet.on("pageerror", lambda e: errors.append(f"tablet: {e}"))
        tablet.goto(f"{server.url}/c/{server.contest}/judge")
        tablet.wait_for_function("() => document.querySelector('#save-state').textContent === 'Đã lưu ✓'",
                                 timeout=20_000)
        board.wait_for_function("() => document.querySelector(\"#parts .part-card:nth-child(2) "
                                "tr[data-team='dak-ruong'] td[data-judge='j2']\").textContent === '43,5'")

        sheets = api(server, "/scores", j2)["sheets"]
        assert sorted((s["team"], s["part"], s["total"]) for s in sheets) == sorted([
            ("dak-koi", "intro", 14.5), ("dak-rve", "intro", 17.5),
            ("dak-ruong", "skit", 43.5), ("dak-to-lung", "intro", 12)])
        audit = api(server, "/audit?action=sheet.", organiser)["entries"]
        mine = [e for e in audit if e["actor"] == "judge:j2"]
        assert [e["action"] for e in mine] == ["sheet.create"] * 4  # each stored once, none replaced
        assert all("tablet-" in e["device"] for e in mine)

        shot(board, "jury-board-1366x768")
        assert not errors, errors
    finally:
        tablet_ctx.close()
        board_ctx.close()


def test_tablet_follows_the_stage_and_nominates(server, browser):
    mc = server.links["mc"]["token"]
    j3 = server.links["judges"]["j3"]["token"]
    steps = api(server, "/stage?steps=1", mc)["steps_list"]
    target = next(s for s in steps if s["kind"] == "scoring" and s["part"] == "skit"
                  and s["team"] == "tan-lap")
    ctx = browser.new_context(locale="vi-VN", viewport={"width": 768, "height": 1024})
    errors: list[str] = []
    try:
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.links["judges"]["j3"]["url"])
        page.wait_for_function("() => document.querySelector('#save-state').textContent.includes('Đã lưu')")
        page.wait_for_timeout(300)  # the live socket connects
        api(server, "/stage", mc, {"action": "jump", "step": target["index"]})
        page.wait_for_function("() => document.querySelector('#sheet-title').textContent === 'Đội Xã Tân Lập'")
        assert page.locator(".part-btn[aria-pressed='true']").inner_text() == "Trình diễn tiểu phẩm"
        # nominate a performer of this part for best actor
        first = page.locator(".nom-member").first
        member = first.get_attribute("data-member")
        first.click()
        page.wait_for_function("() => document.querySelector('#save-state').textContent === 'Đã lưu ✓'")
        noms = api(server, "/nominations", j3)["nominations"]
        assert [(n["prize"], n["member"]) for n in noms] == [("best_actor", member)]
        # the judge looks at another sheet: a button brings back the one on stage
        page.click(".part-btn[data-part='intro']")
        assert page.locator("#stage-jump").is_visible()
        shot(page, "judge-tablet-stage-768x1024")
        page.click("#stage-jump")
        assert page.locator(".part-btn[aria-pressed='true']").inner_text() == "Trình diễn tiểu phẩm"
        assert not page.locator("#stage-jump").is_visible()
        assert not errors, errors
    finally:
        ctx.close()
