"""Dates of the catalogue view in words, as the pages show them."""
from lod.web.wording import date_literal_words


def test_dates_in_words():
    assert date_literal_words("1921-12-20") == "20 December 1921"
    assert date_literal_words("1922-12-07/1922-12-08") == "7–8 December 1922"
    assert date_literal_words("1917-11-21/..") == "not earlier than 21 November 1917"
    assert date_literal_words("../1911-04-18") == "not later than 18 April 1911"
    assert date_literal_words("1917/..") == "1917/.."  # a bound coarser than a day stays as written
