"""Precision and recall of the scorer against the anomalies the seed planted (``seed_planted_anomalies``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.anomaly.scorer import ReplayedScore, replay_ledger
from erp_core.seed.models import PlantedAnomaly


@dataclass(frozen=True, slots=True)
class Evaluation:
    tenant: str
    threshold: float
    entries: int
    planted: int
    flagged: int
    true_positives: int
    precision: float | None
    recall: float | None
    missed: list[str]
    false_positives: list[ReplayedScore]


def evaluate_planted(session: Session, tenant: str, threshold: float = 0.8,
                     scores: list[ReplayedScore] | None = None) -> Evaluation:
    planted = set(session.scalars(select(PlantedAnomaly.entry_id).where(PlantedAnomaly.tenant == tenant)))
    scores = scores if scores is not None else replay_ledger(session, tenant)
    flagged = [s for s in scores if s.score >= threshold]
    hits = [s for s in flagged if s.entry_id in planted]
    return Evaluation(
        tenant=tenant, threshold=threshold, entries=len(scores), planted=len(planted), flagged=len(flagged),
        true_positives=len(hits), precision=len(hits) / len(flagged) if flagged else None,
        recall=len(hits) / len(planted) if planted else None,
        missed=sorted(planted - {s.entry_id for s in hits}),
        false_positives=[s for s in flagged if s.entry_id not in planted])
