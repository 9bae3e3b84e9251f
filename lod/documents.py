"""Finishing the documents of a page once the body is read: what the header says for all of them,
the closing, the addressees the editors' notes name, and the footnote markers."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Sequence

from lod.citation import read_published
from lod.dates import parse_date
from lod.letter import Citation, DateValue, Document, Footnote, Header, Publication, Span
from lod.header import TITLE_LINE, HeaderLine, Written, header_line_number, read_header_written
from lod.lines import names_in
from lod.spans import Warnings, sub

_MARKER = re.compile(r"\[(\d{1,4})\]")
# A closing that goes on to other words, as a letter's last paragraph: "Beste Grüsse,
# especially to Styopka, ...!", "Greetings to all friends!".
_CLOSING_LEAD = re.compile(
    r"^(?:(?:With\s+)?(?:Best|Kind|Warm|Warmest|Comradely|Communist|Fraternal)\s+(?:regards|greetings|wishes)"
    r"|(?:Beste|Besten|Herzliche|Herzlichen|Viele)\s+Gr\S*|Greetings|Regards)\s*[,!]\s+\S",
    re.IGNORECASE,
)


# The editors' notes name the addressee: "The letter to Y. M. Sverdlov apparently concerns ...",
# "This telegram is the reply to a message by direct line from D. T. Petruchuk, ...".
_NOTE_NAME = r"(?P<name>(?:[A-Z]\.\s*){1,3}[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
_NOTE_LETTER_TO = re.compile(r"^(?:The|This)\s+(?:letter|telegram|note|message)\s+to\s+" + _NOTE_NAME + r"\b")
_NOTE_REPLY_TO = re.compile(
    r"^(?:The|This)\s+(?:letter|telegram|note|message)\s+(?:is|was)\s+(?:the|a|Lenin[’']s)\s+"
    r"(?:reply|answer)\s+to\s+(?:\S+\s+){0,10}?from\s+" + _NOTE_NAME + r"\b"
)


@dataclass
class DocBuilder:
    """A Document under construction; the parser fills it while walking the body."""

    first_line: int = 0
    salutation: Span | None = None
    salutation_names: list[Span] = field(default_factory=list)
    copy_names: list[Span] = field(default_factory=list)  # "Copy to Pokrovsky, ..."
    paragraphs: list[Span] = field(default_factory=list)
    closing: Span | None = None
    date_line: Span | None = None
    date: DateValue | None = None
    date_line_number: int = 0
    date_needs_year: bool = False  # "23/V.": the year comes from the Written line
    written_line: Span | None = None  # a trailer "Written on ..." / "Dictated ..."
    written_date: DateValue | None = None
    written_kind: str | None = None
    dictated_how: Span | None = None
    published: list[Publication] = field(default_factory=list)
    printed_from: Span | None = None
    has_trailer: bool = False  # after "Written/Published/Printed" lines the note is over

    def has_content(self) -> bool:
        return bool(
            self.salutation or self.paragraphs or self.closing or self.date_line or self.has_trailer
        )


def closing_paragraph(doc: DocBuilder) -> None:
    """A letter's last paragraph that opens with a closing ("Beste Grüsse, especially to ...!")
    is its closing; a short signature line ("Lenin") may follow it."""
    if doc.closing is not None or not doc.paragraphs:
        return
    candidates = [len(doc.paragraphs) - 1]
    if len(doc.paragraphs) >= 2 and len(doc.paragraphs[-1].text.split()) <= 4:
        candidates.append(len(doc.paragraphs) - 2)  # ..., then the signature
    for i in candidates:
        paragraph = doc.paragraphs[i]
        if _CLOSING_LEAD.match(paragraph.text) and len(paragraph.text.split()) <= 40 and "\n\n" not in paragraph.text:
            doc.closing = paragraph
            del doc.paragraphs[i]
            return


@dataclass(frozen=True)
class PageDefaults:
    """What the page header says for every document that does not say it itself."""

    written: Written | None
    published: tuple[Publication, ...]
    printed_from: Span | None
    addressees: tuple[Span, ...]  # from a "To:" line or a title line ("TO MAXIM GORKY")
    century: int | None  # a year of the page's century, for two-digit years ("17/XII-21")


def page_defaults(
    text: str, header: Header, header_lines: list[HeaderLine], warnings: Warnings, citation: Citation | None
) -> PageDefaults:
    published: tuple[Publication, ...] = ()
    printed_from = None
    if header.published is not None:
        line = header_line_number(header_lines, "published")
        published, printed_from = read_published(text, header.published, line, warnings)
    addressees: tuple[Span, ...] = ()
    if header.to:
        addressees = tuple(names_in(text, header.to))
    elif header.title:  # "TO MAXIM GORKY", "TELEGRAM TO J. V. STALIN"
        m = TITLE_LINE.match(header.title.text)
        who = sub(text, header.title, m.start("who"), m.end("who")) if m else None
        addressees = tuple(names_in(text, who)) if who else ()
    years = [citation.year] if citation and citation.year else []
    years += [p.year for p in published if p.year]
    return PageDefaults(
        written=read_header_written(text, header, header_lines, warnings),
        published=published,
        printed_from=printed_from,
        addressees=addressees,
        century=years[0] if years else None,
    )


def _year_of(written: Written | None) -> int | None:
    """The one year a Written line's date lies in, if it lies in one."""
    date = written.date if written else None
    if date is None or date.begin is None or date.end is None or date.begin.year != date.end.year:
        return None
    return date.begin.year


