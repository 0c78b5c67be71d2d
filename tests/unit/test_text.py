"""Vietnamese text: NFC, folding, sorting, numbers, money and dates."""

from __future__ import annotations

import unicodedata

import pytest

from contest.core.text import (fold, format_date, format_long_date, format_money, format_number,
                               name_sort_key, nfc)


def test_nfc_and_zero_width():
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn Ân")
    assert nfc(nfd + "\u200b") == "Nguyễn Văn Ân"
    assert nfc(5) == 5


def test_fold():
    assert fold("Đăk Tơ Lung") == "dak to lung"
    assert fold(unicodedata.normalize("NFD", "CẢI CÁCH")) == "cai cach"


def test_names_sort_by_given_name_then_family_with_d_before_dd():
    names = ["Trần Thị Bình", "Lê Văn Đức", "Phạm Văn Dũng", "Nguyễn Văn An", "Đinh Văn An", "Y Thị Nga"]
    assert sorted(names, key=name_sort_key) == [
        "Đinh Văn An", "Nguyễn Văn An", "Trần Thị Bình", "Phạm Văn Dũng", "Lê Văn Đức", "Y Thị Nga"]


def test_tones_sort_after_the_bare_letter():
    assert sorted(["Bá", "Ba", "Bà"], key=name_sort_key) == ["Ba", "Bà", "Bá"]


@pytest.mark.parametrize("value, decimals, text", [
    (1234.5, None, "1.234,5"), ("82.33", 2, "82,33"), (5000000, 0, "5.000.000"), (20, None, "20")])
def test_numbers(value, decimals, text):
    assert format_number(value, decimals) == text


def test_money_and_dates():
    assert format_money(5000000) == "5.000.000 đ"
    assert format_date("2023-09-15") == "15/09/2023"
    assert format_date("2024-01-05") == "05/01/2024"


def test_local_time_is_the_halls_wall_clock():
    import datetime as dt

    from contest.core.text import local_time
    assert local_time("2023-09-15T01:30:00.000Z") == "15/09/2023 08:30:00"
    assert local_time(dt.datetime(2023, 9, 15, 20, 5)) == "16/09/2023 03:05:00"  # naive = UTC
    assert local_time("2023-09-15T01:30:00+00:00", "Europe/Paris") == "15/09/2023 03:30:00"
    assert local_time("2023-09-15T01:30:00Z", "No/Such_Zone") == "15/09/2023 08:30:00"  # UTC+7
    assert format_long_date("2023-09-15", "Kon Rẫy") == "Kon Rẫy, ngày 15 tháng 9 năm 2023"
    assert format_long_date("2023-02-05") == "ngày 05 tháng 02 năm 2023"
