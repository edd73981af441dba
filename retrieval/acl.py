"""Who may read which documents: the one place where roles become ACL groups.

Documents carry ACL groups (``all``, ``finance``, ``hr``, ``executives``, ``sales``); a reader sees a document when
they are in its tenant and hold at least one of its groups. Every search and every graph query that returns
documents takes an ``AccessScope`` built here, never a tenant or group list taken from a request.
"""

from __future__ import annotations

import re

from erp_core.errors import ErrorCode, Issue, NexusError
from erp_core.identity import Actor
from retrieval.ports import AccessScope

ACL_GROUPS: frozenset[str] = frozenset({"all", "finance", "hr", "executives", "sales"})

_GROUPS_BY_ROLE: dict[str, frozenset[str]] = {
    "employee": frozenset({"all"}),
    "accountant": frozenset({"all", "finance"}),
    "controller": frozenset({"all", "finance"}),
    "cfo": frozenset({"all", "finance", "executives"}),
    "sales_rep": frozenset({"all", "sales"}),
    "sales_manager": frozenset({"all", "sales"}),
    "hr": frozenset({"all", "hr"}),
    "admin": frozenset({"all", "executives"}),
}

# Tenant ids and group names end up inside store filter expressions; this keeps them inert.
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def groups_for_roles(roles: frozenset[str] | set[str]) -> frozenset[str]:
    """ACL groups granted by ``roles``. Every authenticated user is in ``all``; unknown roles grant nothing more."""
    groups: set[str] = {"all"}
    for role in roles:
        groups |= _GROUPS_BY_ROLE.get(role, frozenset())
    return frozenset(groups)


def scope_for(actor: Actor) -> AccessScope:
    """The AccessScope of an authenticated actor."""
    check_name("tenant", actor.tenant)
    return AccessScope(tenant=actor.tenant, groups=groups_for_roles(actor.roles))


def check_name(field: str, value: str) -> str:
    """Rejects tenant ids or group names that are not plain lowercase identifiers."""
    if not _SAFE_NAME.match(value):
        raise NexusError(ErrorCode.VALIDATION_FAILED, f"invalid {field} {value!r}",
                         issues=[Issue("invalid_name", "use lowercase letters, digits, '-' and '_'", field)])
    return value


def check_acl_groups(groups: list[str] | tuple[str, ...], field: str = "acl") -> tuple[str, ...]:
    """Validates a document's ACL list against the known groups; an empty list would hide a document from all."""
    issues = [Issue("unknown_group", f"unknown ACL group {g!r}; known: {sorted(ACL_GROUPS)}", field)
              for g in groups if g not in ACL_GROUPS]
    if not groups:
        issues.append(Issue("empty_acl", "a document needs at least one ACL group", field))
    if issues:
        raise NexusError(ErrorCode.VALIDATION_FAILED, "; ".join(i.message for i in issues), issues=issues)
    return tuple(sorted(set(groups)))
