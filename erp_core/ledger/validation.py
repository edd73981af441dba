"""Pure validation of journal entries: every issue at once, no database access.

The services gather what the ledger knows (accounts, periods, rates) into a ``LedgerContext`` and call
``validate_entry``; imports validate thousands of entries against one context and report every problem together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from erp_core.errors import Issue
from erp_core.ledger.commands import DIMENSION_KEYS, PostJournalEntry
from erp_core.ledger.models import AccountType, PeriodStatus
from erp_core.money import MoneyError, fmt, minor_units, parse_amount, quantum, to_minor

MIN_LINES = 2
MAX_LINES = 500
MAX_MEMO_CHARS = 500
MAX_KEY_CHARS = 128
MAX_DIMENSION_CHARS = 64
# Fits a BIGINT with room for sums of many lines: 10^15 minor units is ten trillion dollars.
MAX_AMOUNT_MINOR = 10**15


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    code: str
    type: AccountType
    postable: bool
    active: bool
    currency: str


@dataclass(frozen=True, slots=True)
class ValidLine:
    line_no: int
    account: AccountInfo
    currency: str
    debit: Decimal
    credit: Decimal
    dimensions: dict[str, str]


@dataclass
class LedgerContext:
    """What validation needs to know about one tenant's ledger."""

    functional_currency: str
    accounts: Mapping[str, AccountInfo]
    period_status: Callable[[dt.date], str | None]
    fx_rate: Callable[[str, dt.date], Decimal | None] = field(default=lambda _currency, _day: None)


@dataclass(frozen=True, slots=True)
class ValidEntry:
    lines: list[ValidLine]
    functional_amount: Decimal
    account_types: frozenset[str]


def _amount_text(value: Decimal | None, currency: str) -> str | None:
    if value is None or value == 0:
        return None
    try:
        return fmt(parse_amount(value, currency))
    except MoneyError:
        return fmt(value)


def _dimensions(raw: Mapping[str, str] | None) -> dict[str, str]:
    return {key: value for key, value in sorted((raw or {}).items()) if value not in (None, "")}


def canonical_payload(cmd: PostJournalEntry, reverses_id: str | None = None) -> dict[str, Any]:
    """The document approvals are bound to: date, memo and lines with amounts quantized to the currency.

    The idempotency key is not part of it (it names the request, not the content). Built leniently so a replay can be
    compared before validation.
    """
    payload: dict[str, Any] = {
        "date": cmd.date.isoformat(),
        "memo": cmd.memo,
        "lines": [
            {"account_code": line.account_code, "currency": line.currency,
             "debit": _amount_text(line.debit, line.currency), "credit": _amount_text(line.credit, line.currency),
             "dimensions": _dimensions(line.dimensions)}
            for line in cmd.lines
        ],
    }
    if reverses_id is not None:
        payload["reverses"] = reverses_id
    return payload


def valid_payload(cmd: PostJournalEntry, valid: ValidEntry, reverses_id: str | None = None) -> dict[str, Any]:
    """``canonical_payload`` of an already validated entry, built from its parsed lines (same result, less work)."""
    payload: dict[str, Any] = {
        "date": cmd.date.isoformat(),
        "memo": cmd.memo,
        "lines": [{"account_code": line.account.code, "currency": line.currency,
                   "debit": fmt(line.debit) if line.debit else None,
                   "credit": fmt(line.credit) if line.credit else None,
                   "dimensions": line.dimensions} for line in valid.lines],
    }
    if reverses_id is not None:
        payload["reverses"] = reverses_id
    return payload


def _check_header(cmd: PostJournalEntry, ctx: LedgerContext, prefix: str) -> list[Issue]:
    issues: list[Issue] = []
    if not cmd.memo.strip():
        issues.append(Issue("memo_required", "memo must not be empty", f"{prefix}memo"))
    if len(cmd.memo) > MAX_MEMO_CHARS:
        issues.append(Issue("memo_too_long", f"memo longer than {MAX_MEMO_CHARS} characters", f"{prefix}memo"))
    key = cmd.idempotency_key
    if not key.strip() or len(key) > MAX_KEY_CHARS or not key.isprintable():
        issues.append(Issue("invalid_idempotency_key",
                            f"idempotency_key must be 1-{MAX_KEY_CHARS} printable characters",
                            f"{prefix}idempotency_key"))
    if len(cmd.lines) < MIN_LINES:
        issues.append(Issue("too_few_lines", f"an entry needs at least {MIN_LINES} lines", f"{prefix}lines"))
    if len(cmd.lines) > MAX_LINES:
        issues.append(Issue("too_many_lines", f"an entry may have at most {MAX_LINES} lines", f"{prefix}lines"))
    status = ctx.period_status(cmd.date)
    if status is None:
        issues.append(Issue("period_missing", f"no fiscal period exists for {cmd.date:%Y-%m}", f"{prefix}date"))
    elif status != PeriodStatus.OPEN:
        issues.append(Issue("period_closed", f"fiscal period {cmd.date:%Y-%m} is closed", f"{prefix}date"))
    return issues


