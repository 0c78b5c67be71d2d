"""The run of show: steps built from the demo contest, stage transitions, auto-advance,
overtime, persistence, the MC's cues, and properties over random presses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.core import show, timer as tm
from contest.core.cues import script_cue
from contest.core.errors import Conflict, ContestError
from contest.core.rules import rules_from_dict, rules_to_dict
from contest.core.show import Stage, Step

T0 = 1_700_000_000_000

# The Kon Rẫy 2023 demo (shared/contract/kon-ray-2023.json), copied to keep unit tests local.
PROGRAMME = [
    {"key": "opening", "name": "Ổn định tổ chức"},
    {"key": "anthem", "name": "Chào cờ, hát Quốc ca"},
    {"key": "delegates", "name": "Tuyên bố lý do, giới thiệu đại biểu"},
    {"key": "speech", "name": "Phát biểu khai mạc của lãnh đạo UBND huyện"},
    {"key": "contest", "name": "Các đội thi lần lượt dự thi"},
    {"key": "results", "name": "Công bố kết quả và trao giải"},
    {"key": "closing", "name": "Bế mạc"},
]
TEAMS = [
    ("dak-rve", "Đội Thị trấn Đăk Rve", "Thị trấn Đăk Rve"),
    ("dak-koi", "Đội Xã Đăk Kôi", "Xã Đăk Kôi"),
    ("dak-to-lung", "Đội Xã Đăk Tơ Lung", "Xã Đăk Tơ Lung"),
    ("dak-ruong", "Đội Xã Đăk Ruồng", "Xã Đăk Ruồng"),
    ("tan-lap", "Đội Xã Tân Lập", "Xã Tân Lập"),
    ("dak-to-re", "Đội Xã Đăk Tờ Re", "Xã Đăk Tờ Re"),
    ("dak-pne", "Đội Xã Đăk Pne", "Xã Đăk Pne"),
]


def make_rules(**quiz_phases):
    phases = quiz_phases or {"confer": 120, "answer": 180}
    crit = [{"key": "c", "name": "Tiêu chí", "max": 10}]
    return rules_from_dict({
        "team": {"max_members": 12, "max_guests": 4},
        "parts": [
            {"key": "intro", "name": "Giới thiệu về đội",
             "phases": [{"key": "present", "name": "Thuyết trình", "seconds": 180}], "criteria": crit},
            {"key": "skit", "name": "Trình diễn tiểu phẩm",
             "phases": [{"key": "perform", "name": "Biểu diễn", "seconds": 1200}], "criteria": crit},
            {"key": "quiz", "name": "Phần thi trắc nghiệm",
             "phases": [{"key": k, "name": {"confer": "Hội ý", "answer": "Trả lời"}.get(k, k),
                         "seconds": s} for k, s in phases.items()], "criteria": crit},
        ],
    })


RULES = make_rules()
STEPS = show.build_steps(PROGRAMME, TEAMS, RULES)

# By hand: what one team does on stage, as (kind, part, phase, seconds).
ONE_TEAM = [
    ("team", None, None, None),
    ("phase", "intro", "present", 180),
    ("scoring", "intro", None, None),
    ("phase", "skit", "perform", 1200),
    ("scoring", "skit", None, None),
    ("draw", "quiz", None, None),
    ("question", "quiz", None, None),
    ("phase", "quiz", "confer", 120),
    ("phase", "quiz", "answer", 180),
    ("follow_up", "quiz", None, None),
    ("scoring", "quiz", None, None),
]


def index_of(kind, team="dak-rve", phase=None, part=None) -> int:
    return next(s.index for s in STEPS if s.kind == kind and s.team == team
                and (phase is None or s.phase == phase) and (part is None or s.part == part))


def stage_at(index: int, **kw) -> Stage:
    return Stage(step=index, timer=show._fresh_timer(STEPS[index]), **kw)


# --------------------------------------------------------------------------- building steps


def test_demo_contest_builds_83_steps_in_order():
    assert len(STEPS) == 4 + 7 * 11 + 1 + 1 == 83
    expected = [("programme", k, None, None, None, None) for k in
                ("opening", "anthem", "delegates", "speech")]
    for team_key, _, _ in TEAMS:
        expected += [(kind, "contest", team_key, part, phase, sec) for kind, part, phase, sec in ONE_TEAM]
    expected += [("results", "results", None, None, None, None),
                 ("programme", "closing", None, None, None, None)]
    got = [(s.kind, s.programme, s.team, s.part, s.phase, s.seconds) for s in STEPS]
    assert got == expected
    assert [s.index for s in STEPS] == list(range(83))
    assert STEPS[0].title == "Ổn định tổ chức"
    assert STEPS[4] == Step(index=4, kind="team", title="Đội Thị trấn Đăk Rve",
                            programme="contest", team="dak-rve")
    assert STEPS[11].title == "Phần thi trắc nghiệm: Hội ý"


def test_durations_come_from_the_rules():
    steps = show.build_steps(PROGRAMME, TEAMS[:1], make_rules(confer=90, answer=45, extra=30))
    quiz = [(s.kind, s.phase, s.seconds) for s in steps if s.part == "quiz"]
    assert quiz == [("draw", None, None), ("question", None, None), ("phase", "confer", 90),
                    ("phase", "answer", 45), ("phase", "extra", 30), ("follow_up", None, None),
                    ("scoring", None, None)]


@pytest.mark.parametrize("draw_parts, drawn", [
    (None, {"quiz"}), ((), set()), (("skit",), {"skit"}), (("intro", "quiz"), {"intro", "quiz"}),
])
def test_drawn_parts_are_data(draw_parts, drawn):
    steps = show.build_steps(PROGRAMME, TEAMS[:2], RULES, draw_parts=draw_parts)
    assert {s.part for s in steps if s.kind == "draw"} == drawn
    assert {s.part for s in steps if s.kind == "follow_up"} == drawn
    assert len(steps) == 6 + 2 * (1 + 4 + 3 + 3 * len(drawn))


def test_a_part_with_a_confer_phase_is_drawn_for_by_default():
    rules = rules_from_dict({"team": {"max_members": 3}, "parts": [
        {"key": "oral", "name": "Hỏi đáp", "criteria": [{"key": "c", "name": "C", "max": 5}],
         "phases": [{"key": "confer", "name": "Hội ý", "seconds": 60}]}]})
    assert show.default_draw_parts(rules) == ("oral",)


def flagged_rules(**drawn):
    """The demo's rules with ``drawn`` given on the parts named (intro=True, quiz=False...)."""
    data = rules_to_dict(RULES)
    for part in data["parts"]:
        if part["key"] in drawn:
            part["drawn"] = drawn[part["key"]]
    return rules_from_dict(data)


