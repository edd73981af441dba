"""The graph node that reads a turn as an edit of the thread's last query before any routing (agent/dialogue.py).

A complete edit goes straight to ``act`` with the call it reads (no model decision, no grounding: its values were
said in earlier turns and resolved then); a follow-up that misses one value asks it back in one short question and
ends the turn; anything else is routed like a new question (with a pronoun for the party or person just discussed
replaced by their name).
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from agent.dialogue import Call, Clarify, read_followup, with_referent
from agent.events import Token
from agent.last_query import tool_choices, tool_slots
from agent.state import AgentContext, AgentState


async def follow_up(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = runtime.context
    last = state.get("last_query")
    if not last:
        return {}
    specs = ctx.registry.for_actor(ctx.tools.actor)
    slots_of = tool_slots(specs)
    reading = read_followup(state["request"], last, ctx.tools.today, slots_of, tool_choices(specs))
    if isinstance(reading, Call):
        # The one tool is also the only candidate, so a fixable error is retried on it by the model.
        return {"decision": {"tool": reading.tool, "args": reading.args, "follow_up": list(reading.edits)},
                "candidates": [reading.tool], "allow_answer": False}
    if isinstance(reading, Clarify):
        runtime.stream_writer(Token(text=reading.question))
        return {"answer": reading.question, "messages": [AIMessage(reading.question)]}
    # A new question about the party or person just discussed, by a pronoun: routed as if it named them.
    rewritten = with_referent(state["request"], last, slots_of)
    return {"request": rewritten} if rewritten else {}
