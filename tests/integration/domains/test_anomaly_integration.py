"""Anomaly scoring on the seeded ledger: the planted anomalies are found; a live submission is scored and routed."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from erp_core.anomaly import LedgerAnomalyScorer, LedgerScores, replay_ledger
from erp_core.anomaly.evaluation import evaluate_planted
from erp_core.approvals import ApprovalRequest
from erp_core.db import Database
from erp_core.ledger import JournalLineIn, PostJournalEntry, submit_journal_entry
from tests.integration.domains.conftest import actor


def test_planted_anomalies_are_found(seeded_sqlite: Database) -> None:
    with seeded_sqlite.read() as session:
        for tenant in ("acme", "globex"):
            scores = replay_ledger(session, tenant)
            result = evaluate_planted(session, tenant, threshold=0.8, scores=scores)
            print(f"{tenant}: {result.entries} entries, {result.planted} planted, {result.flagged} flagged at 0.8, "
                  f"precision {result.precision}, recall {result.recall}")
            assert result.recall is not None and result.recall >= 0.75, result.missed
            assert result.precision is not None and result.precision >= 0.6, result.false_positives
            assert all(0.0 <= s.score <= 1.0 for s in scores)


def _entry(key: str, amount: str, debit: str, credit: str, day: dt.date, memo: str) -> PostJournalEntry:
    return PostJournalEntry(date=day, memo=memo, idempotency_key=key, lines=[
        JournalLineIn(account_code=debit, debit=Decimal(amount), currency="USD", dimensions={"department": "OPS"}),
        JournalLineIn(account_code=credit, credit=Decimal(amount), currency="USD")])


def test_submitted_entry_is_scored_stored_and_needs_a_controller(seeded_sqlite: Database) -> None:
    scorer = LedgerAnomalyScorer()
    alice = actor("alice", "accountant")
    saturday_night = dt.datetime(2026, 10, 18, 6, 30, tzinfo=dt.UTC)  # 23:30 Saturday in San Jose
    with seeded_sqlite.unit_of_work() as session:
        odd = submit_journal_entry(_entry("test-anomaly-1", "7000.00", "6110", "2300", dt.date(2026, 10, 17),
                                          "Reclass utilities"), alice, session, scorer=scorer,
                                   now=saturday_night)
        normal = submit_journal_entry(_entry("test-normal-1", "1234.56", "6900", "1010", dt.date(2026, 10, 14),
                                             "Bank fees October"), alice, session, scorer=scorer,
                                      now=dt.datetime(2026, 10, 14, 18, 0, tzinfo=dt.UTC))
        assert odd.entry.anomaly_score is not None and odd.entry.anomaly_score >= 0.8
        reasons = json.loads(odd.entry.anomaly_reasons)
        assert any("never been booked" in r for r in reasons) and any("Saturday" in r for r in reasons)
        # below 10,000 nothing but the anomaly rule asks for approval: one controller review
        assert odd.entry.status == "pending_approval" and isinstance(odd.approval, ApprovalRequest)
        assert "controller" in odd.approval.requirements
        assert normal.entry.anomaly_score is not None and normal.entry.anomaly_score < 0.8
        assert normal.entry.status == "posted"


def test_ledger_scores_are_kept_until_an_entry_is_posted(seeded_sqlite: Database) -> None:
    cache = LedgerScores()
    with seeded_sqlite.read() as session:
        first = cache.scores(session, "acme")
        assert cache.scores(session, "acme") is first  # no replay while the posted ledger is unchanged
        review = cache.review(session, "acme", dt.date(2026, 1, 1), dt.date(2026, 12, 31), 0.8, limit=3)
    assert review.count >= len(review.entries) and len(review.entries) <= 3
    assert [e.score for e in review.entries] == sorted((e.score for e in review.entries), reverse=True)
    with seeded_sqlite.unit_of_work() as session:
        posted = submit_journal_entry(_entry("test-anomaly-cache", "1234.56", "6900", "1010", dt.date(2026, 10, 14),
                                             "Bank fees October"), actor("alice", "accountant"), session,
                                      now=dt.datetime(2026, 10, 14, 18, 0, tzinfo=dt.UTC))
    assert posted.entry.status == "posted"
    with seeded_sqlite.read() as session:
        again = cache.scores(session, "acme")
    assert again is not first and posted.entry.id in again
