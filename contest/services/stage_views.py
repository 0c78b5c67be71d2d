"""What each screen gets of the stage: the core's stage view with names, the programme, the
question on screen (its answer, follow-ups and the MC's script cue only for staff) and, on a
reveal step, the award being revealed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..clock import now_ms
from ..core import show
from ..core.cues import script_cue
from ..core.ceremony import PRIZE_KINDS_VI, TIE_TEXT, UNAWARDED_TEXT, RevealSlot, resolve_slot
from ..core.show import Stage, Step
from ..core.text import format_money, format_number
from ..extensions import db
from ..models import Contest, StageRecord
from . import stage_show as model
from .access import Principal
from .stage_show import SCREENS, Show, step_id

def _drawn(contest_id: int, team_key: str) -> dict | None:
    fn = model._lazy("question_bank.services", "drawn_question")
    return fn(contest_id, team_key) if fn is not None else None


def _question_view(drawn: dict | None, staff: bool) -> dict | None:
    if not drawn:
        return None
    q = drawn.get("question") or {}
    out = {"lot": drawn.get("lot"),
           "question": {k: q.get(k) for k in ("key", "kind", "text", "choices", "points")}}
    if staff:
        out["answer"] = drawn.get("answer")
        out["follow_ups"] = [{"text": f.get("text"), "answer": f.get("answer"),
                              "points": f.get("points")} for f in drawn.get("follow_ups") or ()]
    return out


def _member(contest_id: int, key: str):
    from ..models import Member
    return db.session.scalar(select(Member).where(Member.contest_id == contest_id, Member.key == key))


def _award_view(sh: Show, slot: RevealSlot, prizes: dict | None) -> dict:
    got = resolve_slot(slot, prizes)
    out = {"slot": slot.id, "prize": slot.prize, "prize_name": slot.name, "kind": slot.kind,
           "kind_name": PRIZE_KINDS_VI[slot.kind], "n": slot.n, "of": slot.of,
           "amount": slot.amount, "amount_text": format_money(slot.amount) if slot.amount else "",
           "status": got["status"], "winner": None, "detail": None, "text": None}
    if got["status"] == "tie":
        out["text"] = TIE_TEXT
    elif got["status"] in ("unawarded", "pending"):
        out["text"] = UNAWARDED_TEXT if got["status"] == "unawarded" else "Chưa có kết quả"
    elif got.get("member"):
        m = _member(sh.contest_id, got["member"])
        team = m.team if m else None
        out["winner"] = m.name if m else got["member"]
        out["detail"] = ", ".join(x for x in ((m.position_title if m else ""),
                                              team.name if team else "") if x)
        out["team"] = team.key if team else None
        out["member"] = got["member"]
    else:
        team = sh.teams.get(got.get("team") or "")
        out["winner"] = team.name if team else got.get("team")
        out["detail"] = team.unit_name if team else ""
        out["team"] = got.get("team")
    return out


def _step_view(sh: Show, step: Step | None) -> dict | None:
    if step is None:
        return None
    d = show.step_to_dict(step)
    team = sh.teams.get(step.team or "")
    part = sh.rules.part(step.part) if step.part else None
    phase = next((p for p in part.phases if p.key == step.phase), None) if part else None
    item = next((p for p in sh.programme if p.get("key") == step.programme), None)
    d.update(team_name=team.name if team else None, unit=team.unit_name if team else None,
             part_name=part.name if part else None, phase_name=phase.name if phase else None,
             programme_name=(item or {}).get("name"), id=step_id(step),
             team_order=sh.order.index(step.team) + 1 if step.team in sh.order else None)
    return d


def _programme(sh: Show, index: int) -> list[dict]:
    """The programme of the day with each item's state (done / current / next)."""
    current = sh.steps[index].programme
    keys = [s.programme for s in sh.steps]
    first = {k: keys.index(k) for k in reversed(keys)}
    out = []
    for item in sh.programme:
        start = first.get(item.get("key"))
        state = ("current" if item.get("key") == current else
                 "done" if start is not None and start < index else "next")
        out.append({"key": item.get("key"), "name": item.get("name"), "state": state})
    return out


def _team_rows(sh: Show, index: int) -> list[dict]:
    step = sh.steps[index]
    seen: dict[str, int] = {}
    for s in sh.steps:
        if s.kind == "team" and s.team not in seen:
            seen[s.team] = s.index
    rows = []
    for n, key in enumerate(sh.order, 1):
        team = sh.teams[key]
        start = seen.get(key, -1)
        state = ("current" if step.team == key else "done" if 0 <= start < index else "next")
        rows.append({"key": key, "name": team.name, "unit": team.unit_name, "order": n,
                     "state": state})
    return rows


