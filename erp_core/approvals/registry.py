"""Document types the approval engine knows, each with a handler that loads it and acts on the outcome.

Handlers run inside the engine's transaction, so "final approval" and "post the journal entry" commit together.
"""

from __future__ import annotations

import importlib
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


_HANDLERS: dict[str, DocumentHandler] = {}


def register_document_type(name: str, handler: DocumentHandler) -> None:
    """Make ``name`` approvable; registering the same name again replaces the handler (tests, reloads)."""
    _HANDLERS[name] = handler


# Built-in document types register on import; approving one must not depend on who imported what first.
_BUILTIN_MODULES = {JOURNAL_ENTRY: "erp_core.ledger.handler", LEAVE_REQUEST: "erp_core.hr",
                    PURCHASE_ORDER: "erp_core.procurement", OPPORTUNITY_UPDATE: "erp_core.crm"}


def handler_for(name: str) -> DocumentHandler:
    if name not in _HANDLERS and name in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[name])
    try:
        return _HANDLERS[name]
    except KeyError:
        raise NexusError(ErrorCode.VALIDATION_FAILED, f"unknown document type {name!r}",
                         candidates=sorted(_HANDLERS)) from None


def registered_types() -> list[str]:
    return sorted(_HANDLERS)
