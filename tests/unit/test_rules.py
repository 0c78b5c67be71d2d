"""Rules validation: every bad field is named; limits come from data."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.core.errors import ContestError
from contest.core.roster import MemberRecord, check_roster
from contest.core.rules import OvertimePenalty, TeamLimits, rules_from_dict, rules_to_dict

DEMO = json.loads((Path(__file__).resolve().parents[2] / "contest/demo/kon-ray-2023.json").read_text())
RULES = DEMO["contest"]["rules"]


def rules(**changes):
    data = copy.deepcopy(RULES)
    for path, value in changes.items():
        target = data
        keys = path.split("__")
        for k in keys[:-1]:
            target = target[int(k)] if k.isdigit() else target[k]
        last = keys[-1]
        if value is KeyError:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return data


def test_default_rules_parse_and_round_trip():
    r = rules_from_dict(RULES)
    assert [p.key for p in r.parts] == ["intro", "skit", "quiz"]
    assert [p.max for p in r.parts] == [20, 50, 30]
    assert r.team == TeamLimits(12, 4)
    assert r.prizes.budget == 5_000_000 + 4_000_000 + 2 * 3_000_000 + 3 * 1_500_000 + 2_000_000 + 3_000_000
    again = rules_to_dict(r)
    assert rules_from_dict(again) == r


@pytest.mark.parametrize("changes, field", [
    ({"team__max_members": -1}, "rules.team.max_members"),
    ({"team__max_members": "mười"}, "rules.team.max_members"),
    ({"parts__0__criteria__0__max": -5}, "rules.parts[0].criteria[0].max"),
    ({"parts__0__criteria__0__max": "x"}, "rules.parts[0].criteria[0].max"),
    ({"parts__0__criteria__0__max": 0}, "rules.parts[0].criteria[0].max"),
    ({"parts__0__criteria__0__max": 7.25}, "rules.parts[0].criteria[0].max"),  # not on the 0.5 grid
    ({"parts__1__key": "intro"}, "rules.parts[1].key"),
    ({"parts__0__criteria__1__key": "content"}, "rules.parts[0].criteria[1].key"),
    ({"parts__0__phases__0__seconds": 0}, "rules.parts[0].phases[0].seconds"),
    ({"parts__0__name": ""}, "rules.parts[0].name"),
    ({"aggregation": "max"}, "rules.aggregation"),
    ({"decimals": 9}, "rules.decimals"),
    ({"tie_break": ["skit", "nope"]}, "rules.tie_break[1]"),
    ({"prizes__special__0__part": "nope"}, "rules.prizes.special[0].part"),
    ({"prizes__collective__0__count": 0}, "rules.prizes.collective[0].count"),
    ({"parts": []}, "rules.parts"),
    ({"parts__0__key": "có dấu"}, "rules.parts[0].key"),
    ({"parts__1__drawn": "yes"}, "rules.parts[1].drawn"),
    ({"parts__2__drawn": 1}, "rules.parts[2].drawn"),
])
def test_bad_rules_name_the_field(changes, field):
    with pytest.raises(ContestError) as err:
        rules_from_dict(rules(**changes))
    assert err.value.field == field
    assert field in err.value.message


def test_drawn_is_optional_and_written_back_only_when_given():
    plain = rules_from_dict(RULES)
    assert [p.drawn for p in plain.parts] == [None, None, None]
    assert all("drawn" not in p for p in rules_to_dict(plain)["parts"])
    flagged = rules_from_dict(rules(parts__0__drawn=True, parts__2__drawn=False))
    assert [p.drawn for p in flagged.parts] == [True, None, False]
    again = rules_to_dict(flagged)
    assert [p.get("drawn", "absent") for p in again["parts"]] == [True, "absent", False]
    assert rules_from_dict(again) == flagged


def test_a_non_boolean_drawn_names_the_document_path():
    with pytest.raises(ContestError) as err:
        rules_from_dict(rules(parts__1__drawn="có"), "contest.rules")
    assert err.value.field == "contest.rules.parts[1].drawn"
    assert "contest.rules.parts[1].drawn" in err.value.message


def test_score_step_is_data():
    r = rules_from_dict(rules(score_step=0.25, parts__0__criteria__0__max=7.25))
    assert r.score_step == Decimal("0.25")


@pytest.mark.parametrize("over, expected", [(0, 0), (1, 2), (30, 2), (31, 4), (61, 6)])
def test_overtime_penalty_per_started_period(over, expected):
    assert OvertimePenalty(points=Decimal(2), per_seconds=30).deduction(over) == expected


def roster(members: int, guests: int, roles=("skit",)):
    return ([MemberRecord(f"m{i}", f"Thành viên {i}", "member", tuple(roles)) for i in range(members)]
            + [MemberRecord(f"g{i}", f"Khách {i}", "guest", tuple(roles)) for i in range(guests)])


@given(max_members=st.integers(1, 20), max_guests=st.integers(0, 6),
       members=st.integers(0, 25), guests=st.integers(0, 10))
def test_roster_limits_come_from_the_rules(max_members, max_guests, members, guests):
    limits = TeamLimits(max_members, max_guests)
    ok = members <= max_members and guests <= max_guests
    try:
        check_roster("Đội Xã Đăk Kôi", roster(members, guests), limits, {"skit"})
        assert ok
    except ContestError as exc:
        assert not ok
        assert "Đội Xã Đăk Kôi" in exc.message


def test_thirteenth_member_and_fifth_guest_are_named():
    limits = TeamLimits(12, 4)
    with pytest.raises(ContestError, match="13 thành viên"):
        check_roster("Đội A", roster(13, 0), limits, {"skit"})
    with pytest.raises(ContestError, match="5 người được mời"):
        check_roster("Đội A", roster(12, 5), limits, {"skit"})


def test_unknown_role_and_duplicate_member_key():
    with pytest.raises(ContestError) as err:
        check_roster("Đội A", roster(1, 0, roles=("dance",)), TeamLimits(12, 4), {"skit"})
    assert err.value.field == "members[0].roles[0]"
    twice = roster(1, 0) * 2
    with pytest.raises(ContestError, match="trùng mã"):
        check_roster("Đội A", twice, TeamLimits(12, 4), {"skit"})
