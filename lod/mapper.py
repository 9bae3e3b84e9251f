"""Parsed letter + curated annotations -> one RDF graph per letter.

The model (docs/design.md, "The model"): the English letter and its Russian original are CRM linguistic objects
linked by P73; a catalogue view of plain Dublin Core / schema.org triples sits beside the CRM
events; every mention and every event is anchored in the text by a Web Annotation whose
selectors carry code-point offsets into the stored file, with the voice that states it.
The mapper has no branch for a particular letter: what it knows of one comes from the text
and from data/annotations/.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from . import __version__
from .annotations import Anchor, AnnotationError, Curation, Entity, Quote, TimeBounds, anchor
from .identity import Resolver, surname, words
from .letter import DateValue, Document, Letter, Span
from .namespaces import CRM, DCMITYPE, DCTERMS, EDTF, FOAF, OA, OWL, PROV, RDF, RDFS, SCHEMA, SKOS
from .uris import Minter, slugify

PUBLIC_DOMAIN = URIRef("https://creativecommons.org/publicdomain/mark/1.0/")
SPDX = "http://spdx.org/rdf/terms#"
_QUOTE_CONTEXT = 32  # characters of prefix/suffix kept in each TextQuoteSelector
# "Comrade X" and "Comrades X, Y and Z", on one line: a comma at a line's end closes the list.
_COMRADES = re.compile(r"\bComrades?[ \t\u00a0]+((?:[A-Z][\w\-]+(?:’s|'s)?)"
                       r"(?:(?:,[ \t\u00a0]*|[ \t\u00a0]+and[ \t\u00a0]+)[A-Z][\w\-]+(?:’s|'s)?)*)")
# Words after "Comrade" that are a post, not a name ("Comrade Chairman").
_TITLES = {"Chairman", "Secretary", "Commissar", "Commander", "President", "Director", "Editor", "Editors",
           "Deputy", "Member", "Members", "Delegate", "Delegates", "Comrade", "Comrades"}
_ENTITY_CLASSES = {
    "person": (CRM.E21_Person, FOAF.Person),
    "group": (CRM.E74_Group, FOAF.Organization),
    "place": (CRM.E53_Place,),
    "text": (CRM.E33_Linguistic_Object,),
}


def clean(text: str) -> str:
    """Display form of text as written: runs of spaces (also non-breaking) become one space."""
    return " ".join(text.replace("\u00a0", " ").split())


def title_form(text: str) -> str:
    """A publication's title as one label, whichever letter cites it: 'Lenin Miscellany-XX' (a dash the page
    puts between two words) is 'Lenin Miscellany XX', as its URI (from the same words) already says."""
    return re.sub(r"(?<=\w)\s*-\s*(?=[IVXLC]+\b)", " ", clean(text))


def person_name(text: str) -> str:
    """'G. V. CHICHERIN' -> 'G. V. Chicherin'; names not in capitals stay as written."""
    name = clean(text)
    return name.title() if name.isupper() else name


_NAME_WORD = re.compile(r"[^\W\d_][\w’'.\-]*\.?|\(|\)", re.UNICODE)
_PARTICLES = {"von", "van", "der", "de", "du", "di", "da", "la", "le", "y", "ibn"}
# First words of a title or a header line, never of a person's name ("TO MAXIM GORKY" is a title).
_NOT_A_NAME = {"to", "from", "dear", "letter", "note", "notes", "telegram", "written", "dictated", "published",
               "source", "translated", "transcription", "the", "a", "an", "on", "in", "for", "re", "and"}


def plausible_name(name: str, kind: str = "person") -> bool:
    """Whether words can be a name as written: a person's name is one to six capitalised words
    (particles aside) with no digits; a group's or a place's has no digits or brackets either."""
    text = clean(name)
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


@dataclass
class _Context:
    """What one letter's mapping accumulates: the graph, the anchors found, the entities named."""

    letter: Letter
    curation: Curation
    mint: Minter
    slug: str
    graph: Graph = field(default_factory=Graph)
    anchors: list[tuple[Anchor, URIRef, URIRef]] = field(default_factory=list)  # (anchor, body, motivation)
    described: set[str] = field(default_factory=set)
    auto: dict[str, Entity] = field(default_factory=dict)
    editors: str | None = None  # the voice of the header and the notes
    author: Entity | None = None
    warnings: list[str] = field(default_factory=list)  # what the mapper left out, and why
    resolver: Resolver | None = None
    named: dict[str, Entity] = field(default_factory=dict)  # entities this letter names, by id
    unreconciled: list[Unreconciled] = field(default_factory=list)

    @property
    def uri(self) -> URIRef:
        return self.mint.letter(self.slug)

    @property
    def text_uri(self) -> URIRef:
        return self.mint.text(self.slug)

    def add(self, s: URIRef, p: URIRef, o) -> None:
        self.graph.add((s, p, o))

    def concept(self, slug: str) -> URIRef:
        return self.mint.concept(slug)

    def entity(self, entity_id: str, where: str) -> Entity:
        found = self.curation.entities.get(entity_id) or self.auto.get(entity_id)
        if found is None:
            raise AnnotationError(f"{where}: refers to {entity_id!r}, which no annotation file defines")
        return found

    def uri_of(self, entity: Entity) -> URIRef:
        return self.mint.thing(entity.kind, entity.id)

    def agent(self, name: str, kind: str = "person", role: str = "name") -> Entity | None:
        """The entity a name as written stands for (lod.identity), or one of its own for this letter,
        marked unreconciled; None when the words do not read as a name at all (a header line the
        parser took for a byline)."""
        if not plausible_name(name, kind):
            self.warnings.append(f"{role} {clean(name)!r} does not read as the name of a {kind}: left out")
            return None
        display = person_name(name) if kind == "person" else clean(name)
        found = self.resolver.resolve(display, kind, self.letter.file)
        if found is None and kind == "person" and len(words(display)) == 1:
            # A surname alone names the one person of that surname this letter has already named in full.
            same = {e.id: e for e in self.named.values() if e.kind == "person"
                    and len(words(e.name or e.label)) > 1 and surname(e.name or e.label) == surname(display)}
            found = next(iter(same.values())) if len(same) == 1 else None
        if found is not None:
            self.named[found.id] = found
            return found
        if kind == "person":
            # Scoped to the letter: a name no register entry answers to never meets another letter's person.
            entity_id = f"{slugify(display) or kind}-in-{self.slug}"
            note = (f"Named “{display}” in {self.letter.file}; not reconciled with the register, so this "
                    f"entity stands for the mentions in this letter only.")
        else:
            # A publisher, an edition's editors, a place of publication: one entity for every letter that writes
            # the name exactly so (the hash of the written form keeps two spellings from sharing a URI).
            entity_id = f"{slugify(display) or kind}-{hashlib.sha256(display.encode('utf-8')).hexdigest()[:6]}"
            note = (f"Named “{display}”; not reconciled with the register, so this entity stands for the "
                    f"mentions written exactly so.")
        if entity_id not in self.auto:
            self.auto[entity_id] = Entity(id=entity_id, kind=kind, label=display, name=display, unreconciled=True,
                                          note=note)
            self.unreconciled.append(Unreconciled(display, kind, entity_id, role,
                                                  tuple(e.id for e in self.resolver.candidates(display, kind))))
        entity = self.auto[entity_id]
        self.named[entity.id] = entity
        return entity

    def note_anchor(self, span: Span | None, body: URIRef, motivation: URIRef = OA.identifying,
                    voice: str | None = None) -> None:
        if span is not None and span.text:
            self.anchors.append((Anchor(span, voice, PARSER), body, motivation))


