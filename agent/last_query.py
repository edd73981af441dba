"""What a thread remembers of its last read: the tool and its arguments, resolved, as a follow-up edits them.

After each successful read the agent stores :func:`remember`'s result as the thread's ``last_query``: periods as their
first and last day and name, as-of dates as ISO days, accounts by name, departments by code. ``tool_slots`` and
``tool_choices`` read each tool's argument schema, the one description of its slots (erp_core.resolve.slots).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from agent import slots
from agent.arguments import choices_of
from erp_core.errors import NexusError
from erp_core.resolve.periods import PeriodRange, resolve_as_of, resolve_period
from tools.registry import ToolSpec


def range_of(value: Any, query: Mapping[str, Any], today: dt.date) -> PeriodRange | None:
    """A period from what a tool reported: {start, end, label}, flat start/end keys beside a label, or a phrase."""
    try:
        if isinstance(value, Mapping) and "start" in value and "end" in value:
            return PeriodRange(dt.date.fromisoformat(str(value["start"])), dt.date.fromisoformat(str(value["end"])),
                               str(value.get("label") or ""))
        if "start" in query and "end" in query:
            start, end = dt.date.fromisoformat(str(query["start"])), dt.date.fromisoformat(str(query["end"]))
            return PeriodRange(start, end, str(value or ""))
        if isinstance(value, str) and value.strip():
            return resolve_period(value, today)
    except (ValueError, NexusError):
        return None
    return None


def remember(tool: str, kinds: Mapping[str, str], query: Mapping[str, Any], today: dt.date,
             data: Mapping[str, Any] | None = None, fields: Collection[str] | None = None,
             period_said: bool = False) -> dict[str, Any]:
    """The thread's last query after a successful read: ``query`` (the tool's own ``ToolOutput.query`` or the
    validated arguments) reduced to the tool's arguments (``fields``, when given), periods and as-of dates resolved.
    ``period_said``: the call's period came from the conversation, not from the tool's default; the next question
    may then be about the same period (agent/dialogue.py ``carry_period``).

    An account reported by code is kept by name when the tool's data names it, so that "the payroll one" can edit it.
    """
    args: dict[str, Any] = {}
    for name, kind in kinds.items():
        value = query.get(name)
        if kind == "period":
            rng = range_of(value, query, today)
            if rng is not None:
                args[name] = rng.as_dict()
        elif kind == "as_of" and isinstance(value, str) and value:
            try:
                args[name] = resolve_as_of(value, today).isoformat()
            except NexusError:
                continue
        elif value is not None:
            args[name] = value
    for name in _plain_fields(kinds, query):  # arguments that are no slot (a status filter, a score threshold)
        if fields is None or name in fields:
            args[name] = query[name]
    if data is not None:
        for name, kind in kinds.items():
            if kind == "account" and args.get(name) == data.get("account_code") and data.get("account_name"):
                args[name] = data["account_name"]
    remembered: dict[str, Any] = {"tool": tool, "args": args}
    if period_said:
        remembered["period_said"] = True
    return remembered


def _plain_fields(kinds: Mapping[str, str], query: Mapping[str, Any]) -> set[str]:
    """Reported keys that are no slot. The flat keys some tools add beside a period (its first and last day, the day
    reported up to) belong to the period, not to the call."""
    beside_period = {"start", "end", "as_of"} if "period" in kinds.values() and "as_of" not in kinds else set()
    return set(query) - set(kinds) - beside_period


def tool_slots(specs: Iterable[ToolSpec]) -> dict[str, dict[str, str]]:
    """Tool name → {argument: slot kind}, from each tool's argument schema (the one description of its slots)."""
    return {spec.name: slots.slot_kinds(spec.json_schema()) for spec in specs}


def tool_choices(specs: Iterable[ToolSpec]) -> dict[str, dict[str, list[Any]]]:
    """Tool name → {argument: its options}, for the enumerated arguments of each tool's schema."""
    found: dict[str, dict[str, list[Any]]] = {}
    for spec in specs:
        schema = spec.json_schema()
        defs = schema.get("$defs", {})
        options = {name: opts for name, prop in schema.get("properties", {}).items()
                   if (opts := choices_of(prop, defs)) is not None}
        if options:
            found[spec.name] = options
    return found
