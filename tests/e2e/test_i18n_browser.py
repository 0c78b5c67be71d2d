"""English in a real browser: the MC console opened with ?lang=en shows English in what its
scripts render (the timer button, the connection dot, the confirmation dialog, the kicker after
a step), from the page's <script type="application/json" id="i18n"> dictionary, with no
console error and no Content-Security-Policy violation. Screenshot: /tmp/shots/i18n-mc-en.png
(1366x768)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SHOTS = Path("/tmp/shots")
WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def test_mc_console_in_english(server, context):
    from support import organiser_login, shot

    page = context.new_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH_CSP)
    organiser_login(page, server)

    page.goto(f"{server.url}/c/{server.contest}/mc?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    # server-rendered labels
    assert page.locator("#b-next").inner_text().startswith("Next")
    assert "scoreboard for the audience" in page.inner_text("body").casefold()   # h2: uppercase in CSS
    # script-rendered labels: the timer button at a step without a timer, the connection dot
    page.wait_for_function("document.querySelector('[data-f=toggle_label]').textContent === 'No timer'")
    page.wait_for_selector("#conn-dot.conn-ok")
    assert page.get_attribute("#conn-dot", "aria-label") == "Connected"

    # a confirmation built by ui.js: English message and buttons; Escape cancels it
    page.click("[data-mode=live]")
    dialog = page.locator("dialog.dialog")
    dialog.wait_for()
    assert "Show the live scoreboard to the audience and on the projector?" in dialog.inner_text()
    assert dialog.locator("button").nth(0).inner_text().startswith("Cancel")
    assert dialog.locator("button").nth(1).inner_text().startswith("Public")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert page.get_attribute("[data-mode=hidden]", "aria-pressed") == "true"

    # the next step, rendered by mc.js
    first = page.text_content("[data-f=kicker]")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#mc-steps li[data-index='1'][aria-current]")
    page.wait_for_function("(before) => document.querySelector('[data-f=kicker]').textContent !== before", arg=first)
    assert page.text_content("[data-f=kicker]").startswith("On screen: ")
    body = page.inner_text("body").casefold()
    for vietnamese in ("Bắt đầu giờ", "Không có giờ", "Màn chiếu:", "Đã kết nối", "Bảng điểm cho khán giả"):
        assert vietnamese.casefold() not in body, vietnamese

    path = shot(page, "i18n-mc-en")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)
    assert page.evaluate("window.__csp") == []
    assert errors == []

    # back to Vietnamese: the same scripts speak Vietnamese again
    page.goto(f"{server.url}/c/{server.contest}/mc?lang=vi")
    page.wait_for_selector("#conn-dot.conn-ok")
    assert page.get_attribute("#conn-dot", "aria-label") == "Đã kết nối"
    assert page.evaluate("document.getElementById('i18n').textContent") == "{}"
    assert errors == []
