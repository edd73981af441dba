"""Who may decide which requirement of a request: roles, named users, and delegations."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from erp_core.approvals.models import ApprovalDecision, ApprovalDelegation, ApprovalRequest
from erp_core.approvals.policy import Requirement
from erp_core.identity import Actor


@dataclass(frozen=True, slots=True)
class Capacity:
    """The requirement an actor would fill, and for whom when acting as a delegate."""

    requirement: Requirement
    on_behalf_of: str | None


def requirements_of(request: ApprovalRequest) -> list[Requirement]:
    return [Requirement.model_validate(item) for item in json.loads(request.requirements)]


def capacities(requirement: Requirement, actor: Actor, delegations: list[ApprovalDelegation]) -> list[str | None]:
    """Ways ``actor`` can fill ``requirement``: None = in their own right, else the delegator's id.

    A role requirement filled through a delegation still needs the role in the actor's own token now: a delegation
    lends a place, not a role (an employee handed a controller's delegation cannot approve as a controller).
    """
    ways: list[str | None] = []
    if (requirement.role and actor.has_role(requirement.role)) or requirement.user_id == actor.user_id:
        ways.append(None)
    for grant in delegations:
        names_delegator = bool(requirement.user_id) and grant.delegator_id == requirement.user_id
        role = requirement.role
        shares_role = role is not None and grant.role == role and actor.has_role(role)
        if names_delegator or shares_role:
            ways.append(grant.delegator_id)
    return ways


def deciders(decisions: list[ApprovalDecision]) -> frozenset[str]:
    """Everyone whose person or authority a decision used: the deciding user and whom they acted for."""
    return frozenset({d.approver_id for d in decisions} | {d.on_behalf_of for d in decisions if d.on_behalf_of})


def approvals_so_far(decisions: list[ApprovalDecision]) -> Counter[str]:
    return Counter(d.requirement for d in decisions if d.decision == "approve")


def open_capacity(request: ApprovalRequest, decisions: list[ApprovalDecision], actor: Actor,
                  delegations: list[ApprovalDelegation]) -> tuple[Capacity | None, bool]:
    """The first unfilled requirement ``actor`` can fill (own right before delegation), and whether the actor could
    fill some requirement at all (filled or not). Acting for the preparer never counts (segregation of duties)."""
    done = approvals_so_far(decisions)
    could_any = False
    for requirement in requirements_of(request):
        if requirement.confirmation or actor.user_id == request.preparer_id:
            # Only the preparer confirms, in person; the preparer fills nothing else.
            is_preparer = actor.user_id == request.preparer_id
            ways: list[str | None] = [None] if requirement.confirmation and is_preparer else []
        else:
            ways = [way for way in capacities(requirement, actor, delegations) if way != request.preparer_id]
        if not ways:
            continue
        could_any = True
        if done[requirement.key] < requirement.count:
            return Capacity(requirement, ways[0]), True
    return None, could_any


def fully_approved(request: ApprovalRequest, decisions: list[ApprovalDecision]) -> bool:
    done = approvals_so_far(decisions)
    return all(done[r.key] >= r.count for r in requirements_of(request))
