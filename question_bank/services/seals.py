"""The sealed lots: the approved questions shuffled into lots 1..N with a random salt
(:mod:`question_bank.core.draw`), and the performance order sealed the same way (lots are
positions, each holding a team key). Only the commitment is public until the reveal.

Re-sealing replaces the seal until the first lot is drawn; after that it is refused, and so is
any change to a question the seal covers. Recording a draw is :mod:`.draws`' business.
Events after commit: ``seal`` and ``reveal``.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from contest.clock import utcnow
from contest.core.errors import Conflict, ContestError
from contest.database import write_transaction
from contest.extensions import db
from contest.models import Contest, Team
from contest.services.audit import Actor, record

from ..core import draw as core_draw
from ..models import Draw, LotSeal, Question
from .common import cli_actor, contest_id_of, publish
from .questions import all_questions

QUESTIONS = "questions"
ORDER = "order"


def seal_row(contest_id: int, kind: str) -> LotSeal | None:
    return db.session.scalar(select(LotSeal).where(LotSeal.contest_id == contest_id,
                                                   LotSeal.kind == kind))


def sealed_lots(seal: LotSeal) -> core_draw.SealedLots:
    return core_draw.SealedLots(salt=seal.salt, lots=core_draw.lots_from_reveal(seal.lots),
                                commitment=seal.commitment)


def draw_rows(contest_id: int, kind: str = QUESTIONS) -> list[Draw]:
    """The lots drawn so far, in the order they were drawn."""
    return list(db.session.scalars(select(Draw).where(Draw.contest_id == contest_id, Draw.kind == kind)
                                   .order_by(Draw.id)))


def reveal_of(seal: LotSeal | None) -> dict | None:
    if seal is None or not seal.revealed:
        return None
    return {"salt": seal.salt, "lots": dict(seal.lots)}


def sealed_lot_of(contest_id: int, key: str) -> int | None:
    """The lot number holding question ``key``; None when it is in no sealed lot."""
    seal = seal_row(contest_id, QUESTIONS)
    if seal is None:
        return None
    for number, k in (seal.lots or {}).items():
        if k == key:
            return int(number)
    return None


def refuse_if_sealed(contest_id: int, q: Question, what: str) -> None:
    """Refuse to ``what`` (a verb: "xóa") a question that was drawn or is in a sealed lot."""
    if q.status == "used":
        raise Conflict(f"Câu hỏi {q.key} đã được bốc thăm, không {what} được", field="status")
    lot = sealed_lot_of(contest_id, q.key)
    if lot is not None:
        raise Conflict(f"Câu hỏi {q.key} đang nằm trong lá thăm số {lot}; hãy niêm phong lại "
                       f"(khi chưa bốc lá nào) trước khi {what}", field="status")


def _store_seal(contest: Contest, kind: str, sealed: core_draw.SealedLots, actor: Actor) -> None:
    seal = seal_row(contest.id, kind)
    lots = {str(n): key for n, key in sealed.lots.items()}
    old = None
    if seal is None:
        seal = LotSeal(contest_id=contest.id, kind=kind)
        db.session.add(seal)
    else:
        old = {"commitment": seal.commitment, "lots": len(seal.lots or {}), "revealed": seal.revealed}
    seal.salt, seal.lots, seal.commitment = sealed.salt, lots, sealed.commitment
    seal.revealed, seal.sealed_at = False, utcnow()
    action = ("draw.seal" if kind == QUESTIONS else "order.seal") + (".replace" if old else "")
    record(contest.id, actor, action, kind, old=old,
           new={"commitment": sealed.commitment, "lots": sealed.count})


def _announce(contest_id: int, kind: str, sealed: core_draw.SealedLots) -> dict:
    """After commit: ``{"commitment", "lots": N}``, also published as a ``seal`` event."""
    result = {"commitment": sealed.commitment, "lots": sealed.count}
    publish(contest_id, "seal", {"kind": kind, **result})
    return result


def seal_questions(contest: Contest, actor: Actor | None = None, rng: Any = None) -> dict:
    """Shuffle the approved questions into lots 1..N and seal them; ``{"commitment", "lots": N}``.

    Re-sealing before any lot is drawn replaces the seal (audited); after a draw it is refused.
    """
    actor = actor or cli_actor()
    rng = rng or random.SystemRandom()
    with write_transaction():
        if draw_rows(contest.id):
            raise Conflict("Đã có lá thăm được bốc trên sân khấu: không niêm phong lại được nữa",
                           field="seal", code="already_drawn")
        keys = [q.key for q in all_questions(contest.id) if q.status == "approved"]
        if not keys:
            raise ContestError("Chưa có câu hỏi nào được duyệt để niêm phong", field="questions",
                               code="nothing_to_seal")
        sealed = core_draw.seal_lots(keys, rng)
        _store_seal(contest, QUESTIONS, sealed, actor)
    return _announce(contest.id, QUESTIONS, sealed)


def seal_performance_order(contest: Contest, actor: Actor | None = None, rng: Any = None) -> dict:
    """Draw the order in which teams perform (position → team key), sealed the same way.
    Refused once it has been revealed or once the quiz draw has started."""
    actor = actor or cli_actor()
    rng = rng or random.SystemRandom()
    with write_transaction():
        existing = seal_row(contest.id, ORDER)
        if existing is not None and existing.revealed:
            raise Conflict("Thứ tự thi đã được công bố: không bốc lại được", field="seal")
        if existing is not None and draw_rows(contest.id):
            raise Conflict("Hội thi đã bắt đầu bốc thăm câu hỏi: không bốc lại thứ tự thi được",
                           field="seal", code="already_drawn")
        keys = [t.key for t in db.session.scalars(select(Team).where(Team.contest_id == contest.id)
                                                  .order_by(Team.position, Team.id))]
        if not keys:
            raise ContestError("Chưa có đội thi nào", field="teams", code="nothing_to_seal")
        sealed = core_draw.seal_order(keys, rng)
        _store_seal(contest, ORDER, sealed, actor)
    return _announce(contest.id, ORDER, sealed)


def reveal_lots(contest: Contest, actor: Actor | None = None) -> dict:
    """Publish the salt and the lots (and the performance order's, when sealed):
    ``{"commitment", "salt", "lots": {"1": key}}`` plus ``"order"`` when there is one."""
    actor = actor or cli_actor()
    with write_transaction():
        seal = seal_row(contest.id, QUESTIONS)
        if seal is None:
            raise Conflict("Chưa niêm phong lá thăm nên chưa có gì để công bố", field="seal",
                           code="not_sealed")
        result = {"commitment": seal.commitment, "salt": seal.salt, "lots": dict(seal.lots)}
        order = seal_row(contest.id, ORDER)
        if order is not None:
            result["order"] = {"commitment": order.commitment, "salt": order.salt,
                               "lots": dict(order.lots)}
        changed = [s for s in (seal, order) if s is not None and not s.revealed]
        for s in changed:
            s.revealed = True
        if changed:
            record(contest.id, actor, "draw.reveal", ",".join(s.kind for s in changed),
                   new={s.kind: s.commitment for s in changed})
    if changed:
        publish(contest.id, "reveal", {"kind": QUESTIONS, "reveal": reveal_of(seal),
                                       "commitment": seal.commitment})
    return result


def order_state(contest: Contest | int, *, staff: bool) -> dict:
    """The performance order's seal: commitment and count for anyone; the order itself for
    the staff, and for everyone once revealed."""
    cid = contest_id_of(contest)
    seal = seal_row(cid, ORDER)
    if seal is None:
        return {"commitment": None, "teams": 0, "order": None, "reveal": None}
    order = [seal.lots[str(n)] for n in range(1, len(seal.lots) + 1)] \
        if (staff or seal.revealed) else None
    return {"commitment": seal.commitment, "teams": len(seal.lots or {}), "order": order,
            "reveal": reveal_of(seal)}


def performance_order(contest: Contest | int) -> list[str] | None:
    """Team keys in the sealed performance order; None when the order is not sealed."""
    seal = seal_row(contest_id_of(contest), ORDER)
    if seal is None:
        return None
    lots = core_draw.lots_from_reveal(seal.lots)
    return [lots[n] for n in sorted(lots)]


def key_names(contest_id: int) -> dict[str, str]:
    """Team key → team name, for showing a revealed order in words."""
    return {t.key: t.name for t in db.session.scalars(select(Team).where(Team.contest_id == contest_id))}
