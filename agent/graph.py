"""Wiring only: follow_up → (act |) route → (respond when nothing fits |) decide → act → (await_approval) → respond,
with a step limit and bounded retries."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agent.decision import ANSWER
from agent.follow_up import follow_up
from agent.nodes import act, await_approval, decide, respond, route
from agent.state import AgentContext, AgentState


def after_decide(state: AgentState, runtime: Runtime[AgentContext]) -> Literal["act", "decide", "respond"]:
    decision = state.get("decision")
    if decision is None:  # unreadable choice: retry while the budget lasts
        return "decide" if _may_retry(state, runtime.context) else "respond"
    return "respond" if decision["tool"] == ANSWER else "act"


def after_act(state: AgentState, runtime: Runtime[AgentContext]) -> Literal["decide", "await_approval", "respond"]:
    if state.get("pending"):
        return "await_approval"
    if state.get("refusal") or state.get("results"):
        return "respond"
    return "decide" if _may_retry(state, runtime.context) else "respond"


def after_follow_up(state: AgentState) -> Literal["act", "route", "__end__"]:
    if state.get("decision"):
        return "act"  # the turn edits the last query: a complete call
    return "__end__" if state.get("answer") else "route"  # a clarifying question, or a new question


def after_route(state: AgentState) -> Literal["decide", "respond"]:
    return "respond" if state.get("declined") else "decide"  # nothing fits: say so, no model call


def _may_retry(state: AgentState, ctx: AgentContext) -> bool:
    limits = ctx.settings
    failed = state.get("failed_calls", [])
    if len(set(failed)) < len(failed):
        return False  # the model wrote a call that already failed: a third try would fail the same way
    return len(state.get("failures", [])) <= limits.max_retries and state.get("attempts", 0) < limits.max_steps


def build_graph(checkpointer: Any = None) -> Any:
    graph = StateGraph(AgentState, context_schema=AgentContext)
    graph.add_node("follow_up", follow_up)
    graph.add_node("route", route)
    graph.add_node("decide", decide)
    graph.add_node("act", act)
    graph.add_node("await_approval", await_approval)
    graph.add_node("respond", respond)
    graph.add_edge(START, "follow_up")
    graph.add_conditional_edges("follow_up", after_follow_up)
    graph.add_conditional_edges("route", after_route)
    graph.add_conditional_edges("decide", after_decide)
    graph.add_conditional_edges("act", after_act)
    graph.add_edge("await_approval", "respond")
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer)