@pytest.mark.parametrize("drawn, expected", [
    ({}, ("quiz",)),                                   # nothing said: quiz and confer parts
    ({"skit": True}, ("skit",)),                       # said on one part: exactly the true ones
    ({"quiz": True}, ("quiz",)),
    ({"quiz": False}, ()),
    ({"intro": False}, ()),                            # a false alone turns the default off
    ({"intro": True, "quiz": True, "skit": False}, ("intro", "quiz")),
])
def test_the_drawn_flag_decides_when_any_part_gives_it(drawn, expected):
    rules = flagged_rules(**drawn)
    assert show.default_draw_parts(rules) == expected
    steps = show.build_steps(PROGRAMME, TEAMS[:2], rules)
    assert tuple(p for p in rules.part_keys if any(s.kind == "draw" and s.part == p for s in steps)) \
        == expected
    assert {s.part for s in steps if s.kind in ("question", "follow_up")} == set(expected)


def test_a_drawn_part_needs_neither_the_key_quiz_nor_a_confer_phase():
    rules = rules_from_dict({"team": {"max_members": 3}, "parts": [
        {"key": "oral", "name": "Hỏi đáp", "criteria": [{"key": "c", "name": "C", "max": 5}],
         "phases": [{"key": "confer", "name": "Hội ý", "seconds": 60}], "drawn": False},
        {"key": "law", "name": "Tìm hiểu pháp luật", "drawn": True,
         "criteria": [{"key": "c", "name": "C", "max": 5}],
         "phases": [{"key": "think", "name": "Suy nghĩ", "seconds": 30},
                    {"key": "speak", "name": "Trả lời", "seconds": 90}]},
        {"key": "quiz", "name": "Trắc nghiệm", "criteria": [{"key": "c", "name": "C", "max": 5}]}]})
    assert show.default_draw_parts(rules) == ("law",)
    steps = show.build_steps([{"key": "contest", "name": "Thi"}], [("a", "Đội A", "Xã A")], rules)
    assert [(s.kind, s.part, s.phase) for s in steps] == [
        ("team", None, None),
        ("phase", "oral", "confer"), ("scoring", "oral", None),
        ("draw", "law", None), ("question", "law", None), ("phase", "law", "think"),
        ("phase", "law", "speak"), ("follow_up", "law", None), ("scoring", "law", None),
        ("scoring", "quiz", None)]
    assert steps[3].title == "Bốc thăm câu hỏi: Tìm hiểu pháp luật"


