"""Customers, vendors and deals as people name them ("Northwind", "C0001", "the landlord", "deal 587") → records.

Customer names resolve against the CRM accounts (whose codes equal the AR customer codes), so one name serves the
account 360, the pipeline and receivables. A sales rep only ever sees candidates from their own book: the CRM's
``owner_scope`` decides that, here as everywhere.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.apar.models import Customer, Vendor
from erp_core.crm.access import owner_scope
from erp_core.crm.models import OPEN_STAGES, CrmAccount, Opportunity
from erp_core.errors import ErrorCode, NexusError
from erp_core.identity import Actor
from erp_core.resolve.names import match_name

# What people call the demo vendors by their role rather than their name.
VENDOR_ALIASES: dict[str, tuple[str, ...]] = {
    "Silicon Valley Realty": ("landlord", "hq lease", "office landlord"),
    "Berliner Immobilien GmbH": ("landlord", "office landlord", "vermieter"),
    "CloudScale Hosting": ("hosting", "cloud provider"),
    "Telekom Cloud Services": ("hosting", "cloud provider"),
    "Baker & Lowe LLP": ("lawyers", "law firm", "legal counsel"),
    "Kanzlei Müller & Partner": ("lawyers", "law firm", "legal counsel"),
    "BrightAds Media": ("ad agency", "advertising agency"),
    "Adwerk Marketing GmbH": ("ad agency", "advertising agency"),
}
_DEAL_ID = re.compile(r"^(?:deal|opportunity|opp)?\s*[-#:]?\s*(\d+)$", re.IGNORECASE)


def resolve_customer(session: Session, actor: Actor, text: str) -> CrmAccount:
    """The CRM account ``text`` names (code or name), among the accounts the actor may see.

    Raises:
        NexusError: FORBIDDEN for roles without CRM access; UNKNOWN_NAME / AMBIGUOUS_NAME with candidates.
    """
    owner = owner_scope(actor)
    stmt = select(CrmAccount).where(CrmAccount.tenant == actor.tenant)
    if owner is not None:
        stmt = stmt.where(CrmAccount.owner_user_id == owner)
    accounts = {a.code: a for a in session.scalars(stmt)}
    match = match_name(text, [(a.code, a.name) for a in accounts.values()], what="customer")
    return accounts[match.ident]


def resolve_vendor(session: Session, tenant: str, text: str) -> Vendor:
    """The active vendor ``text`` names: code, name, or what people call it ("the landlord")."""
    vendors = {v.code: v for v in session.scalars(select(Vendor).where(Vendor.tenant == tenant,
                                                                        Vendor.active.is_(True)))}
    match = match_name(text, [(v.code, v.name, VENDOR_ALIASES.get(v.name, ())) for v in vendors.values()],
                       what="vendor")
    return vendors[match.ident]


def resolve_ledger_party(session: Session, tenant: str, text: str, kind: str) -> tuple[str, str, str, str]:
    """(kind, code, name, currency) of the customer (``kind`` "invoice") or vendor ("bill") ``text`` names.

    People name a party without saying which side of the ledger it is on ("what's open with Wayne Industrial?"), and
    a router can pick the wrong side: a name that matches nobody on the asked side but someone on the other answers
    for that side. A name that matches neither raises the asked side's error (its candidates are what was asked).
    """
    try:
        return kind, *_ledger_party(session, tenant, text, kind)
    except NexusError as asked:
        if asked.code is not ErrorCode.UNKNOWN_NAME:
            raise
        other = "invoice" if kind == "bill" else "bill"
        try:
            return other, *_ledger_party(session, tenant, text, other)
        except NexusError:
            raise asked from None


def _ledger_party(session: Session, tenant: str, text: str, kind: str) -> tuple[str, str, str]:
    if kind == "bill":
        vendor = resolve_vendor(session, tenant, text)
        return vendor.code, vendor.name, vendor.currency
    customers = {c.code: c for c in session.scalars(select(Customer).where(Customer.tenant == tenant,
                                                                            Customer.active.is_(True)))}
    match = match_name(text, [(c.code, c.name) for c in customers.values()], what="customer")
    customer = customers[match.ident]
    return customer.code, customer.name, customer.currency


def resolve_opportunity(session: Session, actor: Actor, text: str, *, open_only: bool = True) -> Opportunity:
    """The deal ``text`` names: its id ("587", "deal 587", "OPP-587") or its name ("Falcon - Fleet renewal 587"),
    among the deals the actor may see (open deals only, by default)."""
    owner = owner_scope(actor)
    said = text.strip()
    if m := _DEAL_ID.match(said):
        deal = session.get(Opportunity, int(m.group(1)))
        if deal is not None and deal.tenant == actor.tenant and owner in (None, deal.owner_user_id):
            return deal
        raise NexusError(ErrorCode.NOT_FOUND, f"opportunity {m.group(1)} not found")
    stmt = (select(Opportunity, CrmAccount.name).join(CrmAccount, CrmAccount.id == Opportunity.account_id)
            .where(Opportunity.tenant == actor.tenant))
    if open_only:
        stmt = stmt.where(Opportunity.stage.in_(OPEN_STAGES))
    if owner is not None:
        stmt = stmt.where(Opportunity.owner_user_id == owner)
    deals: dict[str, Opportunity] = {}
    records: list[tuple[str, str, tuple[str, ...]]] = []
    for opp, account in session.execute(stmt).tuples():
        deals[str(opp.id)] = opp
        # "Northwind fleet renewal": the account's full name with the deal's subject
        records.append((str(opp.id), opp.name, (f"{account} {opp.name.split(' - ', 1)[-1]}",)))
    match = match_name(said, records, what="deal")
    return deals[match.ident]
