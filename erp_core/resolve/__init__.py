"""Deterministic resolvers: what people say ("rent", "last month", "Q3", "Acme") → ids, or a model-fixable error.

An unknown or ambiguous name raises NexusError(UNKNOWN_NAME / AMBIGUOUS_NAME) carrying the top candidates, so the
agent can retry with one of them or ask the user.
"""

from erp_core.resolve.names import NameMatch, match_name
from erp_core.resolve.periods import PeriodRange, resolve_as_of, resolve_period

__all__ = ["NameMatch", "PeriodRange", "match_name", "resolve_as_of", "resolve_period"]
