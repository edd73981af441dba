"""Follow-ups as edits of the thread's last resolved query ("and the quarter before?", "what about marketing?").

A thread keeps the last read tool call with its arguments resolved (agent/last_query.py): periods as their first and
last day and name, as-of dates as ISO days, accounts by name, departments by code. A new turn is first read as an edit
of that call (:func:`read_followup`), by deterministic patterns only:

- a period shift or replacement: "the quarter before", "the month after", "same month last year", "what about
  September?", "and last year?";
- a slot replaced: an account ("and travel?", "and the payroll one?"), a department ("what about marketing?"),
  a customer or vendor ("for Contoso instead"), a KPI ("and gross margin?");
- a grouping or drill-down: "break that down by month / department / account", "show me the entries",
  "which one was the largest?";
- a comparison: "compare with budget", "versus last year", "against the previous quarter".

The result is a complete call (the graph runs it without asking the model), one short question when the edit is clear
but a value is missing, or None: the turn is not a follow-up (it names its own subject, or nothing in it edits the
last query) and is routed like any new question. Everything here is pure: the tools' slot kinds and today's date are
passed in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agent import slots
from agent.arguments import named_choice
from agent.last_query import range_of
from agent.routing import PERIOD_PHRASE, PROPER_NAME
from erp_core.errors import NexusError
from erp_core.resolve.departments import ALIASES as DEPARTMENT_ALIASES
from erp_core.resolve.epm import resolve_kpi
from erp_core.resolve.periods import (
    PeriodRange,
    period_phrase,
    previous_period,
    resolve_period,
    same_period_last_year,
    shift_period,
)

ToolSlots = Mapping[str, Mapping[str, str]]  # tool name → {argument name: slot kind}, for the tools the actor may use

BREAKDOWN, RANKING, COMPARE, BUDGET, ACTIVITY = "breakdown", "ranking", "period_comparison", "budget_vs_actual", \
    "account_activity"


@dataclass(frozen=True, slots=True)
class Call:
    """A complete tool call read from the turn: arguments as the tool accepts them."""

    tool: str
    args: dict[str, Any]
    edits: tuple[str, ...] = field(default=())  # what the turn changed, for logs and tests ("period", "grouping")


@dataclass(frozen=True, slots=True)
class Clarify:
    """The turn is a follow-up but one value is missing: ask it back instead of guessing."""

    question: str


# ----------------------------------------------------------------------------------------------------- cues

_OPENER = re.compile(r"^\s*(?:and|but|also|ok(?:ay)?|so|then|now|what about|how about|same|versus|vs\.?|"
                     r"compared?|against)\b", re.IGNORECASE)
# "IT" in capitals is the department ("what's open for the IT team?"), not a pronoun.
_ANAPHORA = re.compile(r"\b(?!(?-i:IT)\b)(?:that|those|it|them|one|ones|same|instead|there)\b", re.IGNORECASE)
_UNIT = r"(month|quarter|year|period)"
_RELATIVE_BEFORE = re.compile(r"\b(?:the\s+)?" + _UNIT + r"\s+(?:before|prior|earlier)\b|"
                              r"\b(?:the\s+)?(?:previous|prior|preceding)\s+" + _UNIT + r"\b", re.IGNORECASE)
_RELATIVE_AFTER = re.compile(r"\b(?:the\s+)?" + _UNIT + r"\s+(?:after|later)\b|"
                             r"\b(?:the\s+)?(?:next|following)\s+" + _UNIT + r"\b", re.IGNORECASE)
_YEAR_AGO = re.compile(r"\bsame\s+(?:month|quarter|period|time)\s+(?:last|the\s+previous|a)\s+year\b|"
                       r"\b(?:a|one)\s+year\s+(?:earlier|before|ago)\b|\bthe\s+(?:year|quarter|month)\s+a\s+year\s+"
                       r"(?:earlier|before|ago)\b", re.IGNORECASE)
_SAME = re.compile(r"\b(?:the\s+)?same\s+(?:month|quarter|year|period|time)\b|\bthen\b", re.IGNORECASE)
_GROUPING = re.compile(r"\b(?:by|per|each)\s+(month|department|account|dept|cost\s+line)s?\b|"
                       r"\b(monthly|month\s+by\s+month)\b", re.IGNORECASE)
_BREAK = re.compile(r"\b(?:break|split)\w*\s+(?:(?:that|it|this|them|those)\s+)?(?:down|up|out)\b|\bbreakdown\b",
                    re.IGNORECASE)
_ENTRIES = re.compile(r"\b(?:show|list|see|give)\b[^?.!]*\b(?:entries|transactions|postings|lines|details)\b",
                      re.IGNORECASE)
# "Which month was the best?" after a split by month: the split's own headline states its highest and lowest row.
_BEST_OF_SPLIT = re.compile(r"\bwhich\s+(?:month|quarter|department|account|one|of\s+(?:them|those|these))\b[^?.!]*"
                            r"\b(?:best|worst|highest|lowest|largest|biggest|smallest|most|least|strongest|weakest)\b",
                            re.IGNORECASE)
_WHICH_UNIT = re.compile(r"\bwhich\s+(month|department|account)\b", re.IGNORECASE)
_LOW = re.compile(r"\b(?:worst|lowest|smallest|least|weakest)\b", re.IGNORECASE)
_LARGEST = re.compile(r"\bwhich\s+(?:one|ones|was|were|is|are|of\s+(?:them|those|these))\b[^?.!]*"
                      r"\b(?:largest|biggest|highest|most)\b|\bthe\s+(?:largest|biggest)\s+ones?\b", re.IGNORECASE)
_COMPARE = re.compile(r"\b(?:compare[ds]?|comparison|versus|vs\.?|against|compared)\b", re.IGNORECASE)
_BUDGET = re.compile(r"\b(?:budget|plan|forecast(?:ed)?\s+figures)\b", re.IGNORECASE)
_LAST_YEAR = re.compile(r"\b(?:last|previous|prior|a)\s+year\b|\byear\s+(?:over\s+year|ago|before|earlier)\b",
                        re.IGNORECASE)
_THE_ONE = re.compile(r"\bthe\s+(?!(?:same|other|last|first|next|previous|largest|biggest|new|old)\b)"
                      r"([a-z][a-z&-]+(?:\s+[a-z][a-z&-]+)?)\s+one\b", re.IGNORECASE)
# Words that name a subject of their own (a report, a list, a KPI): a request naming one is a new question unless the
# word is the very slot it replaces.
_SUBJECTS = re.compile(r"\b(?:balance\s+sheet|trial\s+balance|income\s+statement|p\s*&\s*l|profit|net\s+income|"
                       r"invoices?|bills?|receivables|payables|aging|pipeline|deals?|headcount|employees|leave|"
                       r"vacation|tickets?|sla|forecast|kpis?|anomal\w*|approvals?|journal\s+entry|policy|policies|"
                       r"documents?|reports?\s+to|manager|who\s+owns|budget|payments?|expense\s+accounts)\b",
                       re.IGNORECASE)
_NOT_NAMES = re.compile(r"^(?:what|how|and|but|the|for|same|show|which|break|compare|versus|instead|also|now)$",
                        re.IGNORECASE)


# One short question per slot kind, asked when a follow-up leaves that slot open (never guessed).
QUESTIONS: dict[str, str] = {
    "account": "Which account, for example travel or rent?",
    "grouping": "By month, by department or by account?",
    "period": "For which period, for example last month or Q3?",
    "department": "Which department?",
    "party": "Which customer or vendor?",
    "person": "Who do you mean?",
}


# In a follow-up about departments a bare department name is one ("and in sales?"); in a fresh request "sales" or
# "finance" usually is not, which is why agent.slots is stricter. Pronoun-like words ("it", "people") stay out.
_DEPARTMENT_NAMES = sorted({w.lower() for code, words in DEPARTMENT_ALIASES.items() for w in (code, *words)} |
                           {"sales", "finance", "marketing", "engineering", "operations", "executive"}
                           - {"it", "people", "dev", "tech", "accounts"}, key=len, reverse=True)
_DEPARTMENT_NAME = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in _DEPARTMENT_NAMES) + r")\b", re.IGNORECASE)
_NTH_LARGEST = re.compile(r"\b(second|third|fourth|fifth|next)\s+(?:largest|biggest|highest|most)\b", re.IGNORECASE)
_NTH = {"second": 2, "third": 3, "fourth": 4, "fifth": 5, "next": 2}
_OPEN_RANKING = {"open_invoices": "customers_by_balance", "open_bills": "vendors_by_balance"}
# After an aging report, "which customer has the largest open balance?" ranks its parties; the side is the one named.
_WHICH_LARGEST = re.compile(r"\b(?:which|who)\b[^?.!]*\b(?:largest|biggest|highest|most)\b", re.IGNORECASE)
_RECEIVABLE_SIDE = re.compile(r"\b(?:customers?|receivables?|owes?\s+us|debtors|AR)\b", re.IGNORECASE)
_PAYABLE_SIDE = re.compile(r"\b(?:vendors?|suppliers?|payables?|we\s+owe|creditors|AP)\b", re.IGNORECASE)
_SIDES = {"open_invoices": (_PAYABLE_SIDE, "open_bills"), "open_bills": (_RECEIVABLE_SIDE, "open_invoices")}
# A question about a detail of the result just shown ("how much of it is over 90 days?", "how much is that
# weighted?"): the same query answers it again, its table holds the detail.
_ABOUT_RESULT = re.compile(r"^\s*(?:and\s+)?(?:how|what|which|who|is|are|was|were)\b[^.!]*\b(?:(?:of|in|from)\s+"
                           r"(?:it|that|those|them|these)|(?:is|was|are|were)\s+(?:it|that|those|they))\b",
                           re.IGNORECASE)
_FILLER = re.compile(r"^\s*(?:and|but|also|so|then|now|ok(?:ay)?|what about|how about)\b[\s,]*|[?.!]+\s*$",
                     re.IGNORECASE)
_CONTENT_WORD = re.compile(r"\b(?!(?:the|a|an|of|for|in|on|to|do|we|i|our|my|what|how|is|are|it|that|this|get|"
                           r"about|and|with|from)\b)[a-z]{3,}\b", re.IGNORECASE)


@dataclass
class _Turn:
    """What the request says, read once."""

    text: str
    edits: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)  # words spent on slot replacements (not subjects of their own)


def _unit_of(word: str, base: PeriodRange | None) -> int:
    if word.lower() == "period":
        months = len(base.months) if base is not None else 1
        return months if months in (1, 3, 12) else 1
    return {"month": 1, "quarter": 3, "year": 12}[word.lower()]


def _aligned(base: PeriodRange, months: int) -> PeriodRange:
    """The whole month, quarter or year that contains ``base``'s first day."""
    start = base.start
    first_month = (start.month - 1) // months * months + 1 if months in (1, 3, 12) else start.month
    return resolve_period(f"{start.year}-{first_month:02d}", start) if months == 1 else \
        resolve_period(f"Q{(first_month + 2) // 3} {start.year}", start) if months == 3 else \
        resolve_period(f"FY{start.year}", start)


