"""Pure parts of the agent: decision schema and parsing, grounding guard, routing masks, period and name resolvers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from agent.decision import ANSWER, decision_schema, describe_candidates, drafted_fields, parse_decision
from agent.guards import check_grounding, figures
from agent.routing import mask
from erp_core.errors import ErrorCode, NexusError
from erp_core.resolve import match_name, resolve_as_of, resolve_period
from tools.catalog import load_all

TODAY = dt.date(2026, 11, 25)


def test_decision_schema_offers_only_candidates_and_answer() -> None:
    registry = load_all()
    specs = [registry.get("account_balance"), registry.get("propose_journal_entry")]
    schema = decision_schema(specs)
    tools = [option["properties"]["tool"]["const"] for option in schema["anyOf"]]
    assert tools == ["account_balance", "propose_journal_entry", ANSWER]
    # nested models are reachable through namespaced $defs
    refs = str(schema["anyOf"][1])
    assert "#/$defs/propose_journal_entry__DraftLine" in refs
    assert "propose_journal_entry__DraftLine" in schema["$defs"]
    menu = describe_candidates(specs)
    assert menu.splitlines()[0].startswith("1. account_balance:") and "answer" in menu.splitlines()[-1]


def test_arguments_the_request_sets_are_not_the_models_to_write() -> None:
    registry = load_all()
    specs = [registry.get("account_balance"), registry.get("propose_journal_entry"), registry.get("search_documents")]
    given = drafted_fields(specs, "Post the November rent accrual of 42000")
    assert given == {"propose_journal_entry": frozenset({"lines"})}
    entry = decision_schema(specs, given=given)["anyOf"][1]["properties"]["tool_args"]
    assert "lines" not in entry["properties"] and "lines" not in entry.get("required", [])
    assert set(entry["properties"]) == {"memo", "date", "currency"}
    search = decision_schema(specs)["anyOf"][2]["properties"]["tool_args"]
    assert search["properties"] == {}  # the question is taken as said, the passage count is the tool's
    assert drafted_fields(specs, "What is the rent balance?") == {}


def test_parse_decision_rejects_tools_not_offered() -> None:
    specs = [load_all().get("trial_balance")]
    assert parse_decision('{"tool": "trial_balance", "args": {}}', specs).tool == "trial_balance"
    assert parse_decision('{"tool": "answer"}', specs).answers_directly
    with pytest.raises(ValueError):
        parse_decision('{"tool": "propose_journal_entry", "args": {}}', specs)
    with pytest.raises(ValueError):
        parse_decision("[]", specs)


def test_figures_skip_dates_and_ids_and_apply_scales() -> None:
    found = [raw for raw, _ in figures("JE-123 on 2026-10-31: 42,000.00 USD, 1.2m YTD, FY2025, 3k, Q3")]
    assert found == ["42,000.00", "1.2m", "3k"]


def test_grounding_accepts_derived_and_rounded_figures() -> None:
    sources = ["actual 12345.67 USD, budget 10000.00 USD"]
    assert check_grounding("Spent 12,345.67 vs 10,000; over by 2,345.67 (23.5%), about 12.3k.", sources).ok
    report = check_grounding("Spent 99,999.00 against 10,000.", sources)
    assert not report.ok and report.ungrounded == ["99,999.00"]


def test_mask_hides_values_not_intent() -> None:
    assert mask("accrue 42,000 of rent for October") == "accrue amount of account for period"
    assert mask("show the trial balance for Q3 2025") == "show the trial balance for period"


@pytest.mark.parametrize(("text", "start", "end"), [
    ("last month", "2026-10-01", "2026-10-31"), ("Q3", "2026-07-01", "2026-09-30"),
    ("q1 2025", "2025-01-01", "2025-03-31"), ("FY2025", "2025-01-01", "2025-12-31"),
    ("YTD", "2026-01-01", "2026-11-25"), ("December", "2025-12-01", "2025-12-31"),
    ("2026-02", "2026-02-01", "2026-02-28"), ("last quarter", "2026-07-01", "2026-09-30"),
])
def test_periods(text: str, start: str, end: str) -> None:
    rng = resolve_period(text, TODAY)
    assert (rng.start.isoformat(), rng.end.isoformat()) == (start, end)


def test_bad_periods_are_fixable_with_examples() -> None:
    for text in ("someday", "2026-13", "Q5"):
        with pytest.raises(NexusError) as info:
            resolve_period(text, TODAY)
        assert info.value.code is ErrorCode.VALIDATION_FAILED and info.value.candidates
    assert resolve_as_of("end of last month", TODAY) == dt.date(2026, 10, 31)
    assert resolve_as_of(None, TODAY) == TODAY


def test_name_matching_exact_fuzzy_ambiguous_unknown() -> None:
    records = [("6100", "Rent Expense", ("rent",)), ("6200", "Travel Expense", ("travel",)),
               ("1010", "Cash - Operating", ()), ("1020", "Cash - Payroll", ())]
    assert match_name("6200", records, what="account").ident == "6200"
    assert match_name("travel expenses", records, what="account").ident == "6200"
    assert match_name("rent", records, what="account").ident == "6100"
    with pytest.raises(NexusError) as ambiguous:
        match_name("cash", records, what="account")
    assert ambiguous.value.code is ErrorCode.AMBIGUOUS_NAME
    assert set(ambiguous.value.candidates) == {"1010 Cash - Operating", "1020 Cash - Payroll"}
    with pytest.raises(NexusError) as unknown:
        match_name("unicorn food", records, what="account")
    assert unknown.value.code is ErrorCode.UNKNOWN_NAME and len(unknown.value.candidates) == 4


def test_a_clear_leader_is_shown_alone_and_close_calls_stay_with_the_model() -> None:
    from agent.routing import RoutedTool, narrow

    clear = [RoutedTool("kpi", 0.80), RoutedTool("forecast", 0.70), RoutedTool("pipeline", 0.60)]
    close = [RoutedTool("kpi", 0.80), RoutedTool("forecast", 0.79)]
    assert [r.name for r in narrow(clear, 0.04)] == ["kpi"]
    assert [r.name for r in narrow(close, 0.04)] == ["kpi", "forecast"]
    assert narrow(clear, 1.0) == clear  # a margin of 1 turns narrowing off


def test_name_words_match_their_inflections() -> None:
    from agent.routing import _stem

    assert _stem("reverse") == _stem("reversal")
    assert _stem("approve") == _stem("approvals")
    assert _stem("budget") == "budget" and _stem("kpi") == "kpi"


class SameVector:
    """Every text embeds alike, so only the router's lexical cues and name words can separate the tools."""

    dimension = 3

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [[1.0, 0.0, 0.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [1.0, 0.0, 0.0]


@pytest.mark.parametrize(("request_text", "tool"), [
    ("What does Initech still owe us?", "open_invoices"),
    ("How much do we still owe the landlord?", "open_bills"),
    ("AR aging for the top customers", "open_invoices"),
    ("A/P aging please", "open_bills"),
    ("Anything suspicious in the ledger?", "anomaly_review"),
    ("Travel against budget in Q3", "period_comparison"),  # one account against its budget
    ("How are we doing against budget in marketing this quarter?", "budget_vs_actual"),  # a department
    ("What is our cash position?", "account_balance"),
    ("How did marketing spend compare with budget in October 2026?", "budget_vs_actual"),
    ("What will hosting cost over the coming months?", "forecast"),
    ("How much is Willow Metals Group behind on paying us?", "open_invoices"),
    ("What were our top 5 expense accounts this year?", "ranking"),
    ("Show me the biggest payments last month", "ranking"),
    ("Who reports to Carol Jensen?", "graph_query"),
    ("Check the figures and then post the 5,000 depreciation", "propose_journal_entry"),
])
def test_cues_embeddings_miss_pick_the_side_of_the_ledger_and_the_tense(request_text: str, tool: str) -> None:
    from agent.routing import ToolRouter
    from erp_core.identity import Actor

    router = ToolRouter(SameVector(), load_all().all())
    ranked = router.route(Actor.of("ada@acme", "acme", "admin"), request_text, k=3)
    assert ranked[0].name == tool and ranked[0].score > ranked[1].score


def test_answering_directly_is_ranked_like_a_tool_only_when_it_has_examples() -> None:
    from agent.routing import ToolRouter, split_direct
    from erp_core.identity import Actor

    class GreetingVector(SameVector):
        def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
            return [self.embed_query(text) for text in texts]

        def embed_query(self, text: str) -> list[float]:
            return [0.0, 1.0, 0.0] if "hello" in text else [1.0, 0.0, 0.0]

    ada = Actor.of("ada@acme", "acme", "admin")
    with_direct = ToolRouter(GreetingVector(), load_all().all(), ["hello there"]).route(ada, "hello", k=2)
    tools, direct = split_direct(with_direct, 2)
    assert with_direct[0].name == ANSWER and len(tools) == 2 and direct == pytest.approx(1.0)
    plain = ToolRouter(SameVector(), load_all().all()).route(ada, "hello", k=2)
    assert split_direct(plain, 2) == (plain, None)


@pytest.mark.parametrize("request_text", ["What was the rent accrual in 2026?", "Did we book the October rent accrual?",
                                          "Have we posted the depreciation for October?"])
def test_a_question_about_what_was_done_does_not_draft_an_entry(request_text: str) -> None:
    from agent.routing import ToolRouter
    from erp_core.identity import Actor

    router = ToolRouter(SameVector(), load_all().all())
    ranked = router.rank(Actor.of("ada@acme", "acme", "admin"), request_text).tools
    scores = {r.name: r.score for r in ranked}
    assert scores["propose_journal_entry"] < ranked[0].score
    posted = router.rank(Actor.of("ada@acme", "acme", "admin"), "Post the November rent accrual of 42000").tools
    assert posted[0].name == "propose_journal_entry"
