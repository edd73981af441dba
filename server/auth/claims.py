"""Turning verified JWT claims into an Actor, the same way for every issuer."""

from __future__ import annotations

from typing import Any

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor


def roles_from_claims(claims: dict[str, Any], client_id: str | None = None) -> frozenset[str]:
    """Keycloak puts realm roles in ``realm_access.roles`` and client roles in ``resource_access.<client>.roles``."""
    roles: set[str] = set()
    realm = claims.get("realm_access")
    if isinstance(realm, dict):
        roles.update(str(r) for r in realm.get("roles", []) if isinstance(r, str))
    resources = claims.get("resource_access")
    if isinstance(resources, dict):
        for name, access in resources.items():
            if client_id is not None and name != client_id:
                continue
            if isinstance(access, dict):
                roles.update(str(r) for r in access.get("roles", []) if isinstance(r, str))
    return frozenset(roles)


def actor_from_claims(claims: dict[str, Any], *, tenant_claim: str = "tenant", client_id: str | None = None) -> Actor:
    subject = claims.get("preferred_username") or claims.get("sub")
    tenant = claims.get(tenant_claim)
    if not isinstance(subject, str) or not subject:
        raise NexusError(ErrorCode.UNAUTHENTICATED, "token has no subject")
    if not isinstance(tenant, str) or not tenant:
        raise NexusError(ErrorCode.UNAUTHENTICATED, f"token has no {tenant_claim!r} claim")
    name = claims.get("name")
    return Actor(user_id=subject, tenant=tenant, roles=roles_from_claims(claims, client_id),
                 display_name=name if isinstance(name, str) else None)
