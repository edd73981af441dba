"""Bringing a company in from files (issue 17), on SQLite and PostgreSQL: chart, ledger history as one approved
batch, master data; all or nothing with every problem at file:line; re-runs change nothing; export round trips."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import realization
from sqlalchemy import func, select

from erp_core.apar.models import Vendor
from erp_core.approvals import ApprovalDecision, ApprovalRequest
from erp_core.audit import AuditRecord, verify_chain
from erp_core.db import Database
from erp_core.epm.models import Budget
from erp_core.errors import ErrorCode, NexusError
from erp_core.hr.models import Employee
from erp_core.identity import Actor
from erp_core.imports.accounts import import_accounts
from erp_core.imports.budgets import import_budgets
from erp_core.imports.export import export_journal
from erp_core.imports.journal import import_journal
from erp_core.imports.parties import import_parties
from erp_core.imports.people import import_employees
from erp_core.imports.tenants import create_tenant, list_tenants
from erp_core.ledger.models import Account, FiscalPeriod, JournalEntry, JournalLine
from erp_core.money import to_minor
from erp_core.resolve.accounts import resolve_account
from erp_core.resolve.parties import resolve_customer, resolve_vendor
from erp_core.resolve.people import resolve_employee

TODAY = dt.date(2026, 10, 15)
ACCOUNTS = """code,name,type,parent
1010,Cash at Bank,asset,1000
1000,Assets,asset,
3000,Equity,equity,
3010,Owner Capital,equity,3000
4000,Revenue,revenue,
4010,Bike Sales,revenue,4000
6000,Expenses,expense,
6100,Workshop Rent,expense,6000
"""
JOURNAL = """date,entry,account_code,debit,credit,currency,memo
2025-01-02,J1,1010,50000.00,,USD,Owner investment
2025-01-02,J1,3010,,50000.00,USD,Owner investment
2025-02-01,J2,6100,2500.00,,USD,February rent
2025-02-01,J2,1010,,2500.00,USD,February rent
2026-10-03,J3,1010,1200,,USD,Bike sale
2026-10-03,J3,4010,,1200,USD,Bike sale
"""


def _tenant(db: Database, currency: str = "USD") -> str:
    tenant = f"imp{uuid.uuid4().hex[:10]}"
    with db.unit_of_work() as session:
        create_tenant(session, Actor.of("ops@cli", tenant, "admin"), tenant, "Bob's Bikes", currency, 4)
    return tenant


def _file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _admin(tenant: str) -> Actor:
    return Actor.of(f"import@{tenant}", tenant, "admin,controller,accountant,hr")


def _balances(db: Database, tenant: str) -> dict[str, int]:
    with db.read() as session:
        rows = session.execute(select(Account.name, func.sum(JournalLine.debit_minor - JournalLine.credit_minor))
                               .join(JournalLine, JournalLine.account_id == Account.id)
                               .where(JournalLine.tenant == tenant).group_by(Account.name))
        return {name: int(total) for name, total in rows}


def _import(db: Database, tenant: str, path: Path, approver: str = "carol", roles: str = "controller",
            preparer: str | None = None) -> object:
    with db.unit_of_work() as session:
        return import_journal(path, tenant, preparer or f"import@{tenant}",
                              Actor.of(f"{approver}@{tenant}", tenant, roles), session, today=TODAY)


def test_tenant_chart_and_history_go_in_as_one_approved_batch(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    with db.read() as session:
        view = next(t for t in list_tenants(session) if t.id == tenant)
    assert (view.currency, view.fiscal_year_start) == ("USD", 4)
    with db.unit_of_work() as session:
        accounts = import_accounts(_file(tmp_path, "accounts.csv", ACCOUNTS), _admin(tenant), session)
    assert (accounts.created, accounts.unchanged) == (8, 0)
    with db.read() as session:
        chart = {a.code: a for a in session.scalars(select(Account).where(Account.tenant == tenant))}
        assert not chart["1000"].postable and chart["1010"].postable and chart["1010"].parent_id == chart["1000"].id

    journal = _file(tmp_path, "journal.csv", JOURNAL)
    summary = _import(db, tenant, journal)
    assert (summary.entries, summary.posted, summary.unchanged) == (3, 3, 0)  # type: ignore[attr-defined]
    assert _balances(db, tenant) == {"Cash at Bank": 4_870_000, "Owner Capital": -5_000_000,
                                     "Workshop Rent": 250_000, "Bike Sales": -120_000}
    with db.read() as session:
        periods = {(p.year, p.month): p.status for p in session.scalars(
            select(FiscalPeriod).where(FiscalPeriod.tenant == tenant))}
        # no open period before: the current one is today's month; history before it is closed
        assert periods == {(2025, 1): "closed", (2025, 2): "closed", (2026, 10): "open"}
        request = session.scalars(select(ApprovalRequest).where(ApprovalRequest.tenant == tenant)).one()
        decision = session.scalars(select(ApprovalDecision).where(ApprovalDecision.request_id == request.id)).one()
        assert (request.document_type, request.status, request.preparer_id) == (
            "journal_import", "approved", f"import@{tenant}")
        assert decision.approver_id == f"carol@{tenant}" and decision.payload_hash == request.payload_hash
        entries = list(session.scalars(select(JournalEntry).where(JournalEntry.tenant == tenant)))
        assert {e.approval_id for e in entries} == {request.id}
        assert {(e.created_by, e.posted_by) for e in entries} == {(f"import@{tenant}", f"carol@{tenant}")}
        actions = [(r.actor_id, r.action) for r in session.scalars(
            select(AuditRecord).where(AuditRecord.tenant == tenant).order_by(AuditRecord.seq))]
        assert (f"import@{tenant}", "approval.requested") in actions
        assert (f"carol@{tenant}", "approval.approved") in actions
        assert verify_chain(session, tenant) == []

    again = _import(db, tenant, journal)
    assert (again.posted, again.unchanged, again.approval_id) == (0, 3, None)  # type: ignore[attr-defined]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(JournalEntry).where(
            JournalEntry.tenant == tenant)) == 3


def test_every_problem_is_reported_with_its_line_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    with db.unit_of_work() as session:
        import_accounts(_file(tmp_path, "accounts.csv", ACCOUNTS), _admin(tenant), session)
    bad = _file(tmp_path, "bad.csv", "date,entry,account_code,debit,credit,currency,memo\n"
                                     "2025-03-01,A,1010,100,,USD,ok\n"
                                     "2025-03-01,A,3010,,90,USD,unbalanced\n"
                                     "2025-03-31,B,9999,5,,USD,unknown account\n"
                                     "2025-03-31,B,1010,,5,USD,x\n"
                                     "2025-03-32,C,1010,5,,USD,bad date\n"
                                     "2025-03-05,D,1000,5,,USD,header\n"
                                     "2025-03-05,D,1010,,5,USD,x\n")
    with pytest.raises(NexusError) as caught:
        _import(db, tenant, bad)
    found = {(i.code, i.field) for i in caught.value.issues}
    assert {("unbalanced", f"{bad}:2"), ("unknown_account", f"{bad}:4"), ("bad_date", f"{bad}:6"),
            ("account_not_postable", f"{bad}:7")} <= found
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.tenant == tenant)) == 0
        assert session.scalar(select(func.count()).select_from(FiscalPeriod).where(
            FiscalPeriod.tenant == tenant)) == 0


def test_history_older_than_the_period_window_is_reported(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    with db.unit_of_work() as session:
        import_accounts(_file(tmp_path, "accounts.csv", ACCOUNTS), _admin(tenant), session)
    old = _file(tmp_path, "old.csv", JOURNAL.replace("2025-01-02", "2010-01-02"))
    with pytest.raises(NexusError) as caught:
        _import(db, tenant, old)
    assert ("period_out_of_range", f"{old}:2") in {(i.code, i.field) for i in caught.value.issues}
    assert _balances(db, tenant) == {}


def test_the_preparer_cannot_approve_the_import(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    with db.unit_of_work() as session:
        import_accounts(_file(tmp_path, "accounts.csv", ACCOUNTS), _admin(tenant), session)
    journal = _file(tmp_path, "journal.csv", JOURNAL)
    with pytest.raises(NexusError) as caught:
        _import(db, tenant, journal, approver="carol", preparer=f"carol@{tenant}")
    assert caught.value.code == ErrorCode.SEGREGATION_OF_DUTIES
    with pytest.raises(NexusError) as refused:  # an approver without the role is refused by the engine
        _import(db, tenant, journal, approver="sam", roles="sales_rep")
    assert refused.value.code == ErrorCode.FORBIDDEN
    assert _balances(db, tenant) == {}


BEAN = """option "operating_currency" "USD"
2024-01-01 open Assets:Bank
2024-01-01 open Assets:Bank:Checking USD
2024-01-01 open Equity:Opening-Balances USD
2024-01-01 open Income:Salary USD
2024-01-01 open Expenses:Food:Groceries USD
2024-01-01 open Liabilities:CreditCard USD
2024-01-01 * "Opening balance"
  Assets:Bank:Checking   1000.00 USD
  Equity:Opening-Balances
