"""Posting: the one place ledger lines are written.

A posting writes the entry's lines, flips its status, appends an audit record and an outbox event, all in the
caller's transaction. Exactly-once is enforced three times: the status check under a row lock, the unique
``(entry_id, line_no)`` of lines, and the unique ``(tenant, event_type, aggregate_id)`` of outbox events.
"""

from __future__ import annotations

import datetime as dt
from json.encoder import encode_basestring_ascii
from typing import Any

from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append_many
from erp_core.errors import ErrorCode, Issue, NexusError, validation_error
from erp_core.ledger.models import EntryStatus, JournalEntry, JournalLine
from erp_core.ledger.validation import ValidEntry
from erp_core.outbox import OutboxEvent, event_row
from erp_core.tenancy import insert_rows

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


LINE_COLUMNS = ("tenant", "entry_id", "line_no", "account_id", "currency", "debit_minor", "credit_minor", "entry_date",
                "department", "cost_center", "project")


def line_values(tenant: str, entry_id: str, entry_date: Any, valid: ValidEntry) -> list[tuple[Any, ...]]:
    """The posted lines of an entry as value tuples in ``LINE_COLUMNS`` order (``entry_date`` as stored)."""
    rows = []
    for line in valid.lines:
        dims = line.dimensions
        rows.append((tenant, entry_id, line.line_no, line.account.id, line.currency, line.debit_minor,
                     line.credit_minor, entry_date, dims.get("department"), dims.get("cost_center"),
                     dims.get("project")))
    return rows


def line_rows(tenant: str, entry_id: str, entry_date: dt.date, valid: ValidEntry) -> list[dict[str, Any]]:
    return [dict(zip(LINE_COLUMNS, values, strict=True)) for values in line_values(tenant, entry_id, entry_date, valid)]


def posted_event(entry_id: str, payload_hash: str, reverses_id: str | None, payload_text: str) -> str:
    """The ``gl.journal_entry.posted`` event as JSON text: ids plus the entry's canonical payload (lines included).

    Composed around the already serialised payload: the posting path serialises each document once.
    """
    e = encode_basestring_ascii  # json.dumps's defaults: ASCII, ", " and ": " separators, keys in this order
    reverses = "null" if reverses_id is None else e(reverses_id)
    return (f'{{"entry_id": {e(entry_id)}, "payload_hash": {e(payload_hash)}, "reverses_id": {reverses}, '
            f'"entry": {payload_text}}}')


def post_entry(session: Session, entry: JournalEntry, valid: ValidEntry, actor_id: str,
               approval_id: str | None, now: dt.datetime) -> None:
    """Post a locked, freshly re-validated entry: lines + status + audit record + outbox event."""
    move_entry(entry, EntryStatus.POSTED)
    entry.posted_by, entry.posted_at = actor_id, now
    insert_rows(session, JournalLine, line_rows(entry.tenant, entry.id, entry.entry_date, valid))
    event = posted_event(entry.id, entry.payload_hash, entry.reverses_id, entry.payload)
    insert_rows(session, OutboxEvent, [event_row(entry.tenant, ENTRY_POSTED, "journal_entry", entry.id, event)])
    append_many(session, entry.tenant, [AuditEvent(actor_id, "journal_entry.posted", "journal_entry", entry.id,
                                                   {"payload_hash": entry.payload_hash, "approval_id": approval_id,
                                                    "status": entry.status})])
    session.flush()
