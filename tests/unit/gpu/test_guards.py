"""The gpu package on a CPU-only install: imports stay light, missing vLLM or weights are typed errors."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from erp_core.errors import ErrorCode, NexusError
from gpu.embedding import CPU_BATCH, GPU_BATCH, batch_size_for, pick_device
from gpu.vllm_offline import VLLMEngine, require_vllm, structured_params


def test_importing_gpu_modules_loads_neither_vllm_nor_torch() -> None:
    code = ("import sys, gpu.vllm_offline, gpu.embedding, gpu.k8s, gpu.serve_config; "
            "print(sorted(m for m in ('vllm', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed here (GPU host)")
def test_without_the_gpu_extra_vllm_is_backend_unavailable() -> None:
    with pytest.raises(NexusError) as info:
        require_vllm()
    assert info.value.code is ErrorCode.BACKEND_UNAVAILABLE and "gpu extra" in info.value.message


def test_an_engine_without_weights_is_refused_before_touching_the_gpu(tmp_path: Path) -> None:
    with pytest.raises(NexusError) as info:
        VLLMEngine(tmp_path / "nothing-here")
    assert info.value.code is ErrorCode.BACKEND_UNAVAILABLE and "config.json" in info.value.message


def test_structured_outputs_use_the_installed_vllm_dialect() -> None:
    schema = {"type": "object"}

    class Params:
        def __init__(self, json: dict[str, object]) -> None:
            self.json = json

    new = SimpleNamespace(sampling_params=SimpleNamespace(StructuredOutputsParams=Params))
    old = SimpleNamespace(sampling_params=SimpleNamespace(GuidedDecodingParams=Params))
    assert structured_params(new, schema)["structured_outputs"].json == schema
    assert structured_params(old, schema)["guided_decoding"].json == schema


def test_device_and_batch_choice() -> None:
    assert pick_device("cpu") == "cpu" and pick_device("cuda:1") == "cuda:1"
    assert batch_size_for("cpu") == CPU_BATCH and batch_size_for("cuda:0") == GPU_BATCH


def test_the_eval_harness_routes_vllm_targets_to_the_in_process_engine(tmp_path: Path) -> None:
    from evals.harness.environment import ModelSpec

    with pytest.raises(NexusError) as info:  # no weights here: refused before vLLM or a GPU is needed
        ModelSpec(f"vllm:{tmp_path}").build()
    assert info.value.code is ErrorCode.BACKEND_UNAVAILABLE and str(tmp_path) in info.value.message
