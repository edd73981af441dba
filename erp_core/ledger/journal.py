"""Journal entry services: submit (validate → score → approval policy → post), reverse, read."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from erp_core.approvals import JOURNAL_ENTRY, ApprovalRequest, submit_for_approval
from erp_core.audit import AuditEvent, append, canonical_json, payload_hash
from erp_core.errors import ErrorCode, NexusError, not_found
from erp_core.identity import Actor
from erp_core.ledger.commands import JournalLineIn, PostJournalEntry, ReverseJournalEntry
from erp_core.ledger.context import load_context
from erp_core.ledger.models import EntryStatus, JournalEntry
from erp_core.ledger.ports import AnomalyScorer, DraftLine, EntryDraft
from erp_core.ledger.posting import entry_error
from erp_core.ledger.roles import PREPARERS, REPORT_READERS
from erp_core.ledger.validation import ValidEntry, canonical_payload, validate_entry
from erp_core.money import to_minor
from erp_core.tenancy import as_utc, new_id, require_role, tx_cache, utcnow


@dataclass(frozen=True)
class SubmitResult:
    """``created`` is False for an idempotent replay; ``approval`` is set while the entry awaits approval."""

    entry: JournalEntry
    created: bool
    approval: ApprovalRequest | None


def _by_key(session: Session, tenant: str, key: str) -> JournalEntry | None:
    stmt = select(JournalEntry).where(JournalEntry.tenant == tenant, JournalEntry.idempotency_key == key)
    return session.scalars(stmt).first()


def _replay(session: Session, existing: JournalEntry, digest: str) -> SubmitResult:
    if existing.payload_hash != digest:
        raise NexusError(ErrorCode.IDEMPOTENCY_CONFLICT, f"idempotency key {existing.idempotency_key!r} was already "
                                                         "used for a different journal entry")
    approval = session.get(ApprovalRequest, existing.approval_id) if existing.approval_id else None
    return SubmitResult(existing, False, approval)


def _draft(entry: JournalEntry, valid: ValidEntry, currency: str) -> EntryDraft:
    lines = tuple(DraftLine(line.account.code, line.account.type.value, line.currency, line.debit, line.credit,
                            line.dimensions) for line in valid.lines)
    return EntryDraft(entry.tenant, entry.id, entry.entry_date, entry.memo, entry.created_by, lines,
                      valid.functional_amount, currency, as_utc(entry.created_at))


def _insert_entry(session: Session, entry: JournalEntry) -> None:
    if session.get_bind().dialect.name == "sqlite":
        # BEGIN IMMEDIATE serialises SQLite writers: the key lookup above cannot be overtaken.
        session.add(entry)
        session.flush()
        return
    # On PostgreSQL a concurrent transaction may insert the same key first; a savepoint keeps ours usable.
    with session.begin_nested():
        session.add(entry)
        session.flush()


def submit_journal_entry(cmd: PostJournalEntry, actor: Actor, session: Session, *,
                         scorer: AnomalyScorer | None = None, now: dt.datetime | None = None,
                         reverses_id: str | None = None, source: str = "api",
                         require_human_approval: bool = False) -> SubmitResult:
    """Validate a proposed entry and hand it to the approval policy (roles: accountant, controller, cfo).

    Posts at once when no rule asks for an approver; otherwise leaves it ``pending_approval``.
    ``require_human_approval`` (entries the assistant drafted) always waits: at least the preparer confirms it. A
    replay with the same idempotency key and payload returns the first result; the same key with another payload is
    IDEMPOTENCY_CONFLICT.

    Raises:
        NexusError: FORBIDDEN, VALIDATION_FAILED (every issue listed), PERIOD_CLOSED, IDEMPOTENCY_CONFLICT.
    """
    require_role(actor, PREPARERS, "preparing journal entries")
    payload = canonical_payload(cmd, reverses_id)
    digest = payload_hash(payload)
    existing = _by_key(session, actor.tenant, cmd.idempotency_key)
    if existing is not None:
        return _replay(session, existing, digest)
    ctx = load_context(session, actor.tenant, [line.account_code for line in cmd.lines], [cmd.date])
    valid, issues = validate_entry(cmd, ctx)
    if valid is None:
        raise entry_error(issues)
    entry = JournalEntry(id=new_id(), tenant=actor.tenant, idempotency_key=cmd.idempotency_key, entry_date=cmd.date,
                         memo=cmd.memo, status=EntryStatus.DRAFT.value, payload=canonical_json(payload),
                         payload_hash=digest, source=source, reverses_id=reverses_id, created_by=actor.user_id,
                         functional_amount_minor=to_minor(valid.functional_amount, ctx.functional_currency),
                         created_at=now or utcnow(), anomaly_reasons="[]")
    try:
        _insert_entry(session, entry)
    except IntegrityError:
        # Another transaction committed the same key between our lookup and insert (PostgreSQL): replay it.
        existing = _by_key(session, actor.tenant, cmd.idempotency_key)
        if existing is None:
            raise
        return _replay(session, existing, digest)
    # Later steps of this transaction (policy, posting) reuse the validation instead of repeating it.
    tx_cache(session)[f"journal_entry:{entry.id}"] = valid
    if scorer is not None:
        score, reasons = scorer.score(_draft(entry, valid, ctx.functional_currency), session)
        entry.anomaly_score = min(1.0, max(0.0, float(score)))
        entry.anomaly_reasons = json.dumps([str(reason) for reason in reasons])
    append(session, actor.tenant, AuditEvent(actor.user_id, "journal_entry.submitted", "journal_entry", entry.id,
                                             {"payload_hash": digest, "idempotency_key": cmd.idempotency_key,
                                              "anomaly_score": entry.anomaly_score}))
    result = submit_for_approval(JOURNAL_ENTRY, entry.id, actor, session, now=now,
                                 require_confirmation=require_human_approval)
    return SubmitResult(entry, True, result.approval)


def get_journal_entry(entry_id: str, actor: Actor, session: Session) -> JournalEntry:
    """One entry of the actor's tenant; other tenants' ids are NOT_FOUND (roles: preparers and report readers)."""
    require_role(actor, PREPARERS | REPORT_READERS, "reading journal entries")
    entry = session.scalars(select(JournalEntry).where(JournalEntry.id == entry_id,
                                                       JournalEntry.tenant == actor.tenant)).first()
    if entry is None:
        raise not_found("journal entry", entry_id)
    return entry


def reverse_journal_entry(cmd: ReverseJournalEntry, actor: Actor, session: Session, *,
                          scorer: AnomalyScorer | None = None, now: dt.datetime | None = None,
                          require_human_approval: bool = False) -> SubmitResult:
    """Propose the reversal of a posted entry: a new entry, linked by ``reverses_id``, with sides swapped.

    It follows the same approval policy as any entry. Refused while another reversal of the entry is pending or posted.
    """
    require_role(actor, PREPARERS, "reversing journal entries")
    stmt = select(JournalEntry).where(JournalEntry.id == cmd.entry_id, JournalEntry.tenant == actor.tenant)
    original = session.scalars(stmt.with_for_update()).first()
    if original is None:
        raise not_found("journal entry", cmd.entry_id)
    lines = json.loads(original.payload)["lines"]
    reversal = PostJournalEntry(
        date=cmd.date or original.entry_date, memo=cmd.memo or f"Reversal of: {original.memo}"[:500],
        idempotency_key=cmd.idempotency_key,
        lines=[JournalLineIn(account_code=line["account_code"], currency=line["currency"], debit=line["credit"],
                             credit=line["debit"], dimensions=line["dimensions"] or None) for line in lines])
    existing = _by_key(session, actor.tenant, cmd.idempotency_key)
    if existing is not None:
        return _replay(session, existing, payload_hash(canonical_payload(reversal, original.id)))
    if original.status != EntryStatus.POSTED:
        raise NexusError(ErrorCode.INVALID_STATE, f"only posted entries can be reversed; {original.id} is "
                                                  f"{original.status}")
    other = session.scalar(select(JournalEntry.id).where(
        JournalEntry.tenant == actor.tenant, JournalEntry.reverses_id == original.id,
        JournalEntry.status.in_([EntryStatus.POSTED.value, EntryStatus.PENDING_APPROVAL.value,
                                 EntryStatus.DRAFT.value])))
    if other is not None:
        raise NexusError(ErrorCode.CONFLICT, f"journal entry {original.id} already has reversal {other}")
    return submit_journal_entry(reversal, actor, session, scorer=scorer, now=now, reverses_id=original.id,
                                source="reversal", require_human_approval=require_human_approval)
