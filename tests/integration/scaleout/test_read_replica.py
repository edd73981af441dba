"""Read replicas: with NEXUS_DATABASE_READ_URL set, reports and read-only tools read the replica, writes always go to
the primary. Two PostgreSQL databases stand in for primary and replica; ``replicate`` copies the primary's rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select

from erp_core import migrations
from erp_core.db import Database
from erp_core.identity import Actor
from erp_core.ledger import JournalEntry

pytestmark = pytest.mark.postgres
TENANT = "acme"


def entries_in(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(JournalEntry)) or 0)
    finally:
        engine.dispose()


@pytest.fixture()
def primary_and_replica(pg_database_factory: Any, kit: Any) -> tuple[str, str]:
    primary, replica = pg_database_factory("nexus_primary"), pg_database_factory("nexus_replica")
    for url in (primary, replica):
        migrations.upgrade(url)
    db = Database(primary)
    kit.setup_books(db, TENANT)
    kit.post_small_entry(db, TENANT, "100.00", "Paper")
    db.dispose()
    kit.replicate(primary, replica)
    return primary, replica


@pytest.fixture()
def client(primary_and_replica: tuple[str, str], tmp_path: Path) -> Iterator[tuple[TestClient, Any]]:
    from server.app import create_app
    from server.bootstrap import build_container
    from server.settings import Settings

    primary, replica = primary_and_replica
    settings = Settings(data_dir=tmp_path, database_url=primary, database_read_url=replica,
                        notifications_enabled=False, rate_limit_enabled=False, _env_file=None)  # type: ignore[call-arg]
    container = build_container(settings, migrate=False)
    assert container.dev_issuer is not None
    with TestClient(create_app(container, load_model=False)) as http:
        yield http, container


def bearer(container: Any, user: str, roles: str) -> dict[str, str]:
    token = container.dev_issuer.issue(f"{user}@{TENANT}", TENANT, roles.split(","))
    return {"Authorization": f"Bearer {token}"}


def rent_balance(http: TestClient, headers: dict[str, str]) -> str:
    response = http.get("/v1/gl/accounts/6100/balance", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["balance"])


def test_writes_go_to_the_primary_and_reports_read_the_replica(client: tuple[TestClient, Any], kit: Any,
                                                               primary_and_replica: tuple[str, str]) -> None:
    http, container = client
    primary, replica = primary_and_replica
    alice = bearer(container, "alice", "accountant,employee")
    before = rent_balance(http, alice)

    body = {"date": "2026-10-06", "memo": "Printer toner", "idempotency_key": "toner-1",
            "lines": [{"account_code": "6100", "debit": "250.00", "currency": "USD"},
                      {"account_code": "1010", "credit": "250.00", "currency": "USD"}]}
    posted = http.post("/v1/gl/journal-entries", json=body, headers=alice)
    assert posted.status_code == 201, posted.text
    assert posted.json()["status"] == "posted"
    assert (entries_in(primary), entries_in(replica)) == (2, 1)  # the write went to the primary only

    assert rent_balance(http, alice) == before  # the report read the replica, which has not caught up
    trial = http.get("/v1/gl/trial-balance", headers=alice, params={"as_of": "2026-10-31"})
    assert trial.status_code == 200

    kit.replicate(primary, replica)  # replication catches up
    assert rent_balance(http, alice) != before
    assert (entries_in(primary), entries_in(replica)) == (2, 2)


def test_read_only_tools_use_the_replica(primary_and_replica: tuple[str, str], kit: Any) -> None:
    from tools.catalog import load_all
    from tools.context import ToolContext

    primary, replica = primary_and_replica
    db = Database(primary, read_url=replica)
    try:
        kit.post_small_entry(db, TENANT, "999.00", "Only on the primary")
        actor = Actor.of(f"alice@{TENANT}", TENANT, "accountant,employee")
        ctx = ToolContext(actor=actor, db=db, today=dt.date(2026, 10, 31))
        balance_tool = load_all().get("account_balance")
        query = balance_tool.args.model_validate({"account": "6100"})
        before = balance_tool.run(ctx, query).data["balance"]
        kit.replicate(primary, replica)
        after = balance_tool.run(ctx, query).data["balance"]
        assert (entries_in(primary), entries_in(replica)) == (2, 2)
        assert before != after
    finally:
        db.dispose()
