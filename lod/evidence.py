"""The evidence of a letter's graph: the curated quotes found in the text, the persons the software
finds ("Comrade X"), and a Web Annotation for each, with its quote and position selectors and, when
the software found it, the software as its creator (docs/design.md, "The model")."""
from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from . import __version__
from .annotations import PARSER, Entity, Quote, anchor
from .context import Context
from .letter import Span
from .namespaces import DCTERMS, FOAF, OA, PROV, RDF, RDFS, SCHEMA
from .uris import slugify

_QUOTE_CONTEXT = 32  # characters of prefix/suffix kept in each TextQuoteSelector
# "Comrade X" and "Comrades X, Y and Z", on one line: a comma at a line's end closes the list.
_COMRADES = re.compile(r"\bComrades?[ \t\u00a0]+((?:[A-Z][\w\-]+(?:’s|'s)?)"
                       r"(?:(?:,[ \t\u00a0]*|[ \t\u00a0]+and[ \t\u00a0]+)[A-Z][\w\-]+(?:’s|'s)?)*)")


# Words after "Comrade" that are a post, not a name ("Comrade Chairman").
_TITLES = {"Chairman", "Secretary", "Commissar", "Commander", "President", "Director", "Editor", "Editors",
           "Deputy", "Member", "Members", "Delegate", "Delegates", "Comrade", "Comrades"}


SOFTWARE = "lod-letters"


def software_agent(ctx: Context) -> URIRef:
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


def curated_anchors(ctx: Context) -> None:
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


def comrades(ctx: Context) -> None:
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


def write_annotations(ctx: Context, author: Entity | None) -> None:
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
