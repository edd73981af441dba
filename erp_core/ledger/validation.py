"""Pure validation of journal entries: every issue at once, no database access.

The services gather what the ledger knows (accounts, periods, rates) into a ``LedgerContext`` and call
``validate_entry``; imports validate thousands of entries against one context and report every problem together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from erp_core.errors import Issue
from erp_core.ledger.commands import DIMENSION_KEYS, PostJournalEntry
from erp_core.ledger.models import AccountType, PeriodStatus
from erp_core.money import MoneyError, exact_amount, fmt, minor_units, parse_amount, quantum, to_minor

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


class ValidLine(NamedTuple):
    """A validated line. A named tuple rather than a frozen dataclass: imports build one per line, and a frozen
    dataclass costs several times as much to construct."""

    line_no: int
    account: AccountInfo
    currency: str
    debit: Decimal
    credit: Decimal
    dimensions: dict[str, str]
    # The same amounts as integers of minor units (what ``gl_journal_lines`` stores), computed once by validation.
    debit_minor: int
    credit_minor: int


@dataclass
class LedgerContext:
    """What validation needs to know about one tenant's ledger."""

    functional_currency: str
    accounts: Mapping[str, AccountInfo]
    period_status: Callable[[dt.date], str | None]
    fx_rate: Callable[[str, dt.date], Decimal | None] = field(default=lambda _currency, _day: None)
    # The tenant's department codes: a ``department`` dimension must name one. None: the tenant keeps no department
    # directory (a bare API-created tenant), so any code is taken as given.
    departments: frozenset[str] | None = None


def has_control_chars(text: str) -> bool:
    """True when ``text`` holds NUL or another control character; tab and newline are ordinary memo text."""
    return any((ord(ch) < 32 and ch not in "\t\n") or 0x7F <= ord(ch) <= 0x9F for ch in text)


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
    if not raw:
        return {}
    return {key: value for key, value in sorted(raw.items()) if value is not None and value != ""}


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


def valid_payload_text(cmd: PostJournalEntry, valid: ValidEntry, reverses_id: str | None = None) -> str:
    """``canonical_json(canonical_payload(cmd, reverses_id))`` of a validated entry, written out directly from its
    parsed lines (the bulk path's hot spot).

    Same bytes: keys in sorted order, compact separators, strings through the encoder canonical JSON uses, amounts as
    ``fmt`` strings or null. The tests compare it with the generic serialisation.
    """
    e = encode_basestring
    lines = []
    for line in valid.lines:
        dims = line.dimensions
        inner = ",".join([f"{e(key)}:{e(dims[key])}" for key in sorted(dims)]) if dims else ""
        credit = e(fmt(line.credit)) if line.credit else "null"
        debit = e(fmt(line.debit)) if line.debit else "null"
        lines.append(f'{{"account_code":{e(line.account.code)},"credit":{credit},"currency":{e(line.currency)},'
                     f'"debit":{debit},"dimensions":{{{inner}}}}}')
    tail = "" if reverses_id is None else f',"reverses":{e(reverses_id)}'
    return f'{{"date":{e(cmd.date.isoformat())},"lines":[{",".join(lines)}],"memo":{e(cmd.memo)}{tail}}}'


def _check_header(cmd: PostJournalEntry, ctx: LedgerContext, prefix: str) -> list[Issue]:
    issues: list[Issue] = []
    if not cmd.memo.strip():
        issues.append(Issue("memo_required", "memo must not be empty", f"{prefix}memo"))
    if len(cmd.memo) > MAX_MEMO_CHARS:
        issues.append(Issue("memo_too_long", f"memo longer than {MAX_MEMO_CHARS} characters", f"{prefix}memo"))
    elif has_control_chars(cmd.memo):
        issues.append(Issue("invalid_characters", "memo contains NUL or control characters", f"{prefix}memo"))
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
    if isinstance(value, Decimal):
        return exact_amount(value, currency)
    return parse_amount(value, currency)


_NO_AMOUNT = (Decimal(0), 0)


def _check_amount(value: Decimal | None, currency: str, prefix: str, index: int, side: str,
                  issues: list[Issue]) -> tuple[Decimal, int]:
    """The exact amount and its minor units; an invalid amount adds an issue and counts as zero.

    The issue's field (``{prefix}lines[{index}].{side}``) is only spelled out when there is an issue.
    """
    if value is None:
        return _NO_AMOUNT
    try:
        amount = _exact(value, currency)
    except MoneyError as err:
        issues.append(Issue(err.code, str(err), f"{prefix}lines[{index}].{side}"))
        return _NO_AMOUNT
    minor = to_minor(amount, currency)
    if minor <= 0:
        issues.append(Issue("amount_not_positive", f"amount must be positive, got {fmt(amount)}",
                            f"{prefix}lines[{index}].{side}"))
    elif minor > MAX_AMOUNT_MINOR:
        issues.append(Issue("amount_too_large", f"amount {fmt(amount)} exceeds the limit",
                            f"{prefix}lines[{index}].{side}"))
    return amount, minor


