"""What a person reads for the CRM, HR and service desk tools: the asked figures and names in a headline, lists as
tables. Figures are the services' own, only formatted here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from erp_core.crm.views import Account360, PipelineRow, WinRate
from erp_core.hr.views import EmployeeView, LeaveBalanceView
from erp_core.servicedesk.queries import SlaReport, TicketView
from tools.formatting import amount, count, date_words, money, month_words, percent, period_words, short_date
from tools.presentation import Presentation, Table


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{count(n)} {word if n == 1 else (plural or word + 's')}"


def _rate(ratio: float) -> str:
    """A ratio as a percent ("0.4286" → "42.9%"): a win rate, a breach rate."""
    return percent(Decimal(str(ratio)) * 100)


# --- CRM

def pipeline(rows: Sequence[PipelineRow], by: str, *, stage: str | None = None,
             customer: str | None = None, closing: str | None = None) -> Presentation:
    """``closing``: the words of the period the deals are expected to close in ("Q4 2026 (Oct–Dec)"), if asked."""
    deals = sum(r.count for r in rows)
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in rows:
        totals[r.currency][0] += Decimal(r.amount)
        totals[r.currency][1] += Decimal(r.weighted_amount)
    worth = " and ".join(f"{money(a, c)} (weighted {money(w, c)})" for c, (a, w) in sorted(totals.items()))
    scope = (f" with {customer}" if customer else "") + (f" in {stage}" if stage else "") + \
        (f" closing in {closing}" if closing else "")
    headline = f"Open pipeline{scope}: {_plural(deals, 'deal')}" + (f" worth {worth}" if worth else "") + \
        ("." if stage else f", by {by}.")
    body = tuple((r.key, count(r.count), money(r.amount, r.currency), money(r.weighted_amount, r.currency))
                 for r in rows)
    columns = (by.replace("_", " ").capitalize(), "Deals", "Amount", "Weighted")
    table = Table(f"Open pipeline{scope} by {by}", columns, body)
    return Presentation(headline, (table,) if body else ())


def won_business(team: WinRate | None, reps: Sequence[WinRate], words: str) -> Presentation:
    """Deals closed in a period, the team's and each rep's, the rep who won the most first."""
    if team is None or team.won + team.lost == 0:
        return Presentation(f"No deals were closed in {words}.")
    rate = f", win rate {_rate(team.win_rate)}" if team.win_rate is not None else ""
    headline = (f"Won in {words}: {_plural(team.won, 'deal')} worth {money(team.won_amount, team.currency)} "
                f"({count(team.lost)} lost{rate}).")
    ranked = sorted(reps, key=lambda r: (Decimal(r.won_amount), r.won), reverse=True)
    if len(ranked) > 1 and ranked[0].won:
        top = ranked[0]
        headline += f" Most won: {top.owner_user_id}, {money(top.won_amount, top.currency)} in " \
                    f"{_plural(top.won, 'deal')}."
    body = tuple((r.owner_user_id or "", count(r.won), count(r.lost),
                  _rate(r.win_rate) if r.win_rate is not None else "", money(r.won_amount, r.currency))
                 for r in ranked)
    table = Table(f"Deals closed in {words} by rep", ("Rep", "Won", "Lost", "Win rate", "Won amount"), body)
    return Presentation(headline, (table,))


def deals_at_risk(deals: Sequence[Mapping[str, Any]], total: int, customer: str | None) -> Presentation:
    scope = f" for {customer}" if customer else ""
    headline = f"{_plural(total, 'open deal')}{scope} {'is' if total == 1 else 'are'} at risk."
    if deals:
        top = max(deals, key=lambda d: Decimal(d["amount"]))
        headline += (f" The largest: {top['name']} ({top['account']}), {money(top['amount'], top['currency'])}, "
                     f"{top['reasons'][0]}.")
    body = tuple((d["name"], d["account"] or "", d["stage"], money(d["amount"], d["currency"]), d["owner"],
                  "; ".join(d["reasons"])) for d in deals)
    table = Table(f"Deals at risk{scope}", ("Deal", "Customer", "Stage", "Amount", "Owner", "Why"), body)
    return Presentation(headline, (table,) if body else ())


_WON_ROWS = 10


def account_360(view: Account360, won_period: str | None = None) -> Presentation:
    """The account at a glance; asked about a period ("won this year"), what was won in it leads."""
    a, cur = view.account, view.currency
    deals = f"{_plural(len(view.open_opportunities), 'open deal')} worth {money(view.open_pipeline, cur)}"
    tickets = f"{_plural(view.open_tickets, 'open ticket')} ({count(view.breached_tickets)} past SLA)"
    if won_period and view.won_in_period is not None:  # what was asked: the won deals, not the whole account
        won = view.won_deals_in_period
        headline = (f"Won with {a.name} ({a.code}) in {won_period}: {money(view.won_in_period, cur)} in "
                    f"{_plural(len(won), 'deal')} (lifetime {money(view.lifetime_won, cur)}); "
                    f"owner {a.owner_user_id}; {deals}; {tickets}.")
        shown = "" if len(won) <= _WON_ROWS else f" (the latest {_WON_ROWS} of {len(won)})"
        return Presentation(headline, (Table(
            f"Deals won with {a.name}, {won_period}{shown}", ("Deal", "Amount", "Close date"),
            tuple((o.name, money(o.amount, o.currency), short_date(o.close_date)) for o in won[:_WON_ROWS])),)
            if won else ())
    headline = (f"{a.name} ({a.code}), owner {a.owner_user_id}: {deals}; lifetime won "
                f"{money(view.lifetime_won, cur)}; {tickets}.")
    tables = []
    if view.open_opportunities:
        tables.append(Table(f"Open deals of {a.name}", ("Deal", "Stage", "Amount", "Close date", "Probability"),
                            tuple((o.name, o.stage, money(o.amount, o.currency), short_date(o.close_date),
                                   f"{o.probability}%") for o in view.open_opportunities[:10])))
    if view.contacts:
        tables.append(Table(f"Contacts at {a.name}", ("Name", "Title", "Email", "Phone"),
                            tuple((c.name, c.title, c.email, c.phone) for c in view.contacts[:5])))
    return Presentation(headline, tuple(tables))


# --- HR

def employee(view: EmployeeView) -> Presentation:
    headline = (f"{view.name} ({view.employee_no}) is {view.title} in {view.department_code}, {view.location}; "
                f"manager {view.manager_name or 'none'}; hired {date_words(view.hire_date)}.")
    if view.salary_band:
        headline += f" Salary band {view.salary_band}."
    return Presentation(headline)


def reporting_chain(name: str, chain: Sequence[Mapping[str, Any]]) -> Presentation:
    if not chain:
        return Presentation(f"{name} has no manager on record.")
    headline = f"{name} reports to {chain[0]['name']} ({chain[0]['title']})"
    if len(chain) > 1:
        headline += ", then " + ", then ".join(f"{m['name']} ({m['title']})" for m in chain[1:])
    table = Table(f"Management chain above {name}, nearest first", ("Level", "Name", "Title", "Employee"),
                  tuple((str(i), m["name"], m["title"], m["employee_no"]) for i, m in enumerate(chain, start=1)))
    return Presentation(headline + ".", (table,))


def leave_balance(view: LeaveBalanceView, today: dt.date) -> Presentation:
    kind = view.leave_type.replace("_", " ")
    return Presentation(
        f"{view.employee_name} has {amount(view.balance)} days of {kind} leave available as of {date_words(today)} "
        f"({amount(view.accrued)} accrued, {amount(view.carried_over)} carried over, {amount(view.taken)} taken; "
        f"{view.entitlement_days} days a year).")


def headcount(month_end: dt.date, by_department: Mapping[str, int], department: str | None) -> Presentation:
    total = sum(by_department.values())
    when = month_words(month_end.year, month_end.month)
    if department:
        return Presentation(f"Headcount of {department} at the end of {when}: {count(total)}.")
    table = Table(f"Headcount by department, end of {when}", ("Department", "Headcount"),
                  tuple((d, count(n)) for d, n in sorted(by_department.items(), key=lambda kv: -kv[1])))
    return Presentation(f"Headcount at the end of {when}: {count(total)} people.", (table,))


# --- service desk

def _when(moment: dt.datetime) -> str:
    return f"{date_words(moment.date())} {moment:%H:%M} UTC"


def ticket(view: TicketView, breached: bool) -> Presentation:
    return Presentation(f"{view.number} \u201c{view.subject}\u201d: {view.status}, {view.priority} priority, SLA due "
                        f"{_when(view.sla_due_at)}" + (" (breached)." if breached else "."))


def tickets(rows: Sequence[Mapping[str, Any]], total: int, scope: str, who: str) -> Presentation:
    more = "+" if total >= 200 else ""
    headline = f"{count(total)}{more} {scope + ' ' if scope else ''}ticket{'s' if total != 1 else ''}{who}."
    body = tuple((r["number"], r["subject"], r["priority"], r["status"],
                  _when(dt.datetime.fromisoformat(r["sla_due_at"]))) for r in rows)
    table = Table(f"Tickets{who}, newest first", _TICKET_COLUMNS, body)
    return Presentation(headline, (table,) if body else ())


_TICKET_COLUMNS = ("Ticket", "Subject", "Priority", "Status", "SLA due")


def sla(report: SlaReport) -> Presentation:
    """The period's SLA compliance; asked without a period, the tickets past their SLA now lead."""
    words = period_words(report.start, report.end)
    rate = f" ({_rate(report.breach_rate)})" if report.breach_rate is not None else ""
    headline = (f"SLA in {words}: {count(report.total_breached)} of {_plural(report.total_tickets, 'ticket')} "
                f"opened breached their resolution target{rate}.")
    if report.any_open:
        n = report.open_breached_total
        now = f"{_plural(n, 'open ticket')} {'is' if n == 1 else 'are'} past {'its' if n == 1 else 'their'} SLA now"
        oldest = report.worst_open_breaches[0] if report.worst_open_breaches else None
        now += (f"; the longest overdue: {oldest.number} {oldest.subject} ({oldest.priority}, due "
                f"{_when(oldest.sla_due_at)})." if oldest else ".")
        headline = f"{now} {headline}"
    tables = []
    if report.worst_open_breaches:
        shown = report.worst_open_breaches
        more = f" (the {len(shown)} longest overdue of {report.open_breached_total})" \
            if report.open_breached_total > len(shown) else ""
        tables.append(Table(f"Open tickets past their SLA{more}", _TICKET_COLUMNS,
                            tuple((t.number, t.subject, t.priority, t.status, _when(t.sla_due_at)) for t in shown)))
    body = tuple((r.priority, count(r.tickets), count(r.breached),
                  _rate(r.breach_rate) if r.breach_rate is not None else "n/a",
                  count(r.open_breached)) for r in report.rows)
    if body:
        tables.append(Table(f"SLA breaches by priority, {words}", ("Priority", "Tickets", "Breached", "Rate",
                                                                   "Still open"), body))
    return Presentation(headline, tuple(tables))
