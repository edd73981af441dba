"""A turn whose message does not fit the model's context window fails cleanly and leaves the thread usable
(issue 19: a 16,000-character CJK message used to poison every later turn of its thread)."""

from __future__ import annotations

from collections.abc import Callable

from agent.backends.scripted import ScriptedChat
from agent.events import Done, Token
from agent.service import AgentTurns
from erp_core.errors import ErrorCode, NexusError

from .conftest import _LOOP, ALICE, collect

MakeAgent = Callable[..., AgentTurns]
# ~16,000 characters of small talk, so the turn reaches the model (the scripted model answers it with the error the
# llama.cpp engine raises for a prompt past its window).
HUGE = "hi there, 你好, how are you today? " * 500


def too_long() -> NexusError:
    return NexusError(ErrorCode.CONTEXT_TOO_LONG, "prompt has 17000 tokens; the context window is 8192")


def _fails_with_context_too_long(agent: AgentTurns, message: str, thread: str) -> None:
    try:
        collect(agent.run(ALICE, message, thread))
    except NexusError as exc:
        assert exc.code is ErrorCode.CONTEXT_TOO_LONG
    else:
        raise AssertionError("the oversized turn did not fail")


def _text(events: list[object]) -> str:
    return "".join(e.text for e in events if isinstance(e, Token))


def test_an_oversized_turn_does_not_poison_its_thread(make_agent: MakeAgent) -> None:
    model = ScriptedChat([{"tool": "answer"}, "Hello! How can I help?", too_long(),
                          {"tool": "answer"}, "Still here."])
    agent = make_agent(model)
    first = collect(agent.run(ALICE, "hi there", "t-ctx"))
    assert _text(first) == "Hello! How can I help?"
    _fails_with_context_too_long(agent, HUGE, "t-ctx")
    after = collect(agent.run(ALICE, "hi again", "t-ctx"))
    assert _text(after) == "Still here." and isinstance(after[-1], Done)

    async def messages() -> list[str]:
        graph = await agent.graph()
        state = await graph.aget_state({"configurable": {"thread_id": "acme/t-ctx"}})
        return [str(m.content) for m in state.values["messages"]]

    kept = _LOOP.run_until_complete(messages())
    assert HUGE not in kept and "hi there" in kept and "hi again" in kept


def test_an_oversized_first_turn_leaves_no_thread_behind(make_agent: MakeAgent) -> None:
    model = ScriptedChat([too_long(), {"tool": "answer"}, "Fresh start."])
    agent = make_agent(model)
    _fails_with_context_too_long(agent, HUGE, "t-first")
    assert _LOOP.run_until_complete(agent.thread_owner(ALICE, "t-first")) is None
    after = collect(agent.run(ALICE, "hi there", "t-first"))
    assert _text(after) == "Fresh start."
    assert _LOOP.run_until_complete(agent.thread_owner(ALICE, "t-first")) == ALICE.user_id
