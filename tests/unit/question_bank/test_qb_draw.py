"""The sealed draw of CONTRACT.md section 5, and the sealed performance order."""

from __future__ import annotations

import hashlib
import random
import secrets

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from qb_builders import make_question

from contest.core.errors import Conflict, ContestError, NotFound
from question_bank.core.draw import (SealedLots, approved_keys, commitment, draw_lot,
                                     lots_from_reveal, new_salt, remaining_lots, seal_lots,
                                     seal_order, verify)

SALT = "0123456789abcdef0123456789abcdef"


def test_commitment_is_exactly_the_contract_formula():
    lots = {2: "q1", 10: "câu-3", 1: "q3"}
    text = '{"lots":{"1":"q3","10":"câu-3","2":"q1"},"salt":"' + SALT + '"}'
    assert commitment(lots, SALT) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert commitment({"1": "q3", "2": "q1", "10": "câu-3"}, SALT) == commitment(lots, SALT)


def test_new_salt_is_32_lowercase_hex_from_the_given_generator():
    assert new_salt(random.Random(1)) == new_salt(random.Random(1))
    assert new_salt(random.Random(1)) != new_salt(random.Random(2))
    for rng in (random.Random(3), random.SystemRandom(), secrets):
        salt = new_salt(rng)
        assert len(salt) == 32 and salt == salt.lower() and int(salt, 16) >= 0


def test_seal_is_reproducible_with_a_seeded_generator_and_verifiable():
    keys = [f"q{i}" for i in range(1, 11)]
    sealed = seal_lots(keys, random.Random(42))
    assert sealed == seal_lots(keys, random.Random(42))
    assert sorted(sealed.lots) == list(range(1, 11)) and sorted(sealed.lots.values()) == sorted(keys)
    assert verify(sealed.commitment, sealed.lots, sealed.salt)
    reveal = sealed.reveal()
    assert verify(sealed.commitment.upper(), reveal["lots"], reveal["salt"])
    assert lots_from_reveal(reveal["lots"]) == dict(sealed.lots)
    with pytest.raises(TypeError):
        sealed.lots[1] = "q99"  # the sealed lots cannot be changed afterwards


def test_seal_with_secrets_module_and_system_random():
    for rng in (secrets, random.SystemRandom()):
        sealed = seal_lots(["a", "b", "c"], rng)
        assert verify(sealed.commitment, sealed.lots, sealed.salt)


def test_draw_refuses_a_drawn_lot_and_a_lot_that_does_not_exist():
    sealed = seal_lots(["q1", "q2", "q3"], random.Random(0))
    key = draw_lot(sealed, set(), 2)
    assert key == sealed.lots[2]
    with pytest.raises(Conflict) as info:
        draw_lot(sealed, {2}, 2)
    assert info.value.code == "lot_drawn" and info.value.status == 409
    for bad in (0, 4, -1):
        with pytest.raises(NotFound):
            draw_lot(sealed, set(), bad)
    for bad in ("1", True, 1.0):
        with pytest.raises(ContestError):
            draw_lot(sealed, set(), bad)
    assert remaining_lots(sealed, {2}) == [1, 3]


def test_nothing_or_duplicates_cannot_be_sealed():
    with pytest.raises(ContestError, match="Không có câu hỏi"):
        seal_lots([], random.Random(0))
    with pytest.raises(ContestError, match="trùng"):
        seal_lots(["q1", "q2", "q1"], random.Random(0))
    with pytest.raises(ContestError, match="đội thi"):
        seal_order([], random.Random(0))


def test_verify_is_false_for_anything_malformed():
    sealed = seal_lots(["q1", "q2"], random.Random(0))
    assert not verify(sealed.commitment, sealed.lots, SALT)
    assert not verify(None, sealed.lots, sealed.salt)
    assert not verify(sealed.commitment, None, sealed.salt)


_keys = st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                         min_size=1, max_size=6), min_size=1, max_size=25, unique=True)


@given(st.lists(st.tuples(st.text(min_size=1, max_size=5), st.sampled_from(
    ["submitted", "approved", "rejected", "used"])), max_size=25, unique_by=lambda t: t[0]),
    st.integers(0, 2**32))
def test_every_approved_question_lands_in_exactly_one_lot(items, seed):
    questions = [make_question(key=key, status=status) for key, status in items]
    approved = [key for key, status in items if status == "approved"]
    assume(approved)
    sealed = seal_lots(approved_keys(questions), random.Random(seed))
    assert sorted(sealed.lots) == list(range(1, len(approved) + 1))
    assert sorted(sealed.lots.values()) == sorted(approved)


@given(_keys, st.integers(0, 2**32), st.data())
def test_drawing_any_sequence_never_gives_a_question_twice(keys, seed, data):
    sealed = seal_lots(keys, random.Random(seed))
    attempts = data.draw(st.lists(st.integers(-2, len(keys) + 2), max_size=40))
    drawn: set[int] = set()
    given_out: list[str] = []
    for lot in attempts:
        try:
            given_out.append(draw_lot(sealed, drawn, lot))
            drawn.add(lot)
        except Conflict:
            assert lot in drawn
        except NotFound:
            assert not 1 <= lot <= len(keys)
    assert len(given_out) == len(set(given_out)) == len(drawn)


@given(_keys, st.integers(0, 2**32), st.data())
def test_swapping_or_changing_any_lot_changes_the_commitment(keys, seed, data):
    sealed = seal_lots(keys, random.Random(seed))
    lots = dict(sealed.lots)
    if len(keys) > 1:
        a, b = data.draw(st.lists(st.sampled_from(sorted(lots)), min_size=2, max_size=2,
                                  unique=True))
        swapped = {**lots, a: lots[b], b: lots[a]}
        assert commitment(swapped, sealed.salt) != sealed.commitment
        assert not verify(sealed.commitment, swapped, sealed.salt)
    lot = data.draw(st.sampled_from(sorted(lots)))
    assert commitment({**lots, lot: lots[lot] + "x"}, sealed.salt) != sealed.commitment
    assert commitment(lots, sealed.salt) == sealed.commitment


@given(st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=12, unique=True),
       st.integers(0, 2**32))
def test_the_performance_order_is_sealed_the_same_way(teams, seed):
    order = seal_order(teams, random.Random(seed))
    assert isinstance(order, SealedLots)
    assert sorted(order.lots) == list(range(1, len(teams) + 1))
    assert sorted(order.lots.values()) == sorted(teams)
    assert verify(order.commitment, order.reveal()["lots"], order.salt)
