"""Prize allocation: from the standings and the judges' nominations to the awards.

Terms (DOMAIN.md, "Prizes"):

* a **slot** is one prize of one kind: the rules' ``collective`` list expanded by ``count``
  in order (1 first, 1 second, 2 third -> first, second, third, third);
* **collective** slots are filled in rank order. A group of teams sharing a rank that fits
  inside one prize's slots all get that prize. A group that **straddles** a boundary (between
  two prizes, or between the last prize and none) is never split here: it becomes a
  :class:`Tie` listing, one entry per candidate, the prizes at stake (``""`` for "no prize").
  Teams below the group continue from the slot after the group's slots. Only teams with at
  least one part score take part; slots left when teams run out are **unawarded**;
* a **special** prize tied to a part goes to the ``count`` best teams on that part's score,
  whatever collective prize they won; a tie across the count boundary is a Tie too;
* an **individual** prize goes to the performer with most nominations. Each judge has one
  nomination per prize: the last one given replaces the earlier ones, and it counts only if
  the member performs in the prize's part (otherwise that judge has no nomination for it).
  A tie for most is a Tie with one slot;
* a **decision** (:class:`TieDecision`) is the jury head's recorded order for one tie: the
  candidates it lists take the tie's prizes in that order, the other candidates the remaining
  entries in the order of the standings. It applies only to the tie whose ``key`` it names, and
  only if the candidates it leaves unordered would all get the same thing (the computer still
  never splits a group). A resolved tie is no longer reported; its awards say ``decided``.
  A tie's key is derived from its kind, the prizes at stake and the sorted candidates, so when
  the standings change the old decision silently stops applying.

Whether the standings are complete is the caller's business: allocation runs on any
standings, and the screens say "provisional" until they are complete.

This module does not read or store anything, does not check that judges or members exist
(the service does), and does not format money.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .errors import ContestError
from .rules import Rules
from .tabulation import Standings, TeamStanding

NO_PRIZE = ""


@dataclass(frozen=True)
class Nomination:
    judge: str
    prize: str
    member: str


@dataclass(frozen=True)
class TieDecision:
    """The jury head's order for one tie: the candidates in the order they take its slots."""

    tie: str
    order: tuple[str, ...]
    reason: str = ""


@dataclass(frozen=True)
class Award:
    prize: str
    kind: str  # "collective" | "special" | "individual"
    amount: int
    team: str | None = None
    member: str | None = None
    decided: bool = False


@dataclass(frozen=True)
class Tie:
    key: str
    kind: str
    candidates: tuple[str, ...]
    prizes: tuple[str, ...]  # one entry per candidate, "" for "no prize"
    slots: int  # real prize slots at stake (entries of ``prizes`` that are not "")
    rank: int | None


@dataclass(frozen=True)
class Allocation:
    awards: tuple[Award, ...]
    ties: tuple[Tie, ...]
    unawarded: tuple[tuple[str, int], ...]

    @property
    def budget(self) -> int:
        return sum(a.amount for a in self.awards)


def tie_key(kind: str, prizes: Sequence[str], candidates: Iterable[str]) -> str:
    """Deterministic key of a tie: the kind and a digest of the prizes at stake and the
    sorted candidates."""
    payload = json.dumps([kind, list(prizes), sorted(candidates)], ensure_ascii=False,
                         separators=(",", ":"))
    return f"{kind}-{hashlib.sha256(payload.encode()).hexdigest()[:16]}"


def make_tie(kind: str, candidates: Sequence[str], prizes: Sequence[str],
             rank: int | None) -> Tie:
    return Tie(key=tie_key(kind, prizes, candidates), kind=kind, candidates=tuple(candidates),
               prizes=tuple(prizes), slots=sum(1 for p in prizes if p != NO_PRIZE), rank=rank)


def validate_decision(tie: Tie, decision: TieDecision) -> None:
    """Raise ContestError (Vietnamese, field ``order``) unless ``decision`` can settle ``tie``."""
    if decision.tie != tie.key:
        raise ContestError("Quyết định này không thuộc trường hợp đồng hạng đang xét",
                           field="tie")
    order = tuple(decision.order)
    if not order:
        raise ContestError("Cần xếp thứ tự ít nhất một ứng viên đồng hạng", field="order")
    if len(set(order)) != len(order):
        raise ContestError("Một ứng viên được xếp hai lần", field="order")
    strangers = [c for c in order if c not in tie.candidates]
    if strangers:
        raise ContestError(f"'{strangers[0]}' không nằm trong nhóm đồng hạng", field="order")
    if len(set(tie.prizes[len(order):])) > 1:
        raise ContestError("Cần xếp thứ tự thêm ứng viên: những người còn lại sẽ nhận "
                           "các giải khác nhau", field="order")


def _settle(tie: Tie, decisions: Mapping[str, TieDecision]) -> list[tuple[str, str]] | None:
    """(candidate, prize) pairs from the tie's decision, or None if it has no usable one."""
    decision = decisions.get(tie.key)
    if decision is None:
        return None
    try:
        validate_decision(tie, decision)
    except ContestError:
        return None
    order = list(decision.order)
    rest = [c for c in tie.candidates if c not in order]
    return list(zip(order + rest, tie.prizes))


