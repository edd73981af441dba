"""Anomaly signals on synthetic histories (no database)."""

from __future__ import annotations

import datetime as dt
import random

from erp_core.anomaly.features import EntryFeatures
from erp_core.anomaly.profile import LedgerProfile
from erp_core.anomaly.scoring import score_features
from erp_core.anomaly.similarity import HashedFeatureSearch, cosine, hashed_vector

START = dt.date(2026, 1, 5)
NOON_UTC = dt.time(18, 0, tzinfo=dt.UTC)


def entry(n: int, debit: str, credit: str, minor: int, day: dt.date, memo: str,
          at: dt.datetime | None = None) -> EntryFeatures:
    return EntryFeatures(entry_id=f"e{n}", entry_date=day, submitted_at=at or dt.datetime.combine(day, NOON_UTC),
                         memo=memo, amount_minor=minor, line_amounts=((f"{debit}/D", minor), (f"{credit}/C", minor)),
                         debit_accounts=frozenset({debit}), credit_accounts=frozenset({credit}),
                         departments=frozenset({"OPS"}))


def history(n: int = 400) -> tuple[LedgerProfile, HashedFeatureSearch, list[EntryFeatures]]:
    rng = random.Random(3)
    profile, search, entries = LedgerProfile(), HashedFeatureSearch(), []
    kinds = [("6600", "2010", 80_000, "Bill office supplies"), ("6200", "1010", 90_000, "Expense report trip"),
             ("1010", "1100", 2_500_000, "Payment invoice"), ("1100", "4010", 2_500_000, "Invoice customer")]
    for i in range(n):
        debit, credit, median, memo = kinds[i % len(kinds)]
        day = START + dt.timedelta(days=(i // 4) * 7 // 5)
        day += dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)
        item = entry(i, debit, credit, int(median * rng.lognormvariate(0, 0.4)), day, f"{memo} {i}")
        profile.add(item)
        search.add("t", [item])
        entries.append(item)
    return profile, search, entries


def test_routine_entry_scores_low() -> None:
    profile, search, entries = history()
    routine = entry(9001, "6600", "2010", 95_000, entries[-1].entry_date, "Bill office supplies 9001")
    score, signals = score_features(profile, search, "t", routine)
    assert score < 0.8, signals  # weak hints at most: never flagged for review


def test_spike_duplicate_and_odd_weekend_entries_score_high() -> None:
    profile, search, entries = history()
    last = entries[-1].entry_date
    spike = entry(9002, "6600", "2010", 80_000 * 60, last, "Bill office supplies 9002")
    score, signals = score_features(profile, search, "t", spike)
    assert score >= 0.8 and signals[0].name == "unusual_amount"
    original = entries[-3]
    dup = entry(9003, next(iter(original.debit_accounts)), next(iter(original.credit_accounts)),
                original.amount_minor, original.entry_date + dt.timedelta(days=2), original.memo)
    score, signals = score_features(profile, search, "t", dup)
    assert score >= 0.8 and "near_duplicate" in {s.name for s in signals}
    saturday = last + dt.timedelta(days=(5 - last.weekday()) % 7)
    odd = entry(9004, "6200", "4010", 2_000_000, saturday, "Reclass",
                at=dt.datetime.combine(saturday, dt.time(23, 30), tzinfo=dt.UTC))
    score, signals = score_features(profile, search, "t", odd)
    assert score >= 0.8
    assert {"rare_combination", "weekend", "after_hours", "round_amount"} <= {s.name for s in signals}


def test_cold_start_stays_quiet() -> None:
    profile = LedgerProfile()
    first = entry(1, "6600", "2010", 5_000_000, START, "Opening")
    score, signals = score_features(profile, HashedFeatureSearch(), "t", first)
    assert signals == [] and score == 0.0  # history checks wait for three months of ledger


def test_inverted_index_matches_brute_force() -> None:
    _profile, search, entries = history(300)
    query = entry(9005, "6200", "1010", 85_000, START, "Expense report trip 17")
    brute = sorted(((cosine(hashed_vector(query), hashed_vector(e)), e.entry_id) for e in entries), reverse=True)
    found = search.nearest("t", query, k=3)
    assert [round(f.similarity, 9) for f in found] == [round(s, 9) for s, _ in brute[:3]]
    assert search.size("t") == 300 and search.nearest("other", query) == []
