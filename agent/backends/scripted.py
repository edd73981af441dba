"""A chat model that replays scripted replies. For unit tests and overhead benchmarks only, never for users.

Each call consumes the next reply (cycling when ``cycle=True``). A reply is text, a dict (sent as JSON text, e.g. for
``json_schema`` calls), an ``AIMessage`` (e.g. with tool calls), or an exception to raise (to test failure paths).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

Reply = str | dict[str, Any] | AIMessage | BaseException
RECORDED_CALLS = 1000
_WORDS = re.compile(r"\S+\s*|\s+")


class ScriptedChat(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    cycle: bool = False
    fail_after_tokens: int | None = None  # raise mid-stream after this many pieces (fault-injection tests)
    _replies: list[Reply] = PrivateAttr(default_factory=list)
    _index: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _calls: list[dict[str, Any]] = PrivateAttr(default_factory=list)

    def __init__(self, replies: Sequence[Reply], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._replies = list(replies)

    @property
    def calls(self) -> list[dict[str, Any]]:
        """What each of the first ``RECORDED_CALLS`` calls received (messages and keyword arguments), for assertions.

        Bounded so that a benchmark server cycling through replies does not keep every request's messages alive.
        """
        return self._calls

    @property
    def _llm_type(self) -> str:
        return "nexus-scripted"

    def _next(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> AIMessage:
        with self._lock:
            if len(self._calls) < RECORDED_CALLS:
                self._calls.append({"messages": messages, "kwargs": kwargs})
            if self._index >= len(self._replies):
                if not self.cycle or not self._replies:
                    raise RuntimeError("scripted chat model ran out of replies")
                self._index = 0
            reply = self._replies[self._index]
            self._index += 1
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, AIMessage):
            return reply
        if isinstance(reply, dict):
            return AIMessage(json.dumps(reply))
        return AIMessage(reply)

    def _pieces(self, message: AIMessage, prompt_tokens: int) -> Iterator[ChatGenerationChunk]:
        text = message.content if isinstance(message.content, str) else ""
        pieces = _WORDS.findall(text)
        for i, piece in enumerate(pieces):
            if self.fail_after_tokens is not None and i >= self.fail_after_tokens:
                raise ConnectionError("scripted failure mid-stream")
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        usage = UsageMetadata(input_tokens=prompt_tokens, output_tokens=len(pieces),
                              total_tokens=prompt_tokens + len(pieces))
        calls = [{"index": i, "id": c["id"], "name": c["name"], "args": json.dumps(c["args"])}
                 for i, c in enumerate(message.tool_calls)]
        yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=calls, usage_metadata=usage,
                                                         response_metadata={"finish_reason": "stop"}))

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        yield from self._pieces(self._next(messages, kwargs), _approx_tokens(messages))

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._pieces(self._next(messages, kwargs), _approx_tokens(messages)):
            yield chunk

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        message = self._next(messages, kwargs)
        return ChatResult(generations=[ChatGeneration(message=message)])


def _approx_tokens(messages: list[BaseMessage]) -> int:
    return sum(len(str(m.content).split()) for m in messages)
