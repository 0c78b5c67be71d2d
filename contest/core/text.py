"""Vietnamese text: normalisation, sorting and the way numbers, money and dates are written.

Pure helpers; the web layer wraps them as template filters.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_ORDER = {ch: i for i, ch in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_BASE_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn


def nfc(value):
    """NFC-normalise a string (and strip zero-width characters); other values pass through."""
    if not isinstance(value, str):
        return value
    value = value.replace("\u200b", "").replace("\u200c", "").replace("\u200d", "").replace("\ufeff", "")
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """Lower case without diacritics (đ → d), for searching and duplicate detection."""
    decomposed = unicodedata.normalize("NFD", value.lower()).replace("đ", "d")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _word_key(word: str) -> tuple:
    letters = []
    tone = 0
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tone = _TONES[ch]
        elif ch in _BASE_MARKS and letters:
            letters[-1] = unicodedata.normalize("NFC", letters[-1] + ch)
        elif unicodedata.combining(ch):
            continue
        else:
            letters.append(ch)
    return tuple(_ORDER.get(ch, 100 + ord(ch)) for ch in letters), tone


def name_sort_key(full_name: str) -> tuple:
    """Sort Vietnamese names the Vietnamese way: by given name (the last word), then the
    family name and middle names, with đ after d and tones after the bare letter."""
    words = nfc(full_name).split()
    if not words:
        return ((), ())
    return (_word_key(words[-1]), tuple(_word_key(w) for w in words[:-1]))


def format_number(value, decimals: int | None = None) -> str:
    """1234.5 → '1.234,5' (Vietnamese separators); trailing zeros dropped unless decimals given."""
    number = Decimal(str(value))
    if decimals is not None:
        text = f"{number:,.{decimals}f}"
    else:
        text = f"{number.normalize():,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_money(amount) -> str:
    """5000000 → '5.000.000 đ'."""
    return f"{format_number(int(amount), 0)} đ"


def format_date(value: dt.date | str) -> str:
    """A date as '15/09/2023' (dd/mm/yyyy)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def format_long_date(value: dt.date | str, place: str | None = None) -> str:
    """'ngày 15 tháng 9 năm 2023', or 'Kon Rẫy, ngày 15 tháng 9 năm 2023' with a place."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    day = f"{value.day:02d}" if value.day < 10 else str(value.day)
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    text = f"ngày {day} tháng {month} năm {value.year}"
    return f"{place}, {text}" if place else text


DEFAULT_UTC_OFFSET = dt.timedelta(hours=7)  # Vietnam (no daylight saving), when tzdata is missing


def local_time(value: dt.datetime | str, zone: str = "Asia/Ho_Chi_Minh") -> str:
    """A UTC moment (a datetime, naive = UTC, or ISO text such as the audit log's
    '2023-09-15T01:30:00.000Z') as the hall's wall clock: '15/09/2023 08:30:00'."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    try:
        tz: dt.tzinfo = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = dt.timezone(DEFAULT_UTC_OFFSET)
    return value.astimezone(tz).strftime("%d/%m/%Y %H:%M:%S")
