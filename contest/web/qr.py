"""QR codes as SVG, drawn on the server (no script, no style attribute: the CSP allows neither).

``qr_svg(text)`` gives inline SVG markup for a page; the routes serve the same SVG as a file:
a link's QR for the organisers, and the public audience and projector QR codes for anyone
(the projector's welcome screen can show ``/c/<id>/qr/audience.svg``).
"""

from __future__ import annotations

import re
from functools import lru_cache

import qrcode
from flask import Response
from markupsafe import Markup, escape

from ..core.errors import NotFound
from ..extensions import db
from ..models import AccessToken
from .auth import roles_required
from .organiser import bp

_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


@lru_cache(maxsize=512)
def _svg(text: str, border: int) -> str:
    from qrcode.image.svg import SvgPathImage
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border,
                       image_factory=SvgPathImage)
    qr.add_data(text)
    qr.make(fit=True)
    body = qr.make_image().to_string(encoding="unicode")
    size = qr.modules_count + 2 * border
    body = body.replace(' id="qr-path"', "")
    body = body.replace('fill-opacity="1" fill-rule="nonzero" stroke="none"', 'shape-rendering="crispEdges"')
    start = _SVG_OPEN.search(body)
    inner = body[start.end():] if start else body
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
            f'class="qr" role="img" aria-label="__LABEL__">'
            f'<rect width="{size}" height="{size}" fill="#ffffff"/>' + inner)


def svg_text(text: str, label: str = "Mã QR", border: int = 2) -> str:
    """The QR code of ``text`` as a standalone SVG document (string)."""
    return _svg(text, border).replace("__LABEL__", str(escape(label)), 1)


def qr_svg(text: str, label: str = "Mã QR", border: int = 2) -> Markup:
    """The QR code of ``text`` as inline SVG markup (safe to put in a template)."""
    return Markup(svg_text(text, label, border))


def _svg_response(text: str, label: str) -> Response:
    return Response(svg_text(text, label, border=4), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@bp.get("/c/<int:contest_id>/setup/qr/<int:token_id>.svg")
@roles_required("organiser")
def qr_token(contest_id: int, token_id: int):
    """A link's QR code (organisers only: it carries the token)."""
    from .organiser.common import public_base
    row = db.session.get(AccessToken, token_id)
    if row is None or row.contest_id != contest_id or row.revoked:
        raise NotFound("Không tìm thấy đường dẫn truy cập")
    base, _ = public_base()
    return _svg_response(f"{base}/t/{row.token}", row.label)


@bp.get("/c/<int:contest_id>/qr/<which>.svg")
def qr_public(contest_id: int, which: str):
    """The audience's or the projector's QR code: public, no token in it."""
    from ..models import Contest
    from .organiser.common import public_base
    if which not in ("audience", "projector") or db.session.get(Contest, contest_id) is None:
        raise NotFound("Không có mã QR này")
    base, _ = public_base()
    url = f"{base}/c/{contest_id}" + ("/projector" if which == "projector" else "")
    return _svg_response(url, "Khán giả" if which == "audience" else "Máy chiếu")
