"""Period arithmetic for follow-ups and comparisons: previous periods, a year earlier, explicit day ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from erp_core.errors import NexusError
from erp_core.resolve.periods import (
    period_phrase,
    previous_period,
    resolve_period,
    same_period_last_year,
    shift_period,
)

TODAY = dt.date(2026, 11, 16)


@pytest.mark.parametrize(("said", "previous", "year_ago"), [
    ("last quarter", "Q2 2026", "Q3 2025"),
    ("Q1", "Q4 2025", "Q1 2025"),
    ("October", "September 2026", "October 2025"),
    ("January 2026", "December 2025", "January 2025"),
    ("FY2025", "FY2024", "FY2024"),
    ("2026-07-01 to 2026-09-30", "Q2 2026", "Q3 2025"),
])
def test_named_periods_step_by_their_own_length(said: str, previous: str, year_ago: str) -> None:
    rng = resolve_period(said, TODAY)
    assert previous_period(rng).label == previous
    assert same_period_last_year(rng).label == year_ago


def test_other_ranges_keep_their_length_and_stay_to_date() -> None:
    ytd = resolve_period("YTD", TODAY)
    assert (previous_period(ytd).start, previous_period(ytd).end) == (dt.date(2025, 1, 1), dt.date(2025, 11, 16))
    span = resolve_period("2026-07-03 to 2026-07-12", TODAY)
    before = previous_period(span)
    assert (before.start, before.end) == (dt.date(2026, 6, 23), dt.date(2026, 7, 2))
    # a month end stays a month end: the end of February, not the 28th of a 31-day month
    feb = shift_period(resolve_period("2026-01-15 to 2026-01-31", TODAY), 1)
    assert (feb.start, feb.end) == (dt.date(2026, 2, 15), dt.date(2026, 2, 28))


@pytest.mark.parametrize("said", ["Q3 2026", "September 2026", "FY2025", "YTD", "2026-07-03 to 2026-08-30",
                                  "2026-10-31", "last month"])
def test_a_periods_phrase_resolves_back_to_it_on_any_day(said: str) -> None:
    rng = resolve_period(said, TODAY)
    again = resolve_period(period_phrase(rng), dt.date(2030, 1, 1))
    assert (again.start, again.end) == (rng.start, rng.end)


def test_a_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(NexusError):
        resolve_period("2026-09-30 to 2026-07-01", TODAY)


@pytest.mark.parametrize(("said", "label", "start", "end"), [
    ("the first quarter of 2026", "Q1 2026", "2026-01-01", "2026-03-31"),
    ("second quarter of 2025", "Q2 2025", "2025-04-01", "2025-06-30"),
    ("Q1 of 2026", "Q1 2026", "2026-01-01", "2026-03-31"),
    ("quarter 2 2026", "Q2 2026", "2026-04-01", "2026-06-30"),
    ("the third quarter", "Q3 2026", "2026-07-01", "2026-09-30"),  # the latest one that has started
    ("last quarter of 2025", "Q4 2025", "2025-10-01", "2025-12-31"),
    ("last quarter", "Q3 2026", "2026-07-01", "2026-09-30"),  # alone: the quarter before this one
    ("H1 2026", "H1 2026", "2026-01-01", "2026-06-30"),
    ("first half of 2025", "H1 2025", "2025-01-01", "2025-06-30"),
    ("September of 2025", "September 2025", "2025-09-01", "2025-09-30"),
])
def test_spoken_quarters_and_halves(said: str, label: str, start: str, end: str) -> None:
    rng = resolve_period(said, dt.date(2026, 11, 16))
    assert (rng.label, rng.start.isoformat(), rng.end.isoformat()) == (label, start, end)
