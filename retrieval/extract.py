"""Extractive answers: the sentence or two of the best passages that answer a question, chosen without a model.

A small model paraphrasing a policy misreads its figures ("The answer is: 4" where the passage says "entitled to 20
days of annual leave"); the policy's own sentence, quoted with its citation, cannot be misread. The candidates are the
sentences of the top passages (their heading line and questions dropped, bullets and Markdown table rows taken one by
one, a table row read as "column: cell; column: cell"). Each is scored by

- its embedding similarity to the question (the search's own embedder, already loaded),
- whether it holds the kind of figure or term the question asks for: "how many days" wants a number followed by days,
  "when" or "deadline" a time limit or a date, "how much", "cap" or "per diem" an amount, "who" a role,
  "am I allowed" a rule (may, must, only, never),
- the share of the question's content words it contains,
- the rank of its passage (the search already fused dense and keyword evidence).

The best sentence is quoted; the sentence next to it in the same passage joins it when it scores nearly as well (a
rule and its exception, a figure and its condition). Everything here is deterministic: the same passages and
question give the same extract.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retrieval.ports import Embedder, Hit

# How many of the search's passages are read for sentences: the answer is nearly always in the first two, and each
# extra passage costs its sentences' embeddings.
PASSAGES = 3
# Below this similarity between the question and the best sentence, the passages do not say what was asked: the
# answer says so and quotes the closest sentence as such. Measured with MiniLM on the demo corpus: the best sentence
# of each of the 68 labelled questions (evals/datasets/retrieval_questions.jsonl) scored 0.42 or more; of 15
# questions the corpus cannot answer (weather, trivia, jokes), 14 scored 0.39 or less.
MIN_SIMILARITY = 0.4
# A neighbouring sentence joins the quote when its score is within this of the best one.
SECOND_MARGIN = 0.06
MAX_QUOTE_CHARS = 420

# The weights were chosen on the 87 demo-corpus questions with a known answer document (the labelled retrieval
# questions and tests/integration/retrieval/test_extract_corpus.py): 86 right with these, on a plateau (overlap
# 0.35-0.4, figure 0.2-0.25); with word overlap at 0.15 the sentence model's pull won over the question's own words
# ("payment terms" for customers quoted the vendors' terms).
_FIGURE_BONUS = 0.2  # the sentence holds the figure the question asks for
_TERM_BONUS = 0.08  # a weaker cue: a role for "who", a modal for "am I allowed"
_OVERLAP_WEIGHT = 0.35  # times the share of the question's content words in the sentence
_RANK_PENALTY = 0.02  # per passage rank below the first
# A continued question ("and the accruals?") is answered by a sentence about what it adds: while some sentence holds
# one of its own words, those without any are put behind (the question it continues pulls toward its own answer).
_OFF_FOCUS_PENALTY = 0.5

_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "no.", "approx.", "mr.", "ms.", "dr.", "cf.")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")
_MIN_WORDS = 4

_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                 "fifteen", "twenty", "thirty", "half")
_NUMBER = r"(?:\d[\d,]*(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")"
_UNITS = ("minute", "hour", "day", "week", "month", "year", "character", "percent", "time")
_AMOUNT = re.compile(rf"(?:[$€£]\s?\d|\b{_NUMBER}\s*(?:%|percent\b|usd\b|eur\b|gbp\b|dollars?\b|euros?\b)|"
                     r"\bnet\s+\d+\b)", re.IGNORECASE)
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_LIMIT = re.compile(
    rf"\b(?:within|by|before|after|until|no later than|at least|ahead|every|each|on)\b[^.;]{{0,40}}?"
    rf"\b(?:{_NUMBER}\s+(?:\w+\s+)?(?:minutes?|hours?|days?|weeks?|months?|years?)|business day|"
    rf"{'|'.join(_MONTHS)}|{'|'.join(_WEEKDAYS)}|quarter|month-end|year-end)\b|"
    rf"\b(?:deadline|due|{'|'.join(_MONTHS)})\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b|"
    rf"\b{_NUMBER}\s+(?:\w+\s+)?(?:days?|weeks?|months?)\s+(?:after|before|ahead|of)\b", re.IGNORECASE)
_ROLE = re.compile(r"\b(?:manager|controller|cfo|ceo|hr|officer|director|administrator|approver|approves?|approved by|"
                   r"team|desk|department|requester|committee|partner|owner|it)\b", re.IGNORECASE)
_RULE = re.compile(r"\b(?:may|must|not|never|only|required|requires?|allowed|prohibited|need|needs|mandatory|"
                   r"cannot|no)\b", re.IGNORECASE)

_HOW_MANY = re.compile(r"\bhow\s+(?:many|long)\b((?:\s+[\w-]+){0,3})|\bnumber\s+of\s+(\w+)", re.IGNORECASE)
# "How much leave" is counted in days.
_HOW_MUCH_LEAVE = re.compile(r"\bhow\s+much\b(?:\s+\w+)?\s+(?:leave|vacation|holidays?|pto|time\s+off)\b",
                             re.IGNORECASE)
_ASKS_AMOUNT = re.compile(r"\bhow\s+much\b|\bper[-\s]?diem\b|\b(?:cap|caps|allowance|limit|maximum|max|minimum|"
                          r"rate|budget|price|cost|costs|threshold|reimburs\w*\s+up\s+to|salary|band|bonus|fee|"
                          r"amount|percent(?:age)?)\b", re.IGNORECASE)
_ASKS_WHEN = re.compile(r"^\s*(?:and\s+)?(?:when|by\s+when|until\s+when)\b|\b(?:deadline|due|how\s+(?:soon|fast|"
                        r"quickly)|how\s+long\s+do\s+i\s+have|(?:what|which)\s+(?:business\s+|working\s+)?day|"
                        r"time\s+limit|within)\b",
                        re.IGNORECASE)
_ASKS_WHO = re.compile(r"\bwho(?:m|se)?\b|\bwhich\s+(?:role|person|team|manager)\b", re.IGNORECASE)
_ASKS_RULE = re.compile(r"\b(?:can\s+i|may\s+i|am\s+i\s+allowed|are\s+we\s+allowed|is\s+it\s+allowed|"
                        r"allowed\s+to|do\s+i\s+need|must\s+i|should\s+i|is\s+\w+\s+(?:required|allowed|mandatory))\b",
                        re.IGNORECASE)
# A figure in the question ("a purchase order of 20,000") and the ranges a rule states ("under 5,000 USD",
# "5,000 USD up to 49,999.99 USD", "50,000 USD and above"): the row whose range holds the figure answers.
_DIGITS = r"\d(?:[\d,]*\d)?(?:\.\d+)?"
_QUESTION_FIGURE = re.compile(rf"(?<![\w.-]){_DIGITS}(?:\s*(k|m)\b)?", re.IGNORECASE)
_CUR = r"(?:[$€£]\s?)?"
_UNIT_WORD = r"(?:\s*(?:usd|eur|gbp|dollars?|euros?|%))?"
_RANGE_BETWEEN = re.compile(rf"{_CUR}({_DIGITS}){_UNIT_WORD}\s*(?:up to|to|–|—|-|and)\s*{_CUR}({_DIGITS})",
                            re.IGNORECASE)
_RANGE_BELOW = re.compile(rf"\b(?:(under|below|less than)|up to|at most|not more than|no more than)\s+"
                          rf"{_CUR}({_DIGITS})", re.IGNORECASE)
_RANGE_ABOVE = re.compile(rf"\b(?:from|above|over|more than|at least|exceeding)\s+{_CUR}({_DIGITS})|"
                          rf"{_CUR}({_DIGITS}){_UNIT_WORD}\s+(?:and above|or more|and over|or above|and up)\b",
                          re.IGNORECASE)
_STOPWORD_TEXT = (
    "a an the of to in on for at by with from and or but is are was were be been am do does did have has had i we you "
    "our my your me us it its this that these those what which who whom when where why how many much can could may "
    "might must should would will shall there their they them any some about into per as if than then so not no yes "
    "get got make made tell say says said policy policies document documents company acme")
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True, slots=True)
class Wants:
    """What kind of figure or term a question asks for, read from its wording."""

    unit: str | None = None  # "how many days" -> "day": a number followed by that unit
    amount: bool = False  # an amount, a rate or a percentage
    when: bool = False  # a time limit, a date, a deadline
    who: bool = False  # a role or a person
    rule: bool = False  # a permission or an obligation
    per: str | None = None  # "how many do I get per year?" -> "year": a figure for each year, not any year

    @classmethod
    def of(cls, question: str) -> Wants:
        unit = None
        matches = list(_HOW_MANY.finditer(question))  # a continued question has its own and its context's
        for match in matches:
            words = (match.group(1) or match.group(2) or "").split()
            unit = unit or next((u for u in map(_unit_of, words) if u), None)
            if unit is None and "long" in match.group(0).lower():
                unit = "time"
        if not matches and _HOW_MUCH_LEAVE.search(question):
            unit = "day"
        return cls(unit=unit, amount=bool(_ASKS_AMOUNT.search(question)) and unit is None,
                   when=bool(_ASKS_WHEN.search(question)) or unit == "time", who=bool(_ASKS_WHO.search(question)),
                   rule=bool(_ASKS_RULE.search(question)), per=rate_unit(question))


@dataclass(frozen=True, slots=True)
class Extract:
    """The quoted answer: one or two sentences of one passage, the passage's citation data, and how sure it is."""

    sentences: tuple[str, ...]
    hit: Hit
    similarity: float  # of the best sentence to the question (embedding cosine)
    score: float

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    @property
    def confident(self) -> bool:
        return self.similarity >= MIN_SIMILARITY

    @property
    def source(self) -> str:
        """"Title, § Section" (the section left out when it only repeats the title)."""
        return cite(self.hit)


