"""What one letter's mapping accumulates (the graph, the anchors found, the entities named), and how a
name as written becomes an entity: the register's (lod.identity), or one of this letter's own."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import NamedTuple

from rdflib import Graph, Literal, URIRef

from .annotations import PARSER, Anchor, AnnotationError, Curation, Entity
from .identity import Resolver, surname, words
from .letter import Letter, Span
from .names import person_name, plausible_name
from .namespaces import OA
from .spans import normalise
from .uris import Minter, slugify


def en(text: str) -> Literal:
    """A label or a note in English, the language of every text published here."""
    return Literal(text, lang="en")


@dataclass(frozen=True)
class Unreconciled:
    """A name no register entry answers to, as the mapper met it in one letter."""

    name: str
    kind: str
    entity: str  # the id of the letter's own entity for it
    role: str  # author, addressee, translator, name (a mention in the text) ...
    candidates: tuple[str, ...]  # ids of registered or curated entities of the same surname or form


class Found(NamedTuple):
    """A passage of the letter and what it is evidence of."""

    anchor: Anchor
    body: URIRef | None  # what the passage names or describes; None for a relation (its claim is the body)
    motivation: URIRef
    # The body's properties the passage states (None: every one the mapping gave it), e.g. only the
    # time-span for a date line.
    attests: tuple[URIRef, ...] | None = None
    relation: tuple[URIRef, URIRef, URIRef, str | None] | None = None  # subject, property, object, role


@dataclass(frozen=True)
class Written:
    """An annotation as written: its URI, the passage and what it is evidence of, and the voice that
    states it (None where nobody does: a page with no author)."""

    uri: URIRef
    found: Found
    voice: Entity | None


@dataclass
class Context:
    """What one letter's mapping accumulates: the graph, the anchors found, the entities named."""

    letter: Letter
    curation: Curation
    mint: Minter
    slug: str
    graph: Graph = field(default_factory=Graph)
    anchors: list[Found] = field(default_factory=list)
    described: set[str] = field(default_factory=set)
    auto: dict[str, Entity] = field(default_factory=dict)
    editors: str | None = None  # the voice of the header and the notes
    author: Entity | None = None
    warnings: list[str] = field(default_factory=list)  # what the mapper left out, and why
    resolver: Resolver | None = None
    named: dict[str, Entity] = field(default_factory=dict)  # entities this letter names, by id
    unreconciled: list[Unreconciled] = field(default_factory=list)
    printed_from: URIRef | None = None  # the document the edition printed from, when the page says

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

    def agent(self, name: str, kind: str = "person", role: str = "name", scoped: bool = False) -> Entity | None:
        """The entity a name as written stands for (lod.identity), or one of its own for this letter,
        marked unreconciled; None when the words do not read as a name at all (a header line the
        parser took for a byline). A person's own entity is always the letter's; a group's or a place's
        is the letter's when ``scoped`` (a mention in the text: "the C.C." of 1905 is not that of 1922),
        else shared by every letter that writes the name exactly so (a publisher in a citation)."""
        if not plausible_name(name, kind):
            self.warnings.append(f"{role} {normalise(name)!r} does not read as the name of a {kind}: left out")
            return None
        display = person_name(name) if kind == "person" else normalise(name)
        found = self.resolver.resolve(display, kind, self.letter.file)
        if found is None and kind == "person" and len(words(display)) == 1:
            # A surname alone names the one person of that surname this letter has already named in full.
            same = {e.id: e for e in self.named.values() if e.kind == "person"
                    and len(words(e.name or e.label)) > 1 and surname(e.name or e.label) == surname(display)}
            found = next(iter(same.values())) if len(same) == 1 else None
        elif found is None and kind == "person":
            # Initials and a surname name the one person of that surname and those initials this letter names
            # in full ("V. Kayurov" on the envelope, "V. N. Kayurov" in the header).
            same = {e.id: e for e in self.named.values() if e.kind == "person" and _written_alike(display, e)}
            found = next(iter(same.values())) if len(same) == 1 else None
        if found is not None:
            self.named[found.id] = found
            return found
        if kind == "person" or scoped:
            # Scoped to the letter: a name no register entry answers to never meets another letter's person.
            entity_id = f"{slugify(display) or kind}-in-{self.slug}"
            if kind != "person" or (entity_id in self.auto and self.auto[entity_id].kind != kind):
                entity_id = f"{slugify(display) or kind}-{kind}-in-{self.slug}"
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

    def speaker(self, span: Span) -> Entity | None:
        """Who speaks where a passage stands: the author in the salutations, paragraphs and closings, the
        editors everywhere else on the page (header lines, date lines, notes); None if nobody is known."""
        for doc in self.letter.documents:
            for part in (doc.salutation, *doc.paragraphs, doc.closing):
                if part is not None and part.start <= span.start and span.end <= part.end:
                    return self.author
        return self.entity(self.editors, self.letter.file) if self.editors else None

    def note_anchor(self, span: Span | None, body: URIRef, motivation: URIRef = OA.identifying,
                    voice: str | None = None, attests: tuple[URIRef, ...] | None = None) -> None:
        if span is not None and span.text:
            self.anchors.append(Found(Anchor(span, voice, PARSER), body, motivation, attests))


def _written_alike(name: str, entity: Entity) -> bool:
    """'V. Kayurov' and 'V. N. Kayurov': the same surname, and given names or initials that agree as far
    as the shorter form goes."""
    mine = words(name)
    for form in {entity.name or entity.label, entity.label}:
        theirs = words(form)
        if len(theirs) < 2 or len(mine) > len(theirs) or surname(form) != surname(name):
            continue
        if all(a[0] == b[0] for a, b in zip(mine[:-1], theirs[:-1])):
            return True
    return False
