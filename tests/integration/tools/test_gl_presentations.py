"""GL tools on the seeded company: the headline and tables state the report services' own figures, formatted for
people, and ``query`` holds the resolved arguments a follow-up edits."""

from __future__ import annotations

import datetime as dt

from erp_core.apar.aging import aging_report
from erp_core.db import Database
from erp_core.reports.balances import account_balance, trial_balance
from erp_core.reports.filters import ReportFilter
from erp_core.reports.statements import balance_sheet, income_statement
from tests.integration.tools.conftest import TODAY, acme, run_tool
from tools.formatting import money

CAROL = acme("carol", "controller")
Q3 = ReportFilter(as_of=dt.date(2026, 9, 30), date_from=dt.date(2026, 7, 1))


def test_income_statement_headline_states_revenue_expenses_and_net_income(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, CAROL, "income_statement", {"period": "last quarter"})
    with seeded_read_db.read() as session:
        expected = income_statement(CAROL, session, Q3)
    (currency, revenue), = expected["total_revenue"].items()
    shown = out.presentation
    assert shown is not None
    assert shown.headline.startswith("Revenue in Q3 2026 (Jul–Sep): ")
    for figure in (revenue, expected["total_expenses"][currency], expected["net_income"][currency]):
        assert money(figure, currency) in shown.headline
    (table,) = shown.tables
    net_row = table.rows[-1]
    assert net_row[2] == "Net income" and net_row[3] == money(expected["net_income"][currency], currency)
    assert {r[1] for r in table.rows if r[1]} == {line["account_code"] for line in
                                                 expected["revenue"] + expected["expenses"]}
    assert out.query == {"period": "Q3 2026", "start": "2026-07-01", "end": "2026-09-30", "as_of": "2026-09-30"}
    assert "Income statement for Q2 2026" in shown.suggestions


def test_account_activity_states_the_net_and_lists_postings(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, CAROL, "account_activity", {"account": "travel", "period": "last quarter"})
    code = out.data["account_code"]
    with seeded_read_db.read() as session:
        expected = account_balance(code, CAROL, session, Q3)
    shown = out.presentation
    assert shown is not None
    assert shown.headline.startswith(f"Spent on {out.data['account_name']} ({code}) in Q3 2026 (Jul–Sep): "
                                     f"{money(expected['balance'], expected['currency'])}")
    (table,) = shown.tables
    assert table.columns == ("Date", "Memo", "Debit", "Credit", "Running total") and 0 < len(table.rows) <= 15
    assert out.query is not None and out.query["account"] == code and out.query["period"] == "Q3 2026"


def test_a_running_period_says_through_which_day(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, CAROL, "account_activity", {"account": "travel", "period": "this month"})
    assert out.presentation is not None
    assert "November 2026 to date (through 16 November 2026)" in out.presentation.headline
    assert out.query is not None and out.query["as_of"] == TODAY.isoformat()


def test_trial_balance_is_a_table_with_totals(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, CAROL, "trial_balance", {"as_of": "end of October 2026"})
    with seeded_read_db.read() as session:
        expected = trial_balance(CAROL, session, ReportFilter(as_of=dt.date(2026, 10, 31)))
    shown = out.presentation
    assert shown is not None
    (currency, sides), = expected["totals"]["by_currency"].items()
    assert shown.headline.startswith("Trial balance as of 31 October 2026: ")
    assert f"debits {money(sides['debit'], currency)}, credits {money(sides['credit'], currency)}" in shown.headline
    assert "balanced" in shown.headline and "DATA" not in shown.markdown()
    (table,) = shown.tables
    assert len(table.rows) == len(expected["rows"]) + 1  # every account, then the totals
    assert [r[0] for r in table.rows[:-1]] == [r["account_code"] for r in expected["rows"]]
    assert table.rows[-1][-2:] == (money(sides["debit"], currency).split()[0], money(sides["credit"],
                                                                                     currency).split()[0])
    assert out.query == {"as_of": "2026-10-31"}


def test_balance_sheet_and_account_balance(seeded_read_db: Database) -> None:
    end = dt.date(2026, 10, 31)
    sheet = run_tool(seeded_read_db, CAROL, "balance_sheet", {"as_of": "2026-10-31"})
    cash = run_tool(seeded_read_db, CAROL, "account_balance", {"account": "cash", "as_of": "2026-10-31"})
    with seeded_read_db.read() as session:
        expected = balance_sheet(CAROL, session, end)
        balance = account_balance(cash.data["account_code"], CAROL, session, ReportFilter(as_of=end))
    assert sheet.presentation is not None and cash.presentation is not None
    for key in ("total_assets", "total_liabilities", "total_equity"):
        (currency, value), = expected[key].items()
        assert money(value, currency) in sheet.presentation.headline
    assert cash.presentation.headline.endswith(f"as of 31 October 2026: {money(balance['balance'], 'USD')}.")
    assert cash.query == {"account": cash.data["account_code"], "as_of": "2026-10-31"}


def test_open_invoices_rank_customers_by_open_amount(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, CAROL, "open_invoices", {})
    with seeded_read_db.read() as session:
        expected = aging_report("invoice", TODAY, CAROL, session)
    shown = out.presentation
    assert shown is not None
    for total in expected["totals"]:
        assert money(total["total"], total["currency"]) in shown.headline
    (table,) = shown.tables
    assert table.columns[0] == "Customer" and table.columns[-1] == "Total"
    largest = max(expected["parties"], key=lambda p: float(p["total"]))
    assert table.rows[0][0] == largest["name"]
    # every party the table shows is in the tool's data too (what the user reads is backed by the data)
    assert [p["name"] for p in out.data["parties"]] == [row[0] for row in table.rows]


def test_pending_approvals_presentation(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, CAROL, "pending_approvals", {})
    assert out.presentation is not None
    n = len(out.data["approvals"])
    assert out.presentation.headline.startswith("Nothing waits" if n == 0 else f"{n} approval")


def test_the_postings_running_total_ends_at_the_periods_net(seeded_read_db: Database) -> None:
    out = run_tool(seeded_read_db, CAROL, "account_activity", {"account": "rent", "period": "September 2026"})
    assert out.presentation is not None
    (table,) = out.presentation.tables
    assert table.columns[-1] == "Running total" and "(USD)" in table.title
    assert "first" not in table.title  # a month of rent is a few postings: all listed
    assert table.rows[-1][-1] == money(out.data["net"], "USD").split()[0]  # so the running total ends at the net
