"""Submitting many journal entries in one request (``POST /v1/gl/journal-entries/batch``).

The batch is validated as a whole first: every issue of every entry is reported together (fields ``entries[i]…``)
and nothing is stored when there is any. Then each entry meets the approval policy, as one submitted alone would:
entries no rule asks an approver for are posted together through the bulk path (``bulk.write_posted``); the others
are submitted one by one and wait for approval. A replay of an entry (same key, same payload) returns what was stored;
the same key with another payload is an issue of the batch.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sqlalchemy.orm import Session

from erp_core.approvals import JOURNAL_ENTRY, DocumentSnapshot
from erp_core.approvals.policy import PolicyRule, load_rules, requirements_for
from erp_core.audit import payload_hash
from erp_core.errors import Issue, validation_error
from erp_core.identity import Actor
from erp_core.ledger.bulk import PreparedEntry, prepare_entries, stored_entries, validate_entries, write_posted
from erp_core.ledger.commands import PostJournalEntry
from erp_core.ledger.journal import submit_journal_entry
from erp_core.ledger.ports import AnomalyScorer, DraftLine, EntryDraft
from erp_core.ledger.roles import PREPARERS
from erp_core.ledger.validation import canonical_payload
from erp_core.money import MoneyError
from erp_core.tenancy import new_id, require_role, utcnow

MAX_BATCH_ENTRIES = 5000
SOURCE = "api-batch"
_INDEX = re.compile(r"^entries\[(\d+)\]")


@dataclass(frozen=True, slots=True)
class BatchItem:
    idempotency_key: str
    id: str
    status: str
    approval_id: str | None
    payload_hash: str

    def view(self) -> dict[str, str | None]:
        body: dict[str, str | None] = {"idempotency_key": self.idempotency_key, "id": self.id, "status": self.status,
                                       "payload_hash": self.payload_hash}
        if self.approval_id is not None:
            body["approval_id"] = self.approval_id
        return body


def _renumbered(issues: list[Issue], positions: list[int]) -> list[Issue]:
    """Issues of the fresh sub-batch, pointed back at the entries' positions in the request."""
    out = []
    for found in issues:
        match = _INDEX.match(found.field or "")
        if match is None:
            out.append(found)
            continue
        position = positions[int(match.group(1))]
        out.append(Issue(found.code, found.message, f"entries[{position}]{(found.field or '')[match.end():]}"))
    return out


@runtime_checkable
class BatchScorer(Protocol):
    """An anomaly scorer that scores a batch against the ledger at once (``LedgerAnomalyScorer.score_many``)."""

    def score_many(self, drafts: Sequence[EntryDraft], session: Session) -> list[tuple[float, list[str]]]: ...


def _scores(prepared: list[PreparedEntry], actor: Actor, currency: str, scorer: AnomalyScorer | None,
            session: Session) -> list[tuple[float, list[str]]] | None:
    """Each entry's anomaly score and reasons, as a single submission would get them (None without a scorer)."""
    if scorer is None:
        return None
    moment = utcnow()
    drafts = [EntryDraft(actor.tenant, new_id(), item.command.date, item.command.memo, actor.user_id,
                         tuple(DraftLine(line.account.code, line.account.type.value, line.currency, line.debit,
                                         line.credit, line.dimensions) for line in item.valid.lines),
                         item.valid.functional_amount, currency, moment) for item in prepared]
    if isinstance(scorer, BatchScorer):
        return scorer.score_many(drafts, session)
    return [scorer.score(draft, session) for draft in drafts]


class _Known:
    """A scorer that answers with the score the batch already computed for the entry (no second ledger query)."""

    def __init__(self, result: tuple[float, list[str]]) -> None:
        self.result = result

    def score(self, entry_draft: EntryDraft, session: Session) -> tuple[float, list[str]]:
        del entry_draft, session
        return self.result


