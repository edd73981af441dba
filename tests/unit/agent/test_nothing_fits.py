"""The router's "nothing fits" outcome (agent.routing): missing capabilities ranked like tools, the floor, policy
questions kept for document search, and the decline's message and suggestions. Keyword vectors stand in for the
sentence model (no I/O); the thresholds themselves are measured by evals/benchmarks/bench_nothing_fits.py."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from agent.decision import ANSWER
from agent.routing import (
    NOTHING_FITS_FLOOR,
    POLICY_QUESTION,
    Decline,
    Ranking,
    RoutedTool,
    ToolRouter,
    nothing_fits,
    out_of_scope_capabilities,
    said_as_continuation,
)
from erp_core.identity import Actor
from tools.catalog import load_all

ADA = Actor.of("ada@acme", "acme", "admin")
EVE = Actor.of("eve@acme", "acme", "employee")
EXAMPLES = {"search_documents": "What does the travel policy say about hotel caps?",
            "account_balance": "What's the balance of the rent account?",
            "trial_balance": "Show me the trial balance", "propose_journal_entry": "Record 2,400 of depreciation"}


def _ranking(*tools: tuple[str, float], lacking: tuple[str, float] | None = None, policy: bool = False) -> Ranking:
    return Ranking(tuple(RoutedTool(n, s) for n, s in tools), None if lacking is None else RoutedTool(*lacking),
                   EXAMPLES, policy)


def test_a_missing_capability_that_leads_every_tool_is_declined_with_read_tools_offered() -> None:
    ranking = _ranking(("propose_journal_entry", 0.5), ("search_documents", 0.45), ("account_balance", 0.4),
                       ("trial_balance", 0.3), lacking=("book travel", 0.7))
    decline = nothing_fits(ranking, ["search_documents", "account_balance", "trial_balance"])
    assert decline == Decline("book travel", (EXAMPLES["search_documents"], EXAMPLES["account_balance"],
                                              EXAMPLES["trial_balance"]))  # no proposal among the chips
    assert decline.message().startswith("I can't book travel.")
    assert decline.as_dict() == {"capability": "book travel", "suggestions": list(decline.suggestions)}


def test_no_tool_even_close_is_declined_without_naming_a_capability() -> None:
    decline = nothing_fits(_ranking(("account_balance", NOTHING_FITS_FLOOR - 0.01)), ["account_balance"])
    assert decline is not None and decline.capability is None and decline.suggestions == (EXAMPLES["account_balance"],)
    assert "I can't help with that" in decline.message()


def test_a_tool_that_fits_or_small_talk_is_not_declined() -> None:
    assert nothing_fits(_ranking(("trial_balance", 0.8), lacking=("book travel", 0.6)), ["trial_balance"]) is None
    # "hi there" matches no tool either, but answering directly ranks first: it is answered, not declined
    assert nothing_fits(_ranking((ANSWER, 0.25), ("trial_balance", 0.2)), ["trial_balance"]) is None
    assert nothing_fits(_ranking(("trial_balance", 0.2), (ANSWER, 0.1)), ["trial_balance"]) is not None


def test_a_policy_question_is_never_declined() -> None:
    ranking = _ranking(("search_documents", 0.5), lacking=("book travel", 0.8), policy=True)
    assert nothing_fits(ranking, ["search_documents"]) is None


def test_suggestions_are_at_most_three_and_a_decline_without_any_says_nothing_more() -> None:
    ranking = _ranking(*[(name, 0.1) for name in EXAMPLES])
    assert len(nothing_fits(ranking, list(EXAMPLES)).suggestions) == 3  # type: ignore[union-attr]
    bare = nothing_fits(ranking, [])
    assert bare is not None and bare.suggestions == () and bare.message().endswith("fits it.")


@pytest.mark.parametrize("request_text", [
    "What is our policy on working from abroad?", "Am I allowed to approve my own purchase order?",
    "How do I correct a journal entry that was already posted?", "How do we handle a lost receipt?",
    "What's the per-diem for meals?", "When must expenses be submitted?", "Can I use the corporate card for taxis?",
    "What's the hotel limit per night?", "How quickly do I have to report a lost laptop?",
    # rules about approvals, deadlines and entitlements, said without the word "policy"
    "Who approves a purchase order of 20,000?", "Who has to approve a purchase order of 20,000 dollars?",
    "Does a 50,000 dollar journal entry need approval, and from whom?", "Do I need a receipt for a 20 dollar taxi?",
    "By which business day do the books have to be closed?", "Which class can I book for a four-hour flight?",
    "How many days of annual leave do I get?", "How many sick days need a doctor's note?",
    "How much notice do I need to give for a long vacation?"])
def test_policy_and_how_do_we_questions_are_recognised(request_text: str) -> None:
    assert POLICY_QUESTION.search(request_text)


@pytest.mark.parametrize("request_text", [
    "What is the balance of the bad-debt allowance?", "Post the November rent accrual", "Show me the trial balance",
    "How much did we spend on travel last month?", "Who approves this PO?", "What do I need to approve?",
    "How many vacation days do I have left?", "Which bills do we have to pay this week?",
    "How many sick days do I have left?"])
def test_ledger_questions_are_not_policy_questions(request_text: str) -> None:
    assert not POLICY_QUESTION.search(request_text)


class KeywordVector:
    """Texts about travel booking, hotels or policy point one way each; everything else another."""

    dimension = 4

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.embed_query(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        lower = text.lower()
        if "flight" in lower or "airfare" in lower:
            return [1.0, 0.0, 0.0, 0.0]
        if "hotel" in lower:
            return [0.6, 0.8, 0.0, 0.0]
        return [0.0, 0.0, 0.0, 1.0]


def test_the_router_ranks_missing_capabilities_apart_from_the_tools() -> None:
    router = ToolRouter(KeywordVector(), load_all().all(), (), out_of_scope_capabilities())
    ranking = router.rank(EVE, "Reserve me a flight to Chicago")
    assert ranking.unsupported is not None and ranking.unsupported.name.startswith("book travel")
    assert ranking.unsupported.score == pytest.approx(1.0)
    assert all(r.name not in out_of_scope_capabilities() for r in ranking.tools)
    assert {r.name for r in ranking.tools} == {s.name for s in load_all().for_actor(EVE)}  # only what eve may use
    # each tool's example closest to the request is kept for the chips: the hotel example for document search
    assert ranking.examples["search_documents"] == "What does the travel policy say about hotel caps?"
    assert router.route(EVE, "Reserve me a flight to Chicago", k=2) == list(ranking.tools[:2])


def test_a_policy_question_puts_document_search_clearly_first() -> None:
    router = ToolRouter(KeywordVector(), load_all().all(), (), out_of_scope_capabilities())
    ranking = router.rank(ADA, "Am I allowed to approve my own purchase order?")
    assert ranking.policy_question and ranking.tools[0].name == "search_documents"
    assert ranking.tools[0].score - ranking.tools[1].score == pytest.approx(0.1)


def test_continuations_are_recognised() -> None:
    assert said_as_continuation("and for marketing?") and said_as_continuation("What about that one?")
    assert not said_as_continuation("Book me a flight to Chicago")
