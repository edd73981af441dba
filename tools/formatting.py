"""Figures, periods and dates in the words a person reads: "17,056,593.73 USD", "Q3 2026 (Jul–Sep)", "31 October 2026".

Presentations (headlines and table cells) are built from these so every tool writes a figure the same way. Money is
``Decimal`` throughout: a float is refused, because it cannot carry cents exactly and a headline must state exactly
the figure in the tool's data.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal, InvalidOperation

from erp_core.money import MINOR_UNITS, quantum

_ABBR = tuple(calendar.month_abbr)  # ("", "Jan", ..., "Dec")
_NAME = tuple(calendar.month_name)
# A dash for ranges ("Jul–Sep", "1–15 Oct 2026"): the en dash, as typeset ranges are written.
DASH = "\u2013"


def decimal_of(value: object) -> Decimal:
    """An exact Decimal from a Decimal, int or decimal string (the tools' data carry money as plain strings)."""
    if isinstance(value, float | bool):
        raise TypeError("figures must be Decimal, int or decimal strings, not floats")
    if isinstance(value, Decimal):
        return value
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"not a decimal figure: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not a finite figure: {value!r}")
    return amount


def amount(value: object, currency: str | None = None, places: int | None = None) -> str:
    """A number with thousands separators: "17,056,593.73", "-1,200.00".

    With ``currency`` the places are the currency's minor units (2 for USD, 0 for JPY); otherwise ``places`` or the
    number's own. Quantizing never rounds a figure the ledger holds (ledger amounts already carry the minor unit).
    """
    number = decimal_of(value)
    if currency is not None and currency in MINOR_UNITS:
        number = number.quantize(quantum(currency))
    elif places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    if number == 0:
        number = abs(number)  # no "-0.00"
    return f"{number:,f}"


def money(value: object, currency: str) -> str:
    """An amount and its currency as a person reads it: "17,056,593.73 USD"; negative with a minus sign."""
    return f"{amount(value, currency)} {currency}"


def count(value: int) -> str:
    """A whole count with separators: "1,204"."""
    return f"{value:,d}"


def percent(value: object, places: int = 1) -> str:
    """A ratio already in percent (``12.5`` → "12.5%")."""
    return f"{amount(value, places=places)}%"


def date_words(day: dt.date) -> str:
    """"31 October 2026"."""
    return f"{day.day} {_NAME[day.month]} {day.year}"


def short_date(day: dt.date) -> str:
    """"31 Oct 2026" (table cells, where width matters)."""
    return f"{day.day} {_ABBR[day.month]} {day.year}"


def month_words(year: int, month: int) -> str:
    """"October 2026"."""
    return f"{_NAME[month]} {year}"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_words(start: dt.date, end: dt.date) -> str:
    """A date range in words: "October 2026", "Q3 2026 (Jul–Sep)", "FY 2026", "1–15 Oct 2026", "31 October 2026".

    Whole calendar months, quarters and years are named; any other range states its days.
    """
    if end < start:
        raise ValueError(f"a period ends before it starts: {start} > {end}")
    if start == end:
        return date_words(start)
    whole_months = start.day == 1 and end == _month_end(end.year, end.month)
    if whole_months and start.year == end.year:
        if start.month == end.month:
            return month_words(start.year, start.month)
        if start.month == 1 and end.month == 12:
            return f"FY {start.year}"
        if start.month % 3 == 1 and end.month == start.month + 2:
            return f"Q{end.month // 3} {start.year} ({_ABBR[start.month]}{DASH}{_ABBR[end.month]})"
        return f"{_ABBR[start.month]}{DASH}{_ABBR[end.month]} {start.year}"
    if whole_months:
        return f"{_ABBR[start.month]} {start.year}{DASH}{_ABBR[end.month]} {end.year}"
    if start.year != end.year:
        return f"{short_date(start)} {DASH} {short_date(end)}"
    if start.month != end.month:
        return f"{start.day} {_ABBR[start.month]} {DASH} {end.day} {_ABBR[end.month]} {end.year}"
    return f"{start.day}{DASH}{end.day} {_ABBR[end.month]} {end.year}"


def period_to_date(start: dt.date, end: dt.date, through: dt.date) -> str:
    """A period that has not ended yet: "December 2026 to date (through 5 December 2026)"; ended ones as usual."""
    words = period_words(start, end)
    if start <= through < end:
        return f"{words} to date (through {date_words(through)})"
    return words


def iso_date(text: str) -> dt.date:
    """Parse the ISO dates the tools' data carry."""
    return dt.date.fromisoformat(text[:10])
