"""Slot extractors: the value of one kind of argument, read from the user's request by deterministic patterns.

Each extractor returns the words as the user said them ("last month", "Alice Morgan", "gross margin") or None; the
domain resolvers turn those words into ids afterwards. Lexicons come from erp_core's own resolvers, so a word the
resolver knows is a word the slot finds. Extractors are keyed by slot kind, the kind an argument declares on its
schema's Field (``json_schema_extra=slot("period")``, erp_core.resolve.slots), never by the argument's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from agent.routing import ACCOUNT_WORDS, PERIOD_PHRASE, PROPER_NAME
from erp_core.epm.kpis import KPIS
from erp_core.resolve.epm import KPI_ALIASES

Slot = Callable[[str], str | None]
NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b")

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_END_OF = re.compile(r"\b(?:end of|as of|at)\s+(" + PERIOD_PHRASE.pattern + r")", re.IGNORECASE)
_ENTRY = re.compile(r"\bJE-\d+\b|(?<=\bentry )#?[0-9a-f]{2,32}\b|(?<=\bentry no\. )\d+\b", re.IGNORECASE)
_TICKET = re.compile(r"\bTCK-\d+\b|(?<=\bticket )#?\d+\b", re.IGNORECASE)
_DEAL = re.compile(r"\b(?:deal|opportunity) #?(\d+)\b|"
                   r"\bthe ((?:[A-Z][\w&-]*)(?: [\w&-]+){0,5}?) (?:deal|opportunity)\b")
_DAY_RANGE = re.compile(r"\bfrom (.+?) (?:to|until|through|till|-) (.+?)(?=[.?!,;]|$| for\b| because\b)",
                        re.IGNORECASE)
_DAY_PHRASE = re.compile(r"\b(?:today|tomorrow|(?:next )?(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b|"
                         + ISO_DATE.pattern, re.IGNORECASE)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24}
_MONTHS_AHEAD = re.compile(r"\b(\d{1,2}|" + "|".join(_NUMBER_WORDS) + r")\s+months?\b", re.IGNORECASE)
_QUARTERS_AHEAD = {"next quarter": 3, "coming quarter": 3, "next two quarters": 6, "next half": 6, "half year": 6,
                   "next year": 12, "coming year": 12, "year end": None}
# Department words that cannot mean anything else in a request (bare "sales" or "people" usually are not a
# department); codes count only in capitals.
_DEPARTMENT_WORDS = ("engineering", "engineers", "r&d", "finance", "accounting team", "marketing", "operations",
                     "human resources", "people team", "it department", "executive team", "leadership team",
                     "sales team", "sales department", "sales org")
_DEPARTMENT = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in _DEPARTMENT_WORDS) + r")\b", re.IGNORECASE)
_DEPARTMENT_CODE = re.compile(r"\b(?:ENG|FIN|MKT|OPS|HR|IT|EXEC|SALES)\b")
_SELF = re.compile(r"\b(?:i|me|my|mine|myself)\b", re.IGNORECASE)


def _words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    ordered = sorted({w.lower() for w in words}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ordered) + r")\b", re.IGNORECASE)


_KPI = _words_pattern([*(d.label for d in KPIS.values()), *KPIS, *(a for aliases in KPI_ALIASES.values()
                                                                   for a in aliases if a not in {"spend", "costs"})])


def _first(pattern: re.Pattern[str], request: str) -> str | None:
    match = pattern.search(request)
    return match.group(0) if match else None


_SINGLE_DAY = {"today", "yesterday"}


def period(request: str) -> str | None:
    """A period phrase; "today" names a day, which is an as-of date and not a period."""
    return next((m.group(0) for m in PERIOD_PHRASE.finditer(request) if m.group(0).lower() not in _SINGLE_DAY), None)


def as_of(request: str) -> str | None:
    if match := ISO_DATE.search(request):
        return match.group(0)
    if match := _END_OF.search(request):
        return f"end of {match.group(1)}"
    return _first(PERIOD_PHRASE, request)


_ACCOUNT_CODE = re.compile(r"(?<=\baccount )\d{4}\b|(?<=\bGL )\d{4}\b|(?<=\bcode )\d{4}\b", re.IGNORECASE)


def account(request: str) -> str | None:
    """An account name or alias the resolver knows, else a four-digit account code."""
    return _first(ACCOUNT_WORDS, request) or _first(_ACCOUNT_CODE, request)


def kpi(request: str) -> str | None:
    return _first(_KPI, request)


def subject(request: str) -> str | None:
    """What to forecast: a KPI or an account, whichever the request names."""
    return kpi(request) or account(request)


def department(request: str) -> str | None:
    return _first(_DEPARTMENT, request) or _first(_DEPARTMENT_CODE, request)


def entry_id(request: str) -> str | None:
    return (_first(_ENTRY, request) or "").lstrip("#") or None


def ticket(request: str) -> str | None:
    return (_first(_TICKET, request) or "").lstrip("#") or None


def proper_name(request: str) -> str | None:
    """A person, customer or vendor as named: the first capitalised run that does not start the sentence."""
    return _first(PROPER_NAME, request)


# Record numbers said instead of a name (a follow-up about "her" is rewritten with the number the last query
# resolved): employees E00013, customers C0012, vendors V0068.
_EMPLOYEE_NO = re.compile(r"\bE\d{5}\b")
_PARTY_CODE = re.compile(r"\b[CV]\d{4}\b")


def person(request: str) -> str | None:
    name = proper_name(request) or _first(_EMPLOYEE_NO, request)
    if name is None and _SELF.search(request):
        return "me"
    return name


def party(request: str) -> str | None:
    return proper_name(request) or _first(_PARTY_CODE, request)


def deal(request: str) -> str | None:
    match = _DEAL.search(request)
    if not match:
        return None
    return match.group(1) or match.group(2)


def start_date(request: str) -> str | None:
    if match := _DAY_RANGE.search(request):
        return match.group(1).strip()
    return _first(_DAY_PHRASE, request)


def end_date(request: str) -> str | None:
    if match := _DAY_RANGE.search(request):
        return match.group(2).strip()
    days = ISO_DATE.findall(request)
    return days[1] if len(days) > 1 else None


def months_ahead(request: str) -> int | None:
    if match := _MONTHS_AHEAD.search(request):
        said = match.group(1).lower()
        return int(said) if said.isdigit() else _NUMBER_WORDS[said]
    lowered = request.lower()
    return next((months for phrase, months in _QUARTERS_AHEAD.items() if phrase in lowered and months), None)


def amount(request: str) -> str | None:
    """The first figure the request states, without thousands separators ("25,000" → "25000")."""
    match = NUMBER.search(request)
    return match.group(0).replace(",", "") if match else None


def whole(request: str) -> str | None:
    return request.strip()[:200] or None


# Extractors by slot kind: the kind is declared on the argument schema's Field (erp_core.resolve.slots), so grounding,
# follow-ups and clarifying questions read one description of each tool's arguments.
# Kinds whose patterns are specific enough to fill an argument the model left out.
LEXICAL: dict[str, Slot] = {
    "period": period, "as_of": as_of, "account": account, "kpi": kpi, "subject": subject, "department": department,
    "entry": entry_id, "ticket": ticket, "deal": deal, "first_day": start_date, "last_day": end_date, "text": whole,
}
# Names: any capitalised run could be one, so they only replace a value the model invented or fill a required one.
NAMES: dict[str, Slot] = {"person": person, "party": party}
# Counts the model must not make up.
COUNTS: dict[str, Callable[[str], int | str | None]] = {"months": months_ahead, "amount": amount}


def kind_of(prop: dict[str, Any]) -> str | None:
    """The slot kind an argument's JSON schema declares (``"slot"``), or None for an argument that is no slot."""
    kind = prop.get("slot")
    return kind if isinstance(kind, str) else None


def slot_kinds(schema: dict[str, Any]) -> dict[str, str]:
    """Field name → slot kind for every argument of a tool's JSON schema that declares one."""
    return {name: kind for name, prop in schema.get("properties", {}).items() if (kind := kind_of(prop)) is not None}
