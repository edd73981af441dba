"""The approval card every proposal tool returns, and the event payload clients receive from it."""

from agent.events import ApprovalRequired
from tools.output import ApprovalCard


def test_the_card_payload_is_the_approval_required_event() -> None:
    card = ApprovalCard(approval_id="ap1", draft={"summary": "leave request"}, impact={"leave": []},
                        payload_hash="h" * 64, approvers=["carol@acme"])
    payload = card.payload()
    assert list(payload) == ["approval_id", "draft", "impact", "payload_hash", "approvers"]
    assert ApprovalRequired(**payload) == ApprovalRequired("ap1", {"summary": "leave request"}, {"leave": []},
                                                           "h" * 64, ["carol@acme"])
