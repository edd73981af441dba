"""llama-cpp-python in-process as a LangChain chat model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from agent.backends.llama_engine import Piece, TokenEngine
from agent.backends.messages import to_openai
from agent.backends.streaming import iterate_in_thread


class LlamaCppChat(BaseChatModel):
    """Chat model over a shared engine (in this process or a supervised child).

    Pass ``json_schema=`` to constrain decoding with a grammar.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str = "smollm2-135m-instruct"
    max_tokens: int = 512
    temperature: float = 0.0
    _engine: TokenEngine = PrivateAttr()

    def __init__(self, engine: TokenEngine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._engine = engine

    @property
    def engine(self) -> TokenEngine:
        return self._engine

    @property
    def _llm_type(self) -> str:
        return "nexus-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "model_path": str(self._engine.model_path)}

    def _pieces(self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any],
                cancelled: Any = lambda: False) -> Iterator[Piece]:
        return self._engine.stream(to_openai(messages), max_tokens=int(kwargs.get("max_tokens", self.max_tokens)),
                                   temperature=float(kwargs.get("temperature", self.temperature)),
                                   json_schema=kwargs.get("json_schema"), stop=stop, cancelled=cancelled)

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for piece in self._pieces(messages, stop, kwargs):
            chunk = _chunk(piece)
            if run_manager and piece.text:
                run_manager.on_llm_new_token(piece.text, chunk=chunk)
            yield chunk

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        async for piece in iterate_in_thread(lambda cancelled: self._pieces(messages, stop, kwargs, cancelled)):
            chunk = _chunk(piece)
            if run_manager and piece.text:
                await run_manager.on_llm_new_token(piece.text, chunk=chunk)
            yield chunk

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text: list[str] = []
        last: Piece | None = None
        for piece in self._pieces(messages, stop, kwargs):
            text.append(piece.text)
            last = piece
        message = AIMessage("".join(text), usage_metadata=_usage(last),
                            response_metadata={"finish_reason": last.finish_reason if last else "stop",
                                               "model_name": self.model_name})
        return ChatResult(generations=[ChatGeneration(message=message)])


def _usage(piece: Piece | None) -> UsageMetadata | None:
    if piece is None or piece.usage is None:
        return None
    u = piece.usage
    return UsageMetadata(input_tokens=u.prompt_tokens, output_tokens=u.completion_tokens,
                         total_tokens=u.prompt_tokens + u.completion_tokens,
                         input_token_details={"cache_read": u.cached_tokens})


def _chunk(piece: Piece) -> ChatGenerationChunk:
    meta = {"finish_reason": piece.finish_reason} if piece.finish_reason else {}
    return ChatGenerationChunk(message=AIMessageChunk(content=piece.text, usage_metadata=_usage(piece),
                                                      response_metadata=meta))
