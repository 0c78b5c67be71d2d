"""Vietnamese by default, English on request; the choice sticks for the session."""

from __future__ import annotations


def test_vietnamese_default_and_english_on_request(client):
    assert "Đăng nhập Ban Tổ chức" in client.get("/login").get_data(as_text=True)
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert "Organiser sign-in" in english and 'lang="en"' in english
    assert "Organiser sign-in" in client.get("/login").get_data(as_text=True)  # remembered
    assert "Đăng nhập Ban Tổ chức" in client.get("/login?lang=vi").get_data(as_text=True)