def _needs_approval(item: PreparedEntry, actor: Actor, currency: str, rules: list[PolicyRule],
                    score: float | None) -> bool:
    snapshot = DocumentSnapshot(document_id="", payload={}, preparer_id=actor.user_id,
                                amount=item.valid.functional_amount, currency=currency,
                                account_classes=frozenset(item.valid.account_types),
                                anomaly_score=min(1.0, max(0.0, float(score))) if score is not None else None)
    requirements, _expiry = requirements_for(rules, snapshot)
    return bool(requirements)


def submit_journal_batch(commands: Sequence[PostJournalEntry], actor: Actor, session: Session, *,
                         scorer: AnomalyScorer | None = None, now: dt.datetime | None = None) -> list[BatchItem]:
    """Validate the whole batch, then post or submit each entry per the approval policy (roles: preparers).

    Returns one item per entry, in the request's order.

    Raises:
        NexusError: FORBIDDEN; VALIDATION_FAILED listing every issue of every entry (nothing stored).
    """
    require_role(actor, PREPARERS, "preparing journal entries")
    if not 1 <= len(commands) <= MAX_BATCH_ENTRIES:
        raise validation_error([Issue("batch_size", f"a batch holds 1 to {MAX_BATCH_ENTRIES:,} entries, not "
                                                    f"{len(commands):,}", "entries")])
    stored = stored_entries(session, actor.tenant, [cmd.idempotency_key for cmd in commands])
    issues: list[Issue] = []
    items: dict[int, BatchItem] = {}
    positions: list[int] = []
    for position, cmd in enumerate(commands):
        found = stored.get(cmd.idempotency_key)
        if found is None:
            positions.append(position)
            continue
        try:
            digest = payload_hash(canonical_payload(cmd))
        except MoneyError:  # amounts that cannot be read differ from what was stored
            digest = ""
        if found.payload_hash != digest:
            issues.append(Issue("idempotency_conflict", f"idempotency key {cmd.idempotency_key!r} was already used "
                                                        "for a different journal entry",
                                f"entries[{position}].idempotency_key"))
        items[position] = BatchItem(cmd.idempotency_key, found.id, found.status, found.approval_id, digest)
    fresh = [commands[p] for p in positions]
    results, found_issues, currency = validate_entries(fresh, actor, session, check_used_keys=False)
    issues.extend(_renumbered(found_issues, positions))
    if issues:
        raise validation_error(issues, f"{len(issues)} issues in a batch of {len(commands)} entries; nothing was "
                                       "stored")
    prepared = prepare_entries(fresh, results)
    rules = load_rules(session, actor.tenant, JOURNAL_ENTRY)
    scores = _scores(prepared, actor, currency, scorer, session)
    direct: list[tuple[int, PreparedEntry]] = []
    direct_scores: list[tuple[float, list[str]]] = []
    for index, (position, item) in enumerate(zip(positions, prepared, strict=True)):
        score = scores[index] if scores is not None else None
        if _needs_approval(item, actor, currency, rules, score[0] if score is not None else None):
            known = _Known(score) if score is not None else None
            result = submit_journal_entry(item.command, actor, session, scorer=known, now=now, source=SOURCE)
            entry = result.entry
            items[position] = BatchItem(entry.idempotency_key, entry.id, entry.status,
                                        result.approval.id if result.approval else None, entry.payload_hash)
        else:
            direct.append((position, item))
            if score is not None:
                direct_scores.append((min(1.0, max(0.0, float(score[0]))), score[1]))
    ids = write_posted([item for _, item in direct], session, tenant=actor.tenant, currency=currency,
                       created_by=actor.user_id, posted_by=actor.user_id, source=SOURCE, posted_at=now,
                       anomaly=direct_scores if scores is not None else None)
    for (position, item), entry_id in zip(direct, ids, strict=True):
        items[position] = BatchItem(item.command.idempotency_key, entry_id, "posted", None, item.payload_hash)
    return [items[p] for p in range(len(commands))]
