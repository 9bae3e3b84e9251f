"""The evidence of a letter's graph: the curated quotes found in the text, the persons, groups and places
the software finds in the body and the notes (lod.mentions), and a Web Annotation for each, with its quote
and position selectors and, when the software found it, the software as its creator (docs/design.md,
"The model")."""
from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from . import __version__
from .annotations import PARSER, Entity, Quote, anchor
from .claims import check_relation, relation_property
from .context import Context, Found, Written
from .letter import Span
from .mentions import Mention, Region, find_mentions, named_again
from .names import plausible_name
from .namespaces import DCTERMS, FOAF, OA, PROV, RDF, RDFS, SCHEMA
from .uris import slugify

_QUOTE_CONTEXT = 32  # characters of prefix/suffix kept in each TextQuoteSelector


SOFTWARE = "lod-letters"


def software_agent(ctx: Context) -> URIRef:
    """This program, at this version: the maker of every annotation that no curator wrote
    (W3C Web Annotation: dcterms:creator; a prov:SoftwareAgent, PROV-O)."""
    agent = ctx.mint.agent(slugify(f"{SOFTWARE} {__version__}"))
    ctx.add(agent, RDF.type, PROV.SoftwareAgent)
    ctx.add(agent, RDFS.label, Literal(f"{SOFTWARE} {__version__}", lang="en"))
    ctx.add(agent, FOAF.name, Literal(f"{SOFTWARE} {__version__}"))
    ctx.add(agent, SCHEMA.softwareVersion, Literal(__version__))
    ctx.add(agent, RDFS.comment, Literal(
        "The mapper of this dataset. It made the Web Annotations that carry it as dcterms:creator: names and "
        "dates found in the header, the salutation and the date lines, and the persons, groups and places it "
        "finds in the body and the notes (after 'Comrade', initials and a surname, registered names, surnames "
        "by their ending or by what the sentence says of them). The others quote the annotation files "
        "(data/annotations/) and are the curators'. What a passage states is its voice's, not the software's: "
        "see the crm:E13_Attribute_Assignment each annotation documents.", lang="en"))
    return agent


CURATOR = "curators"


def curator_agent(ctx: Context) -> URIRef:
    """Whoever wrote the annotation files: the maker of every annotation a curator quoted."""
    agent = ctx.mint.agent(CURATOR)
    ctx.add(agent, RDF.type, PROV.Agent)
    ctx.add(agent, RDF.type, FOAF.Agent)
    ctx.add(agent, RDFS.label, Literal("The curators of the annotation files", lang="en"))
    ctx.add(agent, FOAF.name, Literal("The curators of the annotation files"))
    ctx.add(agent, RDFS.comment, Literal(
        "Who wrote data/annotations/: the persons, groups, places, events and relations of a letter, each "
        "anchored by a quote. The maker (dcterms:creator) of every annotation that quotes such a file; what "
        "the quoted words state is the voice's, recorded as a crm:E13_Attribute_Assignment.", lang="en"))
    return agent


def curated_anchors(ctx: Context) -> None:
    """Everything the annotation files say is in this letter."""
    file, text = ctx.letter.file, ctx.letter.text
    for entity in ctx.curation.entities.values():
        quotes: list[Quote] = entity.mentions.get(file, [])
        if entity.content and _curated_here(ctx, entity):
            found = anchor(text, entity.content, file)
            _voice_described(ctx, found.voice, entity.content.where)
            # The passage is the text itself (an inscription the editors quote); the names in it are found too.
            ctx.anchors.append(Found(found, ctx.uri_of(entity), OA.describing))
            ctx.described.add(entity.id)
        if not quotes:
            continue
        ctx.described.add(entity.id)
        motivation = OA.describing if entity.kind == "event" else OA.identifying
        for quote in quotes:
            found = anchor(text, quote, file)
            _voice_described(ctx, found.voice, quote.where)
            ctx.anchors.append(Found(found, ctx.uri_of(entity), motivation))
    for relation in ctx.curation.relations.get(file, []):
        subject = ctx.entity(relation.subject, f"{relation.where}.subject")
        other = ctx.entity(relation.object, f"{relation.where}.object")
        prop = relation_property(relation)
        check_relation(relation, subject, other)
        claim = (ctx.uri_of(subject), prop, ctx.uri_of(other), relation.role)
        ctx.described |= {subject.id, other.id}
        for quote in relation.evidence:
            found = anchor(text, quote, file)
            _voice_described(ctx, found.voice, quote.where)
            ctx.anchors.append(Found(found, None, OA.describing, relation=claim))


def _curated_here(ctx: Context, entity: Entity) -> bool:
    """Whether the annotation file of this letter defines the entity (a text whose words it quotes)."""
    curated = ctx.curation.letters.get(ctx.letter.file)
    return curated is not None and entity.source_file == curated.source_file


def _voice_described(ctx: Context, voice: str | None, where: str) -> None:
    if voice is not None:
        ctx.described.add(ctx.entity(voice, where).id)


def _regions(ctx: Context, salutations: bool = True) -> list[Region]:
    """The body (the author's voice) and the editors' notes (theirs)."""
    letter = ctx.letter
    regions = [Region(span) for doc in letter.documents
               for span in ((doc.salutation if salutations else None), *doc.paragraphs, doc.closing)
               if span is not None]
    regions += [Region(note.span, ctx.editors) for note in letter.footnotes]
    regions += [Region(span, ctx.editors) for span in letter.editor_notes]
    return regions


