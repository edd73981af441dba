"""JSON forms of ledger objects for the HTTP API and tools (amounts as decimal strings)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.ledger.models import JournalEntry
from erp_core.tenancy import as_utc


def entry_view(entry: JournalEntry, session: Session) -> dict[str, Any]:
    payload = json.loads(entry.payload)
    reversed_by = session.scalars(select(JournalEntry.id).where(
        JournalEntry.tenant == entry.tenant, JournalEntry.reverses_id == entry.id)).all()
    return {
        "id": entry.id, "status": entry.status, "date": entry.entry_date.isoformat(), "memo": entry.memo,
        "idempotency_key": entry.idempotency_key, "payload_hash": entry.payload_hash,
        "approval_id": entry.approval_id, "source": entry.source, "reverses_id": entry.reverses_id,
        "reversed_by": list(reversed_by),
        "lines": [{"line_no": i + 1, "account_code": line["account_code"], "debit": line["debit"],
                   "credit": line["credit"], "currency": line["currency"], "dimensions": line["dimensions"]}
                  for i, line in enumerate(payload["lines"])],
        "anomaly_score": entry.anomaly_score, "anomaly_reasons": json.loads(entry.anomaly_reasons or "[]"),
        "created_by": entry.created_by, "created_at": as_utc(entry.created_at).isoformat(),
        "posted_by": entry.posted_by, "posted_at": as_utc(entry.posted_at).isoformat() if entry.posted_at else None,
        "rejected_reason": entry.rejected_reason,
    }
