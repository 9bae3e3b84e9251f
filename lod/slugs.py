"""Letter URIs: a slug from the letter's date and addressees, told apart from the letter itself when
that is not enough, and unique within a build (docs/design.md, "URIs")."""
from __future__ import annotations

import hashlib

from .annotations import AnnotationError, Curation
from .letter import DateValue, Letter
from .names import person_name, plausible_name
from .uris import slugify


def letter_slug(letter: Letter, curation: Curation) -> str:
    """The letter's own slug: the curated one, else its date and addressees, with a disambiguator
    drawn from the letter itself (``plan_slugs``) when date or addressee is missing."""
    curated = curation.letters.get(letter.file)
    if curated and curated.slug:
        return curated.slug
    base, strong = _slug_parts(letter)
    return base if strong else f"{base}-{disambiguator(letter)}"


def _slug_parts(letter: Letter) -> tuple[str, bool]:
    """(date and addressees as a slug, whether they are enough to tell the letter apart)."""
    doc = letter.documents[0] if letter.documents else None
    parts: list[str] = []
    if doc and doc.date:
        parts.append(_date_slug(doc.date))
    else:
        parts.append("undated")
    names = [_surname_slug(a.text) for a in doc.addressees if plausible_name(a.text)] if doc else []
    parts += [n for n in names if n]
    strong = bool(doc and doc.date and any(names))
    return "-".join(p for p in parts if p), strong


def _surname_slug(name: str) -> str:
    """The last word of a name that is not an initial: 'G. V. CHICHERIN' -> 'chicherin', 'A. M.' -> ''."""
    found = [w for w in person_name(name).replace("(", " ").replace(")", " ").split() if not w.endswith(".")]
    return slugify(found[-1]) if found else ""


def disambiguator(letter: Letter) -> str:
    """What tells two letters of one day or with no date apart, from the letter alone (never from its
    neighbours in a folder): the volume and pages of its citation, else a hash of its file name."""
    citation = letter.citation
    if citation and citation.volume and citation.pages:
        found = slugify(f"v{citation.volume} p{citation.pages}")
        if found:
            return found
    return file_hash(letter)


def file_hash(letter: Letter) -> str:
    return hashlib.sha256(letter.file.encode("utf-8")).hexdigest()[:8]


def plan_slugs(letters: list[Letter], curation: Curation) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Every letter's slug, unique within the build, and a note for each one that had to be told apart.

    Curated slugs are kept as given (two equal ones are an error of the curation); a slug made from
    the text that meets another gets the letter's disambiguator, then a hash of its file name.
    """
    slugs = {letter.file: letter_slug(letter, curation) for letter in letters}
    curated = {f: c.slug for f, c in curation.letters.items() if c.slug and f in slugs}
    seen: dict[str, str] = {}
    for file, slug in sorted(curated.items()):
        if slug in seen:
            raise AnnotationError(f"{curation.letters[file].source_file}: slug {slug!r} is also the slug of {seen[slug]}")
        seen[slug] = file
    notes: list[tuple[str, str]] = []
    for step in (disambiguator, file_hash):
        counts: dict[str, int] = {}
        for slug in slugs.values():
            counts[slug] = counts.get(slug, 0) + 1
        by_file = {letter.file: letter for letter in letters}
        for file in sorted(slugs):
            slug = slugs[file]
            if file in curated or (counts[slug] == 1 and slug not in curated.values()):
                continue
            extra = step(by_file[file])
            if slug.endswith(f"-{extra}"):
                continue
            slugs[file] = f"{slug}-{extra}"
            notes.append((file, f"letter URI {slug!r} is taken by another letter; this one is {slugs[file]!r}"))
    names = list(slugs.values())
    clash = sorted({s for s in names if names.count(s) > 1})
    if clash:  # two files with the same name cannot be in one folder, so this is not reached
        raise AnnotationError(f"letters still share a URI: {', '.join(clash)}")
    return slugs, notes


def _date_slug(date: DateValue) -> str:
    if date.begin is None or date.end is None:  # open-ended ("not earlier than ..."): the year of its bound
        return (date.begin or date.end).strftime("%Y")  # type: ignore[union-attr]
    if date.exact_day:
        return date.begin.strftime("%Y-%m-%d")
    if (date.begin.year, date.begin.month) == (date.end.year, date.end.month):
        return date.begin.strftime("%Y-%m")
    return date.begin.strftime("%Y")
