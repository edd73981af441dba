"""What a person reads for the EPM tools: budget variances, KPIs, forecasts (with a series to chart) and anomalies.

Figures come from the EPM services' typed results and are only formatted here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from erp_core.epm.forecasting import ForecastPoint, ForecastView
from erp_core.epm.service import BudgetVsActual, KpiReport, KpiValue
from tools.formatting import amount, count, iso_date, money, month_words, period_words, short_date
from tools.presentation import Presentation, Series, Table


def _scope(department: str | None) -> str:
    return f"department {department}" if department else "whole company"


def budget_vs_actual(report: BudgetVsActual, rows: Sequence[Any]) -> Presentation:
    """``rows`` are the report's rows in the order to show (largest variance first)."""
    cur = report.currency
    words = period_words(report.start, report.end)
    actual, budget = Decimal(report.total_actual_net_income), Decimal(report.total_budget_net_income)
    variance = actual - budget
    verdict = "favourable" if variance >= 0 else "unfavourable"
    headline = (f"Budget vs actual, {words} ({_scope(report.department)}): net income {money(actual, cur)} actual "
                f"against {money(budget, cur)} budget, a variance of {money(variance, cur)} ({verdict}).")
    if not report.has_income:  # a cost centre: what it spent against what it was allowed to spend
        spent, allowed = Decimal(report.total_actual_expenses), Decimal(report.total_budget_expenses)
        side = "under" if spent <= allowed else "over"
        headline = (f"Budget vs actual, {words} ({_scope(report.department)}): spent {money(spent, cur)} against a "
                    f"budget of {money(allowed, cur)}, {money(abs(spent - allowed), cur)} {side} budget "
                    f"({'favourable' if side == 'under' else 'unfavourable'}).")
    worst = [r for r in rows if not r.favourable][:3]
    if worst:
        headline += " Largest unfavourable: " + "; ".join(
            f"{r.account_name} {money(r.variance, cur)}" for r in worst) + "."
    body = tuple((r.account_code, r.account_name, amount(r.budget, cur), amount(r.actual, cur),
                  amount(r.variance, cur), f"{amount(r.variance_pct)}%" if r.variance_pct is not None else "no budget",
                  "favourable" if r.favourable else "unfavourable") for r in rows)
    table = Table(f"Budget vs actual, {words} ({cur}), largest variances first",
                  ("Account", "Name", "Budget", "Actual", "Variance", "Variance %", ""), body)
    return Presentation(headline, (table,) if body else ())


def kpi_value(k: KpiValue, currency: str) -> str:
    if k.value is None:
        return "not defined here"
    if k.unit == "money":
        return money(k.value, currency)
    if k.unit == "percent":
        return f"{amount(k.value)}%"
    if k.unit == "days":
        return f"{amount(k.value)} days"
    return amount(k.value)


def kpis(report: KpiReport) -> Presentation:
    words = period_words(report.start, report.end)
    scope = f" ({_scope(report.department)})" if report.department else ""
    if len(report.kpis) == 1:
        (k,) = report.kpis
        return Presentation(f"{k.label} in {words}{scope}: {kpi_value(k, report.currency)}.")
    headline = f"KPIs for {words}{scope}: " + "; ".join(
        f"{k.label} {kpi_value(k, report.currency)}" for k in report.kpis) + "."
    table = Table(f"KPIs, {words}", ("KPI", "Value"), tuple((k.label, kpi_value(k, report.currency))
                                                          for k in report.kpis))
    return Presentation(headline, (table,))


def subject_words(subject: str, account_name: str | None = None) -> str:
    """"kpi:revenue" → "revenue"; "account:6200" → "Travel (6200)" when the name is known."""
    kind, _, key = subject.partition(":")
    if kind == "account":
        return f"{account_name} ({key})" if account_name else f"account {key}"
    return key.replace("_", " ")


def _month(label: str) -> str:
    year, month = label.split("-")
    return month_words(int(year), int(month))


def forecast(view: ForecastView, account_name: str | None = None,
             asked: tuple[str, Sequence[ForecastPoint]] | None = None) -> Presentation:
    """The next months' forecast; ``asked`` (the period's words and its months) when a period was named ("next
    quarter"): the headline gives that period's months, not the first three ahead."""
    what = subject_words(view.subject, account_name)

    # An estimate of a count or a ratio reads to one decimal ("150.9"), not to the float's sixteen digits.
    def value(text: str) -> str:
        return money(text, view.currency) if view.unit == "money" else amount(text, places=1)

    level = f"{round(view.interval_level * 100)}%"
    points = asked[1] if asked else view.forecast[:3]
    shown = "; ".join(f"{_month(p.period)} {value(p.value)} ({level} interval {value(p.lower)} to {value(p.upper)})"
                      for p in points)
    headline = f"Forecast of {what}{f' for {asked[0]}' if asked else ''} ({view.method}): {shown}."
    if view.backtest is not None and view.backtest.mape_pct is not None:
        headline += f" On the last {view.backtest.holdout_months} months held back it was off by " \
                    f"{amount(view.backtest.mape_pct)}% on average."
    def cell(text: str) -> str:  # the table's title names the currency once
        return amount(text, view.currency) if view.unit == "money" else amount(text, places=1)

    rows = [(_month(p), cell(v), "actual", "", "") for p, v in view.history[-6:]]
    rows += [(_month(p.period), cell(p.value), "forecast", cell(p.lower), cell(p.upper)) for p in view.forecast]
    series = Series(what, tuple((_month(p), str(v)) for p, v in view.history[-6:]) +
                    tuple((_month(p.period), p.value) for p in view.forecast))
    unit = f" ({view.currency})" if view.unit == "money" else ""
    table = Table(f"Forecast of {what}{unit}", ("Month", "Value", "Kind", "Low", "High"), tuple(rows), series)
    return Presentation(headline, (table,))


def anomalies(period: str, rows: Sequence[dict[str, Any]], total: int, currency: str,
              min_score: float) -> Presentation:
    headline = (f"{count(total)} posted entr{'y' if total == 1 else 'ies'} in {period} "
                f"score{'s' if total == 1 else ''} at least {min_score} for review.")
    if rows:
        top = rows[0]
        headline += (f" The highest: {top['entry_id']} \u201c{top['memo']}\u201d, {money(top['amount'], currency)} "
                     f"(score {top['score']}).")
    body = tuple((r["entry_id"], short_date(iso_date(r["date"])), r["memo"] or "", money(r["amount"], currency),
                  str(r["score"]), "; ".join(r["reasons"])) for r in rows)
    table = Table(f"Entries to review, {period}, highest score first",
                  ("Entry", "Date", "Memo", "Amount", "Score", "Why"), body)
    return Presentation(headline, (table,) if body else ())
