"""FastAPI dependencies: the container built at start-up and the Actor behind the bearer token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from erp_core.identity import Actor

if TYPE_CHECKING:
    from server.bootstrap import Container


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def current_actor(request: Request) -> Actor:
    """The authenticated Actor; raises NexusError(UNAUTHENTICATED) → 401 when the token is missing or invalid."""
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    container = get_container(request)
    actor = container.authenticator.authenticate(request.headers.get("authorization"))
    request.state.actor = actor
    return actor


ContainerDep = Annotated["Container", Depends(get_container)]
ActorDep = Annotated[Actor, Depends(current_actor)]
