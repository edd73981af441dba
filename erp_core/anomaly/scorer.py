"""The ledger's ``AnomalyScorer``: scores a submitted entry against the tenant's posted history in the database.

The history profile is built once per tenant and then topped up with the lines posted since (a watermark on
``gl_journal_lines.id``), so each score costs a small query plus in-memory checks. Scoring never writes.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.anomaly.features import EntryFeatures, features_of_draft
from erp_core.anomaly.profile import LedgerProfile
from erp_core.anomaly.scoring import score_features
from erp_core.anomaly.similarity import HashedFeatureSearch, SimilarEntrySearch
from erp_core.ledger.models import Account, EntryStatus, JournalEntry, JournalLine
from erp_core.ledger.ports import EntryDraft
from erp_core.money import minor_units
from erp_core.tenancy import as_utc, functional_currency

#: where each demo tenant works, for the after-hours check (others: UTC)
DEFAULT_TIMEZONES: Mapping[str, str] = {"acme": "America/Los_Angeles", "globex": "Europe/Berlin"}


def posted_entries(session: Session, tenant: str, after_line_id: int = 0,
                   batch: int = 20_000) -> Iterator[tuple[int, EntryFeatures, float | None]]:
    """Posted entries of ``tenant`` in posting order, as (last line id, features, stored anomaly score), from line
    ids after the mark."""
    codes = dict(session.execute(select(Account.id, Account.code).where(Account.tenant == tenant)).tuples().all())
    stmt = (select(JournalLine.id, JournalLine.entry_id, JournalLine.account_id, JournalLine.debit_minor,
                   JournalLine.credit_minor, JournalLine.department, JournalEntry.entry_date, JournalEntry.memo,
                   JournalEntry.functional_amount_minor, JournalEntry.created_at, JournalEntry.anomaly_score)
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(JournalLine.tenant == tenant, JournalLine.id > after_line_id,
                   JournalEntry.status == EntryStatus.POSTED.value)
            .order_by(JournalLine.id))
    current: list[tuple[Any, ...]] = []

    def build(rows: list[tuple[Any, ...]]) -> EntryFeatures:
        first = rows[0]
        return EntryFeatures(
            entry_id=first[1], entry_date=first[6], submitted_at=as_utc(first[9]) if first[9] else None,
            memo=first[7], amount_minor=int(first[8]),
            line_amounts=tuple((f"{codes[r[2]]}/{'D' if r[3] else 'C'}", int(r[3] or r[4])) for r in rows),
            debit_accounts=frozenset(codes[r[2]] for r in rows if r[3]),
            credit_accounts=frozenset(codes[r[2]] for r in rows if r[4]),
            departments=frozenset(r[5] for r in rows if r[5]))

    for row in session.execute(stmt.execution_options(yield_per=batch)).tuples():
        if current and current[0][1] != row[1]:
            yield current[-1][0], build(current), current[0][10]
            current = []
        current.append(tuple(row))
    if current:
        yield current[-1][0], build(current), current[0][10]


@dataclass
class _TenantState:
    profile: LedgerProfile
    lock: threading.Lock


class LedgerAnomalyScorer:
    """Implements ``erp_core.ledger.ports.AnomalyScorer``.

    Args:
        search: the similar-entry search; default an in-process hashed-feature index fed from the ledger. Pass the
            retrieval layer's Milvus implementation in production (it indexes posted entries itself: set
            ``feed_search=False``).
        timezones: tenant → IANA zone for the after-hours check.
        feed_search: whether this scorer adds posted entries to ``search``.
    """

    def __init__(self, search: SimilarEntrySearch | None = None, *,
                 timezones: Mapping[str, str] = DEFAULT_TIMEZONES, feed_search: bool | None = None) -> None:
        self.search: SimilarEntrySearch = search if search is not None else HashedFeatureSearch()
        self.feed_search = feed_search if feed_search is not None else search is None
        self.timezones = dict(timezones)
        self._tenants: dict[str, _TenantState] = {}
        self._guard = threading.Lock()

    def _state(self, tenant: str) -> _TenantState:
        with self._guard:
            return self._tenants.setdefault(tenant, _TenantState(LedgerProfile(), threading.Lock()))

    def tz(self, tenant: str) -> dt.tzinfo:
        name = self.timezones.get(tenant)
        return ZoneInfo(name) if name else dt.UTC

    def refresh(self, session: Session, tenant: str) -> LedgerProfile:
        """Fold entries posted since the last call into the tenant's profile (and the search index)."""
        state = self._state(tenant)
        with state.lock:
            profile = state.profile
            for last_line, features, stored in posted_entries(session, tenant, profile.watermark):
                del stored  # every posted entry is history, flagged or not (see LedgerProfile.add)
                profile.add(features)
                if self.feed_search:
                    self.search.add(tenant, [features])
                profile.watermark = last_line
            return profile

    def score(self, entry_draft: EntryDraft, session: Session) -> tuple[float, list[str]]:
        profile = self.refresh(session, entry_draft.tenant)
        digits = minor_units(entry_draft.functional_currency)
        features = features_of_draft(entry_draft, digits)
        score, signals = score_features(profile, self.search, entry_draft.tenant, features,
                                        tz=self.tz(entry_draft.tenant), digits=digits)
        return score, [s.reason for s in signals]

    def score_many(self, drafts: Sequence[EntryDraft], session: Session) -> list[tuple[float, list[str]]]:
        """``score`` for a batch of one tenant's drafts against the ledger as it stands: one refresh for all (none of
        them is posted yet), so a 5,000-entry batch costs one query instead of 5,000."""
        if not drafts:
            return []
        tenant = drafts[0].tenant
        profile = self.refresh(session, tenant)
        tz = self.tz(tenant)
        out = []
        for draft in drafts:
            digits = minor_units(draft.functional_currency)
            score, signals = score_features(profile, self.search, tenant, features_of_draft(draft, digits), tz=tz,
                                            digits=digits)
            out.append((score, [s.reason for s in signals]))
        return out


@dataclass(frozen=True, slots=True)
class ReplayedScore:
    entry_id: str
    entry_date: dt.date
    score: float
    reasons: list[str]


def replay_ledger(session: Session, tenant: str, *, timezones: Mapping[str, str] = DEFAULT_TIMEZONES,
                  search_factory: Callable[[], SimilarEntrySearch] = HashedFeatureSearch) -> list[ReplayedScore]:
    """Score every posted entry of ``tenant`` as it would have been scored when submitted (history before it only).

    Used to evaluate the scorer on a seeded ledger and to back-fill scores of imported history for review.
    """
    search = search_factory()
    profile = LedgerProfile()
    name = timezones.get(tenant)
    tz: dt.tzinfo = ZoneInfo(name) if name else dt.UTC
    digits = minor_units(functional_currency(session, tenant))
    results = []
    for _last_line, features, _stored in posted_entries(session, tenant):
        score, signals = score_features(profile, search, tenant, features, tz=tz, digits=digits)
        results.append(ReplayedScore(features.entry_id, features.entry_date, score, [s.reason for s in signals]))
        profile.add(features)
        search.add(tenant, [features])
    return results
