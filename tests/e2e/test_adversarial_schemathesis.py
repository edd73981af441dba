"""Schemathesis over every operation, with valid and deliberately invalid inputs, as a privileged user and as an
employee: no request may produce a 5xx (issue 19). ``test_schemathesis.py`` is the quick positive pass; this one adds
schema-violating inputs (negative mode), which is where wrong types, huge numbers and stray characters come from.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from agent.backends.scripted import ScriptedChat
from erp_core.directory import Department
from server.app import create_app
from server.bootstrap import build_container
from server.settings import Settings

USERS = {"controller": ("carol@acme", ["controller", "accountant", "employee"]), "employee": ("eve@acme", ["employee"])}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory, kit: Any) -> Iterator[Any]:
    data = tmp_path_factory.mktemp("adversarial-fuzz")
    config = Settings(_env_file=None, data_dir=data, rate_limit_enabled=False, notifications_enabled=False,
                      max_message_chars=2000)
    container = build_container(config, chat_model=ScriptedChat(["Fuzzed answer.", {"tool": "answer"}], cycle=True))
    kit.setup_company(container.db, "acme")
    with container.db.unit_of_work() as session:
        session.add(Department(tenant="acme", code="OPS", name="Operations", active=True))
    assert container.dev_issuer is not None
    app = create_app(container, load_model=False)
    app.state.fuzz_headers = {name: {"Authorization": f"Bearer {container.dev_issuer.issue(user, 'acme', roles)}"}
                              for name, (user, roles) in USERS.items()}
    yield app
    container.close()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("who", sorted(USERS))
def test_no_input_produces_a_server_error(fuzz_app: Any, mode: GenerationMode, who: str) -> None:
    api = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app).exclude(path="/v1/events")  # an endless stream
    failures: list[str] = []
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # Err raises on .ok(): a broken schema fails loudly
        operations += 1
        try:
            strategy = operation.as_strategy(generation_mode=mode)
        except Exception:  # an operation with nothing to violate (no parameters, no body) has no negative cases
            continue

        @given(case=strategy)
        @settings(max_examples=8, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def exercise(case: Any) -> None:
            try:
                response = case.call(headers=fuzz_app.state.fuzz_headers[who])
            except Exception as exc:  # the in-process transport re-raises what would have been a 500
                failures.append(f"{case.method} {case.formatted_path} → {type(exc).__name__}: {str(exc)[:200]}")
                return
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:200]}")

        try:
            exercise()
        except Exception as exc:  # hypothesis found no valid example of a negative strategy
            if "Unsatisfiable" not in type(exc).__name__:
                raise
    assert operations >= 20, "the schema lost its operations"
    assert not failures, "\n".join(sorted(set(failures)))