def test_reveals_expand_the_results_item_and_kinds_can_be_explicit():
    programme = [{"key": "a", "name": "Khai mạc"}, {"key": "thi", "name": "Thi", "kind": "contest"},
                 {"key": "trao", "name": "Trao giải", "kind": "results"},
                 {"key": "contest", "name": "Văn nghệ", "kind": "plain"}]
    steps = show.build_steps(programme, TEAMS[:1], RULES,
                             reveals=[("encouragement", "Giải Khuyến khích"), ("first", "Giải Nhất")])
    tail = [(s.kind, s.programme, s.title, s.prize) for s in steps[-4:]]
    assert tail == [("results", "trao", "Trao giải", None),
                    ("reveal", "trao", "Giải Khuyến khích", "encouragement"),
                    ("reveal", "trao", "Giải Nhất", "first"),
                    ("programme", "contest", "Văn nghệ", None)]
    assert steps[1].kind == "team"


@pytest.mark.parametrize("programme, teams, kw, field", [
    ([{"key": "x", "name": "X", "kind": "party"}], TEAMS, {}, "programme[0].kind"),
    ([{"key": "x"}], TEAMS, {}, "programme[0]"),
    ([{"key": "x", "name": "X"}, {"key": "x", "name": "Y"}], TEAMS, {}, "programme[1].key"),
    ([], TEAMS, {}, "programme"),
    ([{"key": "contest", "name": "Thi"}], [], {}, "programme"),
    (PROGRAMME, [TEAMS[0], TEAMS[0]], {}, "teams[1]"),
    (PROGRAMME, TEAMS, {"draw_parts": ["karaoke"]}, "draw_parts"),
])
def test_bad_programme_names_the_field(programme, teams, kw, field):
    with pytest.raises(ContestError) as err:
        show.build_steps(programme, teams, RULES, **kw)
    assert err.value.field == field


# --------------------------------------------------------------------------- transitions


def test_next_previous_jump_load_and_drop_timers():
    s = Stage()
    s = show.apply(s, STEPS, "jump", T0, step=4)  # first team comes on
    assert (s.step, s.timer, s.version) == (4, None, 1)
    s = show.apply(s, STEPS, "next", T0)
    assert s.step == 5 and s.timer == tm.Timer(duration_ms=180_000)
    s = show.apply(s, STEPS, "start", T0)
    s = show.apply(s, STEPS, "next", T0 + 60_000)
    assert (s.step, s.timer) == (6, None)  # scoring has no timer
    s = show.apply(s, STEPS, "previous", T0 + 61_000)
    assert s.timer == tm.Timer(duration_ms=180_000)  # a fresh stopped timer, not the old run
    assert s.version == 5


