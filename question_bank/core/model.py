"""A question of the bank as plain data, and its shape in the contest document.

Terms (DOMAIN.md): a question is *open* (answered in words, its ``answer`` is the answer
guide, "đáp án / gợi ý trả lời") or *choice* (multiple choice, its ``answer`` is the letter
of the right choice, "A", "B", ...). A question may carry follow-up questions ("câu hỏi phụ")
the jury can ask after the main one. ``status`` follows the bank's life cycle:
submitted → approved or rejected; approved → used once drawn on stage.

:func:`question_from_dict` validates the ``questions[]`` items of the contest document
(CONTRACT.md section 3) and raises :class:`ContestError` naming the JSON path of the first bad
field; :func:`question_to_dict` is its inverse. Text is NFC-normalised on the way in.
This module knows nothing of files or storage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from contest.core.errors import ContestError
from contest.core.rules import KEY_RE
from contest.core.text import nfc

from .legacy import LEGACY_MESSAGE, looks_legacy

KINDS = ("open", "choice")
STATUSES = ("submitted", "approved", "rejected", "used")
LETTERS = "ABCDEFGH"  # at most eight choices
MAX_TEXT = 5000  # question text, answer, follow-up text and answer
MAX_CHOICE = 1000
MAX_BASIS = 2000
MAX_SHORT = 300  # field, office
MAX_POINTS = Decimal(1000)
MAX_FOLLOW_UPS = 5

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class FollowUp:
    text: str
    answer: str
    points: Decimal | None = None


@dataclass(frozen=True)
class QuestionData:
    kind: str  # "open" | "choice"
    text: str
    answer: str  # the answer guide, or the letter of the right choice
    choices: tuple[str, ...] = ()
    field: str = ""
    office: str = ""
    basis: str = ""
    points: Decimal | None = None
    follow_ups: tuple[FollowUp, ...] = ()
    key: str | None = None
    status: str = "submitted"

    def choice_text(self, letter: str | None = None) -> str:
        """The text of the choice behind ``letter`` (default: the answer), or ""."""
        index = LETTERS.find((letter or self.answer or "?")[:1])
        return self.choices[index] if 0 <= index < len(self.choices) else ""


def clean_text(value: str) -> str:
    """NFC, Unix line ends, no control characters, no surrounding blanks."""
    value = nfc(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def parse_points(value: Any) -> Decimal | None:
    """A number of points from JSON or a cell: 20, 20.5, "20,5", "20 điểm"; None when blank.

    Raises ValueError for anything that is not a finite number in 0..1000.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, str):
        text = nfc(value).strip().lower()
        text = re.sub(r"\s*(điểm|đ)\.?$", "", text).strip()
        if not text:
            return None
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # "1.000": thousands, never decimals here
            text = text.replace(".", "")
        value = text.replace(",", ".").replace(" ", "")
    elif not isinstance(value, (int, float, Decimal)):
        raise ValueError("not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not number.is_finite() or number < 0 or number > MAX_POINTS:
        raise ValueError("out of range")
    return number


def points_to_json(value: Decimal | None) -> int | float | None:
    """Decimal points as a JSON number: 20 rather than 20.0."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _err(path: str, message: str) -> ContestError:
    return ContestError(f"{path}: {message}", field=path, code="invalid_question")


def _text(d: dict, key: str, path: str, *, required: bool, max_len: int) -> str:
    value = d.get(key)
    p = f"{path}.{key}"
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _err(p, "phải là một chuỗi văn bản")
    value = clean_text(value)
    if required and not value:
        raise _err(p, "không được để trống")
    if len(value) > max_len:
        raise _err(p, f"dài {len(value)} ký tự, tối đa {max_len}")
    if looks_legacy(value):
        raise ContestError(f"{p}: {LEGACY_MESSAGE}", field=p, code="legacy_encoding")
    return value


def _points(d: dict, key: str, path: str) -> Decimal | None:
    value = d.get(key)
    try:
        return parse_points(value)
    except ValueError:
        raise _err(f"{path}.{key}", f"phải là một số từ 0 đến {MAX_POINTS}") from None


def _follow_up(d: Any, path: str) -> FollowUp:
    if not isinstance(d, dict):
        raise _err(path, "phải là một đối tượng (object)")
    return FollowUp(text=_text(d, "text", path, required=True, max_len=MAX_TEXT),
                    answer=_text(d, "answer", path, required=True, max_len=MAX_TEXT),
                    points=_points(d, "points", path))


def question_from_dict(d: Any, path: str = "question") -> QuestionData:
    """Validate one ``questions[]`` item of the contest document and return it as data.

    ``kind`` may be left out: a question with choices is then a choice question. For a choice
    question ``answer`` is the letter of the right choice ("b" is read as "B").
    """
    if not isinstance(d, dict):
        raise _err(path, "phải là một đối tượng (object)")
    key = d.get("key")
    if key is not None and (not isinstance(key, str) or not KEY_RE.match(key)):
        raise _err(f"{path}.key", "mã phải gồm chữ không dấu, số, '-', '_' hoặc '.' "
                                   "(tối đa 64 ký tự)")
    raw_choices = d.get("choices") or []
    if not isinstance(raw_choices, list):
        raise _err(f"{path}.choices", "phải là một danh sách")
    kind = d.get("kind") or ("choice" if raw_choices else "open")
    if kind not in KINDS:
        raise _err(f"{path}.kind", f"loại câu hỏi '{kind}' không hợp lệ (open hoặc choice)")
    text = _text(d, "text", path, required=True, max_len=MAX_TEXT)
    choices: list[str] = []
    for i, item in enumerate(raw_choices):
        p = f"{path}.choices[{i}]"
        if not isinstance(item, str) or not clean_text(item):
            raise _err(p, "phương án không được để trống")
        choices.append(_text({"c": item}, "c", p, required=True, max_len=MAX_CHOICE))
    if kind == "open" and choices:
        raise _err(f"{path}.choices", "câu hỏi tự luận (open) không có phương án lựa chọn")
    if kind == "choice":
        if len(choices) < 2:
            raise _err(f"{path}.choices", "câu hỏi trắc nghiệm cần ít nhất 2 phương án")
        if len(choices) > len(LETTERS):
            raise _err(f"{path}.choices", f"tối đa {len(LETTERS)} phương án (A–H)")
    answer = _text(d, "answer", path, required=True, max_len=MAX_TEXT)
    if kind == "choice":
        letter = answer.strip().rstrip(".)").strip().upper()
        if len(letter) != 1 or letter not in LETTERS[:len(choices)]:
            raise _err(f"{path}.answer", f"đáp án '{answer}' phải là một chữ cái "
                                         f"A–{LETTERS[len(choices) - 1]} có trong các phương án")
        answer = letter
    follow_ups_raw = d.get("follow_ups") or []
    if not isinstance(follow_ups_raw, list):
        raise _err(f"{path}.follow_ups", "phải là một danh sách")
    if len(follow_ups_raw) > MAX_FOLLOW_UPS:
        raise _err(f"{path}.follow_ups", f"tối đa {MAX_FOLLOW_UPS} câu hỏi phụ")
    status = d.get("status") or "submitted"
    if status not in STATUSES:
        raise _err(f"{path}.status", f"trạng thái '{status}' không hợp lệ "
                                     "(submitted, approved, rejected, used)")
    return QuestionData(
        kind=kind, text=text, answer=answer, choices=tuple(choices),
        field=_text(d, "field", path, required=False, max_len=MAX_SHORT),
        office=_text(d, "office", path, required=False, max_len=MAX_SHORT),
        basis=_text(d, "basis", path, required=False, max_len=MAX_BASIS),
        points=_points(d, "points", path),
        follow_ups=tuple(_follow_up(f, f"{path}.follow_ups[{i}]")
                         for i, f in enumerate(follow_ups_raw)),
        key=key, status=status)


def question_to_dict(q: QuestionData) -> dict:
    """The ``questions[]`` item of the contest document; the inverse of question_from_dict.

    ``key`` is left out when the question has none, ``choices`` for open questions and
    ``points`` when not set.
    """
    d: dict[str, Any] = {}
    if q.key is not None:
        d["key"] = q.key
    d["kind"] = q.kind
    d["text"] = q.text
    if q.kind == "choice":
        d["choices"] = list(q.choices)
    d["answer"] = q.answer
    d["field"] = q.field
    d["office"] = q.office
    d["basis"] = q.basis
    if q.points is not None:
        d["points"] = points_to_json(q.points)
    d["follow_ups"] = follow_ups_to_json(q.follow_ups)
    d["status"] = q.status
    return d


def follow_ups_to_json(follow_ups: tuple[FollowUp, ...]) -> list[dict]:
    """``[{"text", "answer", "points"?}]``: ``points`` left out when not set."""
    out = []
    for f in follow_ups:
        item: dict[str, Any] = {"text": f.text, "answer": f.answer}
        if f.points is not None:
            item["points"] = points_to_json(f.points)
        out.append(item)
    return out