def _period_edit(turn: _Turn, base: PeriodRange | None, today: dt.date) -> PeriodRange | None:
    """The period the turn moves to, relative to ``base`` (today's month when the last query had none)."""
    anchor = base or resolve_period("this month", today)
    text = turn.text
    if _YEAR_AGO.search(text):
        turn.edits.append("period")
        return same_period_last_year(anchor)
    for pattern, sign in ((_RELATIVE_BEFORE, -1), (_RELATIVE_AFTER, 1)):
        if match := pattern.search(text):
            unit = _unit_of(next(g for g in match.groups() if g), base)
            turn.edits.append("period")
            if unit == len(anchor.months) and period_phrase(anchor) == period_phrase(_aligned(anchor, unit)):
                return shift_period(anchor, sign * unit)
            if match.group(0).lower().endswith("period"):
                return previous_period(anchor) if sign < 0 else shift_period(anchor, len(anchor.months))
            return shift_period(_aligned(anchor, unit), sign * unit)
    if _SAME.search(text):
        return base
    said = slots.period(text)
    if said is not None:
        try:
            rng = resolve_period(said, today)
        except NexusError:
            return None
        turn.edits.append("period")
        turn.used.append(said)
        return rng
    return None


def _named_party(text: str) -> str | None:
    for match in PROPER_NAME.finditer(text):
        name = match.group(0)
        if not PERIOD_PHRASE.fullmatch(name) and not _NOT_NAMES.match(name):
            return name
    return None


