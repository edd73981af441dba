"""Reporting windows: a month ("2026-09"), a quarter ("2026-Q3") or a year ("2026"), optionally year-to-date."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from erp_core.errors import Issue, validation_error

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True, slots=True)
class Window:
    label: str
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_window(period: str, *, ytd: bool = False) -> Window:
    """Parse a period label; ``ytd`` stretches the window back to 1 January of its year.

    Raises:
        NexusError(VALIDATION_FAILED): the label is not YYYY-MM, YYYY-Qn or YYYY.
    """
    text = period.strip()
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise validation_error([Issue("bad_period", f"month {month} is not 1-12", "period")])
        start, end = dt.date(year, month, 1), month_end(year, month)
    elif m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        start, end = dt.date(year, 3 * quarter - 2, 1), month_end(year, 3 * quarter)
    elif m := _YEAR.match(text):
        year = int(m[1])
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    else:
        raise validation_error([Issue("bad_period", f"period {period!r} must look like 2026-09, 2026-Q3 or 2026",
                                      "period", period)])
    if ytd:
        return Window(f"{text} YTD", dt.date(start.year, 1, 1), end)
    return Window(text, start, end)
