"""The agent's checkpointed state and its per-run context (dependencies that are never checkpointed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages

from agent.config import AgentSettings
from agent.routing import ToolRouter
from tools.context import ToolContext
from tools.registry import ToolRegistry


class AgentState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]  # the conversation, kept across turns
    owner: str  # user id that started the thread; nobody else may continue it
    request: str  # this turn's user message
    candidates: list[str]  # routed tool names, best first
    allow_answer: bool  # offer "answer directly" (only when no tool matches the request well)
    decision: dict[str, Any] | None
    attempts: int  # model decisions taken this turn (step limit)
    failures: list[str]  # model-fixable errors fed back to the model this turn
    refused: list[str]  # the values those errors refused (from the errors' issues), not filled in again this turn
    failed_calls: list[str]  # each failed call this turn as "tool {args}": the same call again fails the same way
    results: list[dict[str, Any]]  # this turn's tool outputs: tool, summary, data
    refusal: str | None  # a business refusal to tell the user
    declined: dict[str, Any] | None  # nothing fits the request: {capability, suggestions} (agent.routing.Decline)
    pending: dict[str, Any] | None  # an approval this thread waits for
    outcome: dict[str, Any] | None  # the human decision on ``pending``
    answer: str
    grounding: dict[str, Any] | None
    usage: dict[str, int]
    # The thread's last resolved read query: {"tool": name, "args": resolved arguments}. Kept across turns (new_turn
    # does not reset it) so a follow-up ("and the quarter before?") is first read as an edit of it.
    last_query: dict[str, Any] | None


def new_turn(owner: str, message: str) -> dict[str, Any]:
    """Input for a fresh turn: appends the user message and resets the per-turn fields."""
    from langchain_core.messages import HumanMessage

    return {"messages": [HumanMessage(message)], "owner": owner, "request": message, "candidates": [],
            "allow_answer": True, "decision": None, "attempts": 0, "failures": [], "refused": [], "failed_calls": [],
            "results": [], "refusal": None, "declined": None, "pending": None, "outcome": None, "answer": "",
            "grounding": None, "usage": {"input_tokens": 0, "output_tokens": 0}}


@dataclass(frozen=True)
class AgentContext:
    model: BaseChatModel
    registry: ToolRegistry
    router: ToolRouter
    tools: ToolContext
    settings: AgentSettings = field(default_factory=AgentSettings)
