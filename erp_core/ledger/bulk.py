"""Bulk validation and posting for imports (and the demo seed): every issue at once, then one batched write."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append_many
from erp_core.audit.hashing import sha256_hex
from erp_core.db import insert_tuples, stored_temporal
from erp_core.errors import Issue, validation_error
from erp_core.identity import Actor
from erp_core.ledger.commands import PostJournalEntry
from erp_core.ledger.context import load_context
from erp_core.ledger.models import EntryStatus, JournalEntry, JournalLine
from erp_core.ledger.posting import ENTRY_POSTED, LINE_COLUMNS, line_values, posted_event
from erp_core.ledger.roles import IMPORTERS
from erp_core.ledger.validation import ValidEntry, valid_payload_text, validate_entry
from erp_core.money import to_minor
from erp_core.outbox import OutboxEvent
from erp_core.tenancy import new_id, require_role, utcnow

_KEY_CHUNK = 500
# Columns a bulk posting writes; the others (reverses_id, rejected_reason, published_at) are NULL for a bulk-posted
# entry and its event (anomaly_score too, unless the caller scored the entries).
_ENTRY_COLUMNS = ("id", "tenant", "idempotency_key", "entry_date", "memo", "status", "payload", "payload_hash",
                  "functional_amount_minor", "source", "anomaly_reasons", "created_by", "created_at", "posted_by",
                  "posted_at", "approval_id", "anomaly_score")
_EVENT_COLUMNS = ("tenant", "event_type", "aggregate_type", "aggregate_id", "payload", "created_at")
# PostgreSQL: one probe of the (tenant, idempotency_key) unique index per key, whatever the statistics say. With an
# IN list the planner may instead read every entry of the tenant and compare each with the whole list (stale
# statistics right after a large import make the tenant look small; a prepared generic plan does not hash the list):
# that cost grew with the ledger and was most of a bulk import's time.
_USED_KEYS_PG = text(
    "SELECT e.idempotency_key FROM unnest(CAST(:keys AS varchar[])) AS k(key) CROSS JOIN LATERAL "
    "(SELECT idempotency_key FROM gl_journal_entries WHERE tenant = :tenant AND idempotency_key = k.key LIMIT 1) AS e")
_STORED_PG = text(
    "SELECT e.idempotency_key, e.id, e.payload_hash, e.status, e.approval_id FROM unnest(CAST(:keys AS varchar[])) "
    "AS k(key) CROSS JOIN LATERAL (SELECT idempotency_key, id, payload_hash, status, approval_id FROM "
    "gl_journal_entries WHERE tenant = :tenant AND idempotency_key = k.key LIMIT 1) AS e")


def _used_keys(session: Session, tenant: str, keys: list[str]) -> list[str]:
    """Which of ``keys`` (distinct) the tenant has already used, sorted."""
    if not keys:
        return []
    if session.get_bind().dialect.name == "postgresql":
        return sorted(session.scalars(_USED_KEYS_PG, {"keys": keys, "tenant": tenant}))
    used: list[str] = []
    for start in range(0, len(keys), _KEY_CHUNK):
        chunk = keys[start:start + _KEY_CHUNK]
        used.extend(session.scalars(select(JournalEntry.idempotency_key).where(
            JournalEntry.tenant == tenant, JournalEntry.idempotency_key.in_(chunk))))
    return sorted(used)


def validate_entries(commands: Sequence[PostJournalEntry], actor: Actor, session: Session, *,
                     check_used_keys: bool = True) -> tuple[list[ValidEntry | None], list[Issue], str]:
    """Check a batch against the ledger and against itself; returns per-entry results, all issues and the
    functional currency. Issue fields are prefixed ``entries[i].``. ``check_used_keys=False`` is for callers that
    already set aside the keys the ledger holds (``stored_entries``)."""
    issues: list[Issue] = []
    keys = [cmd.idempotency_key for cmd in commands]
    for key, count in Counter(keys).items():
        if count > 1:
            issues.append(Issue("duplicate_idempotency_key", f"idempotency key {key!r} appears {count} times in the "
                                "batch", "entries"))
    if check_used_keys:
        issues.extend(Issue("duplicate_idempotency_key", f"idempotency key {key!r} is already used", "entries")
                      for key in _used_keys(session, actor.tenant, sorted(set(keys))))
    ctx = load_context(session, actor.tenant, (line.account_code for cmd in commands for line in cmd.lines),
                       (cmd.date for cmd in commands))
    results: list[ValidEntry | None] = []
    for index, cmd in enumerate(commands):
        valid, found = validate_entry(cmd, ctx, prefix=f"entries[{index}].")
        results.append(valid)
        issues.extend(found)
    return results, issues, ctx.functional_currency


@dataclass(frozen=True, slots=True)
class PreparedEntry:
    """A validated entry with its canonical payload text and hash: what approvals are bound to and what is stored."""

    command: PostJournalEntry
    valid: ValidEntry
    payload: str
    payload_hash: str


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """What the ledger already holds under an idempotency key."""

    id: str
    payload_hash: str
    status: str
    approval_id: str | None


def prepare_entries(commands: Sequence[PostJournalEntry],
                    results: Sequence[ValidEntry | None]) -> list[PreparedEntry]:
    """Serialise each validated entry once (the payload text is stored, hashed and carried by its event)."""
    prepared = []
    for cmd, valid in zip(commands, results, strict=True):
        assert valid is not None  # callers prepare only batches without issues
        payload = valid_payload_text(cmd, valid)
        prepared.append(PreparedEntry(cmd, valid, payload, sha256_hex(payload)))
    return prepared


def stored_entries(session: Session, tenant: str, keys: Sequence[str]) -> dict[str, StoredEntry]:
    """The tenant's entries under any of ``keys``, by key (re-imports and batch replays look them up at once)."""
    found: dict[str, StoredEntry] = {}
    distinct = sorted(set(keys))
    if not distinct:
        return found
    if session.get_bind().dialect.name == "postgresql":  # one index probe per key, as in ``_used_keys``
        for key, entry_id, digest, status, approval_id in session.execute(_STORED_PG, {"keys": distinct,
                                                                                        "tenant": tenant}):
            found[key] = StoredEntry(entry_id, digest, status, approval_id)
        return found
    for start in range(0, len(distinct), _KEY_CHUNK):
        chunk = distinct[start:start + _KEY_CHUNK]
        rows = session.execute(select(JournalEntry.idempotency_key, JournalEntry.id, JournalEntry.payload_hash,
                                      JournalEntry.status, JournalEntry.approval_id).where(
            JournalEntry.tenant == tenant, JournalEntry.idempotency_key.in_(chunk)))
        for key, entry_id, digest, status, approval_id in rows:
            found[key] = StoredEntry(entry_id, digest, status, approval_id)
    return found


