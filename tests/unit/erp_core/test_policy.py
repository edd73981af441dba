"""The demo approval policy as data: who must approve what (pure evaluation, no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp_core.approvals import DocumentSnapshot, default_policies
from erp_core.approvals.policy import PolicyRule, requirements_for
from erp_core.errors import ErrorCode, NexusError

RULES = default_policies("acme")


def needs(document_type: str, amount: str | None = None, **extra: object) -> list[tuple[str | None, str | None, int]]:
    doc = DocumentSnapshot(
        document_id="d",
        payload={},
        preparer_id="alice@acme",
        amount=Decimal(amount) if amount is not None else None,
        currency="USD",
        **extra,
    )  # type: ignore[arg-type]
    rules = [rule for rule in RULES if rule.document_type == document_type]
    return sorted((r.role, r.user_id, r.count) for r in requirements_for(rules, doc)[0])


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("9999.99", []),
        ("10000.00", [("controller", None, 1)]),
        ("99999.99", [("controller", None, 1)]),
        ("100000.00", [("cfo", None, 1), ("controller", None, 1)]),
    ],
)
def test_journal_entry_bands(amount: str, expected: list[tuple[str, None, int]]) -> None:
    assert needs("journal_entry", amount) == expected


def test_anomaly_adds_a_controller_review_whatever_the_amount() -> None:
    assert needs("journal_entry", "50", anomaly_score=0.8) == [("controller", None, 1)]
    assert needs("journal_entry", "50", anomaly_score=0.79) == []
    assert needs("journal_entry", "20000", anomaly_score=0.9) == [("controller", None, 2)]
    assert needs("journal_entry", "200000", anomaly_score=0.95) == [("cfo", None, 1), ("controller", None, 2)]


def test_purchase_orders_and_leave_use_the_manager() -> None:
    manager = {"related_users": {"manager": "maria@acme"}}
    assert needs("purchase_order", "4999.99", **manager) == [(None, "maria@acme", 1)]
    assert needs("purchase_order", "5000", **manager) == [("controller", None, 1)]
    assert needs("purchase_order", "50000", **manager) == [("cfo", None, 1)]
    assert needs("leave_request", None, **manager) == [(None, "maria@acme", 1)]
    with pytest.raises(NexusError) as err:
        needs("leave_request", None)
    assert err.value.code is ErrorCode.VALIDATION_FAILED and err.value.issues[0].code == "approver_unresolved"


def test_opportunity_updates_by_flag() -> None:
    assert needs("opportunity_update", "1000", flags=frozenset({"closed_won"})) == [("sales_manager", None, 1)]
    assert needs("opportunity_update", "1000", flags=frozenset({"stage_changed"})) == []


def test_account_class_and_expiry_rules() -> None:
    rules = [
        PolicyRule(
            name="capex",
            document_type="journal_entry",
            account_classes=("asset",),
            required_role="cfo",
            expires_after_days=3,
        )
    ]
    doc = DocumentSnapshot(
        document_id="d",
        payload={},
        preparer_id="p",
        amount=Decimal(1),
        account_classes=frozenset({"asset", "liability"}),
    )
    requirements, expiry = requirements_for(rules, doc)
    assert [(r.role, r.count) for r in requirements] == [("cfo", 1)] and expiry == 3
    assert (
        requirements_for(
            rules,
            DocumentSnapshot(document_id="d", payload={}, preparer_id="p", account_classes=frozenset({"expense"})),
        )[0]
        == []
    )
