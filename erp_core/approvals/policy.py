"""Approval policies as data: which rules match a document and who must approve it.

Rules are additive. Each matching rule contributes ``approver_count`` approvals from a role, a named user, or a user
related to the document (``approver_relation``, e.g. the requester's manager, resolved by the document's handler).
Contributions for the same approver are summed: a 150k entry that is also anomalous needs two controllers and a CFO.
"""

from __future__ import annotations

import json
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from erp_core.approvals.models import ApprovalPolicy
from erp_core.approvals.registry import (
    JOURNAL_ENTRY,
    LEAVE_REQUEST,
    OPPORTUNITY_UPDATE,
    PURCHASE_ORDER,
    DocumentSnapshot,
)
from erp_core.errors import Issue, validation_error

DEFAULT_EXPIRY_DAYS = 14


class PolicyRule(BaseModel):
    """One rule of an approval policy (the data form, as stored and as the seed installs it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64, description="Unique per tenant, e.g. \"je-controller\".")
    document_type: str = Field(description="journal_entry, purchase_order, leave_request, opportunity_update, ...")
    description: str = Field("", max_length=500, description="What the rule says, for people.")
    min_amount: Decimal | None = Field(None, description="Applies when amount >= this (functional currency).")
    max_amount: Decimal | None = Field(None, description="Applies when amount < this (functional currency).")
    account_classes: tuple[str, ...] = Field((), description="Applies when the document touches one of these "
                                                             "account types; empty: any.")
    match_flags: tuple[str, ...] = Field((), description="Applies when the document carries one of these flags; "
                                                         "empty: any.")
    min_anomaly_score: float | None = Field(None, description="Applies when the anomaly score is >= this.")
    required_role: str | None = Field(None, description="Approvers must hold this role.")
    approver_user_id: str | None = Field(None, description="This specific user must approve.")
    approver_relation: str | None = Field(None, description="A user related to the document must approve, e.g. "
                                                            "\"manager\" (resolved by the document handler).")
    approver_count: int = Field(1, ge=0, le=10, description="How many distinct approvers; 0 documents a "
                                                            "no-approval band.")
    expires_after_days: int = Field(DEFAULT_EXPIRY_DAYS, ge=1, le=365, description="Days before a request expires.")


class Requirement(BaseModel):
    """Who must approve, and how many times, after the rules are merged."""

    model_config = ConfigDict(frozen=True)

    key: str
    count: int
    role: str | None = None
    user_id: str | None = None
    rules: tuple[str, ...] = ()
    # The preparer's own confirmation of a draft a machine wrote for them (the assistant). It is the only
    # requirement the preparer may fill; every policy approver still has to be someone else.
    confirmation: bool = False

    def describe(self) -> str:
        who = f"role {self.role}" if self.role else f"user {self.user_id}"
        return f"{self.count} × {who}"


def rule_of(row: ApprovalPolicy) -> PolicyRule:
    return PolicyRule(
        name=row.name, document_type=row.document_type, description=row.description,
        min_amount=Decimal(row.min_amount) if row.min_amount is not None else None,
        max_amount=Decimal(row.max_amount) if row.max_amount is not None else None,
        account_classes=tuple(json.loads(row.account_classes)), match_flags=tuple(json.loads(row.match_flags)),
        min_anomaly_score=row.min_anomaly_score, required_role=row.required_role,
        approver_user_id=row.approver_user_id, approver_relation=row.approver_relation,
        approver_count=row.approver_count, expires_after_days=row.expires_after_days)


def matches(rule: PolicyRule, doc: DocumentSnapshot) -> bool:
    if rule.min_amount is not None and (doc.amount is None or doc.amount < rule.min_amount):
        return False
    if rule.max_amount is not None and (doc.amount is None or doc.amount >= rule.max_amount):
        return False
    if rule.account_classes and not doc.account_classes.intersection(rule.account_classes):
        return False
    if rule.match_flags and not doc.flags.intersection(rule.match_flags):
        return False
    return rule.min_anomaly_score is None or (doc.anomaly_score is not None
                                              and doc.anomaly_score >= rule.min_anomaly_score)


def requirements_for(rules: list[PolicyRule], doc: DocumentSnapshot) -> tuple[list[Requirement], int]:
    """Merge the matching rules into requirements; also returns the shortest expiry among them (days).

    Raises a validation error when a rule names a relation the document cannot resolve (e.g. no manager on record).
    """
    merged: dict[tuple[str | None, str | None], tuple[int, list[str]]] = {}
    expiry = DEFAULT_EXPIRY_DAYS
    issues: list[Issue] = []
    for rule in rules:
        if not matches(rule, doc) or rule.approver_count == 0:
            continue
        user_id = rule.approver_user_id
        if rule.approver_relation:
            user_id = doc.related_users.get(rule.approver_relation)
            if not user_id:
                issues.append(Issue("approver_unresolved", f"rule {rule.name} needs the document's "
                                    f"{rule.approver_relation}, who is not on record", rule.approver_relation))
                continue
        role = None if user_id else rule.required_role
        if role is None and user_id is None:
            continue
        count, names = merged.get((role, user_id), (0, []))
        # A named person can approve once; asking for "2 × carol" would make the request unapprovable.
        merged[(role, user_id)] = (count + rule.approver_count if role else 1, [*names, rule.name])
        expiry = min(expiry, rule.expires_after_days)
    if issues:
        raise validation_error(issues)
    requirements = [Requirement(key=f"r{i}", count=count, role=role, user_id=user_id, rules=tuple(names))
                    for i, ((role, user_id), (count, names)) in enumerate(merged.items())]
    return requirements, expiry


def load_rules(session: Session, tenant: str, document_type: str) -> list[PolicyRule]:
    """The tenant's active rules for a document type.

    A tenant with no policy at all gets the demo policy: an unconfigured tenant must not post large entries unreviewed.
    """
    stmt = select(ApprovalPolicy).where(ApprovalPolicy.tenant == tenant, ApprovalPolicy.document_type == document_type,
                                        ApprovalPolicy.active.is_(True)).order_by(ApprovalPolicy.id)
    rules = [rule_of(row) for row in session.scalars(stmt)]
    if not rules and session.scalar(select(ApprovalPolicy.id).where(ApprovalPolicy.tenant == tenant).limit(1)) is None:
        return [rule for rule in default_policies(tenant) if rule.document_type == document_type]
    return rules


def replace_policies(session: Session, tenant: str, rules: list[PolicyRule]) -> None:
    """Install ``rules`` as the tenant's whole policy (rules of other names are removed)."""
    session.execute(delete(ApprovalPolicy).where(ApprovalPolicy.tenant == tenant))
    for rule in rules:
        session.add(ApprovalPolicy(
            tenant=tenant, name=rule.name, document_type=rule.document_type, description=rule.description,
            min_amount=f"{rule.min_amount:f}" if rule.min_amount is not None else None,
            max_amount=f"{rule.max_amount:f}" if rule.max_amount is not None else None,
            account_classes=json.dumps(list(rule.account_classes)), match_flags=json.dumps(list(rule.match_flags)),
            min_anomaly_score=rule.min_anomaly_score, required_role=rule.required_role,
            approver_user_id=rule.approver_user_id, approver_relation=rule.approver_relation,
            approver_count=rule.approver_count, expires_after_days=rule.expires_after_days, active=True))
    session.flush()


