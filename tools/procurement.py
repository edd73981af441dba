"""Procurement tool: draft a purchase order from a vendor name and plain order lines; the policy routes its approval
by amount (manager, controller or CFO) after the requester confirms it. Nothing is ordered until then."""

from __future__ import annotations

from erp_core.approvals.engine import get_approval
from erp_core.procurement.service import PoLineIn, RaisePurchaseOrder, raise_purchase_order
from erp_core.resolve.accounts import resolve_account
from erp_core.resolve.departments import resolve_department_name
from erp_core.resolve.domain_queries import PurchaseOrderDraft
from erp_core.resolve.parties import resolve_vendor
from erp_core.resolve.people import employee_of_actor
from tools.context import ToolContext
from tools.output import ToolOutput
from tools.proposals import approval_card
from tools.registry import tool


@tool("propose_purchase_order", PurchaseOrderDraft, proposes=True, examples=(
    "Order 10 monitors at 349 each from Pacific Steel Supply", "Raise a PO to CloudScale for 12 months of hosting at "
    "2,000 a month", "I need to buy 3 laptops for the engineering team", "Create a purchase order for BrightAds, "
    "one campaign at 15,000"))
def propose_purchase_order(ctx: ToolContext, draft: PurchaseOrderDraft) -> ToolOutput:
    """Prepare a purchase order to a vendor; you confirm it and the approver for its amount approves it."""
    with ctx.db.unit_of_work() as session:
        vendor = resolve_vendor(session, ctx.actor.tenant, draft.vendor)
        department = (resolve_department_name(session, ctx.actor.tenant, draft.department).code if draft.department
                      else employee_of_actor(session, ctx.actor).department_code)
        tenant = ctx.actor.tenant
        lines = [PoLineIn(description=line.description, quantity=line.quantity, unit_price=line.unit_price,
                          account_code=resolve_account(session, tenant, line.account, postable_only=True).code)
                 for line in draft.lines]
        cmd = RaisePurchaseOrder(vendor_code=vendor.code, department_code=department, description=draft.description,
                                 lines=lines)
        po = raise_purchase_order(cmd, ctx.actor, session, require_human_approval=True)
        request = get_approval(po.approval_id, ctx.actor, session) if po.approval_id else None
        vendor_name = vendor.name
        order = {"purchase_order_id": po.id, "number": po.number, "vendor": f"{po.vendor_code} {vendor_name}",
                 "department": po.department_code, "total": po.total, "currency": po.currency, "lines": po.lines,
                 "summary": f"purchase order {po.number} to {vendor_name}"}
        commitment = {"vendor": po.vendor_code, "department": po.department_code, "amount": po.total,
                      "currency": po.currency}
        card = approval_card(session, request, order, {"commitment": commitment}) if request else None
    if card is None:
        return ToolOutput(f"Purchase order {po.number} ({po.total} {po.currency}) is {po.status}", {"order": order})
    return ToolOutput(f"Purchase order {po.number} to {vendor_name} for {po.total} {po.currency} is prepared and waits "
                      f"for {', '.join(card.approvers)} (approval {card.approval_id}); nothing is ordered until then",
                      {"order": order, "approval_id": card.approval_id}, approval=card)