def _exact(value: Decimal, currency: str) -> Decimal:
    """``parse_amount`` for values that are already Decimals (the common case: pydantic parsed them)."""
    if isinstance(value, Decimal) and value.is_finite():
        step = quantum(currency)
        try:
            quantized = value.quantize(step)
        except InvalidOperation:
            raise MoneyError(f"not a representable amount: {value}") from None
        if quantized != value:
            raise MoneyError(f"{value} has more decimals than {currency} allows ({minor_units(currency)})")
        return quantized
    return parse_amount(value, currency)


def _check_amount(value: Decimal | None, currency: str, where: str, issues: list[Issue]) -> Decimal:
    if value is None:
        return Decimal(0)
    try:
        amount = _exact(value, currency)
    except MoneyError as err:
        issues.append(Issue("invalid_amount", str(err), where))
        return Decimal(0)
    if amount <= 0:
        issues.append(Issue("amount_not_positive", f"amount must be positive, got {fmt(amount)}", where))
    elif to_minor(amount, currency) > MAX_AMOUNT_MINOR:
        issues.append(Issue("amount_too_large", f"amount {fmt(amount)} exceeds the limit", where))
    return amount


def _check_line(index: int, line: Any, ctx: LedgerContext, prefix: str, issues: list[Issue],
                sums: dict[str, list[Decimal]]) -> ValidLine | None:
    where = f"{prefix}lines[{index}]"
    before = len(issues)
    try:
        quantum(line.currency)
    except MoneyError:
        issues.append(Issue("unknown_currency", f"unknown currency {line.currency}", f"{where}.currency"))
        return None
    if (line.debit is None) == (line.credit is None):
        issues.append(Issue("one_side_required", "give exactly one of debit or credit", where))
    debit = _check_amount(line.debit, line.currency, f"{where}.debit", issues)
    credit = _check_amount(line.credit, line.currency, f"{where}.credit", issues)
    pair = sums.setdefault(line.currency, [Decimal(0), Decimal(0)])
    pair[0] += debit
    pair[1] += credit
    for key, value in (line.dimensions or {}).items():
        if key not in DIMENSION_KEYS:
            issues.append(Issue("unknown_dimension", f"unknown dimension {key!r}; use one of "
                                f"{', '.join(DIMENSION_KEYS)}", f"{where}.dimensions.{key}"))
        elif len(value) > MAX_DIMENSION_CHARS:
            issues.append(Issue("dimension_too_long", f"{key} longer than {MAX_DIMENSION_CHARS} characters",
                                f"{where}.dimensions.{key}"))
    account = ctx.accounts.get(line.account_code)
    if account is None:
        issues.append(Issue("unknown_account", f"account {line.account_code} does not exist",
                            f"{where}.account_code"))
    else:
        if not account.active:
            issues.append(Issue("account_inactive", f"account {account.code} is inactive", f"{where}.account_code"))
        if not account.postable:
            issues.append(Issue("account_not_postable", f"account {account.code} is a header account",
                                f"{where}.account_code"))
        if account.currency != line.currency:
            issues.append(Issue("currency_mismatch", f"account {account.code} is kept in {account.currency}, "
                                f"not {line.currency}", f"{where}.currency"))
    if len(issues) > before or account is None:
        return None
    return ValidLine(index + 1, account, line.currency, debit, credit, _dimensions(line.dimensions))


def _check_balance(sums: dict[str, list[Decimal]], prefix: str, issues: list[Issue]) -> None:
    for currency, (debits, credits) in sorted(sums.items()):
        if debits != credits:
            issues.append(Issue("unbalanced", f"{currency} debits {fmt(debits)} do not equal credits {fmt(credits)}",
                                f"{prefix}lines"))


def _functional_amount(lines: list[ValidLine], ctx: LedgerContext, day: dt.date, prefix: str,
                       issues: list[Issue]) -> Decimal:
    """Total debits in the functional currency; each foreign currency's total is converted once (one rounding)."""
    debits: dict[str, Decimal] = {}
    first_line: dict[str, int] = {}
    for line in lines:
        debits[line.currency] = debits.get(line.currency, Decimal(0)) + line.debit
        first_line.setdefault(line.currency, line.line_no - 1)
    total = debits.pop(ctx.functional_currency, Decimal(0))
    for currency, amount in sorted(debits.items()):
        rate = ctx.fx_rate(currency, day)
        if rate is None:
            issues.append(Issue("fx_rate_missing", f"no {currency} exchange rate on or before {day}",
                                f"{prefix}lines[{first_line[currency]}].currency"))
            continue
        total += (amount * rate).quantize(quantum(ctx.functional_currency), rounding=ROUND_HALF_EVEN)
    return total


def validate_entry(cmd: PostJournalEntry, ctx: LedgerContext, prefix: str = "") -> tuple[ValidEntry | None,
                                                                                       list[Issue]]:
    """Check every rule of a journal entry; returns the valid entry or all issues found."""
    issues = _check_header(cmd, ctx, prefix)
    sums: dict[str, list[Decimal]] = {}
    lines = [_check_line(i, line, ctx, prefix, issues, sums) for i, line in enumerate(cmd.lines)]
    _check_balance(sums, prefix, issues)
    if issues:
        return None, issues
    valid = [line for line in lines if line is not None]
    amount = _functional_amount(valid, ctx, cmd.date, prefix, issues)
    if issues:
        return None, issues
    return ValidEntry(valid, amount, frozenset(line.account.type.value for line in valid)), []