def map_letter(letter: Letter, curation: Curation, mint: Minter, slug: str | None = None) -> tuple[URIRef, Graph]:
    """The named graph of one letter: its URI and its triples (``slug`` as ``plan_slugs`` gave it)."""
    mapped = map_one(letter, curation, mint, slug)
    return mapped.uri, mapped.graph


@dataclass(frozen=True)
class Unreconciled:
    """A name no register entry answers to, as the mapper met it in one letter."""

    name: str
    kind: str
    entity: str  # the id of the letter's own entity for it
    role: str  # author, addressee, translator, name (a mention in the text) ...
    candidates: tuple[str, ...]  # ids of registered or curated entities of the same surname or form


@dataclass
class Mapped:
    """One letter's graph and what a curator should know of it."""

    file: str
    uri: URIRef
    graph: Graph
    warnings: list[str]
    unreconciled: list[Unreconciled] = field(default_factory=list)


def map_one(letter: Letter, curation: Curation, mint: Minter, slug: str | None = None,
            resolver: Resolver | None = None) -> Mapped:
    ctx = _Context(letter, curation, mint, slug or letter_slug(letter, curation))
    ctx.resolver = resolver or Resolver(curation)
    # The parser's author_name is the byline's name, or on a page without one the author of the collected works cited.
    author_name = letter.author_name or (clean(letter.author.text) if letter.author else None)
    author = ctx.agent(author_name, role="author") if author_name else None
    ctx.author = author
    if letter.citation and letter.citation.work:
        editors = ctx.agent(f"Editors of {letter.citation.work}", "group", role="editors")
        if editors:
            ctx.editors = editors.id
            ctx.described.add(ctx.editors)
    _source_text(ctx)
    _letter(ctx, author)
    _curated(ctx)
    _comrades(ctx)
    done: set[str] = set()
    while ctx.described - done:  # an event describes what it links to, which may be new to this letter
        for entity_id in sorted(ctx.described - done):
            _describe(ctx, ctx.entity(entity_id, letter.file))
            done.add(entity_id)
    _annotations(ctx, author)
    return Mapped(letter.file, ctx.uri, ctx.graph, ctx.warnings, ctx.unreconciled)


