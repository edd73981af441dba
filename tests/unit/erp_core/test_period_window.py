"""Periods open only within a sane window around today; the seed opens every month through today's."""

from __future__ import annotations

import datetime as dt

import pytest

from erp_core.errors import NexusError
from erp_core.ledger.periods import OPEN_MONTHS_AHEAD, OPEN_YEARS_BACK, check_open_window
from erp_core.seed.runner import months_after

TODAY = dt.date(2026, 12, 5)


@pytest.mark.parametrize(("year", "month"), [(1900, 1), (2999, 12), (2016, 11), (2028, 1)])
def test_periods_far_from_today_are_refused(year: int, month: int) -> None:
    with pytest.raises(NexusError) as err:
        check_open_window(year, month, TODAY)
    assert [issue.code for issue in err.value.issues] == ["period_out_of_range"]


@pytest.mark.parametrize(("year", "month"), [(2026 - OPEN_YEARS_BACK, 12), (2026, 12), (2027, OPEN_MONTHS_AHEAD),
                                             (2024, 11)])
def test_periods_within_the_window_are_accepted(year: int, month: int) -> None:
    check_open_window(year, month, TODAY)


def test_months_after_the_history_run_through_todays_month() -> None:
    assert months_after(dt.date(2026, 11, 1), TODAY) == [dt.date(2026, 12, 1)]
    assert months_after(dt.date(2026, 11, 1), dt.date(2027, 2, 28)) == [
        dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1)]
    assert months_after(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == []
    assert months_after(dt.date(2026, 11, 1), dt.date(2026, 3, 1)) == []
