"""JSON-LD with our context: compacted (readable keys), expanded and flattened forms of the same triples.

The context (``CONTEXT``) is written out here, term by term, rather than derived from the data, so that
it stays the same from build to build and can be served at a stable URL (``{base}ns/context.jsonld``)
that clients keep. CIDOC-CRM properties take the names Linked Art gives them (``carried_out_by``,
``timespan``, ``identified_by``...), other vocabularies their own local names; a property without a term
still compacts, to a prefixed name (``dcterms:language``), so nothing is ever dropped.

A document is compacted here (``compacted``), a node object per subject, each property under its term
or prefixed name: a page embeds its document so, and rdflib's serialiser took half the time of a page.
The dump, written once a build, is rdflib's serialiser (pyld's ``compact`` takes seven times as long).
Nodes, keys and values are sorted: the same triples always give the same bytes (stable ETags,
byte-identical dumps).
"""
from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.plugins.serializers.jsonld import from_rdf

from .namespaces import NS, PREFIXES

CONTEXT_PATH = "ns/context.jsonld"  # below the base: where the context is served
JSONLD_NS = "http://www.w3.org/ns/json-ld#"
EXPANDED, COMPACTED, FLATTENED = JSONLD_NS + "expanded", JSONLD_NS + "compacted", JSONLD_NS + "flattened"

_ID, _EN = "@id", "en"

