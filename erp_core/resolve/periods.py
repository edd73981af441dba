"""Loose period phrases → date ranges: "last month", "Q3", "Q3 2025", "FY2025", "YTD", "October", "2026-10", ...

Relative phrases are computed from ``today``; the fiscal year is the calendar year (docs/demo-company.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from erp_core.errors import ErrorCode, NexusError

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

EXAMPLES = ["this month", "last month", "Q3", "Q3 2025", "last quarter", "FY2025", "YTD", "this year", "last year",
            "October", "October 2025", "2026-10", "2026-10-31"]


@dataclass(frozen=True, slots=True)
class PeriodRange:
    start: dt.date
    end: dt.date
    label: str

    @property
    def months(self) -> list[tuple[int, int]]:
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _month(year: int, month: int) -> PeriodRange:
    last = calendar.monthrange(year, month)[1]
    return PeriodRange(dt.date(year, month, 1), dt.date(year, month, last), f"{calendar.month_name[month]} {year}")


def _quarter(year: int, q: int) -> PeriodRange:
    start = dt.date(year, 3 * q - 2, 1)
    end_month = 3 * q
    return PeriodRange(start, dt.date(year, end_month, calendar.monthrange(year, end_month)[1]), f"Q{q} {year}")


def _year(year: int) -> PeriodRange:
    return PeriodRange(dt.date(year, 1, 1), dt.date(year, 12, 31), f"FY{year}")


def _shift_month(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _latest_quarter(q: int, today: dt.date) -> int:
    """A bare "Q3" means the most recent Q3 that has started."""
    return today.year if dt.date(today.year, 3 * q - 2, 1) <= today else today.year - 1


def resolve_period(text: str, today: dt.date) -> PeriodRange:
    """Raises NexusError(VALIDATION_FAILED) listing the accepted forms when ``text`` is not a period."""
    t = " ".join(text.lower().replace(",", " ").split())
    if t in ("this month", "current month", "month to date", "mtd"):
        return _month(today.year, today.month)
    if t in ("last month", "previous month", "prior month"):
        return _month(*_shift_month(today, -1))
    if t in ("this quarter", "current quarter", "qtd", "quarter to date"):
        return _quarter(today.year, (today.month - 1) // 3 + 1)
    if t in ("last quarter", "previous quarter", "prior quarter"):
        year, month = _shift_month(today, -3)
        return _quarter(year, (month - 1) // 3 + 1)
    if t in ("ytd", "year to date", "this year to date"):
        return PeriodRange(dt.date(today.year, 1, 1), today, f"YTD {today.year}")
    if t in ("this year", "current year", "this fiscal year", "current fiscal year"):
        return _year(today.year)
    if t in ("last year", "previous year", "prior year", "last fiscal year"):
        return _year(today.year - 1)
    if m := re.fullmatch(r"(?:fy|fiscal year|year)\s*'?(\d{2}|\d{4})", t):
        year = int(m.group(1))
        return _year(year + 2000 if year < 100 else year)
    if m := re.fullmatch(r"(\d{4})", t):
        return _year(int(m.group(1)))
    if m := re.fullmatch(r"q([1-4])(?:\s*(?:fy)?\s*'?(\d{2}|\d{4}))?", t) or \
            re.fullmatch(r"(?:fy)?\s*(\d{4})\s*q([1-4])", t):
        groups = m.groups()
        if len(groups[0]) == 4:  # "2025 q3"
            return _quarter(int(groups[0]), int(groups[1]))
        q = int(groups[0])
        if groups[1]:
            year = int(groups[1])
            return _quarter(year + 2000 if year < 100 else year, q)
        return _quarter(_latest_quarter(q, today), q)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        return _month(int(m.group(1)), _valid_month(int(m.group(2)), text))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
        day = _date(m.group(0), text)
        return PeriodRange(day, day, day.isoformat())
    if m := re.fullmatch(r"([a-z]+)(?:\s+(\d{4}))?", t):
        named = _MONTHS.get(m.group(1))
        if named:
            if m.group(2):
                return _month(int(m.group(2)), named)
            year = today.year if named <= today.month else today.year - 1  # the latest such month
            return _month(year, named)
    raise NexusError(ErrorCode.VALIDATION_FAILED, f"not a period: {text!r}", candidates=EXAMPLES)


def resolve_as_of(text: str | None, today: dt.date) -> dt.date:
    """An as-of date: a date, "today", "end of last month", or the end of any period phrase."""
    if text is None or not text.strip() or text.strip().lower() in ("today", "now", "current", "latest"):
        return today
    t = text.strip().lower()
    if t.startswith("end of "):
        t = t[len("end of "):]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return _date(t, text)
    period = resolve_period(t, today)
    return min(period.end, today) if period.start <= today else period.end


def _valid_month(month: int, text: str) -> int:
    if not 1 <= month <= 12:
        raise NexusError(ErrorCode.VALIDATION_FAILED, f"not a month: {text!r}", candidates=EXAMPLES)
    return month


def _date(value: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise NexusError(ErrorCode.VALIDATION_FAILED, f"not a date: {text!r}", candidates=EXAMPLES) from None
