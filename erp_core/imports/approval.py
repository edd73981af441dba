"""History goes in as one approval of the whole batch: a ``journal_import`` document bound to the batch's hash.

The preparer (``--as``) opens the request; the approver (``--approve-as``) decides it through the approval engine,
which enforces segregation of duties (the preparer never decides) and the payload-hash binding, and writes both acts
to the tenant's audit chain. The final approval runs ``on_approved``, which posts the batch in the same transaction.
The batch itself lives in the transaction (an import is prepared and decided in one unit of work); a request whose
transaction is gone cannot be carried out and loads as NOT_FOUND.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from erp_core.approvals import ApprovalRequest, ApprovalStatus, DocumentSnapshot, Requirement, approve
from erp_core.approvals.registry import JOURNAL_IMPORT
from erp_core.audit import AuditEvent, append, payload_hash
from erp_core.errors import ErrorCode, NexusError, not_found
from erp_core.identity import Actor
from erp_core.tenancy import new_id, tx_cache, utcnow

EXPIRY_DAYS = 1


@dataclass
class PendingBatch:
    """A validated batch waiting for its approval, and what approving it does."""

    payload: dict[str, object]
    preparer_id: str
    amount: Decimal
    currency: str
    summary: str
    carry_out: Callable[[Actor, str], None]


def _key(batch_id: str) -> str:
    return f"{JOURNAL_IMPORT}:{batch_id}"


class JournalImportHandler:
    def _batch(self, session: Session, document_id: str) -> PendingBatch:
        batch = tx_cache(session).get(_key(document_id))
        if not isinstance(batch, PendingBatch):
            raise not_found("import batch", document_id)
        return batch

    def load(self, session: Session, tenant: str, document_id: str) -> DocumentSnapshot:
        batch = self._batch(session, document_id)
        return DocumentSnapshot(document_id=document_id, payload=batch.payload, preparer_id=batch.preparer_id,
                                amount=batch.amount, currency=batch.currency, summary=batch.summary)

    def on_submitted(self, session: Session, tenant: str, document_id: str, approval_id: str) -> None:
        self._batch(session, document_id)

    def on_approved(self, session: Session, tenant: str, document_id: str, actor: Actor,
                    approval_id: str | None) -> None:
        if approval_id is None:
            raise NexusError(ErrorCode.INVALID_STATE, "an import batch is posted only with an approval")
        self._batch(session, document_id).carry_out(actor, approval_id)

    def on_rejected(self, session: Session, tenant: str, document_id: str, actor: Actor, reason: str) -> None:
        tx_cache(session).pop(_key(document_id), None)


def approve_batch(session: Session, tenant: str, batch: PendingBatch, approver: Actor, approver_role: str,
                  now: dt.datetime | None = None) -> str:
    """Open the batch's approval request as the preparer and decide it as ``approver``; returns the approval id.

    Raises:
        NexusError: SEGREGATION_OF_DUTIES (approver is the preparer), FORBIDDEN (approver lacks the role).
    """
    moment = now or utcnow()
    batch_id = new_id()
    tx_cache(session)[_key(batch_id)] = batch
    digest = payload_hash(batch.payload)
    requirement = Requirement(key="r0", count=1, role=approver_role, rules=("journal_import",))
    request = ApprovalRequest(
        tenant=tenant, document_type=JOURNAL_IMPORT, document_id=batch_id, payload_hash=digest,
        preparer_id=batch.preparer_id, amount=f"{batch.amount:f}", currency=batch.currency,
        requirements=json.dumps([requirement.model_dump(mode="json")]), status=ApprovalStatus.PENDING.value,
        summary=batch.summary[:500], created_at=moment, expires_at=moment + dt.timedelta(days=EXPIRY_DAYS))
    session.add(request)
    session.flush()
    append(session, tenant, AuditEvent(batch.preparer_id, "approval.requested", "approval", request.id,
                                       {"document_type": JOURNAL_IMPORT, "document_id": batch_id,
                                        "payload_hash": digest, "status": request.status,
                                        "requirements": [requirement.describe()],
                                        "batch": batch.payload}))
    approve(request.id, digest, approver, session, now=moment)
    return request.id
