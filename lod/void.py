"""The dataset description (VoID + DCAT), written in one place for every corpus we make.

`lod build` describes the letters (with their dumps), `lod synth` a made-up corpus (``describe``);
both are stored as the graph ``{base}void``, which the web layer serves at `/void` with the class
and property statistics of the store added (``served``; counted by ``lod.statistics``).

Every node of the description other than the dataset is a hash IRI of it (``{base}void#build``,
``{base}void#class-3``): a client following them fetches ``{base}void`` once, where slash IRIs that
answered 303 to it had a link-traversal client fetch the whole description once per partition.
"""
from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from . import __version__, cmif, ontology
from .dumps import DUMP_NAME
from .formats import DUMP_FORMATS
from .namespaces import CRM, DCAT, DCTERMS, FOAF, NS, OA, PROV, RDF, RDFS, SCHEMA, VOID
from .statistics import Statistics, count
from .uris import Minter

CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")


@dataclass(frozen=True)
class About:
    """What a dataset says of itself."""

    title: str
    description: str
    made_by: str  # the activity that made it: "lod build", "lod synth"
    source: str | None = None
    dumps: bool = True  # offered as downloads under {base}dumps/
    examples: tuple[str, ...] = ()  # void:exampleResource, as paths below {base}id/, those the data holds


LETTERS = About(
    title="Letters of V. I. Lenin as Linked Open Data",
    description="Letters from the Marxists Internet Archive, their persons, groups, places and events, "
                "in CIDOC-CRM, FOAF and Dublin Core, each claim anchored in the text.",
    made_by="lod build",
    source="Marxists Internet Archive (marxists.org), Lenin Internet Archive",
    examples=("letter/1921-12-20-zalutsky-salts", "person/kasparova-popova", "event/expulsion-of-kasparova-popova"),
)


def describe(mint: Minter, about: About, graphs: Iterable[str], triples: int,
             subjects: Container[URIRef] = frozenset()) -> Graph:
    """The description of a dataset whose named graphs are ``graphs`` and which holds ``triples`` distinct
    triples; ``subjects``: the things it holds, of which ``about.examples`` are named (a build of another
    folder of letters may not hold the seed letter: its first letter is the example then)."""
    graphs = list(graphs)
    g = Graph()
    ds = mint.dataset()
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(about.title, lang="en")))
    g.add((ds, RDFS.label, Literal(about.title, lang="en")))
    g.add((ds, DCTERMS.description, Literal(about.description, lang="en")))
    g.add((ds, DCTERMS.license, CC0))
    if about.source:
        g.add((ds, DCTERMS.source, Literal(about.source)))
    g.add((ds, VOID.uriSpace, Literal(f"{mint.base}id/")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{mint.base}sparql")))
    g.add((ds, VOID.triples, Literal(triples, datatype=XSD.integer)))
    g.add((ds, VOID.rootResource, mint.concept("types")))
    for vocab in (CRM, FOAF, DCTERMS, OA, PROV, SCHEMA):
        g.add((ds, VOID.vocabulary, URIRef(str(vocab))))
    # Our own terms and the application profile every letter keeps to, as published (lod.ontology).
    g.add((ds, VOID.vocabulary, mint.ontology(ontology.TERMS)))
    g.add((ds, DCTERMS.conformsTo, mint.ontology(ontology.SHAPES)))
    if about.dumps:
        for fmt in DUMP_FORMATS:
            dump = URIRef(f"{mint.base}dumps/{DUMP_NAME}.{fmt.extension}")
            g.add((ds, VOID.dataDump, dump))
            g.add((ds, DCAT.distribution, dump))
            g.add((dump, RDF.type, DCAT.Distribution))
            g.add((dump, DCAT.mediaType, Literal(fmt.media_type)))
            g.add((dump, DCTERMS.format, Literal(fmt.label)))
            g.add((dump, DCAT.downloadURL, dump))
        # The letters as correspondence metadata (lod.cmif): a distribution, not a void:dataDump, which is RDF.
        letters = URIRef(f"{mint.base}dumps/{cmif.DUMP_FILE}")
        g.add((ds, DCAT.distribution, letters))
        g.add((letters, RDF.type, DCAT.Distribution))
        g.add((letters, DCAT.mediaType, Literal(cmif.MEDIA_TYPE)))
        g.add((letters, DCTERMS.format, Literal(cmif.FORMAT)))
        g.add((letters, DCTERMS.conformsTo, URIRef(cmif.SCHEMA)))
        g.add((letters, DCAT.downloadURL, letters))
        g.add((letters, DCAT.accessURL, URIRef(mint.base + cmif.PATH)))
    for name in graphs:
        parsed = mint.parse(str(name))
        if parsed is not None and parsed.kind == "letter":
            g.add((ds, VOID.subset, URIRef(str(name))))
            g.add((ds, DCTERMS.hasPart, URIRef(str(name))))
    examples = [URIRef(f"{mint.base}id/{path}") for path in about.examples]
    examples = [e for e in examples if e in subjects]
    if about.examples and not any(_kind(mint, e) == "letter" for e in examples):
        examples += [URIRef(str(n)) for n in graphs if _kind(mint, n) == "letter"][:1]
    for example in examples:
        g.add((ds, VOID.exampleResource, example))
    g.add((ds, FOAF.homepage, URIRef(mint.base)))
    made = URIRef(f"{mint.base}void#build")
    g.add((ds, PROV.wasGeneratedBy, made))
    g.add((made, RDF.type, PROV.Activity))
    g.add((made, RDFS.label, Literal(f"{about.made_by}, lod-letters {__version__}", lang="en")))
    return g


def _kind(mint: Minter, uri) -> str | None:
    parsed = mint.parse(str(uri))
    return parsed.kind if parsed is not None else None


def served(store, base: str, statistics: Statistics | None = None) -> list[ox.Triple]:
    """The stored graph ``{base}void`` plus class and property partitions and counts, as `/void` serves it.

    ``statistics``: those recorded when the data was built or loaded (``lod.statistics``); without them
    they are counted now, over every graph but the description itself (as the build counts ``void:triples``).
    Partitions get hash IRIs of ``{base}void`` (no blank nodes), numbered in the order of their class
    or property IRI: ``{base}void#class-1``, ``{base}void#property-1``.
    """
    dataset = ox.NamedNode(base + "void")
    triples = list(store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graph=[dataset.value]))
    if statistics is None:
        statistics = count(store)

    def void(term: str) -> ox.NamedNode:
        return ox.NamedNode(NS.void + term)

    def integer(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=ox.NamedNode(NS.xsd + "integer"))

    for n, (cls, entities) in enumerate(statistics.classes, 1):
        part = ox.NamedNode(f"{base}void#class-{n}")
        triples += [ox.Triple(dataset, void("classPartition"), part), ox.Triple(part, void("class"), cls),
                    ox.Triple(part, void("entities"), integer(entities))]
    for n, (prop, with_it) in enumerate(statistics.properties, 1):
        part = ox.NamedNode(f"{base}void#property-{n}")
        triples += [ox.Triple(dataset, void("propertyPartition"), part), ox.Triple(part, void("property"), prop),
                    ox.Triple(part, void("triples"), integer(with_it))]
    triples += [ox.Triple(dataset, void("distinctSubjects"), integer(statistics.subjects)),
                ox.Triple(dataset, void("distinctObjects"), integer(statistics.objects)),
                ox.Triple(dataset, void("classes"), integer(len(statistics.classes))),
                ox.Triple(dataset, void("properties"), integer(len(statistics.properties)))]
    return triples
