"""A contest's rules ("Thể lệ") as plain frozen data, and their validation.

Every number DOMAIN.md marks *default* lives here as data read from the contest document,
never as a constant elsewhere: team limits, parts with their phases and criteria, the
aggregation, rounding, the tie-break order, overtime penalties, the score step and the prize
structure, and which parts are drawn by lot (a part's optional ``drawn``; see
:func:`contest.core.show.default_draw_parts` for the rule when no part says).
:func:`rules_from_dict` turns the ``rules`` object of a contest document into a
:class:`Rules` or raises :class:`ContestError` naming the path of the first bad field.

This module does not know about teams on stage, scores or prizes awarded; it only says what
the rules are and whether they make sense.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import ContestError

AGGREGATIONS = ("mean", "median", "trimmed_mean")
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
MAX_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    max: Decimal


@dataclass(frozen=True)
class Phase:
    key: str
    name: str
    seconds: int


@dataclass(frozen=True)
class OvertimePenalty:
    points: Decimal
    per_seconds: int

    def deduction(self, overtime_seconds: float) -> Decimal:
        """Points deducted for running ``overtime_seconds`` over: per *started* period."""
        if overtime_seconds <= 0 or self.points == 0:
            return Decimal(0)
        periods = -(-int(overtime_seconds * 1000) // (self.per_seconds * 1000))
        return self.points * periods


@dataclass(frozen=True)
class Part:
    key: str
    name: str
    phases: tuple[Phase, ...]
    criteria: tuple[Criterion, ...]
    overtime_penalty: OvertimePenalty | None = None
    drawn: bool | None = None  # "this part's questions are drawn by lot"; None: not said

    @property
    def max(self) -> Decimal:
        return sum((c.max for c in self.criteria), Decimal(0))

    def criterion(self, key: str) -> Criterion | None:
        return next((c for c in self.criteria if c.key == key), None)


@dataclass(frozen=True)
class CollectivePrize:
    key: str
    name: str
    count: int
    amount: int


@dataclass(frozen=True)
class SpecialPrize:
    key: str
    name: str
    count: int
    amount: int
    part: str


@dataclass(frozen=True)
class IndividualPrize:
    key: str
    name: str
    amount: int
    part: str


@dataclass(frozen=True)
class Prizes:
    collective: tuple[CollectivePrize, ...] = ()
    special: tuple[SpecialPrize, ...] = ()
    individual: tuple[IndividualPrize, ...] = ()

    def find(self, key: str):
        for p in (*self.collective, *self.special, *self.individual):
            if p.key == key:
                return p
        return None

    @property
    def budget(self) -> int:
        return (sum(p.count * p.amount for p in self.collective)
                + sum(p.count * p.amount for p in self.special)
                + sum(p.amount for p in self.individual))


@dataclass(frozen=True)
class TeamLimits:
    max_members: int
    max_guests: int


@dataclass(frozen=True)
class Rules:
    team: TeamLimits
    parts: tuple[Part, ...]
    aggregation: str = "mean"
    decimals: int = 2
    tie_break: tuple[str, ...] = ()
    prizes: Prizes = field(default_factory=Prizes)
    score_step: Decimal = Decimal("0.5")

    def part(self, key: str) -> Part | None:
        return next((p for p in self.parts if p.key == key), None)

    @property
    def part_keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.parts)


# --------------------------------------------------------------------------- parsing


class _Reader:
    """Reads typed values out of plain data, raising ContestError with the JSON path."""

    def __init__(self, prefix: str = "rules"):
        self.prefix = prefix

    def err(self, path: str, message: str) -> ContestError:
        return ContestError(message, field=path, code="invalid_rules")

    def obj(self, data: Any, path: str) -> dict:
        if not isinstance(data, dict):
            raise self.err(path, f"{path}: phải là một đối tượng (object)")
        return data

    def list(self, data: Any, path: str, *, min_items: int = 0) -> list:
        if not isinstance(data, list):
            raise self.err(path, f"{path}: phải là một danh sách")
        if len(data) < min_items:
            raise self.err(path, f"{path}: cần ít nhất {min_items} mục")
        return data

    def text(self, data: dict, key: str, path: str, *, max_len: int = 500) -> str:
        value = data.get(key)
        p = f"{path}.{key}"
        if not isinstance(value, str) or not value.strip():
            raise self.err(p, f"{p}: không được để trống")
        if len(value) > max_len:
            raise self.err(p, f"{p}: dài quá {max_len} ký tự")
        return value.strip()

    def key(self, data: dict, path: str) -> str:
        value = data.get("key")
        p = f"{path}.key"
        if not isinstance(value, str) or not KEY_RE.match(value):
            raise self.err(p, f"{p}: mã phải gồm chữ không dấu, số, '-', '_' hoặc '.' (tối đa 64 ký tự)")
        return value

    def flag(self, data: dict, key: str, path: str) -> bool | None:
        """An optional boolean: None when the key is absent (or null)."""
        value = data.get(key)
        p = f"{path}.{key}"
        if value is not None and not isinstance(value, bool):
            raise self.err(p, f"{p}: phải là true hoặc false")
        return value

    def integer(self, data: dict, key: str, path: str, *, minimum: int = 0,
                maximum: int | None = None, default: int | None = None) -> int:
        value = data.get(key, default)
        p = f"{path}.{key}"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
                isinstance(value, float) and not value.is_integer()):  # also NaN and infinity
            raise self.err(p, f"{p}: phải là số nguyên")
        value = int(value)
        if value < minimum:
            raise self.err(p, f"{p}: phải lớn hơn hoặc bằng {minimum}")
        if maximum is not None and value > maximum:
            raise self.err(p, f"{p}: không được lớn hơn {maximum}")
        return value

    def decimal(self, data: dict, key: str, path: str, *, positive: bool = False,
                default: Any = None) -> Decimal:
        value = data.get(key, default)
        p = f"{path}.{key}"
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise self.err(p, f"{p}: phải là một số")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.err(p, f"{p}: phải là một số") from None
        if not number.is_finite():
            raise self.err(p, f"{p}: phải là một số hữu hạn")
        if number < 0 or (positive and number == 0):
            raise self.err(p, f"{p}: phải là số {'dương' if positive else 'không âm'}")
        if number > 100000:
            raise self.err(p, f"{p}: quá lớn")
        return number

    def unique(self, items, path: str, what: str):
        seen = set()
        for i, item in enumerate(items):
            if item.key in seen:
                raise self.err(f"{path}[{i}].key", f"{path}[{i}].key: trùng mã {what} '{item.key}'")
            seen.add(item.key)


def rules_from_dict(data: Any, path: str = "rules") -> Rules:
    """Parse and validate the ``rules`` object of a contest document."""
    r = _Reader(path)
    data = r.obj(data, path)
    team = r.obj(data.get("team"), f"{path}.team")
    limits = TeamLimits(
        max_members=r.integer(team, "max_members", f"{path}.team", minimum=1, maximum=500),
        max_guests=r.integer(team, "max_guests", f"{path}.team", minimum=0, maximum=500, default=0),
    )
    parts = tuple(_part(r, p, f"{path}.parts[{i}]")
                  for i, p in enumerate(r.list(data.get("parts"), f"{path}.parts", min_items=1)))
    r.unique(parts, f"{path}.parts", "phần thi")
    part_keys = {p.key for p in parts}

    aggregation = data.get("aggregation", "mean")
    if aggregation not in AGGREGATIONS:
        raise r.err(f"{path}.aggregation",
                    f"{path}.aggregation: cách tổng hợp '{aggregation}' không có; chọn một trong "
                    + ", ".join(AGGREGATIONS))
    decimals = r.integer(data, "decimals", path, minimum=0, maximum=4, default=2)

    tie_break_raw = r.list(data.get("tie_break", []), f"{path}.tie_break")
    for i, key in enumerate(tie_break_raw):
        if key not in part_keys:
            raise r.err(f"{path}.tie_break[{i}]",
                        f"{path}.tie_break[{i}]: không có phần thi '{key}'")
    if len(set(tie_break_raw)) != len(tie_break_raw):
        raise r.err(f"{path}.tie_break", f"{path}.tie_break: một phần thi được nêu hai lần")

    step = r.decimal(data, "score_step", path, positive=True, default="0.5")
    for part in parts:
        for j, c in enumerate(part.criteria):
            if c.max % step != 0:
                i = parts.index(part)
                p = f"{path}.parts[{i}].criteria[{j}].max"
                raise r.err(p, f"{p}: điểm tối đa {c.max} không chia hết cho bước điểm {step}")

    prizes = _prizes(r, data.get("prizes", {}), f"{path}.prizes", part_keys)
    return Rules(team=limits, parts=parts, aggregation=aggregation, decimals=decimals,
                 tie_break=tuple(tie_break_raw), prizes=prizes, score_step=step)


def _part(r: _Reader, data: Any, path: str) -> Part:
    data = r.obj(data, path)
    phases = tuple(
        Phase(key=r.key(r.obj(ph, f"{path}.phases[{i}]"), f"{path}.phases[{i}]"),
              name=r.text(ph, "name", f"{path}.phases[{i}]"),
              seconds=r.integer(ph, "seconds", f"{path}.phases[{i}]", minimum=1, maximum=MAX_SECONDS))
        for i, ph in enumerate(r.list(data.get("phases", []), f"{path}.phases")))
    r.unique(phases, f"{path}.phases", "giai đoạn")
    criteria = tuple(
        Criterion(key=r.key(r.obj(c, f"{path}.criteria[{i}]"), f"{path}.criteria[{i}]"),
                  name=r.text(c, "name", f"{path}.criteria[{i}]"),
                  max=r.decimal(c, "max", f"{path}.criteria[{i}]", positive=True))
        for i, c in enumerate(r.list(data.get("criteria"), f"{path}.criteria", min_items=1)))
    r.unique(criteria, f"{path}.criteria", "tiêu chí")
    penalty = None
    if data.get("overtime_penalty") is not None:
        op = r.obj(data["overtime_penalty"], f"{path}.overtime_penalty")
        penalty = OvertimePenalty(
            points=r.decimal(op, "points", f"{path}.overtime_penalty", default=0),
            per_seconds=r.integer(op, "per_seconds", f"{path}.overtime_penalty", minimum=1,
                                  maximum=MAX_SECONDS, default=30))
    return Part(key=r.key(data, path), name=r.text(data, "name", path), phases=phases,
                criteria=criteria, overtime_penalty=penalty, drawn=r.flag(data, "drawn", path))


def _prizes(r: _Reader, data: Any, path: str, part_keys: set[str]) -> Prizes:
    data = r.obj(data, path)

    def part_of(item: dict, p: str) -> str:
        key = item.get("part")
        if key not in part_keys:
            raise r.err(f"{p}.part", f"{p}.part: không có phần thi '{key}'")
        return key

    collective = tuple(
        CollectivePrize(key=r.key(r.obj(p, f"{path}.collective[{i}]"), f"{path}.collective[{i}]"),
                        name=r.text(p, "name", f"{path}.collective[{i}]"),
                        count=r.integer(p, "count", f"{path}.collective[{i}]", minimum=1, maximum=1000),
                        amount=r.integer(p, "amount", f"{path}.collective[{i}]", default=0))
        for i, p in enumerate(r.list(data.get("collective", []), f"{path}.collective")))
    special = tuple(
        SpecialPrize(key=r.key(r.obj(p, f"{path}.special[{i}]"), f"{path}.special[{i}]"),
                     name=r.text(p, "name", f"{path}.special[{i}]"),
                     count=r.integer(p, "count", f"{path}.special[{i}]", minimum=1, maximum=1000,
                                     default=1),
                     amount=r.integer(p, "amount", f"{path}.special[{i}]", default=0),
                     part=part_of(p, f"{path}.special[{i}]"))
        for i, p in enumerate(r.list(data.get("special", []), f"{path}.special")))
    individual = tuple(
        IndividualPrize(key=r.key(r.obj(p, f"{path}.individual[{i}]"), f"{path}.individual[{i}]"),
                        name=r.text(p, "name", f"{path}.individual[{i}]"),
                        amount=r.integer(p, "amount", f"{path}.individual[{i}]", default=0),
                        part=part_of(p, f"{path}.individual[{i}]"))
        for i, p in enumerate(r.list(data.get("individual", []), f"{path}.individual")))
    everything = (*collective, *special, *individual)
    seen: set[str] = set()
    for prize in everything:
        if prize.key in seen:
            raise r.err(path, f"{path}: trùng mã giải '{prize.key}'")
        seen.add(prize.key)
    return Prizes(collective=collective, special=special, individual=individual)


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def rules_to_dict(rules: Rules) -> dict:
    """The ``rules`` object of a contest document; the inverse of :func:`rules_from_dict`."""
    def part(p: Part) -> dict:
        d = {"key": p.key, "name": p.name,
             "phases": [{"key": ph.key, "name": ph.name, "seconds": ph.seconds} for ph in p.phases],
             "criteria": [{"key": c.key, "name": c.name, "max": _num(c.max)} for c in p.criteria]}
        if p.overtime_penalty is not None:
            d["overtime_penalty"] = {"points": _num(p.overtime_penalty.points),
                                     "per_seconds": p.overtime_penalty.per_seconds}
        if p.drawn is not None:  # only when the document said so: round trips stay identical
            d["drawn"] = p.drawn
        return d

    return {
        "team": {"max_members": rules.team.max_members, "max_guests": rules.team.max_guests},
        "aggregation": rules.aggregation,
        "decimals": rules.decimals,
        "score_step": _num(rules.score_step),
        "tie_break": list(rules.tie_break),
        "parts": [part(p) for p in rules.parts],
        "prizes": {
            "collective": [{"key": p.key, "name": p.name, "count": p.count, "amount": p.amount}
                           for p in rules.prizes.collective],
            "special": [{"key": p.key, "name": p.name, "count": p.count, "amount": p.amount,
                         "part": p.part} for p in rules.prizes.special],
            "individual": [{"key": p.key, "name": p.name, "amount": p.amount, "part": p.part}
                           for p in rules.prizes.individual],
        },
    }