def cite(hit: Hit) -> str:
    section = hit.section.strip()
    if not section or section.casefold() == hit.title.strip().casefold():
        return hit.title
    return f"{hit.title}, § {section}"


_PER = re.compile(r"\b(?:per|a|an|each|every)\s+(?:calendar\s+|fiscal\s+|business\s+|working\s+)?"
                  r"(year|month|week|day|night|quarter|hour|trip)\b|\b(annually|yearly|monthly|weekly|daily|nightly)\b",
                  re.IGNORECASE)
_PER_ADVERB = {"annually": "year", "yearly": "year", "monthly": "month", "weekly": "week", "daily": "day",
               "nightly": "night"}


def rate_unit(text: str) -> str | None:
    """The unit a rate is stated per: "per calendar year", "a night", "annually" (not "annual leave")."""
    match = _PER.search(text)
    if match is None:
        return None
    return (match.group(1) or _PER_ADVERB[match.group(2).lower()]).lower()


def _unit_of(word: str) -> str | None:
    word = word.lower().removesuffix("s")
    return word if word in _UNITS else None


def _table_rows(lines: list[str]) -> list[str]:
    """Markdown table rows as sentences: ``column: cell; column: cell`` (the header row names the columns)."""

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip().strip("|").split("|")]

    rows = [line for line in lines if not _TABLE_RULE.match(line)]
    if len(rows) < 2:
        return []
    header = cells(rows[0])
    out = []
    for row in rows[1:]:
        values = cells(row)
        if len(values) == len(header):
            out.append("; ".join(f"{h}: {v}" for h, v in zip(header, values, strict=True)) + ".")
        else:
            out.append(", ".join(values) + ".")
    return out


