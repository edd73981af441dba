"""AP/AR services. Every GL effect is a journal entry through ``submit_journal_entry`` (same validation, same
approval policy, same posting): a large bill waits for its controller like any other entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, cast

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from erp_core.apar.commands import CreateParty, RecordDocument, RecordPayment
from erp_core.apar.models import Bill, Customer, Invoice, Payment, Vendor
from erp_core.audit import AuditEvent, append
from erp_core.errors import ErrorCode, Issue, NexusError, not_found, validation_error
from erp_core.identity import Actor
from erp_core.ledger import JournalLineIn, PostJournalEntry, SubmitResult, submit_journal_entry
from erp_core.ledger.models import EntryStatus, JournalEntry
from erp_core.ledger.ports import AnomalyScorer
from erp_core.ledger.roles import PREPARERS
from erp_core.money import MoneyError, fmt, parse_amount, to_minor
from erp_core.tenancy import functional_currency, require_role

AP_CONTROL = "2010"
AR_CONTROL = "1100"
PartyKind = Literal["vendor", "customer"]


@dataclass(frozen=True)
class Recorded:
    """A bill, invoice or payment together with the result of submitting its journal entry."""

    document: Bill | Invoice | Payment
    journal: SubmitResult


def create_party(kind: PartyKind, cmd: CreateParty, actor: Actor, session: Session) -> Vendor | Customer:
    """Create a vendor or customer (roles: accountant, controller, cfo); audited."""
    require_role(actor, PREPARERS, f"creating {kind}s")
    model = Vendor if kind == "vendor" else Customer
    party = model(tenant=actor.tenant, code=cmd.code, name=cmd.name,
                  payment_terms_days=cmd.payment_terms_days if cmd.payment_terms_days is not None
                  else (45 if kind == "vendor" else 30),
                  currency=cmd.currency or functional_currency(session, actor.tenant), active=True)
    try:
        with session.begin_nested():
            session.add(party)
            session.flush()
    except IntegrityError:
        raise NexusError(ErrorCode.CONFLICT, f"{kind} {cmd.code} already exists") from None
    append(session, actor.tenant, AuditEvent(actor.user_id, f"{kind}.created", kind, cmd.code,
                                             cmd.model_dump(mode="json")))
    return party


def _party(session: Session, kind: PartyKind, tenant: str, code: str) -> Vendor | Customer:
    party: Vendor | Customer | None
    if kind == "vendor":
        party = session.scalars(select(Vendor).where(Vendor.tenant == tenant, Vendor.code == code)).first()
    else:
        party = session.scalars(select(Customer).where(Customer.tenant == tenant, Customer.code == code)).first()
    if party is None:
        raise not_found(kind, code)
    return party


def _amount(value: object, currency: str, field: str) -> int:
    try:
        amount = parse_amount(value, currency)
    except MoneyError as err:
        raise validation_error([Issue("invalid_amount", str(err), field)]) from None
    if amount <= 0:
        raise validation_error([Issue("amount_not_positive", "amount must be positive", field)])
    return to_minor(amount, currency)


def _line(code: str, currency: str, debit: str | None, credit: str | None,
          dims: dict[str, str] | None = None) -> JournalLineIn:
    return JournalLineIn(account_code=code, currency=currency, debit=debit, credit=credit, dimensions=dims)


def record_bill(cmd: RecordDocument, actor: Actor, session: Session, *,
                scorer: AnomalyScorer | None = None) -> Recorded:
    """Record a vendor bill: Dr expense account / Cr accounts payable (2010)."""
    require_role(actor, PREPARERS, "recording bills")
    vendor = _party(session, "vendor", actor.tenant, cmd.party_code)
    return _record_document(Bill, vendor, cmd, actor, session, scorer, debit=cmd.account_code, credit=AP_CONTROL)


def record_invoice(cmd: RecordDocument, actor: Actor, session: Session, *,
                   scorer: AnomalyScorer | None = None) -> Recorded:
    """Record a customer invoice: Dr accounts receivable (1100) / Cr revenue account."""
    require_role(actor, PREPARERS, "recording invoices")
    customer = _party(session, "customer", actor.tenant, cmd.party_code)
    return _record_document(Invoice, customer, cmd, actor, session, scorer, debit=AR_CONTROL,
                            credit=cmd.account_code)


def _record_document(model: type[Bill] | type[Invoice], party: Vendor | Customer, cmd: RecordDocument,
                     actor: Actor, session: Session, scorer: AnomalyScorer | None, *, debit: str,
                     credit: str) -> Recorded:
    kind = "bill" if model is Bill else "invoice"
    amount_minor = _amount(cmd.amount, party.currency, "amount")
    amount = fmt(parse_amount(cmd.amount, party.currency))
    due = cmd.due_date or cmd.doc_date + dt.timedelta(days=party.payment_terms_days)
    if due < cmd.doc_date:
        raise validation_error([Issue("due_before_date", "due_date is before the document date", "due_date")])
    memo = cmd.memo or f"{kind.title()} {cmd.number} {party.name}"[:500]
    journal = submit_journal_entry(PostJournalEntry(
        date=cmd.doc_date, memo=memo, idempotency_key=f"{kind}:{party.code}:{cmd.number}",
        lines=[_line(debit, party.currency, amount, None, cmd.dimensions),
               _line(credit, party.currency, None, amount, cmd.dimensions)]), actor, session, scorer=scorer,
        source=kind)
    existing = cast(Bill | Invoice | None, session.scalars(
        select(model).where(model.journal_entry_id == journal.entry.id)).first())
    if existing is not None:  # idempotent replay of the same document
        return Recorded(existing, journal)
    party_column = {"vendor_id": party.id} if model is Bill else {"customer_id": party.id}
    document = model(tenant=actor.tenant, number=cmd.number, doc_date=cmd.doc_date, due_date=due,
                     currency=party.currency, amount_minor=amount_minor, memo=memo,
                     journal_entry_id=journal.entry.id, created_by=actor.user_id, **party_column)
    try:
        with session.begin_nested():
            session.add(document)
            session.flush()
    except IntegrityError:
        raise NexusError(ErrorCode.CONFLICT, f"{kind} {cmd.number} already exists") from None
    append(session, actor.tenant, AuditEvent(actor.user_id, f"{kind}.recorded", kind, document.id,
                                             {"number": cmd.number, "amount": amount, "journal_entry_id":
                                              journal.entry.id}))
    return Recorded(document, journal)


def paid_minor(session: Session, tenant: str, kind: str, document_id: str, *, posted_only: bool,
               as_of: dt.date | None = None) -> int:
    stmt = select(func.coalesce(func.sum(Payment.amount_minor), 0)).join(
        JournalEntry, JournalEntry.id == Payment.journal_entry_id).where(
        Payment.tenant == tenant, Payment.kind == kind, Payment.document_id == document_id)
    statuses = [EntryStatus.POSTED.value] if posted_only else [EntryStatus.POSTED.value,
                                                               EntryStatus.PENDING_APPROVAL.value]
    stmt = stmt.where(JournalEntry.status.in_(statuses))
    if as_of is not None:
        stmt = stmt.where(Payment.payment_date <= as_of)
    return int(session.scalar(stmt) or 0)


def record_payment(cmd: RecordPayment, actor: Actor, session: Session, *,
                   scorer: AnomalyScorer | None = None) -> Recorded:
    """Pay a bill or receive an invoice payment; refused beyond the open balance (pending payments included)."""
    require_role(actor, PREPARERS, "recording payments")
    model: type[Bill] | type[Invoice] = Bill if cmd.kind == "bill" else Invoice
    stmt = select(model).where(model.id == cmd.document_id, model.tenant == actor.tenant)
    document = cast(Bill | Invoice | None, session.scalars(stmt.with_for_update()).first())
    if document is None:
        raise not_found(cmd.kind, cmd.document_id)
    prior = session.scalars(select(Payment).where(Payment.tenant == actor.tenant,
                                                  Payment.idempotency_key == cmd.idempotency_key)).first()
    amount_minor = _amount(cmd.amount, document.currency, "amount")
    amount = fmt(parse_amount(cmd.amount, document.currency))
    if prior is None:
        entry_status = session.scalar(select(JournalEntry.status).where(JournalEntry.id == document.journal_entry_id))
        if entry_status != EntryStatus.POSTED:
            raise NexusError(ErrorCode.INVALID_STATE, f"{cmd.kind} {document.number} is not posted yet "
                                                      f"({entry_status})")
        open_minor = document.amount_minor - paid_minor(session, actor.tenant, cmd.kind, document.id,
                                                        posted_only=False)
        if amount_minor > open_minor:
            raise validation_error([Issue("overpayment", f"amount exceeds the open balance of {cmd.kind} "
                                          f"{document.number}", "amount")])
    control = AP_CONTROL if cmd.kind == "bill" else AR_CONTROL
    lines = ([_line(control, document.currency, amount, None), _line(cmd.cash_account_code, document.currency,
                                                                     None, amount)]
             if cmd.kind == "bill" else
             [_line(cmd.cash_account_code, document.currency, amount, None),
              _line(control, document.currency, None, amount)])
    journal = submit_journal_entry(PostJournalEntry(
        date=cmd.payment_date, memo=f"Payment {cmd.kind} {document.number}", idempotency_key=f"payment:"
        f"{cmd.idempotency_key}", lines=lines), actor, session, scorer=scorer, source="payment")
    if prior is not None:
        return Recorded(prior, journal)
    payment = Payment(tenant=actor.tenant, kind=cmd.kind, document_id=document.id, payment_date=cmd.payment_date,
                      currency=document.currency, amount_minor=amount_minor, idempotency_key=cmd.idempotency_key,
                      journal_entry_id=journal.entry.id, created_by=actor.user_id)
    session.add(payment)
    session.flush()
    append(session, actor.tenant, AuditEvent(actor.user_id, "payment.recorded", "payment", payment.id,
                                             {"kind": cmd.kind, "document_id": document.id, "amount": amount,
                                              "journal_entry_id": journal.entry.id}))
    return Recorded(payment, journal)
