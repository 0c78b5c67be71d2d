"""Tabulation: from the judges' score sheets to the standings.

Terms (DOMAIN.md, "Scoring"):

* a **sheet** (phiếu chấm điểm) is one judge's numbers for one team on one part, one number
  per criterion of that part; its **total** is their sum;
* a **part score** aggregates the judges' sheet totals for one team and part with the rules'
  aggregation (:data:`AGGREGATIONS`: ``mean``, ``median``, ``trimmed_mean``), rounded half up
  to ``rules.decimals``. Rounding happens *per part*, because that is the number read out in
  the hall and written in the minutes; the team **total** is the sum of those rounded part
  scores minus overtime penalties, so the minutes always add up;
* **ranking** is by total, highest first; equal totals are separated by the part scores in
  ``rules.tie_break`` order (a part without a score counts as 0 there); teams still equal
  share a rank ("1, 2, 2, 4") and keep the order in which the caller listed them. A team
  without any part score yet is listed after every team that has one;
* standings are **complete** once every judge has a sheet for every team and part; before
  that they are provisional, and ``missing`` says how many sheets are still to come.

All arithmetic is :class:`~decimal.Decimal`: 82.33 stays 82.33, and 82.335 rounds to 82.34.

This module does not store sheets, lock parts, decide who may score, nor allocate prizes
(see :mod:`contest.core.prizes`). It never reads the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, Sequence

from .errors import ContestError
from .rules import Part, Rules
from .text import format_number

ZERO = Decimal(0)
#: Default outlier threshold as a fraction of the part's maximum: a judge whose total is more
#: than 15 % of the part maximum away from the median of the other judges is flagged (7.5 of
#: 50 points on the default skit, 3 of 20 on the introduction).
OUTLIER_FRACTION = Decimal("0.15")

_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$")
_NO_PENALTIES: Mapping[tuple[str, str], Decimal] = MappingProxyType({})


@dataclass(frozen=True)
class Sheet:
    """One judge's numbers for one team on one part (criterion key -> points)."""

    judge: str
    team: str
    part: str
    criteria: Mapping[str, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.criteria.values(), ZERO)


# --------------------------------------------------------------------------- validation


def _fmt(value: Decimal) -> str:
    return format_number(value)


