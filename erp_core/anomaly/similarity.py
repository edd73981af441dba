"""The ``SimilarEntrySearch`` port and its in-process implementation over hashed feature vectors.

Retrieval implements the port with Milvus (embedding ``entry_text``); erp_core never imports a vector database. The
in-process implementation is a real nearest-neighbour search: each entry becomes a sparse vector of hashed features
(accounts, account pairs, direction, memo words, amount magnitude, department), L2-normalised, and the query is
compared with every indexed entry by cosine similarity. Exact, and fast enough for the few thousand most recent
entries of a tenant that it keeps.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from erp_core.anomaly.features import EntryFeatures, log_amount, memo_tokens

DIMENSIONS = 1 << 18


@dataclass(frozen=True, slots=True)
class SimilarEntry:
    entry_id: str
    similarity: float  # cosine similarity in [0, 1]


class SimilarEntrySearch(Protocol):
    """Finds historical entries like a new one (per tenant). Implementations: in-process below, Milvus in retrieval."""

    def add(self, tenant: str, entries: Iterable[EntryFeatures]) -> None:
        """Index posted entries (called in posting order)."""
        ...

    def nearest(self, tenant: str, entry: EntryFeatures, k: int = 5) -> list[SimilarEntry]:
        """The ``k`` most similar indexed entries, best first."""
        ...

    def size(self, tenant: str) -> int:
        ...


def entry_text(entry: EntryFeatures) -> str:
    """A plain-text rendering of an entry for embedding-based implementations of the port."""
    debits = " ".join(sorted(entry.debit_accounts))
    credits = " ".join(sorted(entry.credit_accounts))
    magnitude = int(log_amount(entry.amount_minor))
    depts = " ".join(sorted(entry.departments))
    return f"debit {debits} credit {credits} magnitude {magnitude} departments {depts} memo {entry.memo}"


def _bucket(feature: str) -> int:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % DIMENSIONS


def hashed_vector(entry: EntryFeatures) -> dict[int, float]:
    """Sparse, L2-normalised feature vector; structural features weigh more than memo words."""
    weights: dict[str, float] = {}
    for code in entry.debit_accounts:
        weights[f"dr:{code}"] = 2.0
    for code in entry.credit_accounts:
        weights[f"cr:{code}"] = 2.0
    for debit, credit in entry.account_pairs():
        weights[f"pair:{debit}>{credit}"] = 1.5
    magnitude = log_amount(entry.amount_minor)
    weights[f"mag:{round(magnitude * 2)}"] = 1.5  # half-decade buckets: 1,000 and 3,000 differ, 1,000 and 1,100 don't
    for dept in entry.departments:
        weights[f"dept:{dept}"] = 0.5
    for word in set(memo_tokens(entry.memo)):
        weights[f"w:{word}"] = 1.0
    vector: dict[int, float] = {}
    for feature, weight in weights.items():
        index = _bucket(feature)
        vector[index] = vector.get(index, 0.0) + weight
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {i: v / norm for i, v in vector.items()}


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(i, 0.0) for i, v in a.items())


class _TenantIndex:
    """An inverted index (feature → entries carrying it) over a sliding window of the newest entries."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.next_seq = 0
        self.ids: dict[int, str] = {}
        self.postings: dict[int, list[tuple[int, float]]] = {}

    def add(self, entry_id: str, vector: dict[int, float]) -> None:
        seq = self.next_seq
        self.next_seq += 1
        self.ids[seq] = entry_id
        for feature, weight in vector.items():
            self.postings.setdefault(feature, []).append((seq, weight))
        self.ids.pop(seq - self.capacity, None)
        if seq % self.capacity == 0 and seq:
            self._compact()

    def _compact(self) -> None:
        oldest = self.next_seq - self.capacity
        for feature in list(self.postings):
            kept = [p for p in self.postings[feature] if p[0] >= oldest]
            if kept:
                self.postings[feature] = kept
            else:
                del self.postings[feature]

    def scores(self, query: dict[int, float]) -> dict[int, float]:
        oldest = self.next_seq - self.capacity
        dots: dict[int, float] = {}
        for feature, weight in query.items():
            for seq, other in self.postings.get(feature, ()):
                if seq >= oldest:
                    dots[seq] = dots.get(seq, 0.0) + weight * other
        return dots


class HashedFeatureSearch:
    """Exact cosine search over the newest ``capacity`` entries per tenant, held in memory.

    Only entries sharing at least one feature with the query can have a non-zero cosine, so the inverted index visits
    just those; the result equals a brute-force scan.
    """

    def __init__(self, capacity: int = 2000) -> None:
        self.capacity = capacity
        self._tenants: dict[str, _TenantIndex] = {}

    def add(self, tenant: str, entries: Iterable[EntryFeatures]) -> None:
        index = self._tenants.setdefault(tenant, _TenantIndex(self.capacity))
        for entry in entries:
            index.add(entry.entry_id, hashed_vector(entry))

    def nearest(self, tenant: str, entry: EntryFeatures, k: int = 5) -> list[SimilarEntry]:
        index = self._tenants.get(tenant)
        if index is None:
            return []
        dots = index.scores(hashed_vector(entry))
        best = heapq.nlargest(k + 1, dots.items(), key=lambda item: item[1])
        found = [SimilarEntry(index.ids[seq], min(1.0, score)) for seq, score in best
                 if seq in index.ids and index.ids[seq] != entry.entry_id]
        return found[:k]

    def size(self, tenant: str) -> int:
        index = self._tenants.get(tenant)
        return 0 if index is None else len(index.ids)
