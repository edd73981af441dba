"""Loose period phrases → date ranges: "last month", "Q3", "Q3 2025", "FY2025", "YTD", "October", "2026-10", ...

Relative phrases are computed from ``today``; the fiscal year is the calendar year (docs/demo-company.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from erp_core.errors import ErrorCode, refused_value

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

EXAMPLES = ["this month", "last month", "Q3", "Q3 2025", "the first quarter of 2026", "H1 2026", "last quarter",
            "FY2025", "YTD", "this year", "last year",
            "October", "October 2025", "2026-10", "2026-10-31"]


@dataclass(frozen=True, slots=True)
class PeriodRange:
    start: dt.date
    end: dt.date
    label: str

    def as_dict(self) -> dict[str, str]:
        """The range as a read reports it (first and last day, name), so that a follow-up can edit it."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}

    @property
    def months(self) -> list[tuple[int, int]]:
        out = []
        y, m = self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out


def _month(year: int, month: int) -> PeriodRange:
    last = calendar.monthrange(year, month)[1]
    return PeriodRange(dt.date(year, month, 1), dt.date(year, month, last), f"{calendar.month_name[month]} {year}")


def _quarter(year: int, q: int) -> PeriodRange:
    start = dt.date(year, 3 * q - 2, 1)
    end_month = 3 * q
    return PeriodRange(start, dt.date(year, end_month, calendar.monthrange(year, end_month)[1]), f"Q{q} {year}")


def _year(year: int) -> PeriodRange:
    return PeriodRange(dt.date(year, 1, 1), dt.date(year, 12, 31), f"FY{year}")


