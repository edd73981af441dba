"""Extractive answers over the real demo corpus (Milvus Lite, MiniLM): for questions whose answer sentence is known,
the search's passages and ``retrieval.extract`` quote that sentence from the right document; questions the corpus
cannot answer are marked as not answered."""

from __future__ import annotations

from typing import Any

import pytest

from erp_core.identity import Actor
from retrieval.extract import extract_answer
from retrieval.search import DocumentSearch


def _actor(user: str) -> Actor:
    name, tenant = user.split("@")
    roles = {"eve": "employee", "alice": "accountant,employee", "hana": "hr,employee",
             "frank": "cfo,employee", "sam": "sales_rep,employee", "carol": "controller,employee"}[name]
    return Actor.of(user, tenant, roles)


# (reader, question, document the answer is quoted from, words the quoted sentence holds)
KNOWN_ANSWERS = [
    ("eve@acme", "How many days of annual leave do I get?", "acme-leave-policy", "entitled to 20 days of annual leave"),
    ("eve@acme", "When must expenses be submitted?", "acme-travel-expense-policy",
     "within 30 days of the end of the trip"),
    ("eve@acme", "What's the per-diem for meals when traveling internationally?", "acme-travel-expense-policy",
     "75 USD per full travel day"),
    ("eve@acme", "What is the hotel cap per night?", "acme-travel-expense-policy", "250 USD per night"),
    ("eve@acme", "Above what amount do I need a receipt?", "acme-travel-expense-policy", "above 25 USD"),
    ("eve@acme", "How many unused leave days can I carry over?", "acme-leave-policy", "at most 5 unused days"),
    ("eve@acme", "When do I need a doctor's note for sick leave?", "acme-leave-policy", "after three consecutive"),
    ("eve@acme", "Who approves my expense report?", "acme-expense-reimbursement-faq", "Your manager approves"),
    ("eve@acme", "How many days a week can I work from home?", "acme-remote-work-policy", "up to two days per week"),
    ("eve@acme", "How long must my password be?", "acme-it-security-policy", "at least 14 characters"),
    ("eve@acme", "What is the limit for accepting gifts from a vendor?", "acme-code-of-conduct", "up to 100 USD"),
    ("eve@acme", "How big is my yearly learning budget?", "acme-benefits-overview", "1,500 USD per year"),
    ("eve@acme", "Who approves a purchase order of 20,000 USD?", "acme-procurement-approval-matrix",
     "5,000 USD up to 49,999.99 USD"),
    ("eve@acme", "Which approval does a 75,000 USD purchase order need?", "acme-procurement-approval-matrix",
     "Chief Financial Officer"),
    ("alice@acme", "When are the books closed each month?", "acme-month-end-close-checklist", "business day 5"),
    ("alice@acme", "How much is the monthly rent for the headquarters?", "acme-hq-lease-summary", "42,000.00 USD"),
    ("alice@acme", "What payment terms do customers get?", "acme-payment-terms-and-aging", "net 30"),
    ("hana@acme", "What is the salary band for a senior level L3?", "acme-hr-compensation-bands", "128,000"),
    ("eve@globex", "How long is the probation period?", "globex-onboarding-guide", "six months"),
]
UNANSWERABLE = ["What is the weather in Paris?", "What is the capital of Australia?", "Tell me a joke",
                "How do I bake sourdough bread?"]


@pytest.fixture(scope="module")
def search(demo_index: Any, embedder: Any) -> DocumentSearch:
    return DocumentSearch(demo_index, embedder)


@pytest.mark.parametrize(("user", "question", "doc_id", "words"), KNOWN_ANSWERS,
                         ids=[q for _, q, _, _ in KNOWN_ANSWERS])
def test_the_known_answer_sentence_is_quoted(search: DocumentSearch, user: str, question: str, doc_id: str,
                                             words: str) -> None:
    hits = search.search(_actor(user), question, k=4)
    extract = extract_answer(question, hits, search.embedder)
    assert extract is not None and extract.confident
    assert extract.hit.doc_id == doc_id, extract
    assert words in extract.text, extract.text
    if "|" not in extract.hit.text:  # prose is quoted verbatim (a table row is read out as "column: cell")
        assert all(sentence in " ".join(extract.hit.text.split()) for sentence in extract.sentences)
    assert extract == extract_answer(question, hits, search.embedder)  # deterministic


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_a_question_the_corpus_cannot_answer_is_not_passed_off_as_answered(search: DocumentSearch,
                                                                           question: str) -> None:
    extract = extract_answer(question, search.search(_actor("eve@acme"), question, k=4), search.embedder)
    assert extract is None or not extract.confident


# (reader, the follow-up as said less its opener, the question it continues, document, words the quote holds)
FOLLOW_UPS = [
    ("alice@acme", "the accruals", "By which business day do the books have to be closed?",
     "acme-month-end-close-checklist", "business day 3"),
    ("alice@acme", "what do we get from vendors", "What payment terms do we give customers?",
     "acme-vendor-onboarding", "net 45"),
    ("eve@acme", "the meal allowance", "What's the hotel cap per night?", "acme-travel-expense-policy", "75 USD"),
    ("eve@acme", "and how many do I get per year?", "How many vacation days do I have left?", "acme-leave-policy",
     "20 days of annual leave per calendar year"),
]


@pytest.mark.parametrize(("user", "said", "context", "doc_id", "words"), FOLLOW_UPS, ids=[f[1] for f in FOLLOW_UPS])
def test_a_continued_question_is_answered_about_what_it_adds(search: DocumentSearch, user: str, said: str,
                                                            context: str, doc_id: str, words: str) -> None:
    """The search runs on both questions (as tools/knowledge.py does); the quote answers the follow-up's words."""
    hits = search.search(_actor(user), f"{said} {context}", k=4)
    extract = extract_answer(said, hits, search.embedder, context=context)
    assert extract is not None and extract.confident
    assert (extract.hit.doc_id, words in extract.text) == (doc_id, True), extract


def test_another_amount_in_the_same_question_finds_its_own_row(search: DocumentSearch) -> None:
    question = "Who has to approve a purchase order of 80,000 dollars?"
    extract = extract_answer(question, search.search(_actor("carol@acme"), question, k=4), search.embedder)
    assert extract is not None and extract.hit.doc_id == "acme-procurement-approval-matrix", extract
    assert "Chief Financial Officer" in extract.text, extract.text
