"""The Slack bot end to end: signed requests to a real server's /slack/events; the bot's Web API calls go to a local
recording server (the SDK's base URL setting)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SIGNING_SECRET = "test-signing-secret"
USER_MAP = {"UCAROL": "carol@acme", "UALICE": "alice@acme", "UFRANK": "frank@acme"}




@pytest.fixture()
def slack_api(kit: ModuleType) -> Iterator[Any]:
    api = kit.RecordingSlackAPI()
    api.start()
    yield api
    api.stop()


@pytest.fixture()
def slack_server(kit: ModuleType, slack_api: Any, tmp_path: Path) -> Iterator[Any]:
    from agent.backends.scripted import ScriptedChat
    from server.app import create_app
    from server.bootstrap import build_container
    from server.settings import Settings

    settings = Settings(_env_file=None, data_dir=tmp_path / "data", slack_enabled=True,  # type: ignore[call-arg]
                        slack_bot_token="xoxb-test-token", slack_signing_secret=SIGNING_SECRET,
                        slack_api_url=slack_api.base_url, slack_user_map=USER_MAP, slack_update_interval_s=0.2,
                        notify_poll_s=0.2, notify_max_backoff_s=0.5)
    text = ("October rent was 42,000.00 USD, booked to account 6100 on the 5th, in line with the HQ lease; "
            "no other rent postings were made this month.")
    turns = kit.ScriptedTurns(lambda actor, message, thread_id: kit.words(text, thread_id), delay_s=0.03)
    container = build_container(settings, chat_model=ScriptedChat(["unused"], cycle=True),
                                turns=lambda _models: turns)
    kit.setup_company(container.db, "acme")
    with kit.ServerThread(create_app(container, load_model=False)) as running:
        running.container = container
        running.answer = text
        yield running
