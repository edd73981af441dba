"""Posting: the one place ledger lines are written.

A posting writes the entry's lines, flips its status, appends an audit record and an outbox event, all in the
caller's transaction. Exactly-once is enforced three times: the status check under a row lock, the unique
``(entry_id, line_no)`` of lines, and the unique ``(tenant, event_type, aggregate_id)`` of outbox events.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append_many
from erp_core.errors import ErrorCode, Issue, NexusError, validation_error
from erp_core.ledger.models import EntryStatus, JournalEntry, JournalLine
from erp_core.ledger.validation import ValidEntry
from erp_core.money import fmt, to_minor
from erp_core.outbox import OutboxEvent, event_row

ENTRY_POSTED = "gl.journal_entry.posted"

ALLOWED_ENTRY_TRANSITIONS: dict[str, frozenset[str]] = {
    EntryStatus.DRAFT: frozenset({EntryStatus.PENDING_APPROVAL, EntryStatus.POSTED, EntryStatus.REJECTED}),
    EntryStatus.PENDING_APPROVAL: frozenset({EntryStatus.POSTED, EntryStatus.REJECTED}),
    EntryStatus.POSTED: frozenset(),
    EntryStatus.REJECTED: frozenset(),
}


def move_entry(entry: JournalEntry, new: EntryStatus) -> None:
    """Change an entry's status along an allowed edge, or raise INVALID_STATE (409)."""
    if new not in ALLOWED_ENTRY_TRANSITIONS[EntryStatus(entry.status)]:
        raise NexusError(ErrorCode.INVALID_STATE, f"journal entry {entry.id} is {entry.status}; it cannot become "
                                                  f"{new.value}")
    entry.status = new.value


def entry_error(issues: list[Issue]) -> NexusError:
    """A closed period alone is a business refusal (409); anything else is a fixable validation error (422)."""
    if issues and all(issue.code == "period_closed" for issue in issues):
        return NexusError(ErrorCode.PERIOD_CLOSED, issues[0].message, issues=issues)
    return validation_error(issues)


def line_rows(tenant: str, entry_id: str, entry_date: dt.date, valid: ValidEntry) -> list[dict[str, Any]]:
    return [{"tenant": tenant, "entry_id": entry_id, "line_no": line.line_no, "account_id": line.account.id,
             "currency": line.currency, "debit_minor": to_minor(line.debit, line.currency),
             "credit_minor": to_minor(line.credit, line.currency), "entry_date": entry_date,
             "department": line.dimensions.get("department"), "cost_center": line.dimensions.get("cost_center"),
             "project": line.dimensions.get("project")} for line in valid.lines]


def posted_event(entry: JournalEntry | dict[str, Any], valid: ValidEntry) -> dict[str, Any]:
    fields = entry if isinstance(entry, dict) else {name: getattr(entry, name) for name in
                                                    ("id", "entry_date", "memo", "payload_hash", "reverses_id")}
    return {"entry_id": fields["id"], "date": fields["entry_date"].isoformat(), "memo": fields["memo"],
            "payload_hash": fields["payload_hash"], "reverses_id": fields["reverses_id"],
            "lines": [{"account_code": line.account.code, "currency": line.currency, "debit": fmt(line.debit),
                       "credit": fmt(line.credit)} for line in valid.lines]}


def post_entry(session: Session, entry: JournalEntry, valid: ValidEntry, actor_id: str,
               approval_id: str | None, now: dt.datetime) -> None:
    """Post a locked, freshly re-validated entry: lines + status + audit record + outbox event."""
    move_entry(entry, EntryStatus.POSTED)
    entry.posted_by, entry.posted_at = actor_id, now
    session.execute(insert(JournalLine), line_rows(entry.tenant, entry.id, entry.entry_date, valid))
    session.execute(insert(OutboxEvent), [event_row(entry.tenant, ENTRY_POSTED, "journal_entry", entry.id,
                                                    posted_event(entry, valid))])
    append_many(session, entry.tenant, [AuditEvent(actor_id, "journal_entry.posted", "journal_entry", entry.id,
                                                   {"payload_hash": entry.payload_hash, "approval_id": approval_id,
                                                    "status": entry.status})])
    session.flush()
