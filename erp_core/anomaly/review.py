"""The anomaly review: every posted entry's score, kept per database and tenant, and the entries flagged in a period.

Replaying the whole ledger costs seconds, so the scores are kept until an entry is posted (a watermark of the
posted count and the last posting time); entries scored when they were submitted keep that score, because it is
what the approval policy saw.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from erp_core.anomaly.scorer import ReplayedScore, replay_ledger
from erp_core.ledger.models import EntryStatus, JournalEntry
from erp_core.money import fmt, from_minor
from erp_core.tenancy import functional_currency

Watermark = tuple[int, str | None]


@dataclass(frozen=True, slots=True)
class FlaggedEntry:
    entry_id: str
    entry_date: dt.date
    memo: str
    amount: str  # in the functional currency, formatted
    score: float
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class AnomalyReview:
    currency: str
    count: int  # every flagged entry in the period; ``entries`` holds the highest ``limit`` of them
    entries: list[FlaggedEntry]


class LedgerScores:
    """Anomaly score of every posted entry, cached per (database, tenant) until the posted ledger changes."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple[Watermark, dict[str, ReplayedScore]]] = {}
        self._lock = threading.Lock()

    def scores(self, session: Session, tenant: str) -> dict[str, ReplayedScore]:
        """Every posted entry of ``tenant``: its stored score when it has one, else the replayed one."""
        posted = (JournalEntry.tenant == tenant, JournalEntry.status == EntryStatus.POSTED.value)
        mark = session.execute(select(func.count(JournalEntry.id), func.max(JournalEntry.posted_at))
                               .where(*posted)).one()
        key = (str(session.get_bind().engine.url), tenant)
        watermark = (int(mark[0]), str(mark[1]) if mark[1] is not None else None)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and cached[0] == watermark:
            return cached[1]
        scores = {s.entry_id: s for s in replay_ledger(session, tenant)}
        for entry_id, score, reasons in session.execute(select(
                JournalEntry.id, JournalEntry.anomaly_score, JournalEntry.anomaly_reasons)
                .where(*posted, JournalEntry.anomaly_score.is_not(None))).tuples():
            if entry_id in scores and score is not None:
                scores[entry_id] = ReplayedScore(entry_id, scores[entry_id].entry_date, float(score),
                                                 json.loads(reasons or "[]"))
        with self._lock:
            self._cache[key] = (watermark, scores)
        return scores

    def review(self, session: Session, tenant: str, start: dt.date, end: dt.date, min_score: float,
               limit: int) -> AnomalyReview:
        """Posted entries dated ``start``..``end`` scoring at least ``min_score``, highest first."""
        flagged = sorted((s for s in self.scores(session, tenant).values()
                          if s.score >= min_score and start <= s.entry_date <= end),
                         key=lambda s: (-s.score, s.entry_id))
        currency = functional_currency(session, tenant)
        shown = flagged[:limit]
        rows = {row.id: row for row in session.execute(
            select(JournalEntry.id, JournalEntry.memo, JournalEntry.functional_amount_minor)
            .where(JournalEntry.id.in_([s.entry_id for s in shown])))}
        entries = [FlaggedEntry(s.entry_id, s.entry_date, rows[s.entry_id].memo,
                                fmt(from_minor(rows[s.entry_id].functional_amount_minor, currency)), s.score,
                                s.reasons) for s in shown]
        return AnomalyReview(currency=currency, count=len(flagged), entries=entries)


#: the process's one cache of ledger scores (the anomaly review tool reads through it)
LEDGER_SCORES = LedgerScores()
