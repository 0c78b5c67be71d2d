"""Judging: score sheets, nominations, locks, the jury head's decisions, and the standings.

This module is the judging service's front door; callers import from here. The work is
done in:

* :mod:`contest.services.sheets` — storing a judge's sheet (tablet or paper), nominations,
  a file of paper sheets; the sheet policies (idempotent ids, replacement until a lock);
* :mod:`contest.services.jury` — locks, tie orders and overtime penalties of the jury head;
* :mod:`contest.services.results` — the cached computation of standings, prizes and the
  jury board (one computation per change, checked with a stamp);
* :mod:`contest.services.results_live` — what screens read (audience standings per the
  results mode, a judge's sheets, the tablet's data), :func:`changed` / :func:`broadcast`
  and the judging parts of the live snapshot;
* :mod:`contest.services.scoring_common` — the roster and the checks they share.

It does not decide what the audience may see of the stage (``results_mode`` comes from
:mod:`contest.services.stage`) and does not render anything. Of the private names only
``_MISSING`` (an ``expected`` the client did not send) is re-exported, for the judging pages;
patch private functions in the module where they live.
"""

from __future__ import annotations

from .jury import (confirm_penalty, decide_tie, lock_part, overtime_rows, penalties_dict,
                   unlock_part)
from .results import Computed, computed, invalidate
from .results_live import (audience_standings, broadcast, changed, matrix_dict, nominations_of,
                           prizes_dict, register_snapshot_parts, results_mode, sheets_event,
                           sheets_of, standings_dict, standings_for, tablet_data)
from .scoring_common import _MISSING  # noqa: F401  (contest/web/judging.py)
from .scoring_common import (ALL, ID_RE, MAX_COMMENT, MAX_REASON, Roster, locks_dict, performers,
                             roster)
from .sheets import (apply_bulk, enter_paper_sheet, nominate, receive_sheet, seen_sheets,
                     submit_sheet)

__all__ = [
    "ALL", "ID_RE", "MAX_COMMENT", "MAX_REASON", "Computed", "Roster", "apply_bulk",
    "audience_standings", "broadcast", "changed", "computed", "confirm_penalty", "decide_tie",
    "enter_paper_sheet", "invalidate", "lock_part", "locks_dict", "matrix_dict", "nominate",
    "nominations_of", "overtime_rows", "penalties_dict", "performers", "prizes_dict",
    "receive_sheet", "register_snapshot_parts", "results_mode", "roster", "seen_sheets",
    "sheets_event", "sheets_of", "standings_dict", "standings_for", "submit_sheet",
    "tablet_data", "unlock_part",
]
