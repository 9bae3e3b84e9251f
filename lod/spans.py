"""Spans of a source text: trimmed stretches that keep their code-point offsets, and the parser's warnings.

Shared by the letter parser (`lod.parser`) and the citation grammar (`lod.citation`).
"""
from __future__ import annotations

import re

from lod.letter import ParseWarning, Span

# Characters that never belong at the edge of a Span: whitespace (str.isspace covers
# NBSP and the other Unicode spaces) plus invisible marks such as a BOM.
INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"

# A final full stop is kept only when it ends an abbreviation ("Fifth Ed.").
_ABBREVIATION_END = re.compile(r"(?:^|\s)[A-Z][a-z]{0,2}\.$")
# ... unless it is a volume's Roman number at the end of a sentence ("Lenin Miscellany V.").
_ROMAN_END = re.compile(r"\s[IVXL]+\.$")


class Warnings:
    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[ParseWarning] = []

    def add(self, line: int, message: str) -> None:
        self.items.append(ParseWarning(self.file, line, message))


def is_edge(c: str) -> bool:
    return c.isspace() or c in INVISIBLE


def trim(text: str, start: int, end: int, extra: str = "") -> Span | None:
    """The Span of text[start:end] without surrounding blanks (and ``extra`` characters)."""
    while start < end and (is_edge(text[start]) or text[start] in extra):
        start += 1
    while end > start and (is_edge(text[end - 1]) or text[end - 1] in extra):
        end -= 1
    return Span(start, end, text[start:end]) if start < end else None


def sub(text: str, span: Span, start: int, end: int, extra: str = "") -> Span | None:
    """A trimmed Span for span.text[start:end] (offsets relative to the span)."""
    return trim(text, span.start + start, span.start + end, extra)


def strip_final_stop(text: str, span: Span | None) -> Span | None:
    """Drop one closing full stop (or semicolon), unless it ends an abbreviation like "Ed."."""
    if span is None or not span.text.endswith((".", ";")):
        return span
    if span.text.endswith(".") and _ABBREVIATION_END.search(span.text) and not _ROMAN_END.search(span.text):
        return span
    return trim(text, span.start, span.end - 1)


def normalise(s: str) -> str:
    """Collapse runs of whitespace (NBSP included) to one space: for str fields, not Spans."""
    return " ".join(s.split())
