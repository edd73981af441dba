"""``nexus import employees`` re-syncs the knowledge graph (a running ArcadeDB over Bolt): the org chart from the
file is queryable right after the import, and a second import that changes a manager moves the edge."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

TENANT = "grafimport"


@pytest.fixture()
def graph(graph_server, store_config, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    from retrieval.graph.bolt_store import BoltGraphStore

    monkeypatch.setenv("NEXUS_GRAPH_URI", graph_server.uri)
    monkeypatch.setenv("NEXUS_GRAPH_PASSWORD", store_config.graph_password)
    monkeypatch.setenv("NEXUS_DATA_DIR", str(tmp_path / "data"))
    store = BoltGraphStore(graph_server.uri, "root", store_config.graph_password)
    store.clear_tenant(TENANT)
    yield store
    store.clear_tenant(TENANT)
    store.close()


def test_imported_org_chart_is_in_the_graph(graph, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'erp.db'}"
    runner = CliRunner()

    def nexus(*args: str) -> str:
        result = runner.invoke(app, [*args, "--database-url", url])
        assert result.exit_code == 0, result.output
        return result.output

    nexus("tenant", "create", TENANT, "--name", "Graph Imports", "--currency", "EUR")
    people = tmp_path / "employees.csv"
    people.write_text("employee_no,first_name,last_name,department,manager\nE1,Ada,Boss,EXEC,\n"
                      "E2,Ben,Lead,OPS,E1\nE3,Cleo,Crew,OPS,E2\n", encoding="utf-8")
    out = nexus("import", "employees", str(people), "--tenant", TENANT)
    assert "knowledge graph re-synced" in out
    assert [r["name"] for r in graph.run_named("reporting_chain", TENANT, employee="E3")] == ["Ben Lead", "Ada Boss"]

    people.write_text("employee_no,first_name,last_name,department,manager\nE1,Ada,Boss,EXEC,\n"
                      "E2,Ben,Lead,OPS,E1\nE3,Cleo,Crew,OPS,E1\n", encoding="utf-8")
    assert "0 created, 1 updated" in nexus("import", "employees", str(people), "--tenant", TENANT)
    assert [r["name"] for r in graph.run_named("reporting_chain", TENANT, employee="E3")] == ["Ada Boss"]


def test_graph_commands_report_an_unreachable_graph_in_one_line(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    monkeypatch.setenv("NEXUS_GRAPH_URI", "bolt://127.0.0.1:1")  # nothing listens on port 1
    monkeypatch.setenv("NEXUS_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    for args in (["graph", "query", "direct_reports", "--tenant", "acme", "-p", "employee=E1"],
                 ["graph", "sync", "--tenant", "acme", "--no-documents"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "error: store_unavailable" in result.output and "Traceback" not in result.output
