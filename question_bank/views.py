"""(stub: being built)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("bank", __name__)
