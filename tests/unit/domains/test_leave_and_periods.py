"""Leave arithmetic and reporting windows (pure functions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from erp_core.epm.periods import parse_window
from erp_core.errors import NexusError
from erp_core.hr.leave import TakenLeave, accrual_months, business_days, leave_balance


def test_business_days_skip_weekends() -> None:
    assert business_days(dt.date(2026, 10, 26), dt.date(2026, 11, 1)) == 5  # Mon..Sun
    assert business_days(dt.date(2026, 10, 31), dt.date(2026, 11, 1)) == 0  # a weekend
    assert business_days(dt.date(2026, 11, 2), dt.date(2026, 10, 30)) == 0


def test_accrual_counts_completed_months_of_service() -> None:
    assert accrual_months(2026, dt.date(2020, 1, 1), dt.date(2026, 10, 31)) == 10
    assert accrual_months(2026, dt.date(2026, 3, 15), dt.date(2026, 10, 30)) == 7  # employed at the end of Mar..Sep
    assert accrual_months(2026, dt.date(2020, 1, 1), dt.date(2026, 12, 31), dt.date(2026, 6, 15)) == 5


def test_balance_with_capped_carry_over() -> None:
    taken = [TakenLeave(dt.date(2025, 7, 1), 10), TakenLeave(dt.date(2026, 2, 2), 3)]
    bal = leave_balance(annual_days=20, carry_over_max=5, hire_date=dt.date(2024, 1, 1),
                        as_of=dt.date(2026, 6, 30), taken=taken)
    # 2024: 20 unused -> carry 5; 2025: 5 + 20 - 10 = 15 -> carry 5; 2026: 5 + 20*6/12 - 3
    assert (bal.carried_over, bal.accrued, bal.taken, bal.balance) == (Decimal(5), Decimal(10), Decimal(3),
                                                                      Decimal(12))


@pytest.mark.parametrize(("label", "ytd", "start", "end"), [
    ("2026-09", False, dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
    ("2026-Q3", False, dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
    ("2026", False, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ("2026-02", True, dt.date(2026, 1, 1), dt.date(2026, 2, 28)),
])
def test_windows(label: str, ytd: bool, start: dt.date, end: dt.date) -> None:
    window = parse_window(label, ytd=ytd)
    assert (window.start, window.end) == (start, end)


@pytest.mark.parametrize("label", ["2026-13", "Q3", "2026/09", ""])
def test_bad_windows_are_fixable_errors(label: str) -> None:
    with pytest.raises(NexusError) as err:
        parse_window(label)
    assert err.value.code == "validation_failed"