def _split_sentences(paragraph: str) -> list[str]:
    pieces = _SPLIT.split(paragraph)
    out: list[str] = []
    for piece in pieces:
        if out and out[-1].lower().endswith(_ABBREVIATIONS):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return [p.strip() for p in out if p.strip()]


def sentences(text: str, heading: str = "") -> list[str]:
    """The candidate answer sentences of a passage, in order.

    The heading line the splitter keeps at the top of a chunk is dropped (it names the section; the citation says it),
    so are questions (an FAQ's question is not its answer) and fragments of fewer than four words. Wrapped lines of a
    paragraph are joined; bullets and table rows stand alone.
    """
    lines = text.replace("\r", "").split("\n")
    if lines and heading and lines[0].strip().lstrip("#").strip().casefold() == heading.strip().casefold():
        lines = lines[1:]
    out: list[str] = []
    paragraph: list[str] = []
    table: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            out.extend(_split_sentences(" ".join(paragraph)))
            paragraph.clear()

    def flush_table() -> None:
        if table:
            out.extend(_table_rows(table))
            table.clear()

    for raw in lines:
        line = raw.strip().lstrip("#").strip()
        if not line:
            flush_paragraph()
            flush_table()
        elif line.startswith("|"):
            flush_paragraph()
            table.append(line)
        elif _BULLET.match(line):
            flush_paragraph()
            flush_table()
            paragraph.append(_BULLET.sub("", line))
        else:
            flush_table()
            paragraph.append(line)
    flush_paragraph()
    flush_table()
    seen: set[str] = set()
    kept = []
    for sentence in out:
        key = sentence.casefold()
        if sentence.endswith("?") or len(sentence.split()) < _MIN_WORDS or key in seen:
            continue
        seen.add(key)
        kept.append(sentence)
    return kept


