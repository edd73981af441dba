"""Resolvers that need no database: days ahead, EPM windows, KPI names (pure functions of the text and today)."""

from __future__ import annotations

import datetime as dt

import pytest

from erp_core.errors import ErrorCode, ErrorKind, NexusError
from erp_core.resolve.days import resolve_day
from erp_core.resolve.epm import EpmWindow, epm_window, resolve_kpi

TODAY = dt.date(2026, 11, 16)  # a Monday


@pytest.mark.parametrize(("said", "day"), [
    ("2026-12-21", dt.date(2026, 12, 21)), ("today", TODAY), ("tomorrow", dt.date(2026, 11, 17)),
    ("next Monday", dt.date(2026, 11, 23)), ("Friday", dt.date(2026, 11, 20)), ("wed", dt.date(2026, 11, 18)),
    ("December 21", dt.date(2026, 12, 21)), ("21 Dec", dt.date(2026, 12, 21)), ("Dec 21st", dt.date(2026, 12, 21)),
    ("January 2", dt.date(2027, 1, 2)), ("March 3 2027", dt.date(2027, 3, 3)),
    ("end of next month", dt.date(2026, 12, 31)), ("December", dt.date(2026, 12, 31)),
    ("end of January", dt.date(2027, 1, 31)), ("Q1 2027", dt.date(2027, 3, 31)),
])
def test_days_look_ahead(said: str, day: dt.date) -> None:
    assert resolve_day(said, TODAY) == day


@pytest.mark.parametrize("said", ["someday", "2026-13-40", "February 30", "next blue moon"])
def test_bad_days_are_fixable_and_list_the_forms(said: str) -> None:
    with pytest.raises(NexusError) as err:
        resolve_day(said, TODAY)
    assert err.value.code is ErrorCode.VALIDATION_FAILED and err.value.kind is ErrorKind.FIXABLE
    assert "tomorrow" in err.value.candidates


@pytest.mark.parametrize(("said", "window"), [
    (None, EpmWindow("2026-10")), ("last month", EpmWindow("2026-10")), ("October", EpmWindow("2026-10")),
    ("Q3", EpmWindow("2026-Q3")), ("last quarter", EpmWindow("2026-Q3")), ("Q4 2025", EpmWindow("2025-Q4")),
    ("FY2025", EpmWindow("2025")), ("this year", EpmWindow("2026")), ("YTD", EpmWindow("2026-11", ytd=True)),
    ("2026-09", EpmWindow("2026-09")), ("2026-09-15", EpmWindow("2026-09")),
])
def test_periods_become_epm_windows(said: str | None, window: EpmWindow) -> None:
    assert epm_window(said, TODAY) == window


@pytest.mark.parametrize(("said", "key"), [
    ("gross margin", "gross_margin_pct"), ("burn", "burn"), ("burn rate", "burn"), ("DSO", "dso"),
    ("days sales outstanding", "dso"), ("EBITDA", "ebitda"), ("revenue", "revenue"), ("cash position", "cash"),
    ("operating expenses", "opex"), ("revenue per head", "revenue_per_employee"), ("headcount", "headcount"),
])
def test_kpi_names(said: str, key: str) -> None:
    assert resolve_kpi(said) == key


def test_unknown_kpi_lists_candidates() -> None:
    with pytest.raises(NexusError) as err:
        resolve_kpi("customer happiness index")
    assert err.value.code is ErrorCode.UNKNOWN_NAME and err.value.kind is ErrorKind.FIXABLE
    assert err.value.candidates
