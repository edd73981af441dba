"""The journal entries people ask for in a sentence, drafted without a model.

"Post the November rent accrual of 42000", "accrue 8,500 of professional fees", "record depreciation of 12,000",
"book 1,250 of travel paid from cash", "debit travel expense 1,250.00, credit cash": the shape of the entry (which
side each account is on) follows from the words, as an accountant reads them. A small model asked to write the lines
leaves them out or swaps the sides; these patterns draft them exactly, with the account names as said (the ledger's
resolver turns them into codes and reports any it does not know). A request that matches none is left to the model.
The draft is a proposal like any other: validated by the ledger and posted only after a person approves it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

_AMOUNT = r"(?:[$€£]\s?)?(\d[\d,]*(?:\.\d{1,2})?)\s*(k|m)?\b(?:\s*(?:usd|eur|gbp|dollars?|euros?))?"
_ACCOUNT = r"([a-z][a-z &/'-]*?)"
_END = r"(?=\s*(?:,|;|\.(?:\s|$)|$|\bfor\b|\bdated\b|\bon\b|\bas of\b|\band\b|\bagainst\b|\bto\b|\d))"
_EXPLICIT = re.compile(rf"\bdebit(?:ing)?\s+{_ACCOUNT}{_END}.*?\bcredit(?:ing)?\s+{_ACCOUNT}{_END}", re.IGNORECASE)
_TO_AGAINST = re.compile(rf"\bto\s+{_ACCOUNT}\s+against\s+{_ACCOUNT}{_END}", re.IGNORECASE)
_ACCRUE_OF = re.compile(rf"\baccru(?:e|ing)\s+{_AMOUNT}\s+(?:of|for|in)\s+{_ACCOUNT}{_END}", re.IGNORECASE)
_ACCRUAL = re.compile(rf"\b{_ACCOUNT}\s+accrual\b", re.IGNORECASE)
_DEPRECIATION = re.compile(r"\bdepreciation\b", re.IGNORECASE)
_PAID_FROM = re.compile(rf"\b(?:book|record|post|pay|paid|spent|spend)\s+{_AMOUNT}\s+(?:of|for|on)\s+{_ACCOUNT}\s+"
                        r"(?:paid\s+)?(?:from|with|in|out\s+of|by)\s+(?:the\s+)?(cash|bank|operating\s+account|"
                        r"card|corporate\s+card)\b", re.IGNORECASE)
_ANY_AMOUNT = re.compile(_AMOUNT, re.IGNORECASE)
_DATED = re.compile(r"\b(?:dated|on|as of)\s+(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
# Words before "accrual" that say when or what kind, not which account ("the November rent accrual").
_NOT_ACCOUNT = re.compile(r"\b(?:the|a|an|our|post|book|record|create|make|please|monthly|quarterly|annual|"
                          r"january|february|march|april|may|june|july|august|september|october|november|december|"
                          r"this|last|next|month|months|quarter|year|end|month-end|year-end)\b", re.IGNORECASE)
ACCRUED = "accrued liabilities"
_PAYMENT_SOURCE = {"cash": "cash", "bank": "cash", "operating account": "cash", "card": "accounts payable",
                   "corporate card": "accounts payable"}


def _amount(number: str, scale: str | None) -> str | None:
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    value *= {"k": 1_000, "m": 1_000_000}.get((scale or "").lower(), 1)
    return f"{value:.2f}" if value > 0 else None


def _only_amount(text: str) -> str | None:
    """The one amount the request states (dates and years are not amounts); None when none or several differ."""
    undated = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", " ", text)
    found = {a for m in _ANY_AMOUNT.finditer(undated)
             if not re.fullmatch(r"(?:19|20)\d\d", m.group(1)) and (a := _amount(m.group(1), m.group(2)))}
    return found.pop() if len(found) == 1 else None


def _clean(account: str) -> str:
    return " ".join(_NOT_ACCOUNT.sub(" ", account).split())


def _lines(debit: str, credit: str, amount: str) -> list[dict[str, str]]:
    return [{"account": debit, "debit": amount}, {"account": credit, "credit": amount}]


def draft_entry(request: str) -> dict[str, Any] | None:
    """``{"lines": [...], "date"?: ...}`` for a request whose entry the words determine, else None."""
    text = " ".join(request.split())
    amount = _only_amount(text)
    lines: list[dict[str, str]] | None = None
    if amount and (match := _EXPLICIT.search(text) or _TO_AGAINST.search(text)):
        debit, credit = _clean(match.group(1)), _clean(match.group(2))
        lines = _lines(debit, credit, amount) if debit and credit else None
    elif match := _PAID_FROM.search(text):
        said = _amount(match.group(1), match.group(2))
        account = _clean(match.group(3))
        source = _PAYMENT_SOURCE[" ".join(match.group(4).lower().split())]
        lines = _lines(account, source, said) if said and account else None
    elif match := _ACCRUE_OF.search(text):
        said = _amount(match.group(1), match.group(2))
        account = _clean(match.group(3))
        lines = _lines(account, ACCRUED, said) if said and account else None
    elif amount and (match := _ACCRUAL.search(text)) and (account := _clean(match.group(1).split(" of ")[0])):
        lines = _lines(account, ACCRUED, amount)
    elif amount and _DEPRECIATION.search(text):
        lines = _lines("depreciation expense", "accumulated depreciation", amount)
    if lines is None:
        return None
    drafted: dict[str, Any] = {"lines": lines}
    if dated := _DATED.search(text):
        drafted["date"] = dated.group(1)
    return drafted
