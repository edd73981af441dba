"""Query embeddings through ONNX Runtime: the same sentence-transformers model, 3x cheaper per short text on a CPU.

Every chat turn embeds its request once (tool routing) and document search embeds its query once. For one short text
PyTorch's per-operator overhead dominates: on the 2-core reference machine MiniLM took ~18 ms per query in torch and
~5.5 ms in ONNX Runtime, with cosine similarity 0.9999999 between the two outputs. Documents (indexing, large
batches) keep the torch path, so vectors from both paths live in the same space.

The ONNX graph is exported once from the local model folder with torch's exporter and cached beside the app's data
(keyed by the model's files, so a changed model is re-exported). Only mean or CLS pooling followed by normalisation is
reproduced here; any other model layout is refused at construction and the caller keeps the torch path.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from erp_core.errors import ErrorCode, NexusError

log = logging.getLogger("nexus.embedding")

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_POOLINGS = ("mean", "cls")


def _model_fingerprint(model_dir: Path) -> str:
    """Names, sizes and modification times of the model's files: cheap, and changes whenever the weights do."""
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"{path.relative_to(model_dir)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _layout(st_model: Any) -> tuple[str, bool]:
    """(pooling mode, normalised) of a Transformer → Pooling [→ Normalize] model, or NexusError for anything else."""
    kinds = [type(module).__name__ for module in st_model]
    if kinds[:2] != ["Transformer", "Pooling"] or any(kind != "Normalize" for kind in kinds[2:]):
        raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, f"no ONNX query path for a {' → '.join(kinds)} model")
    mode = str(getattr(st_model[1], "pooling_mode", ""))
    if mode not in _POOLINGS:
        raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, f"no ONNX query path for {mode or 'unknown'} pooling")
    return mode, "Normalize" in kinds


