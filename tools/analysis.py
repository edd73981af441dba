"""Analysis tools: the shapes follow-ups ask for — a breakdown by month, department or account, a ranking, a
comparison with another period. Each calls one erp_core report and presents its figures (headline, table, series).

Actual against budget is the EPM tool ``budget_vs_actual``; these compare actuals with actuals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from erp_core.ledger.roles import REPORT_READERS
from erp_core.reports.breakdowns import breakdown as breakdown_report
from erp_core.reports.comparisons import budget_comparison
from erp_core.reports.comparisons import compare_periods as compare_report
from erp_core.reports.rankings import ranking as ranking_report
from erp_core.resolve import PeriodRange, resolve_period
from erp_core.resolve.accounts import resolve_account
from erp_core.resolve.departments import resolve_department_name
from erp_core.resolve.epm import epm_window
from erp_core.resolve.periods import previous_period, same_period_last_year
from erp_core.resolve.queries import BreakdownQuery, ComparisonQuery, RankingQuery
from tools.context import ToolContext
from tools.formatting import amount, money, percent, period_words, short_date
from tools.output import ToolOutput
from tools.presentation import Presentation, Series, Table
from tools.registry import tool

READERS = sorted(REPORT_READERS)
_MEASURES = {"revenue": "Revenue", "expenses": "Expenses", "net_income": "Net income", "amount": "Net activity"}
# Actual against budget is the EPM data: finance roles that may read budgets (erp_core checks it again).
_RANKED = {"expense_accounts": "Largest expense accounts", "customers_by_revenue": "Top customers by revenue",
           "customers_by_balance": "Customers with the largest open balance",
           "vendors_by_spend": "Top vendors by spend", "vendors_by_balance": "Vendors we owe the most",
           "payments": "Largest payments made", "entries": "Largest postings"}


def _range(ctx: ToolContext, text: str | None, default: str) -> tuple[PeriodRange, dt.date]:
    """The period asked for and the last day to report (today for a period still running)."""
    rng = resolve_period(text or default, ctx.today)
    return rng, min(rng.end, ctx.today) if rng.start <= ctx.today else rng.end


def _scope(session: Session, ctx: ToolContext, account: str | None, department: str | None) -> dict[str, Any]:
    """Account code and name, department code, resolved from the words the user said."""
    found = resolve_account(session, ctx.actor.tenant, account) if account else None
    dept = resolve_department_name(session, ctx.actor.tenant, department).code if department else None
    return {"account_code": found.code if found else None, "account_name": found.name if found else None,
            "department": dept}


def _query(rng: PeriodRange, scope: Mapping[str, Any], **more: Any) -> dict[str, Any]:
    """The resolved arguments a follow-up edits: the period with its days, the account by name, the department."""
    query: dict[str, Any] = {"period": rng.as_dict(), **more}
    if scope.get("account_name"):
        query["account"] = scope["account_name"]
    if scope.get("department"):
        query["department"] = scope["department"]
    return query


def _subject(scope: Mapping[str, Any]) -> str:
    what = f"{scope['account_name']} ({scope['account_code']})" if scope.get("account_code") else "P&L"
    return what + (f", {scope['department']}" if scope.get("department") else "")


@tool("breakdown", BreakdownQuery, roles=READERS, examples=(
    "Break down the P&L by month for Q3", "Net income by department last quarter", "Travel spend by month this year",
    "Expenses by account for October"))
def breakdown(ctx: ToolContext, q: BreakdownQuery) -> ToolOutput:
    """The P&L or one account over a period, split by month, department or account."""
    rng, end = _range(ctx, q.period, "this year")
    with ctx.db.read() as session:
        scope = _scope(session, ctx, q.account, q.department)
        data = breakdown_report(ctx.actor, session, rng.start, end, q.by, account_code=scope["account_code"],
                                department=scope["department"])
    shown = present_breakdown(data, rng.start, end, _subject(scope), q.pick)
    more = {"by": q.by, **({"pick": q.pick} if q.pick else {})}
    return ToolOutput(shown.headline, data, presentation=shown, query=_query(rng, scope, **more))


def _ranked_by(data: Mapping[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The measure a person ranks a split by ("which month was the best?"): net income for the P&L, the amount for
    one account or a split by account; with the rows that have it, highest first."""
    key = "net_income" if "net_income" in data["total"] else "amount"
    rows = sorted((r for r in data["rows"] if r.get(key) is not None), key=lambda r: Decimal(str(r[key])),
                  reverse=True)
    return key, rows


