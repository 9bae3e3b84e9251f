"""One table of the RDF formats we speak: content negotiation, file extensions, dumps and tests read it."""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormat:
    media_type: str
    extension: str
    oxigraph: ox.RdfFormat
    label: str
    quads: bool  # holds named graphs

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


TURTLE = RdfFormat("text/turtle", "ttl", ox.RdfFormat.TURTLE, "Turtle", False)
NTRIPLES = RdfFormat("application/n-triples", "nt", ox.RdfFormat.N_TRIPLES, "N-Triples", False)
RDFXML = RdfFormat("application/rdf+xml", "rdf", ox.RdfFormat.RDF_XML, "RDF/XML", False)
JSONLD = RdfFormat("application/ld+json", "jsonld", ox.RdfFormat.JSON_LD, "JSON-LD", True)
NQUADS = RdfFormat("application/n-quads", "nq", ox.RdfFormat.N_QUADS, "N-Quads", True)
TRIG = RdfFormat("application/trig", "trig", ox.RdfFormat.TRIG, "TriG", True)

# Formats a document about one resource is offered in (after HTML), in order of preference.
DOCUMENT_FORMATS: tuple[RdfFormat, ...] = (TURTLE, NTRIPLES, RDFXML, JSONLD)
# Formats the whole dataset is dumped in.
DUMP_FORMATS: tuple[RdfFormat, ...] = (TURTLE, NTRIPLES, NQUADS, TRIG, JSONLD, RDFXML)
BY_EXTENSION = {f.extension: f for f in DUMP_FORMATS}
BY_MEDIA_TYPE = {f.media_type: f for f in DUMP_FORMATS}
