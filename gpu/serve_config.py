"""Builds the exact ``vllm serve`` command (and its Kubernetes manifest) for a Llama 3.x instruct model.

The server it describes is what the OpenAI-compatible backend (``agent.backends.openai_compat``) expects: tool calls
parsed from Llama 3's JSON tool-call format, structured outputs answering ``response_format={"type": "json_schema"}``,
a context window no larger than the model's, and a fixed served name that ``NEXUS_OPENAI_MODEL`` names.

Nothing here imports vLLM: the command is rendered on a CPU-only machine and run on the GPU host.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Literal

from erp_core.errors import Issue, validation_error

StructuredBackend = Literal["xgrammar", "guidance", "auto"]
# Llama 3.1/3.2/3.3 emit tool calls as JSON; vLLM's parser for that format is ``llama3_json``.
LLAMA3_TOOL_PARSER = "llama3_json"
# Longest context of the Llama 3.1+ family; larger values would be refused by vLLM at start-up.
LLAMA3_MAX_CONTEXT = 131_072


@dataclass(frozen=True)
class VLLMServeConfig:
    """Everything that decides how vLLM serves the chat model.

    Attributes:
        model: Path of the model weights on the GPU host (a mounted volume), never a hub name: pods have no internet.
        served_model_name: The name clients request; set ``NEXUS_OPENAI_MODEL`` to the same value.
        tensor_parallel_size: GPUs one replica shards the model over (8B: 1; 70B in bf16: 4 or 8).
        max_model_len: Context window in tokens; smaller leaves more KV cache for concurrent requests.
        gpu_memory_utilization: Share of each GPU's memory vLLM may take (weights + KV cache).
        max_num_seqs: Most sequences decoded together in one batch.
    """

    model: str = "/models/Llama-3.1-8B-Instruct"
    served_model_name: str = "llama-3.1-8b-instruct"
    host: str = "0.0.0.0"
    port: int = 8001
    tensor_parallel_size: int = 1
    max_model_len: int = 16_384
    gpu_memory_utilization: float = 0.90
    max_num_seqs: int = 64
    dtype: str = "auto"
    tool_call_parser: str = LLAMA3_TOOL_PARSER
    chat_template: str | None = None
    structured_backend: StructuredBackend = "xgrammar"
    enable_prefix_caching: bool = True
    api_key_env: str | None = "VLLM_API_KEY"
    extra_args: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        issues = []
        if self.tensor_parallel_size < 1 or self.tensor_parallel_size & (self.tensor_parallel_size - 1):
            issues.append(Issue("invalid", "tensor parallelism must be a power of two (1, 2, 4, 8)", "tp"))
        if not 256 <= self.max_model_len <= LLAMA3_MAX_CONTEXT:
            issues.append(Issue("out_of_range", f"max model length must be 256…{LLAMA3_MAX_CONTEXT} tokens",
                                "max_model_len"))
        if not 0.1 <= self.gpu_memory_utilization <= 0.98:
            issues.append(Issue("out_of_range", "GPU memory utilisation must be between 0.1 and 0.98",
                                "gpu_memory_utilization"))
        if self.max_num_seqs < 1:
            issues.append(Issue("out_of_range", "max_num_seqs must be at least 1", "max_num_seqs"))
        if not 1 <= self.port <= 65535:
            issues.append(Issue("out_of_range", "port must be 1…65535", "port"))
        if "://" in self.model or (not self.model.startswith("/") and "/" in self.model):
            issues.append(Issue("invalid", "model must be a local path on the GPU host (e.g. /models/<name>), "
                                           "not a hub id or URL: serving pods have no internet", "model"))
        if issues:
            raise validation_error(issues)

    def argv(self) -> list[str]:
        """The ``vllm serve`` command line, one list item per argument."""
        args = ["vllm", "serve", self.model,
                "--served-model-name", self.served_model_name,
                "--host", self.host, "--port", str(self.port),
                "--tensor-parallel-size", str(self.tensor_parallel_size),
                "--max-model-len", str(self.max_model_len),
                "--gpu-memory-utilization", f"{self.gpu_memory_utilization:g}",
                "--max-num-seqs", str(self.max_num_seqs),
                "--dtype", self.dtype,
                # The agent sends tools and tool_choice="auto"; without these vLLM refuses such requests.
                "--enable-auto-tool-choice", "--tool-call-parser", self.tool_call_parser,
                # Decisions are decoded under a JSON-schema grammar (response_format json_schema).
                "--structured-outputs-config", json.dumps({"backend": self.structured_backend},
                                                          separators=(",", ":"))]
        if self.chat_template:
            args += ["--chat-template", self.chat_template]
        if self.enable_prefix_caching:
            # Every turn repeats the same system prompt and tool catalogue: cache their KV blocks.
            args.append("--enable-prefix-caching")
        args += list(self.extra_args)
        return args

    def command(self) -> str:
        """The command as one shell-quoted line (the API key comes from the environment, never the command)."""
        return shlex.join(self.argv())

    def nexus_env(self, service_host: str = "nexus-vllm") -> dict[str, str]:
        """The ``NEXUS_`` settings that point the API workers at this server, in the mode vLLM speaks."""
        return {"NEXUS_CHAT_BACKEND": "openai",
                "NEXUS_OPENAI_BASE_URL": f"http://{service_host}:{self.port}/v1",
                "NEXUS_OPENAI_MODEL": self.served_model_name,
                "NEXUS_OPENAI_STRUCTURED_MODE": "json_schema",
                "NEXUS_N_CTX": str(self.max_model_len)}