def _source_text(ctx: _Context) -> None:
    """The file as stored: what every selector's offsets count in."""
    t, text = ctx.text_uri, ctx.letter.text
    ctx.add(t, RDF.type, CRM.E33_Linguistic_Object)
    ctx.add(t, RDF.type, DCMITYPE.Text)
    ctx.add(t, RDFS.label, Literal(f"Source text {ctx.letter.file}"))
    ctx.add(t, DCTERMS.identifier, Literal(ctx.letter.file))
    ctx.add(t, DCTERMS.format, Literal("text/plain; charset=utf-8"))
    ctx.add(t, DCTERMS.extent, Literal(f"{len(text)} characters"))
    # The text itself, so that anyone holding the data (a dump, a store) can check every selector.
    ctx.add(t, CRM.P190_has_symbolic_content, Literal(text))
    ctx.add(t, CRM.P165_incorporates, ctx.uri)
    checksum = URIRef(f"{t}/checksum")
    ctx.add(t, URIRef(SPDX + "checksum"), checksum)
    ctx.add(checksum, RDF.type, URIRef(SPDX + "Checksum"))
    ctx.add(checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256"))
    ctx.add(checksum, URIRef(SPDX + "checksumValue"),
            Literal(hashlib.sha256(text.encode("utf-8")).hexdigest(), datatype=XSD.hexBinary))
    mapping = ctx.mint.letter(ctx.slug, "mapping")
    ctx.add(mapping, RDF.type, PROV.Activity)
    ctx.add(mapping, RDFS.label, Literal(f"Mapping of {ctx.letter.file} to RDF"))
    ctx.add(mapping, PROV.used, t)
    ctx.add(mapping, SCHEMA.softwareVersion, Literal(f"lod-letters {__version__}"))
    ctx.add(mapping, PROV.wasAssociatedWith, software_agent(ctx))
    curated = ctx.curation.letters.get(ctx.letter.file)
    if curated:
        ctx.add(mapping, PROV.used, Literal(f"data/annotations/{curated.source_file}"))
    ctx.add(ctx.uri, PROV.wasDerivedFrom, t)


SOFTWARE = "lod-letters"
PARSER = "parser"  # Anchor.where of what the software found (a curated quote names its annotation entry)


def software_agent(ctx: _Context) -> URIRef:
    """This program, at this version: the maker of every annotation that no curator wrote
    (W3C Web Annotation: dcterms:creator; a prov:SoftwareAgent, PROV-O)."""
    agent = ctx.mint.agent(slugify(f"{SOFTWARE} {__version__}"))
    ctx.add(agent, RDF.type, PROV.SoftwareAgent)
    ctx.add(agent, RDFS.label, Literal(f"{SOFTWARE} {__version__}"))
    ctx.add(agent, FOAF.name, Literal(f"{SOFTWARE} {__version__}"))
    ctx.add(agent, SCHEMA.softwareVersion, Literal(__version__))
    ctx.add(agent, RDFS.comment, Literal(
        "The mapper of this dataset. It made the Web Annotations that carry it as dcterms:creator: names and "
        "dates found in the header, the salutation, the notes and after 'Comrade'. Annotations without a "
        "creator were curated by hand (data/annotations/)."))
    return agent


def _letter(ctx: _Context, author: Entity | None) -> None:
    letter, uri = ctx.letter, ctx.uri
    docs = letter.documents
    first = docs[0] if docs else None
    original = ctx.mint.letter(ctx.slug, "original")

    for cls in (CRM.E33_Linguistic_Object, DCMITYPE.Text, FOAF.Document):
        ctx.add(uri, RDF.type, cls)
    ctx.add(uri, DCTERMS.type, ctx.concept("letter"))
    ctx.add(uri, CRM.P2_has_type, ctx.concept("letter"))
    ctx.add(uri, DCTERMS.language, Literal("en"))
    ctx.add(uri, CRM.P72_has_language, ctx.concept("english"))
    addressees = _addressees(ctx, first)
    ctx.add(uri, DCTERMS.title, Literal(_title(author, addressees, first)))
    ctx.add(uri, RDFS.label, Literal(_title(author, addressees, first)))
    if author:
        ctx.add(uri, DCTERMS.creator, ctx.uri_of(author))
        ctx.described.add(author.id)
        ctx.note_anchor(letter.author, ctx.uri_of(author))
    for person, span in addressees:
        ctx.add(uri, SCHEMA.recipient, ctx.uri_of(person))
        ctx.described.add(person.id)
        ctx.note_anchor(span, ctx.uri_of(person))
    if first and first.date:
        ctx.add(uri, DCTERMS.date, _date_literal(first.date))
    body = "\n\n".join(p.text for d in docs for p in d.paragraphs)
    if body:
        ctx.add(uri, CRM.P190_has_symbolic_content, Literal(body))
    if letter.header.rights:
        ctx.add(uri, DCTERMS.rights, Literal(clean(letter.header.rights.text)))
        ctx.add(uri, DCTERMS.license, PUBLIC_DOMAIN)

    ctx.add(original, RDF.type, CRM.E33_Linguistic_Object)
    ctx.add(original, RDFS.label, Literal(f"Russian original of: {_title(author, addressees, first)}"))
    ctx.add(original, CRM.P72_has_language, ctx.concept("russian"))
    ctx.add(original, CRM.P73_has_translation, uri)

    _people_of_header(ctx, original)
    _citation(ctx)
    if len(docs) == 1:
        _document(ctx, docs[0], original, author, 1)
    else:
        for n, doc in enumerate(docs, start=1):
            part = ctx.mint.letter(ctx.slug, "original", "part", str(n))
            ctx.add(part, RDF.type, CRM.E33_Linguistic_Object)
            ctx.add(part, RDFS.label, Literal(f"Note {n} of: {_title(author, addressees, first)}"))
            ctx.add(original, CRM.P106_is_composed_of, part)
            _document(ctx, doc, part, author, n)
    _notes(ctx)


def _addressees(ctx: _Context, doc: Document | None) -> list[tuple[Entity, Span]]:
    found: list[tuple[Entity, Span]] = []
    for span in doc.addressees if doc else ():
        person = ctx.agent(span.text, role="addressee")
        if person and person.id not in {p.id for p, _ in found}:
            found.append((person, span))
    return found


def _title(author: Entity | None, addressees: list[tuple[Entity, Span]], doc: Document | None) -> str:
    who = author.label if author else "Unknown author"
    names = [p.label for p, _ in addressees]
    to = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names) or "unknown addressee"
    when = f", {_date_words(doc.date)}" if doc and doc.date else ""
    return f"{who} to {to}{when}"


