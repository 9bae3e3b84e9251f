"""Reading dates as the letters write them, without inventing precision.

``parse_date`` looks for one date expression inside a Span and returns a ``DateValue``
whose bounds are exactly as wide as the words allow: "December 7 or 8, 1922" is a
two-day interval, "September 1922" a whole month, "20.00 hours, December 20, 1921" one
minute, "not later than December 5, 1922" open at the start ("../1922-12-05").  A date
given in both calendars, "November 8 (21), 1917" (Old Style, New Style in brackets), is
the New Style day.  Anything it cannot bound honestly ("until December 5", "Tuesday",
"the 1905 revolution") gives ``None`` rather than a guess.
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
    r"(?P<dir>later\s+than|earlier\s+than|after|before|prior\s+to)\s+(?:the\s+)?"
    + _day("day") + _SEP + _YEAR
)
# A day in the Old Style (Julian) calendar with its New Style (Gregorian) day in brackets, as
# Russian editions date letters before February 1918: "November 8 (21), 1917",
# "October 25 (November 7), 1917", "December 19, 1916 (January 1, 1917)".  Only this order
# is read; a pair whose days are not the calendars' difference apart is not read at all.
_OLD_NEW = re.compile(
    _month("month") + r"\s+" + _day("day")
    + r"(?:" + _SEP + r"(?P<year1>\d{4})(?!\d))?"
    + r"\s*\(\s*(?:" + _month("month2") + r"\s+)?" + _day("day2")
    + r"(?:" + _SEP + r"(?P<year2>\d{4})(?!\d))?\s*\)"
    + r"(?:" + _SEP + _YEAR + r")?"
)
_NUMERIC = re.compile(
    r"(?<![\d.])(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>\d{4})(?![\d])"
)
# "20/XI", "3. I. 1919", "11/XI. 1918", "17/XII-21"; typed or scanned pages write the
# numeral's I as the digit 1 ("17/X11-21"), read as I when the numeral has a letter in it.
_ROMAN_PART = (
    r"(?<![\w.])(?P<day>\d{1,2})\s*[./]\s*"
    r"(?P<roman>[XVI][XVI1]{0,3}|1[XV])(?![\w])"
    r"(?:\s*[./-]\s*(?P<year>\d{4}|\d{2})(?!\d))?"
)
_ROMAN = re.compile(_ROMAN_PART)
_ROMAN_THEN_TIME = re.compile(_ROMAN_PART + r"\s*,?\s*(?:at\s+)?" + _TIME)
_MONTH_YEAR = re.compile(_month("month") + r"\s*,?\s+" + _YEAR)
_MONTH_DAY = re.compile(_month("month") + r"\s+" + _day("day") + r"(?!\s*,?\s*\d)")
# A bare year is only a date when it is all there is: "1922", "Written in 1922."
_YEAR_ONLY = re.compile(
    r"^\s*(?:(?:Written|Dictated|Sent)\s+)?(?:in\s+)?" + _YEAR + r"\s*\.?\s*$",
    re.IGNORECASE,
)
# Words before a date that leave one side open: "not earlier than November 21, 1917" is
# 1917-11-21/..; "after July 27" begins the next day; "prior to April 19" ends the day before.
_OPEN_BOUNDS = (
    (re.compile(r"\bnot\s+(?:earlier|sooner)\s+than\s*(?:the\s+)?$", re.IGNORECASE), "from"),
    (re.compile(r"\bnot\s+later\s+than\s*(?:the\s+)?$", re.IGNORECASE), "until"),
    (re.compile(r"\b(?:later\s+than|after)\s*(?:the\s+)?$", re.IGNORECASE), "after"),
    (re.compile(r"\b(?:earlier\s+than|sooner\s+than|before|prior\s+to)\s*(?:the\s+)?$", re.IGNORECASE), "before"),
    # bounds we do not read: "until"/"since" do not say whether the day itself is in
    (re.compile(r"\b(?:until|till|since)\s*(?:the\s+)?$", re.IGNORECASE), None),
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


def parse_date(span: Span, context_year: int | None = None, century: int | None = None) -> DateValue | None:
    """Read the date written in ``span``; ``None`` if there is none we can bound honestly.

    ``context_year`` supplies the year for forms that omit it ("2/X", "December 20");
    without it those give ``None``.  ``century`` (any year of the right century) completes a
    two-digit year ("17/XII-21") when there is no context year.  When several expressions are present the one that
    starts first wins (the longest, if two start together: "20.00 hours, December 20,
    1921" rather than just "December 20, 1921").
    """
    text = span.text
    candidates: list[_Candidate] = []
    for reader in _READERS:
        for match in reader.pattern.finditer(text):
            found = reader.read(match, context_year, century)
            if found is not None:
                candidates.append(found)
                break  # the first good match of each form is enough
    year_only = _read_year_only(text)
    if year_only is not None:
        candidates.append(year_only)
    if not candidates:
        return None
    best = min(candidates, key=lambda c: (c.start, -(c.end - c.start)))
    for pattern, side in _OPEN_BOUNDS:
        bound = pattern.search(text[: best.start])
        if bound is not None:
            return _open_value(span, best, bound.start(), side) if side else None
    return _to_value(span, best)


def month_number(name: str) -> int | None:
    """1-12 for an English month name or abbreviation ("Sept.", "DECEMBER"), else None."""
    return _MONTH_NUMBERS.get(name.rstrip(".").lower())


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


# --- the individual forms -------------------------------------------------------------


def _read_full(m: re.Match[str], _year: int | None, _century: int | None = None) -> _Candidate | None:
    day = _safe_date(int(m["year"]), month_number(m["month"]), int(m["day"]))
    if day is None:
        return None
    return _Candidate(m.start(), m.end(), day, day, day.isoformat(), True)


def _read_with_time(m: re.Match[str], _year: int | None, _century: int | None = None) -> _Candidate | None:
    day = _safe_date(int(m["year"]), month_number(m["month"]), int(m["day"]))
    clock = _clock(m["hour"], m["minute"], m["ampm"])
    if day is None or clock is None:
        return None
    edtf = f"{day.isoformat()}T{clock[0]:02d}:{clock[1]:02d}"
    return _Candidate(m.start(), m.end(), day, day, edtf, True, clock)


def _read_day_range(m: re.Match[str], _year: int | None, _century: int | None = None) -> _Candidate | None:
    year = int(m["year"])
    first = _safe_date(year, month_number(m["month"]), int(m["day"]))
    last_month = month_number(m["month2"]) if m["month2"] else month_number(m["month"])
    last = _safe_date(year, last_month, int(m["day2"]))
    if first is None or last is None or last <= first:
        return None
    return _Candidate(m.start(), m.end(), first, last, f"{first}/{last}", False)


def _read_qualified_day(m: re.Match[str], _year: int | None, _century: int | None = None) -> _Candidate | None:
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


def _read_numeric(m: re.Match[str], _year: int | None, _century: int | None = None) -> _Candidate | None:
    day = _safe_date(int(m["year"]), int(m["mon"]), int(m["day"]))
    if day is None:
        return None
    return _Candidate(m.start(), m.end(), day, day, day.isoformat(), True)


def _read_roman(m: re.Match[str], context_year: int | None, century: int | None = None) -> _Candidate | None:
    year = _resolve_year(m["year"], context_year, century)
    if year is None:
        return None
    month = _ROMAN_MONTHS.get(m["roman"].replace("1", "I"))
    if month is None:
        return None
    day = _safe_date(year, month, int(m["day"]))
    if day is None:
        return None
    return _Candidate(m.start(), m.end(), day, day, day.isoformat(), True)


def _read_roman_time(m: re.Match[str], context_year: int | None, century: int | None = None) -> _Candidate | None:
    day = _read_roman(m, context_year, century)
    clock = _clock(m["hour"], m["minute"], m["ampm"])
    if day is None or clock is None:
        return None
    edtf = f"{day.first.isoformat()}T{clock[0]:02d}:{clock[1]:02d}"
    return _Candidate(m.start(), m.end(), day.first, day.first, edtf, True, clock)


def _read_old_new(m: re.Match[str], _year: int | None, _century: int | None = None) -> _Candidate | None:
    """The New Style day of an Old Style / New Style pair, if the two agree."""
    year = m["year"] or m["year1"]
    if year is None or (m["year"] and m["year1"]):
        return None
    first = _safe_date(int(year), month_number(m["month"]), int(m["day"]))
    if first is None:
        return None
    month2 = month_number(m["month2"]) if m["month2"] else None
    new = first + timedelta(days=_julian_lag(first))
    if new.day != int(m["day2"]) or (month2 is not None and new.month != month2):
        return None
    if m["year2"] is not None and new.year != int(m["year2"]):
        return None
    if m["year2"] is None and new.year != first.year:
        return None  # "December 19 (January 1), 1917": which year is written is unclear
    return _Candidate(m.start(), m.end(), new, new, new.isoformat(), True)


def _julian_lag(day: date) -> int:
    """Days the Julian calendar is behind the Gregorian around ``day`` (13 in 1900-2100)."""
    year = day.year if day.month > 2 else day.year - 1
    return year // 100 - year // 400 - 2


def _read_month_year(m: re.Match[str], _year: int | None, _century: int | None = None) -> _Candidate | None:
    year, month = int(m["year"]), month_number(m["month"])
    if month is None or _safe_date(year, month, 1) is None:
        return None
    first = date(year, month, 1)
    last = date(year, month, days_in_month(year, month))
    return _Candidate(m.start(), m.end(), first, last, f"{year:04d}-{month:02d}", False)


def _read_month_day(m: re.Match[str], context_year: int | None, _century: int | None = None) -> _Candidate | None:
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
    read: Callable[[re.Match[str], int | None, int | None], _Candidate | None]


_READERS = (
    _Reader(_QUALIFIED_DAY, _read_qualified_day),
    _Reader(_OLD_NEW, _read_old_new),
    _Reader(_TIME_THEN_DATE, _read_with_time),
    _Reader(_DATE_THEN_TIME, _read_with_time),
    _Reader(_DAY_RANGE, _read_day_range),
    _Reader(_FULL_DATE, _read_full),
    _Reader(_DAY_MONTH_YEAR, _read_full),
    _Reader(_NUMERIC, _read_numeric),
    _Reader(_ROMAN_THEN_TIME, _read_roman_time),
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


def _resolve_year(written: str | None, context_year: int | None, century: int | None = None) -> int | None:
    """A four-digit year as written, a two-digit one completed from the context's century."""
    if written is None:
        return context_year
    if len(written) == 4:
        return int(written)
    base = context_year if context_year is not None else century
    if base is None:
        return None  # "20.XI.22" without context: the century would be a guess
    return base // 100 * 100 + int(written)


def _open_value(span: Span, c: _Candidate, qualifier: int, side: str) -> DateValue | None:
    """An open-ended date: "from" the first day on, "until" the last, "after"/"before" exclusive.

    EDTF keeps the precision the words have: "after September 1922" is "1922-10/..".
    """
    if c.clock is not None:
        return None  # "not later than 20.00, December 5": a time bound we do not model
    if "/" in c.edtf or len(c.edtf) == 10:
        precision = 10
    else:
        precision = len(c.edtf)  # 7 for a month, 4 for a year
    if side == "from":
        bound = c.first
    elif side == "until":
        bound = c.last
    elif side == "after":
        bound = c.last + timedelta(days=1)
    else:
        bound = c.first - timedelta(days=1)
    sub = Span(span.start + qualifier, span.start + c.end, span.text[qualifier : c.end])
    if side in ("from", "after"):
        return DateValue(sub, datetime.combine(bound, time.min), None, f"{bound.isoformat()[:precision]}/..", False)
    return DateValue(sub, None, datetime.combine(bound, time(23, 59, 59)), f"../{bound.isoformat()[:precision]}", False)


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
