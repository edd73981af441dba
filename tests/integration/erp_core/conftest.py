"""Ledger test fixtures: one database per backend per session, a fresh tenant per test.

Tenants isolate every row, so tests share a database and stay independent; the same tests run on SQLite and on
PostgreSQL (``backend`` parameter).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from erp_core import ledger
from erp_core.approvals import install_default_policies
from erp_core.db import Database
from erp_core.identity import Actor
from erp_core.ledger import CreateAccount, JournalLineIn, PeriodRef, PostJournalEntry
from erp_core.tenancy import ensure_tenant

CHART = [
    ("1000", "Assets", "asset", None, False),
    ("1010", "Cash - Operating", "asset", "1000", True),
    ("1100", "Accounts Receivable", "asset", "1000", True),
    ("1500", "Equipment", "asset", "1000", True),
    ("2000", "Liabilities", "liability", None, False),
    ("2010", "Accounts Payable", "liability", "2000", True),
    ("3000", "Equity", "equity", None, False),
    ("3010", "Share Capital", "equity", "3000", True),
    ("4000", "Revenue", "revenue", None, False),
    ("4010", "Product Revenue", "revenue", "4000", True),
    ("6000", "Operating expenses", "expense", None, False),
    ("6100", "Rent Expense", "expense", "6000", True),
    ("6200", "Travel Expense", "expense", "6000", True),
]
OPEN_MONTHS = [(2026, 9), (2026, 10)]


def _make_db(url: str) -> Database:
    from erp_core.migrations import upgrade

    upgrade(url)
    return Database(url)


@pytest.fixture(scope="session")
def sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path: Path = tmp_path_factory.mktemp("ledger") / "ledger.db"
    db = _make_db(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def postgres_db(pg_database_factory: Callable[[str], str]) -> Iterator[Database]:
    db = _make_db(pg_database_factory("nexus_ledger"))
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue(f"{request.param}_db")  # type: ignore[no-any-return]


@dataclass
class Company:
    """A fresh tenant with the test chart, two open months, the demo policy and its people."""

    db: Database
    tenant: str

    def actor(self, name: str, roles: str) -> Actor:
        return Actor.of(f"{name}@{self.tenant}", self.tenant, roles)

    @property
    def alice(self) -> Actor:
        return self.actor("alice", "accountant,employee")

    @property
    def carol(self) -> Actor:
        return self.actor("carol", "controller,employee")

    @property
    def frank(self) -> Actor:
        return self.actor("frank", "cfo,employee")

    @property
    def root(self) -> Actor:
        return self.actor("root", "admin,employee")


def setup_company(db: Database, tenant: str | None = None, currency: str = "USD") -> Company:
    company = Company(db, tenant or f"t{uuid.uuid4().hex[:12]}")
    with db.unit_of_work() as session:
        ensure_tenant(session, company.tenant, functional_currency=currency)
        install_default_policies(session, company.tenant)
        for code, name, kind, parent, postable in CHART:
            ledger.create_account(
                CreateAccount(code=code, name=name, type=kind, parent_code=parent, postable=postable),
                company.root,
                session,
            )
        for year, month in OPEN_MONTHS:
            ledger.open_period(PeriodRef(year=year, month=month), company.alice, session)
    return company


@pytest.fixture()
def company(db: Database) -> Company:
    return setup_company(db)


def entry(
    key: str,
    amount: str,
    *,
    debit: str = "6100",
    credit: str = "1010",
    day: dt.date = dt.date(2026, 10, 5),
    currency: str = "USD",
    memo: str = "test entry",
) -> PostJournalEntry:
    """A two-line entry moving ``amount`` from ``credit`` to ``debit``."""
    return PostJournalEntry(
        date=day,
        memo=memo,
        idempotency_key=key,
        lines=[
            JournalLineIn(account_code=debit, debit=amount, currency=currency),
            JournalLineIn(account_code=credit, credit=amount, currency=currency),
        ],
    )


@pytest.fixture()
def make_entry() -> Callable[..., PostJournalEntry]:
    """The ``entry`` helper (test modules are not importable from each other under importlib mode)."""
    return entry


@pytest.fixture()
def new_company() -> Callable[..., Company]:
    """``setup_company(db, tenant=None, currency="USD")``: another fresh tenant."""
    return setup_company