def test_jump_to_the_current_step_keeps_the_running_timer():
    confer = index_of("phase", phase="confer")
    s = show.apply(stage_at(confer), STEPS, "start", T0)
    again = show.apply(s, STEPS, "jump", T0 + 5_000, step=confer)
    assert (again.timer, again.version) == (s.timer, s.version + 1)


@pytest.mark.parametrize("action, kw, field", [
    ("previous", {}, "step"),
    ("jump", {"step": 83}, "step"), ("jump", {"step": -1}, "step"), ("jump", {}, "step"),
    ("jump", {"step": True}, "step"),
    ("dance", {}, "action"),
    ("results", {"mode": "public"}, "mode"), ("results", {}, "mode"),
    ("start", {}, "action"), ("extend", {"seconds": 30}, "action"),
])
def test_refused_presses_name_the_field(action, kw, field):
    with pytest.raises(ContestError) as err:
        show.apply(Stage(), STEPS, action, T0, **kw)
    assert err.value.field == field
    assert err.value.message


def test_start_on_a_step_without_timer_speaks_vietnamese():
    with pytest.raises(ContestError, match="không có đồng hồ"):
        show.apply(Stage(step=index_of("team")), STEPS, "start", T0)


def test_next_at_the_end_is_refused():
    with pytest.raises(ContestError) as err:
        show.apply(Stage(step=82), STEPS, "next", T0)
    assert err.value.field == "step"


def test_timer_presses_on_a_timed_step():
    s = stage_at(index_of("phase", phase="confer"))
    s = show.apply(s, STEPS, "start", T0)
    s = show.apply(s, STEPS, "start", T0 + 300)  # double tap
    assert s.timer.deadline_ms == T0 + 120_000
    s = show.apply(s, STEPS, "pause", T0 + 20_000)
    s = show.apply(s, STEPS, "extend", T0 + 25_000, seconds=30)
    s = show.apply(s, STEPS, "resume", T0 + 40_000)
    assert tm.remaining(s.timer, T0 + 40_000) == 130_000
    s = show.apply(s, STEPS, "reset", T0 + 41_000)
    assert s.timer == tm.Timer(duration_ms=120_000)
    assert s.version == 6


@pytest.mark.parametrize("seconds", [0, -30, 3601, None, 1.5, "30"])
def test_bad_extension(seconds):
    s = stage_at(index_of("phase", phase="confer"))
    with pytest.raises(ContestError) as err:
        show.apply(s, STEPS, "extend", T0, seconds=seconds)
    assert err.value.field == "seconds"


@pytest.mark.parametrize("kw, before, after", [
    ({}, False, True), ({}, True, False), ({"auto_advance": True}, True, True),
    ({"auto_advance": False}, True, False),
])
def test_auto_advance_toggles_or_sets(kw, before, after):
    assert show.apply(Stage(auto_advance=before), STEPS, "auto_advance", T0, **kw).auto_advance is after


@pytest.mark.parametrize("mode", ["live", "frozen", "hidden"])
def test_results_mode(mode):
    s = show.apply(Stage(), STEPS, "results", T0, mode=mode)
    assert (s.results_mode, s.version) == (mode, 1)


def test_stale_version_is_a_conflict():
    s = show.apply(Stage(), STEPS, "next", T0, version=0)
    with pytest.raises(Conflict):
        show.apply(s, STEPS, "next", T0, version=0)  # the double-tapped "next"
    assert show.apply(s, STEPS, "next", T0, version=1).step == 2


def test_reveals_are_counted_as_high_water_mark():
    steps = show.build_steps(PROGRAMME[:1] + PROGRAMME[5:6], [], RULES,
                             reveals=[("third", "Giải Ba"), ("second", "Giải Nhì"), ("first", "Giải Nhất")])
    s = show.apply(Stage(), steps, "jump", T0, step=3)
    assert s.revealed == 2
    s = show.apply(s, steps, "previous", T0)
    assert s.revealed == 2
    assert show.apply(s, steps, "next", T0).revealed == 2
    assert show.apply(s, steps, "jump", T0, step=4).revealed == 3


# --------------------------------------------------------------------------- time by itself


