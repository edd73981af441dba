"""A real llama_cpp.server process serving the packaged GGUF on 127.0.0.1, shared by the model tests."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from agent.backends.llama_engine import default_model_path
from retrieval.servers.supervisor import free_port


@pytest.fixture(scope="session")
def llama_server(spawn_server: Callable[..., object]) -> str:
    """Base URL (…/v1) of the server; the model is aliased ``smollm2``."""
    port = free_port()
    spawn_server([sys.executable, "-m", "llama_cpp.server", "--model", str(default_model_path()),
                  "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--n_threads", "2",
                  "--model_alias", "smollm2"], f"http://127.0.0.1:{port}/v1/models", timeout_s=90)
    return f"http://127.0.0.1:{port}/v1"
