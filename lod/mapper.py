"""Parsed letter + curated annotations -> one RDF graph per letter.

The model (docs/design.md, "The model"): the English letter and its Russian original are CRM linguistic objects
linked by P73; a catalogue view of plain Dublin Core / schema.org triples sits beside the CRM
events; every mention and every event is anchored in the text by a Web Annotation whose
selectors carry code-point offsets into the stored file, with the voice that states it.
The mapper has no branch for a particular letter: what it knows of one comes from the text,
data/annotations/ and data/register.yaml. What a mapping accumulates, and how a name becomes an
entity, is ``lod.context``; the evidence (annotations and their selectors) ``lod.evidence``; names
as written ``lod.names``; letter URIs ``lod.slugs``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from . import __version__
from .annotations import (
    Curation,
    Entity,
    TimeBounds,
)
from .claims import assign
from .context import Context, Unreconciled, en
from .evidence import (
    curated_anchors,
    curator_agent,
    persons_named_in_full,
    software_agent,
    software_mentions,
    write_annotations,
)
from .identity import Resolver
from .letter import DateValue, Document, Letter, Span
from .names import name_spans, title_form
from .namespaces import (
    CRM,
    DCMITYPE,
    DCTERMS,
    EDTF,
    FOAF,
    OA,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
)
from .slugs import letter_slug
from .spans import normalise
from .uris import Minter, slugify

PUBLIC_DOMAIN = URIRef("https://creativecommons.org/publicdomain/mark/1.0/")
SPDX = "http://spdx.org/rdf/terms#"
_ENTITY_CLASSES = {
    "person": (CRM.E21_Person, FOAF.Person),
    "group": (CRM.E74_Group, FOAF.Organization),
    "place": (CRM.E53_Place,),
    "text": (CRM.E33_Linguistic_Object,),
}


def map_letter(letter: Letter, curation: Curation, mint: Minter, slug: str | None = None) -> tuple[URIRef, Graph]:
    """The named graph of one letter: its URI and its triples (``slug`` as ``plan_slugs`` gave it)."""
    mapped = map_one(letter, curation, mint, slug)
    return mapped.uri, mapped.graph


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
    ctx = Context(letter, curation, mint, slug or letter_slug(letter, curation))
    ctx.resolver = resolver or Resolver(curation)
    # The parser's author_name is the byline's name, or on a page without one the author of the collected works cited.
    author_name = letter.author_name or (normalise(letter.author.text) if letter.author else None)
    author = ctx.agent(author_name, role="author") if author_name else None
    ctx.author = author
    if letter.citation and letter.citation.work:
        editors = ctx.agent(f"Editors of {letter.citation.work}", "group", role="editors")
        if editors:
            ctx.editors = editors.id
            ctx.described.add(ctx.editors)
    persons_named_in_full(ctx)
    _source_text(ctx)
    _letter(ctx, author)
    curated_anchors(ctx)
    software_mentions(ctx)
    done: set[str] = set()
    while ctx.described - done:  # an event describes what it links to, which may be new to this letter
        for entity_id in sorted(ctx.described - done):
            _describe(ctx, ctx.entity(entity_id, letter.file))
            done.add(entity_id)
    assign(ctx, write_annotations(ctx))
    return Mapped(letter.file, ctx.uri, ctx.graph, ctx.warnings, ctx.unreconciled)


def _source_text(ctx: Context) -> None:
    """The file as stored: what every selector's offsets count in."""
    t, text = ctx.text_uri, ctx.letter.text
    ctx.add(t, RDF.type, CRM.E33_Linguistic_Object)
    ctx.add(t, RDF.type, DCMITYPE.Text)
    ctx.add(t, RDFS.label, en(f"Source text {ctx.letter.file}"))
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
    ctx.add(mapping, RDFS.label, en(f"Mapping of {ctx.letter.file} to RDF"))
    ctx.add(mapping, PROV.used, t)
    ctx.add(mapping, SCHEMA.softwareVersion, Literal(f"lod-letters {__version__}"))
    ctx.add(mapping, PROV.wasAssociatedWith, software_agent(ctx))
    curated = ctx.curation.letters.get(ctx.letter.file)
    if curated:
        annotations = ctx.mint.letter(ctx.slug, "mapping", "annotations")
        ctx.add(mapping, PROV.used, annotations)
        ctx.add(annotations, RDF.type, PROV.Entity)
        ctx.add(annotations, RDFS.label, en(f"Curated annotations of {ctx.letter.file}"))
        ctx.add(annotations, DCTERMS.identifier, Literal(f"data/annotations/{curated.source_file}"))
        ctx.add(annotations, DCTERMS.creator, curator_agent(ctx))
    ctx.add(ctx.uri, PROV.wasDerivedFrom, t)