def parse_points(value: Any) -> Decimal | None:
    """A number as typed or sent: int, float, Decimal or a numeric string ("7.5" or "7,5").

    Returns None for anything else: bool, None, NaN, infinities, empty or odd strings.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 32 or not _NUMBER_RE.match(text):
            return None
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern already excludes these
            return None
    else:
        return None
    if not number.is_finite():
        return None
    return number + ZERO  # turns -0 into 0


def validate_criteria(part: Part, criteria: Any, step: Decimal) -> dict[str, Decimal]:
    """Check one sheet's numbers against the part's rubric and return them as Decimals.

    Every criterion of the part needs a number between 0 and its maximum that is a multiple
    of ``step``; unknown keys are refused. Raises :class:`ContestError` with field
    ``criteria.<key>`` and a Vietnamese message naming the criterion and its maximum.
    The result lists the criteria in the rubric's order.
    """
    if not isinstance(criteria, Mapping):
        raise ContestError(f"Phiếu chấm phần «{part.name}» phải ghi điểm theo từng tiêu chí",
                           field="criteria")
    known = {c.key for c in part.criteria}
    for key in criteria:
        if key not in known:
            raise ContestError(f"Tiêu chí '{key}' không có trong phần thi «{part.name}»",
                               field=f"criteria.{key}")
    result: dict[str, Decimal] = {}
    for c in part.criteria:
        where = f"criteria.{c.key}"
        if c.key not in criteria:
            raise ContestError(f"Chưa nhập điểm tiêu chí «{c.name}» (tối đa {_fmt(c.max)} điểm)",
                               field=where)
        number = parse_points(criteria[c.key])
        if number is None:
            raise ContestError(f"Điểm tiêu chí «{c.name}» phải là một số từ 0 đến {_fmt(c.max)}",
                               field=where)
        if number < 0 or number > c.max:
            raise ContestError(f"Điểm tiêu chí «{c.name}» phải từ 0 đến {_fmt(c.max)}, "
                               f"không thể là {_fmt(number)}", field=where)
        if number % step != 0:
            raise ContestError(f"Điểm tiêu chí «{c.name}» (tối đa {_fmt(c.max)}) phải chấm theo "
                               f"bước {_fmt(step)} điểm, không thể là {_fmt(number)}", field=where)
        result[c.key] = number
    return result


# --------------------------------------------------------------------------- aggregation


def _mean(totals: Sequence[Decimal]) -> Decimal:
    if not totals:
        raise ValueError("no totals to aggregate")
    return sum(totals, ZERO) / len(totals)


def _median(totals: Sequence[Decimal]) -> Decimal:
    if not totals:
        raise ValueError("no totals to aggregate")
    ordered = sorted(totals)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def _trimmed_mean(totals: Sequence[Decimal]) -> Decimal:
    if len(totals) >= 5:
        return _mean(sorted(totals)[1:-1])
    return _mean(totals)


#: The aggregations a contest document may name in ``rules.aggregation``.
AGGREGATIONS: dict[str, Callable[[Sequence[Decimal]], Decimal]] = {
    "mean": _mean,
    "median": _median,
    "trimmed_mean": _trimmed_mean,
}


def aggregation(key: str) -> Callable[[Sequence[Decimal]], Decimal]:
    """The aggregation named ``key``, or a ContestError naming the unknown key."""
    try:
        return AGGREGATIONS[key]
    except (KeyError, TypeError):
        raise ContestError(f"Cách tổng hợp điểm '{key}' không có; chọn một trong "
                           + ", ".join(AGGREGATIONS), field="rules.aggregation") from None


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round to ``decimals`` places, halves away from zero: 82.335 -> 82.34."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- standings


@dataclass(frozen=True)
class TeamStanding:
    team: str
    rank: int
    total: Decimal
    parts: Mapping[str, Decimal | None]
    penalty: Decimal
    sheets: int

    @property
    def scored(self) -> bool:
        """Whether the team has at least one part score."""
        return any(v is not None for v in self.parts.values())


@dataclass(frozen=True)
class Standings:
    teams: tuple[TeamStanding, ...]
    complete: bool
    missing: int


def latest_sheets(rules: Rules, teams: Iterable[str], judges: Iterable[str],
                  sheets: Iterable[Sheet]) -> dict[tuple[str, str, str], Sheet]:
    """The sheets that count, keyed (judge, team, part): the last one of each key wins;
    sheets from unknown judges, teams or parts are dropped."""
    team_set, judge_set, part_set = set(teams), set(judges), set(rules.part_keys)
    latest: dict[tuple[str, str, str], Sheet] = {}
    for s in sheets:
        if s.judge in judge_set and s.team in team_set and s.part in part_set:
            latest[(s.judge, s.team, s.part)] = s
    return latest


def missing_sheets(rules: Rules, teams: Sequence[str], judges: Sequence[str],
                   sheets: Iterable[Sheet]) -> list[tuple[str, str, str]]:
    """The (judge, team, part) triples still without a sheet, in judge, team, part order."""
    have = latest_sheets(rules, teams, judges, sheets)
    return [(j, t, p) for j in dict.fromkeys(judges) for t in dict.fromkeys(teams)
            for p in rules.part_keys if (j, t, p) not in have]


def compute_standings(rules: Rules, teams: Sequence[str], judges: Sequence[str],
                      sheets: Iterable[Sheet],
                      penalties: Mapping[tuple[str, str], Decimal] = _NO_PENALTIES) -> Standings:
    """Aggregate, round, subtract penalties and rank (see the module docstring)."""
    team_list = list(dict.fromkeys(teams))
    judge_list = list(dict.fromkeys(judges))
    part_keys = rules.part_keys
    agg = aggregation(rules.aggregation)
    latest = latest_sheets(rules, team_list, judge_list, sheets)

    # totals[(team, part)] -> judges' sheet totals, in judge order (deterministic)
    totals: dict[tuple[str, str], list[Decimal]] = {}
    for j in judge_list:
        for t in team_list:
            for p in part_keys:
                s = latest.get((j, t, p))
                if s is not None:
                    totals.setdefault((t, p), []).append(s.total)

    rows: list[tuple[tuple, str, Decimal, dict[str, Decimal | None], Decimal, int]] = []
    for t in team_list:
        parts: dict[str, Decimal | None] = {}
        count = 0
        for p in part_keys:
            values = totals.get((t, p))
            if values:
                parts[p] = round_half_up(agg(values), rules.decimals)
                count += len(values)
            else:
                parts[p] = None
        penalty = sum((Decimal(str(penalties[(t, p)])) for p in part_keys
                       if (t, p) in penalties), ZERO)
        total = sum((v for v in parts.values() if v is not None), ZERO) - penalty
        scored = count > 0
        key = (scored, total, *((parts.get(p) or ZERO) for p in rules.tie_break))
        rows.append((key, t, total, parts, penalty, count))

    rows.sort(key=lambda r: r[0], reverse=True)  # stable: equal keys keep the teams' order
    standings: list[TeamStanding] = []
    rank = 0
    previous: tuple | None = None
    for i, (key, t, total, parts, penalty, count) in enumerate(rows):
        if key != previous:
            rank = i + 1
            previous = key
        standings.append(TeamStanding(team=t, rank=rank, total=total,
                                      parts=MappingProxyType(parts), penalty=penalty,
                                      sheets=count))

    missing = len(judge_list) * len(team_list) * len(part_keys) - len(latest)
    complete = missing == 0 and bool(judge_list) and bool(team_list)
    return Standings(teams=tuple(standings), complete=complete, missing=missing)


def number(value: Decimal | None) -> int | float | None:
    """A Decimal for JSON: int when integral, else the float of its decimal text (82.33)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(str(value))


