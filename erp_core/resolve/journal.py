"""A journal entry as the assistant drafts it (account names, loose dates) → the ledger's PostJournalEntry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from erp_core.errors import ErrorCode, Issue, NexusError, validation_error
from erp_core.ledger.commands import JournalLineIn, PostJournalEntry
from erp_core.resolve.accounts import resolve_account
from erp_core.resolve.periods import resolve_as_of
from erp_core.resolve.slots import slot
from erp_core.tenancy import functional_currency


class DraftLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str = Field(min_length=1, max_length=200, description="Account name or code, e.g. \"rent\" or \"6100\".")
    debit: str | None = Field(None, pattern=r"^[0-9]+(\.[0-9]{1,4})?$", description="Debit amount, e.g. \"1500.00\".")
    credit: str | None = Field(None, pattern=r"^[0-9]+(\.[0-9]{1,4})?$",
                               description="Credit amount, e.g. \"1500.00\".")


class DraftJournalEntry(BaseModel):
    """Propose a journal entry from account names; it is validated and waits for a person to approve it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    memo: str = Field(min_length=1, max_length=500, description="What the entry is for, e.g. \"October rent accrual\".",
                      json_schema_extra=slot("text"))
    lines: list[DraftLine] = Field(min_length=2, max_length=20,
                                   description="Debit and credit lines; total debits must equal total credits.")
    date: str | None = Field(None, max_length=40,
                             description="Accounting date: YYYY-MM-DD, \"today\" or \"end of last month\".",
                             json_schema_extra=slot("as_of"))
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="ISO currency; default: functional.")


def _refused(exc: NexusError) -> str | None:
    """The value a resolver refused, carried on into the issue that reports it for one line of the entry."""
    return next(iter(exc.refused_values), None)


def resolve_journal_entry(draft: DraftJournalEntry, session: Session, tenant: str, today: dt.date,
                          *, key_prefix: str) -> PostJournalEntry:
    """Names → codes, loose date → date, one currency; every problem reported at once (model-fixable)."""
    currency = draft.currency or functional_currency(session, tenant)
    issues: list[Issue] = []
    lines: list[JournalLineIn] = []
    candidates: list[str] = []
    for i, line in enumerate(draft.lines):
        if (line.debit is None) == (line.credit is None):
            issues.append(Issue("one_side", "give exactly one of debit or credit", f"lines[{i}]"))
            continue
        try:
            account = resolve_account(session, tenant, line.account, postable_only=True)
        except NexusError as exc:
            issues.append(Issue(exc.code.value, exc.message, f"lines[{i}].account", _refused(exc)))
            candidates.extend(exc.candidates)
            continue
        lines.append(JournalLineIn(account_code=account.code, currency=currency,
                                   debit=line.debit, credit=line.credit))
    try:
        day = resolve_as_of(draft.date, today)
    except NexusError as exc:
        issues.append(Issue(exc.code.value, exc.message, "date", _refused(exc)))
        day = today
    if issues:
        error = validation_error(issues)
        if candidates:
            error = NexusError(ErrorCode.UNKNOWN_NAME, error.message, issues=issues, candidates=candidates[:5])
        raise error
    body = {"memo": draft.memo, "date": day.isoformat(), "lines": [ln.model_dump(mode="json") for ln in lines]}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:24]
    # The same draft proposed twice in a thread is the same entry (idempotent), a different one is a new entry.
    return PostJournalEntry(date=day, memo=draft.memo, idempotency_key=f"{key_prefix}:{digest}", lines=lines)
