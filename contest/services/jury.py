"""The jury head's work: locking parts, ordering ties, confirming overtime penalties.

One service step per use case (load, check, save inside
:func:`~contest.database.write_transaction`, then
:func:`~contest.services.results_live.changed` publishes). Policies that live here:

* **Locks**: a locked part takes no new sheet or nomination. Locking a part that still misses
  sheets needs ``force`` and a reason; unlocking is the jury head's alone, always with a reason.
* **Decisions** (:class:`Decision`): ``tie`` (an order for one tie the prize allocation
  reported, with a reason) and ``penalty`` (points for overtime on one team's part; the
  latest per team and part counts, 0 cancels; a number other than the rules' suggestion
  needs a reason). Only confirmed penalties reach the standings.
* **Stale writes**: a write may carry ``expected`` (what the screen saw: the current decision
  id, or whether a part was locked); when the state moved on meanwhile it is refused with 409
  ``stale`` so two tabs of the jury head cannot silently overwrite each other.
* Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ..clock import utcnow
from ..core import prizes as prize_core
from ..core.errors import Conflict, ContestError
from ..core.tabulation import parse_points
from ..core.text import format_number
from ..database import write_transaction
from ..extensions import db
from ..models import Contest, Decision, PartLock, ScoreSheet, StageRecord
from .access import Principal
from .audit import record
from .results import _compute
from .results_live import changed
from .scoring_common import (ALL, _MISSING, _check_expected, _decisions, _locks, _num,
                             _part_keys, _reason, _require_head, locks_dict, roster)

# --------------------------------------------------------------------------- locks


def lock_part(contest: Contest, principal: Principal, part: Any, device: str = "", *,
              force: bool = False, reason: str = "") -> dict:
    """Lock one part (or ``"all"``): no sheet or nomination of it changes until unlocked.

    Refused when the part still misses sheets, unless ``force`` with a reason; refused with
    409 ``stale`` when it is already locked (another tab was quicker)."""
    _require_head(principal, organisers=True)
    keys = _part_keys(contest, part)
    reason = _reason(reason, required=force)
    with write_transaction() as s:
        locks = _locks(contest.id)
        todo = [k for k in keys if k not in locks]
        if not todo:
            raise Conflict("Phần thi này đã được khoá (có thể từ một máy khác); tải lại để xem"
                           if part != ALL else "Mọi phần thi đã được khoá", field="part",
                           code="stale")
        ros = roster(contest.id)
        have = {(j, t, p) for j, t, p in s.execute(
            select(ScoreSheet.judge_id, ScoreSheet.team_id, ScoreSheet.part_key)
            .where(ScoreSheet.contest_id == contest.id))}
        missing = {k: sum(1 for j in ros.judges.values() for t in ros.teams.values()
                          if (j.id, t.id, k) not in have) for k in todo}
        short = {k: n for k, n in missing.items() if n}
        if short and not force:
            names = ", ".join(f"«{contest.rules.part(k).name}» thiếu {n} phiếu"
                              for k, n in short.items())
            raise Conflict(f"Chưa thể khoá: {names}. Nhập đủ phiếu (hoặc khoá kèm lý do).",
                           field="part", code="incomplete")
        actor = principal.actor(device)
        for k in todo:
            s.add(PartLock(contest_id=contest.id, part_key=k, locked_by=actor.name,
                           locked_at=utcnow()))
            record(contest.id, actor, "part.lock", k, old={"locked": False},
                   new={"locked": True, "missing": missing[k]}, reason=reason)
    changed(contest.id)
    return {"locked": todo, "locks": locks_dict(contest.id)}


def unlock_part(contest: Contest, principal: Principal, part: Any, reason: Any,
                device: str = "") -> dict:
    """Unlock one part (or ``"all"``); only the jury head, always with a reason."""
    _require_head(principal)
    keys = _part_keys(contest, part)
    reason = _reason(reason)
    with write_transaction() as s:
        locks = _locks(contest.id)
        todo = [k for k in keys if k in locks]
        if not todo:
            raise Conflict("Phần thi này đang không bị khoá (có thể vừa được mở ở máy khác)",
                           field="part", code="stale")
        actor = principal.actor(device)
        for k in todo:
            lk = locks[k]
            record(contest.id, actor, "part.unlock", k,
                   old={"locked": True, "by": lk.locked_by}, new={"locked": False},
                   reason=reason)
            s.delete(lk)
    changed(contest.id)
    return {"unlocked": todo, "locks": locks_dict(contest.id)}


# --------------------------------------------------------------------------- decisions


def decide_tie(contest: Contest, principal: Principal, tie_key: Any, order: Any, reason: Any,
               device: str = "", expected: Any = _MISSING) -> dict:
    """Record the jury head's order for one tie the prize allocation reported."""
    _require_head(principal)
    reason = _reason(reason)
    if not isinstance(tie_key, str) or not tie_key:
        raise ContestError("Cần chọn trường hợp đồng hạng", field="tie")
    if not isinstance(order, list) or not all(isinstance(x, str) for x in order):
        raise ContestError("Thứ tự phải là danh sách mã ứng viên", field="order")
    with write_transaction() as s:
        computed = _compute(contest)
        tie = next((t for t in computed.all_ties if t.key == tie_key), None)
        if tie is None:
            raise Conflict("Trường hợp đồng hạng này không còn (bảng điểm đã thay đổi); "
                           "tải lại để xem", field="tie", code="stale")
        prize_core.validate_decision(tie, prize_core.TieDecision(tie_key, tuple(order)))
        previous = [d for d in _decisions(contest.id, "tie") if d.data.get("tie") == tie_key]
        current = previous[-1] if previous else None
        _check_expected(expected, current.id if current else None)
        actor = principal.actor(device)
        row = Decision(contest_id=contest.id, kind="tie",
                       data={"tie": tie_key, "order": list(order), "kind": tie.kind,
                             "candidates": list(tie.candidates), "prizes": list(tie.prizes)},
                       reason=reason, by=actor.name, at=utcnow())
        s.add(row)
        record(contest.id, actor, "tie.decide", tie_key,
               old={"order": current.data.get("order")} if current else None,
               new={"order": list(order), "prizes": list(tie.prizes)}, reason=reason)
        s.flush()
        answer = {"decision": row.id, "tie": tie_key, "order": list(order)}
    changed(contest.id)
    return answer


