"""Planted anomalies: entries a reviewer should catch, recorded so tests can measure precision and recall.

Four kinds, each a known audit red flag: an amount far above the account's norm, a re-keyed duplicate of a recent
expense, an odd account pairing booked on a weekend night, and a large round professional-fee payment on a Sunday.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from erp_core.seed.facts import TenantFacts
from erp_core.seed.ledger_data import Doc, weekday

KINDS = ("amount_spike", "duplicate", "odd_pair_weekend", "round_after_hours")
SPIKES = (("6600", "Office supplies - bulk order"), ("6110", "Utilities - annual true-up"),
          ("6900", "Bank charges - wire fees"), ("6300", "Software licence - enterprise tier"),
          ("6400", "Sponsorship - trade fair"))
ODD_PAIRS = (("6210", "2300", "Reclass client entertainment"), ("6400", "2200", "Reclass marketing to payroll"),
             ("6200", "1300", "Travel prepaid adjustment"), ("6300", "2100", "Software accrual reclass"),
             ("6600", "4020", "Supplies offset against services revenue"))
ROUND_PAYMENTS = (("6500", "Consulting fee - advisory retainer"), ("6400", "Agency retainer - urgent"),
                  ("6300", "Licence prepayment - vendor request"), ("6110", "Facility deposit transfer"),
                  ("6500", "Legal settlement - confidential"))


def _local(tenant: TenantFacts, day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(tenant.timezone)).astimezone(dt.UTC)


def _saturday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


def _typical(month_docs: list[Doc], account: str, fallback: int) -> int:
    amounts = sorted(d.amount for d in month_docs if d.kind == "bill" and d.account == account)
    return amounts[len(amounts) // 2] if amounts else fallback


def plant(tenant: TenantFacts, kind: str, month: dt.date, month_docs: list[Doc], rng: random.Random,
          seq: int) -> Doc:
    """One anomalous journal entry for ``month`` (dated inside it), sized against the month's real documents."""
    key = f"seed:{tenant.id}:anomaly:{seq}"
    day = weekday(month + dt.timedelta(days=rng.randint(3, 20)))
    variant = seq // len(KINDS)  # each repetition of a kind uses other accounts: planted anomalies are diverse
    if kind == "amount_spike":
        account, memo = SPIKES[variant % len(SPIKES)]
        amount = _typical(month_docs, account, 80_000) * rng.randint(40, 60) + rng.randint(0, 99)
        doc = Doc("journal", day, memo, key, [(account, amount, 0, "OPS"), ("1010", 0, amount, None)])
        doc.submitted_at = _local(tenant, day, 16, rng.randint(0, 59))
    elif kind == "duplicate":
        originals = [d for d in month_docs if d.kind == "journal" and d.memo.startswith("Expense report")
                     and d.date.day <= 20]
        original = rng.choice(originals) if originals else month_docs[0]
        day = weekday(original.date + dt.timedelta(days=rng.randint(2, 6)))
        doc = Doc("journal", day, original.memo, key, list(original.lines))
        doc.submitted_at = _local(tenant, day, 11, rng.randint(0, 59))
    elif kind == "odd_pair_weekend":
        day = _saturday(month + dt.timedelta(days=rng.randint(2, 18)))
        amount = 25_000 * 100
        debit, credit, memo = ODD_PAIRS[variant % len(ODD_PAIRS)]
        doc = Doc("journal", day, memo, key, [(debit, amount, 0, "SALES"), (credit, 0, amount, None)])
        doc.submitted_at = _local(tenant, day, 23, rng.randint(0, 59))
    else:
        day = _saturday(month + dt.timedelta(days=rng.randint(2, 18))) + dt.timedelta(days=1)
        account, memo = ROUND_PAYMENTS[variant % len(ROUND_PAYMENTS)]
        typical = _typical(month_docs, account, 800_000)
        amount = max(50_000 * 100, typical * 15 // 1_000_000 * 1_000_000)  # a round figure, fifteen times the norm
        doc = Doc("journal", day, memo, key, [(account, amount, 0, "EXEC"), ("1010", 0, amount, None)])
        doc.submitted_at = _local(tenant, day, 2, rng.randint(0, 59))
    doc.planted = kind
    return doc
