"""The setup checklist over plain data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from contest.core.rules import rules_from_dict
from contest.core.setup_checks import (JudgeInfo, SetupData, TeamInfo, checklist, questions_needed,
                                       ready, spare_questions)

DEMO = Path(__file__).resolve().parents[2] / "contest" / "demo" / "kon-ray-2023.json"
RULES = rules_from_dict(json.loads(DEMO.read_text(encoding="utf-8"))["contest"]["rules"])
PROGRAMME = ({"key": "opening", "name": "Khai mạc"}, {"key": "contest", "name": "Dự thi"})


def complete(**changes) -> SetupData:
    base = dict(
        name="Hội thi CCHC", organizer="UBND huyện", venue="Hội trường", date=dt.date(2023, 9, 15),
        rules=RULES, programme=PROGRAMME, units=("Xã A", "Xã B"),
        teams=(TeamInfo("a", "Đội Xã A", "Xã A", 8, 1), TeamInfo("b", "Đội Xã B", "Xã B", 10, 0)),
        judges=(JudgeInfo("j1", "Ông Một", True), JudgeInfo("j2", "Bà Hai"), JudgeInfo("j3", "Ông Ba")),
        questions_approved=4, sealed_lots=4)
    base.update(changes)
    return SetupData(**base)


def by_key(data: SetupData) -> dict:
    return {s.key: s for s in checklist(data)}


def test_order_of_the_steps():
    assert [s.key for s in checklist(complete())] == [
        "contest", "rules", "teams", "judges", "questions", "seal", "rehearse", "live"]


def test_a_complete_setup_is_ready():
    steps = checklist(complete())
    assert ready(steps)
    assert all(s.state in ("done", "todo") for s in steps), [(s.key, s.problems) for s in steps]


@pytest.mark.parametrize("changes, step, problem", [
    ({"venue": ""}, "contest", "Chưa có địa điểm"),
    ({"date": None}, "contest", "Chưa có ngày tổ chức"),
    ({"rules": None, "rules_error": "rules.parts: cần ít nhất 1 mục"}, "rules", "rules.parts: cần ít nhất 1 mục"),
    ({"teams": (TeamInfo("k", "Đội Xã Đăk Kôi", "Xã Đăk Kôi", 0, 0),)}, "teams", "Đội Xã Đăk Kôi chưa có thành viên"),
    ({"units": ()}, "teams", "Chưa có đơn vị dự thi"),
    ({"teams": ()}, "teams", "Chưa có đội thi"),
    ({"judges": ()}, "judges", "Chưa có giám khảo"),
    ({"judges": (JudgeInfo("j1", "A"), JudgeInfo("j2", "B"), JudgeInfo("j3", "C"))}, "judges",
     "Chưa có Trưởng ban giám khảo"),
    ({"questions_approved": 0}, "questions", "Chưa có câu hỏi được duyệt: cần 2 + dự phòng"),
    ({"questions_approved": 1}, "questions", "Mới có 1 câu hỏi được duyệt: cần 2 + dự phòng"),
    ({"sealed_lots": None}, "seal", "Chưa niêm phong lá thăm"),
    ({"sealed_lots": 1}, "seal", "Lá thăm đã niêm phong có 1 câu, cần ít nhất 2"),
])
def test_missing_things_are_named(changes, step, problem):
    steps = by_key(complete(**changes))
    assert steps[step].state == "missing"
    assert problem in steps[step].problems
    assert not ready(list(steps.values()))


@pytest.mark.parametrize("changes, step, warning", [
    ({"questions_approved": 2}, "questions", "Chưa đủ câu dự phòng: nên có thêm 1 câu được duyệt"),
    ({"questions_waiting": 3}, "questions", "Còn 3 câu hỏi chờ duyệt"),
    ({"judges": (JudgeInfo("j1", "A", True),)}, "judges", "Ban giám khảo mới có 1 người (thường từ 3 đến 7)"),
    ({"teams": (TeamInfo("a", "Đội A", "", 3, 0),)}, "teams", "Đội A chưa gắn với đơn vị"),
    ({"programme": ({"key": "x", "name": "Khai mạc"},)}, "rules", "Chương trình chưa có mục cho các đội dự thi"),
])
def test_warnings_do_not_block(changes, step, warning):
    steps = by_key(complete(**changes))
    assert steps[step].state == "warn"
    assert warning in steps[step].problems
    assert ready(list(steps.values()))


def test_questions_needed_counts_drawn_parts_per_team():
    assert questions_needed(RULES, 7) == 7
    assert questions_needed(None, 7) == 0
    assert [spare_questions(n) for n in (0, 1, 5, 6, 7, 21)] == [0, 1, 1, 2, 2, 5]


def test_rules_without_a_drawn_part_need_no_questions():
    data = json.loads(DEMO.read_text(encoding="utf-8"))["contest"]["rules"]
    data["parts"] = [p for p in data["parts"] if p["key"] != "quiz"]
    data["tie_break"] = ["skit", "intro"]
    data["prizes"]["individual"] = [p for p in data["prizes"]["individual"] if p["part"] != "quiz"]
    steps = by_key(complete(rules=rules_from_dict(data), questions_approved=0, sealed_lots=None))
    assert steps["questions"].state == "done"
    assert steps["seal"].state == "done"


def test_live_step_follows_the_stage():
    assert by_key(complete())["live"].state == "todo"
    assert by_key(complete(stage_step=3))["live"].state == "done"


def test_questions_needed_follow_the_drawn_flag():
    data = json.loads(DEMO.read_text(encoding="utf-8"))["contest"]["rules"]
    for part in data["parts"]:
        part["drawn"] = part["key"] in ("intro", "skit")
    assert questions_needed(rules_from_dict(data), 7) == 14
    for part in data["parts"]:
        part["drawn"] = False
    steps = by_key(complete(rules=rules_from_dict(data), questions_approved=0, sealed_lots=None))
    assert steps["questions"].state == "done"
    assert steps["seal"].state == "done"
