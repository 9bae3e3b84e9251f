"""Linked Art records (linked.art, API 1.0) of letters, persons, groups, places and events, built with cromulent.

A record says only what the store says of the thing: names from its appellations (``P1``, with ``P190``
as content), types from ``P2``, ``equivalent`` from ``owl:sameAs``, statements (``referred_to_by``) from
notes, descriptions, citations and rights, dates from time-spans (``P82a``/``P82b`` as written, no time
zone added), and ``attributed_by`` from the data's own attribute assignments about the thing (docs/model.md,
"Claims and voices"): who states which property and value. What the record schema has no place for
(recipients, kinship, who took part in an event beyond who carried it out) is left to our own RDF, where
it is also stated as an assignment, and so reaches the record through ``attributed_by``.

``gather`` reads what a record needs through the store interface (three queries besides the document);
``record`` is pure: facts in, a JSON-ready dict out.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from cromulent import model, vocab

from .namespaces import NS

PROFILE = "https://linked.art/ns/v1/linked-art.json"

# References are id, type and label only: each record is one thing (Linked Art's API boundaries), and
# the nodes it embeds (names, time-spans, creations) carry no id, as the record schemas require.
model.factory.auto_assign_id = False
model.factory.linked_art_boundaries = True

_CRM, _RDF_TYPE, _LABEL = NS.crm, NS.rdf + "type", NS.rdfs + "label"
_P = {name: NS.crm + name for name in (
    "P1_is_identified_by", "P2_has_type", "P4_has_time-span", "P7_took_place_at", "P14_carried_out_by",
    "P15_was_influenced_by", "P16_used_specific_object", "P72_has_language", "P82a_begin_of_the_begin",
    "P82b_end_of_the_end", "P94_has_created", "P100_was_death_of", "P106_is_composed_of",
    "P107_has_current_or_former_member", "P140_assigned_attribute_to", "P141_assigned",
    "P177_assigned_property_of_type", "P190_has_symbolic_content")}

# The CRM classes whose things have a record, and the record's class. Linked Art's event records are
# typed Activity or Event only: Creation, Move, Joining and Leaving are activities in CRM, Death an event.
_ACTIVITIES = ("E7_Activity", "E65_Creation", "E9_Move", "E85_Joining", "E86_Leaving", "E8_Acquisition",
               "E10_Transfer_of_Custody", "E11_Modification", "E12_Production", "E66_Formation", "E68_Dissolution",
               "E87_Curation_Activity")
_EVENTS = ("E5_Event", "E63_Beginning_of_Existence", "E64_End_of_Existence", "E67_Birth", "E69_Death", "E81_Transformation")
RECORD_CLASSES: dict[str, type] = {
    NS.crm + "E33_Linguistic_Object": model.LinguisticObject, NS.crm + "E21_Person": model.Person,
    NS.crm + "E74_Group": model.Group, NS.crm + "E53_Place": model.Place,
    **{NS.crm + c: model.Activity for c in _ACTIVITIES}, **{NS.crm + c: model.Event for c in _EVENTS},
}
# What else may be referred to from a record, by the class that says so.
_REF_CLASSES: dict[str, type] = {
    **RECORD_CLASSES, NS.crm + "E55_Type": model.Type, NS.skos + "Concept": model.Type,
    NS.crm + "E56_Language": model.Language, NS.crm + "E22_Human-Made_Object": model.HumanMadeObject,
}
_APPELLATIONS = {NS.crm + "E33_E41_Linguistic_Appellation": model.Name, NS.crm + "E41_Appellation": model.Name,
                 NS.crm + "E42_Identifier": model.Identifier}
# Statements about a thing, as Linked Art classifies them (the same property in Linked Art's words).
_STATEMENTS = {NS.skos + "note": vocab.Note, NS.rdfs + "comment": vocab.Description,
               NS.dcterms + "description": vocab.Description, NS.dcterms + "bibliographicCitation": vocab.Citation,
               NS.dcterms + "rights": vocab.RightsStatement}


def _la_terms() -> dict[str, str]:
    """Linked Art's name for each CRM property its context defines (for ``assigned_property``)."""
    import importlib.resources

    data = json.loads(importlib.resources.files("cromulent").joinpath("data/linked-art.json").read_text("utf-8"))
    terms: dict[str, str] = {}
    for term, definition in data["@context"].items():
        iri = definition.get("@id") if isinstance(definition, dict) else None
        if isinstance(iri, str) and iri.startswith("crm:") and not term.startswith("@"):
            terms.setdefault(NS.crm + iri[4:], term)
    return terms


