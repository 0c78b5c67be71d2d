"""What every organiser view shares: who is acting, the contest, running a form's save and
putting a refused change's message next to the field it names."""

from __future__ import annotations

import re
from typing import Any, Callable

from flask import current_app, g, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from werkzeug.routing import BuildError
from wtforms import Field

from ...core.errors import Conflict, ContestError, NotFound
from ...services.audit import Actor
from ...services.links import base_url, lan_address
from ...services.setup_edit import get_contest  # noqa: F401  (re-exported for the views)

NOT_SAVED = lazy_gettext("Chưa lưu: hãy sửa các ô được đánh dấu.")

_LABELS = {"team.max_members": "Số thành viên tối đa", "team.max_guests": "Số người được mời tối đa",
           "aggregation": "Cách tổng hợp điểm", "decimals": "Số chữ số thập phân",
           "score_step": "Bước điểm", "tie_break": "Thứ tự xét khi bằng điểm"}


def actor() -> Actor:
    device = f"{request.remote_addr or ''} {request.user_agent.string or ''}".strip()[:300]
    principal = g.get("principal")
    if principal is not None:
        return principal.actor(device)
    return Actor(name=f"organiser:{current_user.username}", device=device, role="organiser")


def optional_url(endpoint: str, **values: Any) -> str | None:
    """The URL of a screen another package may not have built yet (None then)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def public_base() -> tuple[str, str | None]:
    """The base URL to print on QR codes, and a note when it is not the address typed.

    A laptop opened as ``localhost`` would put ``127.0.0.1`` on the judges' cards, which no
    tablet can reach: the LAN address is used instead."""
    config = current_app.config
    if config.get("PUBLIC_URL"):
        return config["PUBLIC_URL"].rstrip("/"), None
    base = base_url(config)
    host = request.host.rsplit(":", 1)[0].strip("[]")
    if host in ("localhost", "127.0.0.1", "::1") or host.startswith("127."):
        lan = lan_address()
        if not lan.startswith("127."):
            port = request.host.rsplit(":", 1)[1] if ":" in request.host else "80"
            return f"{request.scheme}://{lan}:{port}", gettext(
                "Máy này đang được mở bằng địa chỉ %(host)s; các mã QR dùng địa chỉ mạng LAN "
                "%(lan)s để máy tính bảng và điện thoại mở được.", host=request.host, lan=lan)
    return base, None


_SEGMENT = re.compile(r"\.?([a-z_]+)(?:\[(\d+)\])?")


def humanise(path: str, rules: dict | None) -> str:
    """'rules.parts[1].criteria[0].max' → "Phần thi 'Tiểu phẩm', tiêu chí 'Nội dung', max"."""
    if not path or not path.startswith("rules") or not isinstance(rules, dict):
        return path
    rest = path[len("rules"):]
    for key, label in _LABELS.items():
        if rest.lstrip(".").startswith(key):
            return label
    words, node = [], rules
    for name, index in _SEGMENT.findall(rest):
        item = node.get(name) if isinstance(node, dict) else None
        if index and isinstance(item, list) and int(index) < len(item):
            item = item[int(index)]
            what = {"parts": "Phần thi", "phases": "giai đoạn", "criteria": "tiêu chí",
                    "collective": "giải", "special": "giải", "individual": "giải"}.get(name, name)
            label = item.get("name") if isinstance(item, dict) else None
            words.append(f"{what} '{label}'" if label else f"{what} thứ {int(index) + 1}")
        elif name not in ("prizes",) and not index:
            words.append({"max": "điểm tối đa", "seconds": "thời lượng", "key": "mã", "name": "tên",
                          "part": "phần thi", "count": "số giải", "amount": "tiền thưởng"}.get(name, name))
        node = item
    text = ", ".join(words)
    return text[:1].upper() + text[1:] if text else path


def _field_message(exc: ContestError) -> str:
    message = exc.message
    if exc.field and message.startswith(exc.field + ":"):
        message = message[len(exc.field) + 1:].strip()
    return message[:1].upper() + message[1:]


def attach(form, exc: ContestError, paths: dict[str, Field] | None = None,
           rules: dict | None = None) -> list[str]:
    """Put the error next to the field it names (a form field name or a rules path); return
    the messages for the top of the form."""
    fields = dict(paths or {})
    for name, f in getattr(form, "_fields", {}).items():
        fields.setdefault(name, f)
    target = exc.field or ""
    while target and target not in fields:
        cut = max(target.rfind("."), target.rfind("["))
        target = target[:cut] if cut > 0 else ""
    if exc.field and target == exc.field and isinstance(fields.get(target), Field) \
            and fields[target].name != "revision":
        fields[target].errors = list(fields[target].errors or []) + [_field_message(exc)]
        return [NOT_SAVED]
    message = exc.message
    if exc.field and message.startswith(exc.field + ":"):
        message = f"{humanise(exc.field, rules)}: {_field_message(exc)}"
    return [message]


def run(form, save: Callable[[], Any], *, paths: dict[str, Field] | None = None,
        rules: dict | None = None) -> tuple[Any, list[str], int]:
    """Validate the posted form and call ``save``. Returns (result or None, messages for the
    top of the form, HTTP status): 200 saved, 400 refused, 409 stale."""
    if not form.validate():
        revision = getattr(form, "revision", None)
        return None, [NOT_SAVED] + list(revision.errors if revision is not None else []), 400
    try:
        return save(), [], 200
    except NotFound:
        raise
    except Conflict as exc:
        return None, [exc.message], 409
    except ContestError as exc:
        return None, attach(form, exc, paths, rules), exc.status
