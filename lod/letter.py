"""The parsed letter: what the parser reads out of a source text, before any RDF.

Every piece keeps its code-point offsets into the file, so that the mapper can anchor
each claim in the text (Web Annotation selectors) without searching for it again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Span:
    """A stretch of the source text: ``source[start:end] == text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class DateValue:
    """A date as written, with the bounds it allows and never more precision than it has.

    ``begin`` is the earliest instant, ``end`` the latest (inclusive); ``edtf`` is the
    Extended Date/Time Format form ("1921-12-20", "1922-12-07/1922-12-08").  An open-ended
    date ("not earlier than November 21, 1917") has one bound only: the other is None and
    EDTF writes it ".." ("1917-11-21/..", "../1911-04-18").
    """

    span: Span
    begin: datetime | None
    end: datetime | None
    edtf: str
    exact_day: bool
    time_of_day: bool = False


@dataclass(frozen=True)
class Citation:
    """The 'Source:' line: 'Lenin Collected Works, Progress Publishers, 1976, Moscow, Volume 45, pages 414b-415a.'"""

    span: Span
    work: str | None
    publisher: str | None
    year: int | None
    place: str | None
    volume: str | None
    pages: str | None


@dataclass(frozen=True)
class Publication:
    """One clause of a 'Published:' line: 'First published in part in 1957 in the magazine ... No. 4'."""

    span: Span
    year: int | None
    venue: str | None
    extent: str | None  # "in part", "in full" or None
    first: bool


@dataclass(frozen=True)
class Footnote:
    number: int
    span: Span  # the whole note text after "[n] "
    markers: tuple[Span, ...] = ()  # each "[n]" in the text that points here


@dataclass(frozen=True)
class Document:
    """One letter or note. Most files hold one; a page may hold several (see 007_*)."""

    salutation: Span | None  # "Comrade Zalutsky and Comrade Salts", "Comrade Chicherin:"
    addressees: tuple[Span, ...]  # each addressee's name as written: "Zalutsky", "G. V. CHICHERIN"
    paragraphs: tuple[Span, ...]
    closing: Span | None  # "With communist greetings,"
    date_line: Span | None  # "20.00 hours, December 20, 1921." or "Written on September 23, 1922"
    date: DateValue | None
    date_kind: str | None  # "written" or "dictated" (a date line alone: "written"); None without a date
    published: tuple[Publication, ...] = ()
    printed_from: Span | None = None  # "a typewritten copy", "the original"
    dictated_how: Span | None = None  # "Dictated by phone"


@dataclass(frozen=True)
class Header:
    byline: Span | None  # "V. I.  Lenin"
    to: Span | None  # the value of a "To:" line
    written: Span | None  # the value of "Written:" or "Dictated:"
    published: Span | None
    source: Span | None
    translated: Span | None
    transcription: Span | None
    rights: Span | None
    title: Span | None = None  # a title line naming the addressee: "TO MAXIM GORKY"
    number: Span | None = None  # the document's number in its volume, alone on a line: "454"


@dataclass(frozen=True)
class ParseWarning:
    file: str
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Letter:
    file: str  # file name within the letters folder
    text: str  # the whole file, decoded as UTF-8
    header: Header
    citation: Citation | None
    translator: Span | None  # the name only: "Yuri Sdobnikov"
    transcriber: Span | None  # "R. Cymbala"
    author: Span | None  # the name only, spaces as written: "V. I.  Lenin" (see author_name)
    documents: tuple[Document, ...]
    footnotes: tuple[Footnote, ...]
    editor_notes: tuple[Span, ...]  # trailing paragraphs after the footnotes ("On the document there is ...")
    dropped: tuple[Span, ...]  # page navigation and other noise left out
    warnings: tuple[ParseWarning, ...] = field(default=())
    # The author's name in full: the byline's, or on a page without one (mirrors) the author
    # whose collected works the citation names ("Lenin Collected Works" -> "V. I. Lenin"; then
    # ``author`` is "Lenin" in the citation).  None when the page names no author.
    author_name: str | None = None


class LetterError(ValueError):
    """A file that cannot be read as a letter at all (empty, binary, not UTF-8)."""
