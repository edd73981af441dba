"""Property-based fuzzing of the OpenAPI schema with schemathesis: no input may produce a 5xx.

Bounded (a few examples per operation, no shrinking) so it runs in well under a minute in ``make test``. Requests
carry a valid token with broad roles so generated bodies reach the real validation and domain code.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from agent.backends.scripted import ScriptedChat
from server.app import create_app
from server.bootstrap import build_container
from server.settings import Settings


def _kit() -> Any:
    name = "nexus_interfaces_kit"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parents[1] / "support" /
                                                      "interfaces_kit.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data = tmp_path_factory.mktemp("fuzz")
    config = Settings(_env_file=None, data_dir=data, rate_limit_enabled=False,  # type: ignore[call-arg]
                      notifications_enabled=False, max_message_chars=2000)
    container = build_container(config, chat_model=ScriptedChat(["Fuzzed answer.", {"content": "ok"}], cycle=True))
    _kit().setup_company(container.db, "acme")
    assert container.dev_issuer is not None
    token = container.dev_issuer.issue("carol@acme", "acme", ["controller", "accountant", "employee"])
    app = create_app(container, load_model=False)
    app.state.fuzz_headers = {"Authorization": f"Bearer {token}"}
    yield app
    container.close()


def test_no_input_produces_a_server_error(fuzz_app: Any) -> None:
    from hypothesis import given

    api = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app).exclude(path="/v1/events")  # an endless stream
    failures: list[str] = []
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=5, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def exercise(case: Any) -> None:
            try:
                response = case.call(headers=fuzz_app.state.fuzz_headers)
            except Exception as exc:  # the in-process transport re-raises what would have been a 500
                failures.append(f"{case.method} {case.formatted_path} → {type(exc).__name__}: {str(exc)[:200]}")
                return
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:200]}")

        exercise()
    assert operations >= 20, "the schema lost its operations"
    assert not failures, "\n".join(sorted(set(failures)))
