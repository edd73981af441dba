"""The ``opportunity_update`` document type: how the approval engine sees a proposed deal change."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from erp_core.approvals.registry import DocumentSnapshot
from erp_core.crm.changes import apply_change, current_values, review_flags
from erp_core.crm.models import OpportunityChange
from erp_core.crm.records import load_opportunity
from erp_core.errors import ErrorCode, NexusError, not_found
from erp_core.identity import Actor


def _load_change(session: Session, tenant: str, document_id: str) -> OpportunityChange:
    change = session.get(OpportunityChange, int(document_id)) if document_id.isdigit() else None
    if change is None or change.tenant != tenant:
        raise not_found("opportunity change", document_id)
    return change


class OpportunityUpdateHandler:
    def load(self, session: Session, tenant: str, document_id: str) -> DocumentSnapshot:
        change = _load_change(session, tenant, document_id)
        opp = load_opportunity(session, tenant, change.opportunity_id)
        changes = json.loads(change.changes)
        # "from" binds the approval to the deal as it was shown: if the deal moves meanwhile, the hash goes stale.
        payload = {"opportunity_id": opp.id, "name": opp.name, "from": current_values(opp), "to": changes}
        what = ", ".join(f"{key} → {value}" for key, value in sorted(changes.items()))
        return DocumentSnapshot(document_id=str(change.id), payload=payload, preparer_id=change.requested_by,
                                flags=review_flags(opp, changes), summary=f"Opportunity {opp.name}: {what}")

    def on_submitted(self, session: Session, tenant: str, document_id: str, approval_id: str) -> None:
        change = _load_change(session, tenant, document_id)
        change.status = "pending_approval"
        change.approval_id = approval_id

    def on_approved(self, session: Session, tenant: str, document_id: str, actor: Actor,
                    approval_id: str | None) -> None:
        change = _load_change(session, tenant, document_id)
        if change.status not in ("draft", "pending_approval"):
            raise NexusError(ErrorCode.INVALID_STATE, f"opportunity change {change.id} is already {change.status}")
        change.approval_id = approval_id or change.approval_id
        apply_change(session, change, actor.user_id)

    def on_rejected(self, session: Session, tenant: str, document_id: str, actor: Actor, reason: str) -> None:
        change = _load_change(session, tenant, document_id)
        change.status = "rejected"
        change.decided_at = dt.datetime.now(dt.UTC)