def _content_words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.lower()) if w not in _STOPWORDS}


def _stem(word: str) -> str:
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _has_unit(sentence: str, unit: str) -> bool:
    if unit == "percent":
        return bool(re.search(rf"\b{_NUMBER}\s*(?:%|percent)", sentence, re.IGNORECASE))
    if unit == "time":
        return bool(re.search(rf"\b{_NUMBER}\s+(?:\w+\s+)?(?:minutes?|hours?|days?|weeks?|months?|years?)\b",
                              sentence, re.IGNORECASE))
    return bool(re.search(rf"\b{_NUMBER}(?:[\s-]+\w+){{0,2}}?[\s-]+{unit}s?\b", sentence, re.IGNORECASE))


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def question_figures(question: str) -> list[float]:
    """Amounts written in the question (years left out: "in 2026" states no amount)."""
    out = []
    for match in _QUESTION_FIGURE.finditer(question):
        raw = match.group(0)
        digits = raw.rstrip("kKmM ").strip()
        value = _number(digits)
        if re.fullmatch(r"(?:19|20)\d\d", digits) and not match.group(1):
            continue
        scale = (match.group(1) or "").lower()
        out.append(value * (1_000 if scale == "k" else 1_000_000 if scale == "m" else 1))
    return out


@dataclass(frozen=True, slots=True)
class Range:
    low: float
    high: float
    high_included: bool = True

    def holds(self, value: float) -> bool:
        return self.low <= value < self.high or (self.high_included and value == self.high)


def ranges(sentence: str) -> list[Range]:
    """The numeric ranges a sentence states; a span read as "N up to M" is not read again as "up to M"."""
    found = []
    rest = sentence
    for match in _RANGE_BETWEEN.finditer(sentence):
        low, high = _number(match.group(1)), _number(match.group(2))
        if low < high:
            found.append(Range(low, high))
            rest = rest.replace(match.group(0), " " * len(match.group(0)), 1)
    found += [Range(float("-inf"), _number(m.group(2)), high_included=not m.group(1))
              for m in _RANGE_BELOW.finditer(rest)]
    found += [Range(_number(m.group(1) or m.group(2)), float("inf")) for m in _RANGE_ABOVE.finditer(rest)]
    return found


