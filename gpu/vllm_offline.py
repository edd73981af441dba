"""vLLM in process (``vllm.LLM``) for batch work on a GPU host: evaluation suites, bulk classification.

Installed by the optional ``gpu`` extra (``pip install 'nexus-assistant[gpu]'``); vLLM is imported only when an engine
is built, and its absence (or a missing GPU) is a typed BACKEND_UNAVAILABLE error, never an ImportError at start-up.

``VLLMOfflineChat`` is a LangChain chat model like the other backends, so the evaluation harness and the agent run
through it unchanged: ``json_schema=`` calls are decoded under vLLM's structured outputs (guided decoding), the same
contract the OpenAI-compatible backend gets from ``response_format``. ``generate_structured`` batches many prompts
through one engine call, which is where in-process vLLM beats a server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, PrivateAttr

from agent.backends.messages import to_openai
from erp_core.errors import ErrorCode, NexusError


def require_vllm() -> Any:
    """The ``vllm`` module, or BACKEND_UNAVAILABLE saying what is missing (the extra, or a CUDA GPU)."""
    try:
        import vllm
    except ImportError as exc:
        raise NexusError(ErrorCode.BACKEND_UNAVAILABLE,
                         "vLLM is not installed: install the gpu extra (pip install 'nexus-assistant[gpu]') on a "
                         "machine with an NVIDIA GPU") from exc
    import torch

    if not torch.cuda.is_available():
        raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, "vLLM needs a CUDA GPU and torch sees none")
    return vllm


def structured_params(vllm: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """SamplingParams keyword for JSON-schema decoding, in the dialect of the installed vLLM.

    vLLM ≥ 0.11 takes ``structured_outputs=StructuredOutputsParams(json=…)``; older releases took
    ``guided_decoding=GuidedDecodingParams(json=…)``.
    """
    sampling = vllm.sampling_params
    if hasattr(sampling, "StructuredOutputsParams"):
        return {"structured_outputs": sampling.StructuredOutputsParams(json=schema)}
    return {"guided_decoding": sampling.GuidedDecodingParams(json=schema)}


def sampling_params(vllm: Any, *, max_tokens: int, temperature: float, json_schema: dict[str, Any] | None = None,
                    stop: list[str] | None = None, seed: int | None = None) -> Any:
    kwargs: dict[str, Any] = {"max_tokens": max_tokens, "temperature": temperature}
    if stop:
        kwargs["stop"] = stop
    if seed is not None:
        kwargs["seed"] = seed
    if json_schema:
        kwargs.update(structured_params(vllm, json_schema))
    return vllm.SamplingParams(**kwargs)


class VLLMEngine:
    """One ``vllm.LLM`` per process (it owns the GPUs); built on first use and shared by every caller."""

    def __init__(self, model_path: Path, *, tensor_parallel_size: int = 1, max_model_len: int = 8192,
                 gpu_memory_utilization: float = 0.85, seed: int = 0) -> None:
        if not (model_path / "config.json").is_file():
            raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, f"no model weights in {model_path} (config.json missing)")
        self.model_path = model_path
        self._options = {"tensor_parallel_size": tensor_parallel_size, "max_model_len": max_model_len,
                         "gpu_memory_utilization": gpu_memory_utilization, "seed": seed}
        self._llm: Any = None
        self._lock = threading.Lock()

    @property
    def llm(self) -> Any:
        with self._lock:
            if self._llm is None:
                vllm = require_vllm()
                self._llm = vllm.LLM(model=str(self.model_path), **self._options)
            return self._llm

    def chat(self, conversations: Sequence[list[dict[str, Any]]], *, max_tokens: int, temperature: float,
             json_schema: dict[str, Any] | None = None) -> list[Any]:
        """One batched engine call over many conversations (OpenAI message dicts); outputs in input order."""
        import vllm

        params = sampling_params(vllm, max_tokens=max_tokens, temperature=temperature, json_schema=json_schema)
        return list(self.llm.chat(list(conversations), params, use_tqdm=False))


def generate_structured(engine: VLLMEngine, conversations: Sequence[list[dict[str, Any]]],
                        schema: dict[str, Any], *, max_tokens: int = 256) -> list[dict[str, Any]]:
    """Decode every conversation under ``schema`` in one batch; each answer parsed (the grammar makes it valid)."""
    outputs = engine.chat(conversations, max_tokens=max_tokens, temperature=0.0, json_schema=schema)
    results = []
    for out in outputs:
        value = json.loads(out.outputs[0].text)
        results.append(value if isinstance(value, dict) else {"value": value})
    return results


class VLLMOfflineChat(BaseChatModel):
    """A chat backend over an in-process vLLM engine (GPU batch runs: evals)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    engine: VLLMEngine
    model_name: str = "vllm-offline"
    max_tokens: int = 512
    temperature: float = 0.0
    _calls: int = PrivateAttr(default=0)

    @property
    def _llm_type(self) -> str:
        return "nexus-vllm-offline"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        outputs = self.engine.chat([to_openai(messages)], max_tokens=int(kwargs.get("max_tokens", self.max_tokens)),
                                   temperature=float(kwargs.get("temperature", self.temperature)),
                                   json_schema=kwargs.get("json_schema"))
        completion = outputs[0].outputs[0]
        prompt_tokens = len(outputs[0].prompt_token_ids or [])
        usage = UsageMetadata(input_tokens=prompt_tokens, output_tokens=len(completion.token_ids),
                              total_tokens=prompt_tokens + len(completion.token_ids))
        message = AIMessage(completion.text, usage_metadata=usage,
                            response_metadata={"finish_reason": completion.finish_reason,
                                               "model_name": self.model_name})
        return ChatResult(generations=[ChatGeneration(message=message)])
