"""The organisers' setup checklist: what is still missing before the day.

Terms
- *step*: one line of the checklist, in the order the organisers work: contest → rules →
  units and teams → judges → questions → seal → rehearse → go live. Its ``state`` is
  ``done`` (nothing missing), ``missing`` (something blocks the day), ``warn`` (usable, but
  worth a look) or ``todo`` (nothing the data can check: a thing to do by hand).
- *problems*: sentences in Vietnamese naming what is missing ("Đội Xã Đăk Kôi chưa có thành
  viên"); empty when the step is done.
- *questions needed*: one main question per team for every part drawn by lot
  (:func:`contest.core.show.default_draw_parts`: the parts with ``drawn: true``, or by
  default the part keyed ``quiz`` and any part with a ``confer`` phase), plus spares
  (*dự phòng*) for a question found flawed on stage: :func:`spare_questions`.

Pure: takes a :class:`SetupData` of plain values, returns :class:`Step` values. It builds no
URLs (the web layer maps a step's ``key`` to its screen) and reads no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .rules import Rules
from .show import default_draw_parts

STATES = ("done", "missing", "warn", "todo")
MIN_JUDGES = 3


@dataclass(frozen=True)
class TeamInfo:
    key: str
    name: str
    unit: str = ""
    members: int = 0
    guests: int = 0
    unassigned: tuple[str, ...] = ()  # part names nobody of the team performs in


@dataclass(frozen=True)
class JudgeInfo:
    key: str
    name: str
    head: bool = False


@dataclass(frozen=True)
class SetupData:
    name: str
    organizer: str = ""
    venue: str = ""
    date: dt.date | None = None
    rules: Rules | None = None
    rules_error: str | None = None
    programme: tuple[dict, ...] = ()
    units: tuple[str, ...] = ()
    teams: tuple[TeamInfo, ...] = ()
    judges: tuple[JudgeInfo, ...] = ()
    questions_approved: int = 0
    questions_waiting: int = 0  # submitted, not yet reviewed
    sealed_lots: int | None = None  # None: not sealed
    lots_drawn: int = 0
    stage_step: int = 0  # > 0 once the show has moved past its first step


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    state: str
    summary: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def done(self) -> bool:
        return self.state == "done"


def questions_needed(rules: Rules | None, n_teams: int) -> int:
    """Main questions drawn on the day: one per team and drawn part."""
    if rules is None:
        return 0
    return n_teams * len(default_draw_parts(rules))


def spare_questions(needed: int) -> int:
    """Spares to keep in the bank: a fifth of what is needed, at least one (none if none needed)."""
    return 0 if needed <= 0 else max(1, -(-needed // 5))


def team_label(name: str) -> str:
    """'Đội Xã Đăk Kôi' for a team named either 'Đội Xã Đăk Kôi' or 'Xã Đăk Kôi'."""
    return name if name.lower().startswith("đội") else f"Đội {name}"


def _step(key: str, title: str, problems: list[str], summary: str = "",
          warnings: list[str] | None = None) -> Step:
    if problems:
        return Step(key, title, "missing", summary, tuple(problems + (warnings or [])))
    if warnings:
        return Step(key, title, "warn", summary, tuple(warnings))
    return Step(key, title, "done", summary)


def _contest(d: SetupData) -> Step:
    problems = []
    if not d.name.strip():
        problems.append("Chưa có tên hội thi")
    if d.date is None:
        problems.append("Chưa có ngày tổ chức")
    if not d.venue.strip():
        problems.append("Chưa có địa điểm")
    if not d.organizer.strip():
        problems.append("Chưa có cơ quan tổ chức")
    return _step("contest", "Thông tin hội thi", problems, d.name)


def _rules(d: SetupData) -> Step:
    if d.rules is None:
        return _step("rules", "Thể lệ", [d.rules_error or "Thể lệ chưa hợp lệ"])
    r = d.rules
    summary = (f"{len(r.parts)} phần thi; tối đa {r.team.max_members} thành viên và "
               f"{r.team.max_guests} người được mời mỗi đội")
    warnings = []
    prizes = r.prizes
    if not (prizes.collective or prizes.special or prizes.individual):
        warnings.append("Chưa có cơ cấu giải thưởng")
    if not d.programme:
        warnings.append("Chưa có chương trình buổi lễ")
    elif not any(item.get("kind") == "contest" or (item.get("kind") is None and item.get("key") == "contest")
                 for item in d.programme):
        warnings.append("Chương trình chưa có mục cho các đội dự thi")
    return _step("rules", "Thể lệ", [], summary, warnings)


def _teams(d: SetupData) -> Step:
    problems, warnings = [], []
    if not d.units:
        problems.append("Chưa có đơn vị dự thi")
    if not d.teams:
        problems.append("Chưa có đội thi")
    for t in d.teams:
        if t.members == 0:
            problems.append(f"{team_label(t.name)} chưa có thành viên")
        if not t.unit:
            warnings.append(f"{team_label(t.name)} chưa gắn với đơn vị")
        if t.members and t.unassigned:
            warnings.append(f"{team_label(t.name)} chưa phân người cho phần thi: " + ", ".join(t.unassigned))
    members = sum(t.members for t in d.teams)
    guests = sum(t.guests for t in d.teams)
    summary = f"{len(d.units)} đơn vị, {len(d.teams)} đội, {members} thành viên, {guests} người được mời"
    return _step("teams", "Đơn vị và đội thi", problems, summary, warnings)


def _judges(d: SetupData) -> Step:
    problems, warnings = [], []
    heads = [j for j in d.judges if j.head]
    if not d.judges:
        problems.append("Chưa có giám khảo")
    elif not heads:
        problems.append("Chưa có Trưởng ban giám khảo")
    elif len(heads) > 1:
        problems.append("Có " + str(len(heads)) + " Trưởng ban giám khảo; chỉ được có một")
    if d.judges and len(d.judges) < MIN_JUDGES:
        warnings.append(f"Ban giám khảo mới có {len(d.judges)} người (thường từ {MIN_JUDGES} đến 7)")
    summary = f"{len(d.judges)} giám khảo"
    if len(heads) == 1:
        summary += f"; Trưởng ban: {heads[0].name}"
    return _step("judges", "Ban giám khảo", problems, summary, warnings)


def _questions(d: SetupData) -> Step:
    needed = questions_needed(d.rules, len(d.teams))
    spare = spare_questions(needed)
    if needed == 0:
        return Step("questions", "Câu hỏi", "done", "Thể lệ không có phần thi bốc thăm câu hỏi"
                    if d.rules is not None and d.teams else "Chưa cần câu hỏi")
    summary = f"{d.questions_approved} câu đã duyệt; cần {needed} + {spare} dự phòng"
    problems, warnings = [], []
    if d.questions_approved == 0:
        problems.append(f"Chưa có câu hỏi được duyệt: cần {needed} + dự phòng")
    elif d.questions_approved < needed:
        problems.append(f"Mới có {d.questions_approved} câu hỏi được duyệt: cần {needed} + dự phòng")
    elif d.questions_approved < needed + spare:
        warnings.append(f"Chưa đủ câu dự phòng: nên có thêm {needed + spare - d.questions_approved} câu được duyệt")
    if d.questions_waiting:
        warnings.append(f"Còn {d.questions_waiting} câu hỏi chờ duyệt")
    return _step("questions", "Câu hỏi", problems, summary, warnings)


def _seal(d: SetupData) -> Step:
    needed = questions_needed(d.rules, len(d.teams))
    if needed == 0:
        return Step("seal", "Niêm phong lá thăm", "done", "Không có phần thi bốc thăm")
    if d.sealed_lots is None:
        return _step("seal", "Niêm phong lá thăm", ["Chưa niêm phong lá thăm"])
    summary = f"{d.sealed_lots} lá thăm đã niêm phong; {d.lots_drawn} đã bốc"
    problems = []
    if d.sealed_lots < needed:
        problems.append(f"Lá thăm đã niêm phong có {d.sealed_lots} câu, cần ít nhất {needed}")
    return _step("seal", "Niêm phong lá thăm", problems, summary)


def _rehearse(d: SetupData) -> Step:
    return Step("rehearse", "Chạy thử", "todo",
                "Mở màn hình người dẫn chương trình và máy chiếu, quét thử thẻ QR của giám khảo")


def _live(d: SetupData) -> Step:
    if d.stage_step > 0:
        return Step("live", "Bắt đầu hội thi", "done", f"Đang diễn ra: bước {d.stage_step + 1}")
    return Step("live", "Bắt đầu hội thi", "todo", "Người dẫn chương trình bắt đầu từ màn hình điều khiển")


def checklist(data: SetupData) -> list[Step]:
    """The setup steps in order, each with what is missing."""
    return [_contest(data), _rules(data), _teams(data), _judges(data), _questions(data),
            _seal(data), _rehearse(data), _live(data)]


def ready(steps: list[Step]) -> bool:
    """True when no step is missing anything."""
    return not any(s.state == "missing" for s in steps)
