"""Spotting questions that are already in the bank, or twice in the same file.

Terms:
- :func:`normalise` turns a question's text into its words: NFC, case-folded, punctuation and
  spacing dropped, diacritics kept ("Câu hỏi: Thế nào là…?" → "câu hỏi thế nào là").
- Two questions are compared on their word sets (Jaccard similarity: shared words over all
  words). Diacritics count when both texts have them ("bán" is not "bàn"); when either was
  typed without diacritics, both are compared without ("cai cach" matches "cải cách").
- *exact* means the normalised texts are equal (in that comparison); a near-duplicate has a
  similarity at or above the threshold.

Only the question text is compared, not the choices or the answer. For speed (500 new
questions against a bank of 2,000 in well under a second) candidates are found with prefix
filtering: two word sets can only reach the threshold if their rarest few words overlap.
This module decides nothing: the organisers see the matches and choose.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

from contest.core.text import fold, nfc

from .model import QuestionData

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Duplicate:
    row: int  # the row of the new question
    of: str  # the bank key it repeats, or "row N" for an earlier row of the same file
    similarity: float  # 0..1
    exact: bool


def normalise(text: str) -> str:
    """Lower-case words separated by one blank; NFC and NFD input give the same result."""
    text = unicodedata.normalize("NFC", nfc(text or "").casefold())
    return " ".join(_WORD.findall(text))


@dataclass
class _Entry:
    label: str
    kept: str  # normalised, diacritics kept
    folded: str  # and without diacritics
    marked: bool  # the text has diacritics
    kept_words: frozenset[str]
    folded_words: frozenset[str]


def _entry(label: str, text: str) -> _Entry | None:
    kept = normalise(text)
    if not kept:
        return None
    folded = fold(kept)
    return _Entry(label, kept, folded, kept != folded, frozenset(kept.split()),
                  frozenset(folded.split()))


class _Index:
    """Prefix-filtering index over word sets for one way of comparing (kept or folded)."""

    def __init__(self, frequency: Counter, threshold: float):
        self.frequency = frequency
        self.threshold = threshold
        self.postings: dict[str, list[int]] = defaultdict(list)

    def prefix(self, words: frozenset[str]) -> list[str]:
        size = len(words) - math.ceil(self.threshold * len(words) - 1e-9) + 1
        return sorted(words, key=lambda w: (self.frequency[w], w))[:max(size, 1)]

    def add(self, number: int, words: frozenset[str]) -> None:
        for word in self.prefix(words):
            self.postings[word].append(number)

    def candidates(self, words: frozenset[str]) -> set[int]:
        found: set[int] = set()
        for word in self.prefix(words):
            found.update(self.postings.get(word, ()))
        return found


def _compare(a: _Entry, b: _Entry) -> tuple[float, bool]:
    if a.marked and b.marked:
        x, y, same = a.kept_words, b.kept_words, a.kept == b.kept
    else:
        x, y, same = a.folded_words, b.folded_words, a.folded == b.folded
    if same:
        return 1.0, True
    return len(x & y) / len(x | y), False


def find_duplicates(new: list[tuple[int, QuestionData]], bank: list[tuple[str, QuestionData]],
                    threshold: float = 0.9) -> list[Duplicate]:
    """For each new question that repeats one in the bank or an earlier row of the file, its
    best match (exact before near, the bank before the file), in the order of ``new``."""
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be in (0, 1]")
    entries: list[_Entry] = []
    for key, question in bank:
        entry = _entry(str(key), question.text)
        if entry is not None:
            entries.append(entry)
    new_entries: list[tuple[int, _Entry | None]] = [
        (row, _entry(f"row {row}", question.text)) for row, question in new]
    everything = entries + [e for _, e in new_entries if e is not None]
    kept_frequency = Counter(w for e in everything if e.marked for w in e.kept_words)
    folded_frequency = Counter(w for e in everything for w in e.folded_words)
    kept_index = _Index(kept_frequency, threshold)
    folded_index = _Index(folded_frequency, threshold)

    def index(number: int, entry: _Entry) -> None:
        if entry.marked:
            kept_index.add(number, entry.kept_words)
        folded_index.add(number, entry.folded_words)

    for number, entry in enumerate(entries):
        index(number, entry)
    found: list[Duplicate] = []
    for row, entry in new_entries:
        if entry is None:
            continue
        if entry.marked:
            numbers = kept_index.candidates(entry.kept_words) | {
                n for n in folded_index.candidates(entry.folded_words) if not entries[n].marked}
        else:
            numbers = folded_index.candidates(entry.folded_words)
        best: tuple[float, bool, int] | None = None
        for number in sorted(numbers):
            similarity, exact = _compare(entry, entries[number])
            if similarity + 1e-12 >= threshold:
                rank = (similarity, exact, -number)
                if best is None or rank > best:
                    best = rank
        if best is not None:
            similarity, exact, number = best[0], best[1], -best[2]
            found.append(Duplicate(row=row, of=entries[number].label,
                                   similarity=round(similarity, 4), exact=exact))
        entries.append(entry)
        index(len(entries) - 1, entry)
    return found


def text_similarity(a: str, b: str) -> float:
    """The similarity :func:`find_duplicates` uses, for two texts (1.0 when equal)."""
    x, y = _entry("a", a), _entry("b", b)
    if x is None or y is None:
        return 1.0 if x is y else 0.0
    return _compare(x, y)[0]
