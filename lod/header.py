"""The header of a letter page: its byline and its "Label: value" lines ("To:", "Written:", "Source:", ...)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from lod.dates import parse_date
from lod.letter import DateValue, Header, Span
from lod.lines import Line, footnote_match, is_navigation, is_salutation, line_span, stripped_text
from lod.spans import INVISIBLE, Warnings, normalise, sub, trim

# Header labels, mapped to the Header field they fill.  Labels we know but do not keep
# map to None (they are reported as warnings rather than mistaken for body text).
_HEADER_LABELS = {
    "to": "to",
    "written": "written",
    "dictated": "written",
    "published": "published",
    "first published": "published",
    "source": "source",
    "translated": "translated",
    "translated by": "translated",
    "translation": "translated",
    "transcription\\markup": "transcription",
    "transcription/markup": "transcription",
    "transcription": "transcription",
    "transcribed": "transcription",
    "markup": "transcription",
    "public domain": "rights",
    "copyleft": "rights",
    "html markup": None,
    "proofread": None,
    "proofreading": None,
    "online version": None,
    "delivered": None,
    "note": None,
    "other formats": "drop",  # links to the page in other formats ("Text", "README"): page furniture
}
_HEADER_LINE = re.compile(
    r"^[\s" + INVISIBLE + r"]*(?P<label>"
    + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(_HEADER_LABELS, key=len, reverse=True))
    + r")\s*:(?P<value>.*)$",
    re.IGNORECASE,
)


@dataclass
class HeaderLine:
    line: Line
    key: str | None  # Header field, or None for labels we do not keep
    label: str
    value: Span | None


# A byline is a person's name: initials and capitalised words ("V. I.  Lenin", "Karl Marx").
# Mirror pages have none and start with a header field, sometimes one whose label is lost
# ("First published in 1965 ..."): that is no author.
_BYLINE = re.compile(r"^(?:(?:[A-Z]\.|[A-Z][\w'’-]*|(?:de|von|van|der|and))[\s" + INVISIBLE + r"]*){1,6}$")
# A title line above the header: "TO MAXIM GORKY", "TELEGRAM TO J. V. STALIN" (capitals only).
TITLE_LINE = re.compile(
    r"^(?:(?P<kind>TELEGRAM|LETTER|NOTE|POSTCARD|POST\s+CARD|MESSAGE)\s+)?TO\s+(?P<who>[^a-z\d]*[A-Z][^a-z\d]*)$"
)
# The number of the document in its volume, alone on a line above the header: "454".
_NUMBER_LINE = re.compile(r"^\d{1,4}$")
# The other formats a page offers, listed under "Other Formats:" ("Text", "• README").
_FORMATS_LINE = re.compile(r"^(?:[•·]?\s*(?:Text|README|PDF|HTML|E-?book|Audio|MP3)\b\s*)+$", re.IGNORECASE)
# The sentences a publication note is made of, each of which may stand on a line of its own.
_PUBLICATION_SENTENCE = re.compile(
    r"^(?:First\s+published|Published\s+(?:in|for\s+the\s+first\s+time)\b|Printed\s+(?:from|according\s+to)\b"
    r"|Sent\s+(?:from|to)\b)"
)
_CITATION_VOLUME = re.compile(r"\b(?:Volume|Vol\.)\s*\S+", re.IGNORECASE)
_CITATION_PAGES = re.compile(r"\b(?:pages?|pp?\.)\s*\S+", re.IGNORECASE)
_MAX_VALUE_LINES = 12


def find_byline(lines: list[Line]) -> int | None:
    """Index of the first non-blank line, if it is a byline rather than header or body."""
    for i, line in enumerate(lines):
        if line.blank or is_navigation(line):
            continue
        stripped = stripped_text(line)
        if _HEADER_LINE.match(line.raw) or is_salutation(stripped) or footnote_match(line):
            return None
        if not _BYLINE.match(stripped) or TITLE_LINE.match(stripped):
            return None
        return i
    return None


@dataclass
class HeaderExtras:
    """Lines above or among the header fields that are not "Label: value" lines."""

    title: Span | None = None  # "TO MAXIM GORKY"
    number: Span | None = None  # "454"


def read_header_block(
    text: str, lines: list[Line], start: int, warnings: Warnings, dropped: list[Span]
) -> tuple[list[HeaderLine], int, HeaderExtras]:
    """The header lines after the byline, the index of the first body line, and title/number lines.

    The header ends with the value of its last label line before the first salutation or
    footnote.  A value may be broken over several lines (mirror pages: "Source:" alone on a
    line, then "Lenin", "Collected Works,", ...); lines above the first label may be a title
    line, the document's number, or fields whose label the page lost.  Stray lines are
    reported, not taken for body text.
    """
    stop = len(lines)
    for i in range(start, len(lines)):
        stripped = stripped_text(lines[i])
        if is_salutation(stripped) or footnote_match(lines[i]):
            stop = i
            break
    labels = [i for i in range(start, stop) if _HEADER_LINE.match(lines[i].raw)]
    header_lines: list[HeaderLine] = []
    extras = HeaderExtras()
    if not labels:
        return header_lines, start, extras
    end = labels[-1] + 1
    stray: list[Line] = []  # unlabelled lines waiting to be read as a field or reported
    i = start
    while i < end:
        line = lines[i]
        m = _HEADER_LINE.match(line.raw)
        if m is not None:
            _unlabelled(text, stray, header_lines, extras, warnings, dropped)
            label = normalise(m["label"]).lower()
            key = _HEADER_LABELS[label]
            first = line.start + m.start("value")
            last, i = _value_lines(lines, i, key, stop, trim(text, first, line.end))
            value = trim(text, first, lines[last].end)
            if key == "drop":
                dropped.append(trim(text, line.start, lines[last].end))  # type: ignore[arg-type]
            else:
                header_lines.append(HeaderLine(line, key, label, value))
            end = max(end, i)
            continue
        if line.blank:
            _unlabelled(text, stray, header_lines, extras, warnings, dropped)
        else:
            stray.append(line)
        i += 1
    _unlabelled(text, stray, header_lines, extras, warnings, dropped)
    return header_lines, end, extras


def _value_lines(lines: list[Line], i: int, key: str | None, stop: int, value: Span | None) -> tuple[int, int]:
    """The last line of the value that starts on label line ``i``, and the index after it.

    A value goes on to the next lines (never past a blank line, another label, or the body)
    when the label stands alone on its line, and then as the field's kind needs: a citation
    until its closing full stop, a publication note while its sentences go on ("Sent from
    ...", "Printed from ..."), the licence until "as your source", a list after its comma.
    """
    so_far = value.text if value else ""
    last = i
    j = i + 1
    while j < stop and j - i <= _MAX_VALUE_LINES:
        line = lines[j]
        if line.blank or _HEADER_LINE.match(line.raw) or footnote_match(line) or is_navigation(line):
            break
        nxt = stripped_text(line)
        if not so_far:
            goes_on = key != "drop" or bool(_FORMATS_LINE.match(nxt))
        elif key == "source":
            goes_on = not so_far.endswith(".")
        elif key == "published":
            goes_on = bool(_PUBLICATION_SENTENCE.match(nxt))
        elif key == "rights":
            goes_on = "as your source" not in normalise(so_far)
        elif key == "drop":
            goes_on = bool(_FORMATS_LINE.match(nxt))
        else:
            goes_on = so_far.endswith((",", "&")) or re.search(r"\band$", so_far) is not None
        if not goes_on:
            break
        so_far = f"{so_far} {nxt}" if so_far else nxt
        last = j
        j += 1
    return last, j


def _unlabelled(
    text: str, stray: list[Line], header_lines: list[HeaderLine], extras: HeaderExtras,
    warnings: Warnings, dropped: list[Span],
) -> None:
    """Read a run of header lines without a label, then empty the run.

    What such lines can be: navigation (dropped), a title line ("TO MAXIM GORKY"), the
    document's number in its volume ("454"), or a field whose label the page lost: a
    publication note ("First published in ...", "Printed from ...") or a citation (lines that
    together name a volume and pages).  Anything else is a warning.
    """
    pending: list[Line] = []

    def flush() -> None:
        if not pending:
            return
        span = trim(text, pending[0].start, pending[-1].end)
        joined = normalise(span.text) if span else ""
        if span and _CITATION_VOLUME.search(joined) and _CITATION_PAGES.search(joined) and joined.endswith("."):
            header_lines.append(HeaderLine(pending[0], "source", "source (no label)", span))
        else:
            for line in pending:
                warnings.add(line.number, f"unclassified line in the header: {stripped_text(line)[:60]!r}")
        pending.clear()

    k = 0
    while k < len(stray):
        line = stray[k]
        stripped = stripped_text(line)
        if is_navigation(line):
            flush()
            dropped.append(line_span(text, line))  # type: ignore[arg-type]
        elif TITLE_LINE.match(stripped) and extras.title is None and not pending:
            extras.title = line_span(text, line)
        elif _NUMBER_LINE.match(stripped) and extras.number is None and not pending:
            extras.number = line_span(text, line)
        elif _PUBLICATION_SENTENCE.match(stripped) and not pending:
            run = k
            while run + 1 < len(stray) and stray[run + 1].number == stray[run].number + 1 and _PUBLICATION_SENTENCE.match(stripped_text(stray[run + 1])):
                run += 1
            span = trim(text, line.start, stray[run].end)
            header_lines.append(HeaderLine(line, "published", "published (no label)", span))
            k = run
        else:
            pending.append(line)
        k += 1
    flush()
    stray.clear()


def make_header(
    byline: Span | None, header_lines: list[HeaderLine], warnings: Warnings, extras: HeaderExtras | None = None
) -> Header:
    extras = extras or HeaderExtras()
    values: dict[str, Span | None] = {}
    for h in header_lines:
        if h.key is None:
            warnings.add(h.line.number, f"header {h.label!r} is not kept")
        elif h.value is None:
            warnings.add(h.line.number, f"header {h.label!r} has no value")
        elif h.key in values:
            warnings.add(h.line.number, f"second {h.label!r} header ignored")
        else:
            values[h.key] = h.value
    return Header(
        byline=byline,
        to=values.get("to"),
        written=values.get("written"),
        published=values.get("published"),
        source=values.get("source"),
        translated=values.get("translated"),
        transcription=values.get("transcription"),
        rights=values.get("rights"),
        title=extras.title,
        number=extras.number,
    )


def header_line_number(header_lines: list[HeaderLine], key: str) -> int:
    return next((h.line.number for h in header_lines if h.key == key), 1)


@dataclass(frozen=True)
class Written:
    """What a "Written:"/"Dictated:" value or trailer line says."""

    line: Span
    date: DateValue | None
    kind: str  # "written" or "dictated"
    how: Span | None  # "Dictated by phone"


def read_written(text: str, span: Span, kind: str, line_number: int, warnings: Warnings) -> Written:
    date = parse_date(span)
    if date is None and re.search(r"\d", span.text):  # "Dictated by phone" is not meant to have one
        warnings.add(line_number, f"no date read from {span.text!r}")
    how = None
    if kind == "dictated":
        # The manner of dictation is the text before the date: "Dictated by phone on ...".
        cut = date.span.start - span.start if date else len(span.text)
        before = re.sub(r"(?:\s*,)?\s+(?:on|in|at)?\s*$", "", span.text[:cut])
        if re.match(r"^Dictated\s+\S", before, re.IGNORECASE):
            how = sub(text, span, 0, len(before), ",")
    return Written(span, date, kind, how)


def read_header_written(
    text: str, header: Header, header_lines: list[HeaderLine], warnings: Warnings
) -> Written | None:
    if header.written is None:
        return None
    h = next(h for h in header_lines if h.value is header.written)
    value_says = header.written.text.split(maxsplit=1)[0].lower()
    kind = "dictated" if "dictated" in (h.label, value_says) else "written"
    return read_written(text, header.written, kind, h.line.number, warnings)
