"""Reading dates as the letters write them, without inventing precision.

``parse_date`` looks for one date expression inside a Span and returns a ``DateValue``
whose bounds are exactly as wide as the words allow: "December 7 or 8, 1922" is a
two-day interval, "September 1922" a whole month, "20.00 hours, December 20, 1921" one
minute.  Anything it cannot bound on both sides ("not later than December 5, 1922",
"Tuesday", "the 1905 revolution") gives ``None`` rather than a guess.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable

from lod.letter import DateValue, Span

_MONTH_NUMBERS = {
    "january": 1, "jan": 1,
    "february": 2, "feb": 2,
    "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "may": 5,
    "june": 6, "jun": 6,
    "july": 7, "jul": 7,
    "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}

# Roman month numbers as used in Russian editorial practice: "20/XI", "1.X".
_ROMAN_MONTHS = {
    "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6,
    "VII": 7, "VIII": 8, "IX": 9, "X": 10, "XI": 11, "XII": 12,
}


def _month(group: str) -> str:
    """A named group for a month name, Title Case or UPPER CASE only.

    Case-sensitive on purpose: lower-case "may" and "march" are ordinary English words.
    """
    names = sorted(_MONTH_NUMBERS, key=len, reverse=True)  # longest first: "September" before "Sep"
    forms = [n.capitalize() for n in names] + [n.upper() for n in names]
    return rf"(?P<{group}>\b(?:{'|'.join(forms)})\b\.?)"


def _day(group: str) -> str:
    return rf"(?P<{group}>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)"


_YEAR = r"(?P<year>(?<!\d)\d{4}(?!\d))"
_SEP = r"\s*,?\s+"  # "December 20, 1921", "December 20 1921", NBSPs included (\s is Unicode)
_TIME = (
    r"(?P<hour>(?<!\d)\d{1,2})[.:](?P<minute>\d{2})(?!\d)"
    r"(?:\s*(?P<ampm>[ap]\.\s?m\.|[AP]M\b))?"
    r"(?:\s*(?:hours|hrs\.?|o['’]clock)\b)?"
)

_FULL_DATE = re.compile(_month("month") + r"\s+" + _day("day") + _SEP + _YEAR)
_DAY_MONTH_YEAR = re.compile(
    r"(?:\bthe\s+)?" + _day("day") + r"\s+(?:of\s+)?" + _month("month") + _SEP + _YEAR
)
_TIME_THEN_DATE = re.compile(
    _TIME + r"\s*,?\s*(?:on\s+)?" + _month("month") + r"\s+" + _day("day") + _SEP + _YEAR
)
_DATE_THEN_TIME = re.compile(
    _month("month") + r"\s+" + _day("day") + _SEP + _YEAR + r"\s*,?\s*(?:at\s+)?" + _TIME
)
# "December 7 or 8, 1922", "November 30 or December 1, 1922", "December 5-7, 1922"
_DAY_RANGE = re.compile(
    _month("month") + r"\s+" + _day("day")
    + r"\s*(?:\bor\b|\band\b|\bto\b|[-–—])\s*"
    + r"(?:" + _month("month2") + r"\s+)?" + _day("day2") + _SEP + _YEAR
)
# "September, later than the 23rd, 1922", "September, not earlier than the 5th, 1922"
_QUALIFIED_DAY = re.compile(
    _month("month") + r"\s*,?\s+(?P<not>not\s+)?"
    r"(?P<dir>later\s+than|earlier\s+than|after|before)\s+(?:the\s+)?"
    + _day("day") + _SEP + _YEAR
)
_NUMERIC = re.compile(
    r"(?<![\d.])(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>\d{4})(?![\d])"
)
_ROMAN = re.compile(
    r"(?<![\w.])(?P<day>\d{1,2})\s*[./]\s*"
    r"(?P<roman>XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)(?![\w])"
    r"(?:\s*[./-]\s*(?P<year>\d{4}|\d{2})(?!\d))?"
)
_MONTH_YEAR = re.compile(_month("month") + r"\s*,?\s+" + _YEAR)
_MONTH_DAY = re.compile(_month("month") + r"\s+" + _day("day") + r"(?!\s*,?\s*\d)")
# A bare year is only a date when it is all there is: "1922", "Written in 1922."
_YEAR_ONLY = re.compile(
    r"^\s*(?:(?:Written|Dictated|Sent)\s+)?(?:in\s+)?" + _YEAR + r"\s*\.?\s*$",
    re.IGNORECASE,
)
# Words that turn a date into an open bound ("not later than December 5, 1922"):
# we cannot give such a date an honest begin and end, so we do not read it.
_OPEN_BOUND_BEFORE = re.compile(
    r"(?:\b(?:later|earlier|sooner)\s+than|\bbefore|\bafter|\buntil|\btill|\bsince)\s*(?:the\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Candidate:
    start: int  # offsets within the span's text
    end: int
    first: date
    last: date
    edtf: str
    exact_day: bool
    clock: tuple[int, int] | None = None  # (hour, minute) when a time of day is given


def parse_date(span: Span, context_year: int | None = None) -> DateValue | None:
    """Read the date written in ``span``; ``None`` if there is none we can bound honestly.

    ``context_year`` supplies the year for forms that omit it ("2/X", "December 20");
    without it those give ``None``.  When several expressions are present the one that
    starts first wins (the longest, if two start together: "20.00 hours, December 20,
    1921" rather than just "December 20, 1921").
    """
    text = span.text
    candidates: list[_Candidate] = []
    for reader in _READERS:
        for match in reader.pattern.finditer(text):
            found = reader.read(match, context_year)
            if found is not None:
                candidates.append(found)
                break  # the first good match of each form is enough
    year_only = _read_year_only(text)
    if year_only is not None:
        candidates.append(year_only)
    if not candidates:
        return None
    best = min(candidates, key=lambda c: (c.start, -(c.end - c.start)))
    if _OPEN_BOUND_BEFORE.search(text[: best.start]):
        return None
    return _to_value(span, best)


def month_number(name: str) -> int | None:
    """1-12 for an English month name or abbreviation ("Sept.", "DECEMBER"), else None."""
    return _MONTH_NUMBERS.get(name.rstrip(".").lower())


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


# --- the individual forms -------------------------------------------------------------


def _read_full(m: re.Match[str], _year: int | None) -> _Candidate | None:
    day = _safe_date(int(m["year"]), month_number(m["month"]), int(m["day"]))
    if day is None:
        return None
    return _Candidate(m.start(), m.end(), day, day, day.isoformat(), True)


def _read_with_time(m: re.Match[str], _year: int | None) -> _Candidate | None:
    day = _safe_date(int(m["year"]), month_number(m["month"]), int(m["day"]))
    clock = _clock(m["hour"], m["minute"], m["ampm"])
    if day is None or clock is None:
        return None
    edtf = f"{day.isoformat()}T{clock[0]:02d}:{clock[1]:02d}"
    return _Candidate(m.start(), m.end(), day, day, edtf, True, clock)


def _read_day_range(m: re.Match[str], _year: int | None) -> _Candidate | None:
    year = int(m["year"])
    first = _safe_date(year, month_number(m["month"]), int(m["day"]))
    last_month = month_number(m["month2"]) if m["month2"] else month_number(m["month"])
    last = _safe_date(year, last_month, int(m["day2"]))
    if first is None or last is None or last <= first:
        return None
    return _Candidate(m.start(), m.end(), first, last, f"{first}/{last}", False)


def _read_qualified_day(m: re.Match[str], _year: int | None) -> _Candidate | None:
    year, month, day = int(m["year"]), month_number(m["month"]), int(m["day"])
    if month is None or _safe_date(year, month, day) is None:
        return None
    negated = m["not"] is not None
    later = m["dir"].split()[0].lower() in ("later", "after")
    month_end = days_in_month(year, month)
    if later:  # "later than the 23rd" = 24th..end; "not later than the 23rd" = 1st..23rd
        lo, hi = (1, day) if negated else (day + 1, month_end)
    else:  # "earlier than the 23rd" = 1st..22nd; "not earlier than the 23rd" = 23rd..end
        lo, hi = (day, month_end) if negated else (1, day - 1)
    if lo > hi:
        return None
    first, last = date(year, month, lo), date(year, month, hi)
    edtf = first.isoformat() if first == last else f"{first}/{last}"
    return _Candidate(m.start(), m.end(), first, last, edtf, first == last)


def _read_numeric(m: re.Match[str], _year: int | None) -> _Candidate | None:
    day = _safe_date(int(m["year"]), int(m["mon"]), int(m["day"]))
    if day is None:
        return None
    return _Candidate(m.start(), m.end(), day, day, day.isoformat(), True)


def _read_roman(m: re.Match[str], context_year: int | None) -> _Candidate | None:
    year = _resolve_year(m["year"], context_year)
    if year is None:
        return None
    day = _safe_date(year, _ROMAN_MONTHS[m["roman"]], int(m["day"]))
    if day is None:
        return None
    return _Candidate(m.start(), m.end(), day, day, day.isoformat(), True)


def _read_month_year(m: re.Match[str], _year: int | None) -> _Candidate | None:
    year, month = int(m["year"]), month_number(m["month"])
    if month is None or _safe_date(year, month, 1) is None:
        return None
    first = date(year, month, 1)
    last = date(year, month, days_in_month(year, month))
    return _Candidate(m.start(), m.end(), first, last, f"{year:04d}-{month:02d}", False)


def _read_month_day(m: re.Match[str], context_year: int | None) -> _Candidate | None:
    if context_year is None:
        return None
    day = _safe_date(context_year, month_number(m["month"]), int(m["day"]))
    if day is None:
        return None
    return _Candidate(m.start(), m.end(), day, day, day.isoformat(), True)


def _read_year_only(text: str) -> _Candidate | None:
    m = _YEAR_ONLY.match(text)
    if m is None or _safe_date(int(m["year"]), 1, 1) is None:
        return None
    year = int(m["year"])
    return _Candidate(
        m.start("year"), m.end("year"), date(year, 1, 1), date(year, 12, 31), f"{year:04d}", False
    )


@dataclass(frozen=True)
class _Reader:
    pattern: re.Pattern[str]
    read: Callable[[re.Match[str], int | None], _Candidate | None]


_READERS = (
    _Reader(_QUALIFIED_DAY, _read_qualified_day),
    _Reader(_TIME_THEN_DATE, _read_with_time),
    _Reader(_DATE_THEN_TIME, _read_with_time),
    _Reader(_DAY_RANGE, _read_day_range),
    _Reader(_FULL_DATE, _read_full),
    _Reader(_DAY_MONTH_YEAR, _read_full),
    _Reader(_NUMERIC, _read_numeric),
    _Reader(_ROMAN, _read_roman),
    _Reader(_MONTH_YEAR, _read_month_year),
    _Reader(_MONTH_DAY, _read_month_day),
)


# --- helpers -------------------------------------------------------------------------


def _safe_date(year: int, month: int | None, day: int) -> date | None:
    """``date(...)`` or None for impossible dates ("February 30") and year 0."""
    if month is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clock(hour: str, minute: str, ampm: str | None) -> tuple[int, int] | None:
    h, m = int(hour), int(minute)
    if ampm:
        if not 1 <= h <= 12:
            return None
        pm = ampm.lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return h, m


def _resolve_year(written: str | None, context_year: int | None) -> int | None:
    """A four-digit year as written, a two-digit one completed from the context's century."""
    if written is None:
        return context_year
    if len(written) == 4:
        return int(written)
    if context_year is None:
        return None  # "20.XI.22" without context: the century would be a guess
    return context_year // 100 * 100 + int(written)


def _to_value(span: Span, c: _Candidate) -> DateValue:
    sub = Span(span.start + c.start, span.start + c.end, span.text[c.start : c.end])
    if c.clock is not None:
        hour, minute = c.clock
        begin = datetime.combine(c.first, time(hour, minute, 0))
        end = begin + timedelta(seconds=59)  # a time "20.00" is precise to the minute
        return DateValue(sub, begin, end, c.edtf, exact_day=True, time_of_day=True)
    begin = datetime.combine(c.first, time.min)
    end = datetime.combine(c.last, time(23, 59, 59))  # inclusive end of the last day
    return DateValue(sub, begin, end, c.edtf, exact_day=c.exact_day)
