"""The rendered vLLM command: every flag the OpenAI-compatible backend relies on, and typed refusals of bad input."""

from __future__ import annotations

import json
import shlex

import pytest
from typer.testing import CliRunner

from erp_core.errors import ErrorCode, NexusError
from gpu.serve_config import VLLMServeConfig


def flag(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_command_has_tool_parser_structured_outputs_context_and_parallelism() -> None:
    cfg = VLLMServeConfig(model="/models/Llama-3.3-70B-Instruct", served_model_name="llama-3.3-70b",
                          tensor_parallel_size=4, max_model_len=32768, gpu_memory_utilization=0.92)
    argv = cfg.argv()
    assert argv[:3] == ["vllm", "serve", "/models/Llama-3.3-70B-Instruct"]
    assert flag(argv, "--served-model-name") == "llama-3.3-70b"
    assert flag(argv, "--tensor-parallel-size") == "4"
    assert flag(argv, "--max-model-len") == "32768"
    assert flag(argv, "--gpu-memory-utilization") == "0.92"
    assert "--enable-auto-tool-choice" in argv and flag(argv, "--tool-call-parser") == "llama3_json"
    assert json.loads(flag(argv, "--structured-outputs-config")) == {"backend": "xgrammar"}
    assert "--enable-prefix-caching" in argv
    assert shlex.split(cfg.command()) == argv  # the printed line is exactly this argv once the shell parses it


def test_backend_settings_speak_json_schema_to_vllm() -> None:
    env = VLLMServeConfig(port=9001, max_model_len=8192).nexus_env("gpu-host")
    assert env == {"NEXUS_CHAT_BACKEND": "openai", "NEXUS_OPENAI_BASE_URL": "http://gpu-host:9001/v1",
                   "NEXUS_OPENAI_MODEL": "llama-3.1-8b-instruct", "NEXUS_OPENAI_STRUCTURED_MODE": "json_schema",
                   "NEXUS_N_CTX": "8192"}


def test_bad_values_are_refused_together_with_field_names() -> None:
    with pytest.raises(NexusError) as info:
        VLLMServeConfig(tensor_parallel_size=3, max_model_len=10, gpu_memory_utilization=1.5,
                        model="meta-llama/Llama-3.1-8B-Instruct")
    assert info.value.code is ErrorCode.VALIDATION_FAILED
    assert {i.field for i in info.value.issues} == {"tp", "max_model_len", "gpu_memory_utilization", "model"}


def test_cli_prints_command_and_manifest() -> None:
    from cli import app

    result = CliRunner().invoke(app, ["gpu", "serve-config", "--tp", "2", "--max-model-len", "8192", "--k8s"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    command = next(line for line in lines if line.startswith("vllm serve "))
    assert flag(shlex.split(command), "--tensor-parallel-size") == "2"
    assert "kind: Deployment" in result.output and "nvidia.com/gpu: '2'" in result.output


def test_cli_refuses_bad_parallelism_with_exit_2() -> None:
    from cli import app

    result = CliRunner().invoke(app, ["gpu", "serve-config", "--tp", "3"])
    assert result.exit_code == 2
    assert "power of two" in result.output
