"""Reading questions from JSON: a list, {"questions": [...]} or a whole contest document."""

from __future__ import annotations

import json

import pytest
from qb_builders import DEMO, TCVN3

from contest.core.errors import ContestError
from question_bank.core.importing import parse_file
from question_bank.core.model import question_to_dict

GOOD = {"kind": "open", "text": "Câu hỏi?", "answer": "Trả lời.", "points": 20}


def test_the_demo_contest_document():
    data = DEMO.read_bytes()
    result = parse_file("kon-ray-2023.json", data)
    expected = json.loads(data)["contest"]["questions"]
    assert result.rejected == []
    assert [question_to_dict(q) for _, q in result.questions] == expected
    assert [row for row, _ in result.questions] == list(range(1, len(expected) + 1))


@pytest.mark.parametrize("wrap", [lambda qs: qs, lambda qs: {"questions": qs}])
def test_list_or_questions_object_with_bad_items_rejected_by_index(wrap):
    items = [GOOD, {"kind": "choice", "text": "Hỏi?", "choices": ["x", "y"], "answer": "C"},
             "không phải đối tượng", {**GOOD, "text": TCVN3}, {**GOOD, "points": -1}]
    result = parse_file("q.json", json.dumps(wrap(items), ensure_ascii=False).encode("utf-8-sig"))
    assert [row for row, _ in result.questions] == [1]
    reasons = {r.row: r.reason for r in result.rejected}
    assert sorted(reasons) == [2, 3, 4, 5]
    assert reasons[2].startswith("Câu thứ 2: questions[1].answer")
    assert "object" in reasons[3]
    assert reasons[4] == "Câu thứ 4: văn bản dùng bảng mã cũ TCVN3/VNI, hãy chuyển sang Unicode"
    assert "questions[4].points" in reasons[5]


@pytest.mark.parametrize("data, message", [
    (b'[{"text": "x",}', "JSON không hợp lệ ở dòng 1"),
    (b'{"questions": 5}', "danh sách câu hỏi"),
    (b'"chu"', "danh sách câu hỏi"),
    (b"\xff\xfe\x00", "UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON"),
])
def test_broken_json_is_a_whole_file_error(data, message):
    with pytest.raises(ContestError, match=message) as info:
        parse_file("hong.json", data)
    assert "hong.json" in info.value.message and info.value.field == "file"
