"""One CRM record by id, within the tenant (not found otherwise). Below the CRM queries and services, so the
service desk (tickets name a CRM account) can check an account without importing the CRM queries, which read the
service desk's ticket counts for the account 360."""

from __future__ import annotations

from sqlalchemy.orm import Session

from erp_core.crm.models import CrmAccount, Opportunity
from erp_core.errors import not_found


def load_account(session: Session, tenant: str, account_id: int) -> CrmAccount:
    account = session.get(CrmAccount, account_id)
    if account is None or account.tenant != tenant:
        raise not_found("account", account_id)
    return account


def load_opportunity(session: Session, tenant: str, opportunity_id: int) -> Opportunity:
    opp = session.get(Opportunity, opportunity_id)
    if opp is None or opp.tenant != tenant:
        raise not_found("opportunity", opportunity_id)
    return opp