def persons_named_in_full(ctx: Context) -> None:
    """The persons the body and the editors' notes name in full ("L. B. Krasin replied"), resolved before
    the header's and the salutation's names, so that a surname alone there ("Comrade Krasin:") names the
    one of them who bears it (lod.context). Nothing is anchored here: software_mentions does that."""
    docs = ctx.letter.documents
    # The fullest forms first: "V. N. Kayurov" of the "To:" line, then "V. Kayurov" on the envelope is he.
    names = [(span.text, "addressee") for span in (docs[0].addressees if docs else ())]
    names += [(m.name, "name") for m in find_mentions(ctx.letter.text, _regions(ctx, salutations=False),
                                                      ctx.resolver.forms) if m.kind == "person"]
    for name, role in sorted(names, key=lambda n: (n[1] != "addressee", -len(n[0].split()))):
        if len(name.split()) > 1 and plausible_name(name):
            ctx.agent(name, role=role)


def software_mentions(ctx: Context) -> None:
    """The persons, groups and places the software finds in the body (the author's voice) and in the
    editors' notes (theirs), in letters with or without annotations. Where a curator quoted the same
    words, or the header or the salutation already anchors them, the mention is left to that anchor.
    Full names are resolved first, so that a surname alone then names the person the letter names in
    full (lod.context); then the letter's other places that write such a surname are found too."""
    text = ctx.letter.text
    regions = _regions(ctx)
    # What already names something here (a curated quote, the header, the salutation's addressee); a quote
    # that describes an event or a note is no name, and the names inside it are still found.
    taken = [f.anchor.span for f in ctx.anchors if f.anchor.span.start >= 0 and f.motivation == OA.identifying]
    found = [m for m in find_mentions(text, regions, ctx.resolver.forms) if not _overlaps(m.span, taken)]
    for mention in sorted(found, key=lambda m: (m.kind == "person" and len(m.name.split()) == 1, m.span.start)):
        _link(ctx, mention, taken)
    surnames = {_written_surname(e.name or e.label) for e in list(ctx.named.values())
                if e.kind == "person" and len((e.name or e.label).split()) > 1}
    surnames |= {_written_surname(e.label) for e in list(ctx.named.values())
                 if e.kind == "person" and len(e.label.split()) > 1}
    for mention in named_again(text, regions, {s for s in surnames if s}, taken):
        _link(ctx, mention, taken)


def _overlaps(span: Span, taken: list[Span]) -> bool:
    return any(t.start < span.end and span.start < t.end for t in taken)


def _written_surname(name: str) -> str:
    """'A. V. Lunacharsky' -> 'Lunacharsky', 'Yevgenia Popova (Kasparova)' -> 'Popova'."""
    last = re.sub(r"\([^)]*\)", " ", name).split()
    word = last[-1] if last else ""
    return word if len(word) > 2 and word[0].isupper() and "." not in word else ""


def _link(ctx: Context, mention: Mention, taken: list[Span]) -> None:
    if _overlaps(mention.span, taken) or not plausible_name(mention.name, mention.kind):
        return
    entity = ctx.agent(mention.name, mention.kind, scoped=True)
    if entity is None:
        return
    ctx.described.add(entity.id)
    ctx.note_anchor(mention.span, ctx.uri_of(entity), OA.identifying, voice=mention.voice)
    taken.append(mention.span)


def write_annotations(ctx: Context) -> list[Written]:
    """One Web Annotation per anchor, numbered in text order so that builds are stable. Its creator is the
    software or the curators; the voice that states what the passage says is not the annotation's but the
    attribute assignments' it documents (lod.claims)."""
    text = ctx.letter.text
    # Where a curator quoted what the software also found, the curated one is kept.
    ordered = sorted(ctx.anchors, key=lambda f: (f.anchor.span.start, f.anchor.span.end, _about(f),
                                                 f.anchor.where == PARSER, str(f.motivation)))
    merged: dict[tuple[int, int, str], Found] = {}
    for found in ordered:
        key = (found.anchor.span.start, found.anchor.span.end, _about(found))
        first = merged.setdefault(key, found)
        if first is not found:  # one passage, one body: it attests what each anchor said it does
            attests = None if first.attests is None or found.attests is None else \
                tuple(dict.fromkeys((*first.attests, *found.attests)))
            merged[key] = first._replace(attests=attests)
    written: list[Written] = []
    for found in merged.values():
        span = found.anchor.span
        ann = ctx.mint.letter(ctx.slug, "annotation", f"{len(written) + 1:03d}")
        target, quote, position = URIRef(f"{ann}/target"), URIRef(f"{ann}/quote"), URIRef(f"{ann}/position")
        ctx.add(ann, RDF.type, OA.Annotation)
        if found.body is not None:
            ctx.add(ann, OA.hasBody, found.body)
        ctx.add(ann, OA.motivatedBy, found.motivation)
        ctx.add(ann, OA.hasTarget, target)
        ctx.add(ann, PROV.wasGeneratedBy, ctx.mint.letter(ctx.slug, "mapping"))
        curated = found.anchor.where != PARSER
        ctx.add(ann, DCTERMS.creator, curator_agent(ctx) if curated else software_agent(ctx))
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
        voice = ctx.entity(found.anchor.voice, found.anchor.where) if found.anchor.voice else ctx.speaker(span)
        written.append(Written(ann, found, voice))
    return written


def _about(found: Found) -> str:
    return str(found.body) if found.body is not None else " ".join(map(str, found.relation or ()))
