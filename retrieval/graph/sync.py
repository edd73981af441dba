"""``nexus graph sync``: project erp_core's records into the knowledge graph, one tenant at a time.

Each entity has a small extract function ``(session, tenant) -> GraphPart``; adding an entity means adding one
function to ``EXTRACTORS``. The parts are merged into one snapshot and written with ``GraphStore.sync`` (MERGE plus
pruning of what disappeared, in one transaction), so running the sync twice leaves the graph unchanged.

Documents come from the content store (what ``nexus index`` stored); a document MENTIONS a customer or vendor when
its text names it, and an account when it cites "account NNNN".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.money import to_minor
from erp_core.tenancy import functional_currency
from retrieval.ports import ContentStore, GraphEdge, GraphNode, GraphStore


@dataclass
class GraphPart:
    """Nodes and edges of some labels and relationship types; ``labels``/``rels`` say what the part is complete for."""

    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    rels: set[tuple[str, str, str]] = field(default_factory=set)

    def add(self, other: GraphPart) -> None:
        self.nodes += other.nodes
        self.edges += other.edges
        self.labels |= other.labels
        self.rels |= other.rels


def departments(session: Session, tenant: str) -> GraphPart:
    from erp_core.directory import Department

    rows = session.scalars(select(Department).where(Department.tenant == tenant))
    return GraphPart(nodes=[GraphNode("Department", d.code, {"name": d.name, "active": d.active}) for d in rows],
                     labels={"Department"})


def employees(session: Session, tenant: str) -> GraphPart:
    """Current employees (no termination date), their managers and departments."""
    from erp_core.hr.models import Employee

    rows = list(session.scalars(select(Employee).where(Employee.tenant == tenant,
                                                       Employee.termination_date.is_(None))))
    number = {e.id: e.employee_no for e in rows}
    part = GraphPart(labels={"Employee"}, rels={("REPORTS_TO", "Employee", "Employee"),
                                                ("MEMBER_OF", "Employee", "Department")})
    for e in rows:
        part.nodes.append(GraphNode("Employee", e.employee_no, {
            "name": f"{e.first_name} {e.last_name}", "title": e.title, "user_id": e.user_id or "",
            "department": e.department_code, "location": e.location}))
        if e.manager_id in number:
            part.edges.append(GraphEdge("REPORTS_TO", "Employee", e.employee_no, "Employee", number[e.manager_id]))
        part.edges.append(GraphEdge("MEMBER_OF", "Employee", e.employee_no, "Department", e.department_code))
    return part


def roles(session: Session, tenant: str) -> GraphPart:
    """Roles held by employees with a login (directory users linked to an employee)."""
    from erp_core.directory import DirectoryUser
    from erp_core.hr.models import Employee

    stmt = (select(DirectoryUser.roles, Employee.employee_no)
            .join(Employee, Employee.id == DirectoryUser.employee_id)
            .where(DirectoryUser.tenant == tenant, Employee.termination_date.is_(None)))
    part = GraphPart(labels={"Role"}, rels={("HAS_ROLE", "Employee", "Role")})
    seen: set[str] = set()
    for role_list, employee_no in session.execute(stmt):
        for role in (r.strip() for r in role_list.split(",")):
            if role:
                seen.add(role)
                part.edges.append(GraphEdge("HAS_ROLE", "Employee", employee_no, "Role", role))
    part.nodes = [GraphNode("Role", r, {"name": r}) for r in sorted(seen)]
    return part


def accounts(session: Session, tenant: str) -> GraphPart:
    from erp_core.ledger.models import Account

    rows = list(session.scalars(select(Account).where(Account.tenant == tenant)))
    code = {a.id: a.code for a in rows}
    part = GraphPart(labels={"Account"}, rels={("CHILD_OF", "Account", "Account")})
    for a in rows:
        part.nodes.append(GraphNode("Account", a.code, {"name": a.name, "account_type": a.type,
                                                        "postable": a.postable, "active": a.active}))
        if a.parent_id in code:
            part.edges.append(GraphEdge("CHILD_OF", "Account", a.code, "Account", code[a.parent_id]))
    return part


def customers(session: Session, tenant: str) -> GraphPart:
    """AR customers and CRM accounts (one node per code) and the employees who own the accounts."""
    from erp_core.apar.models import Customer
    from erp_core.crm.models import CrmAccount

    owners = _employee_by_user(session, tenant)
    props: dict[str, dict[str, Any]] = {}
    part = GraphPart(labels={"Customer"}, rels={("OWNED_BY", "Customer", "Employee")})
    for c in session.scalars(select(Customer).where(Customer.tenant == tenant)):
        props[c.code] = {"name": c.name, "payment_terms_days": c.payment_terms_days, "active": c.active}
    for acc in session.scalars(select(CrmAccount).where(CrmAccount.tenant == tenant)):
        props.setdefault(acc.code, {"name": acc.name}).update({"industry": acc.industry, "segment": acc.segment})
        if acc.owner_user_id in owners:
            part.edges.append(GraphEdge("OWNED_BY", "Customer", acc.code, "Employee", owners[acc.owner_user_id]))
    part.nodes = [GraphNode("Customer", code, p) for code, p in props.items()]
    return part


def vendors(session: Session, tenant: str) -> GraphPart:
    from erp_core.apar.models import Vendor

    rows = session.scalars(select(Vendor).where(Vendor.tenant == tenant))
    return GraphPart(nodes=[GraphNode("Vendor", v.code, {"name": v.name, "payment_terms_days": v.payment_terms_days,
                                                         "active": v.active}) for v in rows], labels={"Vendor"})


def opportunities(session: Session, tenant: str) -> GraphPart:
    from erp_core.crm.models import CrmAccount, Opportunity

    owners = _employee_by_user(session, tenant)
    stmt = (select(Opportunity, CrmAccount.code).join(CrmAccount, CrmAccount.id == Opportunity.account_id)
            .where(Opportunity.tenant == tenant))
    part = GraphPart(labels={"Opportunity"}, rels={("FOR_CUSTOMER", "Opportunity", "Customer"),
                                                   ("OWNED_BY", "Opportunity", "Employee")})
    for opp, account_code in session.execute(stmt):
        key = f"OPP-{opp.id}"
        part.nodes.append(GraphNode("Opportunity", key, {
            "name": opp.name, "stage": opp.stage, "amount_minor": opp.amount_minor, "currency": opp.currency,
            "close_date": opp.close_date.isoformat()}))
        part.edges.append(GraphEdge("FOR_CUSTOMER", "Opportunity", key, "Customer", account_code))
        if opp.owner_user_id in owners:
            part.edges.append(GraphEdge("OWNED_BY", "Opportunity", key, "Employee", owners[opp.owner_user_id]))
    return part


def approval_rules(session: Session, tenant: str) -> GraphPart:
    """Approval policy rules with amount bands in minor units; each REQUIRES the role (or relation) approving it.

    Rules that need no approver (``approver_count`` 0, e.g. journal entries under 10,000) get no REQUIRES edge.
    """
    from erp_core.approvals.models import ApprovalPolicy

    currency = functional_currency(session, tenant)
    part = GraphPart(labels={"ApprovalRule"}, rels={("REQUIRES", "ApprovalRule", "Role")})
    active = select(ApprovalPolicy).where(ApprovalPolicy.tenant == tenant, ApprovalPolicy.active.is_(True))
    for rule in session.scalars(active):
        part.nodes.append(GraphNode("ApprovalRule", rule.name, {
            "document_type": rule.document_type, "description": rule.description,
            "min_minor": to_minor(Decimal(rule.min_amount), currency) if rule.min_amount else 0,
            "max_minor": to_minor(Decimal(rule.max_amount), currency) if rule.max_amount else None,
            "approver_count": rule.approver_count,
            # applies only under a further condition (anomaly score, flags, account classes) the description states
            "conditional": bool(rule.min_anomaly_score is not None or json.loads(rule.match_flags or "[]")
                                or json.loads(rule.account_classes or "[]"))}))
        approver = rule.required_role or rule.approver_relation
        if approver and rule.approver_count > 0:
            part.edges.append(GraphEdge("REQUIRES", "ApprovalRule", rule.name, "Role", approver))
    return part


EXTRACTORS: tuple[Callable[[Session, str], GraphPart], ...] = (
    departments, employees, roles, accounts, customers, vendors, opportunities, approval_rules)

_ACCOUNT_CITATION = re.compile(r"\baccounts? (\d{4})\b", re.IGNORECASE)


def documents(content: ContentStore, tenant: str, named: Iterable[GraphNode]) -> GraphPart:
    """Indexed documents and what they mention: named customers/vendors, and accounts cited by number."""
    names = [(n.label, n.key, str(n.props.get("name", ""))) for n in named
             if n.label in ("Customer", "Vendor") and len(str(n.props.get("name", ""))) >= 4]
    part = GraphPart(labels={"Document"}, rels={("MENTIONS", "Document", label)
                                                for label in ("Customer", "Vendor", "Account")})
    for summary in content.list_documents(tenant):
        record = content.get_document(tenant, summary["doc_id"]) or {}
        doc_id = str(summary["doc_id"])
        part.nodes.append(GraphNode("Document", doc_id, {"title": record.get("title", doc_id),
                                                         "acl_groups": list(record.get("acl_groups", [])),
                                                         "doc_type": record.get("doc_type", "document")}))
        text = " ".join(str(record.get("text", "")).split())
        for label, key, name in names:
            if name in text:
                part.edges.append(GraphEdge("MENTIONS", "Document", doc_id, label, key))
        for code in sorted(set(_ACCOUNT_CITATION.findall(text))):
            part.edges.append(GraphEdge("MENTIONS", "Document", doc_id, "Account", code))
    return part


def build_snapshot(session: Session, tenant: str, content: ContentStore | None = None) -> GraphPart:
    """Everything ``tenant``'s graph should contain, de-duplicated."""
    snapshot = GraphPart()
    for extract in EXTRACTORS:
        snapshot.add(extract(session, tenant))
    # approval rules may require a relation ("manager") that no directory user holds as a role: give it a node
    role_keys = {n.key for n in snapshot.nodes if n.label == "Role"}
    for edge in snapshot.edges:
        if edge.to_label == "Role" and edge.to_key not in role_keys:
            role_keys.add(edge.to_key)
            snapshot.nodes.append(GraphNode("Role", edge.to_key, {"name": edge.to_key}))
    if content is not None:
        snapshot.add(documents(content, tenant, snapshot.nodes))
    known = {(n.label, n.key) for n in snapshot.nodes}
    snapshot.edges = list(dict.fromkeys(e for e in snapshot.edges if (e.from_label, e.from_key) in known
                                        and (e.to_label, e.to_key) in known))
    return snapshot


def sync_graph(session: Session, graph: GraphStore, tenant: str, content: ContentStore | None = None) -> dict[str, int]:
    """Makes ``tenant``'s graph match erp_core (and the content store's documents); idempotent."""
    snapshot = build_snapshot(session, tenant, content)
    graph.sync(tenant, snapshot.nodes, snapshot.edges, sorted(snapshot.labels), sorted(snapshot.rels))
    return graph.counts(tenant)


def _employee_by_user(session: Session, tenant: str) -> dict[str, str]:
    from erp_core.hr.models import Employee

    stmt = select(Employee.user_id, Employee.employee_no).where(Employee.tenant == tenant,
                                                                 Employee.user_id.is_not(None))
    return {str(user): str(number) for user, number in session.execute(stmt)}
