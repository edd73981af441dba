"""Knowledge tools against real stores: document search (Milvus Lite, MiniLM) returns cited passages within the
reader's ACL; graph queries (ArcadeDB over Bolt, synced from the seed) run by name with resolved parameters."""

from __future__ import annotations

from typing import Any

import pytest

from erp_core.db import Database
from erp_core.errors import ErrorCode, NexusError
from tests.integration.tools.conftest import acme, run_tool
from tools.errors import classify

EVE, HANA = acme("eve"), acme("hana", "hr")


def test_search_returns_passages_with_citations(seeded_read_db: Database, doc_search: Any) -> None:
    out = run_tool(seeded_read_db, EVE, "search_documents", {"query": "hotel cap per night"}, documents=doc_search)
    assert out.citations and out.citations[0]["doc_id"] == "acme-travel-expense-policy"
    assert set(out.citations[0]) == {"doc_id", "chunk_id", "title", "section", "page", "snippet"}
    assert len(out.data["passages"]) == len(out.citations) <= 4
    # The answer is the policy's own sentence, quoted with its citation (retrieval.extract), not a list of titles.
    assert out.presentation is not None and out.summary == out.presentation.headline
    assert out.summary.startswith('"The hotel cap is 250 USD per night') and out.summary.endswith(
        "— Travel and Expense Policy, § Hotels")
    assert out.data["answer"]["chunk_id"] == out.citations[0]["chunk_id"] and out.data["answer"]["confident"]


def test_document_answers_quote_the_sentence_with_the_asked_figure(seeded_read_db: Database, doc_search: Any) -> None:
    leave = run_tool(seeded_read_db, EVE, "search_documents", {"query": "How many days of annual leave do I get?"},
                     documents=doc_search)
    assert leave.summary == ('"Every full-time employee is entitled to 20 days of annual leave per calendar year." '
                             "— Leave Policy, § Annual leave entitlement")
    per_diem = run_tool(seeded_read_db, EVE, "search_documents",
                        {"query": "What's the per-diem for meals when traveling internationally?"},
                        documents=doc_search)
    assert "75 USD" in per_diem.summary and per_diem.data["answer"]["section"] == "Meals and per diem"
    deadline = run_tool(seeded_read_db, EVE, "search_documents", {"query": "When must expenses be submitted?"},
                        documents=doc_search)
    assert "within 30 days of the end of the trip" in deadline.summary
    assert deadline.query == {"query": "When must expenses be submitted?", "k": 4}


def test_a_question_the_documents_do_not_answer_is_said_so(seeded_read_db: Database, doc_search: Any) -> None:
    out = run_tool(seeded_read_db, EVE, "search_documents", {"query": "What is the capital of Australia?"},
                   documents=doc_search)
    assert out.summary.startswith("The documents you can read do not answer this directly.")
    assert out.data["answer"]["confident"] is False


def test_search_respects_the_readers_acl(seeded_read_db: Database, doc_search: Any) -> None:
    query = {"query": "compensation salary bands", "k": 8}
    eve = run_tool(seeded_read_db, EVE, "search_documents", query, documents=doc_search)
    hana = run_tool(seeded_read_db, HANA, "search_documents", query, documents=doc_search)
    assert "acme-hr-compensation-bands" not in {c["doc_id"] for c in eve.citations}
    assert hana.citations[0]["doc_id"] == "acme-hr-compensation-bands"


def test_search_without_a_store_is_an_infrastructure_error(seeded_read_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, EVE, "search_documents", {"query": "leave"})
    assert err.value.code is ErrorCode.STORE_UNAVAILABLE
    with pytest.raises(NexusError):
        classify(err.value)  # infrastructure errors are not handed back to the model


def test_graph_without_a_store_is_an_infrastructure_error(seeded_read_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, EVE, "graph_query", {"query": "reporting_chain"})
    assert err.value.code is ErrorCode.STORE_UNAVAILABLE


def test_graph_named_queries_with_spoken_parameters(seeded_read_db: Database, graph_store: Any) -> None:
    alice = acme("alice", "accountant")
    chain = run_tool(seeded_read_db, alice, "graph_query", {"query": "reporting_chain"}, graph=graph_store)
    assert [r["name"] for r in chain.data["rows"]] == ["Carol Jensen", "Frank Okafor", "Diane Whitfield"]
    reports = run_tool(seeded_read_db, alice, "graph_query", {"query": "direct_reports", "person": "Carol"},
                       graph=graph_store)
    assert "Alice Morgan" in {r["name"] for r in reports.data["rows"]}
    approvers = run_tool(seeded_read_db, alice, "graph_query", {"query": "approvers_for", "document_type":
                                                                "purchase_order", "amount": "25000"},
                         graph=graph_store)
    assert approvers.data["params"]["amount_minor"] == 2_500_000
    assert {r["role"] for r in approvers.data["rows"]} == {"controller"}
    subtree = run_tool(seeded_read_db, alice, "graph_query", {"query": "account_subtree", "account": "6000"},
                       graph=graph_store)
    assert {"6100", "6200"} <= {r["code"] for r in subtree.data["rows"]}


def test_graph_customer_queries_keep_the_crm_scope(seeded_read_db: Database, graph_store: Any) -> None:
    maria = acme("maria", "sales_manager")
    owner = run_tool(seeded_read_db, maria, "graph_query", {"query": "owner_of", "customer": "Northwind"},
                     graph=graph_store)
    assert owner.data["params"] == {"label": "Customer", "key": "C0001"} and len(owner.data["rows"]) == 1
    # the one name said, whichever slot it came in, is resolved as whatever it names
    placed = run_tool(seeded_read_db, maria, "graph_query", {"query": "owner_of", "person": "Northwind Logistics"},
                      graph=graph_store)
    assert placed.data["params"] == owner.data["params"]
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, EVE, "graph_query", {"query": "owner_of", "customer": "Northwind"},
                 graph=graph_store)
    assert classify(err.value).kind == "refused"


def test_graph_missing_parameter_is_fixable(seeded_read_db: Database, graph_store: Any) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(seeded_read_db, EVE, "graph_query", {"query": "approvers_for"}, graph=graph_store)
    assert classify(err.value).kind == "fixable"
    with pytest.raises(Exception) as bad:
        run_tool(seeded_read_db, EVE, "graph_query", {"query": "MATCH (n) DETACH DELETE n"}, graph=graph_store)
    assert classify(bad.value).kind == "fixable"  # not one of the named queries: a schema error