def _date_words(date: DateValue) -> str:
    if date.exact_day:
        return f"{date.begin.day} {date.begin:%B %Y}"
    return clean(date.span.text).rstrip(".")


def _date_literal(date: DateValue) -> Literal:
    if date.exact_day:
        return Literal(date.begin.date().isoformat(), datatype=XSD.date)
    return Literal(date.edtf, datatype=URIRef(EDTF))


def _time_span(ctx: _Context, event: URIRef, begin: datetime | None, end: datetime | None, label: str) -> None:
    span = URIRef(f"{event}/time")
    ctx.add(event, CRM["P4_has_time-span"], span)
    ctx.add(span, RDF.type, CRM["E52_Time-Span"])
    ctx.add(span, RDFS.label, Literal(label))
    if begin:
        ctx.add(span, CRM.P82a_begin_of_the_begin, Literal(begin.isoformat(), datatype=XSD.dateTime))
    if end:
        ctx.add(span, CRM.P82b_end_of_the_end, Literal(end.isoformat(), datatype=XSD.dateTime))


def _event(ctx: _Context, slug: str, cls: URIRef, type_slug: str, label: str) -> URIRef:
    event = ctx.mint.event(slug)
    ctx.add(event, RDF.type, cls)
    ctx.add(event, RDFS.label, Literal(label))
    ctx.add(event, CRM.P2_has_type, ctx.concept(type_slug))
    return event


