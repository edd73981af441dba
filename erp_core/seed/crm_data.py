"""Customers and vendors (AP/AR parties), CRM accounts, contacts, deals, activities and service tickets."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from erp_core.apar.commands import CreateParty
from erp_core.apar.services import create_party
from erp_core.crm.models import OPEN_STAGES, STAGE_PROBABILITY, Activity, Contact, CrmAccount, Opportunity
from erp_core.identity import Actor
from erp_core.seed.facts import KEY_CUSTOMERS, KEY_VENDORS, TenantFacts
from erp_core.seed.names import company, person
from erp_core.servicedesk.models import SLA_HOURS, Ticket

INDUSTRIES = ("Manufacturing", "Logistics", "Healthcare", "Energy", "Retail", "Automotive", "Finance", "Food",
              "Aerospace", "Public sector")
VENDOR_ACCOUNTS = ("6110", "6300", "6400", "6500", "6600", "6200", "6300", "6400", "1200", "1200", "5020")
TICKET_SUBJECTS = {
    "hardware": ("Robot arm calibration drift", "Gripper fault on line {n}", "Controller reboot loop",
                 "Sensor replacement needed"),
    "software": ("Firmware update failed", "Dashboard not loading", "API returns 500 on export",
                 "License key not accepted"),
    "billing": ("Invoice amount disputed", "Duplicate charge on invoice", "Need copy of invoice",
                "Payment not applied"),
    "installation": ("On-site installation scheduling", "Site survey request", "Power requirements question"),
    "training": ("Operator training request", "Admin training for new staff"),
}


@dataclass(frozen=True, slots=True)
class Party:
    code: str
    name: str
    weight: float  # relative share of business
    payer: str  # customers: prompt, slow, late, never; vendors: the account they bill
    account_id: int | None = None


def seed_parties(session: Session, tenant: TenantFacts, actor: Actor, customers: int, vendors: int,
                 rng: random.Random) -> tuple[list[Party], list[Party]]:
    """AR customers and AP vendors through the AP/AR service (audited), key accounts first."""
    german = tenant.id == "globex"
    taken: set[str] = set(KEY_CUSTOMERS[tenant.id])
    cust: list[Party] = []
    for i in range(customers):
        name = KEY_CUSTOMERS[tenant.id][i] if i < len(KEY_CUSTOMERS[tenant.id]) else company(rng, german, taken)
        weight = 6.0 if i < 10 else rng.lognormvariate(0, 0.8)
        payer = rng.choices(("prompt", "slow", "late", "never"), (70, 20, 8, 2))[0] if i >= 3 else "prompt"
        cust.append(Party(f"C{i + 1:04d}", name, weight, payer))
        create_party("customer", CreateParty(code=f"C{i + 1:04d}", name=name, payment_terms_days=30), actor, session)
    taken_v: set[str] = {name for name, _ in KEY_VENDORS[tenant.id]}
    vend: list[Party] = []
    for i in range(vendors):
        if i < len(KEY_VENDORS[tenant.id]):
            name, account = KEY_VENDORS[tenant.id][i]
        else:
            name, account = company(rng, german, taken_v), rng.choice(VENDOR_ACCOUNTS)
        vend.append(Party(f"V{i + 1:04d}", name, 4.0 if i < 5 else rng.lognormvariate(0, 0.7), account))
        create_party("vendor", CreateParty(code=f"V{i + 1:04d}", name=name, payment_terms_days=45), actor, session)
    return cust, vend


def seed_crm(session: Session, tenant: TenantFacts, customers: list[Party], reps: list[str], n_opps: int,
             start: dt.date, as_of: dt.date, rng: random.Random) -> list[CrmAccount]:
    """One CRM account per customer (same code), 1-3 contacts each, deals and their activities."""
    german = tenant.id == "globex"
    now = dt.datetime.combine(as_of, dt.time(17, 0), tzinfo=dt.UTC)
    accounts = [CrmAccount(tenant=tenant.id, code=c.code, name=c.name, industry=rng.choice(INDUSTRIES),
                           country="DE" if german else "US",
                           segment="enterprise" if c.weight > 2 else ("mid_market" if c.weight > 0.7 else "smb"),
                           owner_user_id=reps[i % len(reps)],
                           created_at=dt.datetime.combine(start, dt.time(9), tzinfo=dt.UTC))
                for i, c in enumerate(customers)]
    session.add_all(accounts)
    session.flush()
    contacts = []
    for account in accounts:
        for _ in range(rng.randint(1, 3)):
            first, last = person(rng, german)
            contacts.append({"tenant": tenant.id, "account_id": account.id, "name": f"{first} {last}",
                             "email": f"{first.lower()}.{last.lower()}@{account.code.lower()}.example",
                             "title": rng.choice(("CFO", "Head of Operations", "Plant Manager", "Procurement Lead",
                                                  "CTO", "Buyer")), "phone": f"+1-555-{rng.randint(1000, 9999)}"})
    session.execute(insert(Contact), contacts)
    median = 45_000 if tenant.id == "acme" else 30_000
    window = (as_of - start).days
    opps: list[Opportunity] = []
    for i in range(n_opps):
        idx = min(len(accounts) - 1, int(rng.paretovariate(1.2)) - 1) if rng.random() < 0.3 else \
            rng.randrange(len(accounts))
        account, party = accounts[idx], customers[idx]
        created = start + dt.timedelta(days=rng.randint(0, window - 1))
        amount = round(median * rng.lognormvariate(0, 0.7) * (2.5 if party.weight > 2 else 1), -2)
        close = created + dt.timedelta(days=rng.randint(20, 160))
        if close < as_of - dt.timedelta(days=45) or (close < as_of and rng.random() < 0.7):
            stage = "closed_won" if rng.random() < 0.36 else "closed_lost"
            changed = dt.datetime.combine(close, dt.time(15), tzinfo=dt.UTC)
        else:
            stage = rng.choice(OPEN_STAGES)
            if close < as_of and rng.random() < 0.5:
                close = as_of + dt.timedelta(days=rng.randint(5, 200))
            changed = now - dt.timedelta(days=rng.randint(0, min(120, max(1, (as_of - created).days))))
        created_at = dt.datetime.combine(created, dt.time(10), tzinfo=dt.UTC)
        changed = max(changed, created_at)
        opps.append(Opportunity(
            tenant=tenant.id, account_id=account.id, name=f"{party.name.split()[0]} - "
            f"{rng.choice(('Line expansion', 'Fleet renewal', 'Service contract', 'Pilot cell', 'Upgrade'))} {i + 1}",
            stage=stage, amount_minor=int(amount) * 100, currency=tenant.currency, close_date=close,
            probability=STAGE_PROBABILITY[stage], owner_user_id=account.owner_user_id if rng.random() < 0.8
            else rng.choice(reps), created_at=created_at, updated_at=changed, stage_changed_at=changed,
            closed_at=changed if stage.startswith("closed") else None))
    session.add_all(opps)
    session.flush()
    activities = []
    for opp in opps:
        end = min(opp.close_date, as_of)
        created = opp.created_at.date()
        span = max(1, (end - created).days)
        quiet = opp.stage in OPEN_STAGES and rng.random() < 0.25  # these deals go silent: "no recent activity"
        for _ in range(rng.randint(1, 6)):
            day = created + dt.timedelta(days=rng.randint(0, span))
            if quiet:
                day = min(day, as_of - dt.timedelta(days=35 + rng.randint(0, 60)))
            day = max(day, created)
            activities.append({"tenant": tenant.id, "account_id": opp.account_id, "opportunity_id": opp.id,
                               "kind": rng.choice(("call", "email", "meeting", "demo", "note")),
                               "subject": rng.choice(("Discovery call", "Sent proposal", "Pricing discussion",
                                                      "Technical demo", "Follow-up e-mail", "Site visit")),
                               "occurred_at": dt.datetime.combine(day, dt.time(rng.randint(8, 17)), tzinfo=dt.UTC),
                               "user_id": opp.owner_user_id})
    session.execute(insert(Activity), activities)
    return accounts


def seed_tickets(session: Session, tenant: TenantFacts, accounts: list[CrmAccount], agents: list[str], count: int,
                 start: dt.date, as_of: dt.date, rng: random.Random) -> None:
    """Tickets over the history window; resolution times scatter around the SLA so some breach."""
    end = dt.datetime.combine(as_of, dt.time(18), tzinfo=dt.UTC)
    begin = dt.datetime.combine(start, dt.time(8), tzinfo=dt.UTC)
    seconds = int((end - begin).total_seconds())
    rows: list[dict[str, Any]] = []
    for i in range(count):
        opened = begin + dt.timedelta(seconds=rng.randint(0, seconds))
        priority = rng.choices(("urgent", "high", "medium", "low"), (5, 20, 50, 25))[0]
        category = rng.choice(tuple(TICKET_SUBJECTS))
        due = opened + dt.timedelta(hours=SLA_HOURS[priority])
        took = dt.timedelta(hours=SLA_HOURS[priority] * rng.lognormvariate(math.log(0.55), 0.6))
        resolved = opened + took
        if resolved > end:
            status, resolved_at = rng.choice(("open", "in_progress", "waiting")), None
        else:
            status = "closed" if resolved + dt.timedelta(days=3) < end else "resolved"
            resolved_at = resolved
        rows.append({"tenant": tenant.id, "number": f"TCK-{i + 1:06d}",
                     "subject": rng.choice(TICKET_SUBJECTS[category]).format(n=rng.randint(1, 9)),
                     "account_id": rng.choice(accounts).id, "priority": priority, "status": status,
                     "category": category, "assignee_user_id": rng.choice(agents), "opened_by": rng.choice(agents),
                     "opened_at": opened, "sla_due_at": due, "resolved_at": resolved_at})
    rows.sort(key=lambda r: r["opened_at"])
    for n, row in enumerate(rows, start=1):
        row["number"] = f"TCK-{n:06d}"
    session.execute(insert(Ticket), rows)
