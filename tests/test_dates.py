"""Dates as the letters write them: bounds as wide as the words allow, never narrower."""
from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # so plain `pytest` works too

from lod.dates import parse_date  # noqa: E402
from lod.letter import Span  # noqa: E402


def span_of(text: str, prefix: str = "") -> Span:
    """A Span for ``text`` placed after ``prefix``, so offsets are not trivially 0."""
    return Span(len(prefix), len(prefix) + len(text), text)


def read(text: str, context_year: int | None = None, prefix: str = "xx "):
    source = prefix + text
    value = parse_date(span_of(text, prefix), context_year)
    if value is not None:  # the date span must be a true slice of the source
        assert source[value.span.start : value.span.end] == value.span.text
    return value


def test_full_date():
    d = read("December 20, 1921")
    assert d.begin == datetime(1921, 12, 20, 0, 0, 0)
    assert d.end == datetime(1921, 12, 20, 23, 59, 59)
    assert d.edtf == "1921-12-20"
    assert d.exact_day and not d.time_of_day
    assert d.span.text == "December 20, 1921"


def test_time_and_date_line():
    d = read("20.00 hours, December 20, 1921.")
    assert d.begin == datetime(1921, 12, 20, 20, 0, 0)
    assert d.end == datetime(1921, 12, 20, 20, 0, 59)
    assert d.time_of_day and d.exact_day
    assert d.edtf == "1921-12-20T20:00"
    assert d.span.text == "20.00 hours, December 20, 1921"  # the full stop is not part of the date


def test_date_then_time():
    d = read("December 20, 1921, 8.30 p.m.")
    assert d.begin == datetime(1921, 12, 20, 20, 30)
    assert d.edtf == "1921-12-20T20:30"


def test_written_on():
    text = "Written on July 25, 1921"
    d = read(text, prefix="Written: ")
    assert d.edtf == "1921-07-25"
    assert d.span.text == "July 25, 1921"
    assert d.span.start == len("Written: Written on ")


def test_alternative_days_are_an_interval():
    d = read("Written on December 7 or 8, 1922")
    assert d.begin == datetime(1922, 12, 7, 0, 0, 0)
    assert d.end == datetime(1922, 12, 8, 23, 59, 59)
    assert d.edtf == "1922-12-07/1922-12-08"
    assert not d.exact_day
    assert d.span.text == "December 7 or 8, 1922"


def test_range_across_months():
    d = read("November 30 or December 1, 1922")
    assert d.edtf == "1922-11-30/1922-12-01"
    assert not d.exact_day


def test_later_than_a_day_of_the_month():
    d = read("Written in September, later than the 23rd, 1922")
    assert d.begin == datetime(1922, 9, 24, 0, 0, 0)
    assert d.end == datetime(1922, 9, 30, 23, 59, 59)
    assert d.edtf == "1922-09-24/1922-09-30"
    assert not d.exact_day
    assert d.span.text == "September, later than the 23rd, 1922"


@pytest.mark.parametrize(
    "text, edtf",
    [
        ("September, not later than the 23rd, 1922", "1922-09-01/1922-09-23"),
        ("September, earlier than the 3rd, 1922", "1922-09-01/1922-09-02"),
        ("September, not earlier than the 23rd, 1922", "1922-09-23/1922-09-30"),
        ("February, after the 27th, 1920", "1920-02-28/1920-02-29"),  # leap year
        ("February, after the 27th, 1921", "1921-02-28"),  # only one day left
    ],
)
def test_other_bounds_within_a_month(text, edtf):
    assert read(text).edtf == edtf


def test_month_only():
    d = read("September 1922")
    assert d.begin == datetime(1922, 9, 1)
    assert d.end == datetime(1922, 9, 30, 23, 59, 59)
    assert d.edtf == "1922-09"
    assert not d.exact_day


def test_year_only():
    d = read("1922")
    assert (d.begin, d.end, d.edtf, d.exact_day) == (
        datetime(1922, 1, 1),
        datetime(1922, 12, 31, 23, 59, 59),
        "1922",
        False,
    )
    assert read("Written in 1922.").edtf == "1922"


@pytest.mark.parametrize(
    "text, expected",
    [("20/XI", "1922-11-20"), ("2/X", "1922-10-02"), ("1.X", "1922-10-01"), ("20.XII.1921", "1921-12-20")],
)
def test_roman_month_forms(text, expected):
    d = read(text, context_year=1922)
    assert d.edtf == expected
    assert d.exact_day
    assert d.span.text == text


def test_roman_month_needs_a_year():
    assert read("20/XI") is None
    assert read("20.XI.22") is None  # two-digit year, no context: the century is a guess
    assert read("20.XI.22", context_year=1921).edtf == "1922-11-20"


