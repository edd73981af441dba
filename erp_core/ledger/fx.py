"""Exchange rates used to express foreign-currency entries in the functional currency (approval thresholds)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from erp_core.audit import AuditEvent, append
from erp_core.errors import Issue, validation_error
from erp_core.identity import Actor
from erp_core.ledger.commands import SetExchangeRate
from erp_core.ledger.models import ExchangeRate
from erp_core.ledger.roles import ACCOUNT_ADMINS
from erp_core.money import MoneyError, minor_units
from erp_core.tenancy import functional_currency, require_role


def set_exchange_rate(cmd: SetExchangeRate, actor: Actor, session: Session) -> ExchangeRate:
    """Record (or replace) the rate for a currency and day (roles: admin, controller); audited."""
    require_role(actor, ACCOUNT_ADMINS, "setting exchange rates")
    issues = []
    try:
        minor_units(cmd.currency)
    except MoneyError:
        issues.append(Issue("unknown_currency", f"unknown currency {cmd.currency}", "currency"))
    if cmd.currency == functional_currency(session, actor.tenant):
        issues.append(Issue("functional_currency", "the functional currency has no exchange rate", "currency"))
    if not cmd.rate.is_finite() or cmd.rate <= 0:
        issues.append(Issue("invalid_rate", "rate must be a positive decimal", "rate"))
    if issues:
        raise validation_error(issues)
    rate = session.scalars(select(ExchangeRate).where(
        ExchangeRate.tenant == actor.tenant, ExchangeRate.currency == cmd.currency,
        ExchangeRate.rate_date == cmd.rate_date)).first()
    if rate is None:
        rate = ExchangeRate(tenant=actor.tenant, currency=cmd.currency, rate_date=cmd.rate_date, rate="0")
        session.add(rate)
    rate.rate = f"{cmd.rate:f}"
    session.flush()
    append(session, actor.tenant, AuditEvent(actor.user_id, "fx_rate.set", "fx_rate",
                                             f"{cmd.currency}@{cmd.rate_date}", {"rate": rate.rate}))
    return rate
