"""The harness's own metrics: pure functions over plain values, unit-tested on hand-made cases."""

from evals.metrics.arguments import arguments_match, value_matches
from evals.metrics.numeric import extract_numbers, figure_matches
from evals.metrics.passk import pass_hat_k
from evals.metrics.retrieval import context_precision_ids, context_recall_ids, recall_at_k, reciprocal_rank
from evals.metrics.stats import percentile

__all__ = ["arguments_match", "context_precision_ids", "context_recall_ids", "extract_numbers", "figure_matches",
           "pass_hat_k", "percentile", "recall_at_k", "reciprocal_rank", "value_matches"]
