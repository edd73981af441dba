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
    if kind == "amount_spike":
        amount = _typical(month_docs, "6600", 80_000) * rng.randint(40, 60) + rng.randint(0, 99)
        doc = Doc("journal", day, "Office supplies - bulk order", key,
                  [("6600", amount, 0, "OPS"), ("1010", 0, amount, None)])
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
        doc = Doc("journal", day, "Reclass client entertainment", key,
                  [("6210", amount, 0, "SALES"), ("2300", 0, amount, None)])
        doc.submitted_at = _local(tenant, day, 23, rng.randint(0, 59))
    else:
        day = _saturday(month + dt.timedelta(days=rng.randint(2, 18))) + dt.timedelta(days=1)
        typical = _typical(month_docs, "6500", 800_000)
        amount = max(50_000 * 100, typical * 15 // 1_000_000 * 1_000_000)  # a round figure, fifteen times the norm
        doc = Doc("journal", day, "Consulting fee - advisory retainer", key,
                  [("6500", amount, 0, "EXEC"), ("1010", 0, amount, None)])
        doc.submitted_at = _local(tenant, day, 2, rng.randint(0, 59))
    doc.planted = kind
    return doc