def test_auto_advance_conferral_flows_into_answer_at_the_exact_deadline():
    confer = index_of("phase", team="dak-koi", phase="confer")
    s = show.apply(stage_at(confer, auto_advance=True), STEPS, "start", T0)
    assert show.tick(s, STEPS, T0 + 119_999) is None
    late = show.tick(s, STEPS, T0 + 120_750)  # the scheduler is 750 ms late
    assert late.step == confer + 1 and STEPS[late.step].phase == "answer"
    assert late.timer.state == "running"
    assert late.timer.deadline_ms == T0 + 120_000 + 180_000  # no millisecond lost
    assert tm.remaining(late.timer, T0 + 120_750) == 180_000 - 750
    assert late.version == s.version + 1
    assert late.overtime == {}
    # the answer is followed by the follow-up question, not a phase: it runs into overtime
    assert show.tick(late, STEPS, T0 + 400_000) is None


def test_tick_does_nothing_without_auto_advance_or_when_paused():
    confer = index_of("phase", phase="confer")
    s = show.apply(stage_at(confer), STEPS, "start", T0)
    assert show.tick(s, STEPS, T0 + 200_000) is None
    paused = show.apply(replace_auto(s), STEPS, "pause", T0 + 10_000)
    assert show.tick(paused, STEPS, T0 + 500_000) is None
    assert show.tick(Stage(auto_advance=True), STEPS, T0) is None


def replace_auto(s: Stage) -> Stage:
    return show.apply(s, STEPS, "auto_advance", T0, auto_advance=True)


def test_tick_catches_up_over_several_phases():
    steps = show.build_steps(PROGRAMME[4:5], TEAMS[:1], make_rules(a=10, b=20, c=30))
    first = next(s.index for s in steps if s.phase == "a")
    s = show.apply(Stage(step=first, timer=show._fresh_timer(steps[first]), auto_advance=True),
                   steps, "start", T0)
    later = show.tick(s, steps, T0 + 45_000)
    assert steps[later.step].phase == "c"
    assert later.timer.deadline_ms == T0 + 60_000
    assert later.version == s.version + 2


# --------------------------------------------------------------------------- overtime


def test_overtime_is_recorded_when_a_late_phase_is_paused_or_left():
    skit = index_of("phase", team="tan-lap", part="skit")
    s = show.apply(stage_at(skit), STEPS, "start", T0)
    s = show.apply(s, STEPS, "pause", T0 + 1_210_000)
    assert s.overtime == {("tan-lap", "skit", "perform"): 10_000}
    s = show.apply(s, STEPS, "resume", T0 + 1_300_000)
    s = show.apply(s, STEPS, "next", T0 + 1_305_000)
    assert s.overtime == {("tan-lap", "skit", "perform"): 15_000}
    s = show.apply(s, STEPS, "previous", T0 + 1_400_000)  # look back: fresh timer, record kept
    s = show.apply(s, STEPS, "next", T0 + 1_401_000)
    assert s.overtime == {("tan-lap", "skit", "perform"): 15_000}


def test_a_later_observation_in_time_clears_the_record():
    """The jury extended the time after an overrun: the latest run of the phase counts."""
    intro = index_of("phase", part="intro")
    s = show.apply(stage_at(intro), STEPS, "start", T0)
    s = show.apply(s, STEPS, "pause", T0 + 190_000)
    assert s.overtime == {("dak-rve", "intro", "present"): 10_000}
    s = show.apply(s, STEPS, "extend", T0 + 191_000, seconds=30)
    s = show.apply(s, STEPS, "resume", T0 + 192_000)
    s = show.apply(s, STEPS, "next", T0 + 200_000)
    assert s.overtime == {}


def test_leaving_in_time_records_nothing():
    intro = index_of("phase", part="intro")
    s = show.apply(stage_at(intro), STEPS, "start", T0)
    s = show.apply(s, STEPS, "next", T0 + 179_000)
    assert s.overtime == {}