def test_first_date_in_a_sentence_wins():
    d = read("I shall come on 2/X (or 1.X). Please have everything ready by Tuesday.", 1922)
    assert d.edtf == "1922-10-02"
    assert d.span.text == "2/X"


def test_month_and_day_take_the_context_year():
    assert read("December 20") is None
    assert read("December 20", context_year=1921).edtf == "1921-12-20"


@pytest.mark.parametrize(
    "text",
    [
        "the 20th of December, 1921",
        "20 December 1921",
        "Dec. 20, 1921",
        "DECEMBER 20, 1921",
        "December\u00a020,\u00a01921",
        "20.12.1921",
    ],
)
def test_other_spellings_of_one_day(text):
    assert read(text).edtf == "1921-12-20"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Tuesday",
        "Please have everything ready by Tuesday.",
        "the 1905 revolution",
        "after the first revolution of 1905, was a member",
        "February 30, 1922",
        "February 29, 1921",
        "September, earlier than the 1st, 1922",
        "20.00 hours",
        "the 23rd",
        "telephone 58–97",
        "Flat 63",
        "I may 20 times",
        "they march 1922 miles",
        "until December 5, 1922",  # is the 5th itself in? not guessed
        "since the 5th of December, 1922",
        "January 12 (24), 1917",  # not the calendars' 13 days apart: a misprint, not guessed
        "November 21 (8), 1917",  # New Style first: not the editions' order, not guessed
        "December 19 (January 1), 1917",  # which year is written is unclear
        "23/V",  # a Roman month without a year and no context
        "17/X11-21",  # a two-digit year without a century
        "11/11",  # "11" is no Roman numeral
    ],
)
def test_not_a_date(text):
    assert read(text) is None
    assert read(text, context_year=None) is None


def test_leap_day():
    assert read("February 29, 1920").edtf == "1920-02-29"


@pytest.mark.parametrize(
    "text, edtf, begin, end",
    [
        ("Written not earlier than December 5, 1922", "1922-12-05/..", datetime(1922, 12, 5), None),
        ("not later than December 5, 1922", "../1922-12-05", None, datetime(1922, 12, 5, 23, 59, 59)),
        ("Written after July 27, 1916", "1916-07-28/..", datetime(1916, 7, 28), None),
        ("Written later than October 25, 1919", "1919-10-26/..", datetime(1919, 10, 26), None),
        ("Written prior to April 19, 1911", "../1911-04-18", None, datetime(1911, 4, 18, 23, 59, 59)),
        ("before September 1922", "../1922-08", None, datetime(1922, 8, 31, 23, 59, 59)),
        ("after September 1922", "1922-10/..", datetime(1922, 10, 1), None),
        ("not earlier than December 7 or 8, 1922", "1922-12-07/..", datetime(1922, 12, 7), None),
    ],
)
def test_open_ended_dates_keep_one_bound(text, edtf, begin, end):
    """"not earlier than" and its kin: one bound, the other open (EDTF ".."), never a day."""
    d = read(text)
    assert (d.edtf, d.begin, d.end, d.exact_day) == (edtf, begin, end, False)
    assert d.span.text.split()[0] in {"not", "after", "later", "prior", "before"}  # the qualifier is part of it


def test_interval_before_a_day_of_the_month():
    d = read("Written in April, prior to 21st, 1905")
    assert (d.edtf, d.exact_day) == ("1905-04-01/1905-04-20", False)


@pytest.mark.parametrize(
    "text, edtf",
    [
        ("November 8 (21), 1917", "1917-11-21"),
        ("October 25 (November 7), 1917", "1917-11-07"),
        ("December 19, 1916 (January 1, 1917)", "1917-01-01"),
        ("February 10 (22), 1899", "1899-02-22"),  # twelve days in the 19th century
        ("Written not earlier than November 8 (21), 1917", "1917-11-21/.."),
    ],
)
def test_old_and_new_style_give_the_new_style_day(text, edtf):
    assert read(text).edtf == edtf


@pytest.mark.parametrize(
    "text, context, century, edtf",
    [
        ("17/X11-21", None, 1976, "1921-12-17"),  # a scanned XII; the century from the page
        ("23/V.", 1921, None, "1921-05-23"),
        ("11/XI. 1918", None, None, "1918-11-11"),
        ("3. I. 1919", None, None, "1919-01-03"),
        ("8/VI, 2.30 a.m.", 1919, None, "1919-06-08T02:30"),
    ],
)
def test_roman_month_datelines(text, context, century, edtf):
    source = "xx " + text
    d = parse_date(span_of(text, "xx "), context, century)
    assert d.edtf == edtf and d.exact_day
    assert source[d.span.start : d.span.end] == d.span.text
