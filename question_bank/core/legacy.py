"""Spotting Vietnamese text typed in the legacy 8-bit encodings TCVN3 (ABC) and VNI.

Before Unicode, Vietnamese offices typed with fonts such as ".VnTime" (TCVN3) or "VNI-Times"
(VNI). Copied out of those fonts the letters come out as Latin-1 look-alikes: "Câu hỏi"
becomes "C©u hái" in TCVN3 and "Caâu hoûi" in VNI. Such text must never be stored: the
importer reports it and asks the office to convert the file to Unicode (Unikey's converter
does it in a minute).

The test is a heuristic that errs on the side of Unicode: text containing any letter only
Unicode Vietnamese has (ă, đ, ơ, ư, ạ, ả, ...) is taken as Unicode; otherwise a single
tell-tale character inside a word (a TCVN3 symbol such as © or ¸, a Latin-1 letter Vietnamese
never uses such as û or ø, or VNI's doubled vowel "aâ") marks it as legacy. This module does
not convert anything.
"""

from __future__ import annotations

import re
import unicodedata

LEGACY_MESSAGE = "văn bản dùng bảng mã cũ TCVN3/VNI, hãy chuyển sang Unicode"

# Latin-1 symbols TCVN3 uses for Vietnamese letters (Ă Â Ê Ô Ơ Ư Đ ă â ê ô ơ ư đ, à ả ã á ạ,
# ằ ẳ ẵ ắ ...). 0xB0-0xB4 (° ± ² ³ ´) are left out: ordinary text uses them.
_TCVN3_SYMBOLS = set(chr(c) for c in range(0xA1, 0xB0)) | set(chr(c) for c in range(0xB5, 0xC0))
# Latin-1 letters that no Vietnamese word uses; TCVN3 and VNI both produce them.
_FOREIGN_LETTERS = set("ÄÅÆÇËÎÏÐÑÖ×ØÛÜÞßäåæçëîïðñö÷øûüþÿ")
# Letters only Unicode Vietnamese has (besides the Latin-1 ones shared with French).
_UNICODE_ONLY = set("ĂăĐđĨĩŨũƠơƯư") | set(chr(c) for c in range(0x1EA0, 0x1EFA))
# VNI writes â ê ô ă as the base vowel followed by a mark: "aâ", "eâ", "oâ", "aê".
_VNI_PAIRS = re.compile(r"[aA][âÂêÊ]|[eEoO][âÂ]")


def _in_word(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return before.isalpha() or after.isalpha()


def looks_legacy(text: str) -> bool:
    """True when ``text`` looks like TCVN3 or VNI text read as Latin-1 / Windows-1252."""
    if not text or text.isascii():
        return False
    text = unicodedata.normalize("NFC", text)
    if any(ch in _UNICODE_ONLY for ch in text):
        return False
    for i, ch in enumerate(text):
        if (ch in _TCVN3_SYMBOLS or ch in _FOREIGN_LETTERS) and _in_word(text, i):
            return True
    return bool(_VNI_PAIRS.search(text))


def any_legacy(*texts: str) -> bool:
    """True when any of the texts looks legacy-encoded.

    A row is judged cell by cell: a short cell ("Cã" for "Có") gives nothing away, but the
    question beside it does, and a Unicode field name typed later does not clear a TCVN3
    question.
    """
    return any(looks_legacy(t) for t in texts if t)
