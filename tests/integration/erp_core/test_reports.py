"""Reports over posted lines: trial balance, statements, account ledger; as of a date, by period, by dimension."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from erp_core import ledger, reports
from erp_core.errors import ErrorCode, NexusError
from erp_core.ledger import JournalLineIn, PostJournalEntry

if TYPE_CHECKING:
    from conftest import Company


def post(company: Company, key: str, day: dt.date, lines: list[tuple[str, str | None, str | None, str | None]]) -> str:
    cmd = PostJournalEntry(
        date=day,
        memo=key,
        idempotency_key=key,
        lines=[
            JournalLineIn(
                account_code=code,
                debit=debit,
                credit=credit,
                currency="USD",
                dimensions={"department": dept} if dept else None,
            )
            for code, debit, credit, dept in lines
        ],
    )
    with company.db.unit_of_work() as session:
        return ledger.submit_journal_entry(cmd, company.alice, session).entry.id


@pytest.fixture()
def books(company: Company) -> Company:
    post(company, "capital", dt.date(2026, 9, 1), [("1010", "9000.00", None, None), ("3010", None, "9000.00", None)])
    post(company, "sale", dt.date(2026, 9, 15), [("1100", "5000.00", None, None), ("4010", None, "5000.00", "SALES")])
    post(company, "rent-sep", dt.date(2026, 9, 30), [("6100", "2000.00", None, "OPS"), ("1010", None, "2000.00", None)])
    post(
        company, "rent-oct", dt.date(2026, 10, 31), [("6100", "2000.00", None, "OPS"), ("1010", None, "2000.00", None)]
    )
    post(company, "trip", dt.date(2026, 10, 12), [("6200", "300.00", None, "SALES"), ("1010", None, "300.00", None)])
    return company


def test_trial_balance_as_of_and_by_period(books: Company) -> None:
    with books.db.read() as session:
        september = reports.trial_balance(books.carol, session, reports.make_filter(as_of=dt.date(2026, 9, 30)))
        october = reports.trial_balance(books.carol, session, reports.make_filter(period="2026-10"))
    rows = {r["account_code"]: (r["debit"], r["credit"], r["balance"]) for r in september["rows"]}
    assert rows == {
        "1010": ("7000.00", "0.00", "7000.00"),
        "1100": ("5000.00", "0.00", "5000.00"),
        "3010": ("0.00", "9000.00", "9000.00"),
        "4010": ("0.00", "5000.00", "5000.00"),
        "6100": ("2000.00", "0.00", "2000.00"),
    }
    assert september["totals"]["debit"] == september["totals"]["credit"] == "14000.00"
    assert {r["account_code"]: r["balance"] for r in october["rows"]} == {
        "1010": "-2300.00",
        "6100": "2000.00",
        "6200": "300.00",
    }


def test_trial_balance_by_dimension(books: Company) -> None:
    with books.db.read() as session:
        sales_only = reports.trial_balance(
            books.carol, session, reports.make_filter(as_of=dt.date(2026, 12, 31), dimensions={"department": "SALES"})
        )
        grouped = reports.trial_balance(
            books.carol, session, reports.make_filter(as_of=dt.date(2026, 12, 31)), group_by="department"
        )
    assert {r["account_code"]: r["balance"] for r in sales_only["rows"]} == {"4010": "5000.00", "6200": "300.00"}
    ops = [(r["account_code"], r["balance"]) for r in grouped["rows"] if r["department"] == "OPS"]
    assert ops == [("6100", "4000.00")]


def test_income_statement_and_balance_sheet(books: Company) -> None:
    with books.db.read() as session:
        income = reports.income_statement(
            books.carol, session, reports.make_filter(date_from=dt.date(2026, 9, 1), as_of=dt.date(2026, 10, 31))
        )
        sheet = reports.balance_sheet(books.carol, session, dt.date(2026, 10, 31))
    assert income["net_income"] == {"USD": "700.00"}
    assert income["total_revenue"] == {"USD": "5000.00"} and income["total_expenses"] == {"USD": "4300.00"}
    assert sheet["balanced"] is True
    assert sheet["total_assets"] == {"USD": "9700.00"} and sheet["total_equity"] == {"USD": "9700.00"}


def test_account_ledger_running_balance(books: Company) -> None:
    with books.db.read() as session:
        full = reports.account_ledger("1010", books.carol, session, reports.make_filter(as_of=dt.date(2026, 12, 31)))
        october = reports.account_ledger("1010", books.carol, session, reports.make_filter(period="2026-10"))
    assert [line["balance"] for line in full["lines"]] == ["9000.00", "7000.00", "6700.00", "4700.00"]
    assert october["opening_balance"] == "7000.00"
    assert [line["balance"] for line in october["lines"]] == ["6700.00", "4700.00"]
    assert october["closing_balance"] == "4700.00"


def test_report_roles_and_bad_filters(books: Company) -> None:
    with pytest.raises(NexusError) as err, books.db.read() as session:
        reports.trial_balance(books.actor("eve", "employee"), session, reports.make_filter(as_of=dt.date(2026, 1, 1)))
    assert err.value.code is ErrorCode.FORBIDDEN
    with pytest.raises(NexusError) as err:
        reports.make_filter(dimensions={"colour": "red"}, date_from=dt.date(2027, 1, 1), as_of=dt.date(2026, 1, 1))
    assert sorted(i.code for i in err.value.issues) == ["invalid_range", "unknown_dimension"]
