"""The graph's nodes. Each takes ``(state, runtime)``, writes stream events through ``runtime.stream_writer`` and
returns a partial state update."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import ValidationError

import prompts
from agent import slots
from agent.arguments import ground_arguments
from agent.compose import (
    DIRECT_FALLBACK,
    DIRECT_MAX_SENTENCES,
    Composed,
    checked_sentences,
    compose,
    presentation_state,
)
from agent.decision import ANSWER, decision_schema, describe_candidates, drafted_fields, parse_decision
from agent.dialogue import carry_over, carry_period, with_context
from agent.events import ApprovalRequired, Citation, Suggestions, Table, Token, ToolCall, ToolResult
from agent.guards import check_grounding
from agent.last_query import remember
from agent.role_gap import role_gap
from agent.routing import Decline, narrow, nothing_fits, said_as_continuation, split_direct
from agent.state import AgentContext, AgentState
from tools.errors import classify

NOTE_MAX_TOKENS = 60  # the checked style's one sentence: a short one, or none


def _history(state: AgentState, turns: int = 2) -> str:
    """The last few user/assistant exchanges before this turn, so follow-ups ("and last month?") make sense."""
    lines = []
    for message in state.get("messages", [])[:-1]:
        if isinstance(message, HumanMessage):
            lines.append(f"User: {message.content}")
        elif isinstance(message, AIMessage) and message.content and not message.tool_calls:
            lines.append(f"Assistant: {str(message.content)[:300]}")
    recent = lines[-2 * turns:]
    return ("Earlier:\n" + "\n".join(recent) + "\n") if recent else ""


def _previous_request(state: AgentState) -> str | None:
    """The user's message before this turn's, if any."""
    asked = [m for m in state.get("messages", [])[:-1] if isinstance(m, HumanMessage)]
    return str(asked[-1].content) if asked else None


def _has_period(args: dict[str, Any], kinds: dict[str, str]) -> bool:
    return any(kind == "period" and args.get(name) for name, kind in kinds.items())


def _add_usage(state: AgentState, message: BaseMessage) -> dict[str, int]:
    usage = dict(state.get("usage") or {"input_tokens": 0, "output_tokens": 0})
    meta = getattr(message, "usage_metadata", None) or {}
    usage["input_tokens"] += int(meta.get("input_tokens", 0))
    usage["output_tokens"] += int(meta.get("output_tokens", 0))
    return usage


async def route(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = runtime.context
    gap = await asyncio.to_thread(role_gap, ctx.router, ctx.registry, ctx.tools.actor, state["request"])
    if gap is not None:  # a write the actor's roles cannot make: say so rather than propose a different write
        return {"candidates": [], "allow_answer": False,
                "declined": {"capability": gap.capability(), "suggestions": []}}
    ranking = await asyncio.to_thread(ctx.router.rank, ctx.tools.actor, state["request"])
    routed, direct_score = split_direct(ranking.tools, ctx.settings.route_k)
    # A request that clearly matches a tool is not small talk: a small model too often "answers" it from thin air.
    # Nor is a policy question, however loosely worded: the documents answer it, not the model's memory.
    direct = (not routed or routed[0].score < ctx.settings.answer_threshold) and not ranking.policy_question
    small_talk = (bool(routed) and direct_score is not None
                  and direct_score - routed[0].score >= ctx.settings.route_margin)
    # Nothing fits (a capability the assistant lacks, or no tool even close): say so instead of calling the nearest
    # tool. A continuation of the thread ("and for marketing?") is left to the model, which continues the last query.
    if not small_talk and not (state.get("last_query") and said_as_continuation(state["request"])):
        readable = [spec.name for spec in ctx.registry.for_actor(ctx.tools.actor) if not spec.proposes]
        decline = nothing_fits(ranking, readable)
        if decline is not None:
            return {"candidates": [], "allow_answer": False, "declined": decline.as_dict()}
    if routed and routed[0].score < ctx.settings.small_talk_threshold:
        routed = []  # nothing is even close: offering tools only invites a wrong call
    elif routed and direct_score is not None and direct_score - routed[0].score >= ctx.settings.route_margin:
        routed, direct = [], True  # clearly small talk or a question about the assistant ("who are you?")
    return {"candidates": [r.name for r in narrow(routed, ctx.settings.route_margin)], "allow_answer": direct}


async def decide(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    ctx = runtime.context
    specs = [ctx.registry.get(name) for name in state.get("candidates", [])]
    failures = state.get("failures", [])
    feedback = "".join(f"Previous attempt failed: {f}\n" for f in failures[-2:])
    allow_answer = state.get("allow_answer", True)
    given = drafted_fields(specs, state["request"])  # set from the request's words: the act node fills them in
    user = prompts.render("decide_user", tools=describe_candidates(specs, allow_answer=allow_answer, given=given),
                          history=_history(state), failures=feedback, request=state["request"])
    reply = await ctx.model.ainvoke([SystemMessage(prompts.load("decide_system")), HumanMessage(user)],
                                    json_schema=decision_schema(specs, allow_answer=allow_answer, given=given),
                                    max_tokens=256,
                                    temperature=0.0)
    attempts = state.get("attempts", 0) + 1
    try:
        decision = parse_decision(str(reply.content), specs)
    except (ValueError, json.JSONDecodeError) as exc:
        return {"decision": None, "attempts": attempts, "failures": [*failures, f"unreadable choice: {exc}"],
                "usage": _add_usage(state, reply)}
    return {"decision": {"tool": decision.tool, "args": decision.args}, "attempts": attempts,
            "usage": _add_usage(state, reply)}


async def act(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Run the chosen tool. Fixable errors go back to the model; refusals end the turn politely."""
    ctx = runtime.context
    write = runtime.stream_writer
    decision = state["decision"] or {}
    spec = ctx.registry.get(decision["tool"])
    call_id = f"call_{uuid.uuid4().hex[:12]}"
    schema = spec.json_schema()
    kinds = slots.slot_kinds(schema)
    last = state.get("last_query") or {}
    # Whether this call's period came from the conversation (said now or in an earlier turn), not a default.
    period_said = bool(last.get("period_said"))
    if "follow_up" in decision:  # an edit of the thread's last query: its values were said in earlier turns
        raw_args = dict(decision.get("args", {}))
        period_said = period_said or "period" in decision["follow_up"]
    else:
        raw_args = ground_arguments(spec, decision.get("args", {}), state["request"],
                                    tuple(state.get("refused", [])))
        said_now = _has_period(raw_args, kinds)
        # a follow-up the patterns could not read: the model gave what changed, the rest carries over
        raw_args = carry_over(spec.name, raw_args, state["request"], last, kinds, ctx.tools.today)
        raw_args = carry_period(spec.name, raw_args, state["request"], last, kinds, ctx.tools.today)
        raw_args = with_context(raw_args, state["request"], _previous_request(state), kinds)
        period_said = said_now or (period_said and _has_period(raw_args, kinds))
        if spec.drafts is not None and (drafted := spec.drafts(state["request"])):
            raw_args = {**raw_args, **drafted}  # the entry the words determine, not the model's version of it
    write(ToolCall(id=call_id, tool=spec.name, args=raw_args))
    call_message = AIMessage("", tool_calls=[{"id": call_id, "name": spec.name, "args": raw_args}])
    try:
        args = spec.args.model_validate(raw_args)
        output = await asyncio.to_thread(spec.run, ctx.tools, args)
    except (ValidationError, Exception) as exc:
        failure = classify(exc)  # re-raises infrastructure errors: the turn ends with an error event
        write(ToolResult(id=call_id, ok=False, summary=failure.for_model()))
        update: dict[str, Any] = {"messages": [call_message, ToolMessage(failure.for_model(), tool_call_id=call_id)]}
        if failure.kind == "refused":
            update["refusal"] = failure.message
        else:
            update["failures"] = [*state.get("failures", []), failure.for_model()]
            update["refused"] = [*state.get("refused", []), *failure.refused]
            update["failed_calls"] = [*state.get("failed_calls", []),
                                      f"{spec.name} {json.dumps(raw_args, sort_keys=True, default=str)}"]
        return update
    write(ToolResult(id=call_id, ok=True, summary=output.summary))
    for cite in output.citations:
        write(Citation(doc_id=str(cite["doc_id"]), chunk_id=str(cite["chunk_id"]), title=str(cite["title"]),
                       snippet=str(cite.get("snippet", ""))))
    result = {"tool": spec.name, "summary": output.summary, "data": output.data, "text": output.for_model(),
              "presentation": presentation_state(output), "query": output.query}
    update = {"messages": [call_message, ToolMessage(output.for_model(), tool_call_id=call_id)],
              "results": [*state.get("results", []), result]}
    if output.approval is not None:
        write(ApprovalRequired(**output.approval.payload()))
        update["pending"] = output.approval.payload()
    if not spec.proposes:  # the thread's last resolved read query, for the next turn's follow-up
        query = output.query if output.query is not None else args.model_dump(exclude_none=True)
        update["last_query"] = remember(spec.name, kinds, query, ctx.tools.today, output.data,
                                        fields=schema.get("properties", {}), period_said=period_said)
    return update