_LA_TERMS = _la_terms()


# --- facts ---------------------------------------------------------------------------------------------


@dataclass
class Facts:
    """Triples indexed by subject and predicate, objects in a stable order."""

    out: dict[str, dict[str, list[Any]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))

    def add(self, triples: Iterable[ox.Triple]) -> None:
        for t in triples:
            if isinstance(t.subject, ox.NamedNode):
                values = self.out[t.subject.value][t.predicate.value]
                if t.object not in values:
                    values.append(t.object)

    def objects(self, s: str, p: str) -> list[Any]:
        return sorted(self.out.get(s, {}).get(p, []), key=str)

    def iris(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.objects(s, p) if isinstance(o, ox.NamedNode)]

    def text(self, s: str, p: str) -> str | None:
        values = [o.value for o in self.objects(s, p) if isinstance(o, ox.Literal)]
        return values[0] if values else None

    def types(self, s: str) -> set[str]:
        return set(self.iris(s, _RDF_TYPE))

    def subjects(self, p: str, o: str) -> list[str]:
        node = ox.NamedNode(o)
        return sorted(s for s, props in self.out.items() if node in props.get(p, ()))


def record_class(types: Iterable[str]) -> type | None:
    """The Linked Art class of a thing of these CRM classes; None if it has no record."""
    found = [RECORD_CLASSES[t] for t in types if t in RECORD_CLASSES]
    order = (model.LinguisticObject, model.Person, model.Group, model.Place, model.Activity, model.Event)
    return min(found, key=order.index) if found else None


_INCOMING = "SELECT ?s ?p WHERE {{ VALUES ?p {{ {preds} }} ?s ?p <{uri}> }}"
_DESCRIBE = "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {nodes} }} ?s ?p ?o }}"
_TYPES = ("CONSTRUCT {{ ?s a ?t . ?s <{label}> ?l }} WHERE {{ VALUES ?s {{ {nodes} }} "
          "{{ ?s a ?t }} UNION {{ ?s <{label}> ?l }} }}")
# Links into a thing that its record shows, from the nodes that make them.
_EMBEDDED_FROM = ("P94_has_created", "P16_used_specific_object", "P100_was_death_of", "P140_assigned_attribute_to")
_LISTED_FROM = ("P107_has_current_or_former_member", "P106_is_composed_of")


def gather(store, uri: str) -> Facts:
    """What the record of ``uri`` needs: its document (without incoming links), the creations, uses,
    deaths and assignments that point at it with their time-spans, and the types and labels of all they name."""
    facts = Facts()
    own, _ = store.document(uri, limit=0)
    facts.add(own)
    preds = " ".join(f"<{_P[p]}>" for p in _EMBEDDED_FROM + _LISTED_FROM)
    incoming = [(row["s"], row["p"]) for row in store.query(_INCOMING.format(preds=preds, uri=ox.NamedNode(uri).value))]
    facts.add(ox.Triple(s, p, ox.NamedNode(uri)) for s, p in incoming if isinstance(s, ox.NamedNode))
    embedded = sorted({s.value for s, p in incoming if p.value in {_P[n] for n in _EMBEDDED_FROM}})
    if embedded:
        facts.add(store.query(_DESCRIBE.format(nodes=_values(embedded))))
        spans = sorted({o for s in embedded for o in facts.iris(s, _P["P4_has_time-span"]) + facts.iris(s, _P["P141_assigned"])})
        if spans:
            facts.add(store.query(_DESCRIBE.format(nodes=_values(spans))))
    named = sorted({o.value for props in list(facts.out.values()) for values in props.values() for o in values
                    if isinstance(o, ox.NamedNode)} | {s.value for s, _ in incoming})
    if named:
        facts.add(store.query(_TYPES.format(label=_LABEL, nodes=_values(named))))
    return facts


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{ox.NamedNode(i).value}>" for i in iris)


# --- records -------------------------------------------------------------------------------------------