def figure_bonus(wants: Wants, sentence: str, figures: Sequence[float] = ()) -> float:
    """How well ``sentence`` holds the kind of figure or term the question asks for."""
    bonus = 0.0
    if wants.unit and _has_unit(sentence, wants.unit):
        bonus += _FIGURE_BONUS
    if wants.amount and _AMOUNT.search(sentence):
        bonus += _FIGURE_BONUS
    if wants.when and _TIME_LIMIT.search(sentence):
        bonus += _FIGURE_BONUS
    if wants.who and _ROLE.search(sentence):
        bonus += _TERM_BONUS
    if wants.rule and _RULE.search(sentence):
        bonus += _TERM_BONUS
    if wants.per and rate_unit(sentence) == wants.per:
        bonus += _FIGURE_BONUS
    if figures and any(r.holds(f) for f in figures for r in ranges(sentence)):
        bonus += _FIGURE_BONUS
    return bonus


@dataclass(frozen=True, slots=True)
class _Candidate:
    passage: int  # rank of its passage, 0 first
    position: int  # its place in the passage
    text: str


def extract_answer(question: str, hits: Sequence[Hit], embedder: Embedder, *, context: str | None = None,
                   passages: int = PASSAGES) -> Extract | None:
    """The sentence or two of the first ``passages`` hits that best answer ``question``; None without a sentence.

    ``context`` is the earlier question a follow-up continues ("and the accruals?" after "by which business day do
    the books have to be closed?"): it says what kind of figure is wanted and frames the similarity, while the
    follow-up's own words decide which sentence answers.
    """
    if context:
        passages = len(hits)  # the search ran on both questions: what the follow-up adds may rank lower
    candidates = [_Candidate(rank, position, text)
                  for rank, hit in enumerate(hits[:passages])
                  for position, text in enumerate(sentences(hit.text, hit.section))]
    if not candidates:
        return None
    framed = f"{question} {context}" if context else question
    query = np.asarray(embedder.embed_query(framed), dtype=np.float32)
    # Sentences go through the query path one at a time: they are as short as queries, and the product's query
    # embedder (ONNX, retrieval.onnx_query) is ~3x cheaper per short text than the torch batch path of documents.
    matrix = np.asarray([embedder.embed_query(c.text) for c in candidates], dtype=np.float32)
    similarity = matrix @ query
    wants = Wants.of(framed)
    asked = _content_words(question) or _content_words(framed)
    figures = question_figures(question) or question_figures(context or "")
    overlaps = [len(asked & _content_words(c.text)) / len(asked) if asked else 0.0 for c in candidates]
    off_focus = _OFF_FOCUS_PENALTY if context and any(overlaps) else 0.0
    scores = []
    for candidate, sim, overlap in zip(candidates, similarity.tolist(), overlaps, strict=True):
        scores.append(sim + figure_bonus(wants, candidate.text, figures) + _OVERLAP_WEIGHT * overlap
                      - _RANK_PENALTY * candidate.passage - (off_focus if not overlap else 0.0))
    best = int(np.argmax(scores))  # the first of equal scores: deterministic
    chosen = [best]
    neighbours = [i for i, c in enumerate(candidates) if c.passage == candidates[best].passage
                  and abs(c.position - candidates[best].position) == 1]
    if neighbours:
        runner = max(neighbours, key=lambda i: (scores[i], -i))
        if scores[runner] >= scores[best] - SECOND_MARGIN and \
                len(candidates[best].text) + len(candidates[runner].text) < MAX_QUOTE_CHARS:
            chosen = sorted([best, runner])
    hit = hits[candidates[best].passage]
    return Extract(sentences=tuple(candidates[i].text for i in chosen), hit=hit,
                   similarity=round(float(similarity[best]), 4), score=round(float(scores[best]), 4))
