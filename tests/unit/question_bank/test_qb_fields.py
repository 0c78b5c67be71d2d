"""Cell-level reading: answer letters, choices inside a question, headers, escaping, and the
legacy TCVN3/VNI detector."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from qb_builders import TCVN3, VNI

from question_bank.core.fields import (answer_letter, escape_cell, parse_kind, parse_status,
                                       split_choices, unescape_cell)
from question_bank.core.headers import header_field
from question_bank.core.legacy import looks_legacy

CHOICES = ("Nghị định số 30/2020/NĐ-CP", "Nghị định số 110/2004/NĐ-CP", "Luật Lưu trữ",
           "Thông tư 01")


@pytest.mark.parametrize("raw, letter", [
    ("B", "B"), (" b ", "B"), ("Đáp án: B", "B"), ("đáp án đúng là c", "C"), ("phương án b", "B"),
    ("B.", "B"), ("B)", "B"), ("(D)", "D"), ("PA: A", "A"), ("B. Nghị định số 110/2004/NĐ-CP", "B"),
    ("Luật Lưu trữ", "C"), ("luat luu tru", "C"), ("E", "E"), ("Chọn: d", "D"),
    ("Bộ Nội vụ", None), ("", None), ("Không biết", None), ("Nghị định", None),
])
def test_answer_letter(raw, letter):
    assert answer_letter(raw, CHOICES) == letter


@pytest.mark.parametrize("text, stem, choices", [
    ("Câu hỏi?\nA. Một\nB. Hai\nC. Ba", "Câu hỏi?", ("Một", "Hai", "Ba")),
    ("Câu hỏi?\nA) Một\nB) Hai", "Câu hỏi?", ("Một", "Hai")),
    ("Câu hỏi? A. 3 năm  B. 5 năm  C. 7 năm  D. 10 năm", "Câu hỏi?",
     ("3 năm", "5 năm", "7 năm", "10 năm")),
    ("Thời hạn là?\nA. 3 năm\tB. 5 năm\nC. 7 năm\tD. 10 năm", "Thời hạn là?",
     ("3 năm", "5 năm", "7 năm", "10 năm")),
    ("Câu hỏi?\nA. dòng một\ntiếp dòng hai\nB. Hai", "Câu hỏi?", ("dòng một tiếp dòng hai", "Hai")),
])
def test_split_choices(text, stem, choices):
    assert split_choices(text) == (stem, choices)


@pytest.mark.parametrize("text", [
    "Nêu các nội dung của Nghị quyết 76/NQ-CP?",
    "A. Một\nB. Hai",  # no question before the choices
    "Câu hỏi?\nB. Hai\nC. Ba",  # does not start at A
    "Câu hỏi?\nA. Một",  # a single choice
    "Theo Điều 5. Anh/chị hãy nêu quy định.",
])
def test_no_choices_inside(text):
    assert split_choices(text) is None


@pytest.mark.parametrize("header, field", [
    ("STT", "number"), ("Câu hỏi", "text"), ("NỘI DUNG CÂU HỎI (*)", "text"),
    ("noi dung cau hoi", "text"), ("Đáp án", "answer"), ("Đáp án đúng", "answer"),
    ("Gợi ý trả lời", "answer"), ("Đáp án/Gợi ý trả lời", "answer"), ("Phương án A", "choice_A"),
    ("d", "choice_D"), ("Đáp án C", "choice_C"), ("Lĩnh vực", "field"), ("Cơ quan", "office"),
    ("Đơn vị soạn", "office"), ("Căn cứ", "basis"), ("Văn bản căn cứ", "basis"),
    ("Điểm", "points"), ("Điểm (số)", "points"), ("Câu hỏi phụ", "fu_text_1"),
    ("Câu hỏi phụ 2", "fu_text_2"), ("Đáp án câu hỏi phụ", "fu_answer_1"),
    ("Điểm câu hỏi phụ 2", "fu_points_2"), ("Loại", "kind"), ("Ghi chú", None), ("", None),
    ("Họ và tên", None),
])
def test_header_field(header, field):
    assert header_field(header) == field


def test_kind_and_status_words():
    assert parse_kind("Trắc nghiệm") == "choice" and parse_kind("TU LUAN") == "open"
    assert parse_kind(" ") is None
    assert parse_status("Đã duyệt") == "approved" and parse_status("") is None
    with pytest.raises(ValueError):
        parse_kind("Bài luận dài")
    with pytest.raises(ValueError):
        parse_status("xong")


@pytest.mark.parametrize("text, escaped", [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'), ("+1", "'+1"),
    ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("'=x", "''=x"), ("'bình thường", "''bình thường"), ("Bình thường", "Bình thường"), ("", ""),
])
def test_escape_cell(text, escaped):
    assert escape_cell(text) == escaped
    assert unescape_cell(escaped) == text


@given(st.text(max_size=30))
def test_escape_round_trip_and_never_a_formula(text):
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("text", [
    TCVN3, VNI, "C©u hái", "Caâu hoûi", "§¸p ¸n", "Ñaùp aùn", "NghÞ ®Þnh sè 30/2020/N§-CP",
    "Nghò ñònh soá 30/2020/NÑ-CP",
])
def test_legacy_text_is_spotted(text):
    assert looks_legacy(text)


@pytest.mark.parametrize("text", [
    "Câu hỏi về cải cách hành chính", "Đáp án", "Có", "Không", "A", "Nghị định số 30/2020/NĐ-CP",
    "Nhiệt độ 37°C", "© 2023 UBND huyện Kon Rẫy", "Hoá học, khoá học, toà án, tuân thủ, tiên tiến",
    "café", "Thời hạn: ½ năm", "",
])
def test_unicode_text_is_not_legacy(text):
    assert not looks_legacy(text)


_VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
_WORDS = st.text(st.sampled_from(_VIETNAMESE + _VIETNAMESE.upper() + "bcdghklmnpqrstvx"),
                 min_size=1, max_size=8)


@given(st.lists(_WORDS, min_size=1, max_size=12).filter(
    lambda ws: any(ch in "ăđơưạảẠẢĂĐƠƯ" or "\u1ea0" <= ch <= "\u1ef9" for w in ws for ch in w)))
def test_unicode_vietnamese_is_never_taken_for_legacy(words):
    assert not looks_legacy(" ".join(words) + "?")
