"""Typed digits: every script's decimal digits count as digits; superscripts and the like do not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.digits import ascii_digits, is_ascii_number, parse_digits


@pytest.mark.parametrize(("typed", "expected"), [
    ("123456", "123456"), ("١٢٣٤٥٦", "123456"), ("۱۲۳۴۵۶", "123456"), ("１２３４５６", "123456"),
    ("४५६", "456"), (" 42 ", "42"),
])
def test_decimal_digits_of_any_script_become_ascii(typed: str, expected: str) -> None:
    assert parse_digits(typed) == expected


@pytest.mark.parametrize("typed", ["²", "12³", "①", "Ⅻ", "½", "", " ", "12a", "1 2", "-1"])
def test_digit_like_characters_are_not_numbers(typed: str) -> None:
    assert parse_digits(typed) is None


def test_str_isdigit_would_have_let_a_superscript_through() -> None:
    assert "²".isdigit() and not is_ascii_number("²")


@given(st.text())
def test_conversion_keeps_length_and_only_changes_decimal_digits(text: str) -> None:
    converted = ascii_digits(text)
    assert len(converted) == len(text)
    for before, after in zip(text, converted, strict=True):
        assert after == before or (after.isascii() and after.isdigit() and before.isdecimal())