def finish_document(text: str, doc: DocBuilder, page: PageDefaults, warnings: Warnings) -> Document:
    """Freeze a document, filling what it does not say itself from the page header."""
    written = (
        Written(doc.written_line, doc.written_date, doc.written_kind or "written", doc.dictated_how)
        if doc.written_line is not None
        else page.written
    )
    # A date line on the letter itself is read first; the Written line/header is the fallback.
    date_line, date = doc.date_line, doc.date
    if date_line is not None and doc.date_needs_year:
        date = parse_date(date_line, context_year=_year_of(written), century=page.century)
        if date is None:
            warnings.add(doc.date_line_number, f"date line {date_line.text!r} gives no year, and no Written line does")
            date_line = None
    if written is not None and written.date is not None:
        if date is None:
            date_line, date = written.line, written.date
        elif _disjoint(written.date, date):
            warnings.add(doc.first_line, f"date line {date_line.text!r} disagrees with {written.line.text!r}")  # type: ignore[union-attr]
    if date is None:
        warnings.add(doc.first_line or 1, "no date line")

    # A To: line names people in full ("G. V. CHICHERIN"); the salutation often by surname.
    addressees = page.addressees or tuple(doc.salutation_names)
    if page.addressees and doc.salutation_names and not _same_people(page.addressees, doc.salutation_names):
        warnings.add(doc.first_line, f"salutation {doc.salutation.text!r} does not name the To: addressee")  # type: ignore[union-attr]
    addressees += tuple(n for n in doc.copy_names if not _same_people(addressees, [n]))

    return Document(
        salutation=doc.salutation,
        addressees=addressees,
        paragraphs=tuple(doc.paragraphs),
        closing=doc.closing,
        date_line=date_line,
        date=date,
        # a letter's own date line dates its writing, unless a Dictated line says otherwise
        date_kind=written.kind if written is not None else ("written" if date is not None else None),
        published=tuple(doc.published) or page.published,
        printed_from=doc.printed_from or page.printed_from,
        dictated_how=written.how if written is not None else None,
    )


def _disjoint(a: DateValue, b: DateValue) -> bool:
    """Whether two dates cannot both be right (an open side overlaps everything beyond it)."""
    return bool((a.end and b.begin and a.end < b.begin) or (b.end and a.begin and b.end < a.begin))


def addressees_from_notes(documents: tuple[Document, ...], footnotes: tuple[Footnote, ...]) -> tuple[Document, ...]:
    """What the editors' notes say of the addressee, where the letter itself says less.

    "The letter to Y. M. Sverdlov ..." gives the initials of an addressee the salutation
    names by surname only ("Comrade Sverdlov"); "This telegram is the reply to a message ...
    from D. T. Petruchuk" names the addressee of a one-document page that names none.
    """
    if not documents or not footnotes:
        return documents
    fuller = [m for note in footnotes if (m := _NOTE_LETTER_TO.match(note.span.text))]
    result = list(documents)
    for i, doc in enumerate(result):
        names = list(doc.addressees)
        for j, name in enumerate(names):
            if len(name.text.split()) != 1:
                continue
            for m in fuller:
                if m["name"].split()[-1].casefold() == name.text.casefold():
                    note = next(n for n in footnotes if n.span.text is m.string)
                    names[j] = Span(note.span.start + m.start("name"), note.span.start + m.end("name"), m["name"])
                    break
        result[i] = dataclasses.replace(doc, addressees=tuple(names))
    if len(result) == 1 and not result[0].addressees:
        for note in footnotes:
            m = _NOTE_REPLY_TO.match(note.span.text)
            if m is not None:
                name = Span(note.span.start + m.start("name"), note.span.start + m.end("name"), m["name"])
                result[0] = dataclasses.replace(result[0], addressees=(name,))
                break
    return tuple(result)


def _same_people(a: Sequence[Span], b: Sequence[Span]) -> bool:
    def surnames(spans: Sequence[Span]) -> set[str]:
        return {s.text.split()[-1].casefold() for s in spans if s.text.split()}

    return bool(surnames(a) & surnames(b))


def attach_markers(
    text: str,
    notes: list[tuple[int, Span, int]],
    areas: list[tuple[int, int]],
    warnings: Warnings,
) -> tuple[Footnote, ...]:
    """Link every "[n]" outside the footnotes themselves to footnote n."""
    markers: dict[int, list[Span]] = {}
    for m in _MARKER.finditer(text):
        if any(start <= m.start() < end for start, end in areas):
            continue
        markers.setdefault(int(m.group(1)), []).append(Span(m.start(), m.end(), m.group(0)))
    numbers = [n for n, _, _ in notes]
    for number, _, line_number in notes:
        if numbers.count(number) > 1:
            warnings.add(line_number, f"footnote [{number}] appears more than once")
        if number not in markers:
            warnings.add(line_number, f"footnote [{number}] has no marker in the text")
    for number, spans in markers.items():
        if number not in numbers and number >= 1000:
            continue  # "[1977]": a year the editors supplied, not a note marker
        if number not in numbers:
            line_number = text.count("\n", 0, spans[0].start) + 1
            warnings.add(line_number, f"marker [{number}] has no footnote")
    return tuple(Footnote(n, span, tuple(markers.get(n, ()))) for n, span, _ in notes)