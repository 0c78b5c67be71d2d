"""The run of show: the programme of the day as a list of steps, and the stage that walks it.

Terms
- *programme item*: one line of the ceremony's programme (``{"key", "name", "kind"}``); its
  kind is ``plain``, ``contest`` (the teams perform) or ``results`` (announcement and prizes).
  Without a kind, key ``contest`` means contest, key ``results`` means results, else plain.
- *step*: one thing the MC moves to: ``programme`` (a plain item), ``team`` (a team comes on
  stage), ``draw`` (a lot is drawn), ``question`` (the main question is read), ``phase`` (a
  timed phase of a part), ``follow_up`` (the optional follow-up question), ``scoring`` (the
  judges score the part), ``results`` (the ceremony opens), ``reveal`` (one prize announced).
- *drawn part*: a part whose question is drawn by lot: exactly the keys given as
  ``draw_parts``, else what the rules say (:func:`default_draw_parts`).
- *stage*: where the show is now: the step, the timer of a timed step, what the audience sees
  of the standings (``results_mode``), whether a phase flows into the next by itself
  (``auto_advance``), how many reveals have been shown, the overtime observed, and a
  ``version`` bumped by every change so that live clients can detect a missed event.

Policies
- Moving to a ``phase`` step loads a fresh stopped timer of the step's duration; moving to any
  other step drops the timer. Timer presses follow :mod:`contest.core.timer` (double presses
  are harmless); a timer press on a step without a timer is a :class:`ContestError`.
- Overtime: when a started timer is paused, or its step is left, its overrun is recorded
  under (team, part, phase); a later observation of the same phase replaces it (0 removes it).
  ``reset`` leaves records alone. The jury head decides on penalties elsewhere.
- ``version`` (keyword of :func:`apply`) is an optional guard: when given and not the stage's
  version the press is refused with :class:`Conflict`, so a console acting on a stale screen
  (or a double-tapped "next") cannot skip a step.

This module does not know team names beyond the titles of the steps, questions, lots or
scores; it never reads the clock (``now_ms`` is a parameter) and stores nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from . import timer as tm
from .errors import Conflict, ContestError
from .rules import Rules
from .timer import Timer

STEP_KINDS = ("programme", "team", "draw", "question", "phase", "follow_up", "scoring",
              "results", "reveal")
ITEM_KINDS = ("plain", "contest", "results")
RESULTS_MODES = ("hidden", "live", "frozen")
ACTIONS = ("next", "previous", "jump", "start", "pause", "resume", "reset", "extend",
           "results", "auto_advance")

OvertimeKey = tuple[str, str, str]


@dataclass(frozen=True)
class Step:
    index: int
    kind: str
    title: str
    programme: str
    team: str | None = None
    part: str | None = None
    phase: str | None = None
    seconds: int | None = None
    prize: str | None = None


@dataclass(frozen=True)
class Stage:
    step: int = 0
    timer: Timer | None = None
    results_mode: str = "hidden"
    auto_advance: bool = False
    revealed: int = 0
    version: int = 0
    overtime: Mapping[OvertimeKey, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "overtime", MappingProxyType(dict(self.overtime)))


# --------------------------------------------------------------------------- building steps


def _item_kind(item: Mapping, i: int) -> str:
    kind = item.get("kind")
    if kind is None:
        return {"contest": "contest", "results": "results"}.get(item["key"], "plain")
    if kind not in ITEM_KINDS:
        raise ContestError(f"Mục chương trình '{item['key']}': loại '{kind}' không hợp lệ "
                           "(plain, contest hoặc results)", field=f"programme[{i}].kind")
    return kind


def default_draw_parts(rules: Rules) -> tuple[str, ...]:
    """The parts drawn for by lot unless the caller says otherwise, in the rules' order.

    Rules are data: when any part of the rules gives ``drawn``, exactly the parts with
    ``drawn: true`` are drawn (a part that says nothing is then not drawn). When no part says
    anything, the rule of documents written before the flag existed holds: the part keyed
    ``quiz`` and any part with a phase keyed ``confer`` (conferral before answering).
    """
    if any(p.drawn is not None for p in rules.parts):
        return tuple(p.key for p in rules.parts if p.drawn)
    return tuple(p.key for p in rules.parts if drawn_by_default(p.key, (ph.key for ph in p.phases)))


def drawn_by_default(part_key: str, phase_keys: Iterable[str]) -> bool:
    """The rule when no part gives ``drawn``: the part keyed ``quiz``, or one with a ``confer``
    phase."""
    return part_key == "quiz" or "confer" in tuple(phase_keys)


def build_steps(programme: Sequence[Mapping[str, Any]],
                teams: Sequence[tuple[str, str, str]],
                rules: Rules, *,
                draw_parts: Iterable[str] | None = None,
                reveals: Sequence[tuple[str, str]] | None = None) -> tuple[Step, ...]:
    """Expand the programme into the steps of the day.

    A ``contest`` item becomes, for each team in performance order: the team step, then for
    each part of the rules: (draw, question) for a drawn part, one step per phase, (follow_up)
    for a drawn part, scoring. A ``results`` item becomes a ``results`` step followed by one
    ``reveal`` step per ``(prize_key, title)`` in ``reveals``. Durations come from the rules.
    """
    drawn = default_draw_parts(rules) if draw_parts is None else tuple(draw_parts)
    for key in drawn:
        if rules.part(key) is None:
            raise ContestError(f"Không có phần thi '{key}' để bốc thăm", field="draw_parts")
    seen_teams: set[str] = set()
    for i, team in enumerate(teams):
        if len(team) != 3 or team[0] in seen_teams:
            raise ContestError(f"Đội thứ {i + 1} không hợp lệ hoặc bị trùng", field=f"teams[{i}]")
        seen_teams.add(team[0])

    raw: list[dict] = []
    seen_items: set[str] = set()
    for i, item in enumerate(programme):
        if not isinstance(item, Mapping) or not isinstance(item.get("key"), str) \
                or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise ContestError(f"Mục chương trình thứ {i + 1} cần có mã và tên",
                               field=f"programme[{i}]")
        key, name = item["key"], item["name"].strip()
        if key in seen_items:
            raise ContestError(f"Trùng mã mục chương trình '{key}'", field=f"programme[{i}].key")
        seen_items.add(key)
        kind = _item_kind(item, i)
        if kind == "plain":
            raw.append(dict(kind="programme", title=name, programme=key))
        elif kind == "results":
            raw.append(dict(kind="results", title=name, programme=key))
            for prize, title in reveals or ():
                raw.append(dict(kind="reveal", title=title, programme=key, prize=prize))
        else:
            for team_key, team_name, _unit in teams:
                raw.append(dict(kind="team", title=team_name, programme=key, team=team_key))
                for part in rules.parts:
                    on = dict(programme=key, team=team_key, part=part.key)
                    if part.key in drawn:
                        raw.append(dict(kind="draw", title=f"Bốc thăm câu hỏi: {part.name}", **on))
                        raw.append(dict(kind="question", title="Câu hỏi chính", **on))
                    for ph in part.phases:
                        raw.append(dict(kind="phase", title=f"{part.name}: {ph.name}",
                                        phase=ph.key, seconds=ph.seconds, **on))
                    if part.key in drawn:
                        raw.append(dict(kind="follow_up", title="Câu hỏi phụ", **on))
                    raw.append(dict(kind="scoring", title=f"Chấm điểm: {part.name}", **on))
    if not raw:
        raise ContestError("Chương trình chưa có bước nào", field="programme")
    return tuple(Step(index=i, **r) for i, r in enumerate(raw))


def opens_part(steps: Sequence[Step], index: int) -> bool:
    """True when no earlier step belongs to the same team and part (for :func:`contest.core.cues.script_cue`)."""
    s = steps[index]
    return s.part is None or not any(p.team == s.team and p.part == s.part and
                                     p.programme == s.programme for p in steps[:index])


# --------------------------------------------------------------------------- the stage


def _check_step(steps: Sequence[Step], index: Any) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(steps):
        raise ContestError(f"Bước phải từ 0 đến {len(steps) - 1}", field="step")
    return index


def _record(overtime: Mapping[OvertimeKey, int], step: Step, timer: Timer | None,
            now_ms: int) -> Mapping[OvertimeKey, int]:
    """The overtime map after observing ``timer`` of ``step`` at ``now_ms``."""
    if timer is None or timer.state == "stopped" or step.kind != "phase":
        return overtime
    key = (step.team or "", step.part or "", step.phase or "")
    over = tm.overtime_ms(timer, now_ms)
    updated = {k: v for k, v in overtime.items() if k != key}
    return {**updated, key: over} if over > 0 else updated


def _fresh_timer(step: Step) -> Timer | None:
    return Timer(duration_ms=step.seconds * 1000) if step.kind == "phase" and step.seconds else None


def _revealed(steps: Sequence[Step], index: int, before: int) -> int:
    shown = sum(1 for s in steps[:index + 1] if s.kind == "reveal")
    return max(before, shown)


def _move(stage: Stage, steps: Sequence[Step], target: int, now_ms: int) -> Stage:
    current = steps[min(stage.step, len(steps) - 1)]
    if target == stage.step:
        return stage
    return replace(stage, step=target, timer=_fresh_timer(steps[target]),
                   overtime=_record(stage.overtime, current, stage.timer, now_ms),
                   revealed=_revealed(steps, target, stage.revealed))


def apply(stage: Stage, steps: Sequence[Step], action: str, now_ms: int, *,
          seconds: int | None = None, mode: str | None = None, step: int | None = None,
          auto_advance: bool | None = None, version: int | None = None) -> Stage:
    """The stage after the MC's ``action``; every success bumps ``version``.

    ``jump`` needs ``step``, ``extend`` needs ``seconds`` (1..3600), ``results`` needs
    ``mode``; ``auto_advance`` sets the flag when given, else toggles it. Errors are
    :class:`ContestError` naming the field (``action``, ``step``, ``seconds``, ``mode``)."""
    if not steps:
        raise ContestError("Chương trình chưa có bước nào", field="step")
    if version is not None and version != stage.version:
        raise Conflict("Màn hình đã thay đổi trước thao tác này; hãy xem lại bước hiện tại",
                       field="version")
    if action not in ACTIONS:
        raise ContestError(f"Thao tác '{action}' không có", field="action")
    current = steps[min(stage.step, len(steps) - 1)]

    if action == "next":
        if stage.step >= len(steps) - 1:
            raise ContestError("Đã ở bước cuối cùng của chương trình", field="step")
        new = _move(stage, steps, stage.step + 1, now_ms)
    elif action == "previous":
        if stage.step <= 0:
            raise ContestError("Đã ở bước đầu tiên của chương trình", field="step")
        new = _move(stage, steps, min(stage.step, len(steps)) - 1, now_ms)
    elif action == "jump":
        new = _move(stage, steps, _check_step(steps, step), now_ms)
    elif action == "results":
        if mode not in RESULTS_MODES:
            raise ContestError("Chế độ kết quả phải là hidden, live hoặc frozen", field="mode")
        new = replace(stage, results_mode=mode)
    elif action == "auto_advance":
        flag = (not stage.auto_advance) if auto_advance is None else bool(auto_advance)
        new = replace(stage, auto_advance=flag)
    else:
        t = stage.timer
        if t is None:
            raise ContestError(f"Bước hiện tại ({current.title}) không có đồng hồ bấm giờ",
                               field="action")
        if action == "start":
            new = replace(stage, timer=tm.start(t, now_ms))
        elif action == "resume":
            new = replace(stage, timer=tm.resume(t, now_ms))
        elif action == "reset":
            new = replace(stage, timer=tm.reset(t))
        elif action == "pause":
            paused = tm.pause(t, now_ms)
            new = replace(stage, timer=paused,
                          overtime=_record(stage.overtime, current, paused, now_ms))
        else:  # extend
            if isinstance(seconds, bool) or not isinstance(seconds, int) \
                    or not 0 < seconds <= tm.MAX_EXTENSION_MS // 1000:
                raise ContestError("Thời gian cộng thêm phải là số giây từ 1 đến 3600",
                                   field="seconds")
            new = replace(stage, timer=tm.extend(t, seconds * 1000, now_ms))
    return replace(new, version=stage.version + 1)


def _flows_on(steps: Sequence[Step], index: int) -> bool:
    """Whether the phase at ``index`` flows straight into the next phase of the same part."""
    if index + 1 >= len(steps):
        return False
    a, b = steps[index], steps[index + 1]
    return (a.kind == "phase" and b.kind == "phase" and a.team == b.team
            and a.part == b.part and a.programme == b.programme)


def tick(stage: Stage, steps: Sequence[Step], now_ms: int) -> Stage | None:
    """What time does by itself: with ``auto_advance`` on, a running phase that reaches zero
    and is followed by another phase of the same part (conferral then answer) hands over to
    it, whose timer starts at exactly the old deadline, so no millisecond is lost however late
    the scheduler calls. Catches up over several phases at once. None when nothing changes."""
    new = stage
    while (new.auto_advance and new.timer is not None and new.timer.state == "running"
           and new.step < len(steps) and tm.remaining(new.timer, now_ms) <= 0
           and _flows_on(steps, new.step)):
        deadline = new.timer.deadline_ms
        assert deadline is not None
        nxt = steps[new.step + 1]
        fresh = _fresh_timer(nxt)
        assert fresh is not None
        new = replace(new, step=nxt.index, timer=tm.start(fresh, deadline),
                      overtime=_record(new.overtime, steps[new.step], new.timer, deadline),
                      version=new.version + 1)
    return None if new is stage else new


# --------------------------------------------------------------------------- views and storage


def step_to_dict(step: Step) -> dict:
    return {"index": step.index, "kind": step.kind, "title": step.title,
            "programme": step.programme, "team": step.team, "part": step.part,
            "phase": step.phase, "seconds": step.seconds, "prize": step.prize}


def _overtime_rows(stage: Stage) -> list[dict]:
    return [{"team": k[0], "part": k[1], "phase": k[2], "ms": v}
            for k, v in sorted(stage.overtime.items())]


def stage_to_dict(stage: Stage, steps: Sequence[Step], now_ms: int) -> dict:
    """The stage API answer (CONTRACT section 4); the web layer adds names and the question."""
    index = min(stage.step, len(steps) - 1)
    current = steps[index]
    return {
        "version": stage.version,
        "step": step_to_dict(current),
        "next": step_to_dict(steps[index + 1]) if index + 1 < len(steps) else None,
        "timer": (tm.timer_event(stage.timer, now_ms, current.part, current.phase)
                  if stage.timer is not None else None),
        "results_mode": stage.results_mode,
        "auto_advance": stage.auto_advance,
        "revealed": stage.revealed,
        "overtime": _overtime_rows(stage),
        "steps": len(steps),
    }


def stage_to_state(stage: Stage) -> dict:
    """Everything about the stage as JSON-safe data to persist on every change.

    Only the timer's deadline is stored, never a count, so :func:`stage_from_dict` of this
    data after a restart shows the right remaining time."""
    return {
        "step": stage.step,
        "timer": tm.timer_to_dict(stage.timer) if stage.timer is not None else None,
        "results_mode": stage.results_mode,
        "auto_advance": stage.auto_advance,
        "revealed": stage.revealed,
        "version": stage.version,
        "overtime": _overtime_rows(stage),
    }


def _int(data: Mapping, key: str, minimum: int = 0) -> int:
    value = data.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ContestError(f"stage.{key}: phải là số nguyên không âm", field=f"stage.{key}")
    return value


def stage_from_dict(data: Any) -> Stage:
    """The inverse of :func:`stage_to_state`; :class:`ContestError` naming the damaged field."""
    if not isinstance(data, Mapping):
        raise ContestError("stage: dữ liệu sân khấu không hợp lệ", field="stage")
    mode = data.get("results_mode", "hidden")
    if mode not in RESULTS_MODES:
        raise ContestError("stage.results_mode: không hợp lệ", field="stage.results_mode")
    overtime: dict[OvertimeKey, int] = {}
    for i, row in enumerate(data.get("overtime") or ()):
        try:
            key = (str(row["team"]), str(row["part"]), str(row["phase"]))
            overtime[key] = _int(row, "ms", minimum=1)
        except (KeyError, TypeError, ContestError):
            raise ContestError(f"stage.overtime[{i}]: không hợp lệ",
                               field=f"stage.overtime[{i}]") from None
    timer = data.get("timer")
    return Stage(step=_int(data, "step"),
                 timer=tm.timer_from_dict(timer, "stage.timer") if timer is not None else None,
                 results_mode=mode, auto_advance=bool(data.get("auto_advance", False)),
                 revealed=_int(data, "revealed"), version=_int(data, "version"),
                 overtime=overtime)


def stage_to_json(stage: Stage) -> str:
    return json.dumps(stage_to_state(stage), ensure_ascii=False, sort_keys=True)


def stage_from_json(text: str) -> Stage:
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise ContestError("stage: dữ liệu sân khấu không đọc được", field="stage") from None
    return stage_from_dict(data)
