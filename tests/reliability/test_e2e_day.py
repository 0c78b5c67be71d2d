"""The day in a real browser: a judge's tablet offline for minutes while the laptop reboots,
two tabs of the same judge flushing the same outbox when the router comes back, and every
screen showing names full of markup as text (no dialog ever opens).

1. The judge signs in by QR link and opens a second tab; the router drops (set_offline).
2. Four sheets are entered offline; the outbox holds them.
3. The server is killed (-9) and started again while the tablet is still offline; the
   projector on the wall reconnects by itself and follows the MC's next press; the tablet's
   clock is moved on five minutes (its retries fail quietly meanwhile).
4. The router comes back: both tabs flush at once. The server holds exactly four sheets,
   each created once (audit), none replaced; both tabs say "Đã lưu ✓".
5. Audience, projector, MC console, jury board and tablet, with names like
   ``<script>alert("xss")</script>``: no dialog, no page error, the names shown as text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import start_server
from test_kill9 import restart, Api
from test_names_as_text import SCRIPT, hostile_document

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots")
SAVED = "() => document.querySelector('#save-state').textContent === 'Đã lưu ✓'"


def enter_sheet(page, team: str, part: str, values: dict[str, str]) -> None:
    page.select_option("#team-select", team)
    page.click(f".part-btn[data-part='{part}']")
    for key, value in values.items():
        box = page.locator(f"[data-criterion='{key}'] .stepper-value")
        box.fill(value)
        box.press("Enter")
    page.click("#submit")


def test_tablet_offline_through_a_reboot_and_hostile_names(tmp_path, browser):
    doc_path = tmp_path / "hostile.json"
    doc_path.write_text(json.dumps(hostile_document(), ensure_ascii=False), encoding="utf-8")
    server = start_server(tmp_path, doc=doc_path)
    api = Api(server)
    links = server.links
    j2 = links["judges"]["j2"]["token"]
    organiser = links["organiser"]["token"]
    dialogs: list[str] = []
    errors: list[str] = []

    def watch(page, name: str):
        page.on("dialog", lambda d: (dialogs.append(f"{name}: {d.message}"), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(f"{name}: {e}"))
        return page

    ctx = browser.new_context(locale="vi-VN", viewport={"width": 768, "height": 1024})
    wall = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    try:
        projector = watch(wall.new_page(), "projector-live")
        projector.goto(f"{server.url}/c/{server.contest}/projector")
        projector.wait_for_selector("#conn-dot.conn-ok", timeout=15_000)
        tab1 = watch(ctx.new_page(), "tablet-1")
        tab1.clock.install()
        tab1.goto(links["judges"]["j2"]["url"])
        tab1.wait_for_selector("#team-select")
        tab2 = watch(ctx.new_page(), "tablet-2")
        tab2.clock.install()
        tab2.goto(f"{server.url}/c/{server.contest}/judge")
        tab2.wait_for_selector("#team-select")

        # 1-2. the router drops; four sheets wait in the outbox
        ctx.set_offline(True)
        teams = ["dak-rve", "dak-koi", "dak-to-lung", "dak-ruong"]
        for n, team in enumerate(teams):
            enter_sheet(tab1, team, "intro", {"content": str(5 + n), "delivery": "6,5"})
        tab1.wait_for_function("() => document.querySelector('#save-state').dataset.pending === '4'")
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab1.screenshot(path=str(SHOTS / "reliability-tablet-offline-768x1024.png"))

        # 3. the laptop reboots meanwhile; minutes pass on the tablet
        restart(server, api)
        # the projector finds the server again by itself and follows the next press
        projector.wait_for_selector("#conn-dot.conn-ok", timeout=20_000)
        assert "Tuyên bố lý do" not in projector.locator("body").inner_text()
        api.press(links["mc"]["token"], action="next")  # now "Chào cờ", next "Tuyên bố lý do"
        projector.wait_for_function("() => document.body.innerText.includes('Tuyên bố lý do')",
                                    timeout=15_000)
        tab1.clock.fast_forward("05:00")
        tab2.clock.fast_forward("05:00")
        assert api("GET", "/scores", j2)[1]["sheets"] == []

        # 4. the router comes back: both tabs flush the same outbox
        ctx.set_offline(False)
        tab1.wait_for_function(SAVED, timeout=30_000)
        tab2.wait_for_function(SAVED, timeout=30_000)
        sheets = api("GET", "/scores", j2)[1]["sheets"]
        assert sorted((s["team"], s["total"]) for s in sheets) == sorted(
            (t, 5 + n + 6.5) for n, t in enumerate(teams))
        audit = api("GET", "/audit?action=sheet.", organiser)[1]["entries"]
        mine = [e for e in audit if e["target"].startswith("j2/")]
        assert [e["action"] for e in mine] == ["sheet.create"] * 4, mine
        tab1.reload()
        tab1.wait_for_function(SAVED, timeout=20_000)
        tab1.screenshot(path=str(SHOTS / "reliability-tablet-back-768x1024.png"))

        # 5. every screen with markup in the names
        screens = [("audience", f"{server.url}/c/{server.contest}", None),
                   ("projector", f"{server.url}/c/{server.contest}/projector", (1920, 1080)),
                   ("mc", links["mc"]["url"], (1366, 768)),
                   ("jury", links["judges"]["j1"]["url"], (1366, 768))]
        for name, url, size in screens:
            sctx = browser.new_context(locale="vi-VN", viewport={"width": size[0], "height": size[1]}
                                       if size else {"width": 360, "height": 640})
            try:
                page = watch(sctx.new_page(), name)
                page.goto(url)
                page.wait_for_load_state("networkidle")
                if name == "jury":
                    page.goto(f"{server.url}/c/{server.contest}/jury")
                    page.wait_for_load_state("networkidle")
                body = page.locator("body").inner_text()
                assert "<script>" in body or "alert(" in body, f"{name}: the hostile names are not shown"
                page.screenshot(path=str(SHOTS / f"reliability-{name}-hostile.png"))
            finally:
                sctx.close()
        assert SCRIPT in tab1.locator("body").inner_text() or "<script>" in tab1.locator("body").inner_text()
        assert not dialogs, dialogs
        assert not errors, errors
    finally:
        ctx.close()
        wall.close()
        server.stop()
