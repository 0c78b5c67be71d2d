"""Amounts of money in Vietnamese words, as an award decision writes them:
24500000 → "Hai mươi tư triệu năm trăm nghìn đồng".

Reading rules: "mười" for the teens and "mươi" above; "mốt" for a final 1 and "tư" for a
final 4 after twenty; "lăm" for a final 5 after ten; "linh" for a zero tens digit; a group
after the first is read in full ("hai triệu không trăm linh năm nghìn").
"""

from __future__ import annotations

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", "nghìn", "triệu")


def _three(n: int, full: bool) -> list[str]:
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(_DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else _DIGITS[units])
    else:
        words += [_DIGITS[tens], "mươi"]
        if units:
            words.append({1: "mốt", 4: "tư", 5: "lăm"}.get(units, _DIGITS[units]))
    return words


def _below_billion(n: int, full: bool) -> list[str]:
    groups = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    words: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        if groups[i] == 0:
            continue
        words += _three(groups[i], full or bool(words))
        if _GROUPS[i]:
            words.append(_GROUPS[i])
    return words


def number_words(n: int) -> str:
    """A non-negative integer in Vietnamese words, lower case."""
    n = int(n)
    if n < 0:
        return "âm " + number_words(-n)
    if n == 0:
        return "không"
    words: list[str] = []
    if n >= 10**9:
        words += number_words(n // 10**9).split() + ["tỷ"]
        n %= 10**9
    words += _below_billion(n, full=bool(words))
    return " ".join(words)


def money_words(amount: int) -> str:
    """'Năm triệu đồng' for 5000000 (capitalised, with 'đồng')."""
    text = number_words(amount)
    return text[0].upper() + text[1:] + " đồng"
