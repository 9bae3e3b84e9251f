"""Names as the letters write them: their display form, whether words can be a name at all, and
lists of names ("Martin Parker and Bernard Isaacs"). Used by the mapper and by the letter slugs."""
from __future__ import annotations

import re

from .letter import Span
from .spans import normalise


def title_form(text: str) -> str:
    """A publication's title as one label, whichever letter cites it: 'Lenin Miscellany-XX' (a dash the page
    puts between two words) is 'Lenin Miscellany XX', as its URI (from the same words) already says."""
    return re.sub(r"(?<=\w)\s*-\s*(?=[IVXLC]+\b)", " ", normalise(text))


def person_name(text: str) -> str:
    """'G. V. CHICHERIN' -> 'G. V. Chicherin'; names not in capitals stay as written."""
    name = normalise(text)
    return name.title() if name.isupper() else name


_NAME_WORD = re.compile(r"[^\W\d_][\w’'.\-]*\.?|\(|\)", re.UNICODE)
_PARTICLES = {"von", "van", "der", "de", "du", "di", "da", "la", "le", "y", "ibn"}
# First words of a title or a header line, never of a person's name ("TO MAXIM GORKY" is a title).
_NOT_A_NAME = {"to", "from", "dear", "letter", "note", "notes", "telegram", "written", "dictated", "published",
               "source", "translated", "transcription", "the", "a", "an", "on", "in", "for", "re", "and"}


def plausible_name(name: str, kind: str = "person") -> bool:
    """Whether words can be a name as written: a person's name is one to six capitalised words
    (particles aside) with no digits; a group's or a place's has no digits or brackets either."""
    text = normalise(name)
    if not text or any(c.isdigit() for c in text) or any(c in text for c in "[]{}<>|/\\:;!?"):
        return False
    if kind != "person":
        return len(text) <= 120
    words = person_name(text).replace("(", " ").replace(")", " ").split()
    if not 1 <= len(words) <= 6 or any(not _NAME_WORD.fullmatch(w) for w in words):
        return False
    if words[0].casefold().rstrip(":") in _NOT_A_NAME:  # "A." is an initial, "a" an article
        return False
    return words[-1][0].isupper() and all(w[0].isupper() or w.casefold() in _PARTICLES for w in words)


_NAME_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")


def name_spans(span: Span) -> list[Span]:
    """'Martin Parker and Bernard Isaacs' names two persons: one span each, offsets kept."""
    spans, start = [], 0
    for sep in [*_NAME_SEPARATOR.finditer(span.text), None]:
        end = sep.start() if sep else len(span.text)
        piece = span.text[start:end]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if piece:
            spans.append(Span(span.start + start + lead, span.start + start + lead + len(piece), piece))
        start = sep.end() if sep else end
    return spans


def written_form(text: str, forms: set[str]) -> tuple[int, int] | None:
    """Where in a quote a name stands as written: the longest of ``forms`` found there as whole words,
    spaces as any run of spaces ('her brother Slava Kasparov' -> 'Slava Kasparov'; 'Kasparov’s sister' ->
    'Kasparov'); None when the quote names it in no such form ('her brother very well')."""
    best: tuple[int, int] | None = None
    for form in forms:
        words = normalise(form).split(" ")
        if not words or not words[0]:
            continue
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(text):
            if best is None or match.end() - match.start() > best[1] - best[0]:
                best = (match.start(), match.end())
    return best
