"""AP/AR: bills, invoices and payments post through the ledger; aging ties to the control accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest

from erp_core import apar, approvals, reports
from erp_core.apar import CreateParty, RecordDocument, RecordPayment
from erp_core.errors import ErrorCode, NexusError

if TYPE_CHECKING:
    from conftest import Company

AS_OF = dt.date(2026, 10, 31)


def control_balance(company: Company, code: str) -> Decimal:
    with company.db.read() as session:
        flt = reports.make_filter(as_of=AS_OF)
        return Decimal(reports.account_balance(code, company.carol, session, flt)["balance"])


def aging_total(company: Company, kind: str) -> Decimal:
    with company.db.read() as session:
        report = apar.aging_report(kind, AS_OF, company.carol, session)  # type: ignore[arg-type]
    return sum((Decimal(t["total"]) for t in report["totals"]), Decimal(0))


def test_bills_invoices_payments_and_aging_tie_out(company: Company) -> None:
    with company.db.unit_of_work() as session:
        apar.create_party("vendor", CreateParty(code="V1", name="Office Landlord"), company.alice, session)
        apar.create_party(
            "customer", CreateParty(code="C1", name="Initech", payment_terms_days=30), company.alice, session
        )
        early = apar.record_bill(
            RecordDocument(
                party_code="V1", number="B-1", doc_date=dt.date(2026, 9, 1), amount="4200.00", account_code="6100"
            ),
            company.alice,
            session,
        )
        late = apar.record_bill(
            RecordDocument(
                party_code="V1", number="B-2", doc_date=dt.date(2026, 10, 20), amount="800.00", account_code="6200"
            ),
            company.alice,
            session,
        )
        invoice = apar.record_invoice(
            RecordDocument(
                party_code="C1", number="I-1", doc_date=dt.date(2026, 9, 10), amount="9000.00", account_code="4010"
            ),
            company.alice,
            session,
        )
    assert early.journal.entry.status == "posted" and early.document.due_date == dt.date(2026, 10, 16)  # net 45
    with company.db.unit_of_work() as session:
        apar.record_payment(
            RecordPayment(
                kind="bill",
                document_id=early.document.id,
                payment_date=dt.date(2026, 10, 5),
                amount="1200.00",
                idempotency_key="pay-1",
            ),
            company.alice,
            session,
        )
        apar.record_payment(
            RecordPayment(
                kind="invoice",
                document_id=invoice.document.id,
                payment_date=dt.date(2026, 10, 9),
                amount="9000.00",
                idempotency_key="rcpt-1",
            ),
            company.alice,
            session,
        )
    assert control_balance(company, "2010") == Decimal("3800.00") == aging_total(company, "bill")
    assert control_balance(company, "1100") == Decimal("0.00") == aging_total(company, "invoice")
    with company.db.read() as session:
        report = apar.aging_report("bill", AS_OF, company.carol, session)
    buckets = {item["number"]: (item["bucket"], item["open"]) for item in report["items"]}
    assert buckets == {"B-1": ("1-30", "3000.00"), "B-2": ("current", "800.00")}
    assert late.document.number == "B-2"


def test_overpayment_and_replay(company: Company) -> None:
    with company.db.unit_of_work() as session:
        apar.create_party("vendor", CreateParty(code="V2", name="Cloud Co"), company.alice, session)
        bill = apar.record_bill(
            RecordDocument(
                party_code="V2", number="X", doc_date=dt.date(2026, 10, 1), amount="100.00", account_code="6200"
            ),
            company.alice,
            session,
        )
    pay = RecordPayment(
        kind="bill",
        document_id=bill.document.id,
        payment_date=dt.date(2026, 10, 2),
        amount="60.00",
        idempotency_key="p",
    )
    with company.db.unit_of_work() as session:
        first = apar.record_payment(pay, company.alice, session)
    with company.db.unit_of_work() as session:
        again = apar.record_payment(pay, company.alice, session)
    assert again.document.id == first.document.id and not again.journal.created
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        apar.record_payment(pay.model_copy(update={"idempotency_key": "p2", "amount": "40.01"}), company.alice, session)
    assert err.value.issues[0].code == "overpayment"
    assert control_balance(company, "2010") == Decimal("40.00")


def test_large_bill_waits_for_approval_before_it_counts(company: Company) -> None:
    with company.db.unit_of_work() as session:
        apar.create_party("vendor", CreateParty(code="V3", name="Robot Parts"), company.alice, session)
        bill = apar.record_bill(
            RecordDocument(
                party_code="V3", number="BIG", doc_date=dt.date(2026, 10, 3), amount="64000.00", account_code="1500"
            ),
            company.alice,
            session,
        )
    assert bill.journal.entry.status == "pending_approval"
    assert aging_total(company, "bill") == 0 == control_balance(company, "2010")
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        apar.record_payment(
            RecordPayment(
                kind="bill",
                document_id=bill.document.id,
                payment_date=dt.date(2026, 10, 4),
                amount="1.00",
                idempotency_key="early",
            ),
            company.alice,
            session,
        )
    assert err.value.code is ErrorCode.INVALID_STATE
    with company.db.unit_of_work() as session:
        approvals.approve(bill.journal.approval.id, bill.journal.entry.payload_hash, company.carol, session)  # type: ignore[union-attr]
    assert aging_total(company, "bill") == Decimal("64000.00") == control_balance(company, "2010")


def test_unknown_party_and_other_tenants_documents(company: Company, new_company: Callable[..., Any]) -> None:
    other = new_company(company.db)
    with company.db.unit_of_work() as session:
        apar.create_party("customer", CreateParty(code="C9", name="Hooli"), company.alice, session)
        invoice = apar.record_invoice(
            RecordDocument(
                party_code="C9", number="I-9", doc_date=dt.date(2026, 10, 1), amount="10.00", account_code="4010"
            ),
            company.alice,
            session,
        )
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        apar.record_payment(
            RecordPayment(
                kind="invoice",
                document_id=invoice.document.id,
                payment_date=dt.date(2026, 10, 2),
                amount="10.00",
                idempotency_key="x",
            ),
            other.alice,
            session,
        )
    assert err.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(NexusError) as err, company.db.unit_of_work() as session:
        apar.record_bill(
            RecordDocument(
                party_code="nope", number="1", doc_date=dt.date(2026, 10, 1), amount="1", account_code="6100"
            ),
            company.alice,
            session,
        )
    assert err.value.code is ErrorCode.NOT_FOUND
