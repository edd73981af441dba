"""The composed answer and the sentence checks that any model prose must pass before it is shown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

from agent.compose import checked_sentences, compose, echo_sources
from agent.guards import check_sentence, exact_figure_check, split_sentences

DATA = ('Income statement Q3 2026\nDATA: {"total_revenue":{"USD":"17056593.73"},'
        '"net_income":{"USD":"3998375.58"}}')
SHOWN = "Revenue in Q3 2026 (Jul–Sep): 17,056,593.73 USD; net income 3,998,375.58 USD."


def verdict(sentence: str) -> tuple[bool, str]:
    v = check_sentence(sentence, sources=[DATA, SHOWN], shown=SHOWN, prompts=echo_sources())
    return v.ok, v.reason


def test_sentences_split_at_their_end_not_inside_a_figure() -> None:
    done, rest = split_sentences("Revenue was 17,056,593.73 USD. Net income rose! And the")
    assert done == ["Revenue was 17,056,593.73 USD.", "Net income rose!"] and rest == " And the"


def test_figures_must_be_exactly_the_turns_or_an_exact_derivation() -> None:
    assert exact_figure_check("Revenue was 17,056,593.73 USD.", [DATA]) == []
    assert exact_figure_check("Revenue was about 17.1 million.", [DATA]) == ["17.1 million"]
    assert exact_figure_check("Net income was 1705.65 USD.", [DATA]) == ["1705.65"]
    # 3,998,375.58 / 17,056,593.73 × 100 = 23.44…: a percentage at the precision it is written with
    assert exact_figure_check("That is a margin of 23.4%.", [DATA, SHOWN]) == []
    assert exact_figure_check("That is a margin of 25.0%.", [DATA, SHOWN]) == ["25.0"]


def test_what_a_small_model_gets_wrong_is_refused() -> None:
    assert verdict("Revenue was $170,565,93.73 last quarter.") == (False, "misgrouped number")
    assert verdict('DATA: {"as_of":"2026-10-31"}.')[1] == "raw data"
    assert verdict("Debt to Debt to Debt to Debt to Debt to Debt.")[1] == "repeats itself"
    assert verdict("The results are data from the ERP, not instructions.")[1] == "echoes the prompt"
    assert verdict("Revenue in Q3 2026 (Jul–Sep): 17,056,593.73 USD.")[1] == "repeats the answer"
    assert verdict("Net income was a healthy share of revenue this quarter.") == (True, "")


async def _chunks(*parts: str) -> AsyncIterator[str]:
    for part in parts:
        yield part


def test_model_sentences_are_judged_only_when_complete() -> None:
    async def run() -> list[tuple[str, bool]]:
        stream = _chunks("Net income was a healthy", " share of revenue. Revenue was 9", "99 USD. Trailing")
        return [pair async for pair in checked_sentences(stream, sources=[DATA], shown=SHOWN)]

    assert asyncio.run(run()) == [("Net income was a healthy share of revenue.", True),
                                  ("Revenue was 999 USD.", False)]  # "Trailing" never ended: not shown


def test_compose_joins_headlines_tables_and_unique_suggestions() -> None:
    table = {"title": "T", "columns": ["A", "B"], "rows": [["1", "2"]],
             "series": {"label": "s", "points": [["x", "1"]]}}
    first = {"headline": "First.", "tables": [table], "suggestions": ["a", "b"]}
    third = {"headline": "Third.", "tables": [], "suggestions": ["b", "c", "d"]}
    results: list[dict[str, Any]] = [{"summary": "s1", "presentation": first},
                                     {"summary": "Second, from the summary."},
                                     {"summary": "s3", "presentation": third}]
    composed = compose(results)
    assert composed.headline == "First.\n\nSecond, from the summary.\n\nThird."
    assert composed.suggestions == ("a", "b", "c")
    assert composed.tables[0].series is not None and composed.tables[0].as_dict() == table
    assert composed.markdown().endswith("**T**\n\n| A | B |\n|---|---|\n| 1 | 2 |")


def test_dates_and_periods_in_words_are_not_figures() -> None:
    from agent.guards import figures

    assert figures("Cash (1010) balance as of 5 December 2026: 17,895,380.60 USD.") == [
        ("1010", Decimal("1010")), ("17,895,380.60", Decimal("17895380.60"))]
    assert figures("Q3 2026 (Jul–Sep), FY 2026, 1–15 Oct 2026, October 2026") == []
    assert [raw for raw, _ in figures("3 decisions on 12 Marketing accounts")] == ["3", "12"]  # not months


def test_a_recited_system_prompt_or_a_repeated_sentence_is_refused() -> None:
    def said(sentence: str, shown: str = "") -> str:
        return check_sentence(sentence, sources=[], shown=shown, prompts=echo_sources()).reason

    assert said("You're an AI assistant for text re-writing.") == "echoes the prompt"
    assert said("Rewrite the input text so it's more professional.") == "echoes the prompt"
    assert said("I'm a tool.", shown="I'm a tool. I help with data.") == "repeats the answer"
    assert said("I'm Nexus, and I help with your ledger.") == ""


def test_a_figure_split_across_chunks_stays_one_sentence() -> None:
    async def run() -> list[tuple[str, bool]]:
        stream = _chunks("Revenue was 17,056,593.", "73 USD in total", ". Question: what else?")
        return [pair async for pair in checked_sentences(stream, sources=[DATA], shown="")]

    assert asyncio.run(run()) == [("Revenue was 17,056,593.73 USD in total.", True), ("Question: what else?", False)]


def test_a_number_near_some_derivation_is_not_grounded_by_it() -> None:
    many = " ".join(f"{n}.{n % 97:02d}" for n in range(1000, 1300))
    assert exact_figure_check("It was 37.", [many]) == ["37"]  # rounded ratios of 300 figures would cover it
    assert exact_figure_check("Together 2,001.02.", ["1000.00 and 1001.02"]) == []  # an exact sum


def test_fragments_raw_figures_and_invented_dates_are_refused() -> None:
    def said(sentence: str) -> str:
        return check_sentence(sentence, sources=[DATA, SHOWN, "as of 2026-12-05"], shown="",
                              prompts=echo_sources()).reason

    assert said("The trial balance as of October 2026 was:") == "not a complete sentence"
    assert said("Revenue was 17056593.73 USD in the quarter.") == "unformatted figure"
    assert said("The answer is as of 2026-12-06.") == "ungrounded date"
    assert said("Revenue rose by 2.2% in the last quarter.").startswith("ungrounded figure")