def _letter(ctx: Context, author: Entity | None) -> None:
    letter, uri = ctx.letter, ctx.uri
    docs = letter.documents
    first = docs[0] if docs else None
    original = ctx.mint.letter(ctx.slug, "original")

    for cls in (CRM.E33_Linguistic_Object, DCMITYPE.Text, FOAF.Document):
        ctx.add(uri, RDF.type, cls)
    ctx.add(uri, DCTERMS.type, ctx.concept("letter"))
    ctx.add(uri, CRM.P2_has_type, ctx.concept("letter"))
    ctx.add(uri, DCTERMS.language, ctx.concept("english"))
    ctx.add(uri, CRM.P72_has_language, ctx.concept("english"))
    addressees = _addressees(ctx, first)
    ctx.add(uri, DCTERMS.title, en(_title(author, addressees, first)))
    ctx.add(uri, RDFS.label, en(_title(author, addressees, first)))
    if author:
        ctx.add(uri, DCTERMS.creator, ctx.uri_of(author))
        ctx.described.add(author.id)
        ctx.note_anchor(letter.author, ctx.uri_of(author), voice=ctx.editors)
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
        ctx.add(uri, DCTERMS.rights, en(_rights(letter.header.rights.text)))
        ctx.add(uri, DCTERMS.license, PUBLIC_DOMAIN)

    ctx.add(original, RDF.type, CRM.E33_Linguistic_Object)
    ctx.add(original, RDFS.label, en(f"Russian original of: {_title(author, addressees, first)}"))
    ctx.add(original, CRM.P72_has_language, ctx.concept("russian"))
    ctx.add(original, CRM.P73_has_translation, uri)

    _people_of_header(ctx, original)
    if len(docs) == 1:
        _document(ctx, docs[0], original, author, 1)
    else:
        for n, doc in enumerate(docs, start=1):
            part = ctx.mint.letter(ctx.slug, "original", "part", str(n))
            ctx.add(part, RDF.type, CRM.E33_Linguistic_Object)
            ctx.add(part, RDFS.label, en(f"Note {n} of: {_title(author, addressees, first)}"))
            ctx.add(original, CRM.P106_is_composed_of, part)
            _document(ctx, doc, part, author, n)
    _citation(ctx)  # after the documents: the edition printed from the document one of them names
    _notes(ctx)


def _rights(text: str) -> str:
    """The rights statement as the page gives it, less the text of the link to the archive's README that
    the page sets right after its last sentence ('... as your source.README')."""
    return re.sub(r"(?<=[.!?”\"])\s*README\s*$", "", normalise(text))


def _addressees(ctx: Context, doc: Document | None) -> list[tuple[Entity, Span]]:
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
    return normalise(date.span.text).rstrip(".")


def _date_literal(date: DateValue) -> Literal:
    if date.exact_day:
        return Literal(date.begin.date().isoformat(), datatype=XSD.date)
    return Literal(date.edtf, datatype=URIRef(EDTF))


