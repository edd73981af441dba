"""Journal entries as an approvable document type."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.approvals.registry import DocumentSnapshot
from erp_core.audit import AuditEvent, append
from erp_core.errors import ErrorCode, NexusError, not_found
from erp_core.identity import Actor
from erp_core.ledger.commands import JournalLineIn, PostJournalEntry
from erp_core.ledger.context import load_context
from erp_core.ledger.models import Account, EntryStatus, JournalEntry
from erp_core.ledger.posting import entry_error, move_entry, post_entry
from erp_core.ledger.validation import ValidEntry, validate_entry
from erp_core.money import fmt, from_minor
from erp_core.tenancy import functional_currency, tx_cache, utcnow


def command_of(entry: JournalEntry) -> PostJournalEntry:
    """Rebuild the command from the stored canonical payload (what was approved is what gets posted)."""
    payload = json.loads(entry.payload)
    return PostJournalEntry(
        date=entry.entry_date, memo=payload["memo"], idempotency_key=entry.idempotency_key,
        lines=[JournalLineIn(account_code=line["account_code"], currency=line["currency"],
                             debit=Decimal(line["debit"]) if line["debit"] else None,
                             credit=Decimal(line["credit"]) if line["credit"] else None,
                             dimensions=line["dimensions"] or None) for line in payload["lines"]])


def _entry(session: Session, tenant: str, entry_id: str, *, lock: bool = False) -> JournalEntry:
    entry: JournalEntry | None
    if not lock or f"journal_entry:{entry_id}" in tx_cache(session):
        # Unlocked reads and rows this very transaction inserted (hence holds) come from the identity map.
        entry = session.get(JournalEntry, entry_id)
    else:
        stmt = select(JournalEntry).where(JournalEntry.id == entry_id).with_for_update()
        entry = session.scalars(stmt).first()
    if entry is None or entry.tenant != tenant:
        raise not_found("journal entry", entry_id)
    return entry


def revalidate(session: Session, entry: JournalEntry) -> ValidEntry:
    """Validate again against today's ledger: the period may have closed or an account been deactivated since.

    An entry submitted in this same transaction was validated moments ago under the same locks; that result stands.
    """
    cached = tx_cache(session).get(f"journal_entry:{entry.id}")
    if isinstance(cached, ValidEntry):
        return cached
    cmd = command_of(entry)
    ctx = load_context(session, entry.tenant, [line.account_code for line in cmd.lines], [cmd.date])
    valid, issues = validate_entry(cmd, ctx)
    if valid is None:
        raise entry_error(issues)
    return valid


class JournalEntryHandler:
    def load(self, session: Session, tenant: str, document_id: str) -> DocumentSnapshot:
        entry = _entry(session, tenant, document_id)
        payload = json.loads(entry.payload)
        cached = tx_cache(session).get(f"journal_entry:{entry.id}")
        if isinstance(cached, ValidEntry):
            classes = set(cached.account_types)
        else:
            codes = {line["account_code"] for line in payload["lines"]}
            classes = set(session.scalars(select(Account.type).where(Account.tenant == tenant,
                                                                     Account.code.in_(codes))))
        currency = functional_currency(session, tenant)
        amount = from_minor(entry.functional_amount_minor, currency)
        return DocumentSnapshot(
            document_id=entry.id, payload=payload, preparer_id=entry.created_by, amount=amount, currency=currency,
            account_classes=frozenset(classes), anomaly_score=entry.anomaly_score,
            flags=frozenset({"reversal"} if entry.reverses_id else set()),
            summary=f"Journal entry {entry.entry_date}: {entry.memo[:200]} ({fmt(amount)} {currency})")

    def on_submitted(self, session: Session, tenant: str, document_id: str, approval_id: str) -> None:
        entry = _entry(session, tenant, document_id, lock=True)
        move_entry(entry, EntryStatus.PENDING_APPROVAL)
        entry.approval_id = approval_id

    def on_approved(self, session: Session, tenant: str, document_id: str, actor: Actor,
                    approval_id: str | None) -> None:
        entry = _entry(session, tenant, document_id, lock=True)
        if entry.status == EntryStatus.POSTED:
            raise NexusError(ErrorCode.INVALID_STATE, f"journal entry {entry.id} is already posted")
        if entry.reverses_id is not None:
            posted = session.scalar(select(JournalEntry.id).where(
                JournalEntry.reverses_id == entry.reverses_id, JournalEntry.status == EntryStatus.POSTED.value))
            if posted is not None:
                raise NexusError(ErrorCode.CONFLICT, f"entry {entry.reverses_id} was already reversed by {posted}")
        post_entry(session, entry, revalidate(session, entry), actor.user_id, approval_id, utcnow())

    def on_rejected(self, session: Session, tenant: str, document_id: str, actor: Actor, reason: str) -> None:
        entry = _entry(session, tenant, document_id, lock=True)
        move_entry(entry, EntryStatus.REJECTED)
        entry.rejected_reason = reason[:500]
        append(session, tenant, AuditEvent(actor.user_id, "journal_entry.rejected", "journal_entry", entry.id,
                                           {"reason": reason[:500], "payload_hash": entry.payload_hash}))
