"""Resolvers that read the seeded company: people, customers, vendors, deals, departments and tickets."""

from __future__ import annotations

import datetime as dt

import pytest

from erp_core.db import Database
from erp_core.errors import ErrorCode, ErrorKind, NexusError
from erp_core.resolve.departments import resolve_department_name
from erp_core.resolve.parties import resolve_customer, resolve_opportunity, resolve_vendor
from erp_core.resolve.people import resolve_employee
from erp_core.resolve.tickets import resolve_ticket
from tests.integration.tools.conftest import acme


@pytest.mark.parametrize(("said", "name"), [
    ("me", "Alice Morgan"), ("my", "Alice Morgan"), ("", "Alice Morgan"), ("my manager", "Carol Jensen"),
    ("Maria", "Maria Alvarez"), ("maria@acme", "Maria Alvarez"), ("maria@acme.example", "Maria Alvarez"),
    ("Maria Alvarez", "Maria Alvarez"), ("maria alvarez", "Maria Alvarez"), ("Maria Alvares", "Maria Alvarez"),
    ("Diane Whitfeld", "Diane Whitfield"), ("Alvarez", "Maria Alvarez"),
    ("E00003", "Maria Alvarez"), ("Grace Liu", "Grace Liu"), ("Carol's manager", "Frank Okafor"),
    ("manager of Eve", "Paul Taylor"), ("eve", "Eve Novak"),
])
def test_people(seeded_read_db: Database, said: str, name: str) -> None:
    with seeded_read_db.read() as session:
        assert resolve_employee(session, acme("alice", "accountant"), said).full_name == name


def test_a_shared_first_name_is_ambiguous_with_candidates(seeded_read_db: Database) -> None:
    with seeded_read_db.read() as session, pytest.raises(NexusError) as err:
        resolve_employee(session, acme("alice", "accountant"), "Mary")
    assert err.value.code is ErrorCode.AMBIGUOUS_NAME and err.value.kind is ErrorKind.FIXABLE
    assert len(err.value.candidates) >= 2 and all("Mary" in c for c in err.value.candidates)


def test_an_unknown_person_is_fixable_with_candidates(seeded_read_db: Database) -> None:
    with seeded_read_db.read() as session, pytest.raises(NexusError) as err:
        resolve_employee(session, acme("alice", "accountant"), "Zebulon Quxworth")
    assert err.value.code is ErrorCode.UNKNOWN_NAME and err.value.candidates


@pytest.mark.parametrize(("said", "code"), [
    ("Northwind", "C0001"), ("northwind logistics", "C0001"), ("C0002", "C0002"), ("Contoso", "C0002"),
    ("Umbrella Pharma", "C0004"), ("soylent", "C0009")])
def test_customers(seeded_read_db: Database, said: str, code: str) -> None:
    with seeded_read_db.read() as session:
        assert resolve_customer(session, acme("maria", "sales_manager"), said).code == code


def test_a_rep_resolves_only_their_own_customers(seeded_read_db: Database) -> None:
    sam = acme("sam", "sales_rep")
    with seeded_read_db.read() as session:
        assert resolve_customer(session, sam, "Soylent Foods").owner_user_id == "sam@acme"
        with pytest.raises(NexusError) as err:
            resolve_customer(session, sam, "Northwind Logistics")  # owned by another rep
        assert err.value.code is ErrorCode.UNKNOWN_NAME
        assert not any("Northwind" in c for c in err.value.candidates)
        with pytest.raises(NexusError) as refused:
            resolve_customer(session, acme("eve"), "Northwind")
        assert refused.value.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize(("said", "code"), [
    ("the landlord", "V0002"), ("Silicon Valley Realty", "V0002"), ("V0003", "V0003"), ("CloudScale", "V0003"),
    ("Baker and Lowe", "V0004")])
def test_vendors(seeded_read_db: Database, said: str, code: str) -> None:
    with seeded_read_db.read() as session:
        assert resolve_vendor(session, "acme", said).code == code


def test_deals_by_id_and_name(seeded_read_db: Database) -> None:
    sam = acme("sam", "sales_rep")
    with seeded_read_db.read() as session:
        assert resolve_opportunity(session, sam, "587").id == 587
        assert resolve_opportunity(session, sam, "deal 587").id == 587
        assert resolve_opportunity(session, sam, "OPP-587").id == 587
        assert resolve_opportunity(session, sam, "Falcon - Fleet renewal 587").id == 587
        with pytest.raises(NexusError) as err:
            resolve_opportunity(session, sam, "1")  # another rep's deal looks like no deal
        assert err.value.code is ErrorCode.NOT_FOUND


@pytest.mark.parametrize(("said", "code"), [
    ("engineering", "ENG"), ("ENG", "ENG"), ("Engineering", "ENG"), ("the people team", "HR"), ("people", "HR"),
    ("finance", "FIN"), ("sales", "SALES"), ("marketing department", "MKT"), ("operations", "OPS")])
def test_departments(seeded_read_db: Database, said: str, code: str) -> None:
    with seeded_read_db.read() as session:
        assert resolve_department_name(session, "acme", said).code == code


def test_unknown_department_lists_candidates(seeded_read_db: Database) -> None:
    with seeded_read_db.read() as session, pytest.raises(NexusError) as err:
        resolve_department_name(session, "acme", "quantum research lab")
    assert err.value.kind is ErrorKind.FIXABLE and err.value.candidates


@pytest.mark.parametrize("said", ["TCK-000095", "tck-95", "ticket 95", "#95", "95"])
def test_tickets(seeded_read_db: Database, said: str) -> None:
    with seeded_read_db.read() as session:
        assert resolve_ticket(session, "acme", said).number == "TCK-000095"


def test_unknown_ticket(seeded_read_db: Database) -> None:
    with seeded_read_db.read() as session:
        with pytest.raises(NexusError) as missing:
            resolve_ticket(session, "acme", "TCK-999999")
        assert missing.value.code is ErrorCode.NOT_FOUND
        with pytest.raises(NexusError) as bad:
            resolve_ticket(session, "acme", "the printer one")
        assert bad.value.code is ErrorCode.VALIDATION_FAILED


@pytest.mark.parametrize("request_text", [
    "Post the November rent accrual of 42000", "Accrue 8,500 of professional fees for the November audit work",
    "Record depreciation of 12,000 for November", "Book 1,500 of travel paid from cash",
    "Post the December utilities accrual of 12k"])
def test_drafted_entries_resolve_against_the_demo_chart(seeded_read_db: Database, request_text: str) -> None:
    """The account names a drafted entry uses are ones the ledger's resolver knows, on the side they belong."""
    from erp_core.resolve.entry_drafts import draft_entry
    from erp_core.resolve.journal import DraftJournalEntry, resolve_journal_entry

    drafted = draft_entry(request_text)
    assert drafted is not None
    draft = DraftJournalEntry(memo=request_text, **drafted)
    with seeded_read_db.read() as session:
        entry = resolve_journal_entry(draft, session, "acme", dt.date(2026, 11, 16), key_prefix="test")
    debit, credit = entry.lines
    assert debit.account_code[:1] in "56" and debit.debit == credit.credit  # an expense against a balance account
    assert credit.account_code[:1] in "12"