def _groups(entries: Iterable[tuple[str, object]]) -> list[tuple[list[str], object]]:
    """Consecutive runs of equal values: [(name, value), ...] -> [([names], value), ...]."""
    groups: list[tuple[list[str], object]] = []
    for name, value in entries:
        if groups and value == groups[-1][1]:
            groups[-1][0].append(name)
        else:
            groups.append(([name], value))
    return groups


def _fill(kind: str, slots: Sequence[str], groups: Sequence[tuple[list[str], int | None]],
          decisions: Mapping[str, TieDecision]
          ) -> tuple[list[tuple[str, str, bool]], list[Tie], list[str]]:
    """Fill ``slots`` (prize keys) with ranked groups of candidates.

    Returns the awards as (candidate, prize, decided), the open ties and the prize keys of
    the slots left over once the candidates ran out.
    """
    awards: list[tuple[str, str, bool]] = []
    ties: list[Tie] = []
    pos = 0
    for members, rank in groups:
        if pos >= len(slots):
            break
        at_stake = list(slots[pos:pos + len(members)])
        at_stake += [NO_PRIZE] * (len(members) - len(at_stake))
        pos += len(members)
        if len(set(at_stake)) == 1:
            awards.extend((m, at_stake[0], False) for m in members)
            continue
        tie = make_tie(kind, members, at_stake, rank)
        settled = _settle(tie, decisions)
        if settled is None:
            ties.append(tie)
        else:
            awards.extend((m, p, True) for m, p in settled if p != NO_PRIZE)
    return [a for a in awards if a[1] != NO_PRIZE], ties, list(slots[pos:])


def _count_left(keys: Iterable[str]) -> list[tuple[str, int]]:
    return list(Counter(keys).items())  # Counter keeps first-seen order


def allocate(rules: Rules, standings: Standings, nominations: Iterable[Nomination] = (),
             performers: Mapping[str, set[str]] | None = None,
             decisions: Iterable[TieDecision] = ()) -> Allocation:
    """Allocate every prize of ``rules`` (see the module docstring)."""
    decided = {d.tie: d for d in decisions}  # the last decision for a tie wins
    ranked: list[TeamStanding] = sorted((t for t in standings.teams if t.scored),
                                        key=lambda t: t.rank)
    awards: list[Award] = []
    ties: list[Tie] = []
    unawarded: list[tuple[str, int]] = []

    # collective
    prizes = {p.key: p for p in rules.prizes.collective}
    slots = [p.key for p in rules.prizes.collective for _ in range(p.count)]
    groups = _groups((t.team, t.rank) for t in ranked)
    got, open_ties, left = _fill("collective", slots, groups, decided)  # type: ignore[arg-type]
    awards += [Award(prize=p, kind="collective", amount=prizes[p].amount, team=t, decided=d)
               for t, p, d in got]
    ties += open_ties
    unawarded += _count_left(left)

    # special: the best teams on one part's score
    for sp in rules.prizes.special:
        scored = [(t.team, t.parts.get(sp.part)) for t in ranked]
        scored = [(team, score) for team, score in scored if score is not None]
        scored.sort(key=lambda e: e[1], reverse=True)  # stable: keeps the standings order
        runs, place = [], 1
        for members, _ in _groups(scored):
            runs.append((members, place))  # competition rank on this part's score
            place += len(members)
        got, open_ties, left = _fill("special", [sp.key] * sp.count, runs, decided)
        awards += [Award(prize=sp.key, kind="special", amount=sp.amount, team=t, decided=d)
                   for t, _, d in got]
        ties += open_ties
        unawarded += _count_left(left)

    # individual: most nominations among the part's performers
    latest: dict[tuple[str, str], str] = {}
    for n in nominations:
        latest[(n.judge, n.prize)] = n.member
    for ip in rules.prizes.individual:
        allowed = None if performers is None else performers.get(ip.part, set())
        votes = Counter(member for (judge, prize), member in latest.items()
                        if prize == ip.key and (allowed is None or member in allowed))
        if not votes:
            unawarded.append((ip.key, 1))
            continue
        most = max(votes.values())
        leaders = sorted(m for m, v in votes.items() if v == most)
        got, open_ties, _ = _fill("individual", [ip.key], [(leaders, None)], decided)
        awards += [Award(prize=ip.key, kind="individual", amount=ip.amount, member=m, decided=d)
                   for m, _, d in got]
        ties += open_ties

    return Allocation(awards=tuple(awards), ties=tuple(ties), unawarded=tuple(unawarded))


def allocation_to_dict(a: Allocation) -> dict:
    """CONTRACT.md's prizes shape: awards, ties, unawarded and the budget."""
    def award(x: Award) -> dict:
        d: dict = {"prize": x.prize, "kind": x.kind, "amount": x.amount, "decided": x.decided}
        if x.team is not None:
            d["team"] = x.team
        if x.member is not None:
            d["member"] = x.member
        return d

    return {
        "awards": [award(x) for x in a.awards],
        "ties": [{"key": t.key, "kind": t.kind, "candidates": list(t.candidates),
                  "prizes": list(t.prizes), "slots": t.slots, "rank": t.rank} for t in a.ties],
        "unawarded": [{"prize": p, "slots": n} for p, n in a.unawarded],
        "budget": a.budget,
    }
