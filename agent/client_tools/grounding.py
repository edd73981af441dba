"""Arguments of a client's tool grounded in the request, then validated against the client's own schema.

The rule is agent/arguments.py's, for parameters we know nothing about beyond their JSON schema: a small model copies
values the user stated well when told to, and invents values when the user stated none. So after decoding, for each
top-level parameter:

- a number must be a figure of the request; an invented one is replaced by the figure stated next to the parameter's
  name ("height 5"), else by the next figure not used by another parameter;
- a string must be said in the request (all of its words); otherwise a quoted value of the request replaces it;
- a choice (enum) the request names outright wins over the model's pick;
- an optional value the user never expressed is dropped, so the tool's default applies.

Required values the user never gave stay as the model wrote them; the client's schema then decides.
"""

from __future__ import annotations

import re
from typing import Any, TypeGuard

from agent.client_tools.catalog import ClientTool

# A comma groups thousands only before three digits: "A(3,4)" states 3 and 4, "1,250" one figure.
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_NUMBER = re.compile(rf"(?<![\w.])[-+]?{_DIGITS}(?![\d])")
_QUOTED = re.compile(r"\"([^\"]{1,200})\"|'([^']{1,200})'|“([^”]{1,200})”")
_WORD = re.compile(r"[a-z0-9]+")
_NEAR = 4  # words between a parameter's name and its figure ("base of 10", "height is 5")
# Values a request states without quotes: proper names ("Golden State Warriors", "Nashville") and codes that mix
# digits with letters or separators ("2022/AL2562", "2022-2023", "ORD-42"). A sentence's first word is capitalised
# for grammar, not because it names something.
_NAME_RUN = re.compile(r"\b[A-Z][\w'&.-]*(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w'&.-]*)*")
_CODE = re.compile(r"\b(?=[\w/.-]*\d)(?=[\w/.-]*[A-Za-z/-])[\w][\w/.-]*\w\b")
_NEGATION = re.compile(r"\b(?:no|not|without|don't|do not|exclude|excluding)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def _figures(request: str) -> list[tuple[int, float, str]]:
    """(position, value, text) of every figure the request states."""
    out = []
    for match in _NUMBER.finditer(request):
        text = match.group(0).replace(",", "")
        try:
            out.append((match.start(), float(text), text))
        except ValueError:
            continue
    return out


def _said(value: str, request: str) -> bool:
    lowered = request.lower()
    text = value.lower().strip()
    # whole words only: "en" is not said by "general"
    if text and re.search(rf"(?<!\w){re.escape(text)}(?!\w)", lowered):
        return True
    words = _WORD.findall(value.lower())
    return bool(words) and all(w in set(_WORD.findall(lowered)) for w in words)


def _stated_values(request: str) -> list[str]:
    """Unquoted values the request states, in order: codes first (they are specific), then proper names."""
    values = [m.group(0) for m in _CODE.finditer(request) if not _NUMBER.fullmatch(m.group(0))]
    for match in _NAME_RUN.finditer(request):
        text = match.group(0).rstrip(".")
        before = request[: match.start()].rstrip()
        if not before or before[-1] in ".?!:":  # sentence-initial: drop its first word
            text = text.partition(" ")[2]
        if text and text != "I" and text not in values:
            values.append(text)
    return values


def _kinds(prop: dict[str, Any]) -> set[str]:
    kind = prop.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()
    for key in ("anyOf", "oneOf"):
        for sub in prop.get(key, []) if isinstance(prop.get(key), list) else []:
            if isinstance(sub, dict):
                kinds |= _kinds(sub)
    return kinds


def _named_option(options: list[Any], request: str) -> Any | None:
    lowered = f" {' '.join(_WORD.findall(request.lower()))} "
    for option in sorted((o for o in options if isinstance(o, str)), key=len, reverse=True):
        words = " ".join(_WORD.findall(option.lower()))
        if words and f" {words} " in lowered:
            return option
    return None


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _name_position(name: str, request: str) -> int | None:
    """Where the request mentions the parameter (a word of its name, 3+ letters, any inflection): the offset after
    that word."""
    words = [w for w in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", name) if len(w) >= 3]
    for word in words:
        match = re.search(rf"\b{re.escape(_stem(word.lower()))}\w*", request.lower())
        if match:
            return match.end()
    return None


def _as_number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


class _Figures:
    """The request's figures, handed out once each."""

    def __init__(self, request: str) -> None:
        self.request = request
        self.items = _figures(request)
        self.used: set[int] = set()

    def has(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return any(abs(v - float(value)) < 1e-9 for _, v, _ in self.items)

    def claim(self, value: Any) -> None:
        for i, (_, v, _) in enumerate(self.items):
            if i not in self.used and isinstance(value, int | float) and abs(v - float(value)) < 1e-9:
                self.used.add(i)
                return

    def for_param(self, name: str) -> float | None:
        at = _name_position(name, self.request)
        if at is not None:
            for i, (pos, value, _) in enumerate(self.items):
                gap = len(self.request[at:pos].split()) if pos >= at else _NEAR + 1
                if i not in self.used and gap <= _NEAR:
                    self.used.add(i)
                    return value
        for i, (_, value, _) in enumerate(self.items):
            if i not in self.used:
                self.used.add(i)
                return value
        return None


def ground_arguments(tool: ClientTool, args: dict[str, Any], request: str) -> dict[str, Any]:
    """``args`` with invented values replaced or dropped and empty slots filled from ``request``."""
    props = tool.properties
    required = set(tool.required)
    figures = _Figures(request)
    quoted = [a or b or c for a, b, c in _QUOTED.findall(request)]
    stated = [v for v in _stated_values(request) if not any(v in q for q in quoted)]
    grounded = {name: value for name, value in args.items() if name not in props}  # the schema reports these
    for value in args.values():
        if figures.has(value):
            figures.claim(value)
        # A value the user gave is taken; an invented one (often the parameter description, copied) claims nothing.
        if isinstance(value, str) and _said(value, request):
            stated = [v for v in stated if v.lower() not in value.lower() and value.lower() not in v.lower()]
    for name, prop in props.items():
        prop = prop if isinstance(prop, dict) else {}
        present, value = name in args, args.get(name)
        need = name in required
        kinds = _kinds(prop)
        if isinstance(prop.get("enum"), list):
            named = _named_option(prop["enum"], request)
            if named is not None:
                grounded[name] = named
            elif present and (need or _said(str(value), request)):
                grounded[name] = value
        elif kinds & {"integer", "number"} and not isinstance(value, str):
            if present and figures.has(value):
                grounded[name] = value
            elif (present or need) and (figure := figures.for_param(name)) is not None:
                grounded[name] = _as_number(figure)
            elif present and need:
                grounded[name] = value
        elif "string" in kinds or (not kinds and isinstance(value, str)):
            if present and isinstance(value, str) and _said(value, request):
                grounded[name] = value
            elif (present or need) and quoted:
                grounded[name] = quoted.pop(0)
            elif need and stated:
                grounded[name] = stated.pop(0)  # the model wrote something the user never said
            elif present and need:
                grounded[name] = value
        elif "boolean" in kinds:
            mentioned = _name_position(name, request)
            if present and (need or mentioned is not None):
                grounded[name] = value
            elif not present and mentioned is not None:
                # a flag the request names ("with details") that the model left out; "without details" says no
                grounded[name] = _NEGATION.search(request[: mentioned].rsplit(" ", 1)[0] + " ") is None
        elif present and (need or _leaves_said(value, request, figures)):
            grounded[name] = value  # lists and objects: kept when required or made of what the user said
    return grounded


def unstated_required(tool: ClientTool, args: dict[str, Any], request: str) -> list[str]:
    """Required arguments whose value the request does not state (after grounding).

    When calling is optional, such a call is the sign of a request the tool does not serve: asked "what is a holy
    book?", a small model offered ``search_holy_books(book)`` invents a title; asked "what are the roots of bx + c =
    0?", ``find_roots(a, b, c)`` gets 1, 1 and 0. So a required free-text value must be said in the request (and
    one said value fills one parameter), and a required figure must be one the request states, each stated figure
    backing one parameter ("50 successes out of 500 trials" does not give n = 50 as well). Choices are not judged
    this way: the grammar already limits them.
    """
    figures = StatedFigures(request)
    strings: set[str] = set()
    missing = []
    judged = {name: prop for name in tool.required
              if isinstance(prop := tool.properties.get(name), dict) and "enum" not in prop}
    # figures first: a string that is only a figure ("2020" as an event, "3" as units) is stated only by a figure
    # of the request that no numeric value took
    for name in sorted(judged, key=lambda n: not _kinds(judged[n]) & _NUMERIC):
        kinds, value = _kinds(judged[name]), args.get(name)
        if kinds == {"string"} and isinstance(value, str):
            text = value.strip()
            said = (figures.back(float(text.replace(",", ""))) if _NUMBER.fullmatch(text)
                    else stated_text(value, request))
            if not said or text.lower() in strings:
                missing.append(name)
            strings.add(text.lower())
        elif kinds & _NUMERIC and _is_figure(value):
            if not figures.back(float(value)):
                missing.append(name)
        elif _figure_list(value, kinds) and not all(figures.back(v) for v in value):
            missing.append(name)
    return missing


_NUMERIC = {"integer", "number"}
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE = re.compile(r"^\s*(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})\s*$")
# Currency codes a request names in words ("500 US dollars", "British pounds to Japanese yen").
_CURRENCY_WORDS = {"usd": ("dollar", "usd"), "eur": ("euro",), "gbp": ("pound", "sterling"), "jpy": ("yen",),
                   "cad": ("canadian",), "aud": ("australian",), "cny": ("yuan", "renminbi"), "inr": ("rupee",),
                   "chf": ("swiss",), "mxn": ("peso",), "krw": ("won",), "rub": ("ruble", "rouble")}


def stated_text(value: str, request: str) -> bool:
    """Whether a free-text value is one the request states, in any of the usual forms: its words inflected
    ("pound" for "2 pounds"), one part of a qualified name ("Chicago, IL", "America/New_York"), the initials of a
    name said ("SD" for San Diego), a currency's code for its name, a date however the request writes it."""
    if _said(value, request):
        return True
    words = set(_WORD.findall(request.lower()))
    text = value.strip()
    if (date := _DATE.match(text)) is not None:
        return _date_stated([int(g) for g in date.groups()], request)
    if text.lower() in _CURRENCY_WORDS:
        return any(w.startswith(name) for w in words for name in _CURRENCY_WORDS[text.lower()])
    parts = [part.strip() for part in re.split(r"[,/()]", text) if part.strip()]
    return any(_initials_said(part, request) or (len(part) >= 3 and _words_stated(part, words)) for part in parts)


def _initials_said(text: str, request: str) -> bool:
    return (text.isupper() and 2 <= len(text) <= 4 and text.isalpha()
            and any("".join(w[0] for w in run.split()).upper() == text for run in _NAME_RUN.findall(request)))


def _words_stated(text: str, spoken: set[str]) -> bool:
    def inflected(word: str) -> bool:
        if word in spoken:
            return True
        return len(word) >= 4 and any(len(w) >= 4 and (w.startswith(word) or word.startswith(w)) for w in spoken)

    value_words = _WORD.findall(text.lower())
    return bool(value_words) and all(inflected(w) for w in value_words)


def _date_stated(parts: list[int], request: str) -> bool:
    lowered = request.lower()
    for part in parts:
        named = 1 <= part <= 12 and re.search(rf"\b{_MONTHS[part - 1]}", lowered)
        if not named and not re.search(rf"(?<!\d)0?{part}(?!\d)", lowered):
            return False
    return True


def _figure_list(value: Any, kinds: set[str]) -> TypeGuard[list[int | float]]:
    return "array" in kinds and isinstance(value, list) and bool(value) and all(_is_figure(v) for v in value)


def _is_figure(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9,
           "%": 0.01, "percent": 0.01}
_SCALED_FIGURE = re.compile(
    rf"(?<![\w.])[-+]?\$?({_DIGITS}(?:e[-+]?\d+)?)(?:\s?(%|percent\b|thousand\b|million\b|billion\b|mn\b|bn\b)"
    r"|(k|m|b)\b)?", re.IGNORECASE)
# Figures said in words, and the spans that state one ("next week" is 7 days or 1 week).
_NUMBER_WORDS: dict[str, tuple[float, ...]] = {
    "zero": (0,), "one": (1,), "two": (2,), "three": (3,), "four": (4,), "five": (5,), "six": (6,), "seven": (7,),
    "eight": (8,), "nine": (9,), "ten": (10,), "eleven": (11,), "twelve": (12,), "twenty": (20,), "thirty": (30,),
    "forty": (40,), "fifty": (50,), "hundred": (100,), "thousand": (1000,), "half": (0.5,), "twice": (2,),
    "double": (2,), "triple": (3,), "dozen": (12,), "pair": (2,), "quarter": (0.25,), "week": (7, 1),
    "fortnight": (14,), "month": (1,), "decade": (10,), "century": (100,)}


class StatedFigures:
    """The figures a request states, each as every value it may mean ("5%" is 5 or 0.05, "$1.2M" 1.2 or 1,200,000),
    each backing at most one value."""

    def __init__(self, request: str) -> None:
        self.readings: list[set[float]] = []
        for match in _SCALED_FIGURE.finditer(request):
            try:
                value = float(match.group(1).replace(",", ""))
            except ValueError:
                continue
            scale = _SCALES.get((match.group(2) or match.group(3) or "").lower())
            self.readings.append({value, value * scale} if scale else {value})
            if "," in match.group(1):  # "[200,300,400]" may be a list as well as 200,300,400
                self.readings += [{float(group)} for group in match.group(1).split(".")[0].split(",")]
        for word in _WORD.findall(request.lower()):
            if word in _NUMBER_WORDS:
                self.readings.append({float(v) for v in _NUMBER_WORDS[word]})

    def back(self, value: float) -> bool:
        """Whether an unused figure of the request reads as ``value`` (it is used up if so)."""
        for i, readings in enumerate(self.readings):
            # a sign is often written apart from its figure ("-$100", "a loss of 100"): magnitudes are compared
            if any(abs(r - abs(float(value))) <= 1e-9 * max(1.0, r) for r in readings):
                del self.readings[i]
                return True
        return False


def _leaves_said(value: Any, request: str, figures: _Figures) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(_leaves_said(v, request, figures) for v in value.values())
    if isinstance(value, list):
        return bool(value) and all(_leaves_said(v, request, figures) for v in value)
    if isinstance(value, str):
        return _said(value, request)
    if isinstance(value, bool):
        return False
    return figures.has(value)


def schema_errors(schema: dict[str, Any], value: Any) -> list[str]:
    """Where ``value`` breaks the client's ``schema`` (jsonschema, the draft the schema names); empty when valid."""
    import jsonschema

    try:
        validator_cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        validator = validator_cls(schema)
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
    except (jsonschema.exceptions.SchemaError, jsonschema.exceptions.RefResolutionError, ValueError) as exc:
        return [f"schema cannot be checked: {str(exc).splitlines()[0]}"]
    return [f"{'/'.join(str(p) for p in e.path) or 'arguments'}: {e.message}" for e in errors[:5]]
