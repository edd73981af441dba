"""The named-query registry and DocumentSearch input checks (fakes, no stores)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from retrieval.graph import queries as q
from retrieval.ports import AccessScope, Hit
from retrieval.search import DocumentSearch


def test_every_named_query_is_tenant_scoped_and_parameterised() -> None:
    assert {"reporting_chain", "approvers_for", "account_subtree", "account_360", "owner_of"} <= set(q.NAMED_QUERIES)
    for query in q.NAMED_QUERIES.values():
        assert "$tenant" in query.cypher, query.name
        for param in query.params:
            assert f"${param}" in query.cypher, (query.name, param)
        assert "DELETE" not in query.cypher.upper() and "MERGE" not in query.cypher.upper(), query.name


def test_every_named_query_declares_inputs_that_fill_exactly_its_parameters() -> None:
    for query in q.NAMED_QUERIES.values():
        filled = [param for source in query.inputs for param in q.INPUT_PARAMS[source]]
        assert sorted(filled) == sorted(query.params), query.name


def test_write_statements_only_take_known_labels() -> None:
    assert "MERGE (n:Employee" in q.merge_nodes_cypher("Employee")
    with pytest.raises(ValueError):
        q.merge_nodes_cypher("Employee) DETACH DELETE (x")
    with pytest.raises(ValueError):
        q.merge_edges_cypher("KNOWS", "Employee", "Employee")


class _RecordingStore:
    def __init__(self) -> None:
        self.calls: list[tuple[AccessScope, str, int, str, Sequence[float] | None]] = []

    def search(self, scope: AccessScope, *, mode: str, k: int, query: str,
               vector: Sequence[float] | None = None) -> list[Hit]:
        self.calls.append((scope, mode, k, query, vector))
        return []


class _FixedEmbedder:
    dimension = 3

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0, 0.0]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [[1.0, 0.0, 0.0] for _ in texts]


def test_search_takes_the_scope_from_the_actor() -> None:
    store = _RecordingStore()
    search = DocumentSearch(store, _FixedEmbedder())  # type: ignore[arg-type]
    search.search(Actor.of("hana@globex", "globex", "hr,employee"), "  salary bands  ", k=3)
    search.search(Actor.of("eve@acme", "acme", "employee"), "hotel", mode="keyword")
    (scope, mode, k, query, vector), (scope2, mode2, _, _, vector2) = store.calls
    assert scope == AccessScope("globex", frozenset({"all", "hr"}))
    assert (mode, k, query) == ("hybrid", 3, "salary bands")
    assert vector == [1.0, 0.0, 0.0]
    assert scope2 == AccessScope("acme", frozenset({"all"})) and mode2 == "keyword" and vector2 is None


@pytest.mark.parametrize(("query", "k", "mode"), [("", 5, "hybrid"), ("x" * 2001, 5, "hybrid"), ("q", 0, "hybrid"),
                                                  ("q", 51, "hybrid"), ("q", 5, "fuzzy")])
def test_bad_search_input(query: str, k: int, mode: str) -> None:
    store = _RecordingStore()
    with pytest.raises(NexusError) as err:
        DocumentSearch(store, _FixedEmbedder()).search(  # type: ignore[arg-type]
            Actor.of("eve@acme", "acme", "employee"), query, k=k, mode=mode)  # type: ignore[arg-type]
    assert err.value.code is ErrorCode.VALIDATION_FAILED
    assert store.calls == []


def test_hit_snippet_and_citation() -> None:
    hit = Hit("acme/d#0", "d", "Title", "Section", 2, "word " * 100, 0.5)
    assert len(hit.snippet) <= 242 and hit.snippet.endswith("…")
    assert hit.citation()["page"] == 2