def _check_line(index: int, line: Any, ctx: LedgerContext, prefix: str, issues: list[Issue],
                sums: dict[str, list[Decimal]]) -> ValidLine | None:
    before = len(issues)
    currency = line.currency
    try:
        minor_units(currency)
    except MoneyError:
        issues.append(Issue("unknown_currency", f"unknown currency {currency}", f"{prefix}lines[{index}].currency"))
        return None
    debit_in, credit_in = line.debit, line.credit
    if (debit_in is None) == (credit_in is None):
        issues.append(Issue("one_side_required", "give exactly one of debit or credit", f"{prefix}lines[{index}]"))
    debit, debit_minor = _check_amount(debit_in, currency, prefix, index, "debit", issues)
    credit, credit_minor = _check_amount(credit_in, currency, prefix, index, "credit", issues)
    pair = sums.get(currency)
    if pair is None:
        sums[currency] = [debit, credit]
    else:
        pair[0] += debit
        pair[1] += credit
    raw_dimensions = line.dimensions
    if raw_dimensions:
        for key, value in raw_dimensions.items():
            if key not in DIMENSION_KEYS:
                issues.append(Issue("unknown_dimension", f"unknown dimension {key!r}; use one of "
                                    f"{', '.join(DIMENSION_KEYS)}", f"{prefix}lines[{index}].dimensions.{key}"))
            elif len(value) > MAX_DIMENSION_CHARS:
                issues.append(Issue("dimension_too_long", f"{key} longer than {MAX_DIMENSION_CHARS} characters",
                                    f"{prefix}lines[{index}].dimensions.{key}"))
            elif has_control_chars(value) or value != value.strip():
                issues.append(Issue("invalid_characters", f"{key} contains control characters or surrounding "
                                    "spaces", f"{prefix}lines[{index}].dimensions.{key}"))
            elif key == "department" and value and ctx.departments is not None and value not in ctx.departments:
                issues.append(Issue("unknown_department", f"unknown department {value!r}; use one of "
                                    f"{', '.join(sorted(ctx.departments))}",
                                    f"{prefix}lines[{index}].dimensions.{key}"))
    account = ctx.accounts.get(line.account_code)
    if account is None:
        issues.append(Issue("unknown_account", f"account {line.account_code} does not exist",
                            f"{prefix}lines[{index}].account_code"))
        return None
    if not account.active:
        issues.append(Issue("account_inactive", f"account {account.code} is inactive",
                            f"{prefix}lines[{index}].account_code"))
    if not account.postable:
        issues.append(Issue("account_not_postable", f"account {account.code} is a header account",
                            f"{prefix}lines[{index}].account_code"))
    if account.currency != currency:
        issues.append(Issue("currency_mismatch", f"account {account.code} is kept in {account.currency}, "
                            f"not {currency}", f"{prefix}lines[{index}].currency"))
    if len(issues) > before:
        return None
    return ValidLine(index + 1, account, currency, debit, credit, _dimensions(raw_dimensions), debit_minor,
                     credit_minor)


def _check_balance(sums: dict[str, list[Decimal]], prefix: str, issues: list[Issue]) -> None:
    for currency, (debits, credits) in sorted(sums.items()):
        if debits != credits:
            issues.append(Issue("unbalanced", f"{currency} debits {fmt(debits)} do not equal credits {fmt(credits)}",
                                f"{prefix}lines"))


def _check_self_cancelling(lines: list[ValidLine | None], prefix: str, issues: list[Issue]) -> None:
    """Refuse a debit and a credit of the same amount to the same account, currency and dimensions: the pair moves
    nothing, so it can only pad an entry's total past or below an approval threshold. A transfer between departments
    of one account differs in its dimensions and stays allowed."""
    debits: dict[tuple[str, str, int, tuple[tuple[str, str], ...]], int] = {}
    for line in lines:
        if line is not None and line.debit_minor:
            debits.setdefault((line.account.code, line.currency, line.debit_minor,
                               tuple(line.dimensions.items())), line.line_no)
    for line in lines:
        if line is None or not line.credit_minor:
            continue
        twin = debits.get((line.account.code, line.currency, line.credit_minor, tuple(line.dimensions.items())))
        if twin is not None:
            issues.append(Issue("self_cancelling_lines", f"lines {twin} and {line.line_no} debit and credit "
                                f"account {line.account.code} with the same amount", f"{prefix}lines"))


def _functional_amount(lines: list[ValidLine], sums: dict[str, list[Decimal]], ctx: LedgerContext, day: dt.date,
                       prefix: str, issues: list[Issue]) -> Decimal:
    """Total debits in the functional currency; each foreign currency's total is converted once (one rounding).

    ``sums`` are the per-currency [debits, credits] of ``lines`` that the balance check added up.
    """
    functional = ctx.functional_currency
    total = sums[functional][0] if functional in sums else Decimal(0)
    for currency in sorted(sums):
        if currency == functional:
            continue
        rate = ctx.fx_rate(currency, day)
        if rate is None:
            first = next(line.line_no - 1 for line in lines if line.currency == currency)
            issues.append(Issue("fx_rate_missing", f"no {currency} exchange rate on or before {day}",
                                f"{prefix}lines[{first}].currency"))
            continue
        total += (sums[currency][0] * rate).quantize(quantum(functional), rounding=ROUND_HALF_EVEN)
    return total


def validate_entry(cmd: PostJournalEntry, ctx: LedgerContext, prefix: str = "") -> tuple[ValidEntry | None,
                                                                                       list[Issue]]:
    """Check every rule of a journal entry; returns the valid entry or all issues found."""
    issues = _check_header(cmd, ctx, prefix)
    sums: dict[str, list[Decimal]] = {}
    lines = [_check_line(i, line, ctx, prefix, issues, sums) for i, line in enumerate(cmd.lines)]
    _check_balance(sums, prefix, issues)
    _check_self_cancelling(lines, prefix, issues)
    if issues:
        return None, issues
    valid = [line for line in lines if line is not None]
    amount = _functional_amount(valid, sums, ctx, cmd.date, prefix, issues)
    if issues:
        return None, issues
    return ValidEntry(valid, amount, frozenset(kind.value for kind in {line.account.type for line in valid})), []
