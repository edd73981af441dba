"""Runs only where torch sees a CUDA GPU (the device machine): the embedder picks it, batches, and agrees with CPU;
vLLM in process decodes under a JSON schema when weights are named by NEXUS_TEST_VLLM_MODEL."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (device machine)")

TEXTS = [f"Invoice {i} for office rent, paid from the operating account in October." for i in range(512)]


def test_auto_device_is_cuda_and_vectors_match_cpu() -> None:
    import numpy as np

    from gpu.embedding import GPU_BATCH, build_embedder

    gpu = build_embedder(device="auto")
    cpu = build_embedder(device="cpu")
    assert gpu.device.startswith("cuda") and gpu.batch_size == GPU_BATCH
    a = np.array(gpu.embed_documents(TEXTS[:64]))
    b = np.array(cpu.embed_documents(TEXTS[:64]))
    assert a.shape == b.shape == (64, 384)
    assert float(np.min(np.sum(a * b, axis=1))) > 0.999  # same model, same normalised vectors


@pytest.mark.skipif(not os.environ.get("NEXUS_TEST_VLLM_MODEL"), reason="set NEXUS_TEST_VLLM_MODEL to local weights")
def test_vllm_in_process_decodes_under_a_json_schema() -> None:
    from gpu.vllm_offline import VLLMEngine, generate_structured

    engine = VLLMEngine(Path(os.environ["NEXUS_TEST_VLLM_MODEL"]), max_model_len=2048, gpu_memory_utilization=0.5)
    schema = {"type": "object", "properties": {"tool": {"enum": ["trial_balance", "answer"]}},
              "required": ["tool"], "additionalProperties": False}
    results = generate_structured(engine, [[{"role": "user", "content": f"Trial balance for month {m}"}]
                                           for m in range(1, 9)], schema, max_tokens=32)
    assert len(results) == 8 and all(r["tool"] in {"trial_balance", "answer"} for r in results)
    assert json.dumps(results)
