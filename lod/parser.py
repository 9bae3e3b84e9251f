"""Reading a letter page of the Marxists Internet Archive (MIA) into a ``Letter``.

The layout the parser expects (see data/letters/):

    V. I.   Lenin                                   <- byline
    To:   G. V. CHICHERIN[1]                        <- header lines "Label: value"
    Written: Written on July 25, 1921
    Published: First published in ... Printed from the original.
    Source: Lenin Collected Works, ..., Volume 45, page 230a.
    ...
    Comrade Chicherin:                              <- salutation
    1) If Lunacharsky ...                           <- paragraphs (blank-line separated)
    With communist greetings,                       <- closing
    Written on September 23, 1922                   <- per-note trailer lines (pages with several notes)
    20.00 hours, December 20, 1921.                 <- date line
    [1] Written in connection with ...              <- footnotes
    On the document there is ...                    <- editor notes
    < backward   forward >                          <- navigation, dropped

Offsets are Python string indices into the text exactly as stored; every Span is
trimmed of surrounding whitespace (NBSP included) and otherwise verbatim.

This module walks the page and reads its body; the header is read by ``lod.header``, the
"Published:"/"Source:" grammar by ``lod.citation``, lines and names by ``lod.lines``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from lod.citation import read_citation, read_published
from lod.dates import parse_date
from lod.letter import (
    DateValue,
    Document,
    Footnote,
    Header,
    Letter,
    LetterError,
    Publication,
    Span,
)
from lod.header import HeaderLine, Written, find_byline, header_line_number, make_header, read_header_block, read_header_written, read_written
from lod.lines import Line, footnote_match, is_navigation, is_salutation, line_span, name_value, names_in, split_lines, stripped_text
from lod.spans import Warnings, is_edge, trim

# --- line-level patterns ------------------------------------------------------------

_MARKER = re.compile(r"\[(\d{1,4})\]")
_CLOSING = re.compile(
    r"^(?:With\s+(?:\w+\s+){0,3}(?:greetings|regards|wishes|salutations?|handshakes?)"
    r"|(?:Ever\s+)?Yours(?:\s+\w+){0,2}"
    r"|(?:Best|Kind|Warm|Warmest|Comradely|Communist|Fraternal)\s+(?:regards|greetings|wishes)"
    r"|Greetings|Regards)\s*[,.!]?$",
    re.IGNORECASE,
)
_TRAILER_WRITTEN = re.compile(
    r"^(?:(?:Written|Dictated)\s*:\s*)?(?P<kind>Written|Dictated)\b"
    r"(?=\s+(?:on|in|not|between|after|before|later|earlier|at|by|over|to|no|late|early|about|circa|\d)\b)"
)
_TRAILER_PUBLISHED = re.compile(r"^(?:First\s+published|Published\s+(?:in|for\s+the\s+first\s+time)\b)")
_DATE_LINE_WORDS = {"at", "on", "the", "of", "in", "hours", "hrs", "a", "p", "m", "o", "clock"}
_TRAILER_PRINTED = re.compile(r"^Printed\s+(?:from|according\s+to)\b")

# --- small data structures ------------------------------------------------------------


@dataclass
class _DocBuilder:
    """A Document under construction; the parser fills it while walking the body."""

    first_line: int = 0
    salutation: Span | None = None
    salutation_names: list[Span] = field(default_factory=list)
    paragraphs: list[Span] = field(default_factory=list)
    closing: Span | None = None
    date_line: Span | None = None
    date: DateValue | None = None
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


# --- public API -----------------------------------------------------------------------


def read_letter(path: Path) -> Letter:
    """Read and parse one letter file; ``LetterError`` if it is not a readable letter."""
    path = Path(path)
    data = path.read_bytes()
    nul = data.find(b"\x00")
    if nul >= 0:
        raise LetterError(f"{path}: binary content (NUL byte at byte offset {nul})")
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as err:
        bad = data[err.start : err.start + 1].hex()
        raise LetterError(f"{path}: not valid UTF-8 (byte 0x{bad} at byte offset {err.start})") from None
    return parse_letter(text, path.name)


def parse_letter(text: str, file: str) -> Letter:
    """Parse the text of one letter page.  ``file`` only names the source in warnings.

    Raises ``LetterError`` for empty or binary text and for text in which nothing of a
    letter (header line, salutation, date) can be recognised; everything else that
    cannot be classified becomes a ``ParseWarning``.
    """
    _check_text(text, file)
    warnings = Warnings(file)
    lines = split_lines(text)
    dropped: list[Span] = []

    byline_index = find_byline(lines)
    if byline_index is None:
        byline, header_start = None, 0
        warnings.add(1, "no byline (author line) before the header")
    else:
        byline, header_start = line_span(text, lines[byline_index]), byline_index + 1
        dropped.extend(line_span(text, x) for x in lines[:byline_index] if is_navigation(x))  # type: ignore[misc]
    header_lines, body_start = read_header_block(text, lines, header_start, warnings, dropped)
    header = make_header(byline, header_lines, warnings)

    body = _BodyReader(text, lines, warnings, dropped)
    body.read(body_start)
    page = _page_defaults(text, header, header_lines, warnings)
    documents = tuple(_finish_document(doc, page, warnings) for doc in body.documents)
    if not documents:
        warnings.add(lines[min(body_start, len(lines) - 1)].number, "no letter body")

    recognised = any(h.key for h in header_lines) or any(d.salutation or d.date or d.closing for d in documents)
    if not recognised:
        raise LetterError(f"{file}: no recognisable letter (no header lines, salutation or date)")

    source_line = header_line_number(header_lines, "source")
    return Letter(
        file=file,
        text=text,
        header=header,
        citation=read_citation(text, header.source, source_line, warnings) if header.source else None,
        translator=name_value(text, header.translated),
        transcriber=name_value(text, header.transcription),
        author=byline,
        documents=documents,
        footnotes=_attach_markers(text, body.footnotes, body.footnote_areas, warnings),
        editor_notes=tuple(body.editor_notes),
        dropped=tuple(dropped),
        warnings=tuple(warnings.items),
    )


def _check_text(text: str, file: str) -> None:
    if not text or all(is_edge(c) for c in text):
        raise LetterError(f"{file}: empty file")
    if "\x00" in text:
        raise LetterError(f"{file}: binary content (NUL character at offset {text.index(chr(0))})")


# --- the body ---------------------------------------------------------------------------


class _BodyReader:
    """Walks the lines after the header, sorting them into documents, notes and noise."""

    def __init__(self, text: str, lines: list[Line], warnings: Warnings, dropped: list[Span]) -> None:
        self.text = text
        self.lines = lines
        self.warnings = warnings
        self.dropped = dropped
        self.documents: list[_DocBuilder] = []
        self.current = _DocBuilder()
        self.paragraph: list[Line] = []  # lines of the paragraph being read
        self.in_notes = False  # after the first footnote
        self.footnotes: list[tuple[int, Span, int]] = []  # (number, text span, line number)
        self.footnote_areas: list[tuple[int, int]] = []  # whole "[n] text" ranges: not markers
        self.footnote_open = False  # a footnote line may continue on the next line
        self.editor_notes: list[Span] = []

    def read(self, start: int) -> None:
        for line in self.lines[start:]:
            if line.blank:
                self._end_paragraph()
                self.footnote_open = False
            elif is_navigation(line):
                self._end_paragraph()
                self.dropped.append(line_span(self.text, line))  # type: ignore[arg-type]
            elif footnote_match(line):
                self._end_paragraph()
                self._footnote(line)
            elif self.in_notes:
                self._notes_line(line)
            else:
                self._body_line(line)
        self._end_paragraph()
        self._end_document()

    # -- notes section

    def _footnote(self, line: Line) -> None:
        m = footnote_match(line)
        note = trim(self.text, line.start + m.start("rest"), line.end) if m else None
        if m is None or note is None:  # footnote_match guarantees both; keeps type checkers calm
            return
        self.in_notes = True
        self.footnote_open = True
        self.footnotes.append((int(m["number"]), note, line.number))
        self.footnote_areas.append((line.start, line.end))

    def _notes_line(self, line: Line) -> None:
        if self.footnote_open:  # a footnote that runs on to the next line
            number, note, at = self.footnotes[-1]
            end = trim(self.text, line.start, line.end).end  # type: ignore[union-attr]
            self.footnotes[-1] = (number, Span(note.start, end, self.text[note.start : end]), at)
            self.footnote_areas[-1] = (self.footnote_areas[-1][0], line.end)
        else:
            self.paragraph.append(line)  # an editor's note, flushed at the next blank line

    # -- letter body

    def _body_line(self, line: Line) -> None:
        if self.paragraph:  # inside a paragraph only a trailer can interrupt
            if not self._trailer(line):
                self.paragraph.append(line)
            return
        stripped = stripped_text(line)
        span = line_span(self.text, line)
        assert span is not None
        if is_salutation(stripped):
            if self.current.has_content():
                self._end_document()
            self.current.salutation = span
            self.current.salutation_names = names_in(self.text, span)
            self._start(line)
        elif _CLOSING.match(stripped):
            if self.current.closing is not None:
                self.warnings.add(line.number, f"second closing {stripped!r} kept as a paragraph")
                self.paragraph.append(line)
            else:
                self.current.closing = span
                self._start(line)
        elif self._trailer(line):
            pass
        elif self._date_line(line, span):
            pass
        else:
            if self.current.has_trailer:  # a new note without a salutation
                self._end_document()
            self.paragraph.append(line)

    def _start(self, line: Line) -> None:
        if not self.current.first_line:
            self.current.first_line = line.number

    def _trailer(self, line: Line) -> bool:
        """Per-note lines after the body: "Written on ...", "First published ...", "Printed from ..."."""
        stripped = stripped_text(line)
        span = line_span(self.text, line)
        assert span is not None
        doc = self.current
        m = _TRAILER_WRITTEN.match(stripped)
        if m and len(stripped.split()) <= 15:
            self._end_paragraph()
            if doc.written_line is not None:
                self.warnings.add(line.number, f"second Written line {stripped!r} ignored")
            else:
                w = read_written(self.text, span, m["kind"].lower(), line.number, self.warnings)
                doc.written_line, doc.written_date, doc.written_kind = w.line, w.date, w.kind
                doc.dictated_how = w.how
        elif _TRAILER_PUBLISHED.match(stripped) or _TRAILER_PRINTED.match(stripped):
            self._end_paragraph()
            pubs, printed = read_published(self.text, span, line.number, self.warnings)
            doc.published.extend(pubs)
            if printed is not None:
                if doc.printed_from is not None:
                    self.warnings.add(line.number, "second 'Printed from' ignored")
                else:
                    doc.printed_from = printed
        else:
            return False
        doc.has_trailer = True
        self._start(line)
        return True

    def _date_line(self, line: Line, span: Span) -> bool:
        """A line that is nothing but a date (and perhaps a time or a place)."""
        if len(span.text) > 80:
            return False
        date = parse_date(span)
        if date is None:
            return False
        rest = span.text[: date.span.start - span.start] + span.text[date.span.end - span.start :]
        if not _is_date_line_rest(rest):
            return False
        if self.current.date_line is not None:
            self.warnings.add(line.number, f"second date line {span.text!r} ignored")
        else:
            self.current.date_line, self.current.date = span, date
        self._start(line)
        return True

    def _end_paragraph(self) -> None:
        if not self.paragraph:
            return
        first, last = self.paragraph[0], self.paragraph[-1]
        self.paragraph = []
        span = trim(self.text, first.start, last.end)
        if span is None:
            return
        if self.in_notes:
            self.editor_notes.append(span)
            return
        self.current.paragraphs.append(span)
        self._start(first)

    def _end_document(self) -> None:
        if self.current.has_content():
            self.documents.append(self.current)
        self.current = _DocBuilder()


@dataclass(frozen=True)
class _PageDefaults:
    """What the page header says for every document that does not say it itself."""

    written: Written | None
    published: tuple[Publication, ...]
    printed_from: Span | None
    addressees: tuple[Span, ...]  # from a "To:" line


def _page_defaults(text: str, header: Header, header_lines: list[HeaderLine], warnings: Warnings) -> _PageDefaults:
    published: tuple[Publication, ...] = ()
    printed_from = None
    if header.published is not None:
        line = header_line_number(header_lines, "published")
        published, printed_from = read_published(text, header.published, line, warnings)
    return _PageDefaults(
        written=read_header_written(text, header, header_lines, warnings),
        published=published,
        printed_from=printed_from,
        addressees=tuple(names_in(text, header.to)) if header.to else (),
    )


def _finish_document(doc: _DocBuilder, page: _PageDefaults, warnings: Warnings) -> Document:
    """Freeze a document, filling what it does not say itself from the page header."""
    written = (
        Written(doc.written_line, doc.written_date, doc.written_kind or "written", doc.dictated_how)
        if doc.written_line is not None
        else page.written
    )
    # A date line on the letter itself is read first; the Written line/header is the fallback.
    date_line, date = doc.date_line, doc.date
    if written is not None and written.date is not None:
        if date is None:
            date_line, date = written.line, written.date
        elif written.date.end < date.begin or date.end < written.date.begin:
            warnings.add(doc.first_line, f"date line {date_line.text!r} disagrees with {written.line.text!r}")  # type: ignore[union-attr]
    if date is None:
        warnings.add(doc.first_line or 1, "no date line")

    # A To: line names people in full ("G. V. CHICHERIN"); the salutation often by surname.
    addressees = page.addressees or tuple(doc.salutation_names)
    if page.addressees and doc.salutation_names and not _same_people(page.addressees, doc.salutation_names):
        warnings.add(doc.first_line, f"salutation {doc.salutation.text!r} does not name the To: addressee")  # type: ignore[union-attr]

    return Document(
        salutation=doc.salutation,
        addressees=addressees,
        paragraphs=tuple(doc.paragraphs),
        closing=doc.closing,
        date_line=date_line,
        date=date,
        date_kind=written.kind if written is not None else None,
        published=tuple(doc.published) or page.published,
        printed_from=doc.printed_from or page.printed_from,
        dictated_how=written.how if written is not None else None,
    )


def _is_date_line_rest(rest: str) -> bool:
    """What may stand beside the date on a date line: a place ("Moscow,"), "at", punctuation.

    Lower-case words other than these mean a sentence that merely mentions a date.
    """
    words = re.findall(r"[^\W\d_]+", rest)
    if len(words) > 3 or rest.rstrip().endswith(("?", "!")):
        return False
    return all(w[0].isupper() or w in _DATE_LINE_WORDS for w in words)


def _same_people(a: Sequence[Span], b: Sequence[Span]) -> bool:
    def surnames(spans: Sequence[Span]) -> set[str]:
        return {s.text.split()[-1].casefold() for s in spans if s.text.split()}

    return bool(surnames(a) & surnames(b))


# --- footnote markers ---------------------------------------------------------------------


def _attach_markers(
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
        if number not in numbers:
            line_number = text.count("\n", 0, spans[0].start) + 1
            warnings.add(line_number, f"marker [{number}] has no footnote")
    return tuple(Footnote(n, span, tuple(markers.get(n, ()))) for n, span, _ in notes)
