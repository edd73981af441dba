"""Appending to and verifying the hash chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.audit.hashing import canonical_json, sha256_hex
from erp_core.audit.models import GENESIS_HASH, AuditChainHead, AuditRecord
from erp_core.db import insert_tuples
from erp_core.errors import Issue
from erp_core.tenancy import tx_cache, utcnow


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """What to record: who did what to which entity, with the facts worth keeping."""

    actor_id: str
    action: str
    entity_type: str
    entity_id: str
    data: dict[str, Any]


def record_body(tenant: str, seq: int, occurred_at: str, actor_id: str, action: str, entity_type: str,
                entity_id: str, data: str) -> str:
    """What a record's hash covers: the canonical JSON of its fields (sorted keys, compact, non-ASCII kept).

    Spelled out rather than built as a dict and serialised: it runs for every record appended or verified. It is the
    exact text ``canonical_json`` makes of the same dict (the tests compare the two).
    """
    e = encode_basestring  # the string encoder canonical_json's encoder uses (ensure_ascii=False)
    return (f'{{"action":{e(action)},"actor_id":{e(actor_id)},"data":{e(data)},"entity_id":{e(entity_id)},'
            f'"entity_type":{e(entity_type)},"occurred_at":{e(occurred_at)},"seq":{int(seq)!r},"tenant":{e(tenant)}}}')


def record_hash(prev_hash: str, tenant: str, seq: int, occurred_at: str, actor_id: str, action: str,
                entity_type: str, entity_id: str, data: str) -> str:
    return sha256_hex(prev_hash + record_body(tenant, seq, occurred_at, actor_id, action, entity_type, entity_id,
                                              data))


_RECORD_COLUMNS = ("tenant", "seq", "occurred_at", "actor_id", "action", "entity_type", "entity_id", "data",
                   "prev_hash", "hash")


def _locked_head(session: Session, tenant: str) -> AuditChainHead:
    cache = tx_cache(session)
    key = f"audit_head:{tenant}"
    if key in cache:  # already locked by this transaction: the lock holds until commit
        cached: AuditChainHead = cache[key]
        return cached
    stmt = select(AuditChainHead).where(AuditChainHead.tenant == tenant).with_for_update()
    head = session.scalars(stmt).first()
    if head is None:
        dialect = session.get_bind().dialect.name
        values = {"tenant": tenant, "last_seq": 0, "last_hash": GENESIS_HASH}
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            session.execute(pg_insert(AuditChainHead).values(values).on_conflict_do_nothing())
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            session.execute(sqlite_insert(AuditChainHead).values(values).on_conflict_do_nothing())
        head = session.scalars(stmt).one()
    cache[key] = head
    return head


def append_many(session: Session, tenant: str, events: Iterable[AuditEvent]) -> list[str]:
    """Append ``events`` in order to ``tenant``'s chain inside the caller's transaction; returns their hashes.

    Call it late in a transaction: the chain-head row lock is held until commit.
    """
    head = _locked_head(session, tenant)
    seq, prev = head.last_seq, head.last_hash
    occurred_at = utcnow().isoformat()
    rows: list[tuple[Any, ...]] = []
    hashes: list[str] = []
    for event in events:
        seq += 1
        data = canonical_json(event.data)
        digest = record_hash(prev, tenant, seq, occurred_at, event.actor_id, event.action, event.entity_type,
                             event.entity_id, data)
        rows.append((tenant, seq, occurred_at, event.actor_id, event.action, event.entity_type, event.entity_id,
                     data, prev, digest))
        hashes.append(digest)
        prev = digest
    if rows:
        insert_tuples(session, AuditRecord, _RECORD_COLUMNS, rows)
        head.last_seq, head.last_hash = seq, prev
        session.flush()
    return hashes


def append(session: Session, tenant: str, event: AuditEvent) -> str:
    """Append one record; returns its hash."""
    return append_many(session, tenant, [event])[0]


def _name(record: AuditRecord) -> str:
    return f"audit record id={record.id} (tenant {record.tenant}, seq {record.seq}, {record.action} " \
           f"{record.entity_type} {record.entity_id})"


def _verify_tenant(session: Session, tenant: str) -> Issue | None:
    expected_seq, prev = 1, GENESIS_HASH
    stmt = select(AuditRecord).where(AuditRecord.tenant == tenant).order_by(AuditRecord.seq, AuditRecord.id)
    for record in session.scalars(stmt.execution_options(yield_per=5000)):
        field = f"audit_log.id={record.id}"
        if record.seq != expected_seq:
            what = "deleted" if record.seq > expected_seq else "duplicated or reordered"
            return Issue("audit_sequence_broken",
                         f"{_name(record)}: expected seq {expected_seq}; a record was {what}", field)
        if record.prev_hash != prev:
            return Issue("audit_link_broken",
                         f"{_name(record)}: prev_hash does not match the preceding record; records were "
                         "reordered or the preceding record was deleted or altered", field)
        digest = record_hash(record.prev_hash, record.tenant, record.seq, record.occurred_at, record.actor_id,
                             record.action, record.entity_type, record.entity_id, record.data)
        if digest != record.hash:
            return Issue("audit_record_altered", f"{_name(record)}: content does not match its hash (edited)", field)
        prev, expected_seq = record.hash, expected_seq + 1
    head = session.get(AuditChainHead, tenant)
    last_seq = expected_seq - 1
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev):
        return Issue("audit_tail_missing",
                     f"tenant {tenant}: chain ends at seq {last_seq} but its head says seq {head.last_seq}; "
                     f"records after seq {last_seq} were deleted or altered", f"audit_chain_heads.tenant={tenant}")
    return None


def verify_chain(session: Session, tenant: str | None = None) -> list[Issue]:
    """Check every tenant's chain (or one); one issue per broken chain, naming its first broken record."""
    if tenant is not None:
        tenants = [tenant]
    else:
        found = set(session.scalars(select(AuditRecord.tenant).distinct()))
        found |= set(session.scalars(select(AuditChainHead.tenant)))
        tenants = sorted(found)
    issues = [_verify_tenant(session, name) for name in tenants]
    return [issue for issue in issues if issue is not None]
