"""What a ledger file says, before it meets the ledger: entries, accounts opened and closed, balance assertions.

Parsers (``journal_csv``, ``beancount``) produce a ``LedgerFile``; ``journal`` turns it into commands and posts it.
Every element keeps ``where`` (``file:line``) so that any later problem points at the line that caused it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from erp_core.errors import Issue


@dataclass(frozen=True, slots=True)
class SourceLine:
    account: str  # an account code (CSV) or a beancount account name
    debit: Decimal | None
    credit: Decimal | None
    currency: str
    where: str


@dataclass(slots=True)
class SourceEntry:
    key: str
    date: dt.date
    memo: str
    lines: list[SourceLine]
    where: str
    broken: bool = False  # a line of it could not be read (reported already): the entry is not validated further


@dataclass(frozen=True, slots=True)
class OpenAccount:
    name: str
    date: dt.date
    currencies: tuple[str, ...]
    where: str


@dataclass(frozen=True, slots=True)
class CloseAccount:
    name: str
    date: dt.date
    where: str


@dataclass(frozen=True, slots=True)
class BalanceAssertion:
    """The account (with its sub-accounts) holds ``amount`` of ``currency`` at the start of ``date`` (beancount's
    meaning: before that day's transactions). Signed like beancount: debits positive, credits negative."""

    account: str
    date: dt.date
    amount: Decimal
    currency: str
    where: str


@dataclass
class LedgerFile:
    path: str
    format: str  # "csv" or "beancount"
    entries: list[SourceEntry] = field(default_factory=list)
    opens: list[OpenAccount] = field(default_factory=list)
    closes: list[CloseAccount] = field(default_factory=list)
    assertions: list[BalanceAssertion] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
