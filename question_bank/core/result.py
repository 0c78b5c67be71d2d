"""What reading a file gives: the questions it holds and the rows that could not be read.

``row`` is the Excel row number, the question number in a Word file (its STT or place in a
Word table), the 1-based index in a JSON list, or 0 for the whole file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import QuestionData


@dataclass(frozen=True)
class Rejection:
    row: int
    reason: str  # Vietnamese, naming the row: "Dòng 7: thiếu đáp án"


@dataclass
class ImportResult:
    questions: list[tuple[int, QuestionData]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def add(self, questions: list[tuple[int, QuestionData]],
            rejected: list[tuple[int, str]]) -> None:
        self.questions.extend(questions)
        self.rejected.extend(Rejection(row, reason) for row, reason in rejected)

    def total(self) -> int:
        """Questions read plus rows refused."""
        return len(self.questions) + len(self.rejected)
