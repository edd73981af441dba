"""Breakdowns, rankings and period comparisons against the seeded demo ledger, tied out to the statements and
balances the GL API serves and to the subledger documents themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.apar.aging import aging_report
from erp_core.apar.models import Customer, Invoice, Payment
from erp_core.db import Database
from erp_core.epm.service import budget_vs_actual
from erp_core.errors import NexusError
from erp_core.identity import Actor
from erp_core.ledger.models import EntryStatus, JournalEntry
from erp_core.reports.balances import account_balance
from erp_core.reports.breakdowns import breakdown, month_ranges
from erp_core.reports.comparisons import budget_comparison, change_pct, compare_periods
from erp_core.reports.filters import ReportFilter
from erp_core.reports.rankings import ranking
from erp_core.reports.statements import income_statement

ALICE = Actor.of("alice@acme", "acme", "accountant,employee")
EVE = Actor.of("eve@acme", "acme", "employee")
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


@pytest.fixture(scope="module")
def session(demo_db_template: object) -> Iterator[Session]:
    db = Database(f"sqlite:///{demo_db_template}")
    with db.read() as s:
        yield s
    db.dispose()


def _statement(session: Session, start: dt.date, end: dt.date, department: str | None = None) -> dict[str, str]:
    data = income_statement(ALICE, session, ReportFilter(end, start, {"department": department} if department else {}))
    return {"revenue": data["total_revenue"].get("USD", "0.00"), "expenses": data["total_expenses"].get("USD", "0.00"),
            "net_income": data["net_income"].get("USD", "0.00")}


def _sum(values: list[str]) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal(0))


def test_pl_by_month_adds_up_to_the_income_statement(session: Session) -> None:
    data = breakdown(ALICE, session, *Q3, "month")
    assert [r["key"] for r in data["rows"]] == ["2026-07", "2026-08", "2026-09"]
    statement = _statement(session, *Q3)
    assert {k: data["total"][k] for k in statement} == statement
    for measure in ("revenue", "expenses", "net_income"):
        assert _sum([r[measure] for r in data["rows"]]) == Decimal(statement[measure])
    august = _statement(session, dt.date(2026, 8, 1), dt.date(2026, 8, 31))
    assert {k: data["rows"][1][k] for k in august} == august


def test_an_account_by_department_adds_up_to_its_balance_over_the_range(session: Session) -> None:
    data = breakdown(ALICE, session, *Q3, "department", account_code="6200")
    total = account_balance("6200", ALICE, session, ReportFilter(Q3[1], Q3[0]))["balance"]
    assert data["total"]["amount"] == total
    assert _sum([r["amount"] for r in data["rows"]]) == Decimal(total)
    sales = next(r for r in data["rows"] if r["key"] == "SALES")
    dept_total = account_balance("6200", ALICE, session, ReportFilter(Q3[1], Q3[0], {"department": "SALES"}))
    assert sales["amount"] == dept_total["balance"]


def test_pl_by_department_and_a_header_account_by_month(session: Session) -> None:
    data = breakdown(ALICE, session, *Q3, "department")
    assert _sum([r["net_income"] for r in data["rows"]]) == Decimal(data["total"]["net_income"])
    eng = next(r for r in data["rows"] if r["key"] == "ENG")
    assert eng["expenses"] == _statement(session, *Q3, department="ENG")["expenses"]
    opex = breakdown(ALICE, session, *Q3, "month", account_code="6000")  # a header: its whole subtree
    assert opex["total"]["amount"] == account_balance("6000", ALICE, session, ReportFilter(Q3[1], Q3[0]))["balance"]


def test_pl_by_account_lists_the_statement_lines(session: Session) -> None:
    data = breakdown(ALICE, session, *Q3, "account")
    statement = income_statement(ALICE, session, ReportFilter(Q3[1], Q3[0]))
    lines = {r["account_code"]: r["amount"] for r in statement["revenue"] + statement["expenses"]}
    assert {r["key"]: r["amount"] for r in data["rows"]} == lines


def test_month_ranges_clip_to_the_range() -> None:
    assert month_ranges(dt.date(2026, 1, 15), dt.date(2026, 3, 10)) == [
        (dt.date(2026, 1, 15), dt.date(2026, 1, 31)), (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 10))]


def test_largest_expense_accounts_are_the_statement_sorted(session: Session) -> None:
    rows = ranking(ALICE, session, "expense_accounts", *Q3, limit=3)["rows"]
    statement = income_statement(ALICE, session, ReportFilter(Q3[1], Q3[0]))
    expected = sorted(statement["expenses"], key=lambda r: -Decimal(r["amount"]))[:3]
    assert [(r["code"], r["amount"]) for r in rows] == [(r["account_code"], r["amount"]) for r in expected]
    assert [r["rank"] for r in rows] == [1, 2, 3]


def test_top_customers_by_revenue_tie_out_to_their_posted_invoices(session: Session) -> None:
    rows = ranking(ALICE, session, "customers_by_revenue", *Q3, limit=5)["rows"]
    assert len(rows) == 5 and all(Decimal(a["amount"]) >= Decimal(b["amount"]) for a, b in pairwise(rows))
    top = rows[0]
    posted = select(JournalEntry.id).where(JournalEntry.status == EntryStatus.POSTED.value)
    minor = session.scalar(select(func.sum(Invoice.amount_minor)).join(Customer, Customer.id == Invoice.customer_id)
                           .where(Customer.code == top["code"], Invoice.tenant == "acme",
                                  Invoice.doc_date.between(*Q3), Invoice.journal_entry_id.in_(posted)))
    assert Decimal(top["amount"]) == Decimal(minor or 0) / 100


def test_open_balances_rank_the_aging_report(session: Session) -> None:
    as_of = dt.date(2026, 10, 31)
    rows = ranking(ALICE, session, "customers_by_balance", dt.date(2026, 1, 1), as_of, limit=50)["rows"]
    aging = aging_report("invoice", as_of, ALICE, session)
    assert {r["code"]: r["amount"] for r in rows} == {p["code"]: p["total"] for p in aging["parties"]}
    vendors = ranking(ALICE, session, "vendors_by_balance", dt.date(2026, 1, 1), as_of, limit=1)["rows"]
    payables = aging_report("bill", as_of, ALICE, session)
    assert vendors[0]["amount"] == max((p["total"] for p in payables["parties"]), key=Decimal)


def test_largest_payments_and_postings(session: Session) -> None:
    october = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    payments = ranking(ALICE, session, "payments", *october, limit=3)["rows"]
    biggest = session.scalar(select(func.max(Payment.amount_minor)).where(
        Payment.tenant == "acme", Payment.kind == "bill", Payment.payment_date.between(*october)))
    assert Decimal(payments[0]["amount"]) == Decimal(biggest or 0) / 100
    assert all(october[0].isoformat() <= p["date"] <= october[1].isoformat() for p in payments)
    postings = ranking(ALICE, session, "entries", *october, account_code="6200", limit=50)["rows"]
    total = account_balance("6200", ALICE, session, ReportFilter(october[1], october[0]))["balance"]
    if len(postings) < 50:
        assert _sum([p["amount"] for p in postings]) == Decimal(total)
    with pytest.raises(NexusError):
        ranking(ALICE, session, "entries", *october)


def test_period_over_period_of_the_pl_and_of_an_account(session: Session) -> None:
    data = compare_periods(ALICE, session, Q3, Q2)
    now, before = _statement(session, *Q3), _statement(session, *Q2)
    for row in data["rows"]:
        assert row["current"] == now[row["measure"]] and row["previous"] == before[row["measure"]]
        assert Decimal(row["change"]) == Decimal(row["current"]) - Decimal(row["previous"])
    travel = compare_periods(ALICE, session, Q3, (dt.date(2025, 7, 1), dt.date(2025, 9, 30)), account_code="6200")
    (row,) = travel["rows"]
    assert row["current"] == account_balance("6200", ALICE, session, ReportFilter(Q3[1], Q3[0]))["balance"]


def test_change_in_percent() -> None:
    assert change_pct(150, 100) == "50.0"
    assert change_pct(50, -100) == "150.0"  # from a loss of 100 to a profit of 50: up by 150% of its size
    assert change_pct(1, 0) is None


def test_reports_are_for_finance_roles(session: Session) -> None:
    for report in (lambda: breakdown(EVE, session, *Q3, "month"), lambda: ranking(EVE, session, "payments", *Q3),
                   lambda: compare_periods(EVE, session, Q3, Q2)):
        with pytest.raises(NexusError) as caught:
            report()
        assert caught.value.code.value == "forbidden"


def test_one_account_and_net_income_against_budget(session: Session) -> None:
    report = budget_vs_actual(session, ALICE, "2026-Q3", department="ENG")
    travel = next(r for r in report.rows if r.account_code == "6200")
    (row,) = budget_comparison(ALICE, session, "2026-Q3", account_code="6200", department="ENG")["rows"]
    assert (row["actual"], row["budget"]) == (travel.actual, travel.budget)
    assert Decimal(row["variance"]) == Decimal(travel.variance)
    header = budget_comparison(ALICE, session, "2026-Q3", account_code="6000", department="ENG")["rows"][0]
    opex = [r for r in report.rows if r.account_code.startswith("6")]
    assert Decimal(header["actual"]) == _sum([r.actual for r in opex])
    (net,) = budget_comparison(ALICE, session, "2026-Q3")["rows"]
    whole = budget_vs_actual(session, ALICE, "2026-Q3")
    assert (net["measure"], net["actual"], net["budget"]) == ("net_income", whole.total_actual_net_income,
                                                              whole.total_budget_net_income)
