"""Slack user ↔ Nexus user mapping (settings) and the Slack Web API client pointed where settings say."""

from __future__ import annotations

from typing import TYPE_CHECKING

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor

if TYPE_CHECKING:
    from slack_sdk.web.async_client import AsyncWebClient
    from slack_sdk.web.client import WebClient

    from erp_core.db import Database
    from server.settings import Settings


class SlackDirectory:
    """``slack_user_map`` both ways; the Nexus side is ``user@tenant`` and its roles come from the ERP directory."""

    def __init__(self, user_map: dict[str, str]) -> None:
        self._to_nexus = dict(user_map)
        self._to_slack = {nexus: slack for slack, nexus in user_map.items()}

    def slack_id_of(self, nexus_user: str) -> str | None:
        return self._to_slack.get(nexus_user)

    def actor_for(self, slack_user: str, db: Database) -> Actor:
        from server.notifications.recipients import directory_actor

        nexus_user = self._to_nexus.get(slack_user)
        if nexus_user is None:
            raise NexusError(ErrorCode.FORBIDDEN, "this Slack user is not linked to a Nexus user; ask an admin to add "
                                                  "you to NEXUS_SLACK_USER_MAP")
        tenant = nexus_user.rsplit("@", 1)[-1]
        with db.read() as session:
            actor = directory_actor(session, tenant, nexus_user)
        if actor is None:
            raise NexusError(ErrorCode.FORBIDDEN, f"{nexus_user} is not in the ERP directory of tenant {tenant}")
        return actor


def _client_kwargs(settings: Settings) -> dict[str, object]:
    kwargs: dict[str, object] = {"timeout": 10}
    if settings.slack_bot_token:
        kwargs["token"] = settings.slack_bot_token.get_secret_value()
    if settings.slack_api_url:
        kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return kwargs


def web_client(settings: Settings) -> WebClient:
    from slack_sdk.web.client import WebClient

    return WebClient(**_client_kwargs(settings))  # type: ignore[arg-type]


def async_web_client(settings: Settings) -> AsyncWebClient:
    from slack_sdk.web.async_client import AsyncWebClient

    return AsyncWebClient(**_client_kwargs(settings))  # type: ignore[arg-type]
