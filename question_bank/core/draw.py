"""The sealed draw (CONTRACT.md section 5): lots that are fair and provably so afterwards.

Before the contest the approved questions are shuffled into numbered lots 1..N and sealed
with a random salt; only the *commitment* is published:

    commitment = lowercase hex SHA-256 of the UTF-8 bytes of
    json.dumps({"lots": {str(number): question_key}, "salt": salt},
               sort_keys=True, separators=(",", ":"), ensure_ascii=False)

with salt = 32 lowercase hex characters. On stage a team's representative picks a number;
the question behind it is revealed and can never be drawn again. After the contest the salt
and the lots are revealed, and anyone can recompute the commitment (:func:`verify`) and see
that no lot was swapped during the day. The salt keeps anyone from guessing the lots from the
commitment beforehand.

The order in which teams perform is sealed the same way (:func:`seal_order`: lots are
positions 1..N, each holding a team key).

Pure: the random generator is passed in (production: ``random.SystemRandom()``; tests: a
seeded ``random.Random``). Storing lots and recording draws is the caller's job.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from contest.core.errors import Conflict, ContestError, NotFound

from .model import QuestionData

SALT_RE = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class SealedLots:
    salt: str
    lots: Mapping[int, str]  # lot number 1..N → question key (or team key for an order)
    commitment: str

    @property
    def count(self) -> int:
        return len(self.lots)

    def reveal(self) -> dict:
        """What is published after the contest: ``{"salt", "lots": {"1": key, ...}}``."""
        return {"salt": self.salt, "lots": {str(n): key for n, key in self.lots.items()}}


def _payload(lots: Mapping[Any, str], salt: str) -> bytes:
    document = {"lots": {str(number): key for number, key in lots.items()}, "salt": salt}
    return json.dumps(document, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def _digest(lots: Mapping[Any, str], salt: str) -> str:
    return hashlib.sha256(_payload(lots, salt)).hexdigest()


def commitment(lots: Mapping[int, str], salt: str) -> str:
    """The published commitment to ``lots`` under ``salt`` (lowercase hex SHA-256)."""
    return _digest(lots, salt)


def verify(commitment: str, lots: Mapping[int, str] | Mapping[str, str], salt: str) -> bool:
    """True when the revealed ``lots`` and ``salt`` give the published ``commitment``.

    Lot numbers may be ints or the strings of the JSON reveal. Malformed input is simply False.
    """
    if not isinstance(commitment, str):
        return False
    try:
        actual = _digest(lots, salt)
    except (TypeError, ValueError, AttributeError):
        return False
    return hmac.compare_digest(actual, commitment.strip().lower())


def new_salt(rng: Any) -> str:
    """32 lowercase hex characters from ``rng`` (a ``random.Random``/``SystemRandom``, or the
    ``secrets`` module)."""
    if hasattr(rng, "getrandbits"):
        salt = f"{rng.getrandbits(128):032x}"
    else:
        salt = rng.token_hex(16)
    if not SALT_RE.match(salt):  # a generator that does not give what it should
        raise ValueError("the random generator gave a malformed salt")
    return salt


def _shuffled(items: list[str], rng: Any) -> list[str]:
    if hasattr(rng, "shuffle"):
        rng.shuffle(items)
        return items
    for i in range(len(items) - 1, 0, -1):  # Fisher–Yates with secrets.randbelow
        j = rng.randbelow(i + 1)
        items[i], items[j] = items[j], items[i]
    return items


def _seal(keys: Sequence[str], rng: Any, what: str, field: str) -> SealedLots:
    keys = list(keys)
    if not keys:
        raise ContestError(f"Không có {what} nào để niêm phong", field=field,
                           code="nothing_to_seal")
    seen: set[str] = set()
    for i, key in enumerate(keys):
        if not isinstance(key, str) or not key:
            raise ContestError(f"Mã {what} thứ {i + 1} không hợp lệ", field=f"{field}[{i}]")
        if key in seen:
            raise ContestError(f"Mã {what} '{key}' bị trùng", field=f"{field}[{i}]",
                               code="duplicate_key")
        seen.add(key)
    salt = new_salt(rng)
    order = _shuffled(keys, rng)
    lots = MappingProxyType({number: key for number, key in enumerate(order, start=1)})
    return SealedLots(salt=salt, lots=lots, commitment=_digest(lots, salt))


def seal_lots(question_keys: Sequence[str], rng: Any) -> SealedLots:
    """Shuffle the (approved) question keys into lots 1..N and seal them."""
    return _seal(question_keys, rng, "câu hỏi", "questions")


def seal_order(team_keys: Sequence[str], rng: Any) -> SealedLots:
    """Draw the performance order: position 1..N → team key, sealed like the lots."""
    return _seal(team_keys, rng, "đội thi", "teams")


def draw_lot(sealed: SealedLots, drawn: Collection[int], lot: int) -> str:
    """The key behind ``lot``; refused if it was already drawn or does not exist."""
    if isinstance(lot, bool) or not isinstance(lot, int):
        raise ContestError(f"Số lá thăm '{lot}' phải là một số nguyên", field="lot")
    if lot not in sealed.lots:
        raise NotFound(f"Không có lá thăm số {lot} (chỉ có từ 1 đến {sealed.count})",
                       field="lot", code="lot_not_found")
    if lot in drawn:
        raise Conflict(f"Lá thăm số {lot} đã được bốc", field="lot", code="lot_drawn")
    return sealed.lots[lot]


def remaining_lots(sealed: SealedLots, drawn: Collection[int]) -> list[int]:
    """The lot numbers still in the bowl, in order."""
    return [n for n in sealed.lots if n not in drawn]


def approved_keys(questions: Iterable[QuestionData]) -> list[str]:
    """The keys of the approved questions, in the given order (what :func:`seal_lots` takes).

    An approved question without a key is a bug in the caller, not a user error.
    """
    keys = []
    for q in questions:
        if q.status == "approved":
            if not q.key:
                raise ValueError("an approved question has no key")
            keys.append(q.key)
    return keys


def lots_from_reveal(lots: Mapping[str, str]) -> dict[int, str]:
    """The revealed ``{"1": key}`` mapping with int lot numbers; ContestError if malformed."""
    result: dict[int, str] = {}
    for number, key in lots.items():
        try:
            result[int(number)] = key
        except (TypeError, ValueError):
            raise ContestError(f"Số lá thăm '{number}' không hợp lệ", field="lots") from None
    return result
