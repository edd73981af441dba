"""Extractive answers (retrieval.extract): sentence candidates, what a question asks for, and the choice of the quoted
sentence, with a bag-of-words embedder instead of the model (no I/O). The same choice against the real corpus and
MiniLM is tested in tests/integration/retrieval/test_extract_corpus.py."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

import pytest

from retrieval.extract import Wants, cite, extract_answer, figure_bonus, question_figures, ranges, sentences
from retrieval.ports import Hit


class _WordsEmbedder:
    """Normalised hashed bag of words: texts sharing words are similar, as with a sentence model, only cruder."""

    dimension = 256

    def embed_query(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for word in re.findall(r"[a-z]+", text.lower()):
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]


def _hit(text: str, section: str, title: str = "Leave Policy", n: int = 0) -> Hit:
    return Hit(chunk_id=f"acme/doc#{n}", doc_id="acme-doc", title=title, section=section, page=1, text=text,
               score=1.0 / (n + 1))


LEAVE = _hit("Annual leave entitlement\n\nEvery full-time employee is entitled to 20 days of annual leave per "
             "calendar year. Part-time employees receive a\npro-rated entitlement.", "Annual leave entitlement")
ACCRUAL = _hit("Accrual\n\nLeave accrues monthly: each month you earn one twelfth (1/12) of the yearly entitlement, "
               "that is 1.67 days per month\nfor the 20-day entitlement.", "Accrual", n=1)
MATRIX = _hit("Purchase orders\n\n| purchase order total | who approves |\n|---|---|\n"
              "| under 5,000 USD | the requester's manager |\n"
              "| 5,000 USD up to 49,999.99 USD | one Financial Controller (role controller) |\n"
              "| 50,000 USD and above | the Chief Financial Officer (role cfo) |\n\n"
              "Split purchase orders created to stay under a threshold are a policy breach.", "Purchase orders",
              title="Procurement and Approval Matrix")


def test_sentences_drop_the_heading_questions_and_fragments_and_join_wrapped_lines() -> None:
    assert sentences(LEAVE.text, LEAVE.section) == [
        "Every full-time employee is entitled to 20 days of annual leave per calendar year.",
        "Part-time employees receive a pro-rated entitlement."]
    faq = "How fast am I reimbursed?\n\nApproved expense reports are paid with the next payroll run. Quickly."
    assert sentences(faq, "How fast am I reimbursed?") == [
        "Approved expense reports are paid with the next payroll run."]
    pdf = "1. Scope\nThese guidelines apply to every manual journal entry, e.g. accruals. They\nalso cover corrections."
    assert sentences(pdf, "1. Scope") == ["These guidelines apply to every manual journal entry, e.g. accruals.",
                                          "They also cover corrections."]


def test_bullets_and_table_rows_stand_alone() -> None:
    bullets = "Business day 3\n\n- All accruals are posted by business day 3.\n- Post the monthly rent of the lease."
    assert sentences(bullets, "Business day 3") == ["All accruals are posted by business day 3.",
                                                    "Post the monthly rent of the lease."]
    rows = sentences(MATRIX.text, MATRIX.section)
    assert rows[0] == "purchase order total: under 5,000 USD; who approves: the requester's manager."
    assert len(rows) == 4 and rows[-1].startswith("Split purchase orders")


@pytest.mark.parametrize(("question", "expected"), [
    ("How many days of annual leave do I get?", Wants(unit="day")),
    ("How many vacation days do I get per year?", Wants(unit="day", per="year")),
    ("What's the hotel cap a night?", Wants(amount=True, per="night")),
    ("How much annual leave do employees get?", Wants(unit="day")),
    ("When must expenses be submitted?", Wants(when=True)),
    ("What's the per-diem for meals when traveling internationally?", Wants(amount=True)),
    ("Who approves my expense report?", Wants(who=True)),
    ("Am I allowed to fly business class?", Wants(rule=True)),
    ("How long is the probation period?", Wants(unit="time", when=True)),
])
def test_what_a_question_asks_for(question: str, expected: Wants) -> None:
    assert Wants.of(question) == expected


def test_figures_and_ranges() -> None:
    assert question_figures("Who approves a purchase order of 20,000 in 2026, or 5k?") == [20_000.0, 5_000.0]
    under, = ranges("under 5,000 USD")
    assert under.holds(4_999) and not under.holds(5_000)
    between, = ranges("5,000 USD up to 49,999.99 USD")  # not also read as "up to 49,999.99"
    assert between.holds(20_000) and not between.holds(60_000)
    above, = ranges("50,000 USD and above")
    assert above.holds(75_000) and not above.holds(20_000)


def test_figure_bonus_rewards_the_asked_kind_only() -> None:
    days = Wants(unit="day")
    assert figure_bonus(days, "You are entitled to 20 days of annual leave.") > 0
    assert figure_bonus(days, "Leave is approved by your manager.") == 0
    assert figure_bonus(Wants(when=True), "Submit expense reports within 30 days of the end of the trip.") > 0
    assert figure_bonus(Wants(amount=True), "The per-diem allowance for meals is 75 USD per day.") > 0
    assert figure_bonus(Wants(amount=True), "Meals with customers are not part of the per diem.") == 0


def test_the_sentence_with_the_asked_figure_is_quoted_with_its_citation() -> None:
    extract = extract_answer("How many days of annual leave do I get?", [LEAVE, ACCRUAL], _WordsEmbedder())
    assert extract is not None
    assert extract.sentences[0] == "Every full-time employee is entitled to 20 days of annual leave per calendar year."
    assert extract.hit is LEAVE and extract.source == "Leave Policy, § Annual leave entitlement"


def test_the_table_row_whose_range_holds_the_figure_answers() -> None:
    embedder = _WordsEmbedder()
    for amount, who in (("3,000", "requester's manager"), ("20,000", "Financial Controller"),
                        ("75,000", "Chief Financial Officer")):
        extract = extract_answer(f"Who approves a purchase order of {amount} USD?", [MATRIX], embedder)
        assert extract is not None and who in extract.sentences[0], amount


def test_extraction_is_deterministic_and_empty_passages_give_nothing() -> None:
    embedder = _WordsEmbedder()
    first = extract_answer("How is leave accrued each month?", [LEAVE, ACCRUAL], embedder)
    assert first == extract_answer("How is leave accrued each month?", [LEAVE, ACCRUAL], embedder)
    assert extract_answer("anything", [], embedder) is None
    assert extract_answer("anything", [_hit("Heading only", "Heading only")], embedder) is None


def test_citation_leaves_out_a_section_that_repeats_the_title() -> None:
    assert cite(_hit("x", "Leave Policy")) == "Leave Policy"
    assert cite(_hit("x", "Carry-over")) == "Leave Policy, § Carry-over"
