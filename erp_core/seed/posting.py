"""Posting generated documents through the ledger's validated bulk import, plus their AP/AR subledger rows.

Every GL line goes through ``erp_core.ledger.post_imported_entries`` (same validation as any entry: balanced,
postable accounts, open periods, unique keys; audited; outbox events). Invoices, bills and payments get the same
journal lines ``erp_core.apar.services`` would write for them, and their subledger rows point at the posted entries,
so AP/AR equal their control accounts by construction (the seed's invariant tests check it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from erp_core.apar.models import Bill, Invoice, Payment
from erp_core.audit import AuditEvent, append_many
from erp_core.identity import Actor
from erp_core.ledger import JournalLineIn, PostJournalEntry, post_imported_entries
from erp_core.money import fmt, from_minor
from erp_core.seed.ledger_data import Doc

AP_CONTROL, AR_CONTROL = "2010", "1100"


def _lines(doc: Doc) -> list[tuple[str, int, int, str | None]]:
    if doc.kind == "invoice":
        return [(AR_CONTROL, doc.amount, 0, doc.department), (doc.account or "", 0, doc.amount, doc.department)]
    if doc.kind == "bill":
        return [(doc.account or "", doc.amount, 0, doc.department), (AP_CONTROL, 0, doc.amount, doc.department)]
    if doc.kind == "payment":
        assert doc.pays is not None
        if doc.pays.kind == "bill":
            return [(AP_CONTROL, doc.amount, 0, None), ("1010", 0, doc.amount, None)]
        return [("1010", doc.amount, 0, None), (AR_CONTROL, 0, doc.amount, None)]
    return doc.lines


def command(doc: Doc, currency: str) -> PostJournalEntry:
    def amount(minor: int) -> Decimal | None:
        return from_minor(minor, currency) if minor else None

    return PostJournalEntry(date=doc.date, memo=doc.memo, idempotency_key=doc.key, lines=[
        JournalLineIn(account_code=code, debit=amount(debit), credit=amount(credit), currency=currency,
                      dimensions={"department": dept} if dept else None)
        for code, debit, credit, dept in _lines(doc)])


def post_documents(session: Session, actor: Actor, docs: list[Doc], currency: str, posted_at: dt.datetime,
                   party_ids: dict[tuple[str, str], int]) -> None:
    """Post ``docs`` (one import batch per source kind) and write their subledger rows and audit records."""
    by_kind: dict[str, list[Doc]] = defaultdict(list)
    for doc in docs:
        by_kind[doc.kind].append(doc)
    for kind in ("journal", "invoice", "bill", "payment"):
        batch = by_kind.get(kind, [])
        if not batch:
            continue
        ids = post_imported_entries([command(d, currency) for d in batch], actor, session, source=kind,
                                    posted_at=posted_at)
        for doc, entry_id in zip(batch, ids, strict=True):
            doc.entry_id = entry_id
        if kind != "journal":
            _subledger_rows(session, actor, kind, batch, currency, posted_at, party_ids)


def _subledger_rows(session: Session, actor: Actor, kind: str, docs: list[Doc], currency: str,
                    moment: dt.datetime, party_ids: dict[tuple[str, str], int]) -> None:
    rows: list[dict[str, Any]] = []
    audits = []
    for doc in docs:
        common = {"id": doc.doc_id, "tenant": actor.tenant, "currency": currency, "amount_minor": doc.amount,
                  "journal_entry_id": doc.entry_id, "created_by": actor.user_id, "created_at": moment}
        if kind == "payment":
            assert doc.pays is not None
            rows.append(common | {"kind": doc.pays.kind, "document_id": doc.pays.doc_id,
                                  "payment_date": doc.date, "idempotency_key": doc.key.removeprefix("payment:")})
            audits.append(AuditEvent(actor.user_id, "payment.recorded", "payment", doc.doc_id,
                                     {"kind": doc.pays.kind, "document_id": doc.pays.doc_id,
                                      "amount": fmt(from_minor(doc.amount, currency)),
                                      "journal_entry_id": doc.entry_id}))
            continue
        party_column = "vendor_id" if kind == "bill" else "customer_id"
        rows.append(common | {party_column: party_ids[(kind, doc.party or "")], "number": doc.number,
                              "doc_date": doc.date, "due_date": doc.due, "memo": doc.memo})
        audits.append(AuditEvent(actor.user_id, f"{kind}.recorded", kind, doc.doc_id,
                                 {"number": doc.number, "amount": fmt(from_minor(doc.amount, currency)),
                                  "journal_entry_id": doc.entry_id}))
    model = {"invoice": Invoice, "bill": Bill, "payment": Payment}[kind]
    session.execute(insert(model), rows)
    append_many(session, actor.tenant, audits)
