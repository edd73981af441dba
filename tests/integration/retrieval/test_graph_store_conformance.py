"""GraphStore conformance against ArcadeDB over Bolt (the official neo4j driver, as for Neo4j in production)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from erp_core.errors import ErrorCode, NexusError
from retrieval.ports import GraphEdge, GraphNode, GraphStore

N, E = GraphNode, GraphEdge

NODES = [
    N("Employee", "E1", {"name": "Frank Miller", "title": "Chief Financial Officer", "user_id": "frank@acme"}),
    N("Employee", "E2", {"name": "Carol Diaz", "title": "Financial Controller", "user_id": "carol@acme"}),
    N("Employee", "E3", {"name": "Alice Chen", "title": "Senior Accountant", "user_id": "alice@acme"}),
    N("Department", "FIN", {"name": "Finance"}),
    N("Role", "controller"), N("Role", "cfo"),
    N("ApprovalRule", "je-controller", {"document_type": "journal_entry", "min_minor": 1_000_000,
                                        "max_minor": 10_000_000, "description": "10k to 100k"}),
    N("ApprovalRule", "je-cfo", {"document_type": "journal_entry", "min_minor": 10_000_000, "max_minor": None,
                                 "description": "100k and above"}),
    N("Account", "6000", {"name": "Operating expenses", "postable": False}),
    N("Account", "6100", {"name": "Rent Expense", "postable": True}),
    N("Account", "6200", {"name": "Travel Expense", "postable": True}),
    N("Customer", "C-NW", {"name": "Northwind Logistics"}),
    N("Opportunity", "OPP-1", {"name": "AR-7 fleet", "stage": "proposal"}),
    N("Document", "contract-nw", {"title": "Northwind contract", "acl_groups": ["sales", "finance"]}),
    N("Document", "board-memo", {"title": "Board memo", "acl_groups": ["executives"]}),
]
EDGES = [
    E("REPORTS_TO", "Employee", "E3", "Employee", "E2"), E("REPORTS_TO", "Employee", "E2", "Employee", "E1"),
    E("MEMBER_OF", "Employee", "E3", "Department", "FIN"),
    E("HAS_ROLE", "Employee", "E2", "Role", "controller"), E("HAS_ROLE", "Employee", "E1", "Role", "cfo"),
    E("REQUIRES", "ApprovalRule", "je-controller", "Role", "controller"),
    E("REQUIRES", "ApprovalRule", "je-cfo", "Role", "controller"),
    E("REQUIRES", "ApprovalRule", "je-cfo", "Role", "cfo"),
    E("CHILD_OF", "Account", "6100", "Account", "6000"), E("CHILD_OF", "Account", "6200", "Account", "6000"),
    E("OWNED_BY", "Customer", "C-NW", "Employee", "E3"), E("OWNED_BY", "Opportunity", "OPP-1", "Employee", "E2"),
    E("FOR_CUSTOMER", "Opportunity", "OPP-1", "Customer", "C-NW"),
    E("MENTIONS", "Document", "contract-nw", "Customer", "C-NW"),
    E("MENTIONS", "Document", "board-memo", "Customer", "C-NW"),
]
LABELS = sorted({n.label for n in NODES})
RELS = sorted({(e.rel, e.from_label, e.to_label) for e in EDGES})


@pytest.fixture()
def graph(graph_server, store_config) -> Iterator[GraphStore]:  # type: ignore[no-untyped-def]
    from retrieval.graph.bolt_store import BoltGraphStore

    store = BoltGraphStore(graph_server.uri, "root", store_config.graph_password)
    for tenant in ("conf-a", "conf-b"):
        store.clear_tenant(tenant)
    store.sync("conf-a", NODES, EDGES, LABELS, RELS)
    yield store
    for tenant in ("conf-a", "conf-b"):
        store.clear_tenant(tenant)
    store.close()


def test_sync_is_idempotent(graph: GraphStore) -> None:
    before = graph.counts("conf-a")
    assert before["Employee"] == 3 and before["REQUIRES"] == 3 and before["MENTIONS"] == 2
    graph.sync("conf-a", NODES, EDGES, LABELS, RELS)
    assert graph.counts("conf-a") == before


def test_sync_prunes_what_disappeared(graph: GraphStore) -> None:
    nodes = [n for n in NODES if n.key != "6200"]
    edges = [e for e in EDGES if e.to_key != "6200" and e.from_key != "6200"
             and not (e.rel == "REPORTS_TO" and e.from_key == "E3")]
    graph.sync("conf-a", nodes, edges, LABELS, RELS)
    counts = graph.counts("conf-a")
    assert counts["Account"] == 2 and counts["CHILD_OF"] == 1 and counts["REPORTS_TO"] == 1
    assert graph.run_named("reporting_chain", "conf-a", employee="E3") == []


def test_tenants_are_isolated(graph: GraphStore) -> None:
    assert graph.counts("conf-b") == {}
    graph.sync("conf-b", NODES[:3], [], ["Employee"], [])
    assert graph.counts("conf-b") == {"Employee": 3}
    assert graph.run_named("reporting_chain", "conf-b", employee="E3") == []
    assert graph.counts("conf-a")["Employee"] == 3


def test_reporting_chain_and_direct_reports(graph: GraphStore) -> None:
    chain = graph.run_named("reporting_chain", "conf-a", employee="E3")
    assert [(r["key"], r["level"]) for r in chain] == [("E2", 1), ("E1", 2)]
    assert [r["key"] for r in graph.run_named("direct_reports", "conf-a", employee="E2")] == ["E3"]


def test_who_approves(graph: GraphStore) -> None:
    rows = graph.run_named("approvers_for", "conf-a", document_type="journal_entry", amount_minor=2_500_000)
    assert [(r["rule"], r["role"], r["employee"]) for r in rows] == [("je-controller", "controller", "Carol Diaz")]
    big = graph.run_named("approvers_for", "conf-a", document_type="journal_entry", amount_minor=15_000_000)
    assert {(r["role"], r["employee"]) for r in big} == {("controller", "Carol Diaz"), ("cfo", "Frank Miller")}
    assert graph.run_named("approvers_for", "conf-a", document_type="journal_entry", amount_minor=50_000) == []


def test_account_subtree_and_owner(graph: GraphStore) -> None:
    subtree = graph.run_named("account_subtree", "conf-a", code="6000")
    assert [(r["code"], r["depth"]) for r in subtree] == [("6000", 0), ("6100", 1), ("6200", 1)]
    assert graph.run_named("owner_of", "conf-a", label="Customer", key="C-NW")[0]["name"] == "Alice Chen"
    assert graph.run_named("owned_by", "conf-a", employee="E2") == [
        {"label": "Opportunity", "key": "OPP-1", "name": "AR-7 fleet"}]


def test_account_360_filters_documents_by_acl(graph: GraphStore) -> None:
    sales = graph.run_named("account_360", "conf-a", customer="C-NW", groups=["all", "sales"])
    assert {(r["relation"], r["key"]) for r in sales} == {("owner", "E3"), ("opportunity", "OPP-1"),
                                                          ("document", "contract-nw")}
    employee = graph.run_named("account_360", "conf-a", customer="C-NW", groups=["all"])
    assert "document" not in {r["relation"] for r in employee}


def test_only_named_queries_run(graph: GraphStore) -> None:
    with pytest.raises(NexusError) as unknown:
        graph.run_named("MATCH (n) DETACH DELETE n", "conf-a")
    assert unknown.value.code is ErrorCode.UNKNOWN_NAME and "reporting_chain" in unknown.value.candidates
    with pytest.raises(NexusError) as missing:
        graph.run_named("reporting_chain", "conf-a")
    assert missing.value.code is ErrorCode.VALIDATION_FAILED
    assert graph.counts("conf-a")["Employee"] == 3