def _measure_words(key: str) -> str:
    return _MEASURES[key].lower() if key == "net_income" else "amount"


def _extremes(data: Mapping[str, Any], currency: str) -> str:
    key, rows = _ranked_by(data)
    if len(rows) < 2:
        return ""
    high, low = rows[0], rows[-1]
    return (f" Highest {_measure_words(key)}: {high['label']} ({money(high[key], currency)}); "
            f"lowest: {low['label']} ({money(low[key], currency)}).")


def _picked(data: Mapping[str, Any], start: dt.date, end: dt.date, subject: str, pick: str) -> Presentation | None:
    """The one row asked for ("which month was the best?"): a sentence, not the split again."""
    key, rows = _ranked_by(data)
    if not rows:
        return None
    row = rows[0] if pick == "highest" else rows[-1]
    currency = data["currency"]
    headline = (f"{row['label']} had the {pick} {_measure_words(key)} of {subject} in {period_words(start, end)}: "
                f"{money(row[key], currency)} (total {money(data['total'][key], currency)}).")
    other = "lowest" if pick == "highest" else "highest"
    return Presentation(headline, (), suggestions=(f"And the {other}?", "Compare with budget"))


def present_breakdown(data: Mapping[str, Any], start: dt.date, end: dt.date, subject: str,
                      pick: str | None = None) -> Presentation:
    if pick and (picked := _picked(data, start, end, subject, pick)) is not None:
        return picked
    currency = data["currency"]
    measures = [m for m in ("revenue", "expenses", "net_income", "amount") if m in data["total"]]
    total = data["total"]
    stated = ", ".join(f"{_MEASURES[m].lower()} {money(total[m], currency)}" for m in measures)
    # No row count in the headline: every figure a person reads must be one of the report's (the table shows them).
    headline = f"{subject} in {period_words(start, end)} by {data['by']}: total {stated}." + \
        _extremes(data, currency)
    rows = tuple((str(r["label"]), *(amount(r[m], currency) for m in measures if m in r))
                 for r in data["rows"])
    if data["by"] == "account":
        rows = tuple((str(r["label"]), amount(r["amount"], currency)) for r in data["rows"])
        columns: tuple[str, ...] = ("Account", f"Amount ({currency})")
    else:
        columns = (data["by"].capitalize(), *(f"{_MEASURES[m]} ({currency})" for m in measures))
    series = None
    if data["by"] == "month":
        key = "amount" if "amount" in measures else "net_income"
        series = Series(f"{_MEASURES[key]} ({currency})", tuple((str(r["label"]), str(r[key])) for r in data["rows"]))
    table = Table(f"{subject} by {data['by']}, {period_words(start, end)}", columns, rows, series)
    # Follow-ups the dialogue reads as edits of this very query (agent/dialogue.py).
    return Presentation(headline, (table,), suggestions=("Versus last year", "Compare with budget"))


@tool("ranking", RankingQuery, roles=READERS, examples=(
    "Which expense accounts cost us the most in Q2?", "Top customers by revenue this year",
    "Which vendors did we spend the most with?", "What was the largest payment we made last month?"))
def ranking(ctx: ToolContext, q: RankingQuery) -> ToolOutput:
    """Largest first: expense accounts, customers by revenue or open balance, vendors by spend or open balance,
    payments made, or the postings to one account."""
    rng, end = _range(ctx, q.period, "this year")
    with ctx.db.read() as session:
        scope = _scope(session, ctx, q.account, q.department)
        data = ranking_report(ctx.actor, session, q.what, rng.start, end, limit=q.limit,
                              department=scope["department"], account_code=scope["account_code"])
    shown = present_ranking(data, rng.start, end, scope)
    return ToolOutput(shown.headline, data, presentation=shown, query=_query(rng, scope, what=q.what, limit=q.limit))


def present_ranking(data: Mapping[str, Any], start: dt.date, end: dt.date, scope: Mapping[str, Any]) -> Presentation:
    title = _RANKED[data["what"]]
    if data["what"] == "entries" and scope.get("account_name"):
        title += f" to {scope['account_name']}"
    when = f"as of {short_date(end)}" if data["what"].endswith("_balance") else f"in {period_words(start, end)}"
    rows = data["rows"]
    if not rows:
        return Presentation(f"{title} {when}: nothing found.")
    top = rows[0]
    headline = f"{title} {when}: first {top['name']} with {money(top['amount'], top['currency'])}."
    dated = "date" in top
    columns = ("#", "Name", *(("Date",) if dated else ()), f"Amount ({data['currency']})")
    body = tuple((str(r["rank"]), str(r["name"]), *((short_date(dt.date.fromisoformat(r["date"])),) if dated else ()),
                  amount(r["amount"], r["currency"])) for r in rows)
    return Presentation(headline, (Table(f"{title} {when}", columns, body),))


