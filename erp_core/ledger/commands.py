"""Ledger commands: frozen pydantic models that are both the service inputs and the tools' JSON schemas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from erp_core.ledger.models import AccountType
from erp_core.money import MoneyError, check_amount_text

DIMENSION_KEYS = ("department", "cost_center", "project")


def _amount_input(value: Any) -> Any:
    # JSON numbers arrive as floats and cannot carry cents exactly; amounts travel as decimal strings, and only plain
    # ASCII ones: pydantic's Decimal would take "1e5", " 100" or full-width digits. The error types are the ledger's
    # issue codes (invalid_amount, amount_too_large), so an API client sees the same code either way.
    if isinstance(value, float | bool):
        raise PydanticCustomError("invalid_amount", "amounts must be decimal strings such as \"1250.00\", not numbers")
    if isinstance(value, str):
        try:
            check_amount_text(value)
        except MoneyError as err:
            raise PydanticCustomError(err.code, "{reason}", {"reason": str(err)}) from None
    return value


DecimalAmount = Annotated[
    Decimal,
    BeforeValidator(_amount_input),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$",
                    "description": "Positive decimal string, e.g. \"1250.00\"."}),
]


class _Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CreateAccount(_Command):
    """Add an account to the tenant's chart of accounts."""

    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                      description="Account code, unique per tenant, e.g. \"6100\".")
    name: str = Field(min_length=1, max_length=200, description="Account name, e.g. \"Rent Expense\".")
    type: AccountType = Field(description="asset, liability, equity, revenue or expense.")
    parent_code: str | None = Field(None, max_length=32, description="Code of the parent (header) account, if any.")
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$",
                                 description="ISO 4217 currency; default: the tenant's functional currency.")
    postable: bool = Field(True, description="False for header accounts that only group others.")


class SetAccountActive(_Command):
    """Activate or deactivate an account; inactive accounts accept no new postings."""

    code: str = Field(min_length=1, max_length=32, description="Account code.")
    active: bool = Field(description="New active flag.")


class PeriodRef(_Command):
    """A monthly fiscal period."""

    year: int = Field(ge=1900, le=2999, description="Calendar year, e.g. 2026.")
    month: int = Field(ge=1, le=12, description="Month 1-12.")


class SetExchangeRate(_Command):
    """Record how many units of the functional currency one unit of ``currency`` is worth from ``rate_date`` on."""

    currency: str = Field(pattern=r"^[A-Z]{3}$", description="Foreign currency, ISO 4217.")
    rate_date: dt.date = Field(description="First day the rate applies.")
    rate: DecimalAmount = Field(description="Functional-currency units per unit of the foreign currency.")


class JournalLineIn(_Command):
    """One line of a journal entry: exactly one of ``debit`` or ``credit``."""

    account_code: str = Field(min_length=1, max_length=32, description="Code of a postable, active account.")
    debit: DecimalAmount | None = Field(None, description="Debit amount as a decimal string; omit for a credit line.")
    credit: DecimalAmount | None = Field(None, description="Credit amount as a decimal string; omit for a debit line.")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency of the amount, e.g. \"USD\".")
    dimensions: dict[str, str] | None = Field(
        None, description="Optional analysis dimensions: department, cost_center, project.")


class PostJournalEntry(_Command):
    """Propose a journal entry. Small entries post at once; larger ones wait for the approvals policy asks for."""

    date: dt.date = Field(description="Accounting date (YYYY-MM-DD); its period must be open.")
    memo: str = Field(max_length=2000, description="What the entry is for.")
    idempotency_key: str = Field(max_length=256, description="Unique per tenant; a retry with the same key and "
                                                             "payload returns the same entry.")
    lines: list[JournalLineIn] = Field(description="At least two lines, balanced per currency.")


class ReverseJournalEntry(_Command):
    """Reverse a posted entry with a new, linked entry whose debits and credits are swapped."""

    entry_id: str = Field(min_length=1, max_length=64, description="Id of the posted entry to reverse.")
    date: dt.date | None = Field(None, description="Date of the reversal; default: the original entry's date.")
    memo: str | None = Field(None, max_length=2000, description="Memo; default: \"Reversal of <original memo>\".")
    idempotency_key: str = Field(max_length=256, description="Unique per tenant, like any entry.")