def _date_unknown(ctx: _Context, event: URIRef) -> None:
    ctx.add(event, CRM.P2_has_type, ctx.concept("date-unknown"))


def _document(ctx: _Context, doc: Document, created: URIRef, author: Entity | None, n: int) -> None:
    suffix = "" if n == 1 else f"-{n}"
    how = "dictation-by-phone" if doc.dictated_how and "phone" in doc.dictated_how.text else (
        "dictation" if doc.date_kind == "dictated" else "writing")
    creation = _event(ctx, f"{ctx.slug}-creation{suffix}", CRM.E65_Creation, how,
                      f"Creation of {ctx.graph.value(ctx.uri, DCTERMS.title)}" + (f" (note {n})" if n > 1 else ""))
    ctx.add(creation, CRM.P94_has_created, created)
    if author:
        ctx.add(creation, CRM.P14_carried_out_by, ctx.uri_of(author))
    if doc.date:
        _time_span(ctx, creation, doc.date.begin, doc.date.end, _date_words(doc.date))
        ctx.note_anchor(doc.date.span, creation, OA.describing)
    else:
        _date_unknown(ctx, creation)
    ctx.note_anchor(doc.dictated_how, creation, OA.describing)
    if not any(body == creation for _, body, _ in ctx.anchors):
        ctx.note_anchor(_creation_evidence(ctx, doc), creation, OA.describing)
    for i, pub in enumerate(doc.published, start=1):
        event = _event(ctx, f"{ctx.slug}-publication{suffix}-{pub.year or i}", CRM.E65_Creation,
                       "first-publication" if pub.first else "publication", clean(pub.span.text).rstrip("."))
        ctx.add(event, CRM.P16_used_specific_object, created)
        if pub.venue:
            title = title_form(pub.venue)
            venue = ctx.mint.text(slugify(title))
            ctx.add(event, CRM.P94_has_created, venue)
            ctx.add(venue, RDF.type, CRM.E33_Linguistic_Object)
            ctx.add(venue, RDFS.label, Literal(title))
            ctx.add(venue, CRM.P165_incorporates, created)
        if pub.extent:
            ctx.add(event, RDFS.comment, Literal(f"Published {pub.extent}."))
        if pub.year:
            _time_span(ctx, event, datetime(pub.year, 1, 1), datetime(pub.year, 12, 31, 23, 59, 59), str(pub.year))
        else:
            _date_unknown(ctx, event)
        ctx.note_anchor(pub.span, event, OA.describing, voice=ctx.editors)
    if doc.printed_from:
        ctx.add(created, RDFS.comment, Literal(f"Printed from {clean(doc.printed_from.text)}."))


def _creation_evidence(ctx: _Context, doc: Document) -> Span | None:
    """What in the page attests that the text was made when it gives no date line: the header line
    that says when it was written, the byline that names its author, its salutation, or its first
    paragraph (the text is its own evidence)."""
    header = ctx.letter.header
    for span in (header.written, ctx.letter.author if ctx.author else None, doc.salutation,
                 *doc.paragraphs[:1]):
        if span is not None and span.text.strip():
            return span
    text = ctx.letter.text
    stripped = text.lstrip()
    if not stripped:
        return None
    start = len(text) - len(stripped)
    line = stripped.splitlines()[0].rstrip()
    return Span(start, start + len(line), line)


