"""Report filters: date range (as-of or a period) and dimensions, turned into SQL conditions on posted lines."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement

from erp_core.errors import Issue, validation_error
from erp_core.ledger.commands import DIMENSION_KEYS
from erp_core.ledger.models import JournalLine


@dataclass(frozen=True)
class ReportFilter:
    """Which posted lines a report covers. ``date_from`` None means since the beginning."""

    as_of: dt.date
    date_from: dt.date | None = None
    dimensions: dict[str, str] = field(default_factory=dict)

    def conditions(self, tenant: str) -> list[ColumnElement[bool]]:
        conds: list[ColumnElement[bool]] = [JournalLine.tenant == tenant, JournalLine.entry_date <= self.as_of]
        if self.date_from is not None:
            conds.append(JournalLine.entry_date >= self.date_from)
        for key, value in sorted(self.dimensions.items()):
            conds.append(getattr(JournalLine, key) == value)
        return conds

    def describe(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(),
                "date_from": self.date_from.isoformat() if self.date_from else None, "dimensions": self.dimensions}


def period_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def make_filter(*, as_of: dt.date | None = None, date_from: dt.date | None = None, period: str | None = None,
                dimensions: dict[str, str | None] | None = None, today: dt.date | None = None) -> ReportFilter:
    """Build a filter from API-style arguments; ``period`` ("YYYY-MM") sets both ends of the range."""
    issues: list[Issue] = []
    if period is not None:
        try:
            year, month = (int(part) for part in period.split("-"))
            date_from, as_of = period_range(year, month)
        except ValueError:
            issues.append(Issue("invalid_period", "period must look like YYYY-MM", "period"))
    dims = {key: value for key, value in (dimensions or {}).items() if value}
    for key in dims:
        if key not in DIMENSION_KEYS:
            issues.append(Issue("unknown_dimension", f"unknown dimension {key}", key))
    end = as_of or today or dt.date.today()
    if date_from is not None and date_from > end:
        issues.append(Issue("invalid_range", "date_from is after as_of", "date_from"))
    if issues:
        raise validation_error(issues)
    return ReportFilter(end, date_from, dims)