def _time_span(ctx: Context, event: URIRef, begin: datetime | None, end: datetime | None, label: str) -> None:
    span = URIRef(f"{event}/time")
    ctx.add(event, CRM["P4_has_time-span"], span)
    ctx.add(span, RDF.type, CRM["E52_Time-Span"])
    ctx.add(span, RDFS.label, en(label))
    if begin:
        ctx.add(span, CRM.P82a_begin_of_the_begin, Literal(begin.isoformat(), datatype=XSD.dateTime))
    if end:
        ctx.add(span, CRM.P82b_end_of_the_end, Literal(end.isoformat(), datatype=XSD.dateTime))


def _event(ctx: Context, slug: str, cls: URIRef, type_slug: str, label: str) -> URIRef:
    event = ctx.mint.event(slug)
    ctx.add(event, RDF.type, cls)
    ctx.add(event, RDFS.label, en(label))
    ctx.add(event, CRM.P2_has_type, ctx.concept(type_slug))
    return event


def _date_unknown(ctx: Context, event: URIRef) -> None:
    """An event the text gives no date for: its time-span says so (a flag on the date, not a type of event)."""
    span = URIRef(f"{event}/time")
    ctx.add(event, CRM["P4_has_time-span"], span)
    ctx.add(span, RDF.type, CRM["E52_Time-Span"])
    ctx.add(span, RDFS.label, en("date unknown"))
    ctx.add(span, CRM.P2_has_type, ctx.concept("date-unknown"))


def _document(ctx: Context, doc: Document, created: URIRef, author: Entity | None, n: int) -> None:
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
        ctx.note_anchor(doc.date.span, creation, OA.describing, voice=ctx.editors,
                        attests=(CRM["P4_has_time-span"],))
    else:
        _date_unknown(ctx, creation)
    ctx.note_anchor(doc.dictated_how, creation, OA.describing, voice=ctx.editors, attests=(CRM.P2_has_type,))
    evidence = _creation_evidence(ctx, doc)
    in_header = evidence is not None and not any(evidence == s for s in (doc.salutation, *doc.paragraphs))
    ctx.note_anchor(evidence, creation, OA.describing, voice=ctx.editors if in_header else None,
                    attests=(CRM.P14_carried_out_by, CRM.P94_has_created))
    for i, pub in enumerate(doc.published, start=1):
        event = _publishing(ctx, f"{ctx.slug}-publication{suffix}-{pub.year or i}",
                            "first-publication" if pub.first else "publishing", normalise(pub.span.text).rstrip("."),
                            pub.year)
        ctx.add(event, CRM.P16_used_specific_object, created)
        if pub.venue:
            title = title_form(pub.venue)
            venue = ctx.mint.text(slugify(title))
            ctx.add(event, CRM.P16_used_specific_object, venue)
            ctx.add(venue, RDF.type, CRM.E33_Linguistic_Object)
            ctx.add(venue, CRM.P2_has_type, ctx.concept("volume"))
            ctx.add(venue, RDFS.label, en(title))
            ctx.add(venue, CRM.P106_is_composed_of, created)
        if pub.extent:
            ctx.add(event, RDFS.comment, en(f"Published {pub.extent}."))
        ctx.note_anchor(pub.span, event, OA.describing, voice=ctx.editors)
    if doc.printed_from:
        ctx.printed_from = _printed_from(ctx, doc.printed_from, created)


def _publishing(ctx: Context, slug: str, kind: str, label: str, year: int | None) -> URIRef:
    """Publication is not creation: an activity typed publishing that used the text (Linked Art)."""
    event = _event(ctx, slug, CRM.E7_Activity, kind, label)
    if year:
        _time_span(ctx, event, datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59), str(year))
    else:
        _date_unknown(ctx, event)
    return event