def _people_of_header(ctx: _Context, original: URIRef) -> None:
    """The translator and the transcriber: a catalogue triple, and the event that made their text."""
    letter, uri = ctx.letter, ctx.uri
    citation = letter.citation
    # The translation was printed in the edition's year, so it was made by then.
    printed = (datetime(citation.year, 12, 31, 23, 59, 59), f"by {citation.year}") if citation and citation.year else None
    if letter.translator:
        _header_role(ctx, letter.translator, letter.header.translated, SCHEMA.translator, "translation",
                     "Translation into English by", created=uri, used=original, by=printed)
    if letter.transcriber:
        _header_role(ctx, letter.transcriber, letter.header.transcription, DCTERMS.contributor, "transcription",
                     "Transcription and markup by", created=ctx.text_uri, used=uri, by=None)


def _header_role(ctx: _Context, name: Span, line: Span | None, prop: URIRef, kind: str, label: str,
                 created: URIRef, used: URIRef, by: tuple[datetime, str] | None) -> None:
    found = [(span, ctx.agent(clean(span.text), role=kind.replace("tion", "tor")))
             for span in name_spans(name)]
    persons = [(span, person) for span, person in found if person]
    if not persons:
        return
    for span, person in persons:
        ctx.add(ctx.uri, prop, ctx.uri_of(person))
        ctx.described.add(person.id)
        ctx.note_anchor(span, ctx.uri_of(person), OA.identifying, voice=ctx.editors)
    event = _event(ctx, f"{ctx.slug}-{kind}", CRM.E65_Creation, kind,
                   f"{label} {' and '.join(p.label for _, p in persons)}")
    ctx.add(event, CRM.P94_has_created, created)
    ctx.add(event, CRM.P16_used_specific_object, used)
    for _, person in persons:
        ctx.add(event, CRM.P14_carried_out_by, ctx.uri_of(person))
    if by:
        _time_span(ctx, event, None, by[0], by[1])
    else:
        _date_unknown(ctx, event)
    ctx.note_anchor(line or name, event, OA.describing, voice=ctx.editors)


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


def _citation(ctx: _Context) -> None:
    citation, uri = ctx.letter.citation, ctx.uri
    if citation is None:
        return
    ctx.add(uri, DCTERMS.bibliographicCitation, Literal(clean(citation.span.text)))
    if citation.pages:
        ctx.add(uri, SCHEMA.pagination, Literal(citation.pages))
    if not (citation.work and citation.volume):
        return
    work = ctx.mint.text(slugify(citation.work))
    volume = ctx.mint.text(slugify(f"{citation.work} volume {citation.volume}"))
    ctx.add(uri, DCTERMS.isPartOf, volume)
    ctx.add(volume, RDF.type, CRM.E33_Linguistic_Object)
    ctx.add(volume, RDF.type, DCTERMS.BibliographicResource)
    ctx.add(volume, RDFS.label, Literal(f"{citation.work}, Volume {citation.volume}"))
    ctx.add(volume, DCTERMS.title, Literal(f"{citation.work}, Volume {citation.volume}"))
    ctx.add(volume, SCHEMA.volumeNumber, Literal(citation.volume))
    ctx.add(volume, DCTERMS.isPartOf, work)
    ctx.add(volume, CRM.P165_incorporates, uri)
    ctx.add(work, RDF.type, CRM.E33_Linguistic_Object)
    ctx.add(work, RDF.type, DCTERMS.BibliographicResource)
    ctx.add(work, RDFS.label, Literal(citation.work))
    ctx.add(work, DCTERMS.title, Literal(citation.work))
    event = _event(ctx, f"{ctx.slug}-publication-in-{slugify(citation.work)}-volume-{slugify(citation.volume)}",
                   CRM.E65_Creation,
                   "publication", f"Publication in {citation.work}, Volume {citation.volume}")
    ctx.add(event, CRM.P94_has_created, volume)
    ctx.add(event, CRM.P16_used_specific_object, uri)
    if citation.year:
        ctx.add(volume, DCTERMS.issued, Literal(str(citation.year), datatype=XSD.gYear))
        _time_span(ctx, event, datetime(citation.year, 1, 1), datetime(citation.year, 12, 31, 23, 59, 59),
                   str(citation.year))
    else:
        _date_unknown(ctx, event)
    publisher = ctx.agent(citation.publisher, "group", role="publisher") if citation.publisher else None
    if publisher:
        ctx.add(volume, DCTERMS.publisher, ctx.uri_of(publisher))
        ctx.add(event, CRM.P14_carried_out_by, ctx.uri_of(publisher))
        ctx.described.add(publisher.id)
    place = ctx.agent(citation.place, "place", role="place of publication") if citation.place else None
    if place:
        ctx.add(event, CRM.P7_took_place_at, ctx.uri_of(place))
        ctx.described.add(place.id)
    ctx.note_anchor(citation.span, event, OA.describing, voice=ctx.editors)


