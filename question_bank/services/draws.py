"""The draw on stage: the MC records the lot a team picked; a lot is drawn once (a unique
constraint makes it so even under a race); the question becomes ``used``. Also the reads of
the draw: ``GET /draws``, a team's drawn question, the review page's listing, and the
``draws`` part of the live snapshot.

Event after commit: ``draw`` (public payload without the answer; staff payload with it).
Sealing and revealing the lots is :mod:`.seals`' business.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from contest.clock import utcnow
from contest.core.errors import Conflict, ContestError
from contest.database import write_transaction
from contest.extensions import db
from contest.models import Contest, Team
from contest.services.access import Principal
from contest.services.audit import Actor, record

from ..core import draw as core_draw
from ..models import Draw, Question
from .common import cli_actor, contest_id_of, publish
from .questions import all_questions, get_question, public_question, staff_follow_ups, to_data
from .seals import (ORDER, QUESTIONS, draw_rows, performance_order, reveal_of, seal_row,
                    sealed_lots)


def _lot_number(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        raise ContestError("Số lá thăm (lot) phải là một số nguyên", field="lot")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ContestError(f"Số lá thăm (lot) '{value}' phải là một số nguyên", field="lot")


def record_draw(contest: Contest, team: Any, lot: Any, actor: Actor | None = None) -> dict:
    """The MC records the lot a team's representative picked.

    Answers ``{"lot", "team", "question", "answer", "follow_ups"}``; the question becomes
    ``used``; a lot already drawn is a 409, even when two consoles press at once.
    """
    actor = actor or cli_actor()
    number = _lot_number(lot)
    if not isinstance(team, str) or not team.strip():
        raise ContestError("Đội (team): hãy chọn đội bốc thăm", field="team")
    team_key = team.strip()
    try:
        with write_transaction():
            seal = seal_row(contest.id, QUESTIONS)
            if seal is None:
                raise Conflict("Chưa niêm phong lá thăm: Ban Tổ chức cần niêm phong bộ câu hỏi "
                               "trước khi bốc thăm", field="lot", code="not_sealed")
            if seal.revealed:
                raise Conflict("Lá thăm đã được công bố (kết thúc bốc thăm): không bốc thêm được",
                               field="lot", code="revealed")
            team_row = db.session.scalar(select(Team).where(Team.contest_id == contest.id,
                                                            Team.key == team_key))
            if team_row is None:
                raise ContestError(f"Đội (team): không có đội '{team_key}'", field="team",
                                   code="unknown_team")
            drawn = {d.lot for d in draw_rows(contest.id)}
            key = core_draw.draw_lot(sealed_lots(seal), drawn, number)
            q = get_question(contest.id, key)
            db.session.add(Draw(contest_id=contest.id, kind=QUESTIONS, lot=number,
                                team_key=team_key, value=key))
            old_status = q.status
            q.status, q.updated_at = "used", utcnow()
            db.session.flush()
            record(contest.id, actor, "draw.record", f"lot {number}",
                   new={"team": team_key, "question": key, "status": {"old": old_status, "new": "used"}})
            full = _draw_payload(number, team_row, q, with_answer=True)
            public = _draw_payload(number, team_row, q, with_answer=False)
            left = len(seal.lots) - len(drawn) - 1
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"Lá thăm số {number} đã được bốc", field="lot", code="lot_drawn") from None
    public["remaining"] = full["remaining"] = left
    publish(contest.id, "draw", public, staff_payload=full)
    return full


def _draw_payload(number: int, team: Team, q: Question, *, with_answer: bool) -> dict:
    out = {"lot": number, "team": team.key, "team_name": team.name, "unit": team.unit_name,
           "question": public_question(q)}
    if with_answer:
        out["answer"] = q.answer
        out["follow_ups"] = staff_follow_ups(q)
        if q.kind == "choice":
            out["answer_text"] = to_data(q).choice_text()
    return out


def _latest(contest_id: int, team_key: str | None = None) -> Draw | None:
    """The latest question draw (of one team, when ``team_key`` is given)."""
    query = select(Draw).where(Draw.contest_id == contest_id, Draw.kind == QUESTIONS)
    if team_key is not None:
        query = query.where(Draw.team_key == team_key)
    return db.session.scalar(query.order_by(Draw.id.desc()).limit(1))


def _question_or_none(contest_id: int, key: str) -> Question | None:
    return db.session.scalar(select(Question).where(Question.contest_id == contest_id,
                                                    Question.key == key))


def draws_state(contest: Contest | int) -> dict:
    """``GET /draws``: ``{"commitment", "lots": N, "drawn": [{"lot", "team", "question"}],
    "reveal": null | {"salt", "lots"}}`` (commitment null and lots 0 before sealing)."""
    cid = contest_id_of(contest)
    seal = seal_row(cid, QUESTIONS)
    if seal is None:
        return {"commitment": None, "lots": 0, "drawn": [], "reveal": None}
    return {"commitment": seal.commitment, "lots": len(seal.lots or {}),
            "drawn": [{"lot": d.lot, "team": d.team_key, "question": d.value} for d in draw_rows(cid)],
            "reveal": reveal_of(seal)}


def drawn_question(contest_id: int, team_key: str) -> dict | None:
    """The team's latest question draw, with the answer (for the MC and the jury):
    ``{"lot", "question": {"key", "kind", "text", "choices", "points"}, "answer",
    "follow_ups": [{"text", "answer", "points"}]}``; None when the team has not drawn."""
    d = _latest(contest_id, team_key)
    if d is None:
        return None
    q = _question_or_none(contest_id, d.value)
    if q is None:
        return None
    return {"lot": d.lot, "team": team_key, "question": public_question(q), "answer": q.answer,
            "follow_ups": staff_follow_ups(q)}


def latest_draw(contest_id: int, *, with_answer: bool) -> dict | None:
    d = _latest(contest_id)
    if d is None:
        return None
    team = db.session.scalar(select(Team).where(Team.contest_id == contest_id, Team.key == d.team_key))
    q = _question_or_none(contest_id, d.value)
    if team is None or q is None:
        return None
    return _draw_payload(d.lot, team, q, with_answer=with_answer)


def draw_listing(contest: Contest) -> dict:
    """For the review page: the seals, the draws with team names, what is left."""
    cid = contest.id
    seal = seal_row(cid, QUESTIONS)
    order = seal_row(cid, ORDER)
    teams = {t.key: t for t in db.session.scalars(select(Team).where(Team.contest_id == cid))}
    drawn = draw_rows(cid)
    approved_keys = {q.key for q in all_questions(cid) if q.status == "approved"}
    sealed_keys = set((seal.lots or {}).values()) if seal else set()
    return {
        "seal": seal, "order": order,
        "drawn": [{"lot": d.lot, "team": d.team_key,
                   "team_name": teams[d.team_key].name if d.team_key in teams else d.team_key,
                   "question": d.value, "at": d.at} for d in drawn],
        "unsealed_approved": sorted(approved_keys - sealed_keys) if seal else [],
        "order_teams": [teams[k].name if k in teams else k for k in (performance_order(cid) or [])],
        "can_reseal": not drawn,
    }


def snapshot_part(contest: Contest, principal: Principal) -> dict:
    """``snapshot["draws"]``: the GET /draws shape, the order's commitment, and the current
    (latest) draw: with its answer for the staff, without for everyone else."""
    state = draws_state(contest)
    order = seal_row(contest.id, ORDER)
    state["order_commitment"] = order.commitment if order is not None else None
    state["current"] = latest_draw(contest.id, with_answer=principal.is_staff)
    return state


def register_live() -> None:
    from contest import live
    live.SNAPSHOT_PARTS["draws"] = snapshot_part