def test_stage_dict_shows_overtime_and_the_timer_event():
    answer = index_of("phase", team="dak-pne", phase="answer")
    s = show.apply(stage_at(answer), STEPS, "start", T0)
    view = show.stage_to_dict(s, STEPS, T0 + 5_000)
    assert view["version"] == 1 and view["steps"] == 83
    assert view["step"] == {"index": answer, "kind": "phase", "title": "Phần thi trắc nghiệm: Trả lời",
                            "programme": "contest", "team": "dak-pne", "part": "quiz",
                            "phase": "answer", "seconds": 180, "prize": None}
    assert view["next"]["kind"] == "follow_up"
    assert view["timer"] == tm.timer_event(s.timer, T0 + 5_000, "quiz", "answer")
    assert (view["results_mode"], view["auto_advance"], view["overtime"]) == ("hidden", False, [])
    assert show.stage_to_dict(Stage(step=82), STEPS, T0)["next"] is None
    assert show.stage_to_dict(Stage(step=82), STEPS, T0)["timer"] is None


# --------------------------------------------------------------------------- persistence


def test_restored_stage_resumes_a_running_timer_with_the_right_remaining():
    confer = index_of("phase", team="dak-ruong", phase="confer")
    s = show.apply(stage_at(confer, auto_advance=True, results_mode="live"), STEPS, "start", T0)
    s = show.apply(s, STEPS, "extend", T0 + 1_000, seconds=15)
    s = Stage(**{**s.__dict__, "overtime": {("dak-koi", "skit", "perform"): 4_000}})
    stored = show.stage_to_json(s)
    restored = show.stage_from_json(stored)  # the server was killed and came back
    assert restored == s
    assert tm.remaining(restored.timer, T0 + 100_000) == 120_000 + 15_000 - 100_000
    assert show.stage_to_dict(restored, STEPS, T0 + 100_000) == show.stage_to_dict(s, STEPS, T0 + 100_000)


@pytest.mark.parametrize("data, field", [
    ([], "stage"), ({"step": -1}, "stage.step"), ({"results_mode": "open"}, "stage.results_mode"),
    ({"overtime": [{"team": "a"}]}, "stage.overtime[0]"),
    ({"timer": {"duration_ms": 0}}, "stage.timer"),
])
def test_damaged_stage_is_refused_with_the_field(data, field):
    with pytest.raises(ContestError) as err:
        show.stage_from_dict(data)
    assert err.value.field == field


def test_unreadable_json():
    with pytest.raises(ContestError):
        show.stage_from_json("{not json")


# --------------------------------------------------------------------------- the MC's words


@pytest.mark.parametrize("seconds, words", [
    (180, "3 phút"), (150, "2 phút 30 giây"), (45, "45 giây"), (60, "1 phút"),
    (1200, "20 phút"), (3600, "1 giờ"), (3905, "1 giờ 5 phút 5 giây"), (3601, "1 giờ 1 giây"),
    (0, "0 giây"),
])
def test_format_duration(seconds, words):
    assert tm.format_duration(seconds) == words


RVE = ("Đội Thị trấn Đăk Rve", "Thị trấn Đăk Rve")


