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
"Published:"/"Source:" grammar by ``lod.citation``, lines and names by ``lod.lines``; each
document is finished (header defaults, addressees from notes, note markers) by ``lod.documents``.
"""
from __future__ import annotations

import re
from pathlib import Path

from lod.citation import author_of_work, read_citation, read_published
from lod.dates import parse_date
from lod.documents import DocBuilder, addressees_from_notes, attach_markers, closing_paragraph, finish_document, page_defaults
from lod.letter import (
    Letter,
    LetterError,
    Span,
)
from lod.header import (
    find_byline,
    header_line_number,
    make_header,
    read_header_block,
    read_written,
)
from lod.lines import (
    COPY_LINE,
    Line,
    copy_names,
    footnote_match,
    is_head_salutation,
    is_navigation,
    is_salutation,
    line_span,
    name_value,
    names_in,
    split_lines,
    stripped_text,
)
from lod.spans import Warnings, is_edge, normalise, trim

# --- line-level patterns ------------------------------------------------------------

_CLOSING = re.compile(
    r"^(?:With\s+(?:\w+\s+){0,3}(?:greetings|regards|wishes|salutations?|handshakes?)"
    r"|(?:Ever\s+)?Yours(?:\s+\w+){0,2}"
    r"|(?:Best|Kind|Warm|Warmest|Comradely|Communist|Fraternal)\s+(?:regards|greetings|wishes)"
    r"|(?:Beste|Besten|Herzliche|Herzlichen|Viele)\s+Gr\S*"  # German: "Beste Grüsse!"
    r"|Greetings|Regards)\s*[,.!]?$",
    re.IGNORECASE,
)
# "Notes" above the editors' notes: a heading, not a paragraph of the letter.
_NOTES_HEADING = re.compile(r"^Notes?\s*:?$")
# A year for reading the shape of a date line that gives none ("23/V."); a leap year.
_PROBE_YEAR = 1904
_TRAILER_WRITTEN = re.compile(
    r"^(?:(?:Written|Dictated)\s*:\s*)?(?P<kind>Written|Dictated)\b"
    r"(?=\s+(?:on|in|not|between|after|before|later|earlier|at|by|over|to|no|late|early|about|circa|\d)\b)"
)
_TRAILER_PUBLISHED = re.compile(r"^(?:First\s+published|Published\s+(?:in|for\s+the\s+first\s+time)\b)")
_DATE_LINE_WORDS = {"at", "on", "the", "of", "in", "hours", "hrs", "a", "p", "m", "o", "clock"}
_TRAILER_PRINTED = re.compile(r"^Printed\s+(?:from|according\s+to)\b")

# --- small data structures ------------------------------------------------------------


# --- public API -----------------------------------------------------------------------


# The largest letter read. The longest letter pages of the archive are some tens of KB; reading (the names
# found in the text) and the checks grow faster than the text, so a file far past any letter would hold up a
# build and a server's first start for minutes (tests/benchmarks/bench_big_letter.py).
MAX_LETTER_BYTES = 512 * 1024


def read_letter(path: Path, max_bytes: int | None = None) -> Letter:
    """Read and parse one letter file; ``LetterError`` if it is not a readable letter or is over ``max_bytes``
    (default ``MAX_LETTER_BYTES``)."""
    path = Path(path)
    max_bytes = MAX_LETTER_BYTES if max_bytes is None else max_bytes
    try:
        with open(path, "rb") as file:
            data = file.read(max_bytes + 1)  # never more than the limit, whatever the file claims to be
    except OSError as exc:
        raise LetterError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise LetterError(f"{path}: larger than {max_bytes // 1024} KiB, the largest letter file read "
                          f"(it is {_size_of(path)})")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise LetterError(f"{path}: binary content (NUL byte at byte offset {nul})")
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as err:
        bad = data[err.start : err.start + 1].hex()
        raise LetterError(f"{path}: not valid UTF-8 (byte 0x{bad} at byte offset {err.start})") from None
    return parse_letter(text, path.name)


def _size_of(path: Path) -> str:
    try:
        return f"{path.stat().st_size / 2 ** 20:.1f} MiB"
    except OSError:
        return "larger"


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
    else:
        byline, header_start = line_span(text, lines[byline_index]), byline_index + 1
        dropped.extend(line_span(text, x) for x in lines[:byline_index] if is_navigation(x))  # type: ignore[misc]
    header_lines, body_start, extras = read_header_block(text, lines, header_start, warnings, dropped)
    header = make_header(byline, header_lines, warnings, extras)
    source_line = header_line_number(header_lines, "source")
    citation = read_citation(text, header.source, source_line, warnings) if header.source else None

    body = _BodyReader(text, lines, warnings, dropped, _one_line_paragraphs(lines, body_start))
    body.read(body_start)
    page = page_defaults(text, header, header_lines, warnings, citation)
    footnotes = attach_markers(text, body.footnotes, body.footnote_areas, warnings)
    documents = tuple(finish_document(text, doc, page, warnings) for doc in body.documents)
    documents = addressees_from_notes(documents, footnotes)
    if not documents:
        warnings.add(lines[min(body_start, len(lines) - 1)].number, "no letter body")

    recognised = any(h.key for h in header_lines) or any(d.salutation or d.date or d.closing for d in documents)
    if not recognised:
        raise LetterError(f"{file}: no recognisable letter (no header lines, salutation or date)")

    # The author: the byline; on a page without one (mirrors), the author whose collected
    # works the page's citation names ("Lenin Collected Works"), and otherwise nobody.
    author, author_name = byline, normalise(byline.text) if byline else None
    if byline is None:
        named = author_of_work(text, citation) if citation else None
        if named is not None:
            author, author_name = named
        else:
            warnings.add(1, "no byline (author line) before the header, and no author named by the citation")
    return Letter(
        file=file,
        text=text,
        header=header,
        citation=citation,
        translator=name_value(text, header.translated),
        transcriber=name_value(text, header.transcription),
        author=author,
        documents=documents,
        footnotes=footnotes,
        editor_notes=tuple(body.editor_notes),
        dropped=tuple(dropped),
        warnings=tuple(warnings.items),
        author_name=author_name,
    )


def _one_line_paragraphs(lines: list[Line], start: int) -> bool:
    """Whether the body has no blank lines at all (mirror pages): then each line is a paragraph."""
    body = [line for line in lines[start:]]
    while body and body[-1].blank:
        body.pop()
    while body and body[0].blank:
        body.pop(0)
    return len(body) >= 2 and not any(line.blank for line in body)


def _check_text(text: str, file: str) -> None:
    if not text or all(is_edge(c) for c in text):
        raise LetterError(f"{file}: empty file")
    if "\x00" in text:
        raise LetterError(f"{file}: binary content (NUL character at offset {text.index(chr(0))})")


# --- the body ---------------------------------------------------------------------------


class _BodyReader:
    """Walks the lines after the header, sorting them into documents, notes and noise."""

    def __init__(self, text: str, lines: list[Line], warnings: Warnings, dropped: list[Span], line_mode: bool = False) -> None:
        self.text = text
        self.lines = lines
        self.warnings = warnings
        self.dropped = dropped
        # Pages without blank lines (mirrors) put each paragraph on one line: there a line is
        # a paragraph, and a salutation, closing or date line is found on any line.
        self.line_mode = line_mode
        self.documents: list[DocBuilder] = []
        self.current = DocBuilder()
        self.paragraph: list[Line] = []  # lines of the paragraph being read
        self.in_notes = False  # after the first footnote
        self.footnotes: list[tuple[int, Span, int]] = []  # (number, text span, line number)
        self.footnote_areas: list[tuple[int, int]] = []  # whole "[n] text" ranges: not markers
        self.footnote_open = False  # a footnote line may continue on the next line
        self.editor_notes: list[Span] = []
        self.skip = 0  # lines already read as the end of a salutation
        self.previous: str | None = None  # the last body line read, while no blank line follows
        self.after_closing = False  # the last line read was (part of) the closing

    def read(self, start: int) -> None:
        for index in range(start, len(self.lines)):
            line = self.lines[index]
            if self.skip:
                self.skip -= 1
                continue
            if line.blank:
                self._end_paragraph()
                self.footnote_open = False
                self.previous = None
                self.after_closing = False
                continue
            if is_navigation(line):
                self._end_paragraph()
                self.dropped.append(line_span(self.text, line))  # type: ignore[arg-type]
            elif footnote_match(line, tight=self.in_notes):
                self._end_paragraph()
                self._footnote(line)
            elif _NOTES_HEADING.match(stripped_text(line)) and not self.paragraph:
                self.dropped.append(line_span(self.text, line))  # type: ignore[arg-type]
                self.in_notes = True
                self.footnote_open = False
            elif self.in_notes:
                self._notes_line(line)
            else:
                self._body_line(index, line)
            self.previous = stripped_text(line)
        self._end_paragraph()
        self._end_document()

    # -- notes section

    def _footnote(self, line: Line) -> None:
        m = footnote_match(line, tight=self.in_notes)
        note = trim(self.text, line.start + m.start("rest"), line.end) if m else None
        if m is None or note is None:  # footnote_match guarantees both; keeps type checkers calm
            return
        self.in_notes = True
        self.footnote_open = True
        self.footnotes.append((int(m["number"]), note, line.number))
        self.footnote_areas.append((line.start, line.end))

    def _notes_line(self, line: Line) -> None:
        if self.footnote_open and not self.line_mode:  # a footnote that runs on to the next line
            number, note, at = self.footnotes[-1]
            end = trim(self.text, line.start, line.end).end  # type: ignore[union-attr]
            self.footnotes[-1] = (number, Span(note.start, end, self.text[note.start : end]), at)
            self.footnote_areas[-1] = (self.footnote_areas[-1][0], line.end)
        else:
            self.paragraph.append(line)  # an editor's note, flushed at the next blank line
            if self.line_mode:
                self._end_paragraph()

    # -- letter body

    def _only_date_line(self) -> bool:
        doc = self.current
        return doc.date_line is not None and not (doc.salutation or doc.paragraphs or doc.closing or doc.has_trailer)

    def _at_head(self) -> bool:
        """Nothing of the letter's text read yet: where a salutation or address stands."""
        doc = self.current
        return not (doc.paragraphs or self.paragraph or doc.closing or doc.has_trailer)

    def _body_line(self, index: int, line: Line) -> None:
        was_closing, self.after_closing = self.after_closing, False
        if self.paragraph:  # inside a paragraph only a trailer can interrupt
            if not self._trailer(line):
                self.paragraph.append(line)
            return
        stripped = stripped_text(line)
        span = line_span(self.text, line)
        assert span is not None
        salutation = self._salutation(index, line, stripped)
        if salutation is not None:
            if self.current.has_content() and not self._only_date_line():
                self._end_document()  # a date line alone is the head of the letter this salutation opens
            self.current.salutation = salutation
            self.current.salutation_names = names_in(self.text, salutation)
            self._start(line)
        elif COPY_LINE.match(stripped) and self._at_head() and (self.current.salutation or self.current.date_line):
            # "Copy to Pokrovsky, 53 Ostozhenka, Moscow" under the address: one more addressee
            self.current.copy_names.extend(copy_names(self.text, span))
            self._start(line)
        elif _CLOSING.match(stripped):
            if self.current.closing is not None and was_closing:
                # a closing of two lines: "Best wishes,", "Yours,"
                closing = self.current.closing
                self.current.closing = Span(closing.start, span.end, self.text[closing.start : span.end])
                self.after_closing = True
            elif self.current.closing is not None:
                self.warnings.add(line.number, f"second closing {stripped!r} kept as a paragraph")
                self._paragraph_line(line)
            else:
                self.current.closing = span
                self.after_closing = True
                self._start(line)
        elif self._trailer(line):
            pass
        elif self._date_line(line, span):
            pass
        else:
            if self.current.has_trailer:  # a new note without a salutation
                self._end_document()
            self._paragraph_line(line)

    def _paragraph_line(self, line: Line) -> None:
        self.paragraph.append(line)
        if self.line_mode:
            self._end_paragraph()

    def _salutation(self, index: int, line: Line, stripped: str) -> Span | None:
        """The salutation that starts on this line, if it is one.

        "Georgi Valentinovich," (name and patronymic) counts only at the head of a letter; a
        bracket opened on the line ("Comrade Vladimirsky (or any other member") may close on
        one of the next two lines, which then belong to the salutation.
        """
        span = line_span(self.text, line)
        if is_salutation(stripped) or (self._at_head() and is_head_salutation(stripped)):
            return span
        if stripped.count("(") <= stripped.count(")"):
            return None
        for extra in (1, 2):
            if index + extra >= len(self.lines) or self.lines[index + extra].blank:
                return None
            end = self.lines[index + extra]
            joined = trim(self.text, line.start, end.end)
            if joined is not None and joined.text.count("(") <= joined.text.count(")"):
                if is_salutation(normalise(joined.text)):
                    self.skip = extra
                    return joined
                return None
        return None

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
        """A line that is nothing but a date (and perhaps a time or a place).

        A date without its year ("23/V.", "17/XII-21") is a date line too; its year (or
        century) is filled in when the document is finished, from its Written line.
        """
        if len(span.text) > 80:
            return False
        if self.previous is not None and re.search(r"[^\W_]$", self.previous):
            return False  # the line before ends mid-sentence: this line goes on with it
        date = parse_date(span)
        needs_year = False
        if date is None:
            date = parse_date(span, context_year=_PROBE_YEAR)
            needs_year = date is not None
        if date is None:
            return False
        rest = span.text[: date.span.start - span.start] + span.text[date.span.end - span.start :]
        if not _is_date_line_rest(rest):
            return False
        if self.current.date_line is not None:
            self.warnings.add(line.number, f"second date line {span.text!r} ignored")
        else:
            self.current.date_line = span
            self.current.date = None if needs_year else date
            self.current.date_needs_year = needs_year
            self.current.date_line_number = line.number
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
            closing_paragraph(self.current)
            self.documents.append(self.current)
        self.current = DocBuilder()


def _is_date_line_rest(rest: str) -> bool:
    """What may stand beside the date on a date line: a place ("Moscow,"), "at", punctuation.

    Lower-case words other than these mean a sentence that merely mentions a date.
    """
    words = re.findall(r"[^\W\d_]+", rest)
    if len(words) > 3 or rest.rstrip().endswith(("?", "!")):
        return False
    return all(w[0].isupper() or w in _DATE_LINE_WORDS for w in words)
