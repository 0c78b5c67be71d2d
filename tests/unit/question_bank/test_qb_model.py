"""question_bank.core.model: the contest-document shape of a question."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from qb_builders import DEMO, TCVN3, make_question

from contest.core.errors import ContestError
from question_bank.core.model import (FollowUp, QuestionData, parse_points, question_from_dict,
                                      question_to_dict)


def demo_questions() -> list[dict]:
    return json.loads(DEMO.read_text(encoding="utf-8"))["contest"]["questions"]


def test_demo_questions_round_trip_exactly():
    items = demo_questions()
    questions = [question_from_dict(d, f"questions[{i}]") for i, d in enumerate(items)]
    assert {q.kind for q in questions} == {"open", "choice"}
    assert [question_to_dict(q) for q in questions] == items


def test_demo_choice_question_reads_as_data():
    item = next(d for d in demo_questions() if d["kind"] == "choice")
    q = question_from_dict(item)
    assert q.answer == item["answer"] and len(q.choices) == len(item["choices"])
    assert q.choice_text() == item["choices"]["ABCD".index(item["answer"])]
    assert isinstance(q.points, Decimal)


def test_text_is_nfc_normalised_and_trimmed():
    nfd = unicodedata.normalize("NFD", "  Câu hỏi về cải cách?  ")
    q = question_from_dict({"kind": "open", "text": nfd, "answer": "Đáp án\r\ndòng hai"})
    assert q.text == "Câu hỏi về cải cách?"
    assert unicodedata.is_normalized("NFC", q.text)
    assert q.answer == "Đáp án\ndòng hai"


def test_defaults_and_inferred_kind():
    q = question_from_dict({"text": "Câu hỏi?", "choices": ["Có", "Không"], "answer": " b "})
    assert (q.kind, q.answer, q.status, q.key, q.points) == ("choice", "B", "submitted", None, None)
    assert "key" not in question_to_dict(q) and "points" not in question_to_dict(q)
    assert "choices" not in question_to_dict(make_question())


@pytest.mark.parametrize("change, field", [
    ({"text": ""}, "q.text"),
    ({"text": "   "}, "q.text"),
    ({"answer": None}, "q.answer"),
    ({"kind": "essay"}, "q.kind"),
    ({"choices": ["Chỉ một"], "answer": "A"}, "q.choices"),
    ({"answer": "E"}, "q.answer"),
    ({"answer": "Nghị định 30"}, "q.answer"),
    ({"points": -1}, "q.points"),
    ({"points": "hai mươi"}, "q.points"),
    ({"points": True}, "q.points"),
    ({"status": "done"}, "q.status"),
    ({"key": "câu 1"}, "q.key"),
    ({"choices": ["A", ""]}, "q.choices[1]"),
    ({"follow_ups": [{"text": "Hỏi thêm?"}]}, "q.follow_ups[0].answer"),
    ({"follow_ups": [{"text": "Hỏi thêm?", "answer": "x", "points": -5}]},
     "q.follow_ups[0].points"),
    ({"text": "x" * 5001}, "q.text"),
    ({"text": TCVN3}, "q.text"),
])
def test_invalid_questions_name_the_field(change, field):
    base = {"key": "q1", "kind": "choice", "text": "Văn bản nào quy định về công tác văn thư?",
            "choices": ["Nghị định 30", "Nghị định 110", "Luật Lưu trữ", "Thông tư 01"],
            "answer": "A", "points": 20, "status": "approved"}
    with pytest.raises(ContestError) as info:
        question_from_dict({**base, **change}, "q")
    assert info.value.field == field
    assert info.value.message.startswith(field)


def test_open_question_with_choices_is_refused():
    with pytest.raises(ContestError, match="tự luận"):
        question_from_dict({"kind": "open", "text": "Hỏi?", "answer": "Đáp",
                            "choices": ["x", "y"]}, "q")


@pytest.mark.parametrize("raw, expected", [
    (20, Decimal(20)), ("20,0", Decimal("20.0")), ("20,5", Decimal("20.5")), (" 7.5 ", Decimal("7.5")),
    ("20 điểm", Decimal(20)), ("10đ", Decimal(10)), ("", None), (None, None), (0, Decimal(0)),
])
def test_parse_points(raw, expected):
    assert parse_points(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "-1", "1001", "nan", "Infinity", True, [20]])
def test_parse_points_refuses(raw):
    with pytest.raises(ValueError):
        parse_points(raw)


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cf")), min_size=1,
                max_size=40).filter(lambda s: s.strip())
_points = st.none() | st.decimals(min_value=0, max_value=100, places=1)


@st.composite
def questions(draw) -> QuestionData:
    kind = draw(st.sampled_from(["open", "choice"]))
    choices = tuple(draw(st.lists(_text, min_size=2, max_size=6))) if kind == "choice" else ()
    answer = draw(st.sampled_from("ABCDEF"[:len(choices)])) if choices else draw(_text)
    follow_ups = tuple(FollowUp(draw(_text), draw(_text), draw(_points))
                       for _ in range(draw(st.integers(0, 2))))
    return QuestionData(kind=kind, text=draw(_text), answer=answer, choices=choices,
                        field=draw(st.text(max_size=10)), points=draw(_points),
                        follow_ups=follow_ups, status=draw(st.sampled_from(
                            ["submitted", "approved", "rejected", "used"])))


@given(questions())
def test_from_dict_of_to_dict_is_stable(q):
    # any accepted question, once read, survives the document shape unchanged
    try:
        once = question_from_dict(question_to_dict(q))
    except ContestError as exc:  # only legacy-looking random text may be refused
        assert exc.code == "legacy_encoding"
        return
    assert question_from_dict(question_to_dict(once)) == once
    assert (once.kind, len(once.choices), len(once.follow_ups), once.points, once.status) == \
        (q.kind, len(q.choices), len(q.follow_ups), q.points, q.status)
    if q.kind == "choice":
        assert once.answer == q.answer