@tool("period_comparison", ComparisonQuery, roles=READERS, examples=(
    "Net income this quarter versus last quarter", "Is revenue this year higher than last year?",
    "Travel spend last month versus the month before", "P&L for Q3 against the same quarter a year earlier"))
def period_comparison(ctx: ToolContext, q: ComparisonQuery) -> ToolOutput:
    """The P&L or one account in a period against another period: the one before, or the same one a year earlier."""
    if q.against == "budget":
        return _against_budget(ctx, q)
    rng, end = _range(ctx, q.period, "last month")
    other = previous_period(rng) if q.against == "previous_period" else same_period_last_year(rng)
    other_end = other.end if end == rng.end else min(other.end, other.start + (end - rng.start))
    with ctx.db.read() as session:
        scope = _scope(session, ctx, q.account, q.department)
        data = compare_report(ctx.actor, session, (rng.start, end), (other.start, other_end),
                              account_code=scope["account_code"], department=scope["department"])
    shown = present_comparison(data, (rng.start, end), (other.start, other_end), _subject(scope))
    return ToolOutput(shown.headline, data, presentation=shown, query=_query(rng, scope, against=q.against))


def _against_budget(ctx: ToolContext, q: ComparisonQuery) -> ToolOutput:
    window = epm_window(q.period, ctx.today)
    with ctx.db.read() as session:
        scope = _scope(session, ctx, q.account, q.department)
        data = budget_comparison(ctx.actor, session, window.label, ytd=window.ytd, account_code=scope["account_code"],
                                 department=scope["department"])
    start, end = dt.date.fromisoformat(data["date_from"]), dt.date.fromisoformat(data["as_of"])
    shown = present_budget(data, start, end, _subject(scope))
    rng = resolve_period(f"{start.isoformat()} to {end.isoformat()}", ctx.today)
    return ToolOutput(shown.headline, data, presentation=shown, query=_query(rng, scope, against="budget"))


def present_budget(data: Mapping[str, Any], start: dt.date, end: dt.date, subject: str) -> Presentation:
    currency = data["currency"]
    (row,) = data["rows"]
    pct = f" ({'+' if not row['variance_pct'].startswith('-') else ''}{percent(row['variance_pct'])})" \
        if row["variance_pct"] is not None else " (no budget)"
    what = _MEASURES[row["measure"]].lower()
    headline = (f"{subject}, {period_words(start, end)}: {what} actual {money(row['actual'], currency)} against "
                f"budget {money(row['budget'], currency)}, variance {money(row['variance'], currency)}{pct}.")
    table = Table(f"{subject}: actual vs budget, {period_words(start, end)}",
                  ("Measure", f"Actual ({currency})", f"Budget ({currency})", f"Variance ({currency})", "Variance %"),
                  ((_MEASURES[row["measure"]], amount(row["actual"], currency), amount(row["budget"], currency),
                    amount(row["variance"], currency),
                    percent(row["variance_pct"]) if row["variance_pct"] is not None else "n/a"),))
    return Presentation(headline, (table,))


def present_comparison(data: Mapping[str, Any], now: tuple[dt.date, dt.date], before: tuple[dt.date, dt.date],
                       subject: str) -> Presentation:
    currency = data["currency"]
    current, previous = period_words(*now), period_words(*before)

    def said(row: Mapping[str, Any]) -> str:
        pct = f" ({'+' if not row['change_pct'].startswith('-') else ''}{percent(row['change_pct'])})" \
            if row["change_pct"] is not None else ""
        return (f"{_MEASURES[row['measure']].lower()} {money(row['current'], currency)} vs "
                f"{money(row['previous'], currency)}, change {money(row['change'], currency)}{pct}")

    headline = f"{subject}, {current} against {previous}: " + "; ".join(said(r) for r in data["rows"]) + "."
    body = tuple((_MEASURES[r["measure"]], amount(r["current"], currency), amount(r["previous"], currency),
                  amount(r["change"], currency), percent(r["change_pct"]) if r["change_pct"] is not None else "n/a")
                 for r in data["rows"])
    table = Table(f"{subject}: {current} vs {previous}", ("Measure", current, previous, f"Change ({currency})",
                                                            "Change %"), body)
    return Presentation(headline, (table,), suggestions=("Break that down by month", "Compare with budget"))
