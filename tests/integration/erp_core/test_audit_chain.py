"""Tampering with the audit log is detected and the broken record named (service and ``nexus audit verify``)."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from erp_core import ledger
from erp_core.audit import AuditRecord, verify_chain
from erp_core.db import Database

if TYPE_CHECKING:
    from conftest import Company


def seeded(
    db: Database, new_company: Callable[..., Any], make_entry: Callable[..., Any]
) -> tuple[Company, list[SimpleNamespace]]:
    company = new_company(db)
    with db.unit_of_work() as session:
        for i in range(3):
            ledger.submit_journal_entry(make_entry(f"a{i}", "10.00"), company.alice, session)
    with db.read() as session:
        records = [
            SimpleNamespace(id=row.id, seq=row.seq)
            for row in session.scalars(
                select(AuditRecord).where(AuditRecord.tenant == company.tenant).order_by(AuditRecord.seq)
            )
        ]
        assert verify_chain(session, company.tenant) == []
    return company, records


def issues_for(company: Company) -> list[tuple[str, str | None]]:
    with company.db.read() as session:
        return [(issue.code, issue.field) for issue in verify_chain(session, company.tenant)]


def test_edited_record_is_named(db: Database, new_company: Callable[..., Any], make_entry: Callable[..., Any]) -> None:
    company, records = seeded(db, new_company, make_entry)
    victim = records[5]
    with db.unit_of_work() as session:
        session.execute(update(AuditRecord).where(AuditRecord.id == victim.id).values(actor_id="mallory"))
    assert issues_for(company) == [("audit_record_altered", f"audit_log.id={victim.id}")]


def test_deleted_record_is_named(db: Database, new_company: Callable[..., Any], make_entry: Callable[..., Any]) -> None:
    company, records = seeded(db, new_company, make_entry)
    with db.unit_of_work() as session:
        session.execute(delete(AuditRecord).where(AuditRecord.id == records[4].id))
    assert issues_for(company) == [("audit_sequence_broken", f"audit_log.id={records[5].id}")]


def test_reordered_records_are_named(
    db: Database, new_company: Callable[..., Any], make_entry: Callable[..., Any]
) -> None:
    company, records = seeded(db, new_company, make_entry)
    first, second = records[6], records[7]
    with db.unit_of_work() as session:  # swap their positions in the chain
        session.execute(update(AuditRecord).where(AuditRecord.id == first.id).values(seq=-1))
        session.execute(update(AuditRecord).where(AuditRecord.id == second.id).values(seq=first.seq))
        session.execute(update(AuditRecord).where(AuditRecord.id == first.id).values(seq=second.seq))
    assert issues_for(company) == [("audit_link_broken", f"audit_log.id={second.id}")]


def test_cut_tail_is_detected(db: Database, new_company: Callable[..., Any], make_entry: Callable[..., Any]) -> None:
    company, records = seeded(db, new_company, make_entry)
    with db.unit_of_work() as session:
        session.execute(delete(AuditRecord).where(AuditRecord.id == records[-1].id))
    assert [code for code, _ in issues_for(company)] == ["audit_tail_missing"]


@pytest.mark.parametrize("tamper", [False, True])
def test_cli_exit_code_names_the_record(
    sqlite_db: Database, tamper: bool, new_company: Callable[..., Any], make_entry: Callable[..., Any]
) -> None:
    from cli import app

    company, records = seeded(sqlite_db, new_company, make_entry)
    if tamper:
        with sqlite_db.unit_of_work() as session:
            session.execute(update(AuditRecord).where(AuditRecord.id == records[2].id).values(data='{"x":1}'))
    result = CliRunner().invoke(app, ["audit", "verify", "--tenant", company.tenant, "--database-url", sqlite_db.url])
    if tamper:
        assert result.exit_code == 1
        assert f"audit_log.id={records[2].id}" in result.output and "audit_record_altered" in result.output
    else:
        assert result.exit_code == 0, result.output
        assert f"{len(records)} records verified" in result.output
