"""The names the software finds in a letter's text: persons, groups and places mentioned in the body
and in the editors' notes (docs/design.md, "The model", Evidence).

Pure logic: text and spans in, mentions out; who a name stands for is lod.context / lod.identity, and
the annotations lod.evidence. A wrong link is worse than none, so every rule reads a sign that the
words are a name, and the common English words, titles and registered places that look like names are
kept out. The rules, each a ``Mention.rule``:

- ``comrade``: "Comrade X", "Comrades X, Y and Z", "Citizen X" (never "Comrade Chairman").
- ``initials``: initials and a surname, "G. V. Chicherin", "Iv. Iv. Skvortsov", "N. Lenin" (never an
  abbreviation such as "the C.P.C. Chairman", never "St. Petersburg").
- ``register``: a registered form of a person, group or place (lod.identity: full names, variants,
  initials of a full name, a surname the register marks unambiguous, "the Council of People's
  Commissars", "C.P.C.", "Moscow").
- ``surname``: one word with the ending of a Russian, Polish or Georgian surname ("Smolyaninov",
  "Svidersky", "Marchlewski", "Semashko", "Chkheidze"), not after "the", "in", "at" or "near", not
  beside another capitalised word (a title, a street, a newspaper), not a registered place or group.
- ``context``: one capitalised word that the sentence shows is a person: the author of something
  ("Radek's articles", "Kushner's pamphlet"), "X, who ...", "a man called X", or one of a list joined
  by "+", "and" or "or" to a person already found ("Pokrovsky+Gegechkori", "Krzhizhanovsky and Ramzin").
- ``again``: every other place where the letter writes a one-word name found by a rule above, or the
  surname of a person it names in full (``named_again``, after resolution).
- ``common``: a common form of a group that names no group for sure, "the C.C." (the Central Committee
  of whichever party and year): the letter's own entity.
- ``division``: "Tver Gubernia", "Podolsk Uyezd", "Sukhanovo Volost": a place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from .identity import norm
from .letter import Span

_SP = r"[ \t\u00a0]"
_CAP = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĖĘĚĜĞĠĢĤĦĨĪĮİĴĶĹĻĽŁŃŅŇŌŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_LOW = "a-zß-öø-ÿāăąćĉċčďđēėęěĝğġģĥħĩīįıĵķĺļľłńņňōőœŕŗřśŝşšţťŧũūŭůűųŵŷźżž"
_WORD = f"[{_CAP}][{_LOW}]+(?:-[{_CAP}][{_LOW}]+)?"  # a capitalised word, or two joined by a hyphen
_POSSESSIVE = r"(?:['’]s\b|(?<=s)['’](?!\w))"

# Words that are capitalised for a reason other than being a name (a sentence's first word, a title, a
# month): never a person by themselves.
_NOT_NAMES = frozenset("""
a about after again all also although an and another any as at be because before being both but by can
could dear did do does during each either even every few for from had has have he her here hers him his
how however i if in into is it its just let many may me might more most much must my neither no nor not
now of off on once one only or other our ours out over perhaps please same second she should since so
some still such than that the their theirs them then there these they third this those though through
thus till to too under unless until up upon us very was we were what when where whether which while who
whom whose why will with within without would yes yet you your yours first last next
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
comrade comrades citizen citizens chairman secretary secretaries commissar commissars commander president
director editor editors deputy member members delegate delegates minister ministers professor doctor
mr mrs dr ed eds note notes see vol volume no page pages p pp ibid ditto greetings regards
party soviet soviets congress committee council government state republic bureau politbureau commission
commissariat army front union international conference office department section presidium collegium
god lord christ state street square
""".split())

# Words after "Comrade" that are a post, not a name ("Comrade Chairman").
TITLES = frozenset({"Chairman", "Secretary", "Commissar", "Commander", "President", "Director", "Editor",
                    "Editors", "Deputy", "Member", "Members", "Delegate", "Delegates", "Comrade", "Comrades"})

# The endings of Russian, Ukrainian, Polish and Georgian surnames. "-in" is not among them: Berlin, Kremlin,
# Latin and Turin end so as well as Lenin. "-sky" needs a consonant before it (not "risky", "Istorichesky").
_SURNAME_ENDING = re.compile(
    r"(?:[a-z]{2}(?:ov|ev|yov|ova|eva)|[bcdfgjklmnpqrstvwxz](?:sky|skaya|ski)|enko|shko|chko|dze|shvili|chuk|yuk)$")
# Before a word, the words that make it a place, a thing or a title rather than a person.
_NOT_A_PERSON_BEFORE = re.compile(r"(?:\b(?:the|The|in|In|at|At|near|Near|of the|to the|from the)"
                                  + _SP + r"+)$")
# Initials: one capital, or a Russian digraph ("Ya.", "Iv."), each with its full stop.
_INITIAL = r"(?:[A-Z]|Ya|Yu|Ye|Yo|Zh|Ch|Sh|Kh|Ts|Iv)\."
_INITIALS = re.compile(rf"(?<![\w.\-’'])({_INITIAL}(?:{_SP}*{_INITIAL}){{0,2}}){_SP}+({_WORD})"
                       rf"(?={_POSSESSIVE}|(?![\w\-]))")
_TITLE_WORDS = r"(?:Comrades?|Citizens?)"
_COMRADES = re.compile(rf"\b{_TITLE_WORDS}{_SP}+((?:{_WORD}{_POSSESSIVE}?)"
                       rf"(?:(?:,{_SP}*|{_SP}+and{_SP}+){_WORD}{_POSSESSIVE}?)*)")
_CAPITALISED = re.compile(rf"(?<![\w\-’'.])({_WORD})(?={_POSSESSIVE}|(?![\w\-]))")
# What the sentence says of a word that makes it a person.
_AUTHOR_NOUNS = ("letter|letters|article|articles|report|reports|pamphlet|pamphlets|manuscript|manuscripts|book|"
                 "books|telegram|telegrams|speech|speeches|statement|theses|archives|library|departure|arrival|"
                 "signature|family|wife|husband|son|daughter|brother|sister|assistants|deputy|secretary|hand")
_AUTHOR_OF = re.compile(rf"^{_POSSESSIVE}{_SP}+(?:[“\"]|(?:{_AUTHOR_NOUNS})\b)")
_WHO = re.compile(rf"^(?:,|{_SP}*\((?:the one{_SP}+)?)?{_SP}*who\b")
_CALLED = re.compile(rf"\b(?:man|woman|comrade|worker|engineer|peasant|fellow|person|boy|girl|lad){_SP}+"
                     rf"(?:called|named|by the name of){_SP}+$")
_LIST_JOIN = rf"(?:{_SP}*\+{_SP}*|,{_SP}*|{_SP}+(?:and|or){_SP}+|{_SP}*\(or{_SP}+)"
_DIVISION = re.compile(rf"(?<![\w\-])((?:{_WORD}{_SP}+){{1,2}}(?:Gubernia|Uyezd|Volost|Gubernias))\b")
_COMMON_GROUPS = re.compile(rf"\b(?:the|The){_SP}+(C\.{_SP}?C\.|Central{_SP}+Committee)(?![\w\-]|{_SP}+of\b)")


@dataclass(frozen=True)
class Region:
    """A stretch of the letter read for names, and whose voice it is (None: the letter's author)."""

    span: Span
    voice: str | None = None


@dataclass(frozen=True)
class Mention:
    """Words that name a person, group or place, as the software found them."""

    span: Span  # the name as written (a possessive's "'s" left out)
    kind: str  # person, group, place
    name: str  # the form to resolve: spaces as one
    rule: str
    voice: str | None = None


class Forms:
    """The forms the register (and the annotation files) give persons, groups and places, normalised as
    lod.identity compares them, with one pattern that finds any of them in a text."""

    def __init__(self, forms: dict[str, set[str]]) -> None:
        self.kinds = forms  # normalised form -> kinds it is registered as
        ordered = sorted(forms, key=lambda f: (-len(f), f))
        self.pattern = re.compile(
            r"(?<![\w.\-’'])(?:" + "|".join(_form_pattern(f) for f in ordered) + r")(?![\w\-])",
            re.IGNORECASE) if ordered else None

    def of(self, words: str) -> set[str]:
        return self.kinds.get(norm(words), set())


def _form_pattern(form: str) -> str:
    parts = []
    tokens = form.split(" ")
    for i, token in enumerate(tokens):
        parts.append(re.escape(token).replace("'", "['’]"))
        if i < len(tokens) - 1:
            parts.append(r"[ \t\u00a0]*\n?[ \t\u00a0]*" if token.endswith(".") else r"(?:[ \t\u00a0]+\n?[ \t\u00a0]*|\n[ \t\u00a0]*)")
    return "".join(parts)


_CONNECTORS = {"of", "the", "and", "for", "on", "in", "to", "de", "von", "van", "der", "du", "la", "le", "(b.)"}


def _capitalised(text: str) -> bool:
    words = [w for w in re.split(r"[\s\u00a0]+", text.replace("(", " ").replace(")", " ")) if w]
    return bool(words) and words[0][0].isupper() and all(
        w[0].isupper() or w.casefold() in _CONNECTORS or not w[0].isalpha() for w in words)


def name_like(word: str, forms: Forms | None) -> bool:
    """Whether one capitalised word can be a person's name at all: not a common word, a title, a month,
    a word in capitals ("ARA"), a plural ("Mensheviks"), or a registered group or place."""
    bare = re.sub(_POSSESSIVE + "$", "", word)
    if len(bare) < 3 or bare.isupper() or bare.casefold() in _NOT_NAMES:
        return False
    if re.search(r"(?:ans|iks|ists|ites|ers|ies)$", bare):
        return False
    return not (forms and forms.of(bare) & {"group", "place"})


def _alias(text: str, m: re.Match) -> bool:
    """A word alone in brackets right after a name, "Skvortsov (Stepanov)": that person's other name."""
    return bool(re.search(rf"[\w.]{_SP}*\($", text[:m.start()])) and text[m.end():m.end() + 1] == ")"


def _before(text: str, start: int, n: int = 40) -> str:
    return text[max(0, start - n):start]


def _next_is_capitalised(text: str, end: int) -> bool:
    """A capitalised word right after (one space, same line): the word is part of a longer name."""
    after = text[end:]
    after = re.sub(rf"^{_POSSESSIVE}", "", after)
    # "Moscow Soviet", "Marx-Engels", "the (Moscow) Gubernia Council"
    return bool(re.match(rf"\)?{_SP}[{_CAP}][{_LOW}]", after)) or bool(re.match(r"-[\w]", after))


def _prev_is_capitalised(text: str, start: int) -> bool:
    """A capitalised word right before on the same line, not a sentence's end or a title."""
    found = re.search(rf"([{_CAP}][\w’'\-]*){_SP}$", text[max(0, start - 40):start])
    return bool(found) and found.group(1) not in TITLES and found.group(1) not in ("Comrade", "Comrades",
                                                                                     "Citizen", "Citizens")


def find_mentions(text: str, regions: list[Region], forms: Forms | None = None) -> list[Mention]:
    """Every mention the rules find in ``regions`` of ``text``, in text order, none overlapping another
    (the longer kept)."""
    found: list[Mention] = []
    for region in regions:
        found += _region_mentions(text, region, forms)
    # again: the other places that write a one-word name a rule took for a person
    words = {m.name for m in found if m.kind == "person" and len(m.name.split()) == 1 and m.rule != "register"}
    for region in regions:
        found += [Mention(s, "person", s.text, "again", region.voice) for s in _occurrences(text, region.span, words)]
    return _without_overlaps(found)


def _region_mentions(text: str, region: Region, forms: Forms | None) -> list[Mention]:
    lo, hi = region.span.start, region.span.end
    part = text[lo:hi]
    out: list[Mention] = []

    def add(start: int, end: int, kind: str, rule: str) -> None:
        start, end = lo + start, lo + end
        out.append(Mention(Span(start, end, text[start:end]), kind, " ".join(text[start:end].split()), rule,
                           region.voice))

    # register: every registered form, written with capitals
    if forms and forms.pattern:
        for m in forms.pattern.finditer(part):
            kinds = forms.of(m.group())
            if not kinds or not _capitalised(m.group()):
                continue
            kind = "person" if "person" in kinds else min(kinds)
            one_word = len(m.group().split()) == 1
            if one_word and _next_is_capitalised(part, m.end()):
                continue  # "Lenin Miscellany", "Moscow Soviet": part of another name
            if kind != "person" and _next_is_capitalised(part, m.end()):
                continue
            add(m.start(), m.end(), kind, "register")
    # comrade
    for m in _COMRADES.finditer(part):
        for w in re.finditer(_WORD, m.group(1)):
            if w.group() in TITLES or not name_like(w.group(), forms):
                continue
            start = m.start(1) + w.start()
            add(start, start + len(w.group()), "person", "comrade")
    # initials
    for m in _INITIALS.finditer(part):
        initials, surname = m.group(1), m.group(2)
        if _before(part, m.start(), 5).rstrip().endswith(("the", "The")):
            continue  # "the C.C. Plenum": an abbreviation
        if re.fullmatch(r"(?:[A-Z]\.){3,}", initials.replace(" ", "").replace("\u00a0", "")) and " " not in initials:
            continue  # "C.P.C. Chairman": an abbreviation before a word
        if not name_like(surname, forms) or surname in TITLES:
            continue
        add(m.start(), m.end(), "person", "initials")
    # surname by its ending
    for m in _CAPITALISED.finditer(part):
        word = m.group(1)
        if not _SURNAME_ENDING.search(word.split("-")[-1]) or len(word) < 5:
            continue
        if not name_like(word, forms) or _NOT_A_PERSON_BEFORE.search(_before(part, m.start())):
            continue
        if _next_is_capitalised(part, m.end()) or _prev_is_capitalised(part, m.start()) or _alias(part, m):
            continue
        add(m.start(), m.end(), "person", "surname")
    # context: what the sentence says of the word
    for m in _CAPITALISED.finditer(part):
        word = m.group(1)
        if "-" in word or not name_like(word, forms) or _prev_is_capitalised(part, m.start()) or _alias(part, m):
            continue
        if _NOT_A_PERSON_BEFORE.search(_before(part, m.start())) or _next_is_capitalised(part, m.end()):
            continue
        after = part[m.end():]
        said = _WHO.match(after) or _CALLED.search(_before(part, m.start()))
        if _AUTHOR_OF.match(after) or (said and not word.endswith("s")):  # "the Germans, who": no one
            add(m.start(), m.end(), "person", "context")
    # lists joined to a person found: "Pokrovsky+Gegechkori", "Krzhizhanovsky and Ramzin"
    words = list(_CAPITALISED.finditer(part))
    persons = {(x.span.start - lo, x.span.end - lo) for x in out if x.kind == "person"}
    grown = True
    while grown:
        grown = False
        for a, b in pairwise(words):
            between = re.sub(rf"^{_POSSESSIVE}", "", part[a.end():b.start()])
            if not re.fullmatch(_LIST_JOIN, between):
                continue
            for this, other in ((a, b), (b, a)):
                here = (this.start(), this.end())
                if here in persons or (other.start(), other.end()) not in persons:
                    continue
                if not name_like(this.group(1), forms) or _next_is_capitalised(part, this.end()):
                    continue
                if _NOT_A_PERSON_BEFORE.search(_before(part, this.start())):
                    continue
                add(this.start(), this.end(), "person", "context")
                persons.add(here)
                grown = True
    # common forms of groups, and divisions of the land
    for m in _COMMON_GROUPS.finditer(part):
        add(m.start(1), m.end(1), "group", "common")
    for m in _DIVISION.finditer(part):
        if _capitalised(m.group(1)) and all(w.casefold() not in _NOT_NAMES for w in m.group(1).split()[:-1]):
            add(m.start(1), m.end(1), "place", "division")
    return out


def _occurrences(text: str, span: Span, words: set[str]) -> list[Span]:
    """Each place in ``span`` that writes one of ``words`` as a word of its own (a possessive allowed)."""
    if not words:
        return []
    part = text[span.start:span.end]
    pattern = _words_pattern(tuple(sorted(words, key=lambda w: (-len(w), w))))
    spans = []
    for m in pattern.finditer(part):
        if _next_is_capitalised(part, m.end()):
            continue
        spans.append(Span(span.start + m.start(), span.start + m.end(), m.group()))
    return spans


@lru_cache(maxsize=256)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w\-’'.])(?:" + "|".join(re.escape(w) for w in words) + rf")(?={_POSSESSIVE}|(?![\w\-]))")


def named_again(text: str, regions: list[Region], surnames: set[str], taken: list[Span]) -> list[Mention]:
    """Where the letter writes the surname of a person it names in full ("Rozhkov" after "N. A. Rozhkov"):
    each such place not already taken, as a one-word mention for the letter's own resolution."""
    out = []
    for region in regions:
        for span in _occurrences(text, region.span, surnames):
            if not any(t.start < span.end and span.start < t.end for t in taken):
                out.append(Mention(span, "person", span.text, "again", region.voice))
    return out


def _without_overlaps(found: list[Mention]) -> list[Mention]:
    """One mention per stretch of text: the longest, then the one a surer rule found."""
    rank = {"register": 0, "initials": 1, "comrade": 2, "division": 3, "common": 4, "surname": 5, "context": 6,
            "again": 7}
    kept: list[Mention] = []
    for mention in sorted(found, key=lambda m: (-(m.span.end - m.span.start), rank[m.rule], m.span.start)):
        if not any(k.span.start < mention.span.end and mention.span.start < k.span.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda m: (m.span.start, m.span.end))
