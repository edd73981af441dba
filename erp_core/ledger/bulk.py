"""Bulk validation and posting for imports (and the demo seed): every issue at once, then one batched write."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append_many, canonical_json
from erp_core.audit.hashing import sha256_hex
from erp_core.errors import Issue, validation_error
from erp_core.identity import Actor
from erp_core.ledger.commands import PostJournalEntry
from erp_core.ledger.context import load_context
from erp_core.ledger.models import EntryStatus, JournalEntry, JournalLine
from erp_core.ledger.posting import ENTRY_POSTED, line_rows, posted_event
from erp_core.ledger.roles import IMPORTERS
from erp_core.ledger.validation import ValidEntry, valid_payload, validate_entry
from erp_core.money import to_minor
from erp_core.outbox import OutboxEvent, event_row
from erp_core.tenancy import insert_rows, new_id, require_role, utcnow

_KEY_CHUNK = 500


def validate_entries(commands: Sequence[PostJournalEntry], actor: Actor,
                     session: Session) -> tuple[list[ValidEntry | None], list[Issue], str]:
    """Check a batch against the ledger and against itself; returns per-entry results, all issues and the
    functional currency. Issue fields are prefixed ``entries[i].``."""
    issues: list[Issue] = []
    keys = [cmd.idempotency_key for cmd in commands]
    for key, count in Counter(keys).items():
        if count > 1:
            issues.append(Issue("duplicate_idempotency_key", f"idempotency key {key!r} appears {count} times in the "
                                "batch", "entries"))
    unique_keys = sorted(set(keys))
    for start in range(0, len(unique_keys), _KEY_CHUNK):
        chunk = unique_keys[start:start + _KEY_CHUNK]
        used = session.scalars(select(JournalEntry.idempotency_key).where(
            JournalEntry.tenant == actor.tenant, JournalEntry.idempotency_key.in_(chunk)))
        issues.extend(Issue("duplicate_idempotency_key", f"idempotency key {key!r} is already used", "entries")
                      for key in used)
    ctx = load_context(session, actor.tenant, (line.account_code for cmd in commands for line in cmd.lines),
                       (cmd.date for cmd in commands))
    results: list[ValidEntry | None] = []
    for index, cmd in enumerate(commands):
        valid, found = validate_entry(cmd, ctx, prefix=f"entries[{index}].")
        results.append(valid)
        issues.extend(found)
    return results, issues, ctx.functional_currency


def post_imported_entries(commands: Sequence[PostJournalEntry], actor: Actor, session: Session, *,
                          source: str = "import", posted_at: dt.datetime | None = None) -> list[str]:
    """Validate and post a batch of historical or imported entries without approval (roles: admin, system).

    All or nothing: any issue in any entry raises VALIDATION_FAILED listing every issue, and nothing is written.
    Each entry still gets its posted lines, an audit record and an outbox event. Returns the new entry ids.
    """
    require_role(actor, IMPORTERS, "importing journal entries")
    results, issues, currency = validate_entries(commands, actor, session)
    if issues:
        raise validation_error(issues, f"{len(issues)} issues in a batch of {len(commands)} entries")
    moment = posted_at or utcnow()
    entries: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    audits: list[AuditEvent] = []
    for cmd, valid in zip(commands, results, strict=True):
        assert valid is not None  # no issues means every entry validated
        text = canonical_json(valid_payload(cmd, valid))
        digest = sha256_hex(text)
        entry_id = new_id()
        row: dict[str, Any] = {"id": entry_id, "tenant": actor.tenant, "idempotency_key": cmd.idempotency_key,
               "entry_date": cmd.date, "memo": cmd.memo, "status": EntryStatus.POSTED.value,
               "payload": text, "payload_hash": digest,
               "functional_amount_minor": to_minor(valid.functional_amount, currency), "source": source,
               "reverses_id": None, "anomaly_score": None, "anomaly_reasons": "[]", "approval_id": None,
               "created_by": actor.user_id, "created_at": moment, "posted_by": actor.user_id, "posted_at": moment,
               "rejected_reason": None}
        entries.append(row)
        lines.extend(line_rows(actor.tenant, entry_id, cmd.date, valid))
        events.append(event_row(actor.tenant, ENTRY_POSTED, "journal_entry", entry_id,
                                posted_event(entry_id, digest, None, text), moment))
        audits.append(AuditEvent(actor.user_id, "journal_entry.posted", "journal_entry", entry_id,
                                 {"payload_hash": digest, "approval_id": None, "status": "posted",
                                  "source": source}))
    if entries:
        insert_rows(session, JournalEntry, entries)
        insert_rows(session, JournalLine, lines)
        insert_rows(session, OutboxEvent, events)
        append_many(session, actor.tenant, audits)
    return [row["id"] for row in entries]
