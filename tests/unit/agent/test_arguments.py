"""Argument grounding: invented values are dropped, slots are filled from what the user said."""

from __future__ import annotations

from agent.arguments import ground_arguments
from agent.routing import PERIOD_PHRASE
from tools.catalog import load_all

REGISTRY = load_all()


def test_invented_values_are_replaced_from_the_request() -> None:
    spec = REGISTRY.get("account_activity")
    args = ground_arguments(spec, {"account": "account_a2", "period": "2018-12-20T00:00"},
                            "How much did we spend on rent last month?")
    assert args == {"account": "rent", "period": "last month"}


def test_values_the_user_said_are_kept() -> None:
    spec = REGISTRY.get("account_balance")
    args = ground_arguments(spec, {"account": "Travel", "as_of": "2026-09-30"},
                            "travel balance on 2026-09-30 please")
    assert args == {"account": "Travel", "as_of": "2026-09-30"}


def test_as_of_phrases_and_missing_optional_slots() -> None:
    spec = REGISTRY.get("account_balance")
    args = ground_arguments(spec, {"account": "2022-11-10"}, "balance of the travel account at end of October?")
    assert args == {"account": "travel", "as_of": "end of October"}
    assert ground_arguments(REGISTRY.get("trial_balance"), {"as_of": "2026-09-30"}, "Show me the trial balance") == {}


def test_required_values_stay_for_the_domain_to_judge() -> None:
    spec = REGISTRY.get("account_balance")
    assert ground_arguments(spec, {"account": "zzz"}, "what is the balance?") == {"account": "zzz"}


def test_period_phrases_do_not_swallow_ordinary_words() -> None:
    for text in ("marketing spend", "may I see the junior decisions", "octopus"):
        assert PERIOD_PHRASE.search(text) is None, text
    for text in ("in March", "Q3 2025", "last quarter", "FY2025", "May 2026", "2026-10"):
        assert PERIOD_PHRASE.search(text) is not None, text


def test_a_choice_the_request_does_not_name_is_left_to_the_model() -> None:
    spec = REGISTRY.get("graph_query")
    args = ground_arguments(spec, {"query": "find_employee"}, "What is Carol Jensen's job title?")
    assert args["query"] == "find_employee"


def test_a_choice_the_request_names_wins_and_an_unspoken_optional_one_is_dropped() -> None:
    assert ground_arguments(REGISTRY.get("pipeline"), {"by": "stage"}, "Break my pipeline down by quarter") == \
        {"by": "quarter"}
    update = ground_arguments(REGISTRY.get("propose_opportunity_update"), {"deal": "587", "stage": "negotiation"},
                              "Mark the Stark Assembly Systems expansion deal as closed won")
    assert update == {"deal": "Stark Assembly Systems expansion", "stage": "closed_won"}
    tickets = ground_arguments(REGISTRY.get("ticket_lookup"), {"status": "closed"},
                               "What's the status of ticket TCK-000095?")
    assert tickets == {"ticket": "TCK-000095"}


def test_ids_kpis_departments_and_names_are_read_from_the_request() -> None:
    entry = ground_arguments(REGISTRY.get("journal_entry"), {"entry_id": "1234567890"}, "Show journal entry JE-42")
    assert entry == {"entry_id": "JE-42"}
    assert ground_arguments(REGISTRY.get("kpi"), {"period": "last month"}, "What was our gross margin last month?") \
        == {"kpi": "gross margin", "period": "last month"}
    assert ground_arguments(REGISTRY.get("headcount"), {}, "How many people work in engineering?") == \
        {"department": "engineering"}
    assert ground_arguments(REGISTRY.get("reporting_chain"), {}, "Who does Alice Morgan report to?") == \
        {"person": "Alice Morgan"}
    assert ground_arguments(REGISTRY.get("account_360"), {"customer": "Northwind"},
                            "Everything we know about Umbrella Pharma") == {"customer": "Umbrella Pharma"}


def test_a_ranking_is_of_the_side_of_the_ledger_the_request_names() -> None:
    ranking = REGISTRY.get("ranking")
    assert ground_arguments(ranking, {"what": "customers_by_revenue"}, "Who are our biggest vendors?")["what"] == \
        "vendors_by_spend"
    assert ground_arguments(ranking, {"what": "customers_by_balance"}, "Which suppliers have the largest balances?")[
        "what"] == "vendors_by_balance"
    assert ground_arguments(ranking, {"what": "customers_by_revenue"}, "Who are our top customers?")["what"] == \
        "customers_by_revenue"
    # expenses are ranked by account, whatever the model carried over from a ranking of customers
    assert ground_arguments(ranking, {"what": "customers_by_revenue"}, "What were our biggest expenses?")[
        "what"] == "expense_accounts"
    assert ground_arguments(ranking, {"what": "expense_accounts"}, "Which vendors did we pay the most?")[
        "what"] == "vendors_by_spend"
    # both sides named: the model's reading stands
    assert ground_arguments(ranking, {"what": "customers_by_revenue"}, "Top customers, and vendors after")[
        "what"] == "customers_by_revenue"