def _notes(ctx: _Context) -> None:
    for note in ctx.letter.footnotes:
        node = ctx.mint.letter(ctx.slug, "note", str(note.number))
        ctx.add(node, RDF.type, CRM.E33_Linguistic_Object)
        ctx.add(node, CRM.P2_has_type, ctx.concept("footnote"))
        ctx.add(node, RDFS.label, Literal(f"Note [{note.number}]"))
        ctx.add(node, CRM.P190_has_symbolic_content, Literal(note.span.text))
        ctx.add(node, CRM.P67_refers_to, ctx.uri)
        ctx.note_anchor(note.span, node, OA.describing, voice=ctx.editors)
        for marker in note.markers:
            ctx.note_anchor(marker, node, OA.commenting, voice=ctx.editors)
    for i, span in enumerate(ctx.letter.editor_notes, start=1):
        node = ctx.mint.letter(ctx.slug, "editor-note", str(i))
        ctx.add(node, RDF.type, CRM.E33_Linguistic_Object)
        ctx.add(node, CRM.P2_has_type, ctx.concept("editorial-note"))
        ctx.add(node, RDFS.label, Literal(f"Editors' note {i}"))
        ctx.add(node, CRM.P190_has_symbolic_content, Literal(span.text))
        ctx.add(node, CRM.P67_refers_to, ctx.uri)
        ctx.note_anchor(span, node, OA.describing, voice=ctx.editors)


def _curated(ctx: _Context) -> None:
    """Everything the annotation files say is in this letter."""
    file = ctx.letter.file
    for entity in ctx.curation.entities.values():
        quotes: list[Quote] = entity.mentions.get(file, [])
        if not quotes:
            continue
        ctx.described.add(entity.id)
        motivation = OA.describing if entity.kind == "event" else OA.identifying
        for quote in quotes:
            found = anchor(ctx.letter.text, quote, file)
            if found.voice is not None:
                ctx.described.add(ctx.entity(found.voice, quote.where).id)
            ctx.anchors.append((found, ctx.uri_of(entity), motivation))


def _comrades(ctx: _Context) -> None:
    """'Comrade X' and 'Comrades X, Y and Z' name persons, in letters with or without annotations."""
    taken = [a.span for a, _, _ in ctx.anchors if a.span.start >= 0]
    for match in _COMRADES.finditer(ctx.letter.text):
        for name in re.finditer(r"[A-Z][\w\-]+", match.group(1)):
            if name.group() in ("Comrade", "Comrades") or name.group() in _TITLES:
                continue
            start, end = match.start(1) + name.start(), match.start(1) + name.end()
            if any(s.start < end and start < s.end for s in taken):
                continue
            person = ctx.agent(name.group())
            if person is None:
                continue
            ctx.described.add(person.id)
            span = Span(start, end, ctx.letter.text[start:end])
            ctx.note_anchor(span, ctx.uri_of(person))
            taken.append(span)


