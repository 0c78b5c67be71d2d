"""Prize allocation core: collective slots, ties and decisions, special and individual prizes."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contest.core.errors import ContestError
from contest.core.prizes import (
    Allocation, Award, Nomination, Tie, TieDecision, allocate, allocation_to_dict, tie_key,
    validate_decision,
)
from contest.core.rules import rules_from_dict
from contest.core.tabulation import Standings, TeamStanding

PARTS = ("intro", "skit", "quiz")
DEFAULT = [("first", 1, 5000), ("second", 1, 4000), ("third", 2, 3000), ("encouragement", 3, 1500)]


def make_rules(collective=DEFAULT, special=(("best_skit", 1, 2000, "skit"),),
               individual=(("best_actor", 1000, "skit"), ("best_answerer", 800, "quiz"))):
    return rules_from_dict({
        "team": {"max_members": 12},
        "parts": [{"key": p, "name": p, "criteria": [{"key": "s", "name": "s", "max": 100}]}
                  for p in PARTS],
        "prizes": {
            "collective": [{"key": k, "name": k, "count": c, "amount": a} for k, c, a in collective],
            "special": [{"key": k, "name": k, "count": c, "amount": a, "part": p}
                        for k, c, a, p in special],
            "individual": [{"key": k, "name": k, "amount": a, "part": p}
                           for k, a, p in individual],
        },
    })


def standings(*rows) -> Standings:
    """rows: (team, rank) or (team, rank, {part: score}); a missing score dict means a skit
    score of 100 - rank, a dict of Nones means an unscored team."""
    teams = []
    for row in rows:
        team, rank = row[0], row[1]
        parts = row[2] if len(row) > 2 else {"skit": D(100 - rank)}
        parts = {p: (None if parts.get(p) is None else D(str(parts[p]))) for p in PARTS}
        total = sum((v for v in parts.values() if v is not None), D(0))
        teams.append(TeamStanding(team=team, rank=rank, total=total, parts=parts,
                                  penalty=D(0), sheets=3))
    return Standings(teams=tuple(teams), complete=True, missing=0)


def ranked(ranks: str) -> Standings:
    """'1 2 2 4' -> teams a, b, c, d with those ranks."""
    return standings(*((chr(ord("a") + i), int(r)) for i, r in enumerate(ranks.split())))


def collective(a: Allocation) -> list[tuple[str, str]]:
    return [(x.team, x.prize) for x in a.awards if x.kind == "collective"]


def ctie(a: Allocation) -> list[Tie]:
    return [t for t in a.ties if t.kind == "collective"]


NO_SPECIAL = dict(special=(), individual=())


# --------------------------------------------------------------------------- collective

@pytest.mark.parametrize("prizes, ranks, awarded, tie, unawarded", [
    # the default 1/1/2/3 with seven distinct ranks
    (DEFAULT, "1 2 3 4 5 6 7",
     "a:first b:second c:third d:third e:encouragement f:encouragement g:encouragement",
     None, []),
    # a group inside one prize: c and d share rank 3 and both get third
    (DEFAULT, "1 2 3 3 5 6 7 8",
     "a:first b:second c:third d:third e:encouragement f:encouragement g:encouragement",
     None, []),
    # a group straddling second/third: b and c wait for the jury head, d continues with third
    (DEFAULT, "1 2 2 4 5 6 7",
     "a:first d:third e:encouragement f:encouragement g:encouragement",
     ("bc", ("second", "third"), 2, 2), []),
    # a group of three straddling third/encouragement; teams below continue after its slots
    (DEFAULT, "1 2 3 3 3 6 7 8",
     "a:first b:second f:encouragement g:encouragement",
     ("cde", ("third", "third", "encouragement"), 3, 3), []),
    # straddling the last prize and none
    (DEFAULT, "1 2 3 4 5 6 7 7 7",
     "a:first b:second c:third d:third e:encouragement f:encouragement",
     ("ghi", ("encouragement", "", ""), 1, 7), []),
    # a group wholly below the last prize: nothing, and no tie
    (DEFAULT, "1 2 3 4 5 6 7 8 8", None, None, []),
    # fewer teams than prizes: from the top, the rest unawarded
    (DEFAULT, "1 2 3", "a:first b:second c:third", None,
     [("third", 1), ("encouragement", 3)]),
    (DEFAULT, "", "", None, [("first", 1), ("second", 1), ("third", 2), ("encouragement", 3)]),
    # a contest with no encouragement prizes
    ([("first", 1, 5), ("second", 1, 4), ("third", 1, 3)], "1 2 3 4 5",
     "a:first b:second c:third", None, []),
    ([("first", 1, 5), ("second", 1, 4), ("third", 1, 3)], "1 2 3 3 5",
     "a:first b:second", ("cd", ("third", ""), 1, 3), []),
    # 1 first, 2 second, 3 third
    ([("first", 1, 5), ("second", 2, 4), ("third", 3, 3)], "1 2 3 4 5 6 7",
     "a:first b:second c:second d:third e:third f:third", None, []),
    ([("first", 1, 5), ("second", 2, 4), ("third", 3, 3)], "1 2 2 4 4 4 4",
     "a:first b:second c:second", ("defg", ("third", "third", "third", ""), 3, 4), []),
    # everybody first equal with a single first prize
    ([("first", 1, 5)], "1 1", "", ("ab", ("first", ""), 1, 1), []),
])
def test_collective_allocation(prizes, ranks, awarded, tie, unawarded):
    rules = make_rules(collective=prizes, **NO_SPECIAL)
    a = allocate(rules, ranked(ranks))
    if awarded is None:  # the default seven from the top
        awarded = ("a:first b:second c:third d:third e:encouragement f:encouragement "
                   "g:encouragement")
    assert collective(a) == [tuple(x.split(":")) for x in awarded.split()]
    if tie is None:
        assert ctie(a) == []
    else:
        (t,) = ctie(a)
        assert (t.candidates, t.prizes, t.slots, t.rank) == (tuple(tie[0]), tie[1], tie[2], tie[3])
    assert list(a.unawarded) == unawarded
    assert all(not x.decided for x in a.awards)


def test_amounts_and_budget():
    a = allocate(make_rules(**NO_SPECIAL), ranked("1 2 3 4 5 6 7"))
    assert [x.amount for x in a.awards] == [5000, 4000, 3000, 3000, 1500, 1500, 1500]
    assert a.budget == 19500


def test_teams_without_any_score_take_no_prize():
    st_ = standings(("a", 1), ("b", 2), ("c", 3, {}), ("d", 3, {}))
    a = allocate(make_rules(**NO_SPECIAL), st_)
    assert collective(a) == [("a", "first"), ("b", "second")]
    assert a.ties == () and a.unawarded[0] == ("third", 2)


# --------------------------------------------------------------------------- decisions

def test_a_decision_settles_the_tie_in_its_order():
    rules = make_rules(**NO_SPECIAL)
    st_ = ranked("1 2 2 4")
    (tie,) = allocate(rules, st_).ties
    a = allocate(rules, st_, decisions=[TieDecision(tie.key, ("c", "b"), "hùng biện tốt hơn")])
    assert a.ties == ()
    assert collective(a) == [("a", "first"), ("c", "second"), ("b", "third"), ("d", "third")]
    assert [x.decided for x in a.awards] == [False, True, True, False]


@pytest.mark.parametrize("order, expected", [
    (("e", "c", "d"), [("e", "third"), ("c", "third"), ("d", "encouragement")]),
    (("d", "c"), [("d", "third"), ("c", "third"), ("e", "encouragement")]),
    (("e",), None),  # c and d would get third and encouragement: the computer cannot split
])
def test_a_partial_decision_applies_only_when_the_rest_get_the_same(order, expected):
    rules = make_rules(**NO_SPECIAL)
    st_ = ranked("1 2 3 3 3 6 7")
    (tie,) = allocate(rules, st_).ties
    a = allocate(rules, st_, decisions=[TieDecision(tie.key, order)])
    decided = [(x.team, x.prize) for x in a.awards if x.decided]
    if expected is None:
        assert a.ties == (tie,) and decided == []
    else:
        assert a.ties == () and decided == expected


def test_a_decision_at_the_last_prize_leaves_the_others_without():
    rules = make_rules(**NO_SPECIAL)
    st_ = ranked("1 2 3 4 5 6 7 7 7")
    (tie,) = allocate(rules, st_).ties
    a = allocate(rules, st_, decisions=[TieDecision(tie.key, ("i",))])
    assert collective(a)[-1] == ("i", "encouragement") and a.awards[-1].decided
    assert {x.team for x in a.awards} == set("abcdefi") and a.ties == ()


def test_stale_and_foreign_decisions_are_ignored():
    rules = make_rules(**NO_SPECIAL)
    (old,) = allocate(rules, ranked("1 2 2 4")).ties
    stale = TieDecision(old.key, ("c", "b"))
    # the standings changed: now b, c, d share rank 2 -> another tie, another key
    a = allocate(rules, ranked("1 2 2 2"), decisions=[stale])
    (tie,) = a.ties
    assert tie.key != old.key and tie.candidates == ("b", "c", "d")
    assert not any(x.decided for x in a.awards)
    # an order naming strangers or twice the same team does not apply
    for order in (("x", "b"), ("b", "b"), ()):
        a = allocate(rules, ranked("1 2 2 4"), decisions=[TieDecision(old.key, order)])
        assert a.ties == (old,)
    # the last decision for a tie wins
    a = allocate(rules, ranked("1 2 2 4"),
                 decisions=[TieDecision(old.key, ("b", "c")), TieDecision(old.key, ("c", "b"))])
    assert collective(a)[1] == ("c", "second")


@pytest.mark.parametrize("order, field, words", [
    (("x",), "order", "'x' không nằm trong nhóm đồng hạng"),
    (("b", "b"), "order", "hai lần"),
    ((), "order", "ít nhất một"),
])
def test_validate_decision_explains_in_vietnamese(order, field, words):
    (tie,) = allocate(make_rules(**NO_SPECIAL), ranked("1 2 2 2 5")).ties
    with pytest.raises(ContestError) as exc:
        validate_decision(tie, TieDecision(tie.key, order))
    assert exc.value.field == field and words in exc.value.message
    with pytest.raises(ContestError) as exc:
        validate_decision(tie, TieDecision("collective-0000", ("b", "c", "d")))
    assert exc.value.field == "tie"
    validate_decision(tie, TieDecision(tie.key, ("d", "c")))  # the rest get third: fine


def test_tie_key_is_deterministic_and_specific():
    k = tie_key("collective", ("second", "third"), ("c", "b"))
    assert k == tie_key("collective", ("second", "third"), ("b", "c"))
    assert k != tie_key("special", ("second", "third"), ("b", "c"))
    assert k != tie_key("collective", ("third", "third"), ("b", "c"))
    assert k != tie_key("collective", ("second", "third"), ("b", "d"))
    assert k.startswith("collective-")


# --------------------------------------------------------------------------- special prizes

def test_special_prize_goes_to_the_best_on_its_part_whatever_else_it_won():
    st_ = standings(("a", 1, {"skit": 45, "quiz": 30}), ("b", 2, {"skit": 48, "quiz": 20}),
                    ("c", 3, {"skit": 40}))
    a = allocate(make_rules(individual=()), st_)
    assert [(x.team, x.prize, x.kind, x.amount) for x in a.awards if x.kind == "special"] == \
        [("b", "best_skit", "special", 2000)]
    assert ("b", "second") in collective(a)


def test_special_prize_tie_and_its_decision():
    st_ = standings(("a", 1, {"skit": 45, "quiz": 30}), ("b", 2, {"skit": 45, "quiz": 20}),
                    ("c", 3, {"skit": 40}))
    rules = make_rules(individual=())
    (tie,) = allocate(rules, st_).ties
    assert (tie.kind, tie.candidates, tie.prizes, tie.slots, tie.rank) == \
        ("special", ("a", "b"), ("best_skit", ""), 1, 1)
    a = allocate(rules, st_, decisions=[TieDecision(tie.key, ("b",))])
    assert [(x.team, x.decided) for x in a.awards if x.kind == "special"] == [("b", True)]


@pytest.mark.parametrize("skit, awarded, tie, unawarded", [
    ({"a": 50, "b": 45, "c": 45, "d": 40}, ["a"], ("bc", ("best_two", ""), 2), []),
    ({"a": 50, "b": 50, "c": 45}, ["a", "b"], None, []),
    ({"a": 50, "b": 45, "c": 40}, ["a", "b"], None, []),
    ({"a": 50, "b": None, "c": None}, ["a"], None, [("best_two", 1)]),
    ({"a": 45, "b": 45, "c": 45}, [], ("abc", ("best_two", "best_two", ""), 1), []),
])
def test_special_prize_with_two_slots(skit, awarded, tie, unawarded):
    rules = make_rules(collective=(), special=(("best_two", 2, 100, "skit"),), individual=())
    st_ = standings(*((t, i + 1, {"skit": s, "intro": 1}) for i, (t, s) in enumerate(skit.items())))
    a = allocate(rules, st_)
    assert [x.team for x in a.awards] == awarded
    assert [(t.candidates, t.prizes, t.rank) for t in a.ties] == \
        ([] if tie is None else [(tuple(tie[0]), tie[1], tie[2])])
    assert list(a.unawarded) == unawarded


def test_special_tie_rank_is_the_competition_rank_on_the_part():
    rules = make_rules(collective=(), special=(("best_three", 3, 100, "skit"),), individual=())
    st_ = standings(("a", 1, {"skit": 50}), ("b", 2, {"skit": 50}), ("c", 3, {"skit": 45}),
                    ("d", 4, {"skit": 45}))
    a = allocate(rules, st_)
    assert [x.team for x in a.awards] == ["a", "b"]
    assert [(t.candidates, t.prizes, t.slots, t.rank) for t in a.ties] == \
        [(("c", "d"), ("best_three", ""), 1, 3)]


# --------------------------------------------------------------------------- individual prizes

PERFORMERS = {"skit": {"m1", "m2", "m3"}, "quiz": {"m4", "m5"}}
ONLY_ACTOR = dict(collective=(), special=(), individual=(("best_actor", 1000, "skit"),))


def noms(*triples) -> list[Nomination]:
    return [Nomination(j, p, m) for j, p, m in (t.split(":") for t in triples)]


@pytest.mark.parametrize("nominations, performers, winner, tie", [
    (["j1:best_actor:m1", "j2:best_actor:m1", "j3:best_actor:m2"], PERFORMERS, "m1", None),
    # a later nomination of the same judge replaces the earlier
    (["j1:best_actor:m1", "j2:best_actor:m2", "j1:best_actor:m2"], PERFORMERS, "m2", None),
    # a tie for most nominations
    (["j1:best_actor:m2", "j2:best_actor:m1"], PERFORMERS, None, ("m1", "m2")),
    (["j1:best_actor:m3", "j2:best_actor:m1", "j3:best_actor:m2"], PERFORMERS, None,
     ("m1", "m2", "m3")),
    # nominations of non-performers do not count
    (["j1:best_actor:m4", "j2:best_actor:m4", "j3:best_actor:m1"], PERFORMERS, "m1", None),
    (["j1:best_actor:m1", "j1:best_actor:m4", "j2:best_actor:m2", "j3:best_actor:m2"],
     PERFORMERS, "m2", None),  # j1's later pick is not a performer: j1 has no nomination
    # without a list of performers, everyone counts
    (["j1:best_actor:m4", "j2:best_actor:m4", "j3:best_actor:m1"], None, "m4", None),
    # nominations for other or unknown prizes do not count
    (["j1:best_answerer:m1", "j2:nope:m2", "j3:best_actor:m3"], PERFORMERS, "m3", None),
])
def test_individual_prize(nominations, performers, winner, tie):
    a = allocate(make_rules(**ONLY_ACTOR), ranked("1"), noms(*nominations), performers)
    if winner:
        assert a.awards == (Award("best_actor", "individual", 1000, member=winner),)
        assert a.ties == ()
    else:
        assert a.awards == ()
        (t,) = a.ties
        assert (t.kind, t.candidates, t.slots, t.rank) == ("individual", tie, 1, None)
        assert t.prizes == ("best_actor",) + ("",) * (len(tie) - 1)


def test_individual_tie_decision_and_no_nominations():
    rules = make_rules(**ONLY_ACTOR)
    n = noms("j1:best_actor:m2", "j2:best_actor:m1")
    (tie,) = allocate(rules, ranked("1"), n, PERFORMERS).ties
    a = allocate(rules, ranked("1"), n, PERFORMERS, [TieDecision(tie.key, ("m2",))])
    assert a.awards == (Award("best_actor", "individual", 1000, member="m2", decided=True),)
    assert allocate(rules, ranked("1"), [], PERFORMERS).unawarded == (("best_actor", 1),)
    a = allocate(rules, ranked("1"), noms("j1:best_actor:m5"), PERFORMERS)
    assert a.unawarded == (("best_actor", 1),) and a.awards == ()


# --------------------------------------------------------------------------- JSON shape

def test_allocation_to_dict_shape():
    rules = make_rules(collective=[("first", 1, 5), ("second", 1, 4)], special=(),
                       individual=(("best_actor", 1, "skit"), ("best_answerer", 2, "quiz")))
    a = allocate(rules, ranked("1 2 2"), noms("j1:best_actor:m1"), PERFORMERS)
    (tie,) = a.ties
    assert allocation_to_dict(a) == {
        "awards": [{"prize": "first", "kind": "collective", "amount": 5, "decided": False,
                    "team": "a"},
                   {"prize": "best_actor", "kind": "individual", "amount": 1, "decided": False,
                    "member": "m1"}],
        "ties": [{"key": tie.key, "kind": "collective", "candidates": ["b", "c"],
                  "prizes": ["second", ""], "slots": 1, "rank": 2}],
        "unawarded": [{"prize": "best_answerer", "slots": 1}],
        "budget": 6,
    }


# --------------------------------------------------------------------------- properties

@st.composite
def contests(draw):
    counts = draw(st.lists(st.integers(1, 3), min_size=0, max_size=4))
    prizes = [(f"p{i}", c, 10 * (5 - i)) for i, c in enumerate(counts)]
    totals = draw(st.lists(st.one_of(st.none(), st.integers(0, 5)), max_size=12))
    order = sorted(((t, f"t{i}") for i, t in enumerate(totals) if t is not None),
                   key=lambda e: -e[0])
    rows = []
    for i, (t, name) in enumerate(order):
        rank = rows[-1][1] if rows and order[i - 1][0] == t else i + 1
        rows.append((name, rank, {"skit": t, "quiz": t % 2}))
    rows += [(f"t{i}", len(order) + 1, {}) for i, t in enumerate(totals) if t is None]
    return prizes, standings(*rows)


def check_collective_invariants(rules, a: Allocation, st_: Standings) -> None:
    keys = {p.key for p in rules.prizes.collective}
    slots = sum(p.count for p in rules.prizes.collective)
    awarded = [x for x in a.awards if x.kind == "collective"]
    in_ties = sum(t.slots for t in a.ties if t.kind == "collective")
    left = sum(n for k, n in a.unawarded if k in keys)
    assert len(awarded) + in_ties + left == slots
    teams = [x.team for x in awarded]
    assert len(teams) == len(set(teams))  # never two collective prizes
    scored = {t.team for t in st_.teams if t.scored}
    assert set(teams) <= scored
    tied = [c for t in a.ties if t.kind == "collective" for c in t.candidates]
    assert not set(tied) & set(teams) and len(tied) == len(set(tied))
    # a better rank never gets a lower prize than a worse rank (undecided awards)
    place = {k: i for i, k in enumerate(p.key for p in rules.prizes.collective)}
    rank = {t.team: t.rank for t in st_.teams}
    plain = sorted((rank[x.team], place[x.prize]) for x in awarded if not x.decided)
    assert [p for _, p in plain] == sorted(p for _, p in plain)


@settings(max_examples=150, deadline=None)
@given(contests(), st.randoms(use_true_random=False))
def test_collective_slot_invariant_with_and_without_decisions(contest, rnd):
    prizes, st_ = contest
    rules = make_rules(collective=prizes, special=(("best", 1, 7, "skit"),), individual=())
    a = allocate(rules, st_)
    check_collective_invariants(rules, a, st_)
    assert allocate(rules, st_) == a
    decisions = []
    for t in a.ties:
        order = list(t.candidates)
        rnd.shuffle(order)
        decisions.append(TieDecision(t.key, tuple(order)))
    settled = allocate(rules, st_, decisions=decisions)
    check_collective_invariants(rules, settled, st_)
    assert settled.ties == ()
    assert sum(1 for x in settled.awards if x.decided) == sum(t.slots for t in a.ties)
    assert settled.unawarded == a.unawarded


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["j1", "j2", "j3", "j4"]),
                          st.sampled_from(["best_actor", "best_answerer"]),
                          st.sampled_from(["m1", "m2", "m3", "m4", "m5", "m9"])), max_size=20),
       st.randoms(use_true_random=False))
def test_nominations_from_different_judges_commute(triples, rnd):
    rules = make_rules(collective=(), special=())
    nominations = [Nomination(*t) for t in triples]
    # a random interleaving that keeps each judge's own order
    queues = {j: [n for n in nominations if n.judge == j] for j in ("j1", "j2", "j3", "j4")}
    mixed = []
    while any(queues.values()):
        j = rnd.choice([j for j, q in queues.items() if q])
        mixed.append(queues[j].pop(0))
    by_judge = sorted(nominations, key=lambda n: n.judge)  # stable
    base = allocate(rules, ranked("1"), nominations, PERFORMERS)
    assert allocate(rules, ranked("1"), mixed, PERFORMERS) == base
    assert allocate(rules, ranked("1"), by_judge, PERFORMERS) == base
    assert len([x for x in base.awards]) + len(base.ties) + len(base.unawarded) == 2
