"""The ``GraphStore`` over Bolt with the official ``neo4j`` driver: Neo4j in production, ArcadeDB here. Same code.

Writes run in one transaction per sync (``execute_write``), so a failed sync leaves the previous graph intact.
Connect timeouts are short: a graph server that is down gives ``STORE_UNAVAILABLE`` within seconds, never a hang.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from erp_core.errors import ErrorCode, Issue, NexusError
from retrieval.acl import check_name
from retrieval.graph import queries as q
from retrieval.ports import GraphEdge, GraphNode

if TYPE_CHECKING:
    from neo4j import Driver, ManagedTransaction


class BoltGraphStore:
    """Graph store reached at ``uri`` (``bolt://`` or ``neo4j://``)."""

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j", timeout_s: float = 3.0) -> None:
        from neo4j import GraphDatabase

        self.uri = uri
        self.database = database
        self._driver: Driver = GraphDatabase.driver(
            uri, auth=(user, password), connection_timeout=timeout_s, connection_acquisition_timeout=timeout_s * 2,
            max_transaction_retry_time=timeout_s * 2)
        with self._errors("connect"):
            self._driver.verify_connectivity()

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        from neo4j.exceptions import ClientError, Neo4jError, ServiceUnavailable

        try:
            yield
        except ClientError as exc:
            raise NexusError(ErrorCode.BACKEND_FAILED, f"graph store rejected {action}: {exc.message}") from exc
        except (Neo4jError, ServiceUnavailable, OSError) as exc:
            raise NexusError(ErrorCode.STORE_UNAVAILABLE,
                             f"graph store {self.uri} failed to {action}: {type(exc).__name__}: {exc}") from exc

    def _read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        with self._driver.session(database=self.database) as session:
            return [dict(record) for record in session.run(cypher, params)]

    # ------------------------------------------------------------------------------------------------ writes

    def sync(self, tenant: str, nodes: Sequence[GraphNode], edges: Sequence[GraphEdge],
             labels: Sequence[str], rels: Sequence[tuple[str, str, str]]) -> dict[str, int]:
        """Makes the tenant's graph for ``labels`` and ``rels`` (type, from label, to label) equal to the input.

        MERGE creates what is missing and updates properties; nodes and edges of those labels/types that are no
        longer in the input are deleted. Running it twice with the same input changes nothing.
        """
        check_name("tenant", tenant)
        _check_edges_within_scope(edges, rels)
        nodes_by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for node in nodes:
            nodes_by_label[node.label].append({"key": node.key, "props": dict(node.props)})
        edges_by_type: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
        for edge in edges:
            edges_by_type[(edge.rel, edge.from_label, edge.to_label)].append({"src": edge.from_key,
                                                                              "dst": edge.to_key})

        def work(tx: ManagedTransaction) -> dict[str, int]:
            stats = {"nodes": 0, "edges": 0}
            for label in labels:
                rows = nodes_by_label.get(label, [])
                tx.run(q.prune_nodes_cypher(label), tenant=tenant, keys=[r["key"] for r in rows]).consume()
                if rows:
                    merged = tx.run(q.merge_nodes_cypher(label), tenant=tenant, rows=rows).single()
                    stats["nodes"] += int(merged[0]) if merged else 0
            for rel, src, dst in rels:
                rows_e = edges_by_type.get((rel, src, dst), [])
                pairs = [f"{r['src']}|{r['dst']}" for r in rows_e]
                tx.run(q.prune_edges_cypher(rel, src, dst), tenant=tenant, pairs=pairs).consume()
                if rows_e:
                    record = tx.run(q.merge_edges_cypher(rel, src, dst), tenant=tenant, rows=rows_e).single()
                    stats["edges"] += int(record[0]) if record else 0
            return stats

        with self._errors("sync the graph"), self._driver.session(database=self.database) as session:
            return session.execute_write(work)

    def clear_tenant(self, tenant: str) -> None:
        with self._errors("clear a tenant"), self._driver.session(database=self.database) as session:
            session.execute_write(lambda tx: tx.run(q.CLEAR_TENANT, tenant=check_name("tenant", tenant)).consume())

    # ------------------------------------------------------------------------------------------------ reads

    def run_named(self, name: str, tenant: str, **params: Any) -> list[dict[str, Any]]:
        """Runs the named query ``name`` for ``tenant``; unknown names and missing parameters are refused."""
        query = q.NAMED_QUERIES.get(name)
        if query is None:
            raise NexusError(ErrorCode.UNKNOWN_NAME, f"no graph query named {name!r}",
                             candidates=sorted(q.NAMED_QUERIES))
        missing = [p for p in query.params if p not in params]
        extra = [p for p in params if p not in query.params]
        if missing or extra:
            issues = [Issue("missing_param", f"{name} needs {p!r}", p) for p in missing]
            issues += [Issue("unknown_param", f"{name} takes no {p!r}", p) for p in extra]
            raise NexusError(ErrorCode.VALIDATION_FAILED, "; ".join(i.message for i in issues), issues=issues)
        with self._errors(f"run {name}"):
            return self._read(query.cypher, tenant=check_name("tenant", tenant), **params)

    def counts(self, tenant: str) -> dict[str, int]:
        """Node counts per label and edge counts per relationship type of ``tenant``."""
        with self._errors("count"):
            nodes = self._read(q.COUNT_NODES, tenant=check_name("tenant", tenant))
            edges = self._read(q.COUNT_EDGES, tenant=tenant)
        out = {str(r["label"]): int(r["n"]) for r in nodes}
        out.update({str(r["rel"]): int(r["n"]) for r in edges})
        return out

    def close(self) -> None:
        self._driver.close()


def _check_edges_within_scope(edges: Sequence[GraphEdge], rels: Sequence[tuple[str, str, str]]) -> None:
    scope = set(rels)
    stray = {(e.rel, e.from_label, e.to_label) for e in edges} - scope
    if stray:
        raise NexusError(ErrorCode.VALIDATION_FAILED, f"edges outside the sync scope: {sorted(stray)}")