def _describe(ctx: _Context, entity: Entity) -> None:
    uri = ctx.uri_of(entity)
    ctx.add(uri, RDFS.label, Literal(entity.label))
    for target in entity.same_as:
        ctx.add(uri, OWL.sameAs, URIRef(target))
    if entity.note:
        ctx.add(uri, SKOS.note, Literal(entity.note))
    if entity.kind == "event":
        _describe_event(ctx, entity, uri)
        return
    for cls in _ENTITY_CLASSES[entity.kind]:
        ctx.add(uri, RDF.type, cls)
    if entity.unreconciled:
        ctx.add(uri, CRM.P2_has_type, ctx.concept("unreconciled"))
    if entity.kind in ("person", "group"):
        ctx.add(uri, FOAF.name, Literal(entity.name or entity.label))
    if entity.kind != "text":
        name = URIRef(f"{uri}/name")
        ctx.add(uri, CRM.P1_is_identified_by, name)
        ctx.add(name, RDF.type, CRM.E33_E41_Linguistic_Appellation)
        ctx.add(name, RDFS.label, Literal(entity.name or entity.label))
        ctx.add(name, CRM.P190_has_symbolic_content, Literal(entity.name or entity.label))
    if entity.kind in ("person", "group", "place"):
        ctx.add(ctx.uri, DCTERMS.references, uri)


def _describe_event(ctx: _Context, entity: Entity, uri: URIRef) -> None:
    ctx.add(uri, RDF.type, CRM[entity.crm_class])
    if entity.type:
        ctx.add(uri, CRM.P2_has_type, ctx.concept(entity.type))
    for prop, targets in sorted(entity.links.items()):
        for target in targets:
            other = ctx.entity(target, f"{entity.source_file}: events.{entity.id}.{prop}")
            ctx.add(uri, CRM[prop], ctx.uri_of(other))
            if other.kind != "event":
                ctx.described.add(other.id)
    time: TimeBounds | None = entity.time
    if time:
        _time_span(ctx, uri, time.begin, time.end, time.label or _bounds_words(time))
    else:
        _date_unknown(ctx, uri)


def _bounds_words(time: TimeBounds) -> str:
    if time.begin and time.end:
        return f"between {time.begin.date()} and {time.end.date()}"
    return f"after {time.begin.date()}" if time.begin else f"before {time.end.date()}"


def _annotations(ctx: _Context, author: Entity | None) -> None:
    """One Web Annotation per anchor, numbered in text order so that builds are stable."""
    text = ctx.letter.text
    # Where a curator quoted what the software also found, the curated annotation is the one kept.
    ordered = sorted(ctx.anchors, key=lambda a: (a[0].span.start, a[0].span.end, str(a[1]), a[0].where == PARSER,
                                                 str(a[2])))
    seen: set[tuple[int, int, str]] = set()
    n = 0
    for found, body, motivation in ordered:
        key = (found.span.start, found.span.end, str(body))
        if key in seen:
            continue
        seen.add(key)
        n += 1
        span = found.span
        ann = ctx.mint.letter(ctx.slug, "annotation", f"{n:03d}")
        target, quote, position = URIRef(f"{ann}/target"), URIRef(f"{ann}/quote"), URIRef(f"{ann}/position")
        ctx.add(ann, RDF.type, OA.Annotation)
        ctx.add(ann, OA.hasBody, body)
        ctx.add(ann, OA.motivatedBy, motivation)
        ctx.add(ann, OA.hasTarget, target)
        ctx.add(ann, PROV.wasGeneratedBy, ctx.mint.letter(ctx.slug, "mapping"))
        if found.where == PARSER:  # found by the software, not quoted by a curator
            ctx.add(ann, DCTERMS.creator, software_agent(ctx))
        voice = ctx.entity(found.voice, found.where) if found.voice else author
        if voice:
            ctx.add(ann, PROV.wasAttributedTo, ctx.uri_of(voice))
        ctx.add(target, RDF.type, OA.SpecificResource)
        ctx.add(target, OA.hasSource, ctx.text_uri)
        ctx.add(target, OA.hasSelector, quote)
        ctx.add(target, OA.hasSelector, position)
        ctx.add(quote, RDF.type, OA.TextQuoteSelector)
        ctx.add(quote, OA.exact, Literal(span.text))
        ctx.add(quote, OA.prefix, Literal(text[max(0, span.start - _QUOTE_CONTEXT):span.start]))
        ctx.add(quote, OA.suffix, Literal(text[span.end:span.end + _QUOTE_CONTEXT]))
        ctx.add(position, RDF.type, OA.TextPositionSelector)
        ctx.add(position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger))
        ctx.add(position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger))
