"""The dataset description (VoID + DCAT), written in one place for every corpus we make.

`lod build` describes the letters (with their dumps), `lod synth` a made-up corpus; both graphs
are stored as the graph ``{base}void``, which the web layer serves at `/void` with the class and
property statistics added (docs/design.md, "The dataset description").
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from . import __version__
from .dumps import DUMP_NAME
from .formats import DUMP_FORMATS
from .namespaces import CRM, DCAT, DCTERMS, FOAF, OA, PROV, RDF, RDFS, SCHEMA, VOID
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


LETTERS = About(
    title="Letters of V. I. Lenin as Linked Open Data",
    description="Letters from the Marxists Internet Archive, their persons, groups, places and events, "
                "in CIDOC-CRM, FOAF and Dublin Core, each claim anchored in the text.",
    made_by="lod build",
    source="Marxists Internet Archive (marxists.org), Lenin Internet Archive",
)


def describe(mint: Minter, about: About, graphs: Iterable[str], triples: int) -> Graph:
    """The description of a dataset whose named graphs are ``graphs`` and which holds ``triples`` distinct triples."""
    g = Graph()
    ds = mint.dataset()
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(about.title)))
    g.add((ds, RDFS.label, Literal(about.title)))
    g.add((ds, DCTERMS.description, Literal(about.description)))
    g.add((ds, DCTERMS.license, CC0))
    if about.source:
        g.add((ds, DCTERMS.source, Literal(about.source)))
    g.add((ds, VOID.uriSpace, Literal(f"{mint.base}id/")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{mint.base}sparql")))
    g.add((ds, VOID.triples, Literal(triples, datatype=XSD.integer)))
    g.add((ds, VOID.rootResource, mint.concept("types")))
    for vocab in (CRM, FOAF, DCTERMS, OA, PROV, SCHEMA):
        g.add((ds, VOID.vocabulary, URIRef(str(vocab))))
    if about.dumps:
        for fmt in DUMP_FORMATS:
            dump = URIRef(f"{mint.base}dumps/{DUMP_NAME}.{fmt.extension}")
            g.add((ds, VOID.dataDump, dump))
            g.add((ds, DCAT.distribution, dump))
            g.add((dump, RDF.type, DCAT.Distribution))
            g.add((dump, DCAT.mediaType, Literal(fmt.media_type)))
            g.add((dump, DCTERMS.format, Literal(fmt.label)))
            g.add((dump, DCAT.downloadURL, dump))
    for name in graphs:
        parsed = mint.parse(str(name))
        if parsed is not None and parsed.kind == "letter":
            g.add((ds, VOID.subset, URIRef(str(name))))
            g.add((ds, DCTERMS.hasPart, URIRef(str(name))))
    g.add((ds, FOAF.homepage, URIRef(mint.base)))
    made = URIRef(f"{mint.base}void/build")
    g.add((ds, PROV.wasGeneratedBy, made))
    g.add((made, RDF.type, PROV.Activity))
    g.add((made, RDFS.label, Literal(f"{about.made_by}, lod-letters {__version__}")))
    return g