def _by_kind(tool_slots: Mapping[str, str], args: Mapping[str, Any]) -> dict[str, Any]:
    return {kind: args[name] for name, kind in tool_slots.items() if name in args}


def _call(tool: str, tools: ToolSlots, values: Mapping[str, Any], today: dt.date, extra: Mapping[str, Any],
          edits: list[str]) -> Call | None:
    """Values by slot kind → the tool's arguments (periods as phrases the tool resolves back exactly)."""
    if tool not in tools:
        return None
    args: dict[str, Any] = {}
    for name, kind in tools[tool].items():
        if kind not in values or values[kind] is None:
            continue
        value = values[kind]
        if kind == "period" and isinstance(value, PeriodRange):
            value = period_phrase(value)
        elif kind == "as_of" and isinstance(value, PeriodRange):
            value = min(value.end, today).isoformat() if value.start <= today else value.end.isoformat()
        args[name] = value
    args.update(extra)
    return Call(tool, args, tuple(edits))


def _replacement(turn: _Turn, kinds: Mapping[str, str], values: dict[str, Any]) -> None:
    """Slot values the turn replaces: an account, a department, a customer or vendor, a person, a KPI."""
    text = turn.text
    present = set(kinds.values())
    account = slots.account(text)
    department = slots.department(text)
    if (match := _THE_ONE.search(text)) and "account" in present and isinstance(values.get("account"), str):
        word = match.group(1)
        head, sep, _qualifier = values["account"].partition(" - ")
        values["account"] = f"{head} - {word.title()}" if sep else word
        turn.edits.append("account")
        turn.used.append(match.group(0))
        return
    prefer_department = "department" in present and values.get("department") and not values.get("account")
    if department is None and "department" in present and (values.get("department") or not present & {"account",
                                                                                                      "kpi"}):
        department = _first_match(_DEPARTMENT_NAME, text)
    if account and "account" in present and not (prefer_department and department):
        values["account"] = account
        turn.edits.append("account")
        turn.used.append(account)
    elif department and "department" in present:
        values["department"] = department
        turn.edits.append("department")
        turn.used.append(department)
    if "amount" in present and (figure := slots.amount(text)) is not None:
        values["amount"] = figure  # "and one of 80,000?"
        turn.edits.append("amount")
        turn.used.append(figure)
    if "kpi" in present and (kpi := slots.kpi(text)):
        values["kpi"] = kpi
        turn.edits.append("kpi")
        turn.used.append(kpi)
    # A forecast of another KPI or account when asked as one ("and for travel?"); "What is our headcount?" after a
    # forecast is short, but it asks for today's figure, not a forecast of it.
    if "subject" in present and _continued(text) and (subject := slots.kpi(text) or account):
        values["subject"] = subject
        turn.edits.append("subject")
        turn.used.append(subject)
    name = _named_party(text)
    for kind in ("party", "person"):
        if name and kind in present:
            values[kind] = name
            turn.edits.append(kind)
            turn.used.append(name)
            break