def overtime_rows(contest: Contest) -> list[dict]:
    """The overtime the timer recorded, with the deduction the rules suggest per phase."""
    stage = db.session.get(StageRecord, contest.id)
    rows = (stage.state or {}).get("overtime") if stage is not None else None
    out = []
    for r in rows or ():
        try:
            team, part_key, phase, ms = r["team"], r["part"], r.get("phase", ""), int(r["ms"])
        except (KeyError, TypeError, ValueError):
            continue
        part = contest.rules.part(part_key)
        if part is None or ms <= 0:
            continue
        pen = part.overtime_penalty
        suggested = pen.deduction(ms / 1000) if pen is not None else Decimal(0)
        out.append({"team": team, "part": part_key, "phase": phase, "ms": ms,
                    "suggested": _num(suggested)})
    return out


def _suggested(contest: Contest, team: str, part: str) -> tuple[Decimal, int]:
    rows = [r for r in overtime_rows(contest) if r["team"] == team and r["part"] == part]
    return (sum((Decimal(str(r["suggested"])) for r in rows), Decimal(0)),
            sum(r["ms"] for r in rows))


def confirm_penalty(contest: Contest, principal: Principal, team: Any, part: Any, points: Any,
                    reason: Any = "", device: str = "", expected: Any = _MISSING) -> dict:
    """The jury head confirms (or edits, or cancels with 0) an overtime penalty.

    The rules suggest the points (:meth:`OvertimePenalty.deduction` of the recorded overtime);
    any other number needs a reason. The latest decision for a team's part counts."""
    _require_head(principal)
    rules = contest.rules
    p = rules.part(part) if isinstance(part, str) else None
    if p is None:
        raise ContestError(f"Không có phần thi '{part}'", field="part")
    value = parse_points(points)
    if value is None or value < 0 or value > p.max:
        raise ContestError(f"Điểm trừ phải là số từ 0 đến {format_number(p.max)}", field="points")
    with write_transaction() as s:
        ros = roster(contest.id)
        if not isinstance(team, str) or team not in ros.teams:
            raise ContestError(f"Không có đội '{team}'", field="team")
        suggested, ms = _suggested(contest, team, part)
        reason = _reason(reason, required=value != suggested)
        if not reason:
            reason = (f"Quá giờ {ms // 60000}:{ms // 1000 % 60:02d}, trừ theo thể lệ"
                      if ms else "Theo thể lệ")
        previous = [d for d in _decisions(contest.id, "penalty")
                    if d.data.get("team") == team and d.data.get("part") == part]
        current = previous[-1] if previous else None
        _check_expected(expected, current.id if current else None)
        actor = principal.actor(device)
        row = Decision(contest_id=contest.id, kind="penalty",
                       data={"team": team, "part": part, "points": _num(value),
                             "suggested": _num(suggested), "overtime_ms": ms},
                       reason=reason, by=actor.name, at=utcnow())
        s.add(row)
        record(contest.id, actor, "penalty.confirm", f"{team}/{part}",
               old={"points": current.data.get("points")} if current else None,
               new={"points": _num(value), "suggested": _num(suggested)}, reason=reason)
        s.flush()
        answer = {"decision": row.id, "team": team, "part": part, "points": _num(value)}
    changed(contest.id)
    return answer


def penalties_dict(contest: Contest) -> dict:
    latest: dict[tuple[str, str], Decision] = {}
    for d in _decisions(contest.id, "penalty"):
        latest[(d.data.get("team"), d.data.get("part"))] = d
    return {
        "overtime": overtime_rows(contest),
        "penalties": [{"team": t, "part": p, "points": d.data.get("points"),
                       "suggested": d.data.get("suggested"), "reason": d.reason, "by": d.by,
                       "decision": d.id, "at": d.at.isoformat(timespec="seconds") + "Z"}
                      for (t, p), d in latest.items()],
    }