@pytest.mark.parametrize("index, names, opens, cue", [
    (0, (None, None, None, None, None), True,
     "Kính thưa quý vị đại biểu, tiếp theo chương trình là phần ổn định tổ chức."),
    (3, (None, None, None, None, None), True,
     "Kính thưa quý vị đại biểu, tiếp theo chương trình là phần phát biểu khai mạc "
     "của lãnh đạo UBND huyện."),
    (4, (*RVE, None, None, None), True, "Xin mời Đội Thị trấn Đăk Rve (Thị trấn Đăk Rve) lên sân khấu dự thi."),
    (5, (*RVE, "Giới thiệu về đội", "Thuyết trình", 180), True,
     "Xin mời Đội Thị trấn Đăk Rve (Thị trấn Đăk Rve) bước vào phần thi Giới thiệu về đội. "
     "Thời gian tối đa 3 phút."),
    (9, (*RVE, "Phần thi trắc nghiệm", None, None), True,
     "Xin mời đại diện Đội Thị trấn Đăk Rve (Thị trấn Đăk Rve) lên bốc thăm câu hỏi phần thi trắc nghiệm."),
    (10, (*RVE, "Phần thi trắc nghiệm", None, None), True,
     "Xin mời Ban Giám khảo đọc câu hỏi chính dành cho Đội Thị trấn Đăk Rve."),
    (12, (*RVE, "Phần thi trắc nghiệm", "Trả lời", 150), False,
     "Xin mời Đội Thị trấn Đăk Rve bắt đầu trả lời. Thời gian tối đa 2 phút 30 giây."),
    (13, (*RVE, "Phần thi trắc nghiệm", None, None), True,
     "Xin mời Ban Giám khảo đặt câu hỏi phụ cho Đội Thị trấn Đăk Rve, nếu Ban Giám khảo thấy cần thiết."),
    (8, (*RVE, "Trình diễn tiểu phẩm", None, None), True,
     "Xin mời Ban Giám khảo chấm điểm phần thi Trình diễn tiểu phẩm của Đội Thị trấn Đăk Rve."),
    (81, (None, None, None, None, None), True,
     "Kính thưa quý vị đại biểu, sau đây là phần công bố kết quả và trao giải."),
])
def test_script_cues(index, names, opens, cue):
    assert script_cue(STEPS[index], *names, opens_part=opens) == cue


def test_opens_part_and_reveal_cues():
    assert [show.opens_part(STEPS, i) for i in (5, 9, 11, 12)] == [True, True, False, False]
    reveal = Step(index=0, kind="reveal", title="Giải Nhất", programme="results", prize="first")
    assert script_cue(reveal) == "Xin trân trọng công bố giải Nhất."
    assert script_cue(reveal, *RVE) == \
        "Xin trân trọng công bố: Giải Nhất thuộc về Đội Thị trấn Đăk Rve (Thị trấn Đăk Rve)."


def test_every_step_of_the_demo_has_a_cue():
    for s in STEPS:
        assert script_cue(s, *RVE, "Phần thi", "Giai đoạn", s.seconds,
                               opens_part=show.opens_part(STEPS, s.index)).endswith(".")


# --------------------------------------------------------------------------- properties

SMALL = show.build_steps(PROGRAMME[3:6], TEAMS[:2], make_rules(confer=2, answer=3))

press_st = st.tuples(
    st.sampled_from(list(show.ACTIONS) + ["tick", "dance"]),
    st.integers(0, 10_000),                                  # ms since the previous press
    st.integers(-2, len(SMALL) + 1),                         # jump target
    st.integers(-5, 4000),                                   # extension seconds
    st.sampled_from(["hidden", "live", "frozen", "public"]),
)


@settings(max_examples=200, deadline=None)
@given(presses=st.lists(press_st, max_size=40))
def test_any_presses_keep_the_stage_sound(presses):
    s, now = Stage(), T0
    for action, dt, target, seconds, mode in presses:
        now += dt
        before = s
        if action == "tick":
            ticked = show.tick(s, SMALL, now)
            s = s if ticked is None else ticked
            assert ticked is None or ticked.version > before.version
        else:
            try:
                s = show.apply(s, SMALL, action, now, step=target, seconds=seconds, mode=mode)
            except ContestError:
                assert s is before
            else:
                assert s.version == before.version + 1
        current = SMALL[s.step]
        assert 0 <= s.step < len(SMALL)
        assert (s.timer is not None) == (current.kind == "phase")
        if s.timer is not None:
            assert s.timer.duration_ms == current.seconds * 1000
            left = tm.remaining(s.timer, now)
            assert -(now - T0) - 10_000 <= left <= s.timer.allowed_ms
        assert all(ms > 0 and key[0] in ("dak-rve", "dak-koi") for key, ms in s.overtime.items())
        assert show.stage_from_json(show.stage_to_json(s)) == s
        view = show.stage_to_dict(s, SMALL, now)
        assert view["step"]["index"] == s.step and view["version"] == s.version
