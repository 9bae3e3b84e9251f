"""Who states what (docs/model.md, "Claims and voices").

Every claim a passage makes (an event happened and who took part, a relation holds, a person is called
so) is a ``crm:E13_Attribute_Assignment`` carried out by the passage's voice: the letter's author, a
correspondent the author reports ("She writes that ..."), the editors (header lines, date lines, notes),
or whoever the editors quote (an inscription). As Linked Art does, it names what it assigns to
(P140), what it assigns (P141) and the property it assigns by (P177). The Web Annotation that anchors the
passage documents it (``crm:P70_documents``); the annotation's maker is the curators or the software,
never the voice.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

from rdflib import Literal, URIRef

from .annotations import AnnotationError, Entity, Relation
from .context import Context, Written
from .names import person_name, written_form
from .namespaces import CRM, OA, RDF, RDFS, SCHEMA
from .spans import normalise
from .uris import slugify

# A relation an annotation file may state: its property, and the kinds of its subject and object.
RELATIONS: dict[str, tuple[URIRef, tuple[str, ...], tuple[str, ...]]] = {
    "sibling": (SCHEMA.sibling, ("person",), ("person",)),
    "spouse": (SCHEMA.spouse, ("person",), ("person",)),
    "parent": (SCHEMA.parent, ("person",), ("person",)),
    "member": (CRM.P107_has_current_or_former_member, ("group",), ("person", "group")),
}

# An event's time-span is the curators' reading of the text (bounds, never more precise than it), not
# what the passage says; only a date line states it (Found.attests).
_READ_NOT_STATED = {CRM["P4_has_time-span"]}


def relation_property(relation: Relation) -> URIRef:
    known = RELATIONS.get(relation.property)
    if known is None:
        raise AnnotationError(f"{relation.where}: property {relation.property!r} is not one of {sorted(RELATIONS)}")
    return known[0]


def check_relation(relation: Relation, subject: Entity, other: Entity) -> None:
    _, subjects, objects = RELATIONS[relation.property]
    if subject.kind not in subjects or other.kind not in objects:
        raise AnnotationError(f"{relation.where}: {relation.property} relates a {'/'.join(subjects)} to a "
                              f"{'/'.join(objects)}, not a {subject.kind} to a {other.kind}")


def assign(ctx: Context, written: list[Written]) -> None:
    """The attribute assignments the annotations document, one per claim and voice in this letter."""
    assignments: dict[tuple, URIRef] = {}
    for w in written:
        if w.voice is None:
            continue
        for subject, prop, value, role in _stated(ctx, w):
            key = (subject, prop, value, role, w.voice.id)
            node = assignments.get(key)
            if node is None:
                node = ctx.mint.letter(ctx.slug, "assignment", f"{len(assignments) + 1:03d}")
                assignments[key] = node
                _assignment(ctx, node, w, subject, prop, value, role, reported=_reported(ctx, w))
            ctx.add(w.uri, RDF.type, CRM.E31_Document)
            ctx.add(w.uri, CRM.P70_documents, node)
            if w.found.relation is not None:
                ctx.add(w.uri, OA.hasBody, node)


def _stated(ctx: Context, w: Written) -> Iterator[tuple[URIRef, URIRef, URIRef, str | None]]:
    """(subject, property, value, role) of each claim the passage makes."""
    found = w.found
    if found.relation is not None:
        subject, prop, value, role = found.relation
        ctx.add(subject, prop, value)
        yield subject, prop, value, role
        return
    parsed = ctx.mint.parse(str(found.body))
    if parsed is None or not parsed.main:
        return
    if parsed.kind == "event":
        for prop, value in sorted(ctx.graph.predicate_objects(found.body)):
            if not (isinstance(value, URIRef) and str(prop).startswith(str(CRM))) or prop == CRM.P1_is_identified_by:
                continue
            if found.attests is not None and prop not in found.attests:
                continue
            if found.attests is None and prop in _READ_NOT_STATED:
                continue
            yield found.body, prop, value, None
    elif parsed.kind in ("person", "group", "place") and found.motivation == OA.identifying:
        name = _name_as_written(ctx, w, parsed.kind, parsed.slug)
        if name is not None:
            yield found.body, CRM.P1_is_identified_by, name, None


def _name_as_written(ctx: Context, w: Written, kind: str, slug: str) -> URIRef | None:
    """The appellation of the form the passage writes the name in ("Salts", "Kasparova"), if it holds one."""
    span = w.found.anchor.span
    entity = ctx.curation.entities.get(slug) or ctx.auto.get(slug)
    forms = {entity.label, entity.name or "", *entity.names, *entity.register_names} if entity else set()
    if w.found.anchor.where == "parser":  # the software anchors the name itself
        forms.add(_without_address(span.text))
    place = written_form(span.text, {f for f in forms if f})
    if place is None:
        return None
    form = normalise(span.text[place[0]:place[1]])
    # A form in capitals ('G. V. CHICHERIN') is another form than 'G. V. Chicherin', with a URI of its own.
    node = ctx.mint.thing(kind, slug, "name", (slugify(form) or "name") + (
        "" if person_name(form) == form else "-" + hashlib.sha256(form.encode("utf-8")).hexdigest()[:6]))
    ctx.add(node, RDF.type, CRM.E33_E41_Linguistic_Appellation)
    ctx.add(node, RDFS.label, Literal(form, lang="en"))
    ctx.add(node, CRM.P190_has_symbolic_content, Literal(form))
    ctx.add(node, CRM.P2_has_type, ctx.concept("name-as-written"))
    ctx.add(ctx.mint.thing(kind, slug), CRM.P1_is_identified_by, node)
    return node


def _without_address(text: str) -> str:
    """'Comrade Krasin' -> 'Krasin': a form of address is not part of the name."""
    words = normalise(text).split(" ")
    return " ".join(words[1:]) if len(words) > 1 and words[0].rstrip(",").casefold() in ("comrade", "comrades") \
        else normalise(text)


def _reported(ctx: Context, w: Written) -> Entity | None:
    """Who reports the voice's claim, when the voice is not the one speaking where the passage stands:
    Kasparova-Popova in Lenin's letter, Lepeshinskaya in the editors' note."""
    speaker = ctx.speaker(w.found.anchor.span)
    return speaker if speaker is not None and speaker.id != w.voice.id else None


def _assignment(ctx: Context, node: URIRef, w: Written, subject: URIRef, prop: URIRef, value: URIRef,
                role: str | None, reported: Entity | None) -> None:
    voice = ctx.uri_of(w.voice)
    ctx.add(node, RDF.type, CRM.E13_Attribute_Assignment)
    ctx.add(node, CRM.P14_carried_out_by, voice)
    ctx.add(node, CRM.P140_assigned_attribute_to, subject)
    ctx.add(node, CRM.P141_assigned, value)
    ctx.add(node, CRM.P177_assigned_property_of_type, prop)
    if role:
        ctx.add(node, CRM.P2_has_type, ctx.concept(role))
    if reported is not None:
        ctx.add(node, CRM.P2_has_type, ctx.concept("reported-statement"))
    by = w.voice.label + (f" (as {reported.label} reports)" if reported else "")
    what = f"{_label(ctx, subject)} {_words(prop)} {_label(ctx, value)}" + (f" ({role.replace('-', ' ')})" if role else "")
    ctx.add(node, RDFS.label, Literal(f"{by}: {what}", lang="en"))


def _label(ctx: Context, node: URIRef) -> str:
    label = ctx.graph.value(node, RDFS.label)
    return str(label) if label is not None else str(node).rsplit("/", 1)[-1].replace("-", " ")


def _words(prop: URIRef) -> str:
    """crm:P145_separated -> 'separated', schema:sibling -> 'sibling of'."""
    local = str(prop).rsplit("/", 1)[-1]
    if local[:1] == "P" and "_" in local:
        return local.split("_", 1)[1].replace("_", " ")
    return {"sibling": "is a sibling of", "spouse": "is the spouse of", "parent": "is a parent of"}.get(local, local)
