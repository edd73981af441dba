"""FastAPI dependencies: the container built at start-up and the Actor behind the bearer token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request

from erp_core.identity import Actor

if TYPE_CHECKING:
    from server.bootstrap import Container


def container_of(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def actor_of(request: Request) -> Actor:
    """The authenticated Actor; raises NexusError(UNAUTHENTICATED) → 401 when the token is missing or invalid."""
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached  # the rate-limit middleware verified the token already
    actor = container_of(request).authenticator.authenticate(request.headers.get("authorization"))
    request.state.actor = actor
    return actor


# The dependencies are coroutines on purpose: FastAPI runs a plain ``def`` dependency in its thread pool, and a thread
# hop per dependency per request adds up (and contends for the GIL) under many concurrent streams. Both do only
# in-memory work (the token check is the one the middleware already does inline).
async def get_container(request: Request) -> Container:
    return container_of(request)


async def current_actor(request: Request) -> Actor:
    return actor_of(request)


ContainerDep = Annotated["Container", Depends(get_container)]
ActorDep = Annotated[Actor, Depends(current_actor)]
