"""The database models, split by aggregate. Import from here."""

from .access import AccessToken, User
from .audit import AuditEntry
from .contest import Contest, Unit
from .judging import Decision, Nomination, PartLock, ScoreSheet, SheetReceipt
from .people import Judge
from .stage import StageRecord
from .teams import Member, Team

from question_bank.models import Draw, LotSeal, Office, Question  # noqa: E402

__all__ = ["AccessToken", "AuditEntry", "Contest", "Draw", "LotSeal", "Office", "Question", "Decision", "Judge", "Member", "Nomination",
           "PartLock", "ScoreSheet", "SheetReceipt", "StageRecord", "Team", "Unit", "User"]
