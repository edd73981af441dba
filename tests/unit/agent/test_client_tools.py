"""Client tools: schema checks, ranking, the call grammar, grounding, and the decision with its one retry."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence

import pytest
from langchain_core.messages import HumanMessage, ToolMessage

from agent.backends.scripted import ScriptedChat
from agent.client_tools.calling import ClientToolCaller, RoutingPolicy, wants_several
from agent.client_tools.catalog import ClientTool, ClientToolRanker, tool_issues
from agent.client_tools.grammar import NO_TOOL, call_schema, parse_calls
from agent.client_tools.grounding import StatedFigures, ground_arguments, schema_errors, stated_text, unstated_required
from agent.client_tools.schemas import decoding_copy, expressible_issues, gbnf_problems


class WordsEmbedder:
    """Hashed bag of words, normalised: texts sharing words are similar. Counts the texts it embeds."""

    dimension = 256

    def __init__(self) -> None:
        self.embedded = 0

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dimension
        for word in re.findall(r"[a-z]+", text.lower()):
            vec[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


WEATHER = ClientTool("get_weather", "Current weather for a city", {
    "type": "object", "properties": {"city": {"type": "string", "description": "the city"},
                                     "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
    "required": ["city"]})
AREA = ClientTool("triangle_area", "Area of a triangle from its base and height", {
    "type": "object", "properties": {"base": {"type": "integer"}, "height": {"type": "integer"},
                                     "unit": {"type": "string"}}, "required": ["base", "height"]})
STOCK = ClientTool("stock_price", "Latest stock price of a company ticker", {
    "type": "object", "properties": {"ticker": {"type": "string"}}, "required": ["ticker"]})


@pytest.mark.parametrize("schema", [
    {"type": "foo"}, {"$ref": "#"}, {"$ref": "#/definitions/nope"}, {"type": "string", "pattern": "(["},
    {"type": "object", "properties": {"a": {"$ref": "#/properties/a"}}},  # a rule that starts with itself
    {"type": "string", "pattern": r"^\d+$"},  # \d is no escape llama.cpp's grammar parser knows
    {"enum": []}, {"type": "object", "required": "city"}, {"anyOf": []}, {"not": {"type": "string"}},
    {"type": "string", "minLength": 5, "maxLength": 2},
])
def test_schemas_the_grammar_cannot_express_are_issues(schema: dict) -> None:
    issues = expressible_issues(schema, "response_format.json_schema.schema")
    assert issues and all(i.code == "unsupported_schema" for i in issues)
    assert issues[0].field is not None and issues[0].field.startswith("response_format")


@pytest.mark.parametrize("schema", [
    {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
    {"type": "string", "pattern": "^[0-9]{3}-[a-z]+$"},
    {"type": "object", "properties": {"n": {"$ref": "#/$defs/node"}},
     "$defs": {"node": {"type": "object",
                        "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}},
    {"type": "object", "properties": {"text": {"type": "string", "maxLength": 100000, "format": "email"}}},
])
def test_schemas_the_grammar_expresses_pass(schema: dict) -> None:
    assert expressible_issues(schema, "x") == []


def test_decoding_copy_drops_annotations_and_unnestable_bounds_but_keeps_property_names() -> None:
    schema = {"type": "object", "description": "d", "properties": {"description": {"type": "string",
                                                                                   "maxLength": 5000}}}
    assert decoding_copy(schema) == {"type": "object", "properties": {"description": {"type": "string"}}}


def test_gbnf_check_reads_escapes_in_pairs() -> None:
    assert gbnf_problems('root ::= "\\"" char* "\\""\nchar ::= [^"\\\\] | "\\\\" (["\\\\/bfnrt])') == []
    assert gbnf_problems("root ::= missing") and gbnf_problems('root ::= root "x" | "y"')


def test_tool_parameters_with_refs_are_inlined_and_recursion_refused() -> None:
    tool = ClientTool("f", "", {"type": "object", "properties": {"p": {"$ref": "#/definitions/P"}},
                                "definitions": {"P": {"type": "string", "description": "x"}}})
    assert tool.arguments_schema()["properties"]["p"] == {"type": "string", "maxLength": 96}
    looped = ClientTool("g", "", {"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}},
                                  "$defs": {"N": {"type": "object", "properties": {"n": {"$ref": "#/$defs/N"}}}}})
    assert tool_issues(looped, "tools[0]")[0].code == "unsupported_schema"
    assert tool_issues(ClientTool("h", "", {"type": "array"}), "tools[0]")[0].code == "invalid_parameters"


def test_ranking_prefers_the_matching_tool_and_caches_by_tools_hash() -> None:
    embedder = WordsEmbedder()
    ranker = ClientToolRanker(embedder)
    ranked = ranker.rank([WEATHER, AREA, STOCK], "What is the weather in Paris?")
    assert ranked[0].tool.name == "get_weather" and ranked[0].score > ranked[1].score
    first = embedder.embedded
    ranker.rank([WEATHER, AREA, STOCK], "Area of a triangle with base 3 and height 4")
    assert embedder.embedded == first  # same tools, no re-embedding
    ranker.rank([WEATHER, AREA], "weather")
    assert embedder.embedded > first


def test_call_schema_offers_exactly_the_tools_and_no_tool_when_allowed() -> None:
    schema = call_schema([WEATHER, AREA], allow_reply=True)
    names = [o["properties"]["tool"]["const"] for o in schema["anyOf"]]
    assert names == ["get_weather", "triangle_area", NO_TOOL]
    assert schema["anyOf"][1]["properties"]["tool_args"]["required"] == ["base", "height"]
    assert call_schema([AREA], allow_reply=False)["properties"]["tool"] == {"const": "triangle_area"}
    several = call_schema([WEATHER], allow_reply=False, calls=3)
    assert several["type"] == "array" and several["maxItems"] == 3 and several["minItems"] == 2
    assert expressible_issues(schema, "x") == []


def test_parse_calls_reads_calls_no_tool_and_refuses_cut_off_replies() -> None:
    assert parse_calls('{"tool": "get_weather", "tool_args": {"city": "Paris"}}', [WEATHER])[0].arguments == {
        "city": "Paris"}
    assert parse_calls(json.dumps({"tool": NO_TOOL}), [WEATHER]) is None
    one = {"tool": "get_weather", "tool_args": {"city": "Oslo"}}
    repeated = json.dumps([one, one])
    assert len(parse_calls(repeated, [WEATHER]) or []) == 1
    with pytest.raises(ValueError):
        parse_calls('{"tool": "get_weather", "tool_args": {"city": "Par', [WEATHER])
    with pytest.raises(ValueError):
        parse_calls('{"tool": "stock_price", "tool_args": {}}', [WEATHER])


def test_grounding_takes_stated_figures_and_drops_unstated_optionals() -> None:
    request = "Find the area of a triangle with a base of 10 units and height of 5 units."
    assert ground_arguments(AREA, {"base": 10, "height": 7, "unit": "cm"}, request) == {"base": 10, "height": 5}
    assert ground_arguments(AREA, {"base": 5, "height": 10}, request) == {"base": 5, "height": 10}
    assert ground_arguments(WEATHER, {"city": "London", "unit": "celsius"}, 'Weather in "Paris" please') == {
        "city": "Paris"}
    assert ground_arguments(WEATHER, {"city": "Paris"}, "Weather in Paris in fahrenheit?") == {
        "city": "Paris", "unit": "fahrenheit"}


def test_grounding_replaces_a_copied_description_with_a_value_the_request_states() -> None:
    shop = ClientTool("find_shop", "Find a music shop", {
        "type": "object", "properties": {"location": {"type": "string", "description": "The city, e.g. Nashville"},
                                         "detailed": {"type": "boolean"}}, "required": ["location"]})
    request = "Find a guitar shop in Nashville, with details."
    assert ground_arguments(shop, {"location": "The city, e.g. Nashville"}, request) == {
        "location": "Nashville", "detailed": True}
    assert ground_arguments(shop, {"location": "Nashville"}, "A shop in Nashville without details") == {
        "location": "Nashville", "detailed": False}
    docket = ClientTool("case", "", {"type": "object", "properties": {
        "docket": {"type": "string"}, "court": {"type": "string"}}, "required": ["docket", "court"]})
    assert ground_arguments(docket, {"docket": "2022/AL2562", "court": "AL25622"},
                            "Who was the victim in the case docket numbered 2022/AL2562 in California?") == {
        "docket": "2022/AL2562", "court": "California"}


def test_figures_are_read_as_people_write_them() -> None:
    def backs(request: str, *values: float) -> bool:
        figures = StatedFigures(request)
        return all(figures.back(v) for v in values)

    assert backs("points A(3,4) and B(1,2)", 3, 4, 1, 2)  # a comma before one digit is not a thousands separator
    assert backs("a budget of 1,250.50 USD", 1250.5)
    assert backs("revenues of $1.2M at 5%", 1_200_000, 0.05) and backs("5% rate", 5)
    assert backs("charges of 1e-9 and two dice for the next week", 1e-9, 2, 7)
    assert backs("cash flows of -$100 and $40", -100, 40)
    assert not backs("50 successful outcomes out of 500 trials", 50, 50)  # one figure backs one value
    assert not backs("the roots of bx + c = 0", 1)


def test_free_text_is_stated_in_its_usual_forms() -> None:
    assert stated_text("2022-03-11", "the closing price on March.11, 2022")
    assert stated_text("06-01-2023", "the UV index for tomorrow, June01 2023")
    assert not stated_text("2022-06-04", "3 nights starting from 1st June 2022")
    assert stated_text("EUR", "Convert 150 Euros to Canadian dollars") and stated_text("CAD", "to Canadian dollars")
    assert stated_text("Chicago, IL", "a lawyer in Chicago") and stated_text("America/New_York", "from New York time")
    assert stated_text("SD", "a villa in San Diego") and stated_text("pound", "How many ounces in 2 pounds?")
    assert not stated_text("en", "the general mood on twitter")  # whole words only
    assert not stated_text("The Bible", "What is a holy book?")


def test_a_required_value_the_request_never_states_is_reported() -> None:
    roots = ClientTool("find_roots", "Roots of a quadratic", {"type": "object", "properties": {
        "a": {"type": "number"}, "b": {"type": "number"}, "c": {"type": "number"}}, "required": ["a", "b", "c"]})
    assert unstated_required(roots, {"a": 1, "b": 1, "c": 0}, "What is the root of bx + c = 0?") == ["a", "b"]
    assert unstated_required(roots, {"a": 2, "b": 3, "c": -4}, "Roots with coefficients 2, 3 and -4?") == []
    art = ClientTool("artwork_search", "", {"type": "object", "properties": {
        "name": {"type": "string"}, "museum": {"type": "string"}, "year": {"type": "integer"}},
        "required": ["name", "museum", "year"]})
    # one said value fills one parameter; a figure written as text is backed by a figure no number took
    assert unstated_required(art, {"name": "The Scream", "museum": "The Scream", "year": 1893},
                             "Who painted 'The Scream' in 1893?") == ["museum"]
    assert unstated_required(art, {"name": "Scream", "museum": "1893", "year": 1893},
                             "Who painted the Scream in 1893?") == ["museum"]


def test_schema_errors_use_the_clients_schema() -> None:
    assert schema_errors(AREA.parameters, {"base": 1, "height": 2}) == []
    assert schema_errors(AREA.parameters, {"base": "x"})  # wrong type and a missing field


def caller(policy: RoutingPolicy | None = None) -> ClientToolCaller:
    return ClientToolCaller(ClientToolRanker(WordsEmbedder()), policy or RoutingPolicy(no_tool_below=0.2))


async def test_auto_routes_and_returns_grounded_calls() -> None:
    messages = [HumanMessage("What is the weather in Paris?")]
    c = caller()
    plan = c.plan([WEATHER, AREA, STOCK], messages, "auto")
    assert plan.offered[0].name == "get_weather"
    model = ScriptedChat([{"tool": "get_weather", "tool_args": {"city": "Paris", "unit": "celsius"}}])
    outcome = await c.decide(model, messages, plan)
    assert [(call.name, call.arguments) for call in outcome.calls] == [("get_weather", {"city": "Paris"})]
    assert "get_weather" in str(model.calls[0]["messages"][0].content)
    assert model.calls[0]["kwargs"]["json_schema"]["anyOf"][0]["properties"]["tool"] == {"const": "get_weather"}


async def test_auto_offers_nothing_when_no_tool_is_close_and_answers_after_a_tool_result() -> None:
    c = caller(RoutingPolicy(no_tool_below=0.5))
    assert c.plan([WEATHER, AREA], [HumanMessage("Tell me a joke about cats")], "auto").reply_only
    after = [HumanMessage("Weather in Paris?"), ToolMessage("sunny", tool_call_id="c1")]
    assert c.plan([WEATHER], after, "auto").reply_only
    assert not c.plan([WEATHER], after, "required").reply_only


def test_a_tool_named_for_the_opposite_of_the_request_is_no_candidate() -> None:
    irr = ClientTool("calculate_internal_rate_of_return", "Internal rate of return of cash flows", {
        "type": "object", "properties": {"cash_flows": {"type": "array", "items": {"type": "number"}}},
        "required": ["cash_flows"]})
    assert irr.named_opposite("the external rate of return of -100, 40, 60") == "external"
    assert irr.named_opposite("the internal vs external rate of return") is None  # its own word is said too
    c = caller(RoutingPolicy(no_tool_below=0.0))
    messages = [HumanMessage("What is the external rate of return for cash flows of -100, 40 and 60?")]
    assert c.plan([irr], messages, "auto").reply_only
    assert c.plan([irr], messages, "required").offered == (irr,)  # asked for a call: the client gets one


async def test_auto_answers_in_words_when_a_required_value_is_invented() -> None:
    c = caller(RoutingPolicy(no_tool_below=0.0))
    messages = [HumanMessage("What is the weather like on planets in general?")]
    invented = {"tool": "get_weather", "tool_args": {"city": "London"}}
    auto = await c.decide(ScriptedChat([invented]), messages, c.plan([WEATHER], messages, "auto"))
    assert auto.calls == [] and auto.failures
    required = await c.decide(ScriptedChat([invented]), messages, c.plan([WEATHER], messages, "required"))
    assert required.calls[0].arguments == {"city": "London"}  # asked for a call: the client gets one
    earlier = [HumanMessage("I live in London."), HumanMessage("What is the weather like?")]
    kept = await c.decide(ScriptedChat([invented]), earlier, c.plan([WEATHER], earlier, "auto"))
    assert kept.calls[0].arguments == {"city": "London"}  # stated in an earlier turn


async def test_named_choice_decodes_only_its_arguments() -> None:
    c = caller()
    plan = c.plan([WEATHER, AREA], [HumanMessage("base 3 height 4")], "named", "triangle_area")
    model = ScriptedChat([{"base": 3, "height": 4}])
    outcome = await c.decide(model, [HumanMessage("base 3 height 4")], plan)
    assert outcome.calls[0].name == "triangle_area" and outcome.calls[0].arguments == {"base": 3, "height": 4}
    assert model.calls[0]["kwargs"]["json_schema"]["required"] == ["base", "height"]


async def test_a_cut_off_call_is_retried_with_a_larger_budget_then_given_up() -> None:
    c = caller()
    messages = [HumanMessage("What is the weather in Paris?")]
    plan = c.plan([WEATHER], messages, "required")
    model = ScriptedChat(['{"tool": "get_weather", "tool_args": {"ci', {"tool": "get_weather",
                                                                        "tool_args": {"city": "Paris"}}])
    outcome = await c.decide(model, messages, plan)
    assert outcome.attempts == 2 and outcome.calls[0].arguments == {"city": "Paris"}
    budgets = [call["kwargs"]["max_tokens"] for call in model.calls]
    assert budgets[1] > budgets[0]
    assert "rejected" in str(model.calls[1]["messages"][0].content)
    broken = ScriptedChat(['{"tool": "get_weather"', '{"tool": "get_weather", "tool_args": {"ci'])
    given_up = await c.decide(broken, messages, plan)
    assert given_up.calls == [] and given_up.attempts == 2 and len(given_up.failures) == 2


async def test_invalid_arguments_are_retried() -> None:
    c = caller()
    messages = [HumanMessage("triangle area")]
    plan = c.plan([AREA], messages, "required")
    model = ScriptedChat([{"tool": "triangle_area", "tool_args": {"base": 1}},
                          {"tool": "triangle_area", "tool_args": {"base": 1, "height": 2}}])
    outcome = await c.decide(model, messages, plan)
    assert outcome.attempts == 2 and outcome.calls[0].arguments == {"base": 1, "height": 2}


def test_several_calls_only_when_the_request_asks_for_several() -> None:
    assert wants_several("Area of a triangle with base 10 and height 5") == 1
    assert wants_several("Weather in Paris and also in London") == 2
    assert wants_several("Weather in Paris? And in London?") == 2
    plan = caller().plan([WEATHER], [HumanMessage("Weather in Paris and also in London")], "auto")
    assert plan.calls == 2
    assert caller().plan([WEATHER], [HumanMessage("Weather in Paris and also in London")], "auto",
                         parallel=False).calls == 1
