"""The citation grammar of a letter page: its "Published:" note and its "Source:" line.

"First published in 1965 in Collected Works, Fifth (Russian) Ed., Vol. 53. Printed from the original."
"Lenin Collected Works, Progress Publishers, 1976, Moscow, Volume 45, page 230a."
"""
from __future__ import annotations

import re

from lod.letter import Citation, Publication, Span
from lod.spans import Warnings, normalise, strip_final_stop, sub

_CLAUSE_START = re.compile(r"\b(?:First\s+published|Published|Printed\s+(?:from|according\s+to)|Sent\s+(?:from|to))\b")
# "Sent from Paris to St. Petersburg.": where the letter went, a sentence of the note of its own
# (not part of the venue before it); not a publication.
_SENT = re.compile(r"^Sent\s+(?:from|to)\b", re.IGNORECASE)
_PUBLICATION = re.compile(
    r"^(?P<first>First\s+)?published"
    r"(?:\s+(?P<extent>in\s+part|in\s+full|in\s+abridged\s+form|for\s+the\s+first\s+time))?"
    r"(?:\s+in\s+(?P<year>\d{4})(?!\d))?"
    r"(?:\s*,?\s+in\s+(?P<venue>.+))?$",
    re.IGNORECASE | re.DOTALL,
)
_PRINTED = re.compile(r"^Printed\s+(?:from|according\s+to)\s+", re.IGNORECASE)
_ANY_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_VOLUME = re.compile(r"^(?:Volume|Vol\.?)\s*(?P<v>\S+)$", re.IGNORECASE)
_PAGES = re.compile(r"^(?:pages?|pp?\.)\s*(?P<p>\S.*)$", re.IGNORECASE)
_PUBLISHER = re.compile(r"\b(?:Publishers?|Publishing|Press|Verlag|Books|Editions?|Izdat\w*)\b", re.IGNORECASE)
_YEAR_PART = re.compile(r"^\[?(?P<y>\d{4})\]?$")  # "[1977]": a year the editors supplied
# The collected works of one author name that author: "Lenin Collected Works" -> V. I. Lenin.
# Only authors whose collected works stand under their surname alone are listed; a work of two
# ("Marx Engels Collected Works") or of no one named ("Collected Works") names no author.
ONE_AUTHOR_WORKS = {
    "lenin": "V. I. Lenin",
    "stalin": "J. V. Stalin",
    "marx": "Karl Marx",
    "engels": "Frederick Engels",
    "trotsky": "Leon Trotsky",
}
_AUTHOR_WORK = re.compile(
    r"^\s*(?P<name>[A-Z][\w’'-]+)(?:[’']s)?\s+(?:Collected|Selected|Complete)\s+Works\b"
)


def read_published(
    text: str, span: Span, line_number: int, warnings: Warnings
) -> tuple[tuple[Publication, ...], Span | None]:
    """Split "First published in ... . Published in full in ... . Printed from ..." into clauses."""
    starts = [
        m.start()
        for m in _CLAUSE_START.finditer(span.text)
        if not span.text[: m.start()].strip() or span.text[: m.start()].rstrip().endswith((".", ";"))
    ]
    if not starts or span.text[: starts[0]].strip():
        warnings.add(line_number, f"unread text in publication note: {span.text[: starts[0] if starts else None][:60]!r}")
    publications: list[Publication] = []
    printed_from: Span | None = None
    for start, end in zip(starts, starts[1:] + [len(span.text)]):
        clause = strip_final_stop(text, sub(text, span, start, end))
        if clause is None:
            continue
        if _SENT.match(clause.text):
            continue
        printed = _PRINTED.match(clause.text)
        if printed:
            what = sub(text, clause, printed.end(), len(clause.text))
            if printed_from is None and what is not None:
                printed_from = what
            else:
                warnings.add(line_number, f"second 'Printed from' clause ignored: {clause.text!r}")
            continue
        publication = read_publication(clause)
        if publication is None:
            warnings.add(line_number, f"publication clause not understood: {clause.text!r}")
        else:
            publications.append(publication)
    return tuple(publications), printed_from


def read_publication(clause: Span) -> Publication | None:
    m = _PUBLICATION.match(clause.text)
    if m is None:
        return None
    venue = normalise(m["venue"]) if m["venue"] else None
    year = int(m["year"]) if m["year"] else None
    if year is None and venue:  # "First published in Pravda No. 5, 1922"
        years = _ANY_YEAR.findall(venue)
        year = int(years[-1]) if years else None
    extent = normalise(m["extent"]).lower() if m["extent"] else None
    first = bool(m["first"]) or extent == "for the first time"
    if extent == "for the first time":
        extent = None
    return Publication(span=clause, year=year, venue=venue, extent=extent, first=first)


def read_citation(text: str, span: Span, line_number: int, warnings: Warnings) -> Citation:
    """"Lenin Collected Works, Progress Publishers, 1976, Moscow, Volume 45, pages 414b-415a."."""
    body = strip_final_stop(text, span) or span
    work = publisher = place = volume = pages = None
    year = None
    leftovers: list[str] = []
    for raw in body.text.split(","):
        part = normalise(raw)
        if not part:
            continue
        if m := _VOLUME.match(part):
            volume = m["v"]
        elif m := _PAGES.match(part):
            pages = m["p"]
        elif m := _YEAR_PART.match(part):
            year = int(m["y"])
        elif publisher is None and _PUBLISHER.search(part):
            publisher = part
        elif work is None:
            work = part
        elif place is None and publisher is not None:
            place = part  # in MIA's order the place follows publisher and year
        else:
            leftovers.append(part)
    if leftovers:
        warnings.add(line_number, f"source parts not understood: {leftovers!r}")
    return Citation(
        span=span, work=work, publisher=publisher, year=year, place=place, volume=volume, pages=pages
    )


def author_of_work(text: str, citation: Citation) -> tuple[Span, str] | None:
    """The author a citation's work names ("Lenin Collected Works"): the name as written, and in full."""
    m = _AUTHOR_WORK.match(citation.span.text)
    if m is None:
        return None
    full = ONE_AUTHOR_WORKS.get(m["name"].casefold())
    if full is None:
        return None
    return sub(text, citation.span, m.start("name"), m.end("name")), full  # type: ignore[return-value]
