"""The domain tools in the registry: enough of them, described, with routing examples and valid schemas, and shown
only to the roles whose domain checks would let them through."""

from __future__ import annotations

import pytest

from erp_core.identity import Actor
from tools.catalog import load_all
from tools.registry import DIRECT_ANSWER, extra_utterances

DOMAIN_TOOLS = {
    "budget_vs_actual", "kpi", "forecast", "anomaly_review", "pipeline", "deals_at_risk", "account_360",
    "propose_opportunity_update", "employee_lookup", "reporting_chain", "leave_balance", "propose_leave_request",
    "headcount", "ticket_lookup", "sla_breaches", "search_documents", "graph_query", "propose_purchase_order"}


def visible(user: str, roles: str) -> set[str]:
    return {spec.name for spec in load_all().for_actor(Actor.of(f"{user}@acme", "acme", f"{roles},employee"))}


def test_registry_holds_at_least_25_tools_including_every_domain_tool() -> None:
    names = {spec.name for spec in load_all().all()}
    assert len(names) >= 25
    assert names >= DOMAIN_TOOLS


@pytest.mark.parametrize("name", sorted(DOMAIN_TOOLS))
def test_each_tool_is_described_for_the_model(name: str) -> None:
    spec = load_all().get(name)
    assert 20 <= len(spec.description) <= 300
    assert len(spec.examples) >= 8 and len(set(spec.examples)) == len(spec.examples)
    schema = spec.json_schema()
    assert schema["type"] == "object" and schema.get("additionalProperties") is False
    for field, body in schema.get("properties", {}).items():
        assert body.get("description"), f"{name}.{field} needs a description"


def test_examples_are_distinct_across_tools() -> None:
    seen: dict[str, str] = {}
    for spec in load_all().all():
        for example in spec.examples:
            assert example.lower() not in seen, f"{example!r} used by {seen.get(example.lower())} and {spec.name}"
            seen[example.lower()] = spec.name


def test_proposal_tools_are_flagged_and_no_tool_posts_or_approves() -> None:
    registry = load_all()
    assert all(registry.get(name).proposes for name in ("propose_leave_request", "propose_opportunity_update",
                                                        "propose_purchase_order"))
    for spec in registry.all():
        assert not spec.name.startswith(("approve", "post", "apply", "reject")), spec.name
        assert spec.proposes == spec.name.startswith("propose_"), spec.name


def test_an_employee_sees_self_service_tools_only() -> None:
    eve = visible("eve", "employee")
    assert {"employee_lookup", "reporting_chain", "leave_balance", "propose_leave_request", "search_documents",
            "graph_query"} <= eve
    assert not eve & {"budget_vs_actual", "kpi", "forecast", "anomaly_review", "pipeline", "deals_at_risk",
                      "account_360", "propose_opportunity_update", "headcount", "ticket_lookup", "sla_breaches"}


def test_finance_sees_epm_but_not_deal_edits() -> None:
    alice = visible("alice", "accountant")
    assert {"budget_vs_actual", "kpi", "forecast", "anomaly_review"} <= alice
    assert not alice & {"pipeline", "propose_opportunity_update", "headcount"}
    frank = visible("frank", "cfo")
    assert {"pipeline", "deals_at_risk", "account_360", "headcount", "kpi"} <= frank
    assert "propose_opportunity_update" not in frank


def test_sales_sees_crm_and_the_desk_but_not_finance() -> None:
    for user, roles in (("sam", "sales_rep"), ("maria", "sales_manager")):
        seen = visible(user, roles)
        assert {"pipeline", "deals_at_risk", "account_360", "propose_opportunity_update", "ticket_lookup",
                "sla_breaches"} <= seen
        assert not seen & {"budget_vs_actual", "kpi", "anomaly_review", "headcount"}


def test_hr_sees_headcount_but_not_crm() -> None:
    hana = visible("hana", "hr")
    assert "headcount" in hana and not hana & {"pipeline", "kpi"}


def test_every_extra_utterance_belongs_to_a_registered_tool() -> None:
    names = {spec.name for spec in load_all().all()}
    assert set(extra_utterances()) <= names | {DIRECT_ANSWER}  # a typo in utterances.yaml would silently route nothing
    assert all(len(texts) >= 5 for texts in extra_utterances().values())
