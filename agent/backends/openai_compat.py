"""Any OpenAI-compatible chat server (vLLM, llama_cpp.server, ...) as a LangChain chat model.

Structured output uses the server's guided decoding, in the dialect it speaks:
- ``json_schema``: ``response_format={"type": "json_schema", "json_schema": {...}}`` (OpenAI, vLLM);
- ``json_object``: ``response_format={"type": "json_object", "schema": {...}}`` (llama_cpp.server).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr, SecretStr

from agent.backends.messages import to_openai
from erp_core.errors import ErrorCode, NexusError

StructuredMode = Literal["json_schema", "json_object"]


def response_format_for(schema: dict[str, Any], mode: StructuredMode) -> dict[str, Any]:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "output", "schema": schema, "strict": True}}
    return {"type": "json_object", "schema": schema}


def backend_error(exc: Exception) -> NexusError:
    """Map an ``openai`` SDK exception to our codes (connection → unavailable, 4xx context → too long, else failed)."""
    import openai

    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError):
        return NexusError(ErrorCode.BACKEND_UNAVAILABLE, f"model server unreachable: {type(exc).__name__}")
    if isinstance(exc, openai.BadRequestError) and "context" in str(exc).lower():
        return NexusError(ErrorCode.CONTEXT_TOO_LONG, "prompt is longer than the model server's context window")
    if isinstance(exc, openai.APIStatusError):
        return NexusError(ErrorCode.BACKEND_FAILED, f"model server answered {exc.status_code}")
    return NexusError(ErrorCode.BACKEND_FAILED, f"model server error: {type(exc).__name__}")


class OpenAICompatChat(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    base_url: str
    model_name: str
    api_key: SecretStr = SecretStr("none")
    structured_mode: StructuredMode = "json_schema"
    max_tokens: int = 512
    temperature: float = 0.0
    timeout_s: float = 60.0
    _client: Any = PrivateAttr(default=None)
    _aclient: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "nexus-openai-compatible"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "model_name": self.model_name}

    def _sync(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.OpenAI(base_url=self.base_url, api_key=self.api_key.get_secret_value(),
                                         timeout=self.timeout_s, max_retries=1)
        return self._client

    def _async(self) -> Any:
        if self._aclient is None:
            import openai

            self._aclient = openai.AsyncOpenAI(base_url=self.base_url, api_key=self.api_key.get_secret_value(),
                                               timeout=self.timeout_s, max_retries=1)
        return self._aclient

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any],
                 stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model_name,
            "messages": to_openai(messages),
            "max_tokens": int(kwargs.get("max_tokens", self.max_tokens)),
            "temperature": float(kwargs.get("temperature", self.temperature)),
            "stream": stream,
        }
        if stop:
            body["stop"] = stop
        if kwargs.get("json_schema"):
            body["response_format"] = response_format_for(kwargs["json_schema"], self.structured_mode)
        for passthrough in ("tools", "tool_choice", "seed"):
            if kwargs.get(passthrough) is not None:
                body[passthrough] = kwargs[passthrough]
        if stream:
            body["stream_options"] = {"include_usage": True}
        return body

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        try:
            response = self._sync().chat.completions.create(**self._request(messages, stop, kwargs, False))
        except NexusError:
            raise
        except Exception as exc:
            raise backend_error(exc) from exc
        return _result(response, self.model_name)

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        try:
            response = await self._async().chat.completions.create(**self._request(messages, stop, kwargs, False))
        except Exception as exc:
            raise backend_error(exc) from exc
        return _result(response, self.model_name)

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        try:
            for event in self._sync().chat.completions.create(**self._request(messages, stop, kwargs, True)):
                chunk = _chunk(event)
                if chunk is not None:
                    if run_manager and isinstance(chunk.message.content, str) and chunk.message.content:
                        run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
                    yield chunk
        except Exception as exc:
            raise backend_error(exc) from exc

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None,
                       **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        try:
            events = await self._async().chat.completions.create(**self._request(messages, stop, kwargs, True))
            async for event in events:
                chunk = _chunk(event)
                if chunk is not None:
                    if run_manager and isinstance(chunk.message.content, str) and chunk.message.content:
                        await run_manager.on_llm_new_token(chunk.message.content, chunk=chunk)
                    yield chunk
        except Exception as exc:
            raise backend_error(exc) from exc


def _usage(raw: Any) -> UsageMetadata | None:
    if raw is None:
        return None
    return UsageMetadata(input_tokens=raw.prompt_tokens or 0, output_tokens=raw.completion_tokens or 0,
                         total_tokens=raw.total_tokens or 0)


def _result(response: Any, model_name: str) -> ChatResult:
    choice = response.choices[0]
    calls = []
    for call in choice.message.tool_calls or []:
        try:
            args = json.loads(call.function.arguments or "{}")
        except json.JSONDecodeError:
            args = {}
        calls.append({"id": call.id, "name": call.function.name, "args": args if isinstance(args, dict) else {}})
    message = AIMessage(choice.message.content or "", tool_calls=calls, usage_metadata=_usage(response.usage),
                        response_metadata={"finish_reason": choice.finish_reason, "model_name": model_name})
    return ChatResult(generations=[ChatGeneration(message=message)])


def _chunk(event: Any) -> ChatGenerationChunk | None:
    usage = _usage(getattr(event, "usage", None))
    if not event.choices:
        return ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=usage)) if usage else None
    choice = event.choices[0]
    delta = choice.delta
    tool_chunks = [
        {"index": tc.index, "id": tc.id, "name": tc.function.name if tc.function else None,
         "args": tc.function.arguments if tc.function else None}
        for tc in (delta.tool_calls or [])
    ]
    meta = {"finish_reason": choice.finish_reason} if choice.finish_reason else {}
    message = AIMessageChunk(content=delta.content or "", tool_call_chunks=tool_chunks, usage_metadata=usage,
                             response_metadata=meta)
    return ChatGenerationChunk(message=message)
