"""Who must be told that an approval waits: the people named by its open requirements, never the preparer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.approvals import ApprovalRequest, list_pending_for
from erp_core.approvals.eligibility import requirements_of
from erp_core.directory import DirectoryUser, users_with_role
from erp_core.identity import Actor


def recipients_of(request: ApprovalRequest, session: Session) -> list[str]:
    """User ids who can approve ``request`` in their own right (role or named approver), sorted."""
    users: set[str] = set()
    for requirement in requirements_of(request):
        if requirement.role:
            users.update(users_with_role(session, request.tenant, requirement.role))
        if requirement.user_id:
            users.add(requirement.user_id)
    users.discard(request.preparer_id)
    return sorted(users)


def directory_actor(session: Session, tenant: str, user_id: str) -> Actor | None:
    """The Actor of a directory user (roles as the ERP directory records them), None when unknown."""
    user = session.scalar(select(DirectoryUser).where(DirectoryUser.tenant == tenant, DirectoryUser.user_id == user_id))
    if user is None:
        return None
    return Actor(user_id=user.user_id, tenant=tenant, roles=user.role_set, display_name=user.display_name)


def pending_count(session: Session, actor: Actor) -> int:
    return len(list_pending_for(actor, session))