def default_policies(tenant: str) -> list[PolicyRule]:
    """The demo approval policy: exactly the table in docs/demo-company.md (amounts in functional currency)."""
    del tenant  # both demo tenants share the matrix; amounts are in each tenant's own functional currency
    d = Decimal
    return [
        PolicyRule(name="je-direct", document_type=JOURNAL_ENTRY, max_amount=d(10_000), approver_count=0,
                   description="Journal entry, total < 10,000: no approval, posts directly."),
        PolicyRule(name="je-controller", document_type=JOURNAL_ENTRY, min_amount=d(10_000), max_amount=d(100_000),
                   required_role="controller", description="Journal entry, 10,000 <= total < 100,000: 1 controller."),
        PolicyRule(name="je-large-controller", document_type=JOURNAL_ENTRY, min_amount=d(100_000),
                   required_role="controller", description="Journal entry, total >= 100,000: 1 controller ..."),
        PolicyRule(name="je-large-cfo", document_type=JOURNAL_ENTRY, min_amount=d(100_000), required_role="cfo",
                   description="... and 1 CFO."),
        PolicyRule(name="je-anomaly", document_type=JOURNAL_ENTRY, min_anomaly_score=0.8, required_role="controller",
                   description="Journal entry with anomaly score >= 0.8: 1 extra controller review, any amount."),
        PolicyRule(name="po-small", document_type=PURCHASE_ORDER, max_amount=d(5_000), approver_relation="manager",
                   description="Purchase order, total < 5,000: the requester's manager."),
        PolicyRule(name="po-controller", document_type=PURCHASE_ORDER, min_amount=d(5_000), max_amount=d(50_000),
                   required_role="controller", description="Purchase order, 5,000 <= total < 50,000: 1 controller."),
        PolicyRule(name="po-cfo", document_type=PURCHASE_ORDER, min_amount=d(50_000), required_role="cfo",
                   description="Purchase order, total >= 50,000: 1 CFO."),
        PolicyRule(name="leave-manager", document_type=LEAVE_REQUEST, approver_relation="manager",
                   description="Leave request: the employee's manager."),
        PolicyRule(name="opportunity-review", document_type=OPPORTUNITY_UPDATE, required_role="sales_manager",
                   match_flags=("amount_change_gt_25pct", "closed_won"),
                   description="Opportunity update changing the amount by more than 25% or closing it won: "
                               "1 sales manager."),
    ]


def install_default_policies(session: Session, tenant: str) -> None:
    """Install the demo policy for ``tenant`` (replacing whatever policy it had)."""
    replace_policies(session, tenant, default_policies(tenant))
