"""AP/AR commands (service inputs and tool schemas)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from erp_core.ledger.commands import DecimalAmount


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CreateParty(_Command):
    """Create a vendor or a customer."""

    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="Unique code.")
    name: str = Field(min_length=1, max_length=200, description="Legal or trading name.")
    payment_terms_days: int | None = Field(None, ge=0, le=365, description="Days until due; default: vendors 45, "
                                                                          "customers 30.")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="Default: the functional currency.")


class RecordDocument(_Command):
    """Record a vendor bill (Dr expense / Cr accounts payable) or a customer invoice (Dr receivable / Cr revenue)."""

    party_code: str = Field(min_length=1, max_length=32, description="Vendor code (bills) or customer code (invoices).")
    number: str = Field(min_length=1, max_length=64, description="Document number, unique per vendor / per tenant.")
    doc_date: dt.date = Field(description="Document date; its period must be open.")
    due_date: dt.date | None = Field(None, description="Default: doc_date + the party's payment terms.")
    amount: DecimalAmount = Field(description="Total, decimal string, in the party's currency.")
    account_code: str = Field(min_length=1, max_length=32, description="Expense account (bills) or revenue account "
                                                                       "(invoices).")
    memo: str = Field("", max_length=500, description="Description; default: the document number and party.")
    dimensions: dict[str, str] | None = Field(None, description="department, cost_center, project.")


class RecordPayment(_Command):
    """Pay a bill (Dr payable / Cr cash) or receive an invoice's payment (Dr cash / Cr receivable)."""

    kind: Literal["bill", "invoice"] = Field(description="What is paid.")
    document_id: str = Field(min_length=1, max_length=32, description="Id of the bill or invoice.")
    payment_date: dt.date = Field(description="Payment date; its period must be open.")
    amount: DecimalAmount = Field(description="Amount, at most the open balance.")
    cash_account_code: str = Field("1010", max_length=32, description="Bank account the money moves through.")
    idempotency_key: str = Field(min_length=1, max_length=128, description="Unique per tenant.")
