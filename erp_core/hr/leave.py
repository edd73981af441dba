"""Leave arithmetic: business days, monthly accrual, carry-over. Pure functions, no database.

Rules (docs/demo-company.md): the entitlement accrues monthly, 1/12 per month the employee was employed at its end;
unused days carry over into the next year up to the policy's maximum; approved requests count against the year in
which they start. Public holidays are not modelled: every weekday is a working day.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

TWO_PLACES = Decimal("0.01")


def business_days(start: dt.date, end: dt.date) -> int:
    """Weekdays from ``start`` to ``end`` inclusive; 0 when ``end`` is before ``start``."""
    if end < start:
        return 0
    total_days = (end - start).days + 1
    full_weeks, remainder = divmod(total_days, 7)
    days = full_weeks * 5
    for offset in range(remainder):
        if (start + dt.timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            days += 1
    return days


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def accrual_months(year: int, hire_date: dt.date, as_of: dt.date, termination_date: dt.date | None = None) -> int:
    """Months of ``year`` that have ended by ``as_of`` and at whose end the employee was employed."""
    months = 0
    for month in range(1, 13):
        end = month_end(year, month)
        if end > as_of:
            break
        if hire_date <= end and (termination_date is None or termination_date > end):
            months += 1
    return months


@dataclass(frozen=True, slots=True)
class TakenLeave:
    start_date: dt.date
    days: int


@dataclass(frozen=True, slots=True)
class LeaveBalance:
    year: int
    entitlement_days: int
    carried_over: Decimal
    accrued: Decimal
    taken: Decimal
    balance: Decimal


def leave_balance(
    *,
    annual_days: int,
    carry_over_max: int,
    hire_date: dt.date,
    as_of: dt.date,
    taken: Iterable[TakenLeave],
    termination_date: dt.date | None = None,
) -> LeaveBalance:
    """Balance for the calendar year of ``as_of``: carry-over + accrued to date − approved days starting this year."""
    taken_list = list(taken)
    carried = Decimal(0)
    # Walk the years of service so each year's carry-over is capped from the one before.
    for year in range(hire_date.year, as_of.year):
        months = accrual_months(year, hire_date, month_end(year, 12), termination_date)
        accrued = Decimal(annual_days * months) / 12
        used = sum(t.days for t in taken_list if t.start_date.year == year)
        carried = min(Decimal(carry_over_max), max(Decimal(0), carried + accrued - used))
    months = accrual_months(as_of.year, hire_date, as_of, termination_date)
    accrued_now = (Decimal(annual_days * months) / 12).quantize(TWO_PLACES)
    used_now = Decimal(sum(t.days for t in taken_list if t.start_date.year == as_of.year))
    carried = carried.quantize(TWO_PLACES)
    return LeaveBalance(
        year=as_of.year,
        entitlement_days=annual_days,
        carried_over=carried,
        accrued=accrued_now,
        taken=used_now,
        balance=(carried + accrued_now - used_now).quantize(TWO_PLACES),
    )