def _first_match(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(0) if match else None


def _choice_edits(turn: _Turn, options: Mapping[str, list[Any]], kinds: Mapping[str, str],
                  args: Mapping[str, Any]) -> dict[str, Any]:
    """Choices the turn names outright ("and sick days?" → leave_type sick), for arguments that are no slot."""
    edits: dict[str, Any] = {}
    for name, choices in options.items():
        if name in kinds:
            continue  # groupings and comparisons are read by their own patterns
        named = named_choice(choices, turn.text)
        if named is not None and named != args.get(name):
            edits[name] = named
            turn.used.append(str(named).replace("_", " "))
    if edits:
        turn.edits.append("choice")
    return edits


def _own_subject(turn: _Turn) -> bool:
    """Whether the request names a subject of its own beyond the slots it replaces."""
    text = turn.text
    for used in turn.used:
        text = re.sub(re.escape(used), " ", text, flags=re.IGNORECASE)
    text = _BUDGET.sub(" ", text) if _COMPARE.search(turn.text) else text
    return _SUBJECTS.search(text) is not None


def _extra(last: Mapping[str, Any], kinds: Mapping[str, str]) -> dict[str, Any]:
    """The last call's arguments that are no slot (a status filter, a threshold): carried as they were."""
    return {name: value for name, value in (last.get("args") or {}).items() if name not in kinds}


def _kpi_key(said: Any) -> str | None:
    try:
        return resolve_kpi(str(said)) if said else None
    except NexusError:
        return None


def _continued(text: str) -> bool:
    return bool(_OPENER.search(text) or _ANAPHORA.search(text))


def _elliptical(text: str) -> bool:
    """Said as a continuation: an opener ("and", "what about"), a pronoun ("that", "the same"), or only a few words."""
    return _continued(text) or len(re.findall(r"\w+", text)) <= 4


def read_followup(request: str, last: Mapping[str, Any] | None, today: dt.date, tools: ToolSlots,
                  choices: Mapping[str, Mapping[str, list[Any]]] | None = None) -> Call | Clarify | None:
    """The turn as an edit of ``last`` ({"tool", "args"} as :func:`remember` made it), or None for a new question.

    ``choices`` lists each tool's enumerated arguments (:func:`tool_choices`), so a turn that names another option of
    one ("and sick days?") edits it.
    """
    if not last or last.get("tool") not in tools:
        return None
    tool = str(last["tool"])
    if not _elliptical(request) and not (tool in _OPEN_RANKING and _WHICH_LARGEST.search(request)) and \
            not (tool == BREAKDOWN and _BEST_OF_SPLIT.search(request)):
        return None
    kinds = tools[tool]
    values = _by_kind(kinds, last.get("args") or {})
    base = range_of(values.get("period"), {}, today) if "period" in values else None
    if base is None and isinstance(values.get("as_of"), str):
        as_of = dt.date.fromisoformat(values["as_of"])
        base = resolve_period(f"{as_of:%Y-%m}", today)
    turn = _Turn(request)
    period = _period_edit(turn, base, today)
    dated = {"period", "as_of"} & set(kinds.values())
    if period is not None and not dated:
        turn.edits.remove("period")  # a tool without dates (a search, a lookup): the period is no edit of it
        values["period"] = period  # a breakdown or comparison asked in the same turn may still use it
    elif period is not None:
        values["period" if "period" in dated else "as_of"] = period
    elif base is not None and "period" in values:
        values["period"] = base
    _replacement(turn, kinds, values)
    picked = _choice_edits(turn, (choices or {}).get(tool, {}), kinds, last.get("args") or {})
    if tool in _SIDES and (named_side := _SIDES[tool][0].search(request)):
        turn.used.append(named_side.group(0))  # "receivables" after the payables is the other side, not a new subject
    if _own_subject(turn):
        return None
    edits = turn.edits

    if _COMPARE.search(request) or re.search(r"\bvs\.?\b", request, re.IGNORECASE):
        if _BUDGET.search(request):
            values.setdefault("period", base)
            if values.get("account"):  # one account against its budget, not the whole variance report
                return _call(COMPARE, tools, values, today, {"against": "budget"}, [*edits, "comparison"])
            return _call(BUDGET, tools, values, today, {}, [*edits, "comparison"])
        against = "previous_year" if _LAST_YEAR.search(request) or _YEAR_AGO.search(request) else "previous_period"
        if tool in (BUDGET, "kpi"):
            return None  # actual vs actual for a KPI is not a shape we have: let the model pick
        values["period"] = base  # the comparison is of the discussed period, not of the one named after "versus"
        return _call(COMPARE, tools, values, today, {"against": against}, [*edits, "comparison"])

    grouping = _GROUPING.search(request)
    if grouping or _BREAK.search(request):
        if grouping is None:
            return Clarify(QUESTIONS["grouping"])
        word = (grouping.group(1) or grouping.group(2) or "").lower()
        by = "month" if word.startswith("month") else "department" if word.startswith("dep") else "account"
        if tool == "kpi" and _kpi_key(values.get("kpi")) != "revenue":
            return None  # a P&L breakdown shows revenue, not the other KPIs
        if "period" not in values and "account" not in values:
            return None
        if by == "department":
            values.pop("department", None)
        values.setdefault("period", base)
        return _call(BREAKDOWN, tools, values, today, {"by": by}, [*edits, "grouping"])

    if _ENTRIES.search(request):
        if not values.get("account"):
            return Clarify(QUESTIONS["account"])
        return _call(ACTIVITY, tools, values, today, {}, [*edits, "drill_down"])

    if tool == BREAKDOWN and (best := _BEST_OF_SPLIT.search(request)):
        # "which month was the best?": the one row, in a sentence; "which department …?" after a split by month
        # asks the same of a split by department
        if (unit := _WHICH_UNIT.search(request)) is not None:
            values["grouping"] = unit.group(1).lower()
        pick = "lowest" if _LOW.search(best.group(0)) else "highest"
        return _call(tool, tools, values, today, {**_extra(last, kinds), "pick": pick}, ["pick"])

    nth = _NTH_LARGEST.search(request)
    if nth is not None and tool in (RANKING, "open_invoices", "open_bills"):
        args = last.get("args") or {}
        what = _OPEN_RANKING.get(tool) or args.get("what")
        limit = max(int(args.get("limit") or 5), _NTH[nth.group(1).lower()])
        return _call(RANKING, tools, values, today, {"what": what, "limit": limit}, [*edits, "ranking"])

    side = _SIDES.get(tool)
    if _LARGEST.search(request) or (tool in _OPEN_RANKING and _WHICH_LARGEST.search(request)):
        what = _OPEN_RANKING.get(tool)
        if side is not None and side[0].search(request):  # the other side of the ledger was named
            what = _OPEN_RANKING[side[1]]
        if what is None and tool in ("income_statement", BREAKDOWN, COMPARE, ACTIVITY, BUDGET):
            what = "entries" if values.get("account") else "expense_accounts"
        elif what is None and tool == RANKING:
            what = str((last.get("args") or {}).get("what") or "expense_accounts")
        if what is None:
            return None
        if "period" not in values and isinstance(values.get("as_of"), PeriodRange | str):
            values["period"] = base
        return _call(RANKING, tools, values, today, {"what": what}, [*edits, "ranking"])

    if side is not None and side[0].search(request) and side[1] in tools:
        # "what about receivables?" after the payables: the same question of the other side of the ledger
        return _call(side[1], tools, {k: v for k, v in values.items() if k != "party"}, today, {}, [*edits, "side"])

    if not edits:
        text_slot = next((name for name, kind in kinds.items() if kind in ("text", "question")), None)
        context_slot = next((name for name, kind in kinds.items() if kind == "context"), None)
        said = _FILLER.sub("", request).strip()
        if text_slot is not None and context_slot is not None and said:
            if _LEDGER_MEASURE.search(said) or period is not None:
                return None  # "and our cash balance?", "and in Q3?" after a policy question: a question of its own
            return _continued_search(tool, last.get("args") or {}, text_slot, context_slot, said)
        if text_slot is not None and len(_CONTENT_WORD.findall(said)) >= 2:
            # a search continued: "and the meal allowance?" is a search of its own words
            return Call(tool, {**{n: v for n, v in (last.get("args") or {}).items() if n != text_slot},
                               text_slot: said}, ("text",))
        if _ABOUT_RESULT.search(request):
            return _call(tool, tools, values, today, _extra(last, kinds), ["same"])
        return None
    extra = _extra(last, kinds)
    return _call(tool, tools, values, today, {**extra, **picked}, edits)


# A document search continued ("and the accruals?", "and a 150,000 one?", "what about contractors?") unless the
# turn asks for a ledger figure ("and our cash balance?"), which is a new question.
_LEDGER_MEASURE = re.compile(r"\b(?:balances?|spen[dt]|spending|revenue|income|expenses|costs?|owes?|owed|paid|"
                             r"invoices?|bills?|cash|headcount|pipeline|deals?|budget|forecast|profit|margin|"
                             r"net|total)\b", re.IGNORECASE)
_AMOUNT_SAID = re.compile(r"\d[\d,]*(?:\.\d+)?(?:\s*(?:k|m)\b)?", re.IGNORECASE)


def _continued_search(tool: str, args: Mapping[str, Any], text_slot: str, context_slot: str, said: str) -> Call:
    """The search again, for what the turn adds. A new amount in place of the earlier question's ("and a 150,000
    one?") makes a question of its own; anything else is searched with the earlier question as its context."""
    previous = str(args.get(text_slot) or "")
    kept = {name: value for name, value in args.items() if name not in (text_slot, context_slot)}
    new_amount, old_amount = _AMOUNT_SAID.search(said), _AMOUNT_SAID.search(previous)
    if new_amount and old_amount:
        standalone = previous[:old_amount.start()] + new_amount.group(0).strip() + previous[old_amount.end():]
        return Call(tool, {**kept, text_slot: standalone}, ("text",))
    # The earlier question frames a short continuation; a continuation of a continuation keeps the first frame.
    frame = previous if len(_CONTENT_WORD.findall(previous)) >= 3 else str(args.get(context_slot) or previous)
    return Call(tool, {**kept, text_slot: said, context_slot: frame}, ("text",))


# A party or a person the thread is about, referred to by a pronoun: "how much have we won with them?" after the
# pipeline with a customer, "what is her leave balance?" after an employee. "Which of them" points into a list and
# is left alone.
_PRONOUNS = {
    "party": re.compile(r"\b(?:with|from|to|for|about|on|by)\s+them\b|\bthey\b|\btheir\b|"
                        r"\b(?:this|that)\s+(?:customer|client|vendor|supplier|account)\b", re.IGNORECASE),
    "person": re.compile(r"\b(?:he|she|him|his|her|hers)\b|\b(?:this|that)\s+(?:employee|person|colleague)\b",
                         re.IGNORECASE),
}
_POSSESSIVE = re.compile(r"^(?:their|his|her)$", re.IGNORECASE)
_SELF_WORDS = frozenset({"me", "my", "myself", "i", "mine"})


def with_referent(request: str, last: Mapping[str, Any] | None, tools: ToolSlots) -> str | None:
    """``request`` with its pronoun for the last query's customer, vendor or person replaced by the name, or None.

    A new question about the same party ("and how much have we won with them?") is routed and grounded like one
    that names it; the name is the one the last query resolved.
    """
    if not last or last.get("tool") not in tools:
        return None
    kinds = tools[str(last["tool"])]
    for kind, pronoun in _PRONOUNS.items():
        name = next((value for arg, value in (last.get("args") or {}).items()
                     if kinds.get(arg) == kind and isinstance(value, str) and value.strip()
                     and value.strip().lower() not in _SELF_WORDS), None)  # "her" is not the asker
        match = pronoun.search(request) if name else None
        if match is None or name is None:
            continue
        said = match.group(0)
        words = said.split()
        if len(words) == 2 and words[0].lower() not in ("this", "that"):
            replacement = f"{words[0]} {name}"  # "with them" → "with Contoso"
        else:
            # "her leave balance" → "Carol Jensen's leave balance"; a record number is not possessed ("E00013")
            replacement = f"{name}'s" if _POSSESSIVE.match(said) and not re.search(r"\d", name) else name
        return request[:match.start()] + replacement + request[match.end():]
    return None


def with_context(args: Mapping[str, Any], request: str, previous: str | None,
                 kinds: Mapping[str, str]) -> dict[str, Any]:
    """A question said as a continuation ("and how many do I get per year?" after "how many vacation days do I
    have left?") gets the previous question as its context, for a tool that takes one (document search)."""
    context_slot = next((name for name, kind in kinds.items() if kind == "context"), None)
    if context_slot is None or not previous or args.get(context_slot) or not _OPENER.search(request):
        return dict(args)
    return {**args, context_slot: previous}


def carry_over(tool: str, args: Mapping[str, Any], request: str, last: Mapping[str, Any] | None,
               kinds: Mapping[str, str], today: dt.date) -> dict[str, Any]:
    """The model's call for a follow-up that the patterns could not read, completed from the last query.

    When the model chose the same tool as the last query and the turn is said as a continuation ("and for the other
    one?"), the arguments it did not give are carried over: the model fills only what the turn changes.
    """
    if not last or last.get("tool") != tool or not _elliptical(request):
        return dict(args)
    merged = dict(args)
    for name, value in (last.get("args") or {}).items():
        if name in merged:
            continue
        if kinds.get(name) == "period":
            rng = range_of(value, {}, today)
            if rng is None:
                continue
            value = period_phrase(rng)
        merged[name] = value
    return merged


# Words that ask about the present, not about the period under discussion ("which invoices are open now?").
_PRESENT = re.compile(r"\b(?:now|today|currently|current|so far|to date|ever|all[- ]time|lifetime)\b", re.IGNORECASE)
# Tools whose period is no period of actuals under discussion: a forecast and the pipeline look ahead, an account
# overview is the customer's whole history unless asked, SLA breaches asked without a period are the open ones, and
# a headcount is the people on a day (today, unless a period is said).
_OWN_PERIOD = frozenset({"forecast", "pipeline", "account_360", "sla_breaches", "headcount"})


def carry_period(tool: str, args: Mapping[str, Any], request: str, last: Mapping[str, Any] | None,
                 kinds: Mapping[str, str], today: dt.date) -> dict[str, Any]:
    """A new question in a conversation about a period is about that period too, unless it says otherwise.

    "What was revenue last quarter?" then "Which customers contributed most?" ranks the customers of last quarter,
    as a colleague would read it, even though the ranking is another tool. Only a period the conversation gave the
    last read carries ("last quarter", "and the quarter before?", or one carried itself), not one a tool defaulted
    to; only into a period slot the new call left empty; never one that has not started (a forecast's "next
    quarter" is no period of actuals). The answer names its period, so the reader sees what was assumed.
    """
    slot = next((name for name, kind in kinds.items() if kind == "period" and not args.get(name)), None)
    if slot is None or tool in _OWN_PERIOD or not last or not last.get("period_said"):
        return dict(args)
    if PERIOD_PHRASE.search(request) or _PRESENT.search(request):
        return dict(args)
    said = next((value for value in (last.get("args") or {}).values()
                 if isinstance(value, Mapping) and {"start", "end"} <= value.keys()), None)
    rng = range_of(said, {}, today) if said is not None else None
    if rng is None or rng.start > today:
        return dict(args)
    return {**args, slot: period_phrase(rng)}
