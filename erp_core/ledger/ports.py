"""Ports the ledger calls out through; implementations live elsewhere (anomaly scoring: erp_core/anomaly)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True, slots=True)
class DraftLine:
    account_code: str
    account_type: str
    currency: str
    debit: Decimal
    credit: Decimal
    dimensions: dict[str, str]


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """A validated entry about to be submitted: what an anomaly scorer looks at."""

    tenant: str
    entry_id: str
    entry_date: dt.date
    memo: str
    preparer_id: str
    lines: tuple[DraftLine, ...]
    functional_amount: Decimal
    functional_currency: str
    submitted_at: dt.datetime


class AnomalyScorer(Protocol):
    def score(self, entry_draft: EntryDraft, session: Session) -> tuple[float, list[str]]:
        """Return a score in [0, 1] and human-readable reasons; must not write."""
        ...
