"""What the anomaly scorer knows about one journal entry, whether a draft being submitted or a posted one."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from erp_core.ledger.ports import EntryDraft

_WORD = re.compile(r"[a-z][a-z]+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class EntryFeatures:
    """A compact, comparable view of an entry.

    Attributes:
        entry_id: the entry's id.
        entry_date: accounting date.
        submitted_at: when it was submitted (UTC), for after-hours checks.
        memo: the memo text.
        amount_minor: total debits in minor units of the functional currency.
        line_amounts: ("<account code>/D" or "/C" for the side, amount in minor units) per line: an account's
            usual size is judged per side (a prepaid account's large annual debits vs. its small monthly credits).
        debit_accounts / credit_accounts: account codes on each side.
        departments: department dimensions used.
    """

    entry_id: str
    entry_date: dt.date
    submitted_at: dt.datetime | None
    memo: str
    amount_minor: int
    line_amounts: tuple[tuple[str, int], ...]
    debit_accounts: frozenset[str]
    credit_accounts: frozenset[str]
    departments: frozenset[str]

    @property
    def accounts(self) -> frozenset[str]:
        return self.debit_accounts | self.credit_accounts

    @property
    def signature(self) -> str:
        """Which accounts move in which direction: entries with the same signature are the same kind of entry."""
        return ",".join(sorted(self.debit_accounts)) + ">" + ",".join(sorted(self.credit_accounts))

    def account_pairs(self) -> set[tuple[str, str]]:
        """Debit-credit account pairs, the combinations a rare-combination check counts."""
        return {(d, c) for d in self.debit_accounts for c in self.credit_accounts if d != c}


def _minor(amount: Decimal, digits: int = 2) -> int:
    return int(amount.scaleb(digits).to_integral_value())


def features_of_draft(draft: EntryDraft, minor_digits: int = 2) -> EntryFeatures:
    lines = tuple((f"{line.account_code}/{'D' if line.debit else 'C'}", _minor(line.debit or line.credit, minor_digits))
                  for line in draft.lines)
    return EntryFeatures(
        entry_id=draft.entry_id, entry_date=draft.entry_date, submitted_at=draft.submitted_at, memo=draft.memo,
        amount_minor=_minor(draft.functional_amount, minor_digits), line_amounts=lines,
        debit_accounts=frozenset(line.account_code for line in draft.lines if line.debit),
        credit_accounts=frozenset(line.account_code for line in draft.lines if line.credit),
        departments=frozenset(d for line in draft.lines if (d := line.dimensions.get("department"))))


def memo_words(memo: str) -> frozenset[str]:
    """Lower-cased words and numbers of a memo, for telling a re-keyed entry from a routine recurring one."""
    return frozenset(re.findall(r"[a-z0-9]+", memo.lower()))


def memo_tokens(memo: str) -> list[str]:
    """Words of a memo with numbers masked, so "Invoice 1043" and "Invoice 1044" read alike."""
    text = _DIGITS.sub(" ", memo.lower())
    return _WORD.findall(text)


def log_amount(minor: int) -> float:
    return math.log10(max(minor, 1))


def is_round(minor: int, digits: int = 2) -> bool:
    """A whole multiple of 1,000 in major units (e.g. 25,000.00)."""
    unit = 10 ** digits
    return minor >= 1_000 * unit and minor % (1_000 * unit) == 0
