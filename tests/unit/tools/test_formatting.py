"""Figures, periods and dates in words: the forms every headline and table cell uses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tools.formatting import amount, count, date_words, money, percent, period_to_date, period_words

D = dt.date


@pytest.mark.parametrize(("value", "currency", "text"), [
    ("17056593.73", "USD", "17,056,593.73 USD"),
    (Decimal("-1200"), "USD", "-1,200.00 USD"),
    ("-0.00", "USD", "0.00 USD"),
    (Decimal("176907.07"), "EUR", "176,907.07 EUR"),
    ("1234", "JPY", "1,234 JPY"),
    (999, "USD", "999.00 USD"),
])
def test_money_has_separators_the_currency_and_a_minus_sign(value: object, currency: str, text: str) -> None:
    assert money(value, currency) == text


def test_floats_are_refused_because_they_cannot_carry_cents_exactly() -> None:
    with pytest.raises(TypeError):
        money(0.1, "USD")
    with pytest.raises(ValueError):
        money("twelve", "USD")


def test_plain_numbers_counts_and_percent() -> None:
    assert amount("1234567.5", places=2) == "1,234,567.50"
    assert amount("12") == "12"
    assert count(1204) == "1,204"
    assert percent("12.345") == "12.3%"


@pytest.mark.parametrize(("start", "end", "words"), [
    (D(2026, 7, 1), D(2026, 9, 30), "Q3 2026 (Jul–Sep)"),
    (D(2026, 10, 1), D(2026, 10, 31), "October 2026"),
    (D(2026, 1, 1), D(2026, 12, 31), "FY 2026"),
    (D(2026, 10, 1), D(2026, 10, 15), "1–15 Oct 2026"),
    (D(2026, 10, 31), D(2026, 10, 31), "31 October 2026"),
    (D(2026, 9, 15), D(2026, 10, 14), "15 Sep – 14 Oct 2026"),
    (D(2025, 12, 15), D(2026, 1, 14), "15 Dec 2025 – 14 Jan 2026"),
    (D(2026, 1, 1), D(2026, 2, 28), "Jan–Feb 2026"),
    (D(2025, 11, 1), D(2026, 2, 28), "Nov 2025–Feb 2026"),
    (D(2024, 2, 1), D(2024, 2, 29), "February 2024"),
])
def test_period_words(start: dt.date, end: dt.date, words: str) -> None:
    assert period_words(start, end) == words


def test_a_period_still_running_says_through_which_day() -> None:
    assert period_to_date(D(2026, 12, 1), D(2026, 12, 31), D(2026, 12, 5)) == \
        "December 2026 to date (through 5 December 2026)"
    assert period_to_date(D(2026, 7, 1), D(2026, 9, 30), D(2026, 12, 5)) == "Q3 2026 (Jul–Sep)"
    with pytest.raises(ValueError):
        period_words(D(2026, 2, 1), D(2026, 1, 1))


def test_date_words() -> None:
    assert date_words(D(2026, 10, 31)) == "31 October 2026"
