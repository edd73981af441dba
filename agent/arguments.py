"""Argument grounding: the model may only pass values the user actually said.

A small model copies the request's words well when told to, and invents values (dates, names, counts) when it does
not. So after decoding:

- a question argument (a document search) is the request itself: its wording ("how many days", "who") is what
  the search and the extractive answer read, and a small model's paraphrase loses it;
- a free-text argument must be found in the request (case-insensitive, all of its words); an invented value is
  replaced by what the slot's pattern finds in the request (agent/slots.py), or dropped when optional;
- each argument's slot kind is the one its schema's Field declares (``json_schema_extra=slot("period")``, see
  erp_core.resolve.slots); field names carry no meaning;
- a slot the model left empty is filled when its pattern is specific (periods, accounts, KPIs, departments, ids),
  and a name slot when the tool has only one place a name can go;
- a choice (enum) the request names outright wins over the model's pick, and an optional choice or count the user
  never expressed is dropped so the tool's default applies.

Required values the user never gave stay as the model wrote them, and the domain's validation turns them into a
model-fixable error.
"""

from __future__ import annotations

import re
from typing import Any

from agent import slots
from tools.registry import ToolSpec

_WORD = re.compile(r"[a-z0-9]+")
_SPAN_ENDS = ("first_day", "last_day")  # a span said as "from X to Y": each end is the one said there
_AMOUNT_WORDS = re.compile(r"\b(?:amount|value|price|worth)\b", re.IGNORECASE)
# Everyday words for enum choices the tools use ("won" means the closed_won stage).
_CHOICE_SYNONYMS = {"won": "closed_won", "lost": "closed_lost", "vacation": "annual", "holiday": "annual",
                    "pto": "annual", "time off": "annual", "in progress": "in_progress", "ill": "sick",
                    "sick day": "sick", "unpaid": "unpaid", "critical": "urgent", "rep": "owner", "reps": "owner",
                    "salesperson": "owner", "owe us": "customers_by_balance", "owes us": "customers_by_balance",
                    "we owe": "vendors_by_balance", "payment": "payments", "payments": "payments",
                    "expenses": "expense_accounts", "costs": "expense_accounts",
                    # which row of a split was asked for ("which month was the best?"); not "most", as in "most recent"
                    "best": "highest", "biggest": "highest", "largest": "highest", "strongest": "highest",
                    "worst": "lowest", "smallest": "lowest", "weakest": "lowest",
                    # the graph's named questions as people ask them
                    "reports to": "direct_reports", "report to me": "direct_reports", "works for": "direct_reports",
                    "direct reports": "direct_reports", "owns": "owner_of", "owner of": "owner_of"}


def _said(value: str, request: str) -> bool:
    words = _WORD.findall(value.lower())
    if not words:
        return False
    spoken = set(_WORD.findall(request.lower()))
    return value.lower().strip() in request.lower() or all(w in spoken for w in words)


def choices_of(prop: dict[str, Any], defs: dict[str, Any]) -> list[Any] | None:
    if "enum" in prop:
        return list(prop["enum"])
    if "const" in prop:
        return [prop["const"]]
    ref = prop.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return choices_of(defs.get(ref.removeprefix("#/$defs/"), {}), defs)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in prop.get(key, []):
            if (found := choices_of(sub, defs)) is not None:
                return found
    return None


def _types(prop: dict[str, Any]) -> set[str]:
    kinds = {prop["type"]} if isinstance(prop.get("type"), str) else set()
    for sub in prop.get("anyOf", []):
        kinds |= _types(sub)
    return kinds


def named_choice(options: list[Any], request: str) -> Any | None:
    """The option the request names: its own words ("closed won", "by owner") or an everyday synonym."""
    lowered = f" {' '.join(_WORD.findall(request.lower()))} "
    for option in options:
        if isinstance(option, str) and f" {option.replace('_', ' ').lower()} " in lowered:
            return option
    for word, option in _CHOICE_SYNONYMS.items():
        if option in options and f" {word} " in lowered:
            return option
    return None


def _figures(request: str) -> set[float]:
    """Figures the user stated; the parts of a date ("2026-12-07") are not figures."""
    undated = slots.ISO_DATE.sub(" ", request)
    return {float(n.replace(",", "")) for n in slots.NUMBER.findall(undated)}


def _ground_choice(value: Any, options: list[Any], required: bool, request: str) -> tuple[bool, Any]:
    named = named_choice(options, request)
    if named is not None:
        return True, named
    value = _on_the_side_said(value, options, request)
    if value is None or required or _said(str(value), request):
        return value is not None, value
    return False, None  # a choice the user never expressed: the tool's default applies


_SIDES = {"customers": ("customer", "client"), "vendors": ("vendor", "supplier")}
_COUNTERPART = {"customers_by_revenue": "vendors_by_spend", "vendors_by_spend": "customers_by_revenue",
                "customers_by_balance": "vendors_by_balance", "vendors_by_balance": "customers_by_balance"}


# The ranking of a side when the model's choice names no side ("which vendors did we pay the most?" is no ranking
# of expense accounts).
_SIDE_DEFAULT = {"customers": "customers_by_revenue", "vendors": "vendors_by_spend"}


