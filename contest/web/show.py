"""(stub: being built)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("show", __name__)
