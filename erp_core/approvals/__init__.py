"""Generic approval engine: policies as data, payload-hash binding, segregation of duties, delegation, expiry.

Document types (journal entries, leave requests, purchase orders, ...) and their handlers are listed in
``erp_core/approvals/catalog.py``.
"""

from erp_core.approvals.delegation import (
    DelegateApprovals,
    delegate_approvals,
    delegation_view,
    list_delegations,
    revoke_delegation,
)
from erp_core.approvals.engine import (
    SubmissionResult,
    approval_view,
    approve,
    expire_overdue,
    get_approval,
    list_pending_for,
    may_read,
    reject,
    submit_for_approval,
)
from erp_core.approvals.models import (
    ApprovalDecision,
    ApprovalDelegation,
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalStatus,
)
from erp_core.approvals.policy import (
    PolicyRule,
    Requirement,
    default_policies,
    install_default_policies,
    replace_policies,
)
from erp_core.approvals.registry import (
    JOURNAL_ENTRY,
    JOURNAL_IMPORT,
    LEAVE_REQUEST,
    OPPORTUNITY_UPDATE,
    PURCHASE_ORDER,
    DocumentHandler,
    DocumentSnapshot,
)

__all__ = [
    "JOURNAL_ENTRY", "JOURNAL_IMPORT", "LEAVE_REQUEST", "OPPORTUNITY_UPDATE", "PURCHASE_ORDER", "ApprovalDecision",
    "ApprovalDelegation", "ApprovalPolicy", "ApprovalRequest", "ApprovalStatus", "DelegateApprovals",
    "DocumentHandler", "DocumentSnapshot", "PolicyRule", "Requirement", "SubmissionResult", "approval_view", "approve",
    "default_policies", "delegate_approvals", "delegation_view", "expire_overdue", "get_approval",
    "install_default_policies", "list_delegations", "list_pending_for", "may_read", "reject", "replace_policies",
    "revoke_delegation", "submit_for_approval",
]
