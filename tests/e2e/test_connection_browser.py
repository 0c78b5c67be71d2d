"""A phone that loses the server, and one that misses an event, put themselves right: the
banner says the connection is lost (after a blip of 2 s) and goes once it is back; an event
whose version skips one makes the page ask for a fresh snapshot (``resync``) instead of
drawing a stage it has not seen."""

from __future__ import annotations

import json
import sqlite3
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def _press(server, action: str) -> dict:
    req = urllib.request.Request(f"{server.url}/api/v1/contests/{server.contest}/stage",
                                 data=json.dumps({"action": action}).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {server.links['mc']['token']}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as answer:
        return json.loads(answer.read())


HEADLINE = "(h) => document.querySelector('[data-f=headline]').textContent.trim() === h"


def _shows(page, view: dict) -> None:
    """Wait until the phone's headline is the step the MC just moved to."""
    page.wait_for_function(HEADLINE, arg=view["headline"], timeout=10_000)


def test_lost_banner_and_version_gap_resync(server, context):
    page = context.new_page()
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    page.goto(f"{server.url}/c/{server.contest}")
    page.wait_for_selector("#conn-dot.conn-ok", timeout=15_000)
    assert not page.locator("#conn-banner.conn-lost").count()

    # A missed event: the stored version jumps (as if three events never reached this phone),
    # then the MC presses. The page must not trust that event: it asks for a snapshot.
    _shows(page, _press(server, "next"))
    assert not any('"resync"' in frame for frame in sent)
    with sqlite3.connect(server.db.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE stage_record SET version = version + 3 WHERE contest_id = ?",
                     (server.contest,))
    _shows(page, _press(server, "next"))  # drawn from the fresh snapshot, not from the event
    for _ in range(50):  # the frame's event may reach this process a moment later
        if any('"resync"' in frame for frame in sent):
            break
        page.wait_for_timeout(100)
    assert any('"resync"' in frame for frame in sent), sent

    # The server goes away: the dot turns at once, the banner after the blip delay.
    server.stop(kill=True)
    page.wait_for_selector("#conn-banner.conn-lost", timeout=10_000)
    assert "Mất kết nối" in page.locator("#conn-banner").inner_text()
    server.start()
    page.wait_for_selector("#conn-dot.conn-ok", timeout=30_000)
    assert not page.locator("#conn-banner.conn-lost").count()
    _shows(page, _press(server, "next"))
