"""The purchase order proposal: names resolve to codes, the policy picks the approver by amount, the requester must
confirm too, and the order stays a pending draft until every approval is in."""

from __future__ import annotations

import pytest

from erp_core.approvals.engine import approve
from erp_core.db import Database
from erp_core.errors import NexusError
from erp_core.procurement.models import PurchaseOrder
from tests.integration.tools.conftest import acme, run_tool
from tools.errors import classify

EVE = acme("eve")


def _status(db: Database, po_id: int) -> str:
    with db.read() as session:
        po = session.get(PurchaseOrder, po_id)
        assert po is not None
        return po.status


def test_a_small_order_waits_for_the_requester_and_their_manager(demo_db: Database) -> None:
    out = run_tool(demo_db, EVE, "propose_purchase_order", {
        "vendor": "CloudScale", "description": "Build farm hosting",
        "lines": [{"description": "hosting month", "account": "software", "quantity": 2, "unit_price": "1500"}]})
    assert out.approval is not None and set(out.approval.approvers) == {"paul.taylor@acme", "eve@acme"}
    card = out.approval.draft
    assert (card["vendor"], card["department"], card["total"]) == ("V0003 CloudScale Hosting", "ENG", "3000.00")
    assert card["lines"][0]["account_code"] == "6300"
    with demo_db.unit_of_work() as session:
        approve(out.approval.approval_id, out.approval.payload_hash, EVE, session)
    assert _status(demo_db, card["purchase_order_id"]) != "approved"
    with demo_db.unit_of_work() as session:
        approve(out.approval.approval_id, out.approval.payload_hash, acme("paul.taylor"), session)
    assert _status(demo_db, card["purchase_order_id"]) == "approved"


def test_a_larger_order_goes_to_a_controller(demo_db: Database) -> None:
    out = run_tool(demo_db, acme("alice", "accountant"), "propose_purchase_order", {
        "vendor": "the landlord", "description": "Parking spaces for a year", "department": "finance",
        "lines": [{"description": "parking", "account": "rent", "quantity": 12, "unit_price": "2500.00"}]})
    assert out.approval is not None and "controller" in out.approval.approvers
    assert out.approval.draft["total"] == "30000.00"


def test_an_unknown_vendor_is_fixable(demo_db: Database) -> None:
    with pytest.raises(NexusError) as err:
        run_tool(demo_db, EVE, "propose_purchase_order", {
            "vendor": "Totally Unknown Widgets", "description": "widgets",
            "lines": [{"description": "widget", "unit_price": "10"}]})
    failure = classify(err.value)
    assert failure.kind == "fixable" and failure.candidates