# term -> (property, coercion): "@id" for IRIs, a datatype, "@en" for English text, None for plain strings.
_TERMS: dict[str, tuple[str, str | None]] = {
    # CIDOC-CRM, by Linked Art's names
    "identified_by": ("crm:P1_is_identified_by", _ID),
    "classified_as": ("crm:P2_has_type", _ID),
    "timespan": ("crm:P4_has_time-span", _ID),
    "took_place_at": ("crm:P7_took_place_at", _ID),
    "participant": ("crm:P11_had_participant", _ID),
    "carried_out_by": ("crm:P14_carried_out_by", _ID),
    "influenced_by": ("crm:P15_was_influenced_by", _ID),
    "used_specific_object": ("crm:P16_used_specific_object", _ID),
    "moved": ("crm:P25_moved", _ID),
    "moved_to": ("crm:P26_moved_to", _ID),
    "refers_to": ("crm:P67_refers_to", _ID),
    "documents": ("crm:P70_documents", _ID),
    "language": ("crm:P72_has_language", _ID),
    "translation": ("crm:P73_has_translation", _ID),
    "begin_of_the_begin": ("crm:P82a_begin_of_the_begin", "xsd:dateTime"),
    "end_of_the_end": ("crm:P82b_end_of_the_end", "xsd:dateTime"),
    "created": ("crm:P94_has_created", _ID),
    "death_of": ("crm:P100_was_death_of", _ID),
    "composed_of": ("crm:P106_is_composed_of", _ID),
    "member": ("crm:P107_has_current_or_former_member", _ID),
    "carries": ("crm:P128_carries", _ID),
    "about": ("crm:P129_is_about", _ID),
    "assigned_to": ("crm:P140_assigned_attribute_to", _ID),
    "assigned": ("crm:P141_assigned", _ID),
    "joined": ("crm:P143_joined", _ID),
    "joined_with": ("crm:P144_joined_with", _ID),
    "separated": ("crm:P145_separated", _ID),
    "separated_from": ("crm:P146_separated_from", _ID),
    "incorporates": ("crm:P165_incorporates", _ID),
    "starts_after_the_start_of": ("crm:P176i_starts_after_the_start_of", _ID),
    "assigned_property": ("crm:P177_assigned_property_of_type", _ID),
    "ends_before_the_start_of": ("crm:P183_ends_before_the_start_of", _ID),
    "content": ("crm:P190_has_symbolic_content", None),
    # Dublin Core (dcterms:language and dcterms:type keep their prefixed names: "language" is CRM's
    # P72 and "type" is rdf:type)
    "bibliographicCitation": ("dcterms:bibliographicCitation", None),
    "conformsTo": ("dcterms:conformsTo", _ID),
    "contributor": ("dcterms:contributor", _ID),
    "creator": ("dcterms:creator", _ID),
    "date": ("dcterms:date", None),
    "description": ("dcterms:description", "@en"),
    "extent": ("dcterms:extent", None),
    "format": ("dcterms:format", None),
    "hasPart": ("dcterms:hasPart", _ID),
    "identifier": ("dcterms:identifier", None),
    "isPartOf": ("dcterms:isPartOf", _ID),
    "issued": ("dcterms:issued", "xsd:gYear"),
    "license": ("dcterms:license", _ID),
    "publisher": ("dcterms:publisher", _ID),
    "references": ("dcterms:references", _ID),
    "rights": ("dcterms:rights", "@en"),
    "source": ("dcterms:source", None),
    "title": ("dcterms:title", "@en"),
    # RDFS, OWL, SKOS
    "label": ("rdfs:label", "@en"),
    "comment": ("rdfs:comment", "@en"),
    "sameAs": ("owl:sameAs", _ID),
    "broader": ("skos:broader", _ID),
    "definition": ("skos:definition", "@en"),
    "hasTopConcept": ("skos:hasTopConcept", _ID),
    "inScheme": ("skos:inScheme", _ID),
    "notation": ("skos:notation", None),
    "note": ("skos:note", "@en"),
    "prefLabel": ("skos:prefLabel", "@en"),
    "topConceptOf": ("skos:topConceptOf", _ID),
    # FOAF, schema.org
    "name": ("foaf:name", None),
    "homepage": ("foaf:homepage", _ID),
    "primaryTopic": ("foaf:primaryTopic", _ID),
    "pagination": ("schema:pagination", None),
    "recipient": ("schema:recipient", _ID),
    "parent": ("schema:parent", _ID),
    "sibling": ("schema:sibling", _ID),
    "spouse": ("schema:spouse", _ID),
    "softwareVersion": ("schema:softwareVersion", None),
    "translator": ("schema:translator", _ID),
    "volumeNumber": ("schema:volumeNumber", None),
    # Web Annotation
    "hasBody": ("oa:hasBody", _ID),
    "hasTarget": ("oa:hasTarget", _ID),
    "hasSource": ("oa:hasSource", _ID),
    "hasSelector": ("oa:hasSelector", _ID),
    "motivatedBy": ("oa:motivatedBy", _ID),
    "exact": ("oa:exact", None),
    "prefix": ("oa:prefix", None),
    "suffix": ("oa:suffix", None),
    "start": ("oa:start", "xsd:nonNegativeInteger"),  # Web Annotation's range (lod.datatypes)
    "end": ("oa:end", "xsd:nonNegativeInteger"),
    # PROV
    "used": ("prov:used", _ID),
    "wasAssociatedWith": ("prov:wasAssociatedWith", _ID),
    "wasDerivedFrom": ("prov:wasDerivedFrom", _ID),
    "wasGeneratedBy": ("prov:wasGeneratedBy", _ID),
    # VoID, DCAT, SPDX, Hydra: the dataset description, checksums, pages of a document
    "class": ("void:class", _ID),
    "classPartition": ("void:classPartition", _ID),
    "classes": ("void:classes", "xsd:integer"),
    "dataDump": ("void:dataDump", _ID),
    "distinctObjects": ("void:distinctObjects", "xsd:integer"),
    "distinctSubjects": ("void:distinctSubjects", "xsd:integer"),
    "entities": ("void:entities", "xsd:integer"),
    "exampleResource": ("void:exampleResource", _ID),
    "inDataset": ("void:inDataset", _ID),
    "properties": ("void:properties", "xsd:integer"),
    "property": ("void:property", _ID),
    "propertyPartition": ("void:propertyPartition", _ID),
    "rootResource": ("void:rootResource", _ID),
    "sparqlEndpoint": ("void:sparqlEndpoint", _ID),
    "subset": ("void:subset", _ID),
    "triples": ("void:triples", "xsd:integer"),
    "uriSpace": ("void:uriSpace", None),
    "vocabulary": ("void:vocabulary", _ID),
    "accessURL": ("dcat:accessURL", _ID),
    "distribution": ("dcat:distribution", _ID),
    "downloadURL": ("dcat:downloadURL", _ID),
    "mediaType": ("dcat:mediaType", None),
    "algorithm": ("spdx:algorithm", _ID),
    "checksum": ("spdx:checksum", _ID),
    "checksumValue": ("spdx:checksumValue", "xsd:hexBinary"),
    "next": ("hydra:next", _ID),
    "previous": ("hydra:previous", _ID),
}