def write_posted(prepared: Sequence[PreparedEntry], session: Session, *, tenant: str, currency: str,
                 created_by: str, posted_by: str, source: str, approval_id: str | None = None,
                 posted_at: dt.datetime | None = None,
                 anomaly: Sequence[tuple[float, list[str]]] | None = None) -> list[str]:
    """Write validated entries as posted: entries, lines, outbox events and audit records in as few round trips as
    the database allows. Callers have validated (and, where needed, approved) the batch. ``anomaly`` holds each
    entry's (score, reasons) when the caller scored them. Returns the new ids."""
    if not prepared:
        return []
    moment = posted_at or utcnow()
    posted = EntryStatus.POSTED.value
    # Rows are value tuples in the columns' order; dates and moments are converted once per batch, not per row.
    stored_moment = stored_temporal(session, moment)
    stored_days: dict[dt.date, Any] = {}
    ids: list[str] = []
    entries: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    audits: list[AuditEvent] = []
    for index, item in enumerate(prepared):
        cmd, valid, digest = item.command, item.valid, item.payload_hash
        score, reasons = (anomaly[index][0], json.dumps([str(r) for r in anomaly[index][1]])) if anomaly \
            else (None, "[]")
        entry_id = new_id()
        day = stored_days.get(cmd.date)
        if day is None:
            day = stored_days[cmd.date] = stored_temporal(session, cmd.date)
        ids.append(entry_id)
        entries.append((entry_id, tenant, cmd.idempotency_key, day, cmd.memo, posted, item.payload, digest,
                        to_minor(valid.functional_amount, currency), source, reasons, created_by, stored_moment,
                        posted_by, stored_moment, approval_id, score))
        lines.extend(line_values(tenant, entry_id, day, valid))
        events.append((tenant, ENTRY_POSTED, "journal_entry", entry_id,
                       posted_event(entry_id, digest, None, item.payload), stored_moment))
        audits.append(AuditEvent(posted_by, "journal_entry.posted", "journal_entry", entry_id,
                                 {"payload_hash": digest, "approval_id": approval_id, "status": posted,
                                  "source": source}))
    insert_tuples(session, JournalEntry, _ENTRY_COLUMNS, entries)
    insert_tuples(session, JournalLine, LINE_COLUMNS, lines)
    insert_tuples(session, OutboxEvent, _EVENT_COLUMNS, events)
    append_many(session, tenant, audits)
    return ids


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
    return write_posted(prepare_entries(commands, results), session, tenant=actor.tenant, currency=currency,
                        created_by=actor.user_id, posted_by=actor.user_id, source=source, posted_at=posted_at)
