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


def find_byline(lines: list[Line]) -> int | None:
    """Index of the first non-blank line, if it is a byline rather than header or body."""
    for i, line in enumerate(lines):
        if line.blank or is_navigation(line):
            continue
        stripped = stripped_text(line)
        if _HEADER_LINE.match(line.raw) or is_salutation(stripped) or footnote_match(line):
            return None
        return i
    return None


def read_header_block(
    text: str, lines: list[Line], start: int, warnings: Warnings, dropped: list[Span]
) -> tuple[list[HeaderLine], int]:
    """The header lines after the byline, and the index of the first body line.

    The header ends at its last label line before the first salutation or footnote;
    stray lines in between are reported, not taken for body text.
    """
    stop = len(lines)
    for i in range(start, len(lines)):
        stripped = stripped_text(lines[i])
        if is_salutation(stripped) or footnote_match(lines[i]):
            stop = i
            break
    last_label = max(
        (i for i in range(start, stop) if _HEADER_LINE.match(lines[i].raw)), default=start - 1
    )
    header_lines: list[HeaderLine] = []
    for line in lines[start : last_label + 1]:
        if line.blank:
            continue
        m = _HEADER_LINE.match(line.raw)
        if m is None:
            if is_navigation(line):
                dropped.append(line_span(text, line))  # type: ignore[arg-type]
            else:
                warnings.add(line.number, f"unclassified line in the header: {stripped_text(line)[:60]!r}")
            continue
        label = normalise(m["label"]).lower()
        value = trim(text, line.start + m.start("value"), line.start + m.end("value"))
        header_lines.append(HeaderLine(line, _HEADER_LABELS[label], label, value))
    return header_lines, last_label + 1


def make_header(byline: Span | None, header_lines: list[HeaderLine], warnings: Warnings) -> Header:
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
