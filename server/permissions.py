"""Role → permission map (from settings) and the FastAPI dependency that enforces one permission.

Roles arrive in the token (Keycloak realm or client roles); which surfaces a role may use is configuration, not code.
What a role may *do* inside the ERP (post, approve) is decided by erp_core's own rules, once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated

from fastapi import Depends, Request

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from server.deps import actor_of, container_of

ALL = "*"


class PermissionMap:
    """Answers "may this actor use permission X" from a role → permissions mapping."""

    def __init__(self, role_permissions: Mapping[str, list[str] | tuple[str, ...]]) -> None:
        self._by_role = {role: frozenset(perms) for role, perms in role_permissions.items()}

    def permissions_of(self, actor: Actor) -> frozenset[str]:
        granted: set[str] = set()
        for role in actor.roles:
            granted |= self._by_role.get(role, frozenset())
        return frozenset(granted)

    def allows(self, actor: Actor, permission: str) -> bool:
        granted = self.permissions_of(actor)
        return ALL in granted or permission in granted

    def check(self, actor: Actor, permission: str) -> None:
        """Raise FORBIDDEN (403) unless one of the actor's roles grants ``permission``."""
        if not self.allows(actor, permission):
            raise NexusError(ErrorCode.FORBIDDEN, f"{actor.user_id} lacks the {permission!r} permission "
                                                  f"(roles: {', '.join(sorted(actor.roles)) or 'none'})")


def permission_map(request: Request) -> PermissionMap:
    return container_of(request).permissions


def require(permission: str) -> Callable[[Request], Awaitable[Actor]]:
    """A dependency returning the authenticated Actor when it holds ``permission`` (401, then 403 otherwise)."""

    async def dependency(request: Request) -> Actor:
        actor = actor_of(request)
        permission_map(request).check(actor, permission)
        return actor

    dependency.__name__ = f"require_{permission}"
    return dependency


ChatActor = Annotated[Actor, Depends(require("chat"))]
ApiActor = Annotated[Actor, Depends(require("api"))]
FeedbackActor = Annotated[Actor, Depends(require("feedback"))]
