"""The answer a user reads after tools ran, composed from the tools' presentations (ARCHITECTURE.md, the read path).

Answer styles (``AgentContext.answer_style``, set by ``NEXUS_ANSWER_STYLE``):

* ``composed``: the presentations' headlines, tables and suggestions; the model writes nothing.
* ``checked``: the same, plus at most one short model sentence, held back until it is complete and shown only when
  :func:`agent.guards.check_sentence` passes it (figures exactly the turn's, no repetition, no prompt echo).
* ``model``: the model answers in its own words, each sentence shown only once it passes the same checks (for large
  models); when none passes, the composed headlines are shown instead.

Tables always reach the client as structure (``table`` events); the text kept in the thread carries them as
Markdown so the history reads as the user saw it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import prompts
from agent.guards import check_sentence, split_sentences
from tools.output import ToolOutput
from tools.presentation import Presentation, Series, Table

ANSWER_STYLES = ("composed", "checked", "model")
MAX_SUGGESTIONS = 3


def presentation_state(output: ToolOutput) -> dict[str, Any] | None:
    """A tool's presentation as checkpointable data (the state holds plain dicts, not dataclasses)."""
    shown = output.presentation
    if shown is None:
        return None
    return {"headline": shown.headline, "tables": [t.as_dict() for t in shown.tables],
            "suggestions": list(shown.suggestions)}


def table_of(body: Mapping[str, Any]) -> Table:
    series = body.get("series")
    return Table(str(body["title"]), tuple(body["columns"]), tuple(tuple(r) for r in body["rows"]),
                 Series(series["label"], tuple(tuple(p) for p in series["points"])) if series else None)


def presentation_of(result: Mapping[str, Any]) -> Presentation:
    """The stored presentation of one tool result; a tool without one is shown by its summary."""
    body = result.get("presentation")
    if not body:
        return Presentation(str(result.get("summary", "")))
    return Presentation(str(body["headline"]), tuple(table_of(t) for t in body.get("tables", [])),
                        tuple(body.get("suggestions", [])))


@dataclass(frozen=True)
class Composed:
    headline: str
    tables: tuple[Table, ...] = ()
    suggestions: tuple[str, ...] = field(default=())

    def markdown(self, text: str | None = None) -> str:
        """What the thread keeps: the text shown (``text``, default the headline), then each table as Markdown."""
        return "\n\n".join([text if text is not None else self.headline, *(t.markdown() for t in self.tables)])


def compose(results: Iterable[Mapping[str, Any]]) -> Composed:
    shown = [presentation_of(r) for r in results]
    suggestions = list(dict.fromkeys(s for p in shown for s in p.suggestions))[:MAX_SUGGESTIONS]
    return Composed("\n\n".join(p.headline for p in shown if p.headline),
                    tuple(t for p in shown for t in p.tables), tuple(suggestions))


def echo_sources() -> tuple[str, ...]:
    """Prompt text a model sentence must not repeat: the system rules and the answer instructions."""
    system = prompts.load("system")
    rules = system[system.find("Rules:"):] if "Rules:" in system else system
    return (rules, prompts.render("answer_user", results="", request=""), prompts.load("answer_note"),
            prompts.render("answer_direct", history="", request=""))


async def checked_sentences(chunks: AsyncIterator[str], *, sources: list[str], shown: str,
                            limit: int | None = None) -> AsyncIterator[tuple[str, bool]]:
    """The model's sentences as they complete, each with whether it passed the checks.

    A sentence is judged only when complete; the unfinished rest when the model stops counts as a sentence only if
    it ends like one. ``limit`` stops after that many sentences (the model is not read further).
    """
    buffer, seen, echo = "", shown, echo_sources()
    judged = 0
    async for text in chunks:
        buffer += text
        done, buffer = split_sentences(buffer)
        for sentence in done:
            verdict = check_sentence(sentence, sources=sources, shown=seen, prompts=echo)
            if verdict.ok:
                seen += " " + sentence
            yield sentence, verdict.ok
            judged += 1
            if limit is not None and judged >= limit:
                return
    tail = buffer.strip()
    if tail and tail[-1] in ".!?":
        yield tail, check_sentence(tail, sources=sources, shown=seen, prompts=echo).ok


# A direct answer is a greeting or a word about the assistant: the model's first sentences are judged, no more.
DIRECT_MAX_SENTENCES = 3
# Shown when a direct answer (no tool) had no sentence that passed the checks: what the assistant can do, plainly.
DIRECT_FALLBACK = ("I can answer questions about the ledger, budgets and KPIs, customers and deals, employees and "
                   "leave, approvals and company policies. What would you like to know?")
