"""A write the user's roles cannot make, or data they may not read: say so instead of calling a different tool.

The router ranks a request only against the tools the actor may use, so an employee's "Book 1,500 of travel paid
from cash" used to land on the nearest write an employee *can* make (a leave request). Ranked against every tool, the
same request clearly matches ``propose_journal_entry``: when the best match overall is a proposal tool the actor may
not use, and it leads everything the actor may use, the turn declines and names the role the write needs. The same
holds for reads: an employee's "which tickets are breaching their SLA?" is a service-desk question, answered for
sales roles only, and "I can't look up news" (the nearest thing the assistant lacks) was no answer to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.decision import ANSWER
from agent.routing import ToolRouter
from erp_core.identity import Actor
from tools.registry import ToolRegistry

# Measured on the catalogue's example requests (scores of the int8/float MiniLM router): a write request the actor
# cannot make scores 0.67-1.0 on its proposal tool and at least 0.15 above the actor's own best tool.
MIN_SCORE = 0.55
MIN_LEAD = 0.1
# Ranks against every tool: admin may use them all (``ToolSpec.allowed``).
_EVERYTHING = frozenset({"admin"})


@dataclass(frozen=True, slots=True)
class RoleGap:
    tool: str
    roles: tuple[str, ...]
    actor_roles: tuple[str, ...]
    proposes: bool = True

    def capability(self) -> str:
        """Completes "I can't …": what was asked, the roles it needs, the roles the user has."""
        what = self.tool.removeprefix("propose_").replace("_", " ")
        needs = " or ".join(role for role in self.roles if role != "admin") or "another"
        have = ", ".join(self.actor_roles) or "none"
        asked = f"draft a {what} for you" if self.proposes else f"answer that from the {what} data for you"
        return (f"{asked}: that needs the {needs} role, and your roles ({have}) do not include it. "
                "Ask a colleague who holds it")


def role_gap(router: ToolRouter, registry: ToolRegistry, actor: Actor, request: str) -> RoleGap | None:
    """The tool ``request`` asks for when the actor's roles do not allow it, else None."""
    everything = router.rank(Actor(actor.user_id, actor.tenant, _EVERYTHING), request).tools
    tools = [r for r in everything if r.name != ANSWER]
    if not tools or everything[0].name == ANSWER or tools[0].score < MIN_SCORE:
        return None
    spec = registry.get(tools[0].name)
    if spec.allowed(actor):
        return None
    own_best = next((r.score for r in tools if registry.get(r.name).allowed(actor)), float("-inf"))
    if tools[0].score - own_best < MIN_LEAD:
        return None
    return RoleGap(spec.name, tuple(sorted(spec.roles)), tuple(sorted(actor.roles)), spec.proposes)
