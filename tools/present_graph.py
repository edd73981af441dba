"""What a person reads for a knowledge-graph query: what was asked, in words, with what was found, and the rows as a
table. The rows are the graph's own; nothing is computed here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tools.formatting import count, money
from tools.presentation import Presentation, Table

MAX_NAMED = 5  # names listed in the headline; the table has the rest


def _names(rows: Sequence[Mapping[str, Any]], key: str = "name") -> str:
    names = list(dict.fromkeys(str(r[key]) for r in rows if r.get(key)))
    shown = ", ".join(names[:MAX_NAMED])
    return shown + (f" and {count(len(names) - MAX_NAMED)} more" if len(names) > MAX_NAMED else "")


def _who(said: str | None) -> str:
    return "you" if not said or said.strip().lower() in ("me", "myself", "i") else said


def graph_answer(query: str, rows: Sequence[Mapping[str, Any]], *, subject: str | None,
                 amount: str | None = None, currency: str | None = None,
                 document_type: str | None = None) -> Presentation:
    """``subject`` is what the user named (a person, customer, vendor or account), as they said it."""
    n = len(rows)
    who = _who(subject)
    if query == "reporting_chain":
        headline = (f"{who.capitalize() if who == 'you' else who} report{'' if who == 'you' else 's'} to "
                    + ", then ".join(f"{r['name']} ({r['title']})" for r in rows) if rows
                    else f"No manager on record for {who}")
    elif query == "direct_reports":
        headline = (f"{count(n)} {'person reports' if n == 1 else 'people report'} directly to {who}"
                    + (f": {_names(rows)}" if rows else ""))
    elif query == "approvers_for":
        what = (document_type or "document").replace("_", " ")
        sized = f" of {money(amount, currency)}" if amount and currency else ""
        roles = list(dict.fromkeys(str(r["role"]) for r in rows if r.get("role")))
        headline = (f"A {what}{sized} needs approval by: " + "; ".join(
            f"{role} ({_names([r for r in rows if r.get('role') == role], 'employee') or 'nobody holds it'})"
            for role in roles)) if roles else f"No approval rule matches a {what}{sized}"
    elif query == "account_subtree":
        headline = f"{count(n)} account{'s' if n != 1 else ''} in the tree of {who}" + (
            f": {_names(rows)}" if rows else "")
    elif query == "owner_of":
        headline = (f"{who} is owned by {_names(rows)}" + (f" ({rows[0]['title']})" if n == 1 else "")
                    if rows else f"No owner on record for {who}")
    elif query == "owned_by":
        headline = f"{who.capitalize() if who == 'you' else who} own{'' if who == 'you' else 's'} {count(n)} " \
                   f"record{'s' if n != 1 else ''}" + (f": {_names(rows)}" if rows else "")
    elif query == "documents_mentioning":
        headline = f"{count(n)} document{'s' if n != 1 else ''} mention {who}" + (
            f": {_names(rows, 'title')}" if rows else "")
    elif query == "account_360":
        headline = f"{count(n)} record{'s' if n != 1 else ''} linked to {who}" + (
            f": {_names(rows)}" if rows else "")
    else:  # find_employee and any query added later
        headline = f"{count(n)} match{'es' if n != 1 else ''} for {who}" + (f": {_names(rows)}" if rows else "")
    columns = tuple(dict.fromkeys(k for r in rows for k in r))
    body = tuple(tuple("" if r.get(c) is None else str(r.get(c)) for c in columns) for r in rows)
    table = Table(query.replace("_", " ").capitalize(), tuple(c.replace("_", " ").capitalize() for c in columns),
                  body)
    return Presentation(headline + ".", (table,) if body else ())
