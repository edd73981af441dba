"""Delegation cannot stand in for a second approver (issue 19): a delegate must hold the role when deciding, a
delegator and her delegates count as one approver, no delegation to unknown or other tenants' users, delegations are
listed and revoked, and every decision's audit record names who acted and whose authority was used.

Runs on SQLite and PostgreSQL like the other ledger tests (the ``company`` fixture).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from erp_core import approvals, ledger
from erp_core.approvals import DelegateApprovals, PolicyRule
from erp_core.audit import AuditRecord
from erp_core.directory import DirectoryUser
from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Company

TODAY = dt.date.today()


def staff(company: Company) -> dict[str, Actor]:
    """Directory users of the tenant (delegation checks the directory) and their token identities."""
    people = {"alice": "accountant,employee", "carol": "controller,employee", "dave": "controller,employee",
              "zoe": "controller,employee", "eve": "employee", "ida": "auditor,employee"}
    with company.db.unit_of_work() as session:
        for name, roles in people.items():
            session.add(DirectoryUser(tenant=company.tenant, user_id=f"{name}@{company.tenant}",
                                      display_name=name.capitalize(), roles=roles))
    return {name: company.actor(name, roles) for name, roles in people.items()}


def two_controllers(company: Company) -> None:
    """The anomalous-entry policy of the demo (a second controller review) as a plain rule."""
    with company.db.unit_of_work() as session:
        approvals.replace_policies(session, company.tenant, [
            PolicyRule(name="je-two-controllers", document_type=approvals.JOURNAL_ENTRY, min_amount=Decimal(10_000),
                       required_role="controller", approver_count=2)])


def delegate(company: Company, by: Actor, to: Actor, role: str | None = "controller") -> int:
    with company.db.unit_of_work() as session:
        grant = approvals.delegate_approvals(DelegateApprovals(delegate_id=to.user_id, role=role, valid_from=TODAY,
                                                               valid_to=TODAY + dt.timedelta(days=3)), by, session)
        return grant.id


def submit(company: Company, make_entry: Callable[..., Any], key: str, amount: str, by: Actor) -> tuple[str, str]:
    with company.db.unit_of_work() as session:
        result = ledger.submit_journal_entry(make_entry(key, amount), by, session)
    assert result.approval is not None
    return result.approval.id, result.entry.payload_hash


def decide(company: Company, approval_id: str, payload_hash: str, who: Actor) -> str:
    with company.db.unit_of_work() as session:
        return approvals.approve(approval_id, payload_hash, who, session).status


def refused(fn: Callable[[], object]) -> NexusError:
    with pytest.raises(NexusError) as err:
        fn()
    return err.value


def test_no_delegation_to_an_employee_an_unknown_user_or_another_tenant(
        company: Company, new_company: Callable[..., Company]) -> None:
    people = staff(company)
    other = new_company(company.db)
    staff(other)
    for target, code in ((people["eve"], "delegate_lacks_role"),
                         (company.actor("ghost", "controller"), "unknown_user"),
                         (other.actor("dave", "controller"), "unknown_user"),
                         (people["carol"], "self_delegation")):
        with pytest.raises(NexusError) as caught:
            delegate(company, people["carol"], target)
        err = caught.value
        assert err.code is ErrorCode.VALIDATION_FAILED and [i.code for i in err.issues] == [code]
    # Nobody can lend a role they do not hold.
    assert refused(lambda: delegate(company, people["eve"], people["dave"])).code is ErrorCode.FORBIDDEN
    with company.db.read() as session:
        assert approvals.list_delegations(people["carol"], session) == []


def test_a_delegate_without_the_role_cannot_approve_even_with_a_delegation_on_record(
        company: Company, make_entry: Callable[..., Any]) -> None:
    people = staff(company)
    with company.db.unit_of_work() as session:  # as an older release could have stored it
        session.add(approvals.ApprovalDelegation(tenant=company.tenant, delegator_id=people["carol"].user_id,
                                                 delegate_id=people["eve"].user_id, role="controller",
                                                 valid_from=TODAY, valid_to=TODAY))
    approval_id, digest = submit(company, make_entry, "eve-alone", "12000.00", people["alice"])
    err = refused(lambda: decide(company, approval_id, digest, people["eve"]))
    assert err.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND)
    with company.db.read() as session:
        assert approvals.list_pending_for(people["eve"], session) == []
        assert ledger.get_journal_entry(
            approvals.get_approval(approval_id, people["alice"], session).document_id,
            people["alice"], session).status == "pending_approval"


@pytest.mark.parametrize("first", ["carol", "dave"])
def test_a_delegator_and_her_delegate_fill_one_slot_of_a_two_controller_rule(
        company: Company, make_entry: Callable[..., Any], first: str) -> None:
    people = staff(company)
    two_controllers(company)
    delegate(company, people["carol"], people["dave"])
    approval_id, digest = submit(company, make_entry, f"two-{first}", "20000.00", people["alice"])
    second = "dave" if first == "carol" else "carol"
    assert decide(company, approval_id, digest, people[first]) == "pending"
    with company.db.read() as session:
        assert approval_id not in {r.id for r in approvals.list_pending_for(people[second], session)}
    err = refused(lambda: decide(company, approval_id, digest, people[second]))
    assert err.code is ErrorCode.CONFLICT and "one approver" in err.message
    # A controller outside the circle completes the review.
    assert decide(company, approval_id, digest, people["zoe"]) == "approved"


def test_after_revocation_the_two_are_separate_approvers_again(
        company: Company, make_entry: Callable[..., Any]) -> None:
    people = staff(company)
    two_controllers(company)
    grant_id = delegate(company, people["carol"], people["dave"])
    approval_id, digest = submit(company, make_entry, "revoked", "20000.00", people["alice"])
    assert decide(company, approval_id, digest, people["carol"]) == "pending"
    with company.db.unit_of_work() as session:
        assert refused(lambda: approvals.revoke_delegation(grant_id, people["dave"], session)).code \
            is ErrorCode.NOT_FOUND  # only the delegator revokes
        view = approvals.delegation_view(approvals.revoke_delegation(grant_id, people["carol"], session))
        assert view["revoked"] is True and view["active"] is False
    with company.db.read() as session:
        listed = [approvals.delegation_view(g) for g in approvals.list_delegations(people["dave"], session)]
    assert [(d["id"], d["revoked"]) for d in listed] == [(grant_id, True)]
    assert decide(company, approval_id, digest, people["dave"]) == "approved"


def test_the_preparers_delegate_counts_as_the_preparer(company: Company, make_entry: Callable[..., Any]) -> None:
    people = staff(company)
    delegate(company, people["alice"], people["dave"], role=None)
    approval_id, digest = submit(company, make_entry, "sod", "12000.00", people["alice"])
    assert refused(lambda: decide(company, approval_id, digest, people["dave"])).code \
        is ErrorCode.SEGREGATION_OF_DUTIES
    assert decide(company, approval_id, digest, people["carol"]) == "approved"


def test_the_audit_record_names_the_acting_user_and_whose_authority(
        company: Company, make_entry: Callable[..., Any]) -> None:
    people = staff(company)
    carol, dave = people["carol"], people["dave"]
    with company.db.unit_of_work() as session:
        approvals.replace_policies(session, company.tenant, [
            PolicyRule(name="je-carol", document_type=approvals.JOURNAL_ENTRY, min_amount=Decimal(10_000),
                       approver_user_id=carol.user_id)])
    delegate(company, carol, dave, role=None)
    approval_id, digest = submit(company, make_entry, "on-behalf", "12000.00", people["alice"])
    assert decide(company, approval_id, digest, dave) == "approved"
    with company.db.read() as session:
        record = session.scalars(select(AuditRecord).where(
            AuditRecord.tenant == company.tenant, AuditRecord.action == "approval.approved",
            AuditRecord.entity_id == approval_id)).one()
        view = approvals.approval_view(approvals.get_approval(approval_id, carol, session), session)
        data, actor_id = json.loads(record.data), record.actor_id
    assert actor_id == dave.user_id
    assert (data["acting_user"], data["authority"], data["on_behalf_of"]) == (dave.user_id, carol.user_id,
                                                                               carol.user_id)
    decisions: Any = view["decisions"]
    assert decisions[0]["on_behalf_of"] == carol.user_id


def test_approval_reads_are_limited_to_preparer_approvers_and_auditors(
        company: Company, make_entry: Callable[..., Any]) -> None:
    people = staff(company)
    approval_id, _ = submit(company, make_entry, "reads", "12000.00", people["alice"])
    with company.db.read() as session:
        for name in ("alice", "carol", "dave", "ida"):
            assert approvals.get_approval(approval_id, people[name], session).id == approval_id
        for intruder in (people["eve"], company.actor("mallory", "accountant,employee")):
            with pytest.raises(NexusError) as err:
                approvals.get_approval(approval_id, intruder, session)
            assert err.value.code is ErrorCode.NOT_FOUND