2024-01-15 * "Employer" "Salary"
  Assets:Bank:Checking   3000.00 USD
  Income:Salary
2024-01-20 * "Grocer" "Food"
  Expenses:Food:Groceries  120.50 USD
  Liabilities:CreditCard
2024-02-01 balance Assets:Bank  4000.00 USD
2024-02-01 balance Liabilities:CreditCard  -120.50 USD
"""


def test_beancount_ledger_in_and_back_out_with_equal_balances(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    summary = _import(db, tenant, _file(tmp_path, "books.beancount", BEAN), approver="frank", roles="cfo")
    assert (summary.posted, summary.assertions_checked) == (3, 2)  # type: ignore[attr-defined]
    # 5 accounts opened, 5 roots and 2 intermediate headers (Assets:Bank, Expenses:Food)
    assert summary.accounts_created == 12  # type: ignore[attr-defined]
    with db.read() as session:
        chart = {a.name: a for a in session.scalars(select(Account).where(Account.tenant == tenant))}
        assert chart["Assets"].code == "1000" and not chart["Assets:Bank"].postable
        assert chart["Assets:Bank:Checking"].parent_id == chart["Assets:Bank"].id
        assert chart["Income:Salary"].type == "revenue"
        out = io.StringIO()
        assert export_journal(session, tenant, out, "beancount") == 3
    exported = out.getvalue()
    assert "balance Assets:Bank:Checking  4000.00 USD" in exported
    # bean-check's own checks (beancount's loader: parse, book, validate, balance assertions) pass on the export,
    # and beancount's balances are ours
    entries, errors, _options = loader.load_string(exported)
    assert errors == []
    real = realization.realize(entries)
    assert {name: to_minor(realization.get(real, name).balance.get_currency_units("USD").number, "USD")
            for name in ("Assets:Bank:Checking", "Liabilities:CreditCard", "Income:Salary")} == {
        "Assets:Bank:Checking": 400_000, "Liabilities:CreditCard": -12_050, "Income:Salary": -300_000}
    # the export imports into another tenant with the same balances (and passes its own balance assertions)
    other = _tenant(db)
    _import(db, other, _file(tmp_path, "export.beancount", exported), approver="frank", roles="cfo")
    assert _balances(db, other) == _balances(db, tenant)
    again = _import(db, tenant, _file(tmp_path, "books.beancount", BEAN), approver="frank", roles="cfo")
    assert (again.posted, again.unchanged) == (0, 3)  # type: ignore[attr-defined]
    csv_out = io.StringIO()
    with db.read() as session:
        export_journal(session, tenant, csv_out, "csv")
    as_csv = _import(db, tenant, _file(tmp_path, "books.csv", csv_out.getvalue()), approver="frank", roles="cfo")
    assert (as_csv.posted, as_csv.unchanged) == (0, 3)  # type: ignore[attr-defined]  # the keys survive the CSV


def test_a_failing_balance_assertion_rolls_the_import_back(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    wrong = BEAN.replace("balance Assets:Bank  4000.00 USD", "balance Assets:Bank  3999.00 USD")
    path = _file(tmp_path, "wrong.beancount", wrong)
    with pytest.raises(NexusError) as caught:
        _import(db, tenant, path, approver="frank", roles="cfo")
    assert [(i.code, i.field) for i in caught.value.issues] == [("balance_failed", f"{path}:17")]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Account).where(Account.tenant == tenant)) == 0


def test_csv_export_imports_again(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    with db.unit_of_work() as session:
        import_accounts(_file(tmp_path, "accounts.csv", ACCOUNTS), _admin(tenant), session)
    _import(db, tenant, _file(tmp_path, "journal.csv", JOURNAL))
    out = io.StringIO()
    with db.read() as session:
        export_journal(session, tenant, out, "csv", date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 12, 31))
    assert out.getvalue().splitlines() == ["date,entry,account_code,debit,credit,currency,memo",
                                           "2025-02-01,J2,6100,2500.00,,USD,February rent",
                                           "2025-02-01,J2,1010,,2500.00,USD,February rent"]
    with db.unit_of_work() as session:  # the export of our own import is found again: nothing changes
        summary = import_journal(_file(tmp_path, "again.csv", out.getvalue()), tenant, f"import@{tenant}",
                                 Actor.of(f"carol@{tenant}", tenant, "controller"), session, today=TODAY)
    assert (summary.posted, summary.unchanged) == (0, 1)


def test_master_data_resolves_by_name_right_after_import(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    admin = _admin(tenant)
    with db.unit_of_work() as session:
        import_accounts(_file(tmp_path, "accounts.csv", ACCOUNTS), admin, session)
        import_parties("customer", _file(tmp_path, "customers.csv",
                                         "code,name,payment_terms_days,segment\nC1,Velo Club Zurich,30,smb\n"
                                         "C2,Pedal Partners,45,\n"), admin, session)
        import_parties("vendor", _file(tmp_path, "vendors.csv", "code,name\nV1,Shimano Parts\n"), admin, session)
        summary = import_employees(_file(tmp_path, "employees.csv",
                                         "employee_no,first_name,last_name,department,manager,title\n"
                                         "E2,Lena,Fischer,WORKSHOP,E1,Head Mechanic\n"
                                         "E1,Bob,Rider,EXEC,,Owner\n"
                                         "E3,Tom,Spoke,WORKSHOP,E2,Mechanic\n"), admin, session)
        assert (summary.created, summary.updated) == (3, 0)
        budgets = import_budgets(_file(tmp_path, "budgets.csv", "year,month,department,account_code,amount\n"
                                                                "2026,10,WORKSHOP,6100,2500\n"), admin, session)
        assert budgets.created == 1
    with db.read() as session:
        reader = Actor.of(f"carol@{tenant}", tenant, "controller,cfo,hr")
        assert resolve_vendor(session, tenant, "shimano").code == "V1"
        assert resolve_customer(session, reader, "Velo Club").code == "C1"
        assert resolve_account(session, tenant, "workshop rent").code == "6100"
        tom = resolve_employee(session, reader, "Tom Spoke")
        lena = session.get(Employee, tom.manager_id)
        assert lena is not None and lena.full_name == "Lena Fischer" and (tom.level, lena.level) == (3, 2)
        assert session.scalar(select(Budget.amount_minor).where(Budget.tenant == tenant)) == 250_000
    with db.unit_of_work() as session:  # the same files again: nothing changes; a changed name updates
        again = import_parties("vendor", _file(tmp_path, "vendors2.csv", "code,name\nV1,Shimano Europe\n"), admin,
                               session)
        assert (again.created, again.updated) == (0, 1)
        assert session.scalar(select(Vendor.name).where(Vendor.tenant == tenant)) == "Shimano Europe"


def test_managers_by_name_or_email_and_departments_by_name(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    with db.unit_of_work() as session:
        import_employees(_file(tmp_path, "first.csv", "employee_no,first_name,last_name,department,manager,email\n"
                                                      "E1,Ada,Boss,Executive Office,,ada@bikes.test\n"), _admin(tenant),
                         session)
        import_employees(_file(tmp_path, "more.csv", "employee_no,first_name,last_name,department,manager\n"
                                                     "E2,Ben,Lead,executive office,ADA@bikes.test\n"
                                                     "E3,Cleo,Crew,Workshop,ben lead\n"), _admin(tenant), session)
    with db.read() as session:
        staff = {e.employee_no: e for e in session.scalars(select(Employee).where(Employee.tenant == tenant))}
        assert staff["E2"].manager_id == staff["E1"].id and staff["E3"].manager_id == staff["E2"].id
        assert staff["E1"].department_code == staff["E2"].department_code == "EXECUTIVE_OFFICE"
        assert staff["E3"].department_code == "WORKSHOP"


def test_an_empty_currency_is_the_functional_one(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    with db.unit_of_work() as session:
        import_accounts(_file(tmp_path, "accounts.csv", ACCOUNTS), _admin(tenant), session)
    summary = _import(db, tenant, _file(tmp_path, "j.csv", JOURNAL.replace(",USD,", ",,")))
    assert summary.posted == 3  # type: ignore[attr-defined]


def test_unknown_manager_and_cycles_are_reported(db: Database, tmp_path: Path) -> None:
    tenant = _tenant(db)
    path = _file(tmp_path, "employees.csv", "employee_no,first_name,last_name,department,manager\n"
                                            "E1,A,One,OPS,E2\nE2,B,Two,OPS,E1\nE3,C,Three,OPS,E9\n")
    with db.unit_of_work() as session, pytest.raises(NexusError) as caught:
        import_employees(path, _admin(tenant), session)
    assert {i.code for i in caught.value.issues} == {"manager_cycle", "unknown_manager"}
