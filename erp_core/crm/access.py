"""Who may read and change CRM data.

Sales managers, the CFO, the controller and admins see every deal of the tenant; a sales rep sees and edits the deals
and accounts they own; everyone else is refused.
"""

from __future__ import annotations

import datetime as dt

from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor

ALL_DEALS_ROLES = ("sales_manager", "cfo", "controller", "admin")
SALES_ROLES = ("sales_rep", *ALL_DEALS_ROLES)


def owner_scope(actor: Actor) -> str | None:
    """None when the actor sees all deals; otherwise the only owner whose deals they see."""
    if actor.has_role(*ALL_DEALS_ROLES):
        return None
    if actor.has_role("sales_rep"):
        return actor.user_id
    raise NexusError(ErrorCode.FORBIDDEN, "CRM data is visible to sales, finance leadership and admins only")


def ensure_can_edit(actor: Actor, owner_user_id: str) -> None:
    if actor.has_role("sales_manager", "admin"):
        return
    if actor.has_role("sales_rep") and owner_user_id == actor.user_id:
        return
    raise NexusError(ErrorCode.FORBIDDEN, "only the deal owner or a sales manager may change this opportunity")


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back naive; they were stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
