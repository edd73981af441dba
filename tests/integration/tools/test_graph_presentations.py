"""Knowledge-graph answers in words: the headline names what the graph returned, the rows come as a table."""

from __future__ import annotations

from typing import Any

from erp_core.db import Database
from tests.integration.tools.conftest import acme, run_tool

ALICE = acme("alice", "accountant")


def test_graph_answers_state_what_was_found(seeded_read_db: Database, graph_store: Any) -> None:
    chain = run_tool(seeded_read_db, ALICE, "graph_query", {"query": "reporting_chain"}, graph=graph_store)
    assert chain.presentation is not None
    names = [r["name"] for r in chain.data["rows"]]
    assert chain.presentation.headline.startswith(f"You report to {names[0]} (")
    assert all(name in chain.presentation.headline for name in names)
    approvers = run_tool(seeded_read_db, ALICE, "graph_query", {"query": "approvers_for", "document_type":
                                                                "purchase_order", "amount": "25000"},
                         graph=graph_store)
    assert approvers.presentation is not None
    assert approvers.presentation.headline.startswith("A purchase order of 25,000.00 USD needs approval by: "
                                                      "controller (")
    (table,) = approvers.presentation.tables
    assert len(table.rows) == len(approvers.data["rows"]) and "Role" in table.columns
    # remembered by its arguments, as a follow-up edits them ("and one of 80,000?")
    assert approvers.query == {"query": "approvers_for", "document_type": "purchase_order", "amount": "25000"}
    assert approvers.data["params"]["amount_minor"] == 2_500_000
