"""The ONNX query path reproduces the torch embedder's vectors, exports once, and refuses layouts it cannot copy."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from retrieval.onnx_query import OnnxQueryEmbedder, query_embedder, routing_embedder

TEXTS = ["what did we spend on travel in Q3 against budget?", "who approves PO-2031?", "rent",
         "a long policy paragraph about meal allowances and receipts " * 40]  # past the 256-token limit


@pytest.fixture(scope="module")
def onnx_embedder(embedder, tmp_path_factory: pytest.TempPathFactory) -> OnnxQueryEmbedder:  # type: ignore[no-untyped-def]
    wrapped = query_embedder(embedder, tmp_path_factory.mktemp("onnx-cache"))
    assert isinstance(wrapped, OnnxQueryEmbedder)
    return wrapped


def test_query_vectors_match_the_torch_path(onnx_embedder: OnnxQueryEmbedder, embedder) -> None:  # type: ignore[no-untyped-def]
    fast = np.array([onnx_embedder.embed_query(text) for text in TEXTS])
    reference = np.array(embedder.embed_documents(TEXTS))
    assert fast.shape == reference.shape == (len(TEXTS), embedder.dimension)
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert (fast * reference).sum(axis=1).min() > 0.9999
    batch = onnx_embedder.encode(TEXTS)  # padded batch gives the same vectors as one text at a time
    assert np.allclose(batch, fast, atol=1e-5)


def test_documents_stay_on_torch_and_the_export_is_reused(embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = query_embedder(embedder, tmp_path)
    graphs = list(tmp_path.glob("*.onnx"))
    assert len(graphs) == 1
    exported_at = graphs[0].stat().st_mtime_ns
    second = query_embedder(embedder, tmp_path)
    assert [p.stat().st_mtime_ns for p in tmp_path.glob("*.onnx")] == [exported_at]
    assert second.embed_documents(TEXTS[:2]) == embedder.embed_documents(TEXTS[:2])
    assert first.dimension == embedder.dimension and second.model is embedder.model


def test_the_routing_embedder_is_int8_on_both_sides_and_close_to_float(onnx_embedder: OnnxQueryEmbedder,
                                                                         tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        router = routing_embedder(onnx_embedder, tmp_path)  # reuses the torch model behind the float query path
    quantizer_lines = [r.getMessage() for r in caplog.records if "onnxruntime" in r.pathname]
    assert quantizer_lines == []  # its ~30 INFO lines stay out of the user's console
    assert isinstance(router, OnnxQueryEmbedder) and router.int8
    assert len(list(tmp_path.glob("*.int8.onnx"))) == 1
    queries = np.array([router.embed_query(text) for text in TEXTS])
    documents = np.array(router.embed_documents(TEXTS))  # the catalogue side: the same int8 model
    assert np.allclose(queries, documents, atol=1e-5)
    floats = np.array([onnx_embedder.embed_query(text) for text in TEXTS])
    assert (queries * floats).sum(axis=1).min() > 0.95  # measured ~0.99; int8 moves vectors a little
    assert routing_embedder(onnx_embedder, tmp_path).int8  # the quantized graph is reused, not rebuilt


class Transformer:  # stand-ins named like sentence-transformers' modules: only the layout is read
    pass


class Pooling:
    def __init__(self, mode: str) -> None:
        self.pooling_mode = mode


@pytest.mark.parametrize("modules", [[Transformer(), Pooling("max")], [Pooling("mean")], [Transformer()]])
def test_a_layout_it_cannot_reproduce_keeps_the_torch_path(modules: list[object], tmp_path: Path) -> None:
    base = SimpleNamespace(device="cpu", model=modules, model_path=tmp_path)
    assert query_embedder(base, tmp_path) is base
    assert not list(tmp_path.glob("*.onnx"))


def test_a_gpu_embedder_keeps_the_torch_path(tmp_path: Path) -> None:
    base = SimpleNamespace(device="cuda:0", model=[Transformer(), Pooling("mean")], model_path=tmp_path)
    assert query_embedder(base, tmp_path) is base
