"""What a person reads for the general ledger tools: the asked figures in a headline, the lists as tables.

Every figure is taken from the report's own data (plain decimal strings from erp_core) and only formatted here, so
the headline states exactly what the GL API returns for the same question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from tools.formatting import amount, count, date_words, iso_date, money, short_date
from tools.presentation import Presentation, Table

MAX_TABLE_ROWS = 60  # a trial balance of the demo chart fits; longer lists say how many were left out


def per_currency(values: Mapping[str, str], nothing: str = "nothing posted") -> str:
    """{"USD": "12.00", "EUR": "3.00"} → "3.00 EUR and 12.00 USD" (sorted), or ``nothing`` when empty."""
    parts = [money(v, c) for c, v in sorted(values.items())]
    return " and ".join(parts) if parts else nothing


def _cut(rows: list[tuple[str, ...]], total: int, title: str) -> str:
    return f"{title} (first {len(rows)} of {count(total)})" if total > len(rows) else title


def account_balance(data: Mapping[str, Any], as_of: dt.date) -> Presentation:
    headline = (f"{data['account_name']} ({data['account_code']}) balance as of {date_words(as_of)}: "
                f"{money(data['balance'], data['currency'])}.")
    return Presentation(headline, suggestions=(f"Show the postings to {data['account_name']} this month",))


def trial_balance(data: Mapping[str, Any], as_of: dt.date) -> Presentation:
    rows = data["rows"]
    totals = data["totals"]
    by_currency: Mapping[str, Mapping[str, Any]] = totals.get("by_currency", {})
    sides = "; ".join(f"debits {money(t['debit'], c)}, credits {money(t['credit'], c)}"
                      for c, t in sorted(by_currency.items())) or "no balances"
    verdict = "balanced" if totals["balanced"] else "NOT balanced"
    headline = (f"Trial balance as of {date_words(as_of)}: {count(len(rows))} accounts with a balance; "
                f"{sides} — {verdict}.")
    several = len(by_currency) > 1
    columns = ("Account", "Name", *(("Currency",) if several else ()), "Debit", "Credit")

    def cells(row: Mapping[str, Any]) -> tuple[str, ...]:
        debit = amount(row["debit"], row["currency"]) if Decimal(row["debit"]) else ""
        credit = amount(row["credit"], row["currency"]) if Decimal(row["credit"]) else ""
        return (row["account_code"], row["account_name"], *((row["currency"],) if several else ()), debit, credit)

    body = [cells(r) for r in rows[:MAX_TABLE_ROWS]]
    for currency, t in sorted(by_currency.items()):
        label = f"Total {currency}" if several else f"Total ({currency})"
        body.append(("", label, *((currency,) if several else ()), amount(t["debit"], currency),
                     amount(t["credit"], currency)))
    title = f"Trial balance as of {short_date(as_of)}" + ("" if several else f" ({', '.join(by_currency)})")
    if len(rows) > MAX_TABLE_ROWS:
        title += f" (first {MAX_TABLE_ROWS} of {count(len(rows))} accounts)"
    table = Table(title, columns, tuple(body))
    return Presentation(headline, (table,), suggestions=(f"Show the balance sheet as of {date_words(as_of)}",))


def account_activity(ledger: Mapping[str, Any], totals: Mapping[str, Any], period: str,
                     suggestions: Sequence[str] = (), account_type: str | None = None) -> Presentation:
    """The net movement on one account over a period (what was spent, for an expense account), and its postings."""
    currency = totals["currency"]
    name = f"{ledger['account_name']} ({ledger['account_code']})"
    net = money(totals["balance"], currency)
    headline = f"Spent on {name} in {period}: {net}" if account_type == "expense" else f"{name} in {period}: net {net}"
    if Decimal(totals["debit"]) and Decimal(totals["credit"]):  # both sides moved: the net alone would hide it
        headline += f" (debits {money(totals['debit'], currency)}, credits {money(totals['credit'], currency)})"
    headline += "."
    lines = ledger["lines"]
    if not lines:
        return Presentation(headline, suggestions=tuple(suggestions))
    # The running total within the period (the ledger's balance less the opening balance): its last row is the
    # headline's figure, where the account's all-time balance would read as if it were the period's.
    opening = Decimal(ledger["opening_balance"])
    rows = tuple((short_date(iso_date(line["date"])), line["memo"] or "", _blank_zero(line["debit"], currency),
                  _blank_zero(line["credit"], currency), amount(Decimal(line["balance"]) - opening, currency))
                 for line in lines)
    title = f"Postings to {name}, {period} ({currency})"
    if ledger.get("truncated"):
        title += f", first {len(rows)}"
    table = Table(title, ("Date", "Memo", "Debit", "Credit", "Running total"), rows)
    return Presentation(headline, (table,), tuple(suggestions))


def income_statement(data: Mapping[str, Any], period: str, suggestions: Sequence[str] = ()) -> Presentation:
    revenue, expenses, net = data["total_revenue"], data["total_expenses"], data["net_income"]
    headline = (f"Revenue in {period}: {per_currency(revenue)}; "
                f"expenses {per_currency(expenses)}; "
                f"net income {per_currency(net)}.")
    rows: list[tuple[str, ...]] = []
    for section, lines, total_label, totals in (("Revenue", data["revenue"], "Total revenue", revenue),
                                                  ("Expenses", data["expenses"], "Total expenses", expenses)):
        rows += [(section, line["account_code"], line["account_name"], money(line["amount"], line["currency"]))
                 for line in lines]
        rows += [(section, "", total_label, money(v, c)) for c, v in sorted(totals.items())]
    rows += [("", "", "Net income", money(v, c)) for c, v in sorted(net.items())]
    table = Table(f"Income statement, {period}", ("Section", "Account", "Name", "Amount"), tuple(rows))
    return Presentation(headline, (table,) if rows else (), tuple(suggestions))


def balance_sheet(data: Mapping[str, Any], as_of: dt.date) -> Presentation:
    verdict = "balanced" if data["balanced"] else "NOT balanced"
    headline = (f"Balance sheet as of {date_words(as_of)}: assets {per_currency(data['total_assets'])}; "
                f"liabilities {per_currency(data['total_liabilities'])}; "
                f"equity {per_currency(data['total_equity'])} — {verdict}.")
    rows: list[tuple[str, ...]] = []
    for section, key in (("Assets", "assets"), ("Liabilities", "liabilities"), ("Equity", "equity")):
        rows += [(section, line["account_code"] or "", line["account_name"], money(line["amount"], line["currency"]))
                 for line in data[key]]
        rows += [(section, "", f"Total {section.lower()}", money(v, c))
                 for c, v in sorted(data[f"total_{key}"].items())]
    table = Table(f"Balance sheet as of {short_date(as_of)}", ("Section", "Account", "Name", "Amount"), tuple(rows))
    return Presentation(headline, (table,) if rows else (),
                        suggestions=(f"Show the trial balance as of {date_words(as_of)}",))


def journal_entry(data: Mapping[str, Any]) -> Presentation:
    currencies = {line["currency"] for line in data["lines"]}
    total = {c: sum((Decimal(line["debit"] or 0) for line in data["lines"] if line["currency"] == c), Decimal(0))
             for c in currencies}
    headline = (f"Entry {data['id']} ({data['status']}) dated {date_words(iso_date(data['date']))}: "
                f"{data['memo']} — {per_currency({c: str(v) for c, v in total.items()})} debited and credited.")
    rows = tuple((str(line["line_no"]), line["account_code"], _blank_zero(line["debit"], line["currency"]),
                  _blank_zero(line["credit"], line["currency"]), line["currency"]) for line in data["lines"])
    table = Table(f"Lines of entry {data['id']}", ("Line", "Account", "Debit", "Credit", "Currency"), rows)
    return Presentation(headline, (table,))


AGING_COLUMNS = {"current": "Current", "1-30": "1–30 days", "31-60": "31–60 days", "61-90": "61–90 days",
                 "over_90": "Over 90 days"}


def aging(kind: str, as_of: dt.date, totals: Iterable[Mapping[str, Any]], parties: Sequence[Mapping[str, Any]],
          buckets: Sequence[str], who: str | None = None) -> Presentation:
    """Open receivables (``kind`` "invoice") or payables ("bill") as of a date, per party with aging buckets."""
    label = "receivables" if kind == "invoice" else "payables"
    scope = f" from {who}" if who and kind == "invoice" else (f" to {who}" if who else "")
    stated = [f"{money(t['total'], t['currency'])} (over 90 days {money(t['over_90'], t['currency'])})"
              for t in totals]
    headline = f"Open {label}{scope} as of {date_words(as_of)}: " + ("; ".join(stated) or "none") + "."
    columns = ("Customer" if kind == "invoice" else "Vendor", *(AGING_COLUMNS.get(b, b) for b in buckets), "Total")
    ranked = sorted(parties, key=lambda p: Decimal(p["total"]), reverse=True)
    rows = tuple((p["name"], *(_blank_zero(p[b], p["currency"]) for b in buckets), money(p["total"], p["currency"]))
                 for p in ranked[:MAX_TABLE_ROWS])
    title = _cut(list(rows), len(parties),
                 f"Open {label} by {'customer' if kind == 'invoice' else 'vendor'}, largest first")
    return Presentation(headline, (Table(title, columns, rows),) if rows else ())


def pending_approvals(views: Sequence[Mapping[str, Any]]) -> Presentation:
    n = len(views)
    headline = ("Nothing waits for your approval." if n == 0 else
                f"{count(n)} approval{'s' if n != 1 else ''} wait{'s' if n == 1 else ''} for you.")
    rows = tuple((v["document_type"].replace("_", " "), v["summary"] or "",
                  money(v["amount"], v["currency"]) if v.get("amount") is not None and v.get("currency") else "",
                  v["preparer_id"] or "") for v in views[:MAX_TABLE_ROWS])
    table = Table("Waiting for your approval", ("Document", "Summary", "Amount", "Prepared by"), rows)
    return Presentation(headline, (table,) if rows else ())


def _blank_zero(value: str | None, currency: str) -> str:
    return amount(value, currency) if value and Decimal(value) else ""