def await_approval(state: AgentState) -> dict[str, Any]:
    """Pause the thread until a human decides. The value the thread resumes with is read from erp_core by the
    service, never taken from the client."""
    pending = state["pending"] or {}
    outcome = interrupt({"approval_id": pending.get("approval_id"), "payload_hash": pending.get("payload_hash")})
    return {"outcome": outcome}


async def _stream_text(runtime: Runtime[AgentContext], text: str) -> None:
    """Stream ``text`` a word at a time; the tokens put together are exactly ``text``."""
    for piece in re.findall(r"\s*\S+\s*", text) or [text]:
        runtime.stream_writer(Token(text=piece))


def _confirmation(state: AgentState) -> str:
    outcome = state.get("outcome") or {}
    pending = state.get("pending") or {}
    what = pending.get("draft", {}).get("summary") or f"approval {pending.get('approval_id')}"
    status = outcome.get("status")
    if status == "approved":
        return f"Approved by {outcome.get('by', 'the approver')}: {what} is done ({outcome.get('detail', 'posted')})."
    if status == "rejected":
        reason = outcome.get("reason") or "no reason given"
        return f"Rejected by {outcome.get('by', 'the approver')}: {what} was not posted. Reason: {reason}."
    return f"{what} ended as {status}; nothing was posted."


