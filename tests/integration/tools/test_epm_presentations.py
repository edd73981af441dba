"""EPM presentations on the seeded company: the headline states the EPM services' own figures, formatted for people;
a forecast's table carries a series a chart can draw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from erp_core.db import Database
from erp_core.epm.forecasting import forecast_account
from erp_core.epm.service import budget_vs_actual, kpi_report
from tests.integration.tools.conftest import acme, run_tool
from tools.catalog import load_all
from tools.context import ToolContext
from tools.formatting import money

FRANK = acme("frank", "cfo")


def test_budget_vs_actual_headline_states_both_net_incomes_and_the_variance(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, FRANK, "budget_vs_actual", {"period": "Q3"})
    with seeded_read_db.read() as session:
        report = budget_vs_actual(session, FRANK, "2026-Q3")
    actual, budget = Decimal(report.total_actual_net_income), Decimal(report.total_budget_net_income)
    assert out.presentation is not None
    headline = out.presentation.headline
    assert headline.startswith("Budget vs actual, Q3 2026 (Jul–Sep) (whole company): net income ")
    for figure in (actual, budget, actual - budget):
        assert money(figure, report.currency) in headline
    (table,) = out.presentation.tables
    assert len(table.rows) == len(out.data["rows"])
    assert out.query is not None and out.query["period"] == "2026-Q3" and out.query["department"] is None


def test_a_cost_centre_against_budget_is_told_what_it_spent(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, FRANK, "budget_vs_actual", {"period": "Q3", "department": "marketing"})
    with seeded_read_db.read() as session:
        report = budget_vs_actual(session, FRANK, "2026-Q3", department="MKT")
    spent = sum((Decimal(r.actual) for r in report.rows if not r.account_code.startswith(("4", "7010"))), Decimal(0))
    allowed = sum((Decimal(r.budget) for r in report.rows if not r.account_code.startswith(("4", "7010"))),
                  Decimal(0))
    assert not report.has_income and Decimal(report.total_actual_expenses) == spent
    assert out.presentation is not None
    headline = out.presentation.headline
    assert headline.startswith("Budget vs actual, Q3 2026 (Jul–Sep) (department MKT): spent ")
    for figure in (spent, allowed, abs(spent - allowed)):
        assert money(figure, report.currency) in headline
        assert str(figure) in {out.data["total_actual_expenses"], out.data["total_budget_expenses"],
                               out.data["spending_difference"]}  # every figure shown is one of the tool's


def test_one_kpi_is_one_sentence(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, FRANK, "kpi", {"kpi": "gross margin", "period": "last month"})
    with seeded_read_db.read() as session:
        value = kpi_report(session, FRANK, "2026-10", keys=["gross_margin_pct"]).kpis[0].value
    assert out.presentation is not None
    assert out.presentation.headline == f"Gross margin % in October 2026: {value}%."
    assert out.presentation.tables == ()


def test_a_forecast_is_a_table_with_a_series(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, FRANK, "forecast", {"subject": "travel", "months": 2})
    with seeded_read_db.read() as session:
        view = forecast_account(session, FRANK, "6200", 2)
    assert out.presentation is not None
    (table,) = out.presentation.tables
    assert table.series is not None
    assert [v for _, v in table.series.points[-2:]] == [p.value for p in view.forecast]
    assert out.presentation.headline.startswith("Forecast of Travel Expense (6200)")
    assert money(view.forecast[0].value, view.currency) in out.presentation.headline


def test_a_forecast_for_a_named_period_states_that_periods_months(seeded_read_db: Database) -> None:
    """Asked on 16 November 2026 for "next quarter": the forecast reaches March 2027 and the headline gives January
    to March, not the first three months ahead."""
    out = run_tool(seeded_read_db, FRANK, "forecast", {"subject": "software subscriptions", "period": "next quarter"})
    months = [p["period"] for p in out.data["forecast"]]
    assert months[-1] == "2027-03" and months[0] <= "2026-11"
    assert out.presentation is not None
    headline = out.presentation.headline
    assert "for Q1 2027 (Jan–Mar)" in headline and "January 2027" in headline and "March 2027" in headline
    assert "December 2026" not in headline
    assert all(not p["lower"].startswith("-") for p in out.data["forecast"])  # costs are not forecast below zero


def test_a_named_period_is_reached_when_the_ledger_ends_months_before_today(seeded_read_db: Database) -> None:
    """On 6 December the seeded ledger's last complete month is still October: Q1 2027 is three months away from
    today but five from the forecast's first month, and all three of its months are stated."""
    spec = load_all().get("forecast")
    ctx = ToolContext(actor=FRANK, db=seeded_read_db, today=dt.date(2026, 12, 6), thread_id="forecast-test")
    out = spec.run(ctx, spec.args.model_validate({"subject": "travel", "period": "next quarter"}))
    assert [p["period"] for p in out.data["forecast"]][-3:] == ["2027-01", "2027-02", "2027-03"]
    assert out.presentation is not None and "March 2027" in out.presentation.headline


def test_a_period_the_ledger_already_holds_is_forecast_by_count(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, FRANK, "forecast", {"subject": "travel", "period": "Q3 2026", "months": 2})
    assert len(out.data["forecast"]) == 2  # Q3 2026 is actuals: the next two months, not the 24-month horizon