def test_counts_and_amounts_are_the_ones_the_user_said() -> None:
    forecast = ground_arguments(REGISTRY.get("forecast"), {"subject": "ROBINCOBINES", "months": 12},
                                "Project our cash for the next 6 months")
    assert forecast == {"subject": "cash", "months": 6}
    search = ground_arguments(REGISTRY.get("search_documents"), {"query": "hotels", "k": 2026},
                              "What does the travel policy say about hotels?")
    # the made-up k is dropped (the tool's default applies); the search reads the question as the user put it
    assert search == {"query": "What does the travel policy say about hotels?"}
    approver = ground_arguments(REGISTRY.get("graph_query"), {"query": "approver_for", "amount": "99"},
                                "Who approves a purchase order of 25,000?")
    assert approver["amount"] == "25000" and approver["document_type"] == "purchase_order"
    update = ground_arguments(REGISTRY.get("propose_opportunity_update"), {"deal": "587"}, "Mark deal 587 as won")
    assert "amount" not in update  # a figure that names the deal is not an amount


def test_leave_dates_come_from_the_range_the_user_gave() -> None:
    spec = REGISTRY.get("propose_leave_request")
    args = ground_arguments(spec, {"start_date": "tomorrow"}, "Book me off from December 21 to January 2")
    assert args == {"start_date": "December 21", "end_date": "January 2"}


def test_account_slot_knows_chart_names_and_codes_but_not_years() -> None:
    from agent.slots import account

    assert account("How much deferred revenue is on the books?") == "deferred revenue"
    assert account("what is in GL 2100?") == "2100"
    assert account("How much did we spend in October 2026?") is None


def test_a_day_is_not_a_period_and_a_refused_value_is_not_filled_again() -> None:
    spec = REGISTRY.get("headcount")
    assert ground_arguments(spec, {}, "How many employees do we have today?") == {}
    account = REGISTRY.get("account_activity")
    refused = ("rent",)  # NexusError.refused_values of an earlier "no account matches 'rent'"
    assert ground_arguments(account, {"account": "6100"}, "rent postings in Q3", refused) == \
        {"account": "6100", "period": "Q3"}
    assert ground_arguments(account, {"account": "zzz"}, "rent postings in Q3", refused)["account"] == "zzz"


def test_the_parts_of_a_date_are_not_figures_the_user_said() -> None:
    args = ground_arguments(REGISTRY.get("search_documents"), {"query": "leave", "k": 2026},
                            "leave policy for 2026-12-07")
    assert "k" not in args


def test_the_one_name_said_goes_to_a_read_tool_with_several_name_slots_the_model_left_empty() -> None:
    graph = REGISTRY.get("graph_query")
    grounded = ground_arguments(graph, {"query": "direct_reports"}, "Who reports to Carol Jensen?")
    assert grounded == {"query": "direct_reports", "person": "Carol Jensen"}
    # the model's own placement stands, and nothing is added without a name in the request
    assert ground_arguments(graph, {"query": "owner_of", "customer": "Northwind"}, "Who owns Northwind?") == \
        {"query": "owner_of", "customer": "Northwind"}
    assert ground_arguments(graph, {"query": "direct_reports"}, "who reports to me?") == {"query": "direct_reports"}


def test_a_span_said_from_to_keeps_both_ends_the_model_wrote_the_first_into_both() -> None:
    leave = REGISTRY.get("propose_leave_request")
    grounded = ground_arguments(leave, {"leave_type": "annual", "start_date": "2027-01-11", "end_date": "2027-01-11"},
                                "I want to take annual leave from 2027-01-11 to 2027-01-13")
    assert (grounded["start_date"], grounded["end_date"]) == ("2027-01-11", "2027-01-13")


def test_a_word_that_names_no_kpi_or_account_gives_way_to_the_one_that_does() -> None:
    forecast = REGISTRY.get("forecast")
    assert ground_arguments(forecast, {"subject": "project", "months": 6},
                            "Project our cash for the next 6 months")["subject"] == "cash"
    # a subject the vocabulary knows stands as the model wrote it
    assert ground_arguments(forecast, {"subject": "travel"}, "Forecast travel and revenue")["subject"] == "travel"