async def respond(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Write the final answer: a refusal, an approval outcome, a failure to resolve, or the model's answer."""
    if state.get("declined"):
        return await _decline(state, runtime)
    if state.get("refusal"):
        text = f"I can't do that: {state['refusal']}."
    elif state.get("outcome"):
        text = _confirmation(state)
    elif state.get("pending"):
        pending = state["pending"] or {}
        who = ", ".join(pending.get("approvers") or []) or "an approver"
        text = f"I prepared it; it now waits for approval by {who} (approval {pending.get('approval_id')})."
    elif not state.get("results") and state.get("failures") and (state.get("decision") or {}).get("tool") != ANSWER:
        text = _failure_text(state["failures"][-1])
    else:
        return await _model_answer(state, runtime)
    await _stream_text(runtime, text)
    return {"answer": text, "messages": [AIMessage(text)]}


def _failure_text(failure: str) -> str:
    """What the model read ("ERROR unknown_name: no vendor matches …") less the code a person has no use for; a value
    the request lacks, which the domain words as a question, is asked ("Which customer … do you mean?")."""
    missing = re.fullmatch(r"ERROR [a-z_]+: (?:\w+: )?([^;.]+\?)\.?", failure)
    if missing:  # the domain phrased it as a question for the person
        question = missing.group(1)
        return question[:1].upper() + question[1:]
    return "I could not complete that: " + re.sub(r"^ERROR [a-z_]+: ", "", failure)


async def _decline(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """Nothing fits the request: say what the assistant cannot do and offer up to three things it can (chips)."""
    body = state.get("declined") or {}
    decline = Decline(body.get("capability"), tuple(body.get("suggestions") or ()))
    text = decline.message()
    await _stream_text(runtime, text)
    if decline.suggestions:
        runtime.stream_writer(Suggestions(items=list(decline.suggestions)))
    kept = text + "".join(f"\n- {item}" for item in decline.suggestions)  # the thread's history reads as shown
    return {"answer": kept, "messages": [AIMessage(kept)]}


def _show_structure(runtime: Runtime[AgentContext], composed: Composed) -> None:
    """The composed answer's tables as ``table`` events and its suggestions as one ``suggestions`` event."""
    for table in composed.tables:
        body = table.as_dict()
        runtime.stream_writer(Table(title=body["title"], columns=body["columns"], rows=body["rows"],
                                    series=body.get("series")))
    if composed.suggestions:
        runtime.stream_writer(Suggestions(items=list(composed.suggestions)))


async def _model_text(ctx: AgentContext, messages: list[BaseMessage], max_tokens: int,
                      usage: dict[str, int]) -> AsyncGenerator[str, None]:
    """The model's streamed text; its token counts are added to ``usage`` as they arrive."""
    async for chunk in ctx.model.astream(messages, max_tokens=max_tokens):
        if chunk.usage_metadata:
            usage.update(_add_usage({"usage": usage}, chunk))
        text = chunk.content if isinstance(chunk.content, str) else ""
        if text:
            yield text


async def _checked_model_sentences(runtime: Runtime[AgentContext], messages: list[BaseMessage], *, max_tokens: int,
                                   sources: list[str], shown: str, usage: dict[str, int], limit: int | None = None,
                                   lead: str = "") -> str:
    """Stream the model's sentences that pass the sentence checks (each once complete); returns the text shown.

    ``lead`` goes before the first sentence shown (after text already streamed)."""
    kept: list[str] = []
    async with aclosing(_model_text(runtime.context, messages, max_tokens, usage)) as chunks:
        async for sentence, ok in checked_sentences(chunks, sources=sources, shown=shown, limit=limit):
            if ok:
                runtime.stream_writer(Token(text=(" " if kept else lead) + sentence))
                kept.append(sentence)
    return " ".join(kept)


async def _model_answer(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
    """The answer after the tools ran (composed from their presentations, see agent.compose), or a direct answer.

    No model text reaches the user before it passed the sentence checks: it is held back a sentence at a time.
    """
    ctx = runtime.context
    results = state.get("results", [])
    usage = dict(state.get("usage") or {"input_tokens": 0, "output_tokens": 0})
    write = runtime.stream_writer
    if not results:
        user = prompts.render("answer_direct", history=_history(state), request=state["request"])
        messages: list[BaseMessage] = [SystemMessage(prompts.load("system")), HumanMessage(user)]
        text = await _checked_model_sentences(runtime, messages, max_tokens=ctx.settings.answer_max_tokens,
                                              sources=[state["request"]], shown="", usage=usage,
                                              limit=DIRECT_MAX_SENTENCES)
        if not text:
            text = DIRECT_FALLBACK
            await _stream_text(runtime, text)
        return {"usage": usage, "answer": text, "messages": [AIMessage(text)]}

    composed = compose(results)
    data = "\n".join(r["text"] for r in results)
    sources = [r["text"] for r in results] + [composed.markdown(), state["request"]]
    text = ""
    if ctx.settings.answer_style == "model":
        user = prompts.render("answer_user", results=data, request=state["request"])
        text = await _checked_model_sentences(runtime, [SystemMessage(prompts.load("system")), HumanMessage(user)],
                                              max_tokens=ctx.settings.answer_max_tokens, sources=sources, shown="",
                                              usage=usage)
    if not text:
        text = composed.headline
        write(Token(text=text))
        if ctx.settings.answer_style == "checked":
            user = prompts.render("answer_note", results=data, request=state["request"], shown=text)
            note = await _checked_model_sentences(
                runtime, [SystemMessage(prompts.load("system")), HumanMessage(user)],
                max_tokens=min(ctx.settings.answer_max_tokens, NOTE_MAX_TOKENS), sources=sources, shown=text,
                usage=usage, limit=1, lead=" ")
            text += f" {note}" if note else ""
    _show_structure(runtime, composed)
    answer = composed.markdown(text)
    report = check_grounding(text, sources)
    return {"usage": usage, "grounding": report.as_dict(), "answer": answer, "messages": [AIMessage(answer)]}