def _on_the_side_said(value: Any, options: list[Any], request: str) -> Any:
    """A choice about customers when the request names only vendors (or the other way round) becomes its
    counterpart on the side said: "who are our biggest vendors?" is not a ranking of customers. A choice of no
    side (expense accounts) for a request about one side becomes that side's ranking."""
    if not isinstance(value, str):
        return value
    words = set(_WORD.findall(request.lower()))
    says = {name: any(w.startswith(stem) for w in words for stem in _SIDES[name]) for name in _SIDES}
    if _COUNTERPART.get(value) not in options:
        named = [name for name, said in says.items() if said]
        default = _SIDE_DEFAULT.get(named[0]) if len(named) == 1 and value == "expense_accounts" else None
        return default if default in options else value
    side, other = ("customers", "vendors") if value.startswith("customers") else ("vendors", "customers")
    return _COUNTERPART[value] if says[other] and not says[side] else value


def _as_figure(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None


def _ground_number(kind: str | None, value: Any, required: bool, request: str) -> tuple[bool, Any]:
    """Counts and amounts: the figure the user said, never one the model made up."""
    if value is not None and _as_figure(value) in _figures(request):
        return True, value
    slot = slots.COUNTS.get(kind or "")
    # An amount is any figure in the request, so it only replaces an invented value; a count ("6 months") is specific.
    may_fill = value is not None or required or kind != "amount" or _AMOUNT_WORDS.search(request) is not None
    said = slot(request) if slot and may_fill else None
    if said is not None:
        return True, said
    if value is None or required:
        return value is not None, value
    return False, None


# Slots whose values come from a vocabulary (KPI and account names): a word of the request that names nothing in it
# ("Project our cash …" → subject "project") gives way to the one the vocabulary finds ("cash").
_VOCABULARY_SLOTS = frozenset({"subject", "kpi"})


def _ground_text(kind: str | None, value: Any, present: bool, required: bool, request: str,
                 fill_names: bool, refused: tuple[str, ...]) -> tuple[bool, Any]:
    slot = slots.LEXICAL.get(kind or "") or slots.NAMES.get(kind or "")
    if kind in _VOCABULARY_SLOTS and slot is not None and isinstance(value, str) and slot(value) is None \
            and (found := slot(request)) is not None and found not in refused:
        return True, found
    if present and (not isinstance(value, str) or _said(value, request)):
        return True, value
    may_fill = kind in slots.LEXICAL or present or required or fill_names
    filled = slot(request) if slot is not None and may_fill else None
    if filled is not None and filled in refused:
        filled = None  # this very value already failed in this turn: let the model's correction stand
    if filled is not None:
        return True, filled
    if present and required:
        return True, value  # the domain says what is wrong with it, as a fixable error
    return False, None


def ground_arguments(spec: ToolSpec, args: dict[str, Any], request: str,
                     refused: tuple[str, ...] = ()) -> dict[str, Any]:
    """``args`` with invented values replaced or removed and empty slots filled from ``request``.

    ``refused`` holds the values the domain refused earlier this turn (``NexusError.refused_values``): a slot value
    among them is not filled in again.
    """
    schema = spec.json_schema()
    props: dict[str, Any] = schema.get("properties", {})
    defs: dict[str, Any] = schema.get("$defs", {})
    required = set(schema.get("required", []))
    kinds = slots.slot_kinds(schema)  # the slot kind each argument declares on its Field
    fill_names = sum(1 for kind in kinds.values() if kind in slots.NAMES) == 1
    grounded = {name: value for name, value in args.items() if name not in props}  # validation reports these
    for name, prop in props.items():
        present, value, kind = name in args, args.get(name), kinds.get(name)
        if kind == "question":  # the question as the user put it, not the model's shortened paraphrase
            grounded[name] = request.strip()[:int(prop.get("maxLength") or 500)]
            continue
        if kind in _SPAN_ENDS and (said := slots.LEXICAL[kind](request)) is not None:
            grounded[name] = said  # "from 11 to 13 January": the model wrote the first day into both ends
            continue
        options = choices_of(prop, defs)
        if options is not None:
            keep, value = _ground_choice(value, options, name in required, request)
        elif _types(prop) & {"integer", "number"} or kind in slots.COUNTS:
            keep, value = _ground_number(kind, value, name in required, request)
        elif _types(prop) & {"string"} or not present:
            keep, value = _ground_text(kind, value, present, name in required, request, fill_names, refused)
        else:
            keep = present  # structured values (journal lines) are checked by the domain
        if keep:
            grounded[name] = value
    return _one_name_said(spec, kinds, grounded, request)


def _one_name_said(spec: ToolSpec, kinds: dict[str, str], grounded: dict[str, Any], request: str) -> dict[str, Any]:
    """A read tool with several name slots (a person, a customer, a vendor) that the model left empty gets the one
    name the request says in the first of them; the tool resolves it as whatever it names. Left empty, a question
    about "Carol" would be answered about the asker ("who reports to Carol Jensen?" → the asker's own team)."""
    names = [name for name, kind in kinds.items() if kind in slots.NAMES]
    if spec.proposes or len(names) < 2 or any(grounded.get(name) for name in names):
        return grounded
    said = slots.proper_name(request)
    return {**grounded, names[0]: said} if said else grounded
