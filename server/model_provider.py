"""Loads the configured chat model once, in the background, and reports readiness honestly."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from erp_core.errors import ErrorCode, NexusError

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from agent.backends.engine_process import EngineConfig
    from server.settings import Settings

log = logging.getLogger("nexus.model")


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The chat backend named by settings. Heavy imports happen here, not at start-up."""
    if settings.chat_backend == "openai":
        from agent.backends.openai_compat import OpenAICompatChat

        if not settings.openai_base_url:
            raise NexusError(ErrorCode.BACKEND_UNAVAILABLE, "NEXUS_OPENAI_BASE_URL is required for the openai backend")
        return OpenAICompatChat(base_url=settings.openai_base_url,
                                model_name=settings.openai_model or settings.model_name,
                                api_key=settings.openai_api_key, structured_mode=settings.openai_structured_mode,
                                max_tokens=settings.max_tokens, temperature=settings.temperature,
                                timeout_s=settings.openai_timeout_s)
    from agent.backends.llama_cpp import LlamaCppChat
    from agent.backends.llama_engine import LlamaEngine, TokenEngine

    engine: TokenEngine
    if settings.model_isolation == "process":
        from agent.backends.engine_process import EngineProcess

        engine = EngineProcess(engine_config(settings)).start()  # returns after a real start-up decode
    else:
        engine = LlamaEngine(settings.model_path, n_ctx=settings.n_ctx, n_threads=settings.n_threads,
                             n_batch=settings.n_batch)
    return LlamaCppChat(engine, model_name=settings.model_name, max_tokens=settings.max_tokens,
                        temperature=settings.temperature)


def engine_config(settings: Settings) -> EngineConfig:
    from agent.backends.engine_process import EngineConfig

    return EngineConfig(model_path=settings.model_path, n_ctx=settings.n_ctx, n_threads=settings.n_threads,
                        n_batch=settings.n_batch, stream_interval_s=settings.stream_interval_ms / 1000)


class ModelProvider:
    """Holds the chat model; ``get()`` raises NOT_READY with the reason until it has loaded."""

    def __init__(self, settings: Settings, model: BaseChatModel | None = None) -> None:
        self._settings = settings
        self._model = model
        self._error: str | None = None
        self._loading = False
        self._lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def model_name(self) -> str:
        if self._settings.chat_backend == "openai" and self._settings.openai_model:
            return self._settings.openai_model
        return self._settings.model_name

    def start_loading(self, on_loaded: Callable[[], object] | None = None) -> None:
        """Load in a background thread; ``on_loaded`` runs there after a successful load."""
        with self._lock:
            if self._model is not None or self._loading:
                return
            self._loading = True
        threading.Thread(target=self._load_then, args=(on_loaded,), name="model-loader", daemon=True).start()

    def _load_then(self, on_loaded: Callable[[], object] | None) -> None:
        self.load()
        if on_loaded is not None and self._model is not None:
            on_loaded()

    def load(self) -> None:
        started = time.perf_counter()
        try:
            model = build_chat_model(self._settings)
        except Exception as exc:  # reported through /readyz and every chat request; the server stays up
            self._error = str(exc) if isinstance(exc, NexusError) else f"{type(exc).__name__}: {exc}"
            log.error("chat model failed to load: %s", self._error)
        else:
            self._model = model
            self.load_seconds = time.perf_counter() - started
            log.info("chat model ready (%s) in %.2fs", self.model_name, self.load_seconds)
        finally:
            self._loading = False

    def not_ready_reason(self) -> str | None:
        if self._model is not None:
            status = self.status()
            if status["state"] == "ready":
                return None
            return f"model process {status['state']}: {status['reason'] or 'starting'}"
        if self._error:
            return f"model failed to load: {self._error}"
        return "model loading" if self._loading else "model not loaded"

    def status(self) -> dict[str, object]:
        """The model as a component of ``/readyz`` and ``/metrics``: ready, starting, down (with the reason)."""
        if self._model is None:
            if self._error:
                return {"state": "down", "reason": self.not_ready_reason(), "restarts": 0}
            return {"state": "starting", "reason": self.not_ready_reason(), "restarts": 0}
        engine_status = getattr(getattr(self._model, "engine", None), "status", None)
        return engine_status() if callable(engine_status) else {"state": "ready", "reason": None, "restarts": 0}

    def close(self) -> None:
        """Stops a model process this provider started."""
        close = getattr(getattr(self._model, "engine", None), "close", None)
        if callable(close):
            close()

    def get(self) -> BaseChatModel:
        if self._model is None:
            raise NexusError(ErrorCode.NOT_READY, self.not_ready_reason() or "model not loaded")
        return self._model
