"""EPM words → EPM inputs: KPI names ("gross margin", "burn", "DSO") → KPI keys, and period phrases ("last month",
"Q3", "FY2025", "YTD") → the EPM services' window labels ("2026-10", "2026-Q3", "2025", ytd)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from erp_core.epm.kpis import KPIS
from erp_core.resolve.names import match_name
from erp_core.resolve.periods import resolve_period

KPI_ALIASES: dict[str, tuple[str, ...]] = {
    "revenue": ("sales", "turnover", "top line", "income", "total revenue"),
    "gross_margin_pct": ("gross margin", "margin", "gm", "gross margin percent", "gross profit margin"),
    "opex": ("operating expenses", "operating costs", "overheads", "spend", "costs"),
    "ebitda": ("operating profit", "earnings before interest"),
    "cash": ("cash balance", "cash position", "cash on hand", "bank balance"),
    "burn": ("burn rate", "cash burn", "net burn", "monthly burn"),
    "dso": ("days sales outstanding", "collection days", "debtor days"),
    "dpo": ("days payable outstanding", "payment days", "creditor days"),
    "headcount": ("employees", "heads", "fte", "number of employees", "staff count"),
    "revenue_per_employee": ("revenue per head", "revenue per employee", "revenue per fte", "productivity"),
}


def resolve_kpi(text: str) -> str:
    """The KPI key ``text`` names. Raises NexusError(UNKNOWN_NAME / AMBIGUOUS_NAME) listing the KPIs."""
    records = [(key, d.label, KPI_ALIASES.get(key, ())) for key, d in KPIS.items()]
    return match_name(text, records, what="KPI").ident


@dataclass(frozen=True, slots=True)
class EpmWindow:
    """A window the EPM services accept: ``label`` is YYYY-MM, YYYY-Qn or YYYY; ``ytd`` stretches it to 1 January."""

    label: str
    ytd: bool = False


def epm_window(text: str | None, today: dt.date, default: str = "last month") -> EpmWindow:
    """The EPM window for a period phrase; ranges that are not a whole month, quarter or year use their end month.

    Raises:
        NexusError(VALIDATION_FAILED): ``text`` is not a period (the accepted forms are listed as candidates).
    """
    rng = resolve_period(text or default, today)
    if rng.label.startswith("YTD"):
        return EpmWindow(f"{rng.end:%Y-%m}", ytd=True)
    months = rng.months
    whole = rng.start.day == 1 and (rng.end + dt.timedelta(days=1)).day == 1
    if whole and len(months) == 12 and rng.start.month == 1:
        return EpmWindow(f"{rng.start.year}")
    if whole and len(months) == 3 and rng.start.month in (1, 4, 7, 10):
        return EpmWindow(f"{rng.start.year}-Q{(rng.start.month + 2) // 3}")
    return EpmWindow(f"{rng.end:%Y-%m}")
