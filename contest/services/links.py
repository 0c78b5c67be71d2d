"""The link of every screen of a contest, for ``hoithi tokens``, the QR cards and the API."""

from __future__ import annotations

import socket

from .access import tokens


def lan_address() -> str:
    """The machine's address on the LAN, from its own host name (sends nothing)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return "127.0.0.1"
    addresses = [i[4][0] for i in infos if not i[4][0].startswith("127.")]
    return addresses[0] if addresses else "127.0.0.1"


def base_url(config: dict, host: str | None = None, port: int | None = None) -> str:
    if config.get("PUBLIC_URL"):
        return config["PUBLIC_URL"].rstrip("/")
    try:
        from flask import has_request_context, request
        if has_request_context():
            return request.host_url.rstrip("/")
    except RuntimeError:
        pass
    return f"http://{host or lan_address()}:{port or 5000}"


def links(contest_id: int, base: str | None = None) -> dict:
    from flask import current_app
    base = base or base_url(current_app.config)
    out: dict = {
        "contest": contest_id,
        "audience": f"{base}/c/{contest_id}",
        "projector": f"{base}/c/{contest_id}/projector",
        "judges": {},
        "offices": {},
    }
    for t in tokens(contest_id):
        entry = {"url": f"{base}/t/{t.token}", "token": t.token, "name": t.label}
        if t.role in ("mc", "organiser"):
            out[t.role] = entry
        elif t.role == "judge":
            out["judges"][t.subject] = entry
        elif t.role == "office":
            out["offices"][t.subject] = entry
    return out