def export_onnx(st_model: Any, target: Path) -> None:
    """Write the model's transformer as an ONNX graph with dynamic batch and sequence axes (atomic rename)."""
    import torch

    transformer = st_model[0].auto_model.eval()

    class _HiddenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = transformer

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    sample = st_model.tokenizer(["an example query"], return_tensors="pt")
    args = tuple(sample[name] for name in _INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "hidden")}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer chatter about python-level shape checks in the HF model
        torch.onnx.export(_HiddenStates(), args, str(partial), input_names=list(_INPUTS), output_names=["hidden"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    partial.replace(target)


def quantize_int8(graph: Path) -> Path:
    """An int8 copy of ``graph`` (dynamic quantization, per-channel weights), written once beside it (atomic rename).

    Measured on the reference machine for one short query: 4.1–4.6 ms in float → 1.1–1.6 ms; cosine similarity to the
    float model's vector 0.99. Good for comparing texts embedded by the same int8 model, not for mixing with vectors
    of the float model.
    """
    target = graph.with_suffix(".int8.onnx")
    if target.is_file():
        return target
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    log.info("quantizing %s to int8 (once) → %s", graph.name, target)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    # The quantizer talks on the root logger: ~30 INFO lines ("Ignore MatMul due to non constant B", one per
    # attention product, which dynamic quantization rightly leaves in float) and advice to run its shape
    # pre-processing, which fails on this graph (the measured result above is without it). Noise in a user's console.
    chatter = _QuantizerChatter()
    logging.getLogger().addFilter(chatter)
    try:
        quantize_dynamic(graph, partial, weight_type=QuantType.QInt8, per_channel=True,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    finally:
        logging.getLogger().removeFilter(chatter)
    partial.replace(target)
    return target


class _QuantizerChatter(logging.Filter):
    """Drops what onnxruntime's quantizer logs below WARNING, and its pre-processing advice."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Please consider to run pre-processing"):
            return False
        from_quantizer = f"onnxruntime{os.sep}quantization" in record.pathname
        return not (from_quantizer and record.levelno < logging.WARNING)


class OnnxQueryEmbedder:
    """An ``Embedder`` whose ``embed_query`` runs in ONNX Runtime; ``embed_documents`` stays with ``base`` (torch).

    ``base`` is the ``SentenceTransformerEmbedder`` whose model folder, tokenizer and pooling are reproduced. With
    ``int8`` the graph is quantized and documents are embedded by it too, so both sides of a comparison share one
    vector space: for the tool router, whose catalogue is its own (search keeps float queries against torch documents).
    """

    def __init__(self, base: Any, cache_dir: Path, *, int8: bool = False) -> None:
        import onnxruntime as ort

        self._base = base
        self.int8 = int8
        st_model = base.model
        self._pooling, self._normalise = _layout(st_model)
        self._tokenizer = st_model.tokenizer
        self._max_tokens = int(st_model.max_seq_length)
        model_dir = Path(base.model_path)
        graph = cache_dir / f"{model_dir.name}-{_model_fingerprint(model_dir)}.onnx"
        if not graph.is_file():
            log.info("exporting %s to ONNX for query embeddings (once) → %s", model_dir.name, graph)
            export_onnx(st_model, graph)
        if int8:
            graph = quantize_int8(graph)
        options = ort.SessionOptions()
        # One short text per call: a second thread only adds synchronisation on a busy 2-core machine.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        self._accepts = {i.name for i in self._session.get_inputs()}
        self._tokenizer_lock = threading.Lock()  # HF fast tokenizers refuse concurrent use ("Already borrowed")

    def __getattr__(self, name: str) -> Any:
        # Everything but the query path (model, device, batch size…) is the torch embedder's.
        return getattr(self._base, name)

    @property
    def dimension(self) -> int:
        return int(self._base.dimension)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not self.int8:
            return list(self._base.embed_documents(texts))
        # One text at a time, as queries are: dynamic quantization scales activations over the whole batch, padding
        # included, so a text's vector would otherwise depend on its neighbours in the batch.
        return [self.embed_query(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self.encode([text])[0]]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._tokenizer_lock:
            batch = self._tokenizer(list(texts), padding=True, truncation=True, max_length=self._max_tokens,
                                    return_tensors="np")
        feeds = {name: np.asarray(batch[name], dtype=np.int64) for name in _INPUTS if name in self._accepts}
        hidden = self._session.run(None, feeds)[0]
        if self._pooling == "cls":
            pooled = hidden[:, 0]
        else:
            mask = feeds["attention_mask"][..., None].astype(hidden.dtype)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        if self._normalise:
            pooled = pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return np.asarray(pooled, dtype=np.float32)


def query_embedder(base: Any, cache_dir: Path) -> Any:
    """``base`` with ONNX query embeddings where the model and runtime allow it; ``base`` itself otherwise (logged)."""
    if not str(base.device).startswith("cpu"):
        return base  # on a GPU the torch path is already cheap per query
    try:
        return OnnxQueryEmbedder(base, cache_dir)
    except (ImportError, NexusError, RuntimeError, OSError) as exc:
        log.warning("query embeddings stay on torch: %s", exc)
        return base


def routing_embedder(base: Any, cache_dir: Path) -> Any:
    """The tool router's embedder: int8 ONNX for its catalogue and its queries alike; ``base`` where that cannot run.

    ``base`` may already be an ``OnnxQueryEmbedder`` (the search's float query path): its torch embedder is reused.
    """
    torch_embedder = base._base if isinstance(base, OnnxQueryEmbedder) else base
    if not hasattr(torch_embedder, "model_path") or not str(torch_embedder.device).startswith("cpu"):
        return base  # not a sentence-transformers model folder, or on a GPU where queries are cheap anyway
    try:
        return OnnxQueryEmbedder(torch_embedder, cache_dir, int8=True)
    except (ImportError, NexusError, RuntimeError, OSError, ValueError) as exc:
        log.warning("tool routing keeps the query embedder: %s", exc)
        return base
