"""KPI definitions: the one place that says what each KPI means and how it is computed from the GL.

Every KPI is a pure function of ``KpiInputs`` (GL activity for the window, a few balances at its edges, headcount),
so the same definition serves a month, a quarter, year-to-date, a department or the whole company. Account groups
follow the demo chart of accounts (docs/demo-company.md): revenue 4xxx, cost of sales 5xxx, operating expenses 6xxx,
other income and expense 7xxx (below EBITDA).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

REVENUE_PREFIX = "4"
COGS_PREFIX = "5"
OPEX_PREFIX = "6"
DEPRECIATION = ("6700",)
PAYROLL = ("6010", "6020")
CASH = ("1010", "1020")
RECEIVABLES = ("1100",)
PAYABLES = ("2010",)
BALANCE_CODES = CASH + RECEIVABLES + PAYABLES

Unit = Literal["money", "percent", "days", "count"]


@dataclass(frozen=True, slots=True)
class KpiInputs:
    """Everything a KPI may look at, in minor units of the functional currency.

    Attributes:
        activity: net debit − credit per account code over the window (optionally one department).
        opening: debit − credit balances of BALANCE_CODES the day before the window starts (whole company).
        closing: the same balances at the window's last day.
        days: calendar days in the window.
        headcount: employees on the payroll at the window's end (of the department, when filtered).
        department: the department filter, or None for the whole company.
    """

    activity: Mapping[str, int]
    opening: Mapping[str, int]
    closing: Mapping[str, int]
    days: int
    headcount: int
    department: str | None = None


def _sum(activity: Mapping[str, int], prefix: str = "", codes: tuple[str, ...] = ()) -> int:
    return sum(v for code, v in activity.items() if (prefix and code.startswith(prefix)) or code in codes)


def revenue(i: KpiInputs) -> Decimal:
    return Decimal(-_sum(i.activity, REVENUE_PREFIX))  # revenue is a credit balance


def cost_of_sales(i: KpiInputs) -> Decimal:
    return Decimal(_sum(i.activity, COGS_PREFIX))


def opex(i: KpiInputs) -> Decimal:
    return Decimal(_sum(i.activity, OPEX_PREFIX))


def gross_margin_pct(i: KpiInputs) -> Decimal | None:
    rev = revenue(i)
    return None if rev == 0 else (rev - cost_of_sales(i)) / rev * 100


def ebitda(i: KpiInputs) -> Decimal:
    return revenue(i) - cost_of_sales(i) - (opex(i) - Decimal(_sum(i.activity, codes=DEPRECIATION)))


def cash(i: KpiInputs) -> Decimal | None:
    return None if i.department else Decimal(_sum(i.closing, codes=CASH))


def burn(i: KpiInputs) -> Decimal | None:
    if i.department:
        return None
    return Decimal(_sum(i.opening, codes=CASH) - _sum(i.closing, codes=CASH))


def dso(i: KpiInputs) -> Decimal | None:
    rev = revenue(i)
    if i.department or rev <= 0:
        return None
    return Decimal(_sum(i.closing, codes=RECEIVABLES)) / rev * i.days


def dpo(i: KpiInputs) -> Decimal | None:
    purchases = cost_of_sales(i) + opex(i) - Decimal(_sum(i.activity, codes=PAYROLL + DEPRECIATION))
    if i.department or purchases <= 0:
        return None
    return Decimal(-_sum(i.closing, codes=PAYABLES)) / purchases * i.days


def headcount(i: KpiInputs) -> Decimal:
    return Decimal(i.headcount)


def revenue_per_employee(i: KpiInputs) -> Decimal | None:
    return None if i.headcount == 0 else revenue(i) / i.headcount


@dataclass(frozen=True, slots=True)
class KpiDefinition:
    key: str
    label: str
    unit: Unit
    definition: str
    compute: Callable[[KpiInputs], Decimal | None]


KPIS: dict[str, KpiDefinition] = {k.key: k for k in (
    KpiDefinition("revenue", "Revenue", "money", "Credits minus debits on revenue accounts 4xxx in the window.",
                  revenue),
    KpiDefinition("gross_margin_pct", "Gross margin %", "percent",
                  "(Revenue − cost of sales 5xxx) ÷ revenue × 100.", gross_margin_pct),
    KpiDefinition("opex", "Operating expenses", "money", "Debits minus credits on operating expense accounts 6xxx.",
                  opex),
    KpiDefinition("ebitda", "EBITDA", "money",
                  "Revenue − cost of sales − operating expenses excluding depreciation (6700); interest, FX and "
                  "other 7xxx items are below EBITDA.", ebitda),
    KpiDefinition("cash", "Cash", "money", "Balance of cash accounts 1010 and 1020 at the end of the window "
                                           "(company level only).", cash),
    KpiDefinition("burn", "Net burn", "money", "Cash at the start of the window minus cash at its end; negative "
                                               "means cash grew (company level only).", burn),
    KpiDefinition("dso", "DSO", "days", "Accounts receivable (1100) at the end of the window ÷ revenue of the "
                                        "window × days in the window.", dso),
    KpiDefinition("dpo", "DPO", "days", "Accounts payable (2010) at the end of the window ÷ purchases (cost of sales "
                                        "+ opex − payroll 6010/6020 − depreciation) × days in the window.", dpo),
    KpiDefinition("headcount", "Headcount", "count", "Employees on the payroll on the window's last day.",
                  headcount),
    KpiDefinition("revenue_per_employee", "Revenue per employee", "money",
                  "Revenue of the window ÷ headcount at its end.", revenue_per_employee),
)}


def render(value: Decimal | None, unit: Unit, minor_digits: int) -> str | None:
    """Wire form: money in major units with the currency's decimals, percent/days with one decimal."""
    if value is None:
        return None
    if unit == "money":
        return f"{(value.scaleb(-minor_digits)).quantize(Decimal(1).scaleb(-minor_digits), ROUND_HALF_EVEN):f}"
    if unit == "count":
        return f"{value:f}"
    return f"{value.quantize(Decimal('0.1'), ROUND_HALF_EVEN):f}"
