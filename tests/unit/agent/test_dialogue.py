"""Follow-ups read as edits of the thread's last resolved query (agent/dialogue.py, agent/last_query.py): pure
functions, no I/O."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from agent.dialogue import Call, Clarify, carry_over, carry_period, read_followup, with_context, with_referent
from agent.last_query import remember, tool_choices, tool_slots
from tools.catalog import load_all

TODAY = dt.date(2026, 11, 16)
TOOLS = tool_slots(load_all().all())
CHOICES = tool_choices(load_all().all())


def last(tool: str, **query: Any) -> dict[str, Any]:
    return remember(tool, TOOLS[tool], query, TODAY)


def read(request: str, previous: dict[str, Any] | None) -> Call | Clarify | None:
    return read_followup(request, previous, TODAY, TOOLS, CHOICES)


# ------------------------------------------------------------------------------------------- remembering


def test_periods_are_stored_resolved_whatever_form_the_tool_reported() -> None:
    said = last("income_statement", period="last quarter")
    assert said == {"tool": "income_statement",
                    "args": {"period": {"start": "2026-07-01", "end": "2026-09-30", "label": "Q3 2026"}}}
    # the flat form a tool may report: its label with first and last day (and the day reported up to)
    flat = last("income_statement", period="Q3 2026", start="2026-07-01", end="2026-09-30", as_of="2026-09-30")
    assert flat == said
    as_of = last("account_balance", account="rent", as_of="end of October")
    assert as_of["args"] == {"account": "rent", "as_of": "2026-10-31"}


def test_an_account_reported_by_code_is_kept_by_name() -> None:
    stored = remember("account_balance", TOOLS["account_balance"], {"account": "1010", "as_of": "2026-11-16"}, TODAY,
                      {"account_code": "1010", "account_name": "Cash - Operating"})
    assert stored["args"]["account"] == "Cash - Operating"


def test_arguments_that_are_no_slot_are_kept() -> None:
    stored = last("anomaly_review", period="Q3", min_score=0.9)
    assert stored["args"]["min_score"] == 0.9
    assert read("and the quarter before?", stored) == Call("anomaly_review", {"period": "Q2 2026", "min_score": 0.9},
                                                           ("period",))


# ------------------------------------------------------------------------------------------- periods


@pytest.mark.parametrize(("request_text", "period"), [
    ("And the quarter before?", "Q2 2026"),
    ("the previous quarter?", "Q2 2026"),
    ("and the quarter after?", "Q4 2026"),
    ("and last year?", "FY2025"),
    ("What about September?", "September 2026"),
    ("same quarter last year", "Q3 2025"),
    ("and a year earlier?", "Q3 2025"),
    ("and the month before?", "June 2026"),
    ("and Q1?", "Q1 2026"),
    ("And in FY2025?", "FY2025"),
])
def test_period_shifts_and_replacements_of_a_quarter(request_text: str, period: str) -> None:
    reading = read(request_text, last("income_statement", period="last quarter"))
    assert reading == Call("income_statement", {"period": period}, ("period",))


@pytest.mark.parametrize(("request_text", "period"), [
    ("and the month after?", "November 2026"),
    ("the month before?", "September 2026"),
    ("same month last year", "October 2025"),
    ("and the quarter before?", "Q3 2026"),
    ("what about the previous period?", "September 2026"),
])
def test_period_shifts_of_a_month_keep_the_account(request_text: str, period: str) -> None:
    reading = read(request_text, last("account_activity", account="Travel Expense", period="October"))
    assert reading == Call("account_activity", {"account": "Travel Expense", "period": period}, ("period",))


def test_a_year_to_date_shifts_as_a_range() -> None:
    reading = read("same period last year?", last("income_statement", period="YTD"))
    assert isinstance(reading, Call) and reading.args == {"period": "2025-01-01 to 2025-11-16"}


def test_a_period_edit_of_an_as_of_tool_moves_its_date() -> None:
    previous = last("account_balance", account="Travel Expense", as_of="2026-10-31")
    assert read("what about September?", previous) == \
        Call("account_balance", {"account": "Travel Expense", "as_of": "2026-09-30"}, ("period",))
    assert read("and the month before?", previous) == \
        Call("account_balance", {"account": "Travel Expense", "as_of": "2026-09-30"}, ("period",))
    sheet = read("and at the end of last year?", last("balance_sheet", as_of="2026-11-16"))
    assert sheet == Call("balance_sheet", {"as_of": "2025-12-31"}, ("period",))
    assert read("and a month earlier?", last("trial_balance", as_of="2026-10-31")) == \
        Call("trial_balance", {"as_of": "2026-09-30"}, ("period",))


# ------------------------------------------------------------------------------------------- slots


def test_the_payroll_one_after_the_operating_cash_balance() -> None:
    previous = last("account_balance", account="Cash - Operating", as_of="2026-11-16")
    assert read("And the payroll one?", previous) == \
        Call("account_balance", {"account": "Cash - Payroll", "as_of": "2026-11-16"}, ("account",))


def test_an_account_replaced_keeps_the_period() -> None:
    previous = last("account_activity", account="Marketing and Advertising", period="October")
    assert read("And travel in the same month?", previous) == \
        Call("account_activity", {"account": "travel", "period": "October 2026"}, ("account",))
    assert read("and travel?", previous) == \
        Call("account_activity", {"account": "travel", "period": "October 2026"}, ("account",))
    both = read("what about rent in September?", previous)
    assert both == Call("account_activity", {"account": "rent", "period": "September 2026"}, ("period", "account"))


def test_a_forecast_of_another_subject_keeps_the_period() -> None:
    previous = last("forecast", subject="account:6300", months=5, period="next quarter")
    call = read("and for travel?", previous)
    assert isinstance(call, Call) and call.tool == "forecast"
    assert call.args["subject"] == "travel" and call.args["period"] == "Q1 2027"
    revenue = read("and revenue?", previous)
    assert isinstance(revenue, Call) and revenue.args["subject"] == "revenue"
    # short, but a question of its own: today's headcount, not a forecast of it
    assert read("What is our headcount?", previous) is None


def test_a_department_word_replaces_the_department_where_the_tool_has_no_account() -> None:
    previous = last("budget_vs_actual", period="Q3", department="ENG")
    assert read("what about marketing?", previous) == \
        Call("budget_vs_actual", {"period": "Q3 2026", "department": "marketing"}, ("department",))
    # the same word after an account question is the marketing account
    spend = read("what about marketing?", last("account_activity", account="travel", period="October"))
    assert spend == Call("account_activity", {"account": "marketing", "period": "October 2026"}, ("account",))


def test_a_customer_or_vendor_named_instead() -> None:
    previous = last("open_invoices", as_of="2026-11-16")
    assert read("for Contoso instead", previous) == \
        Call("open_invoices", {"name": "Contoso", "as_of": "2026-11-16"}, ("party",))
    assert read("And Globex?", last("deals_at_risk", customer="Initech")) == \
        Call("deals_at_risk", {"customer": "Globex"}, ("party",))


def test_a_kpi_replaced_keeps_its_period() -> None:
    previous = last("kpi", kpi="gross margin", period="last month")
    assert read("and EBITDA?", previous) == Call("kpi", {"kpi": "EBITDA", "period": "October 2026"}, ("kpi",))


# ------------------------------------------------------------------------------------------- groupings and drills


@pytest.mark.parametrize(("request_text", "by"), [
    ("Break that down by month", "month"), ("split it by department", "department"), ("and by account?", "account"),
    ("show that month by month", "month"), ("break it down per department please", "department"),
])
def test_a_breakdown_of_the_last_result(request_text: str, by: str) -> None:
    reading = read(request_text, last("income_statement", period="Q3"))
    assert reading == Call("breakdown", {"period": "Q3 2026", "by": by}, ("grouping",))


def test_a_breakdown_of_one_account_keeps_the_account_and_drops_the_department_it_splits() -> None:
    previous = last("account_activity", account="Travel Expense", period="October")
    assert read("break that down by department", previous) == \
        Call("breakdown", {"period": "October 2026", "account": "Travel Expense", "by": "department"}, ("grouping",))
    budget = read("by department?", last("budget_vs_actual", period="Q3", department="ENG"))
    assert budget == Call("breakdown", {"period": "Q3 2026", "by": "department"}, ("grouping",))


def test_a_breakdown_without_a_grouping_is_asked_back() -> None:
    assert read("Break that down", last("income_statement", period="Q3")) == \
        Clarify("By month, by department or by account?")


def test_entries_of_an_account_and_of_a_statement() -> None:
    previous = last("account_activity", account="Travel Expense", period="October")
    assert read("show me the entries", previous) == \
        Call("account_activity", {"account": "Travel Expense", "period": "October 2026"}, ("drill_down",))
    asked = read("show me the entries", last("income_statement", period="Q3"))
    assert isinstance(asked, Clarify) and "account" in asked.question


def test_which_one_was_the_largest() -> None:
    statement = read("which one was the largest?", last("income_statement", period="Q3"))
    assert statement == Call("ranking", {"period": "Q3 2026", "what": "expense_accounts"}, ("ranking",))
    account = read("Which was the biggest?", last("account_activity", account="Travel Expense", period="October"))
    assert account == Call("ranking", {"period": "October 2026", "account": "Travel Expense", "what": "entries"},
                           ("ranking",))
    receivables = read("which one is the largest?", last("open_invoices", as_of="2026-11-16"))
    assert isinstance(receivables, Call) and receivables.args["what"] == "customers_by_balance"


# ------------------------------------------------------------------------------------------- comparisons


def test_compare_with_budget() -> None:
    assert read("compare with budget", last("income_statement", period="Q3")) == \
        Call("budget_vs_actual", {"period": "Q3 2026"}, ("comparison",))
    dept = read("and against plan?", last("kpi", kpi="opex", period="Q3", department="ENG"))
    assert dept == Call("budget_vs_actual", {"period": "Q3 2026", "department": "ENG"}, ("comparison",))


def test_versus_last_year_or_the_previous_period() -> None:
    reading = read("versus last year", last("income_statement", period="Q3"))
    assert isinstance(reading, Call) and reading.tool == "period_comparison"
    assert reading.args == {"period": "Q3 2026", "against": "previous_year"}
    quarter = read("compared to the previous quarter?", last("account_activity", account="Travel Expense",
                                                              period="Q3"))
    assert isinstance(quarter, Call)
    assert quarter.args == {"period": "Q3 2026", "account": "Travel Expense", "against": "previous_period"}


# ------------------------------------------------------------------------------------------- not follow-ups


@pytest.mark.parametrize("request_text", [
    "What was our revenue last quarter?",
    "Show me the trial balance",
    "How much did we spend on travel in September?",
    "Which customers owe us the most?",
    "Compare net income this quarter with last quarter",
    "Thanks!",
    "hello",
    "What's the balance sheet at the end of September?",
    "and the pipeline?",
    "What about my leave balance?",
    "Who does Alice Morgan report to?",
    "And what does the travel policy say about hotels?",
])
def test_a_new_complete_question_is_not_a_follow_up(request_text: str) -> None:
    assert read(request_text, last("income_statement", period="Q3")) is None


def test_nothing_to_edit_without_a_last_query_or_a_tool_the_actor_may_not_use() -> None:
    assert read("And the quarter before?", None) is None
    assert read("And the quarter before?", {}) is None
    previous = last("income_statement", period="Q3")
    only_hr = {name: kinds for name, kinds in TOOLS.items() if name in ("leave_balance", "employee_lookup")}
    assert read_followup("And the quarter before?", previous, TODAY, only_hr) is None


def test_a_period_is_no_edit_of_a_tool_without_dates() -> None:
    search = last("search_documents", query="travel policy hotels")
    assert read("And in Q3?", search) is None
    assert read("what about last year?", last("deals_at_risk")) is None


def test_a_follow_up_to_a_tool_without_the_target_shape_is_left_to_routing() -> None:
    assert read("break that down by month", last("pipeline", by="stage")) is None
    assert read("versus last year", last("kpi", kpi="revenue", period="Q3")) is None


def test_every_tool_declares_slot_kinds_the_agent_knows() -> None:
    from erp_core.resolve.slots import SLOT_KINDS

    for name, kinds in TOOLS.items():
        assert set(kinds.values()) <= SLOT_KINDS, name
    assert TOOLS["account_activity"] == {"account": "account", "period": "period"}
    assert TOOLS["open_invoices"] == {"name": "party", "as_of": "as_of"}


def test_reported_keys_that_are_no_argument_are_not_carried() -> None:
    fields = load_all().get("open_invoices").json_schema()["properties"]
    stored = remember("open_invoices", TOOLS["open_invoices"], {"as_of": "2026-10-31", "buckets": 5}, TODAY,
                      fields=fields)
    assert stored["args"] == {"as_of": "2026-10-31"}


def test_the_model_fills_only_what_the_turn_changes() -> None:
    previous = last("account_balance", account="Cash - Operating", as_of="2026-10-31")
    kinds = TOOLS["account_balance"]
    # the patterns cannot read "the other bank account"; the model named it, the date carries over
    assert carry_over("account_balance", {"account": "Cash - Payroll"}, "and the other bank account?", previous,
                      kinds, TODAY) == {"account": "Cash - Payroll", "as_of": "2026-10-31"}
    statement = last("income_statement", period="Q3")
    assert carry_over("income_statement", {}, "and then?", statement, TOOLS["income_statement"], TODAY) == \
        {"period": "Q3 2026"}
    # a different tool, or a question said in full, starts afresh
    assert carry_over("kpi", {"kpi": "revenue"}, "and then?", statement, TOOLS["kpi"], TODAY) == {"kpi": "revenue"}
    assert carry_over("income_statement", {}, "What was our net income in the year so far?", statement,
                      TOOLS["income_statement"], TODAY) == {}


def test_a_period_the_conversation_named_carries_to_the_next_question() -> None:
    said = remember("kpi", TOOLS["kpi"], {"kpi": "revenue", "period": "Q3"}, TODAY, period_said=True)
    ranking = TOOLS["ranking"]
    # "What was revenue last quarter?" then "Which customers contributed most?": the customers of Q3
    assert carry_period("ranking", {"what": "customers"}, "Which customers contributed most?", said, ranking,
                        TODAY) == {"what": "customers", "period": "Q3 2026"}
    # a period said now, or the present asked about, wins
    assert carry_period("ranking", {"what": "customers", "period": "this year"}, "and this year?", said, ranking,
                        TODAY) == {"what": "customers", "period": "this year"}
    assert carry_period("ranking", {"what": "customers"}, "Which customers owe us the most right now?", said,
                        ranking, TODAY) == {"what": "customers"}
    # a period the tool defaulted to is no period of the conversation
    defaulted = remember("kpi", TOOLS["kpi"], {"kpi": "revenue", "period": "Q3"}, TODAY)
    assert carry_period("ranking", {"what": "customers"}, "Which customers contributed most?", defaulted, ranking,
                        TODAY) == {"what": "customers"}
    # a forecast looks ahead, and a period that has not started is no period of actuals
    assert carry_period("forecast", {"subject": "travel"}, "What's the travel forecast?", said, TOOLS["forecast"],
                        TODAY) == {"subject": "travel"}
    ahead = remember("forecast", TOOLS["forecast"], {"subject": "travel", "period": "next quarter"}, TODAY,
                     period_said=True)
    assert carry_period("ranking", {"what": "customers"}, "Which customers contributed most?", ahead, ranking,
                        TODAY) == {"what": "customers"}


def test_one_account_against_its_budget() -> None:
    previous = last("account_activity", account="Travel Expense", period="Q3")
    assert read("Compare with budget", previous) == \
        Call("period_comparison", {"period": "Q3 2026", "account": "Travel Expense", "against": "budget"},
             ("comparison",))
    then = remember("period_comparison", TOOLS["period_comparison"],
                    {"period": "Q3", "account": "Travel Expense", "against": "budget"}, TODAY)
    assert read("What about meals and entertainment?", then) == \
        Call("period_comparison", {"against": "budget", "period": "Q3 2026", "account": "meals and entertainment"},
             ("account",))


def test_a_bare_department_name_in_a_follow_up_about_departments() -> None:
    budget = last("budget_vs_actual", period="Q3", department="ENG")
    assert read("What about sales?", budget) == \
        Call("budget_vs_actual", {"period": "Q3 2026", "department": "sales"}, ("department",))
    heads = last("headcount", department="engineering")
    assert read("And in sales?", heads) == Call("headcount", {"department": "sales"}, ("department",))
    assert read("How many of them are in finance?", last("headcount")) == \
        Call("headcount", {"department": "finance"}, ("department",))
    # "sales" after a revenue KPI is the KPI's own word, not a department
    assert read("and sales?", last("kpi", kpi="gross margin", period="Q3")) == \
        Call("kpi", {"kpi": "sales", "period": "Q3 2026"}, ("kpi",))


def test_another_option_of_a_choice() -> None:
    leave = last("leave_balance", person="me", leave_type="annual")
    assert read("And sick days?", leave) == Call("leave_balance", {"person": "me", "leave_type": "sick"}, ("choice",))
    assert read("and unpaid?", leave) == Call("leave_balance", {"person": "me", "leave_type": "unpaid"}, ("choice",))


def test_the_second_largest() -> None:
    ranked = last("ranking", what="vendors_by_balance", period="this year", limit=1)
    reading = read("And the second largest?", ranked)
    assert isinstance(reading, Call) and reading.tool == "ranking"
    assert reading.args["what"] == "vendors_by_balance" and reading.args["limit"] == 2
    bills = read("and the third biggest?", last("open_bills", as_of="2026-11-16"))
    assert isinstance(bills, Call) and bills.args["what"] == "vendors_by_balance" and bills.args["limit"] == 5


def test_revenue_by_month_after_the_revenue_kpi() -> None:
    assert read("Break that down by month", last("kpi", kpi="revenue", period="Q3")) == \
        Call("breakdown", {"period": "Q3 2026", "by": "month"}, ("grouping",))
    assert read("Break that down by month", last("kpi", kpi="DSO", period="Q3")) is None


def test_the_other_side_of_the_ledger() -> None:
    bills = last("open_bills", as_of="2026-11-16")
    assert read("What about receivables?", bills) == Call("open_invoices", {"as_of": "2026-11-16"}, ("side",))
    assert read("and the customers?", bills) == Call("open_invoices", {"as_of": "2026-11-16"}, ("side",))
    invoices = last("open_invoices", as_of="2026-11-16")
    assert read("And what do we owe our vendors?", invoices) == Call("open_bills", {"as_of": "2026-11-16"}, ("side",))


def test_which_party_has_the_largest_open_balance() -> None:
    invoices = last("open_invoices", as_of="2026-11-16")
    reading = read("Which customer has the largest open balance?", invoices)
    assert isinstance(reading, Call) and (reading.tool, reading.args["what"]) == ("ranking", "customers_by_balance")
    vendors = read("and which vendor do we owe the most?", invoices)
    assert isinstance(vendors, Call) and vendors.args["what"] == "vendors_by_balance"


def test_a_question_about_the_result_just_shown_runs_the_same_query() -> None:
    bills = last("open_bills", as_of="2026-11-16")
    assert read("How much of it is over 90 days?", bills) == Call("open_bills", {"as_of": "2026-11-16"}, ("same",))
    pipeline = last("pipeline", by="stage")
    assert read("How much is that weighted by probability?", pipeline) == Call("pipeline", {"by": "stage"}, ("same",))
    assert read("Thanks for that", bills) is None


def test_a_search_continued_with_new_words() -> None:
    search = last("search_documents", query="What's the hotel limit per night on business trips?", k=4)
    assert read("And the meal allowance?", search) == \
        Call("search_documents", {"k": 4, "query": "the meal allowance",
                                  "context": "What's the hotel limit per night on business trips?"}, ("text",))
    assert read("and?", search) is None
    # a continuation of a continuation keeps the question that framed it
    meals = last("search_documents", query="the meal allowance",
                 context="What's the hotel limit per night on business trips?")
    assert read("What about taxis?", meals) == \
        Call("search_documents", {"query": "taxis", "context": "What's the hotel limit per night on business trips?"},
             ("text",))


def test_a_search_continued_with_another_amount_is_the_same_question_of_it() -> None:
    rule = last("search_documents", query="Does a 50,000 dollar journal entry need approval, and from whom?")
    assert read("And a 150,000 one?", rule) == \
        Call("search_documents", {"query": "Does a 150,000 dollar journal entry need approval, and from whom?"},
             ("text",))


def test_a_ledger_question_after_a_search_is_a_new_question() -> None:
    search = last("search_documents", query="When must expenses be submitted?")
    assert read("And what's our cash balance?", search) is None


def test_a_pronoun_for_the_party_just_discussed_is_its_name() -> None:
    tools = {"pipeline": {"customer": "party"}, "employee_lookup": {"person": "person"}}
    deals = {"tool": "pipeline", "args": {"customer": "Deutsche Bahnlogistik AG"}}
    assert with_referent("And how much have we won with them so far?", deals, tools) == \
        "And how much have we won with Deutsche Bahnlogistik AG so far?"
    assert with_referent("What is their open balance?", deals, tools) == \
        "What is Deutsche Bahnlogistik AG's open balance?"
    assert with_referent("Which of them is the largest?", deals, tools) is None
    assert with_referent("And how much have we won with them?", {"tool": "pipeline", "args": {}}, tools) is None
    person = {"tool": "employee_lookup", "args": {"person": "Lena Fischer"}}
    assert with_referent("How many leave days does she have left?", person, tools) == \
        "How many leave days does Lena Fischer have left?"


def test_another_amount() -> None:
    approvers = last("graph_query", query="approvers_for", document_type="purchase_order", amount="20000")
    assert read("And one of 80,000?", approvers) == \
        Call("graph_query", {"amount": "80000", "query": "approvers_for", "document_type": "purchase_order"},
             ("amount",))


def test_which_month_was_the_best_picks_the_one_row_of_the_same_split() -> None:
    split = last("breakdown", by="month", period="2026-01-01 to 2026-06-30")
    assert read("Which month was the best?", split) == \
        Call("breakdown", {"by": "month", "period": "2026-01-01 to 2026-06-30", "pick": "highest"}, ("pick",))
    assert read("which month was the lowest?", split) == \
        Call("breakdown", {"by": "month", "period": "2026-01-01 to 2026-06-30", "pick": "lowest"}, ("pick",))
    # the same question of another split
    assert read("Which department spent the most?", split) == \
        Call("breakdown", {"by": "department", "period": "2026-01-01 to 2026-06-30", "pick": "highest"}, ("pick",))
    # the row picked stays picked for a new period: "and in Q3?"
    picked = last("breakdown", by="month", period="Q2", pick="highest")
    again = read("and in Q3?", picked)
    assert isinstance(again, Call) and again.args["pick"] == "highest" and again.args["period"] == "Q3 2026"


def test_a_continuation_routed_to_a_search_carries_the_previous_question() -> None:
    kinds = {"query": "question", "context": "context"}
    said = with_context({"query": "And how many do I get per year?"}, "And how many do I get per year?",
                        "How many vacation days do I have left?", kinds)
    assert said == {"query": "And how many do I get per year?", "context": "How many vacation days do I have left?"}
    assert with_context({"query": "How many days do I get?"}, "How many days do I get?", "Hi", kinds) == \
        {"query": "How many days do I get?"}  # a question of its own
    assert with_context({"person": "me"}, "And Carol?", "Who is my manager?", {"person": "person"}) == \
        {"person": "me"}  # a tool without a context slot


def test_a_pronoun_is_not_the_asker() -> None:
    mine = {"tool": "leave_balance", "args": {"person": "me"}}
    assert with_referent("What is her leave balance?", mine, {"leave_balance": {"person": "person"}}) is None


def test_the_it_department_is_no_pronoun() -> None:
    ticket = last("ticket_lookup", ticket="TCK-000012")
    assert read("What's open for the IT team?", ticket) is None