def _cue(sh: Show, step: Step, award: dict | None) -> str:
    team = sh.teams.get(step.team or "")
    part = sh.rules.part(step.part) if step.part else None
    phase = next((p for p in part.phases if p.key == step.phase), None) if part else None
    if step.kind == "reveal" and award is not None:
        if award["status"] == "awarded":
            cue = script_cue(step, award["winner"], award["detail"] or None)
            return cue + (f" Phần thưởng: {award['amount_text']}." if award["amount_text"] else "")
        return f"Xin trân trọng công bố {step.title}: {award['text']}."
    return script_cue(step, team.name if team else None, team.unit_name if team else None,
                           part.name if part else None, phase.name if phase else None,
                           step.seconds, opens_part=show.opens_part(sh.steps, step.index))


def _view(sh: Show, stage: Stage, state: dict, *, staff: bool, now: int,
          include_steps: bool = False, prizes: Any = ...) -> dict:
    view = show.stage_to_dict(stage, sh.steps, now)
    index = min(stage.step, len(sh.steps) - 1)
    step = sh.steps[index]
    view["step"] = _step_view(sh, step)
    view["next"] = _step_view(sh, sh.steps[index + 1] if index + 1 < len(sh.steps) else None)
    view["contest"] = {"id": sh.contest_id, "name": sh.name}
    view["programme"] = _programme(sh, index)
    view["teams"] = _team_rows(sh, index)
    view["steps_key"] = sh.steps_key
    view["results_public"] = stage.results_mode != "hidden"
    view["screen"] = SCREENS[step.kind]
    sv = view["step"]
    view["headline"] = sv["team_name"] if step.team else step.title
    view["subline"] = " · ".join(x for x in (sv["unit"], step.title if step.kind != "team" else "")
                                 if x) if step.team else ""
    drawn_parts = show.default_draw_parts(sh.rules)
    view["question"] = None
    if step.team and step.part in drawn_parts and step.kind in ("draw", "question", "phase",
                                                                "follow_up", "scoring"):
        view["question"] = _question_view(_drawn(sh.contest_id, step.team), staff)
    view["award"] = None
    view["awards"] = []
    if step.kind in ("reveal", "results") or stage.revealed:
        if prizes is ...:
            prizes = model._prizes(sh.contest_id)
        reveal_steps = [s for s in sh.steps if s.kind == "reveal"]
        for s in reveal_steps[:stage.revealed]:
            slot = sh.slots.get(s.prize or "")
            if slot is not None:
                view["awards"].append(dict(_award_view(sh, slot, prizes), step=s.index))
        if step.kind == "reveal" and step.prize in sh.slots:
            view["award"] = _award_view(sh, sh.slots[step.prize], prizes)
    if step.kind == "programme":
        view["commitment"] = _commitment(sh.contest_id)
    if staff:
        view["cue"] = _cue(sh, step, view["award"])
        nxt = sh.steps[index + 1] if index + 1 < len(sh.steps) else None
        next_award = None
        if nxt is not None and nxt.kind == "reveal" and nxt.prize in sh.slots:
            if prizes is ...:
                prizes = model._prizes(sh.contest_id)
            next_award = _award_view(sh, sh.slots[nxt.prize], prizes)
        view["next_cue"] = _cue(sh, nxt, next_award) if nxt is not None else None
        view["overtime"] = [dict(r, team_name=sh.teams[r["team"]].name if r["team"] in sh.teams else r["team"])
                            for r in view["overtime"]]
        for r in view["overtime"]:
            rule = sh.rules.part(r["part"])
            pen = rule.overtime_penalty.deduction(r["ms"] / 1000) if rule and rule.overtime_penalty else 0
            phase = next((p for p in rule.phases if p.key == r["phase"]), None) if rule else None
            r.update(penalty=float(pen), penalty_text=format_number(pen) if pen else "",
                     part_name=rule.name if rule else r["part"],
                     phase_name=phase.name if phase else r["phase"], seconds=-(-r["ms"] // 1000))
        if include_steps:
            view["steps_list"] = [_step_view(sh, s) for s in sh.steps]
    else:
        view.pop("overtime", None)
    return view


def _commitment(contest_id: int) -> str | None:
    from question_bank.models import LotSeal
    return db.session.scalar(select(LotSeal.commitment).where(LotSeal.contest_id == contest_id,
                                                              LotSeal.kind == "questions"))


def stage_view(contest: Contest, principal: Principal, *, include_steps: bool = False) -> dict:
    """The ``GET /stage`` answer for ``principal`` (CONTRACT section 4): the core's stage
    view with names, the programme, the question on screen (its answer, follow-ups and the
    MC's script cue only for staff) and, on a reveal step, the award being revealed."""
    sh = model.build(contest)
    record = db.session.get(StageRecord, contest.id)
    state = dict(record.state or {}) if record is not None else {}
    stage = model.restore(state, sh.steps)
    return _view(sh, stage, state, staff=principal.is_staff, now=now_ms(),
                 include_steps=include_steps and principal.is_staff)
