"""A tenant's ledger history, summarised for anomaly checks and updated entry by entry.

Kept incrementally so scoring costs the same on the millionth entry as on the hundredth: per-account amount
samples (for robust z-scores), how often each debit/credit account pair occurred, how often an account's amounts are
round, and the last weeks of entries (for near-duplicates).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, deque
from dataclasses import dataclass, field

from erp_core.anomaly.features import EntryFeatures, is_round, log_amount, memo_words

#: most recent line amounts kept per account for the median/MAD
SAMPLE_SIZE = 400
DUPLICATE_WINDOW_DAYS = 14


@dataclass
class AccountStats:
    samples: deque[float] = field(default_factory=lambda: deque(maxlen=SAMPLE_SIZE))
    lines: int = 0
    round_lines: int = 0
    _median: float | None = None
    _mad: float | None = None
    _stale: int = 0

    def add(self, minor: int) -> None:
        self.samples.append(log_amount(minor))
        self.lines += 1
        self.round_lines += is_round(minor)
        self._stale += 1

    def median_mad(self) -> tuple[float, float]:
        # Recomputed after every 5% of growth (or 20 lines): exact enough, and O(1) amortised per entry.
        if self._median is None or self._stale > max(20, len(self.samples) // 20):
            values = list(self.samples)
            self._median = statistics.median(values)
            self._mad = statistics.median(abs(v - self._median) for v in values)
            self._stale = 0
        assert self._mad is not None
        return self._median, self._mad

    @property
    def round_share(self) -> float:
        return self.round_lines / self.lines if self.lines else 0.0


@dataclass(frozen=True, slots=True)
class RecentEntry:
    entry_id: str
    entry_date: dt.date
    signature: str
    amount_minor: int
    tokens: frozenset[str]


@dataclass
class LedgerProfile:
    """History of one tenant. ``add`` must be called in posting order; scoring reads, never writes."""

    entries: int = 0
    accounts: dict[str, AccountStats] = field(default_factory=dict)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)
    recent: deque[RecentEntry] = field(default_factory=lambda: deque(maxlen=5000))
    watermark: int = 0  # highest gl_journal_lines.id folded in (database-backed profiles)
    first_date: dt.date | None = None

    def add(self, entry: EntryFeatures, *, trusted: bool = True) -> None:
        """Fold an entry in. Untrusted entries (e.g. confirmed anomalies) are remembered for duplicate checks but do
        not shape what "normal" looks like. Posted history is trusted by default: holding back everything the scorer
        flags would make a false positive permanent (it would never learn the entry is routine)."""
        self.entries += 1
        if self.first_date is None or entry.entry_date < self.first_date:
            self.first_date = entry.entry_date
        if trusted:
            for key, minor in entry.line_amounts:
                self.accounts.setdefault(key, AccountStats()).add(minor)
                # the same account also by kind of entry: a monthly accrual and small bills share an account
                self.accounts.setdefault(f"{key}|{entry.signature}", AccountStats()).add(minor)
            self.pairs.update(entry.account_pairs())
        self.recent.append(RecentEntry(entry.entry_id, entry.entry_date, entry.signature, entry.amount_minor,
                                       memo_words(entry.memo)))

    def history_days(self, day: dt.date) -> int:
        return 0 if self.first_date is None else (day - self.first_date).days

    def stats(self, key: str) -> AccountStats | None:
        """Statistics of one account side ("6100/D") or, given a bare code, of its busier side."""
        if "/" in key:
            return self.accounts.get(key)
        sides = [s for side in ("D", "C") if (s := self.accounts.get(f"{key}/{side}")) is not None]
        return max(sides, key=lambda s: s.lines) if sides else None

    def near_duplicates(self, entry: EntryFeatures) -> list[RecentEntry]:
        """Recent entries with the same accounts and (within 0.5%) the same amount, a few days apart."""
        found = []
        for other in reversed(self.recent):
            if other.entry_id == entry.entry_id:
                continue
            if abs((entry.entry_date - other.entry_date).days) > DUPLICATE_WINDOW_DAYS:
                if other.entry_date < entry.entry_date - dt.timedelta(days=3 * DUPLICATE_WINDOW_DAYS):
                    break  # the deque is in posting order; far older entries cannot match
                continue
            if other.signature == entry.signature and \
                    abs(other.amount_minor - entry.amount_minor) <= entry.amount_minor * 0.005:
                found.append(other)
        return found
