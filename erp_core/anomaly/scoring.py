"""Scoring one entry against its tenant's history: independent signals combined by noisy-OR into 0..1.

Each signal that fires contributes a strength c in (0, 1) and a reason a reviewer can check; the score is
1 − Π(1 − c). One strong signal (an amount eight robust standard deviations out, an exact re-keyed duplicate) reaches
the 0.8 review threshold alone; weak ones (a weekend date, a round figure) only together.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from erp_core.anomaly.features import EntryFeatures, is_round, log_amount, memo_words
from erp_core.anomaly.profile import LedgerProfile
from erp_core.anomaly.similarity import SimilarEntrySearch

MIN_ACCOUNT_LINES = 12
MIN_KIND_LINES = 3
#: the history-based checks wait for three months of ledger: a new ledger's first postings are all "new"
WARMUP_DAYS = 90
MIN_HISTORY_ENTRIES = 200
Z_THRESHOLD = 3.5
MAD_FLOOR = 0.02  # log10 units (~5%): accounts with fixed amounts (rent) still need a real jump to look unusual
BUSINESS_HOURS = (7, 20)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class Signal:
    name: str
    strength: float
    reason: str


def _money(minor: int, digits: int) -> str:
    return f"{minor / 10 ** digits:,.{digits}f}"


def amount_signal(profile: LedgerProfile, entry: EntryFeatures, digits: int) -> Signal | None:
    worst: tuple[float, str, int, float] | None = None
    for code, minor in entry.line_amounts:
        stats = profile.stats(code)
        if stats is None or stats.lines < MIN_ACCOUNT_LINES:
            continue
        median, mad = stats.median_mad()
        z = 0.6745 * (log_amount(minor) - median) / max(mad, MAD_FLOOR)
        kind = profile.stats(f"{code}|{entry.signature}")
        if kind is not None and kind.lines >= MIN_KIND_LINES:
            kind_median, kind_mad = kind.median_mad()
            kind_z = 0.6745 * (log_amount(minor) - kind_median) / max(kind_mad, MAD_FLOOR)
            if kind_z < z:  # usual for this kind of entry (e.g. the monthly accrual): judge it against its kind
                z, median = kind_z, kind_median
        if z >= Z_THRESHOLD and (worst is None or z > worst[0]):
            worst = (z, code, minor, median)
    if worst is None:
        return None
    z, key, minor, median = worst
    code, side = key.split("/")
    strength = min(0.95, 0.5 + 0.08 * (z - Z_THRESHOLD))
    typical = _money(round(10 ** median), digits)
    direction = "debit" if side == "D" else "credit"
    return Signal("unusual_amount", strength, f"{direction} of {_money(minor, digits)} on account {code} is far "
                                              f"above its usual size (typical {typical}; robust z-score {z:.1f})")


def combination_signal(profile: LedgerProfile, entry: EntryFeatures) -> Signal | None:
    if profile.entries < MIN_HISTORY_ENTRIES:
        return None
    rarest: tuple[int, tuple[str, str]] | None = None
    for pair in sorted(entry.account_pairs()):
        debit_stats, credit_stats = profile.stats(pair[0]), profile.stats(pair[1])
        if debit_stats is None or credit_stats is None:
            continue
        if min(debit_stats.lines, credit_stats.lines) < MIN_ACCOUNT_LINES:
            continue
        count = profile.pairs.get(pair, 0)
        if count <= 2 and (rarest is None or count < rarest[0]):
            rarest = (count, pair)
    if rarest is None:
        return None
    count, (debit, credit) = rarest
    if count == 0:
        return Signal("rare_combination", 0.6, f"debit {debit} with credit {credit} has never been booked before")
    return Signal("rare_combination", 0.3, f"debit {debit} with credit {credit} was booked only {count} time(s) "
                                           f"in {profile.entries} entries")


def timing_signals(entry: EntryFeatures, tz: dt.tzinfo) -> list[Signal]:
    signals = []
    if entry.entry_date.weekday() >= 5:
        signals.append(Signal("weekend", 0.3, f"dated on a {_WEEKDAYS[entry.entry_date.weekday()]}"))
    if entry.submitted_at is not None:
        local = entry.submitted_at.astimezone(tz)
        after_hours = not BUSINESS_HOURS[0] <= local.hour < BUSINESS_HOURS[1]
        if after_hours or local.weekday() >= 5:
            signals.append(Signal("after_hours", 0.25, f"submitted {_WEEKDAYS[local.weekday()]} at "
                                                       f"{local:%H:%M} local time"))
    return signals


def round_signal(profile: LedgerProfile, entry: EntryFeatures, digits: int) -> Signal | None:
    if not is_round(entry.amount_minor, digits):
        return None
    shares = [s.round_share for code in entry.accounts if (s := profile.stats(code)) is not None and s.lines >= 5]
    if shares and max(shares) >= 0.2:
        return None  # these accounts usually carry round amounts (rent, capital): nothing odd
    strength = 0.35 if entry.amount_minor >= 10_000 * 10 ** digits else 0.3
    return Signal("round_amount", strength, f"round amount {_money(entry.amount_minor, digits)}")


def duplicate_signal(profile: LedgerProfile, entry: EntryFeatures) -> Signal | None:
    matches = profile.near_duplicates(entry)
    if not matches:
        return None
    tokens = memo_words(entry.memo)
    best = max(matches, key=lambda m: len(tokens & m.tokens) / max(1, len(tokens | m.tokens)))
    overlap = len(tokens & best.tokens) / max(1, len(tokens | best.tokens))
    days = abs((entry.entry_date - best.entry_date).days)
    exact = best.amount_minor == entry.amount_minor
    # Same amount, accounts and memo (document numbers included) is a re-keyed entry; recurring payments of equal
    # amounts carry different document numbers and stay a weaker hint.
    strength = 0.8 if exact and overlap >= 0.9 else 0.5
    return Signal("near_duplicate", strength, f"same accounts and {'the same' if exact else 'almost the same'} "
                                              f"amount as entry {best.entry_id} of {best.entry_date.isoformat()} "
                                              f"({days} days apart, memo overlap {overlap:.0%})")


def novelty_signal(search: SimilarEntrySearch | None, tenant: str, entry: EntryFeatures) -> Signal | None:
    if search is None or search.size(tenant) < MIN_HISTORY_ENTRIES:
        return None
    nearest = search.nearest(tenant, entry, k=1)
    similarity = nearest[0].similarity if nearest else 0.0
    if similarity >= 0.5:
        return None
    closest = f"closest: entry {nearest[0].entry_id}, similarity {similarity:.2f}" if nearest else "no match"
    strength = 0.35 if similarity < 0.35 else 0.2
    return Signal("unlike_history", strength, f"unlike any recent entry ({closest})")


def combine(signals: list[Signal]) -> float:
    return round(1 - math.prod(1 - s.strength for s in signals), 4)


def score_features(profile: LedgerProfile, search: SimilarEntrySearch | None, tenant: str, entry: EntryFeatures,
                   *, tz: dt.tzinfo = dt.UTC, digits: int = 2) -> tuple[float, list[Signal]]:
    """Score ``entry`` against ``profile`` (which must not contain it yet)."""
    found = [duplicate_signal(profile, entry)]
    if profile.history_days(entry.entry_date) >= WARMUP_DAYS:
        found += [amount_signal(profile, entry, digits), combination_signal(profile, entry),
                  round_signal(profile, entry, digits), novelty_signal(search, tenant, entry)]
    signals = [s for s in found if s is not None] + timing_signals(entry, tz)
    signals.sort(key=lambda s: s.strength, reverse=True)
    return combine(signals), signals
