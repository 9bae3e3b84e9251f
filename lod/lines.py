"""The lines of a letter page, and the names in its salutations and "To:" lines.

Shared by the header reader (`lod.header`) and the body reader (`lod.parser`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from lod.letter import Span
from lod.spans import is_edge, strip_final_stop, sub, trim

_FOOTNOTE_LINE = re.compile(r"^\s*\[(?P<number>\d{1,4})\](?P<rest>\s+\S.*)$")
_NAVIGATION = (
    re.compile(r"^\s*<.*\b(?:backward|back|previous)\b.*\b(?:forward|next)\b.*>\s*$", re.IGNORECASE),
    re.compile(r"^\s*<\s*(?:backward|previous)\b|\b(?:forward|next)\s*>\s*$", re.IGNORECASE),
    re.compile(r"\|.*\b(?:Index|Archive|Collected Works)\b|\b(?:Index|Archive|Collected Works)\b.*\|"),
    re.compile(r"^[\s\ufeff]*\|(?:[\s\u00a0]*\|)+[\s\u00a0]*$"),  # a mirror's footer: "| | | | | |"
)
# A salutation opens with a form of address; the rest must look like names, so that a
# sentence such as "Comrade Sverdlov is ill" stays a paragraph.
_SALUTATION_OPENER = re.compile(
    r"^(?:(?:My\s+)?Dear\s+|To\s+|Liebe[rn]?\s+|Werte[rn]?\s+|Chers?\s+|Chère\s+)?"
    r"(?:Comrades?|Citizens?|Friends?|Gentlemen|Sirs?|Madam|Mr\.?|Mrs\.?|Herr|Frau|Monsieur|Madame"
    r"|Genossen?|Genossin|Freunde?|Freundin|camarades?|amis?)\b"
    r"|^(?:My\s+)?Dear\s+(?=[A-Z])"  # "Dear Zina,", "Dear A. M.:"
    r"|^People[’']s\s+Commissar\s+(?=[A-Z])"  # an address by office: "People's Commissar Lunacharsky"
    r"|^To\s+(?:the\s+)?(?=[A-Z])"
)
_SALUTATION_CONNECTORS = {"and", "&", "of", "the", "to", "for", "dear", "my", "comrade", "comrades"}
_TITLES = re.compile(
    r"^(?:(?:My|Dear|To|the|Comrades?|Citizens?|Friends?|Mr\.?|Mrs\.?|Herr|Frau|Monsieur|Madame"
    r"|Liebe[rn]?|Werte[rn]?|Chers?|Chère|Genossen?|Genossin|People[’']s\s+Commissar)\b\.?[\s]*)+",
    re.IGNORECASE,
)
# Words of address that are no one's name: "Liebe Freunde" names nobody.
_NOT_NAMES = {"freunde", "freund", "freundin", "genossen", "genosse", "genossin", "camarades", "camarade",
              "amis", "ami", "friends", "friend", "comrades", "comrade", "gentlemen", "sirs", "sir", "madam"}
_NAME_SEPARATOR = re.compile(r"\s*(?:,|;|&|\band\b|\bAND\b)\s*")
# A salutation by name and patronymic only, the Russian form of address: "Georgi Valentinovich,",
# "Alexei Maximovich:".  Read only where a salutation stands (the first line of a letter).
_PATRONYMIC_SALUTATION = re.compile(
    r"^(?:Dear\s+)?[A-Z][a-z]+\s+[A-Z][a-z]+(?:ovich|evich|ich|ovna|evna|ichna|inichna)\s*[,:!]$"
)


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, for warnings
    start: int
    end: int  # before the line break
    raw: str  # text[start:end]

    @property
    def blank(self) -> bool:
        return all(is_edge(c) for c in self.raw)


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for number, brk in enumerate(re.finditer(r"\r\n|\r|\n", text), start=1):
        lines.append(Line(number, pos, brk.start(), text[pos : brk.start()]))
        pos = brk.end()
    lines.append(Line(len(lines) + 1, pos, len(text), text[pos:]))
    return lines


def line_span(text: str, line: Line) -> Span | None:
    return trim(text, line.start, line.end)


_FOOTNOTE_LINE_TIGHT = re.compile(r"^\s*\[(?P<number>\d{1,4})\](?P<rest>\s*[^\s\d\[].*)$")


def footnote_match(line: Line, tight: bool = False) -> re.Match[str] | None:
    """"[n] text" at the start of a line, with some visible text after the number.

    ``tight`` also takes "[2]To the Editorial Board ..." (no space after the number), which
    is a note only where notes are already being read.
    """
    m = (_FOOTNOTE_LINE_TIGHT if tight else _FOOTNOTE_LINE).match(line.raw)
    if m is None or all(is_edge(c) for c in m["rest"]):
        return None
    return m


def is_navigation(line: Line) -> bool:
    return any(p.search(line.raw) for p in _NAVIGATION)


def stripped_text(line: Line) -> str:
    """The line without surrounding blanks, for matching (Spans are made separately)."""
    span = trim(line.raw, 0, len(line.raw))
    return span.text if span else ""


# An alternative addressee in brackets after a salutation: "Comrade Vladimirsky (or any other
# member of the Presidium of the Moscow Soviet)"; the bracket may close on a later line.
_ALTERNATIVE = re.compile(r"\(\s*or\s+(?P<alt>[^()]+?)\s*\)")
# "Copy to Pokrovsky, 53 Ostozhenka, Moscow": a further addressee (and perhaps an address).
COPY_LINE = re.compile(r"^Cop(?:y|ies)\s+to\s+(?=[A-Z])")


def is_salutation(line: str) -> bool:
    """"Comrade Chicherin:", "Comrade Zalutsky and Comrade Salts", "Dear Comrades,", "Dear Zina,"."""
    line = _ALTERNATIVE.sub("", line).rstrip()
    if len(line) > 80 or (line.endswith((".", "?")) and not re.search(r"\b[A-Z]\.$", line)):
        return False
    if _PATRONYMIC_SALUTATION.match(line):
        return False  # not here: only as a letter's first line (is_head_salutation)
    m = _SALUTATION_OPENER.match(line)
    if m is None:
        return False
    for token in line[m.end() :].split():
        word = token.strip(",:;!")
        if word and word.lower() not in _SALUTATION_CONNECTORS and not word[0].isupper():
            return False
    return len(line.split()) <= 10


def is_head_salutation(line: str) -> bool:
    """A salutation that only counts as the first line of a letter: "Georgi Valentinovich,"."""
    return is_salutation(line) or bool(_PATRONYMIC_SALUTATION.match(line))


def names_in(text: str, span: Span) -> list[Span]:
    """Each person named in a salutation or To: value, without titles or note markers."""
    names: list[Span] = []
    pos = 0
    alternatives = list(_ALTERNATIVE.finditer(span.text))
    plain = span.text
    for alt in alternatives:  # blanked out (offsets kept), read as a name of its own below
        plain = plain[: alt.start()] + " " * (alt.end() - alt.start()) + plain[alt.end() :]
    pieces = [(m.start(), m.end()) for m in _NAME_SEPARATOR.finditer(plain)] + [(len(plain),) * 2]
    for sep_start, sep_end in pieces:
        part = plain[pos:sep_start]
        title = _TITLES.match(part)  # "Comrade Salts" -> "Salts"
        start = title.end() if title else 0
        end = len(re.sub(r"(?:\[\d+\]|[\s:,;!.])+$", "", part))  # trailing "[1]" and punctuation
        # keep a final full stop that ends an initial ("Comrade G. V.")
        if end < len(part) and part[end] == "." and re.search(r"\b[A-Z]$", part[:end]):
            end += 1
        name = sub(text, span, pos + start, pos + end)
        if name is not None and name.text[0].isupper() and name.text.casefold() not in _NOT_NAMES:
            names.append(name)
        pos = sep_end
    for alt in alternatives:
        name = sub(text, span, alt.start("alt"), alt.end("alt"))
        if name is not None:
            names.append(name)
    return names


def copy_names(text: str, span: Span) -> list[Span]:
    """The names on a "Copy to ..." line, without the address after them."""
    m = COPY_LINE.match(span.text)
    if m is None:
        return []
    rest = span.text[m.end() :]
    cut = rest.find(",")  # "Pokrovsky, 53 Ostozhenka, Moscow": an address may follow the first comma
    end = m.end() + (cut if cut >= 0 else len(rest))
    head = sub(text, span, m.end(), end)
    return names_in(text, head) if head else []


def name_value(text: str, span: Span | None) -> Span | None:
    """The name in a "Translated:" / "Transcription:" value ("by Yuri Sdobnikov." -> name)."""
    if span is None:
        return None
    m = re.match(r"^(?:by\s+)?", span.text, re.IGNORECASE)
    return strip_final_stop(text, sub(text, span, m.end(), len(span.text)))
