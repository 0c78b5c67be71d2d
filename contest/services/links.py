"""The link of every screen of a contest, for ``hoithi tokens``, the QR cards and the API."""

from __future__ import annotations

import socket

from .access import tokens


def lan_address() -> str:
    """The machine's IPv4 address on the LAN, read from its network interfaces (sends nothing).

    Prefers private addresses (192.168.x, 10.x, 172.16-31.x: the hall's Wi-Fi router), then
    any other non-loopback address, then the host name's address, then 127.0.0.1.
    """
    import ipaddress

    candidates: list[ipaddress.IPv4Address] = []
    try:
        import ifaddr
        for adapter in ifaddr.get_adapters():
            for ip in adapter.ips:
                if isinstance(ip.ip, str):
                    address = ipaddress.IPv4Address(ip.ip)
                    if not (address.is_loopback or address.is_link_local):
                        candidates.append(address)
    except Exception:  # noqa: BLE001 - no interface list on this system
        pass
    if not candidates:
        try:
            for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
                address = ipaddress.IPv4Address(info[4][0])
                if not address.is_loopback:
                    candidates.append(address)
        except OSError:
            pass
    if not candidates:
        return "127.0.0.1"
    candidates.sort(key=lambda a: (not a.is_private, str(a)))
    return str(candidates[0])


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
        entry = {"url": f"{base}/t/{t.token}", "token": t.token, "name": t.label, "id": t.id}
        if t.role in ("mc", "organiser"):
            out[t.role] = entry
        elif t.role == "judge":
            out["judges"][t.subject] = entry
        elif t.role == "office":
            out["offices"][t.subject] = entry
    return out
