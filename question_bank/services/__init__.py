"""The question bank's use cases: load rows, call the pure core, save, then publish.

One module per idea; every name other code uses is importable from here:

- :mod:`.questions`: a stored question as data, its labels, validation, plain reads;
- :mod:`.office_admin`: the contributing offices and their links;
- :mod:`.listing`: filters, search and the coverage table;
- :mod:`.editing`: an office's submission or an organiser's form, edits, deletes;
- :mod:`.review`: approve and reject;
- :mod:`.files`: import (with duplicates), export, the jury's booklet, the template;
- :mod:`.seals`: sealing the lots and the performance order, and the reveal;
- :mod:`.draws`: recording a draw on stage and the reads of the draw.

Every change is audited. Events go out after commit, through :func:`contest.live.publish`:
``draw`` (public payload without the answer; staff payload with it), ``seal`` and ``reveal``.
Nothing here renders HTML or reads the request.
"""

from __future__ import annotations

from .common import get_contest
from .draws import (draw_listing, draws_state, drawn_question, latest_draw, record_draw,
                    register_live, snapshot_part)
from .editing import create_question, delete_question, update_question
from .files import (DUPLICATE_THRESHOLD, booklet_docx, export_xlsx, import_questions,
                    template_xlsx)
from .listing import DEFAULT_RESERVES, Filters, coverage, list_questions, search
from .office_admin import (add_office, office_by_key, office_links, office_of, offices,
                           rename_office)
from .questions import (FIELD_LABELS, KIND_LABELS, STATUS_LABELS, all_questions, get_question,
                        public_question, question_dict, to_data, validate)
from .review import approve_question, reject_question, review_question
from .seals import (ORDER, QUESTIONS, key_names, order_state, performance_order, reveal_lots,
                    seal_performance_order, seal_questions)

__all__ = [
    "DEFAULT_RESERVES", "DUPLICATE_THRESHOLD", "FIELD_LABELS", "KIND_LABELS", "ORDER",
    "QUESTIONS", "STATUS_LABELS", "Filters", "add_office", "all_questions", "approve_question",
    "booklet_docx", "coverage", "create_question", "delete_question", "draw_listing",
    "draws_state", "drawn_question", "export_xlsx", "get_contest", "get_question",
    "import_questions", "key_names", "latest_draw", "list_questions", "office_by_key",
    "office_links", "office_of", "offices", "order_state", "performance_order",
    "public_question", "question_dict", "record_draw", "register_live", "reject_question",
    "rename_office", "reveal_lots", "review_question", "search", "seal_performance_order",
    "seal_questions", "snapshot_part", "template_xlsx", "to_data", "update_question",
    "validate",
]

register_live()
