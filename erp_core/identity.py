"""Who is acting: the value every service and tool receives."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Actor:
    """An authenticated user acting inside one tenant.

    Built at the edge (server from a bearer JWT, CLI from flags) and passed down explicitly; erp_core never looks
    identity up on its own.
    """

    user_id: str
    tenant: str
    roles: frozenset[str] = field(default_factory=frozenset)
    display_name: str | None = None

    def has_role(self, *roles: str) -> bool:
        """True when the actor holds at least one of ``roles``."""
        return not self.roles.isdisjoint(roles)

    @classmethod
    def of(cls, user_id: str, tenant: str, roles: str | list[str] | tuple[str, ...] = ()) -> Actor:
        """Convenience constructor; ``roles`` may be a comma-separated string."""
        if isinstance(roles, str):
            roles = [r for r in (part.strip() for part in roles.split(",")) if r]
        return cls(user_id=user_id, tenant=tenant, roles=frozenset(roles))
