"""``POST /slack/events``: Slack's Events API, slash commands and interactivity (HTTP mode), handled by slack-bolt.

Bolt checks the request signature (``X-Slack-Signature`` with the signing secret, ``X-Slack-Request-Timestamp``
within five minutes) before any listener runs; a bad signature gets 401. With Slack disabled the route answers 404
before anything Slack-related is imported: an install without Slack never loads slack-bolt or its aiohttp client.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from erp_core.errors import ErrorCode, NexusError
from server.deps import ContainerDep

router = APIRouter(tags=["slack"])


@router.post("/slack/events", include_in_schema=False)
async def slack_events(request: Request, container: ContainerDep) -> Response:
    if not container.settings.slack_enabled:
        raise NexusError(ErrorCode.NOT_FOUND, "the Slack integration is not enabled")
    if container.slack_bot is None:
        raise NexusError(ErrorCode.NOT_FOUND, "the Slack integration is not enabled")
    return await container.slack_bot().request_handler.handle(request)
