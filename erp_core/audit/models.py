"""Audit tables: the append-only, hash-chained log and the per-tenant chain head."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from erp_core.db import Base
from erp_core.outbox import BigId

GENESIS_HASH = "0" * 64


class AuditRecord(Base):
    """One audited change. ``hash`` covers every other column plus ``prev_hash``; ``seq`` counts per tenant from 1."""

    __tablename__ = "audit_log"
    __table_args__ = (
        UniqueConstraint("tenant", "seq"),
        Index("ix_audit_log_entity", "tenant", "entity_type", "entity_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    # ISO 8601 text, not a timestamp type: the hashed bytes must survive every database's round trip unchanged.
    occurred_at: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """Last record of each tenant's chain.

    Appenders lock this row, which serialises appends per tenant (two writers never both extend the same tail) and
    lets verification notice records cut off the end of the chain.
    """

    __tablename__ = "audit_chain_heads"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