def _definition(iri: str, coercion: str | None) -> str | dict[str, str]:
    if coercion is None:
        return iri
    if coercion == "@en":
        return {"@id": iri, "@language": _EN}
    return {"@id": iri, "@type": coercion}


# The value of "@context": prefixes first (every IRI of a namespace we know compacts), then the terms.
CONTEXT: dict[str, Any] = {
    **PREFIXES, "hydra": NS.hydra, "spdx": NS.spdx,
    "id": "@id", "type": "@type",
    **{term: _definition(iri, coercion) for term, (iri, coercion) in _TERMS.items()},
}


def context_document() -> bytes:
    """The context as a document of its own, as served at ``CONTEXT_PATH``."""
    return _dumps({"@context": CONTEXT}, indent=2)


# --- the three forms --------------------------------------------------------------------------------


def compacted(triples: list[ox.Triple], context: str | None = None, *, indent: int | None = 2) -> bytes:
    """The triples compacted with our context: a ``@graph`` of node objects, one per subject, nothing embedded
    (so this is also the flattened form, compacted). ``context`` is the URL the document names for its
    context; None writes the context into the document (for pages and files read offline)."""
    nodes: dict[str, dict[str, list]] = {}
    for t in triples:
        node = nodes.setdefault(_id(t.subject), {})
        if t.predicate == _RDF_TYPE and not isinstance(t.object, ox.Literal):
            node.setdefault("type", []).append(_id(t.object))
            continue
        key, coercion = _KEYS.get(t.predicate.value) or (_compact(t.predicate.value), None)
        node.setdefault(key, []).append(_value(t.object, coercion))
    graph = [_node({"id": s, **{k: vs[0] if len(vs) == 1 else vs for k, vs in node.items()}})
             for s, node in nodes.items()]
    graph.sort(key=lambda n: n["id"])
    return _dumps({"@context": CONTEXT if context is None else context, "@graph": graph}, indent=indent)


# Compaction by hand, for the flat form above: one key per property (its term, else its prefixed name)
# and each value as a plain string where the term's coercion says what it is, else as an explicit
# object. Every form written here expands to the very triple (the tests read every document back with
# pyld, jsonld.js and rdflib); it is about ten times as fast as rdflib's serialiser on a document.
_RDF_TYPE = ox.NamedNode(NS.rdf + "type")
_PREFIX_OF = sorted(((ns, name) for name, ns in CONTEXT.items() if isinstance(ns, str) and ns[-1:] in ":/?#[]@"),
                    reverse=True)  # longest namespace first among those that share a start


def _expand(name: str) -> str:
    prefix, _, local = name.partition(":")
    return CONTEXT[prefix] + local if local and prefix in CONTEXT else name


_KEYS: dict[str, tuple[str, str | None]] = {
    _expand(iri): (term, _expand(coercion) if coercion not in (None, _ID, "@en") else coercion)
    for term, (iri, coercion) in _TERMS.items()
}


def _compact(iri: str) -> str:
    """``prefix:local`` where a namespace of the context starts ``iri``, else the IRI itself."""
    for ns, name in _PREFIX_OF:
        if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
            return f"{name}:{iri[len(ns):]}"
    return iri


def _id(term: Any) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else _compact(term.value)