def _shift_month(day: dt.date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _latest_quarter(q: int, today: dt.date) -> int:
    """A bare "Q3" means the most recent Q3 that has started."""
    return today.year if dt.date(today.year, 3 * q - 2, 1) <= today else today.year - 1


def resolve_period(text: str, today: dt.date) -> PeriodRange:
    """Raises NexusError(VALIDATION_FAILED) listing the accepted forms when ``text`` is not a period."""
    t = _canonical(text)
    if t in ("this month", "current month", "month to date", "mtd"):
        return _month(today.year, today.month)
    if t in ("last month", "previous month", "prior month"):
        return _month(*_shift_month(today, -1))
    if t in ("this quarter", "current quarter", "qtd", "quarter to date"):
        return _quarter(today.year, (today.month - 1) // 3 + 1)
    if t in ("last quarter", "previous quarter", "prior quarter"):
        year, month = _shift_month(today, -3)
        return _quarter(year, (month - 1) // 3 + 1)
    # the coming periods: what a forecast or a budget is asked for
    if t in ("next month", "coming month", "following month"):
        return _month(*_shift_month(today, 1))
    if t in ("next quarter", "coming quarter", "following quarter"):
        year, month = _shift_month(today, 3)
        return _quarter(year, (month - 1) // 3 + 1)
    if t in ("next year", "coming year", "next fiscal year", "following year"):
        return _year(today.year + 1)
    if t in ("ytd", "year to date", "this year to date"):
        return PeriodRange(dt.date(today.year, 1, 1), today, f"YTD {today.year}")
    if t in ("this year", "current year", "this fiscal year", "current fiscal year"):
        return _year(today.year)
    if t in ("last year", "previous year", "prior year", "last fiscal year"):
        return _year(today.year - 1)
    if m := re.fullmatch(r"(?:fy|fiscal year|year)\s*'?(\d{2}|\d{4})", t):
        year = int(m.group(1))
        return _year(year + 2000 if year < 100 else year)
    if m := re.fullmatch(r"(\d{4})", t):
        return _year(int(m.group(1)))
    if m := re.fullmatch(r"q([1-4])(?:\s*(?:fy)?\s*'?(\d{2}|\d{4}))?", t) or \
            re.fullmatch(r"(?:fy)?\s*(\d{4})\s*q([1-4])", t):
        groups = m.groups()
        if len(groups[0]) == 4:  # "2025 q3"
            return _quarter(int(groups[0]), int(groups[1]))
        q = int(groups[0])
        if groups[1]:
            year = int(groups[1])
            return _quarter(year + 2000 if year < 100 else year, q)
        return _quarter(_latest_quarter(q, today), q)
    if m := re.fullmatch(r"h([12])\s*'?(\d{2}|\d{4})?", t):
        half = int(m.group(1))
        year = _full_year(m.group(2)) if m.group(2) else _latest_half(half, today)
        start = dt.date(year, 6 * half - 5, 1)
        return PeriodRange(start, _month(year, 6 * half).end, f"H{half} {year}")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        return _month(int(m.group(1)), _valid_month(int(m.group(2)), text))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", t):
        day = _date(m.group(0), text)
        return PeriodRange(day, day, day.isoformat())
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:to|until|through|\.\.)\s*(\d{4}-\d{2}-\d{2})", t):
        return _span(_date(m.group(1), text), _date(m.group(2), text), text)
    if m := re.fullmatch(r"([a-z]+)(?:\s+(\d{4}))?", t):
        named = _MONTHS.get(m.group(1))
        if named:
            if m.group(2):
                return _month(int(m.group(2)), named)
            year = today.year if named <= today.month else today.year - 1  # the latest such month
            return _month(year, named)
    raise refused_value(ErrorCode.VALIDATION_FAILED, f"not a period: {text!r}", text, candidates=EXAMPLES)


_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 4}
_ORDINAL = "(first|1st|second|2nd|third|3rd|fourth|4th|last)"
# Spoken forms rewritten to the short ones below: "the first quarter of 2026" → "q1 2026", "second half of 2025" →
# "h2 2025", "September of 2026" → "september 2026". "last quarter" alone stays the quarter before this one.
_SPOKEN = (
    (re.compile(r"^the\s+"), ""),
    (re.compile(_ORDINAL + r"\s+quarter(?:\s+of)?(?=\s+(?:fy\s*)?'?\d{2,4}$)|(?<!last )"
                r"(?:first|1st|second|2nd|third|3rd|fourth|4th)\s+quarter$"),
     lambda m: f"q{_ORDINALS[m.group(0).split()[0]]}"),
    (re.compile(r"^quarter\s+([1-4])\b"), lambda m: f"q{m.group(1)}"),
    (re.compile(r"^(first|1st|second|2nd|last)\s+half(?:\s+of)?(?:\s+the\s+year)?\b"),
     lambda m: f"h{min(_ORDINALS[m.group(1)], 2)}"),
    (re.compile(r"\s+of(?=\s+(?:fy\s*)?\d{4}$)"), ""),
)


def _canonical(text: str) -> str:
    t = " ".join(text.lower().replace(",", " ").split())
    for pattern, replacement in _SPOKEN:
        t = pattern.sub(replacement, t)
    return t


def _full_year(said: str) -> int:
    year = int(said)
    return year + 2000 if year < 100 else year


def _latest_half(half: int, today: dt.date) -> int:
    """A bare "H2" means the most recent second half that has started."""
    return today.year if dt.date(today.year, 6 * half - 5, 1) <= today else today.year - 1


def _span(start: dt.date, end: dt.date, text: str) -> PeriodRange:
    """An explicit range of days ("2026-07-01 to 2026-09-30"): a whole month, quarter or year keeps its name."""
    if end < start:
        raise refused_value(ErrorCode.VALIDATION_FAILED, f"a period ends before it starts: {text!r}", text,
                            candidates=EXAMPLES)
    return _named(start, end) or PeriodRange(start, end, f"{start.isoformat()} to {end.isoformat()}")


def _named(start: dt.date, end: dt.date) -> PeriodRange | None:
    """The month, quarter or year ``[start, end]`` is exactly, with its name; None for any other range."""
    if start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 1:
        return _month(start.year, start.month)
    if months == 3 and start.month % 3 == 1:
        return _quarter(start.year, (start.month + 2) // 3)
    if months == 12 and start.month == 1:
        return _year(start.year)
    return None


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), clipped to the end of a shorter month."""
    year, month = _shift_month(day, months)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def shift_period(rng: PeriodRange, months: int) -> PeriodRange:
    """``rng`` moved by whole months: a month, quarter or year stays one (named); year to date stays to date."""
    start = _months_later(rng.start, months)
    if rng.end == _month(rng.end.year, rng.end.month).end:  # a range that ends at a month end keeps doing so
        year, month = _shift_month(rng.end, months)
        end = _month(year, month).end
    else:
        end = _months_later(rng.end, months)
    return _named(start, end) or (PeriodRange(start, end, start.isoformat()) if start == end else
                                 PeriodRange(start, end, f"{start.isoformat()} to {end.isoformat()}"))


def period_length_months(rng: PeriodRange) -> int | None:
    """12, 3 or 1 for a whole year, quarter or month; None for other ranges."""
    named = _named(rng.start, rng.end)
    return None if named is None else len(named.months)


def previous_period(rng: PeriodRange) -> PeriodRange:
    """The period just before ``rng`` and as long: the month, quarter or year before; for year to date, the same
    stretch of the year before; for any other range, the same number of days ending the day before it starts."""
    months = period_length_months(rng)
    if months is not None:
        return shift_period(rng, -months)
    if rng.label.startswith("YTD"):
        return shift_period(rng, -12)
    days = (rng.end - rng.start).days + 1
    end = rng.start - dt.timedelta(days=1)
    return _span(end - dt.timedelta(days=days - 1), end, "previous period")


def same_period_last_year(rng: PeriodRange) -> PeriodRange:
    return shift_period(rng, -12)


def period_phrase(rng: PeriodRange) -> str:
    """A phrase :func:`resolve_period` turns back into exactly ``rng`` on any day: its name, else its days."""
    if rng.start == rng.end:
        return rng.start.isoformat()
    named = _named(rng.start, rng.end)
    return named.label if named is not None else f"{rng.start.isoformat()} to {rng.end.isoformat()}"


def resolve_as_of(text: str | None, today: dt.date) -> dt.date:
    """An as-of date: a date, "today", "end of last month", or the end of any period phrase."""
    if text is None or not text.strip() or text.strip().lower() in ("today", "now", "current", "latest"):
        return today
    t = text.strip().lower()
    if t.startswith("end of "):
        t = t[len("end of "):]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return _date(t, text)
    period = resolve_period(t, today)
    return min(period.end, today) if period.start <= today else period.end


def _valid_month(month: int, text: str) -> int:
    if not 1 <= month <= 12:
        raise refused_value(ErrorCode.VALIDATION_FAILED, f"not a month: {text!r}", text, candidates=EXAMPLES)
    return month


def _date(value: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise refused_value(ErrorCode.VALIDATION_FAILED, f"not a date: {text!r}", text, candidates=EXAMPLES) from None
