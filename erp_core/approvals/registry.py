"""What a document type is to the approval engine: its name, the snapshot it gives, the handler protocol.

The table of document types and their handlers is ``erp_core/approvals/catalog.py``. Handlers run inside the
engine's transaction, so "final approval" and "post the journal entry" commit together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy.orm import Session

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor

JOURNAL_ENTRY = "journal_entry"
PURCHASE_ORDER = "purchase_order"
LEAVE_REQUEST = "leave_request"
OPPORTUNITY_UPDATE = "opportunity_update"
JOURNAL_IMPORT = "journal_import"


@dataclass(frozen=True)
class DocumentSnapshot:
    """What the engine needs to know about a document at one moment.

    Attributes:
        document_id: the document's id (string).
        payload: its canonical payload; the approval is bound to the SHA-256 of this.
        preparer_id: user who prepared it; never allowed to approve it.
        amount: amount in the tenant's functional currency compared with policy thresholds (None: no amount).
        currency: the functional currency of ``amount``.
        account_classes: account types the document touches (journal entries), matched by policy rules.
        anomaly_score: 0..1 from the anomaly scorer, matched against ``min_anomaly_score`` rules.
        flags: handler-computed facts that policy rules can require (e.g. "closed_won", "amount_change_gt_25pct").
        related_users: named people a rule can point at (e.g. {"manager": "carol@acme"}).
        summary: one line a human approver reads.
    """

    document_id: str
    payload: dict[str, Any]
    preparer_id: str
    amount: Decimal | None = None
    currency: str | None = None
    account_classes: frozenset[str] = frozenset()
    anomaly_score: float | None = None
    flags: frozenset[str] = frozenset()
    related_users: dict[str, str] = field(default_factory=dict)
    summary: str = ""


class DocumentHandler(Protocol):
    def load(self, session: Session, tenant: str, document_id: str) -> DocumentSnapshot:
        """The document's current snapshot; raise NOT_FOUND for unknown ids or other tenants' documents."""
        ...

    def on_submitted(self, session: Session, tenant: str, document_id: str, approval_id: str) -> None:
        """The document now waits for approval (e.g. status pending_approval)."""
        ...

    def on_approved(self, session: Session, tenant: str, document_id: str, actor: Actor,
                    approval_id: str | None) -> None:
        """Final approval (or none needed): carry the document out, in the same transaction."""
        ...

    def on_rejected(self, session: Session, tenant: str, document_id: str, actor: Actor, reason: str) -> None:
        """Rejected or expired: the document is closed without effect."""
        ...


def _catalog() -> Mapping[str, DocumentHandler]:
    # Read at call time: the handlers import this module (and some the engine), so the engine cannot import
    # the catalog while it is itself being imported.
    from erp_core.approvals.catalog import DOCUMENT_TYPES

    return DOCUMENT_TYPES


def handler_for(name: str) -> DocumentHandler:
    handlers = _catalog()
    try:
        return handlers[name]
    except KeyError:
        raise NexusError(ErrorCode.VALIDATION_FAILED, f"unknown document type {name!r}",
                         candidates=sorted(handlers)) from None


def registered_types() -> list[str]:
    return sorted(_catalog())