def _value(term: Any, coercion: str | None) -> Any:
    if not isinstance(term, ox.Literal):
        return _id(term) if coercion == _ID else {"id": _id(term)}
    if term.language:
        return term.value if coercion == "@en" and term.language == _EN else {"@value": term.value, "@language": term.language}
    datatype = term.datatype.value
    if coercion == datatype or coercion is None and datatype == NS.xsd + "string":
        return term.value
    if datatype == NS.xsd + "string":
        return {"@value": term.value}
    return {"@value": term.value, "@type": _compact(datatype)}


def expanded(triples: list[ox.Triple]) -> bytes:
    """Expanded document form: full IRIs, every value in an array (pyoxigraph's own JSON-LD)."""
    return ox.serialize(triples, format=ox.RdfFormat.JSON_LD)


def flattened(triples: list[ox.Triple]) -> bytes:
    """Flattened document form without a context: every node at the top, sorted by its IRI."""
    from pyld import jsonld  # imported when asked for: the other forms do without it

    return _dumps(jsonld.flatten(json.loads(expanded(triples))), indent=None)


def dump(quads: list[ox.Quad]) -> bytes:
    """The whole dataset compacted, one ``@graph`` per named graph, the context written in (a dump is read
    offline), the same bytes for the same quads."""
    dataset = Dataset()
    for q in quads:
        graph = dataset.graph(URIRef(q.graph_name.value)) if isinstance(q.graph_name, ox.NamedNode) else dataset.default_graph
        graph.add((_term(q.subject), _term(q.predicate), _term(q.object)))
    result = from_rdf(dataset, context_data=CONTEXT)
    graphs = result.get("@graph", [result]) if isinstance(result, dict) else result
    named = sorted((_graph(g) for g in graphs if isinstance(g, dict)), key=lambda g: g.get("id", ""))
    return _dumps({"@context": CONTEXT, "@graph": named}, indent=None)


# --- canonical order ----------------------------------------------------------------------------------


def _graph(obj: dict[str, Any]) -> dict[str, Any]:
    """A named graph of the dump: its name, then its nodes in order (rdflib writes every named graph so)."""
    return {"id": obj["id"], "@graph": _nodes(obj, graph_key="@graph")}


def _nodes(result: Any, *, graph_key: str) -> list[dict[str, Any]]:
    if isinstance(result, list):
        nodes = result
    elif graph_key in result:
        nodes = result[graph_key]
    else:  # one node: rdflib returns it without a @graph
        nodes = [{k: v for k, v in result.items() if k != "@context"}] if len(result) > 1 else []
    return sorted((_node(n) for n in nodes), key=lambda n: n.get("id", ""))


def _node(node: dict[str, Any]) -> dict[str, Any]:
    # "id" and "type" first, then the properties alphabetically; each property's values sorted.
    ordered = {k: node[k] for k in ("id", "type") if k in node}
    for key in sorted(k for k in node if k not in ordered):
        ordered[key] = node[key]
    for key, value in ordered.items():
        if isinstance(value, list):
            ordered[key] = sorted(value, key=_value_key)
    return ordered


def _value_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _dumps(obj: Any, *, indent: int | None) -> bytes:
    separators = (",", ": ") if indent else (",", ":")
    return (json.dumps(obj, ensure_ascii=False, indent=indent, separators=separators) + "\n").encode("utf-8")


def _term(term: Any) -> Any:
    """A pyoxigraph term as rdflib's."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        # normalize=False: rdflib would rewrite some lexical forms (hexBinary, decimals), and the bytes
        # must read back as the very literal the store holds.
        if term.language:
            return Literal(term.value, lang=term.language, normalize=False)
        if term.datatype.value == NS.xsd + "string":
            return Literal(term.value, normalize=False)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    if isinstance(term, ox.BlankNode):  # none in our data, but any RDF may be served (serve.py --data)
        return BNode(term.value)
    raise ValueError(f"not an RDF term: {term!r}")
