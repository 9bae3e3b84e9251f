"""Scoring parsed letters against the readers' answer keys, field by field.

Used by tests/test_parser.py (thresholds) and by tests/benchmarks/score_parser.py (the figures).
Two kinds of miss are told apart: *missing* (the parser gave nothing) and *wrong* (it gave
something else). A wrong date stated to the day is the worst mistake and is counted on its own.
"""
from __future__ import annotations

import re
from collections import defaultdict

from lod.letter import Letter

FIELDS = (
    "author", "addressees", "addressees (extra)", "date", "date (on the page)", "translator", "transcriber",
    "work", "publisher", "place", "year", "volume", "pages", "first_published", "printed_from", "documents",
)


def squash(s: str | None) -> str | None:
    return " ".join(s.split()) if s is not None else None


def key_name_matches(key_name: str, names: list[str], text: str) -> bool:
    """As tests/test_parser.py: the full name where the page writes it, else the surname."""
    plain = re.sub(r"\s*\(.*?\)", "", key_name).strip()
    found = {n.casefold() for n in names}
    if plain.casefold() in squash(text).casefold():
        return plain.casefold() in found
    return plain.split()[-1].casefold() in {f.split()[-1] for f in found if f.split()}


def same_words(a: str | None, b: str | None) -> bool:
    """Equal but for spaces and hyphens between words ("Lenin Miscellany-XX", "Lenin Miscellany XX")."""
    def words(s: str | None) -> str | None:
        return re.sub(r"[\s\-\u2010\u2011]+", " ", s).strip() if s is not None else None
    return words(a) == words(b)


def _first_published(doc) -> dict | None:
    if doc is None or not doc.published:
        return None
    first = doc.published[0]
    got = {"year": first.year, "in": first.venue}
    if first.extent:
        got["extent"] = first.extent
    return got


def _expected_first_published(key: dict) -> dict:
    exp = {"year": key["year"], "in": key["in"]}
    if key.get("extent"):
        exp["extent"] = key["extent"]
    return exp


class Score:
    def __init__(self) -> None:
        self.right: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)
        self.misses: list[tuple[str, str, object, object]] = []
        self.wrong_days: list[tuple[str, object, object]] = []

    def wrong(self) -> list[tuple[str, str, object, object]]:
        """The misses where the parser gave a value, and not the key's (missing ones excluded)."""
        return [m for m in self.misses if m[1] != "addressees" and m[3] not in (None, [], ())]

    def share(self, fields) -> float:
        """Right answers over all answers of ``fields`` together."""
        return sum(self.right[f] for f in fields) / max(1, sum(self.total[f] for f in fields))

    def check(self, file: str, field: str, expected, got, ok: bool | None = None) -> None:
        self.total[field] += 1
        if ok is None:
            ok = expected == got
        if ok:
            self.right[field] += 1
        else:
            self.misses.append((file, field, expected, got))


def score_letter(score: Score, key: dict, letter: Letter | None, error: str | None) -> None:
    file = key["file"]
    doc = letter.documents[0] if letter and letter.documents else None
    author = getattr(letter, "author_name", None) or (squash(letter.author.text) if letter and letter.author else None)
    score.check(file, "author", key["author"]["name"], author)

    names = [squash(a.text) for a in doc.addressees] if doc else []
    text = letter.text if letter else ""
    for addressee in key["addressees"]:
        score.check(file, "addressees", addressee["name"], names, key_name_matches(addressee["name"], names, text))
    extra = [n for n in names if not any(key_name_matches(a["name"], [n], text) for a in key["addressees"])]
    score.check(file, "addressees (extra)", [], extra)

    date_key = key["date"]
    got_date = (doc.date.edtf, doc.date.exact_day) if doc and doc.date else None
    score.check(file, "date", expected_date(date_key), got_date)
    documents = key.get("documents") or []
    on_page = bool(date_key.get("as_written") or (documents and documents[0]["date"].get("as_written")))
    score.check(file, "date (on the page)", expected_date(date_key) if on_page else None, got_date)
    for n, doc_key in enumerate(key.get("documents") or [], start=1):
        if n == 1:
            continue
        other = letter.documents[n - 1] if letter and len(letter.documents) >= n else None
        got = (other.date.edtf, other.date.exact_day) if other and other.date else None
        expected = expected_date(doc_key["date"])
        score.check(file, "date", expected, got)
        score.check(file, "date (on the page)", expected, got)
        _wrong_day(score, file, expected, other)
    _wrong_day(score, file, expected_date(date_key), doc)

    score.check(file, "translator", key["translator"], letter.translator.text if letter and letter.translator else None)
    score.check(file, "transcriber", key["transcriber"], letter.transcriber.text if letter and letter.transcriber else None)
    cite = key["source_citation"]
    c = letter.citation if letter else None
    for field in ("work", "publisher", "place", "year", "volume", "pages"):
        expected = cite[field]
        if field == "volume" and expected is not None:
            expected = str(expected)
        score.check(file, field, expected, getattr(c, field) if c else None)
    expected, got = _expected_first_published(key["first_published"]), _first_published(doc)
    score.check(file, "first_published", expected, got, got is not None and same_words(str(expected), str(got)))
    score.check(file, "printed_from", key["printed_from"], doc.printed_from.text if doc and doc.printed_from else None)
    expected_docs = len(key.get("documents") or []) or 1
    score.check(file, "documents", expected_docs, len(letter.documents) if letter else error)


def expected_date(key: dict) -> tuple[str, bool]:
    """(EDTF, stated to the day); a key gives a time of day apart ("time": "09:00"), EDTF joins them."""
    iso = key["iso"] + (f"T{key['time']}" if key.get("time") else "")
    return iso, key["certain"]


def _wrong_day(score: Score, file: str, expected: tuple[str, bool], doc) -> None:
    """A date stated to the day that is not the key's day (or where the key has no single day)."""
    if doc is None or doc.date is None or not doc.date.exact_day:
        return
    iso, certain = expected
    if not (certain and doc.date.edtf[:10] == iso[:10]):
        score.wrong_days.append((file, expected, doc.date.edtf))
