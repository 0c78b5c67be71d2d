"""The organisers' screens (Ban Tổ chức / Thư ký): contests, rules, units, teams, members,
judges, access links and the documents' letterhead and signer. Every form is WTForms with
CSRF; errors are shown next to the field in Vietnamese and nothing is saved."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("organiser", __name__)

from . import views, rules, people, links, documents  # noqa: E402,F401
from .. import qr  # noqa: E402,F401  (QR routes live on this blueprint)