def record(uri: str, facts: Facts) -> dict[str, Any] | None:
    """The Linked Art record of ``uri``; None when it is no letter, person, group, place or event."""
    cls = record_class(facts.types(uri))
    if cls is None:
        return None
    thing = cls(ident=uri, label=_label(facts, uri))
    _common(thing, uri, facts, cls)
    if cls is model.LinguisticObject:
        _text(thing, uri, facts)
    elif cls in (model.Person, model.Group):
        for group in facts.subjects(_P["P107_has_current_or_former_member"], uri):
            if (ref := _ref(facts, group)) is not None and isinstance(ref, model.Group):
                thing.member_of = ref
        if cls is model.Person:
            for death in facts.subjects(_P["P100_was_death_of"], uri):
                thing.died = _event(model.Death(label=_label(facts, death)), death, facts)
                break  # one death
    elif cls in (model.Activity, model.Event):
        _event(thing, uri, facts, types=False)
    for assignment in facts.subjects(_P["P140_assigned_attribute_to"], uri):
        if (claim := _assignment(assignment, facts)) is not None:
            thing.attributed_by = claim
    return _assigned_properties(model.factory.toJSON(thing))


def to_json(rec: dict[str, Any]) -> bytes:
    return (json.dumps(rec, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _label(facts: Facts, uri: str) -> str:
    return facts.text(uri, _LABEL) or facts.text(uri, NS.foaf + "name") or uri


def _ref(facts: Facts, uri: str):
    """A reference (id, type, label) to ``uri``, of the Linked Art class its types say; None if none fits."""
    found = [_REF_CLASSES[t] for t in sorted(facts.types(uri)) if t in _REF_CLASSES]
    if not found:
        return None
    order = (model.LinguisticObject, model.Person, model.Group, model.Place, model.Activity, model.Event,
             model.HumanMadeObject, model.Language, model.Type)
    cls = min(found, key=order.index)
    label = facts.text(uri, _LABEL) or facts.text(uri, NS.foaf + "name")
    return cls(ident=uri, label=label) if label else cls(ident=uri)


def _refs(facts: Facts, uris: Iterable[str], *classes: type) -> list:
    refs = [_ref(facts, u) for u in uris]
    return [r for r in refs if r is not None and (not classes or type(r) in classes)]


def _common(thing, uri: str, facts: Facts, cls: type) -> None:
    for name in facts.iris(uri, _P["P1_is_identified_by"]):
        if (appellation := _name(name, facts)) is not None:
            thing.identified_by = appellation
    title = facts.text(uri, NS.dcterms + "title")
    if title is not None:
        thing.identified_by = vocab.Title(content=title)
    identifier = facts.text(uri, NS.dcterms + "identifier")
    if identifier is not None:
        thing.identified_by = model.Identifier(content=identifier)
    for kind in _refs(facts, facts.iris(uri, _P["P2_has_type"]), model.Type):
        thing.classified_as = kind
    # The event schema takes only Activities as equivalents: an Event's sameAs would have to be called an
    # activity, which the data does not say, so an Event record goes without it.
    for same in facts.iris(uri, NS.owl + "sameAs") if cls is not model.Event else ():
        thing.equivalent = cls(ident=same)
    for prop, statement in _STATEMENTS.items():
        for text in facts.objects(uri, prop):
            if isinstance(text, ox.Literal):
                thing.referred_to_by = statement(content=text.value)


def _name(uri: str, facts: Facts):
    classes = [_APPELLATIONS[t] for t in sorted(facts.types(uri)) if t in _APPELLATIONS]
    content = facts.text(uri, _P["P190_has_symbolic_content"])
    if not classes or content is None:
        return None  # a name with no words is no Linked Art name
    name = classes[0](content=content)
    for kind in _refs(facts, facts.iris(uri, _P["P2_has_type"]), model.Type):
        name.classified_as = kind
    return name


def _timespan(uri: str, facts: Facts):
    span = model.TimeSpan()
    label = facts.text(uri, _LABEL)
    if label:
        span._label = label
    begin, end = facts.text(uri, _P["P82a_begin_of_the_begin"]), facts.text(uri, _P["P82b_end_of_the_end"])
    if begin:
        span.begin_of_the_begin = begin
    if end:
        span.end_of_the_end = end
    for kind in _refs(facts, facts.iris(uri, _P["P2_has_type"]), model.Type):
        span.classified_as = kind
    return span


def _event(node, uri: str, facts: Facts, *, types: bool = True):
    """What an event, activity, creation or death says: types (unless given already), time-span, place, who
    carried it out."""
    if types:
        for kind in _refs(facts, facts.iris(uri, _P["P2_has_type"]), model.Type):
            node.classified_as = kind
    for span in facts.iris(uri, _P["P4_has_time-span"])[:1]:
        node.timespan = _timespan(span, facts)
    for place in _refs(facts, facts.iris(uri, _P["P7_took_place_at"]), model.Place):
        node.took_place_at = place
    if not isinstance(node, model.Death):
        for agent in _refs(facts, facts.iris(uri, _P["P14_carried_out_by"]), model.Person, model.Group):
            node.carried_out_by = agent
    if isinstance(node, model.Activity):
        # Linked Art's activities use objects only; the texts they used are in the texts' records (used_for).
        for used in _refs(facts, facts.iris(uri, _P["P16_used_specific_object"]), model.HumanMadeObject):
            node.used_specific_object = used
    if isinstance(node, model.Creation):
        # P16 is a sub-property of P15: what a creation used (a translation its original) influenced it.
        for source in _refs(facts, facts.iris(uri, _P["P16_used_specific_object"]) + facts.iris(uri, _P["P15_was_influenced_by"])):
            node.influenced_by = source
    return node


def _text(thing, uri: str, facts: Facts) -> None:
    content = facts.text(uri, _P["P190_has_symbolic_content"])
    if content is not None:
        thing.content = content
    for language in _refs(facts, facts.iris(uri, _P["P72_has_language"]), model.Language):
        thing.language = language
    wholes = set(facts.iris(uri, NS.dcterms + "isPartOf")) | set(facts.subjects(_P["P106_is_composed_of"], uri))
    for whole in _refs(facts, sorted(wholes), model.LinguisticObject):
        thing.part_of = whole
    for creation in facts.subjects(_P["P94_has_created"], uri)[:1]:  # Linked Art gives a text one creation
        thing.created_by = _event(model.Creation(label=_label(facts, creation)), creation, facts)
    for use in facts.subjects(_P["P16_used_specific_object"], uri):
        if record_class(facts.types(use)) is model.Activity:
            thing.used_for = _event(model.Activity(label=_label(facts, use)), use, facts)


def _assignment(uri: str, facts: Facts):
    """One of the data's attribute assignments about the thing: who states which property and value."""
    if NS.crm + "E13_Attribute_Assignment" not in facts.types(uri):
        return None
    values = []
    for value in facts.iris(uri, _P["P141_assigned"]):
        types = facts.types(value)
        if types & set(_APPELLATIONS):
            values.append(_name(value, facts))
        elif NS.crm + "E52_Time-Span" in types:
            values.append(_timespan(value, facts))
        else:
            values.append(_ref(facts, value))
    values = [v for v in values if v is not None]
    if not values:
        return None
    claim = model.AttributeAssignment(label=_label(facts, uri))
    for kind in _refs(facts, facts.iris(uri, _P["P2_has_type"]), model.Type):
        claim.classified_as = kind
    for voice in _refs(facts, facts.iris(uri, _P["P14_carried_out_by"]), model.Person, model.Group):
        claim.carried_out_by = voice
    for prop in facts.iris(uri, _P["P177_assigned_property_of_type"])[:1]:
        # cromulent types assigned_property as a Type; the record schema wants the property's name in the
        # Linked Art context, which ``_assigned_properties`` puts in its place.
        claim.assigned_property = model.Type(ident=prop)
    for value in values:
        claim.assigned = value
    return claim


def _property_name(iri: str) -> str:
    """Linked Art's term for a property (cromulent writes CRM IRIs as ``crm:...``); any other, its full IRI."""
    full = NS.crm + iri[4:] if iri.startswith("crm:") else iri
    return _LA_TERMS.get(full, full)


def _assigned_properties(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (_property_name(v["id"]) if k == "assigned_property" and isinstance(v, dict)
                    else _assigned_properties(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_assigned_properties(v) for v in node]
    return node
