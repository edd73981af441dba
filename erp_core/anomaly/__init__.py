"""GL anomaly scoring: the ledger's ``AnomalyScorer`` and the ``SimilarEntrySearch`` port retrieval implements."""

from erp_core.anomaly.features import EntryFeatures, features_of_draft
from erp_core.anomaly.review import LEDGER_SCORES, AnomalyReview, FlaggedEntry, LedgerScores
from erp_core.anomaly.scorer import LedgerAnomalyScorer, ReplayedScore, replay_ledger
from erp_core.anomaly.similarity import HashedFeatureSearch, SimilarEntry, SimilarEntrySearch, entry_text

__all__ = ["LEDGER_SCORES", "AnomalyReview", "EntryFeatures", "FlaggedEntry", "HashedFeatureSearch",
           "LedgerAnomalyScorer", "LedgerScores", "ReplayedScore", "SimilarEntry", "SimilarEntrySearch", "entry_text",
           "features_of_draft", "replay_ledger"]
