"""The prize ceremony ("Công bố kết quả và trao giải") as pure rules.

Terms
- *reveal slot*: one prize handed out on stage: every individual prize, then every special
  prize slot, then the collective slots from the last prize (encouragement) up to the first.
  Slots come from the rules, not from the allocation, so the number of steps never changes
  while scores arrive.
- What a slot shows (a team, a performer, an undecided tie, or nothing) is read from the
  allocation when it is shown (:func:`resolve_slot`). Within one prize the slots still
  undecided come first and the winners from the lowest ranked up.
- A reveal is never shown before the reveals of lower prizes (:func:`check_reveal_order`).

This module does not allocate prizes (see :mod:`contest.core.prizes`) and touches no database.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ContestError
from .rules import Rules
from .show import Stage, Step

TIE_TEXT = "Đồng hạng — chờ Ban Giám khảo quyết định"
UNAWARDED_TEXT = "Không trao giải"
PRIZE_KINDS_VI = {"individual": "Giải cá nhân", "special": "Giải phụ", "collective": "Giải tập thể"}


@dataclass(frozen=True)
class RevealSlot:
    """One prize handed out on stage; ``id`` is what the reveal step stores as its prize."""

    id: str
    prize: str
    kind: str  # individual | special | collective
    name: str
    amount: int
    n: int  # 1-based among the slots of this prize, in reveal order
    of: int

    @property
    def title(self) -> str:
        return self.name if self.of == 1 else f"{self.name} ({self.n}/{self.of})"


def reveal_slots(rules: Rules) -> tuple[RevealSlot, ...]:
    """The ceremony's order: individual prizes, special prizes, then the collective prizes
    from the last (lowest) up to the first. Pure: depends on the rules only."""
    out: list[RevealSlot] = []

    def add(kind: str, prize, count: int) -> None:
        for n in range(1, count + 1):
            out.append(RevealSlot(id=f"{prize.key}#{n}", prize=prize.key, kind=kind,
                                  name=prize.name, amount=int(prize.amount), n=n, of=count))

    for p in rules.prizes.individual:
        add("individual", p, 1)
    for p in rules.prizes.special:
        add("special", p, p.count)
    for p in reversed(rules.prizes.collective):
        add("collective", p, p.count)
    return tuple(out)


def prize_height(rules: Rules, prize: str) -> tuple[int, int]:
    """How high a prize is in the ceremony (higher is announced later): collective prizes
    rank above special ones, which rank above individual ones; the first collective prize is
    the highest. Used to prove that reveals go up, never down."""
    collective = [p.key for p in rules.prizes.collective]
    if prize in collective:
        return (2, len(collective) - collective.index(prize))
    if any(p.key == prize for p in rules.prizes.special):
        return (1, 0)
    return (0, 0)


def resolve_slot(slot: RevealSlot, prizes: dict | None) -> dict:
    """What ``slot`` shows, from the allocation ``prizes`` (``prizes_dict`` shape).

    Within a prize, slots whose winners are not known come first: slots with no team at all
    (``unawarded``), then slots at stake in an undecided tie, then the winners from the lowest
    ranked (the allocation lists them best first) up. Pure."""
    if prizes is None:
        return {"status": "pending"}
    awards = [a for a in prizes.get("awards", ()) if a.get("prize") == slot.prize]
    tied = sum(list(t.get("prizes", ())).count(slot.prize) for t in prizes.get("ties", ()))
    unawarded = sum(int(u.get("slots", 0)) for u in prizes.get("unawarded", ())
                    if u.get("prize") == slot.prize)
    shown: list[dict] = ([{"status": "unawarded"}] * unawarded + [{"status": "tie"}] * tied
                         + [dict(a, status="awarded") for a in reversed(awards)])
    # More slots than the allocation accounts for: the rest are not awarded (yet).
    missing = slot.of - len(shown)
    if missing > 0:
        shown = [{"status": "unawarded"}] * missing + shown
    return shown[slot.n - 1] if slot.n - 1 < len(shown) else {"status": "unawarded"}


def check_reveal_order(steps: tuple[Step, ...], stage: Stage, target: int) -> None:
    """Refuse to move onto a reveal whose lower reveals have not all been shown. Pure."""
    if not 0 <= target < len(steps) or steps[target].kind != "reveal":
        return
    before = sum(1 for s in steps[:target] if s.kind == "reveal")
    if before > stage.revealed:
        raise ContestError("Phải công bố lần lượt từ giải thấp đến giải cao; "
                           f"còn {before - stage.revealed} giải trước chưa công bố", field="step")