def _printed_from(ctx: Context, span: Span, text: URIRef) -> URIRef:
    """The document the edition printed the text from ('a typewritten copy'): a thing that carries it."""
    words = normalise(span.text)
    node = _document_node(ctx)
    kind = "typewritten-copy" if "typewritten" in words.casefold() else (
        "manuscript" if re.search(r"manuscript|original|autograph", words, re.IGNORECASE) else "document")
    ctx.add(node, CRM.P2_has_type, ctx.concept(kind))
    ctx.add(node, RDFS.label, en(f"The document the edition printed from: {words.rstrip('.')}"))
    ctx.add(node, CRM.P128_carries, text)
    ctx.note_anchor(span, node, OA.describing, voice=ctx.editors)
    return node


def _document_node(ctx: Context) -> URIRef:
    """The physical document of the letter (the one the edition printed from), below the letter."""
    node = ctx.mint.letter(ctx.slug, "document")
    ctx.add(node, RDF.type, CRM["E22_Human-Made_Object"])
    return node


def _creation_evidence(ctx: Context, doc: Document) -> Span | None:
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


def _people_of_header(ctx: Context, original: URIRef) -> None:
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


def _header_role(ctx: Context, name: Span, line: Span | None, prop: URIRef, kind: str, label: str,
                 created: URIRef, used: URIRef, by: tuple[datetime, str] | None) -> None:
    found = [(span, ctx.agent(normalise(span.text), role=kind.replace("tion", "tor")))
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


def _citation(ctx: Context) -> None:
    citation, uri = ctx.letter.citation, ctx.uri
    if citation is None:
        return
    ctx.add(uri, DCTERMS.bibliographicCitation, Literal(normalise(citation.span.text)))
    if citation.pages:
        ctx.add(uri, SCHEMA.pagination, Literal(citation.pages))
    if not (citation.work and citation.volume):
        return
    work = ctx.mint.text(slugify(citation.work))
    volume = ctx.mint.text(slugify(f"{citation.work} volume {citation.volume}"))
    ctx.add(uri, DCTERMS.isPartOf, volume)
    ctx.add(volume, CRM.P106_is_composed_of, uri)
    ctx.add(volume, RDF.type, CRM.E33_Linguistic_Object)
    ctx.add(volume, RDF.type, DCTERMS.BibliographicResource)
    ctx.add(volume, CRM.P2_has_type, ctx.concept("volume"))
    ctx.add(volume, RDFS.label, en(f"{citation.work}, Volume {citation.volume}"))
    ctx.add(volume, DCTERMS.title, en(f"{citation.work}, Volume {citation.volume}"))
    ctx.add(volume, SCHEMA.volumeNumber, Literal(citation.volume))
    ctx.add(volume, DCTERMS.isPartOf, work)
    ctx.add(work, CRM.P106_is_composed_of, volume)
    ctx.add(work, RDF.type, CRM.E33_Linguistic_Object)
    ctx.add(work, RDF.type, DCTERMS.BibliographicResource)
    ctx.add(work, CRM.P2_has_type, ctx.concept("series"))
    ctx.add(work, RDFS.label, en(citation.work))
    ctx.add(work, DCTERMS.title, en(citation.work))
    event = _publishing(ctx, f"{ctx.slug}-publication-in-{slugify(citation.work)}-volume-{slugify(citation.volume)}",
                        "publishing", f"Publication in {citation.work}, Volume {citation.volume}", citation.year)
    ctx.add(event, CRM.P16_used_specific_object, uri)
    ctx.add(event, CRM.P16_used_specific_object, volume)
    if ctx.printed_from is not None:
        ctx.add(event, CRM.P16_used_specific_object, ctx.printed_from)
    if citation.year:
        ctx.add(volume, DCTERMS.issued, Literal(str(citation.year), datatype=XSD.gYear))
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


def _notes(ctx: Context) -> None:
    for note in ctx.letter.footnotes:
        node = ctx.mint.letter(ctx.slug, "note", str(note.number))
        ctx.add(node, RDF.type, CRM.E33_Linguistic_Object)
        ctx.add(node, CRM.P2_has_type, ctx.concept("footnote"))
        ctx.add(node, RDFS.label, en(f"Note [{note.number}]"))
        ctx.add(node, CRM.P190_has_symbolic_content, Literal(note.span.text))
        ctx.add(node, CRM.P67_refers_to, ctx.uri)
        ctx.note_anchor(note.span, node, OA.describing, voice=ctx.editors)
        for marker in note.markers:
            ctx.note_anchor(marker, node, OA.commenting, voice=ctx.editors)
    for i, span in enumerate(ctx.letter.editor_notes, start=1):
        node = ctx.mint.letter(ctx.slug, "editor-note", str(i))
        ctx.add(node, RDF.type, CRM.E33_Linguistic_Object)
        ctx.add(node, CRM.P2_has_type, ctx.concept("editorial-note"))
        ctx.add(node, RDFS.label, en(f"Editors' note {i}"))
        ctx.add(node, CRM.P190_has_symbolic_content, Literal(span.text))
        ctx.add(node, CRM.P67_refers_to, ctx.uri)
        ctx.note_anchor(span, node, OA.describing, voice=ctx.editors)


def _describe(ctx: Context, entity: Entity) -> None:
    uri = ctx.uri_of(entity)
    ctx.add(uri, RDFS.label, en(entity.label))
    for target in entity.same_as:
        ctx.add(uri, OWL.sameAs, URIRef(target))
    if entity.note:
        ctx.add(uri, SKOS.note, en(entity.note))
    if entity.kind == "event":
        _describe_event(ctx, entity, uri)
        return
    for cls in _ENTITY_CLASSES[entity.kind]:
        ctx.add(uri, RDF.type, cls)
    if entity.unreconciled:
        ctx.add(uri, CRM.P2_has_type, ctx.concept("unreconciled"))
    if entity.kind in ("person", "group"):
        ctx.add(uri, FOAF.name, Literal(entity.name or entity.label))
    if entity.kind == "text":
        _describe_text(ctx, entity, uri)
    else:
        # The preferred name: the register's or the curators' (supplied, the text may not write it so), or
        # the name as the letter writes it for an entity of its own; the forms written are lod.claims'.
        name = ctx.mint.thing(entity.kind, entity.id, "name")
        ctx.add(uri, CRM.P1_is_identified_by, name)
        ctx.add(name, RDF.type, CRM.E33_E41_Linguistic_Appellation)
        ctx.add(name, RDFS.label, en(entity.name or entity.label))
        ctx.add(name, CRM.P190_has_symbolic_content, Literal(entity.name or entity.label))
        ctx.add(name, CRM.P2_has_type, ctx.concept("primary-name"))
        if not entity.unreconciled:
            ctx.add(name, CRM.P2_has_type, ctx.concept("supplied-name"))
    if entity.kind in ("person", "group", "place"):
        ctx.add(ctx.uri, DCTERMS.references, uri)


def _describe_text(ctx: Context, entity: Entity, uri: URIRef) -> None:
    """A text the letter speaks of (her letter to Lenin) or quotes (an inscription on the document)."""
    if entity.type:
        ctx.add(uri, CRM.P2_has_type, ctx.concept(entity.type))
    if entity.content is not None:
        ctx.add(uri, CRM.P190_has_symbolic_content, Literal(entity.content.exact))
        ctx.add(uri, CRM.P72_has_language, ctx.concept("english"))
    if entity.written_on == "document":
        node = ctx.printed_from if ctx.printed_from is not None else _document_node(ctx)
        if ctx.printed_from is None:
            ctx.add(node, RDFS.label, en(f"The document of {ctx.graph.value(ctx.uri, DCTERMS.title)}"))
        ctx.add(node, CRM.P128_carries, uri)


def _describe_event(ctx: Context, entity: Entity, uri: URIRef) -> None:
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


