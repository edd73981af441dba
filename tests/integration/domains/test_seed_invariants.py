"""The seeded demo company ties out and meets the issue's minimums, identically on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from erp_core.apar.aging import open_items
from erp_core.apar.models import Customer, Vendor
from erp_core.crm.models import Opportunity
from erp_core.db import Database
from erp_core.directory import DirectoryUser
from erp_core.epm.models import Budget
from erp_core.hr.models import Employee
from erp_core.ledger.models import Account, FiscalPeriod, JournalEntry, JournalLine
from erp_core.seed.invariants import check_tenant
from erp_core.seed.models import PlantedAnomaly
from erp_core.servicedesk.models import Ticket
from tests.integration.domains.conftest import AS_OF

TENANTS = ("acme", "globex")


def _count(session, model, tenant):  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model).where(model.tenant == tenant))


def test_ledger_balances_and_subledgers_tie(seeded: Database) -> None:
    with seeded.read() as session:
        for tenant in TENANTS:
            assert check_tenant(session, tenant, AS_OF) == []


def test_minimum_volumes_and_structure(seeded: Database) -> None:
    with seeded.read() as session:
        for tenant in TENANTS:
            assert _count(session, Employee, tenant) >= 150
            levels = set(session.scalars(select(Employee.level).where(Employee.tenant == tenant)))
            assert len(levels) >= 5
            assert _count(session, Customer, tenant) >= 300
            assert _count(session, Vendor, tenant) >= 80
            assert _count(session, Opportunity, tenant) >= 600
            assert _count(session, Ticket, tenant) >= 2000
            assert _count(session, JournalEntry, tenant) >= 2000
            assert _count(session, PlantedAnomaly, tenant) >= 4
            months = session.execute(select(func.min(JournalLine.entry_date), func.max(JournalLine.entry_date))
                                     .where(JournalLine.tenant == tenant)).one()
            assert (months[1].year - months[0].year) * 12 + months[1].month - months[0].month == 23
            buckets = {item["bucket"] for item in open_items(session, tenant, "invoice", AS_OF)}
            assert {"current", "1-30", "31-60", "over_90"} <= buckets
            assert {item["bucket"] for item in open_items(session, tenant, "bill", AS_OF)} >= {"current", "1-30"}
            roles = dict(session.execute(select(DirectoryUser.user_id, DirectoryUser.roles)
                                         .where(DirectoryUser.tenant == tenant)).tuples().all())
            for user, role in (("alice", "accountant"), ("carol", "controller"), ("frank", "cfo"),
                               ("sam", "sales_rep"), ("maria", "sales_manager"), ("hana", "hr"),
                               ("eve", "employee"), ("root", "admin")):
                assert role in roles[f"{user}@{tenant}"].split(",")
            statuses = dict(session.execute(select(FiscalPeriod.year * 100 + FiscalPeriod.month, FiscalPeriod.status)
                                            .where(FiscalPeriod.tenant == tenant)).tuples().all())
            assert statuses[202610] == statuses[202609] == statuses[202611] == "open"
            assert statuses[202608] == "closed"
            assert _count(session, Budget, tenant) > 0


def _fingerprint(db: Database) -> dict[tuple[str, str], tuple[int, int]]:
    """Debit and credit totals per account of what the seed posted (other tests add entries of their own)."""
    with db.read() as session:
        rows = session.execute(
            select(JournalLine.tenant, Account.code, func.sum(JournalLine.debit_minor),
                   func.sum(JournalLine.credit_minor))
            .join(Account, Account.id == JournalLine.account_id)
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(JournalEntry.created_by.like("system@%"))
            .group_by(JournalLine.tenant, Account.code)).all()
    return {(t, c): (int(d), int(cr)) for t, c, d, cr in rows}


def test_same_seed_gives_the_same_company_on_both_engines(seeded_sqlite: Database,
                                                          seeded_postgres: Database) -> None:
    assert _fingerprint(seeded_sqlite) == _fingerprint(seeded_postgres)
