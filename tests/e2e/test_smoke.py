"""The two README commands work: the server starts and serves its front door in a real browser."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_front_door_and_login(server, context):
    from support import organiser_login
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "/")
    assert "Hội thi Cải cách hành chính" in page.content()
    organiser_login(page, server)
    assert page.url.endswith("/setup")
    assert not errors
