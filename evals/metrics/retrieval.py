"""ID-based retrieval metrics: recall@k, reciprocal rank, and ragas' ID-based context precision and recall.

The ragas definitions (``IDBasedContextPrecision`` / ``IDBasedContextRecall``) are computed here directly: they need
no model, and the harness must score retrieval without the optional ragas install.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence


def _dedupe(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def recall_at_k(retrieved: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant ids found among the first ``k`` distinct retrieved ids."""
    if not relevant:
        raise ValueError("recall needs at least one relevant id")
    top = set(_dedupe(retrieved)[:k])
    return len(top & set(relevant)) / len(set(relevant))


def reciprocal_rank(retrieved: Sequence[str], relevant: Collection[str], *, distinct: bool = True) -> float:
    """1 / rank of the first relevant id (1-based); 0 when none is found.

    ``distinct`` ranks distinct ids (document level); False ranks the list as given (e.g. one id per chunk hit).
    """
    for rank, item in enumerate(_dedupe(retrieved) if distinct else retrieved, start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def context_precision_ids(retrieved: Sequence[str], reference: Collection[str]) -> float:
    """ragas ID-based context precision: retrieved ids that are in the reference / retrieved ids (0 if none)."""
    unique = _dedupe(retrieved)
    if not unique:
        return 0.0
    return sum(1 for item in unique if item in reference) / len(unique)


def context_recall_ids(retrieved: Sequence[str], reference: Collection[str]) -> float:
    """ragas ID-based context recall: reference ids that were retrieved / reference ids."""
    if not reference:
        raise ValueError("context recall needs at least one reference id")
    found = set(retrieved)
    return sum(1 for item in set(reference) if item in found) / len(set(reference))
