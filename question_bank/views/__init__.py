"""The question bank's screens, one blueprint ``bank``: an office's submission page
(:mod:`.office_page`), the secretary's review page with edit, approve/reject, import and
export (:mod:`.review_page`), the offices and their links (:mod:`.offices_page`), sealing,
revealing and the public verify page (:mod:`.draw_pages`). Each view parses the form, calls
one service function and renders or redirects; the work is in :mod:`question_bank.services`.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("bank", __name__)

# The routes, registered in the order the single views module had them.
from . import office_page, review_page, offices_page, draw_pages  # noqa: E402,F401,I001