def standings_to_dict(st: Standings) -> dict:
    """CONTRACT.md's standings shape, plus ``penalty``, ``sheets`` and ``missing``."""
    return {
        "teams": [{"team": t.team, "rank": t.rank, "total": number(t.total),
                   "parts": {k: number(v) for k, v in t.parts.items()},
                   "penalty": number(t.penalty), "sheets": t.sheets} for t in st.teams],
        "complete": st.complete,
        "missing": st.missing,
    }


# --------------------------------------------------------------------------- jury head's board


def spread(totals: Iterable[Decimal]) -> Decimal:
    """Highest minus lowest of the judges' totals (0 for fewer than two)."""
    values = list(totals)
    if len(values) < 2:
        return ZERO
    return max(values) - min(values)


def outlier_threshold(part_max: Decimal, fraction: Decimal = OUTLIER_FRACTION) -> Decimal:
    """The default outlier threshold for a part: ``fraction`` of its maximum."""
    return part_max * fraction


def outliers(sheet_totals: Mapping[str, Decimal], threshold: Decimal) -> set[str]:
    """Judges whose total is further than ``threshold`` from the median of the others' totals.

    Needs at least three judges (with two, neither can be told apart from the other). With
    exactly three, the median of the two others is their mean, so a judge far off can drag a
    neighbour over the line too (40, 41, 30 with threshold 5 flags 41 and 30): the board
    flags sheets to look at, it never changes a score. Use :func:`outlier_threshold` for the
    default threshold of a part.
    """
    if len(sheet_totals) < 3:
        return set()
    flagged = set()
    for judge, total in sheet_totals.items():
        others = [v for j, v in sheet_totals.items() if j != judge]
        if abs(total - _median(others)) > threshold:
            flagged.add(judge)
    return flagged
