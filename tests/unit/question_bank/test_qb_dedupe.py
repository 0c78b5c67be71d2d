"""Duplicate questions: exact, near, with or without diacritics, within a file, and fast."""

from __future__ import annotations

import random
import time
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from qb_builders import make_question

from question_bank.core.dedupe import Duplicate, find_duplicates, normalise, text_similarity

BASE = "Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030 được ban hành " \
       "kèm theo văn bản nào của Chính phủ"


def bank(*texts):
    return [(f"q{i}", make_question(t)) for i, t in enumerate(texts, start=1)]


def new(*texts, start=2):
    return [(row, make_question(t)) for row, t in enumerate(texts, start=start)]


def test_normalise_ignores_case_spacing_punctuation_and_unicode_form():
    nfd = unicodedata.normalize("NFD", "Câu   HỎI: thế nào  là “một cửa”?")
    assert normalise(nfd) == normalise("câu hỏi thế nào là một cửa") == "câu hỏi thế nào là một cửa"
    assert normalise("...") == ""


@given(st.text(max_size=40))
def test_normalise_is_form_insensitive_and_idempotent(text):
    assert normalise(unicodedata.normalize("NFD", text)) == normalise(unicodedata.normalize("NFC", text))
    assert normalise(normalise(text)) == normalise(text)


def test_exact_duplicate_of_a_bank_question():
    found = find_duplicates(new(BASE.upper() + "?"), bank("Câu khác hẳn?", BASE))
    assert found == [Duplicate(row=2, of="q2", similarity=1.0, exact=True)]


def test_near_duplicate_one_word_changed_but_not_a_different_question():
    near = BASE.replace("Chính phủ", "Chính phủ Việt Nam")
    other = "Dịch vụ công trực tuyến toàn trình là gì và mang lại lợi ích gì cho người dân"
    found = find_duplicates(new(near, other), bank(BASE))
    assert len(found) == 1 and found[0].row == 2 and found[0].of == "q1"
    assert 0.9 <= found[0].similarity < 1 and not found[0].exact
    assert find_duplicates(new(near), bank(BASE), threshold=0.99) == []


def test_diacritics_count_when_both_have_them_and_not_otherwise():
    assert find_duplicates(new("Giá bán là bao nhiêu"), bank("Giá bàn là bao nhiêu")) == []
    found = find_duplicates(new("chuong trinh tong the cai cach hanh chinh nha nuoc giai doan "
                                "2021 2030 duoc ban hanh kem theo van ban nao cua chinh phu"),
                            bank(BASE))
    assert found == [Duplicate(row=2, of="q1", similarity=1.0, exact=True)]


def test_duplicates_within_the_file_point_to_the_earlier_row():
    found = find_duplicates(new("Câu một về văn thư?", "Câu hai?", "câu MỘT về văn thư"), bank())
    assert found == [Duplicate(row=4, of="row 2", similarity=1.0, exact=True)]


def test_best_match_exact_before_near_and_bank_before_file():
    near = BASE + " Việt Nam"
    found = find_duplicates(new(BASE, BASE), bank(near, BASE))
    assert found == [Duplicate(2, "q2", 1.0, True), Duplicate(3, "q2", 1.0, True)]


def test_empty_texts_and_bad_threshold():
    assert find_duplicates(new("?!", "..."), bank("?")) == []
    with pytest.raises(ValueError):
        find_duplicates([], [], threshold=0)


def _brute_force(new_items, bank_items, threshold):
    best = {}
    pool = [(k, q.text) for k, q in bank_items]
    for row, q in new_items:
        matches = [(text_similarity(q.text, t), label) for label, t in pool]
        matches = [m for m in matches if m[0] >= threshold]
        if matches and normalise(q.text):
            best[row] = max(m[0] for m in matches)
        pool.append((f"row {row}", q.text))
    return best


_words = st.sampled_from(["cải", "cách", "hành", "chính", "cai", "cach", "văn", "bản", "nào",
                          "quy", "định", "luật", "điều", "một", "cửa", "số"])


@given(st.lists(st.lists(_words, min_size=1, max_size=8).map(" ".join), min_size=1, max_size=6),
       st.lists(st.lists(_words, min_size=1, max_size=8).map(" ".join), max_size=6),
       st.sampled_from([0.5, 0.75, 0.9, 1.0]))
def test_prefix_filtering_finds_what_comparing_every_pair_finds(new_texts, bank_texts, threshold):
    new_items, bank_items = new(*new_texts), bank(*bank_texts)
    found = {d.row: d.similarity for d in find_duplicates(new_items, bank_items, threshold)}
    expected = _brute_force(new_items, bank_items, threshold)
    assert found == {row: round(s, 4) for row, s in expected.items()}


def test_fast_enough_for_500_new_against_2000_in_the_bank():
    rng = random.Random(7)
    vocabulary = [f"từ{i}" for i in range(3000)] + ["của", "và", "là", "cải", "cách", "hành"] * 50
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(8, 40)))
             for _ in range(2500)]
    bank_items = bank(*texts[:2000])
    new_items = new(*(texts[2000:2450] + texts[:50]))
    started = time.perf_counter()
    found = find_duplicates(new_items, bank_items)
    assert time.perf_counter() - started < 2.0
    assert {d.of for d in found if d.exact} >= {f"q{i}" for i in range(1, 51)}
