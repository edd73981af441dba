"""Open items and aging buckets (current, 1-30, 31-60, 61-90, over 90 days past due).

Only documents and payments whose journal entries are posted count, so the totals equal the control accounts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.apar.models import Bill, Customer, Invoice, Payment, Vendor
from erp_core.identity import Actor
from erp_core.ledger.models import EntryStatus, JournalEntry
from erp_core.ledger.roles import REPORT_READERS
from erp_core.money import fmt, from_minor
from erp_core.tenancy import require_role

BUCKETS = ("current", "1-30", "31-60", "61-90", "over_90")


def bucket_of(due: dt.date, as_of: dt.date) -> str:
    late = (as_of - due).days
    if late <= 0:
        return "current"
    if late <= 30:
        return "1-30"
    if late <= 60:
        return "31-60"
    return "61-90" if late <= 90 else "over_90"


def open_items(session: Session, tenant: str, kind: Literal["bill", "invoice"],
               as_of: dt.date) -> list[dict[str, Any]]:
    """Posted documents dated on or before ``as_of`` with their open amount (posted payments up to ``as_of``)."""
    model = Bill if kind == "bill" else Invoice
    party_model = Vendor if kind == "bill" else Customer
    party_fk = Bill.vendor_id if kind == "bill" else Invoice.customer_id
    paid = (select(Payment.document_id, func.sum(Payment.amount_minor).label("paid"))
            .join(JournalEntry, JournalEntry.id == Payment.journal_entry_id)
            .where(Payment.tenant == tenant, Payment.kind == kind, Payment.payment_date <= as_of,
                   JournalEntry.status == EntryStatus.POSTED.value)
            .group_by(Payment.document_id).subquery())
    stmt = (select(model, party_model.code, party_model.name, func.coalesce(paid.c.paid, 0))
            .join(party_model, party_model.id == party_fk)
            .join(JournalEntry, JournalEntry.id == model.journal_entry_id)
            .outerjoin(paid, paid.c.document_id == model.id)
            .where(model.tenant == tenant, model.doc_date <= as_of, JournalEntry.status == EntryStatus.POSTED.value)
            .order_by(model.due_date))
    items = []
    for document, code, name, paid_minor in session.execute(stmt):
        open_minor = document.amount_minor - int(paid_minor)
        if open_minor <= 0:
            continue
        items.append({"id": document.id, "number": document.number, "party_code": code, "party_name": name,
                      "doc_date": document.doc_date.isoformat(), "due_date": document.due_date.isoformat(),
                      "currency": document.currency, "amount": fmt(from_minor(document.amount_minor,
                                                                              document.currency)),
                      "open": fmt(from_minor(open_minor, document.currency)), "open_minor": open_minor,
                      "bucket": bucket_of(document.due_date, as_of)})
    return items


def aging_report(kind: Literal["bill", "invoice"], as_of: dt.date, actor: Actor, session: Session) -> dict[str, Any]:
    """AP (``bill``) or AR (``invoice``) aging as of a date: per party and in total, per currency."""
    require_role(actor, REPORT_READERS, "reading aging reports")
    items = open_items(session, actor.tenant, kind, as_of)
    per_party: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(BUCKETS, 0))
    for item in items:
        per_party[(item["party_code"], item["party_name"], item["currency"])][item["bucket"]] += item["open_minor"]
        totals[item["currency"]][item["bucket"]] += item["open_minor"]

    def money(buckets: dict[str, int], currency: str) -> dict[str, str]:
        out = {name: fmt(from_minor(value, currency)) for name, value in buckets.items()}
        out["total"] = fmt(from_minor(sum(buckets.values()), currency))
        return out

    return {
        "kind": "payables" if kind == "bill" else "receivables", "as_of": as_of.isoformat(), "buckets": list(BUCKETS),
        "parties": [{"code": code, "name": name, "currency": currency, **money(buckets, currency)}
                    for (code, name, currency), buckets in sorted(per_party.items())],
        "totals": [{"currency": currency, **money(buckets, currency)} for currency, buckets in sorted(totals.items())],
        "items": [{k: v for k, v in item.items() if k != "open_minor"} for item in items],
    }
