"""One table of the formats we speak: content negotiation, file extensions, dumps, the SPARQL endpoint and
tests read it.

Each entry is built on pyoxigraph's own format object, which already carries the media type, the file
extension and the name: the table adds only what is ours (the order of preference, the names of the
SPARQL ``format`` parameter), so that no media type is written down twice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import NS


def _bare(media_type: str) -> str:
    """The media type without parameters (pyoxigraph gives CSV and TSV one: ``text/csv; charset=utf-8``)."""
    return media_type.split(";", 1)[0].strip()


@dataclass(frozen=True)
class RdfFormat:
    """An RDF format (documents, dumps, CONSTRUCT and DESCRIBE answers)."""

    oxigraph: ox.RdfFormat

    @property
    def media_type(self) -> str:
        return _bare(self.oxigraph.media_type)

    @property
    def extension(self) -> str:
        return self.oxigraph.file_extension

    @property
    def label(self) -> str:
        return self.oxigraph.name

    @property
    def quads(self) -> bool:
        """Holds named graphs."""
        return self.oxigraph.supports_datasets

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


TURTLE = RdfFormat(ox.RdfFormat.TURTLE)
NTRIPLES = RdfFormat(ox.RdfFormat.N_TRIPLES)
RDFXML = RdfFormat(ox.RdfFormat.RDF_XML)
JSONLD = RdfFormat(ox.RdfFormat.JSON_LD)
NQUADS = RdfFormat(ox.RdfFormat.N_QUADS)
TRIG = RdfFormat(ox.RdfFormat.TRIG)

# Formats a document about one resource is offered in (after HTML), in order of preference.
DOCUMENT_FORMATS: tuple[RdfFormat, ...] = (TURTLE, NTRIPLES, RDFXML, JSONLD)
# ... and as one named graph, the document's, for clients that read datasets (rdflib asking for TriG).
DOCUMENT_DATASET_FORMATS: tuple[RdfFormat, ...] = (NQUADS, TRIG)
# Formats the whole dataset is dumped in.
DUMP_FORMATS: tuple[RdfFormat, ...] = (TURTLE, NTRIPLES, NQUADS, TRIG, JSONLD, RDFXML)
BY_EXTENSION = {f.extension: f for f in DUMP_FORMATS}
BY_MEDIA_TYPE = {f.media_type: f for f in DUMP_FORMATS}


# --- the SPARQL endpoint's answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class ResultsFormat:
    """A SPARQL results format (SELECT and ASK answers); CONSTRUCT and DESCRIBE answer in an RdfFormat."""

    oxigraph: ox.QueryResultsFormat
    name: str  # its value for the endpoint's ``format`` parameter

    @property
    def media_type(self) -> str:
        return _bare(self.oxigraph.media_type)

    @property
    def label(self) -> str:
        return self.oxigraph.name

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    @property
    def iri(self) -> str:
        """Its W3C format IRI, for the service description."""
        return f"{NS.formats}SPARQL_Results_{self.name.upper()}"


RESULTS_JSON = ResultsFormat(ox.QueryResultsFormat.JSON, "json")
RESULTS_XML = ResultsFormat(ox.QueryResultsFormat.XML, "xml")
RESULTS_CSV = ResultsFormat(ox.QueryResultsFormat.CSV, "csv")
RESULTS_TSV = ResultsFormat(ox.QueryResultsFormat.TSV, "tsv")
RESULTS_FORMATS: tuple[ResultsFormat, ...] = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
# What a CONSTRUCT or DESCRIBE answers in: Turtle first, the answer to */*.
GRAPH_FORMATS: tuple[RdfFormat, ...] = DOCUMENT_FORMATS

# Media types that say only "JSON" or "XML": a client sending one gets the JSON or XML flavour of
# whatever the query form answers (SPARQL JSON or JSON-LD, SPARQL XML or RDF/XML); text/xml is the old name.
PLAIN_JSON = "application/json"
PLAIN_XML = "application/xml"
PLAIN_XML_OLD = "text/xml"


def graph_format_name(fmt: RdfFormat) -> str:
    """``turtle``, ``ntriples``, ``rdfxml``, ``jsonld``: the ``format`` parameter's name for an RDF format."""
    return re.sub(r"[^a-z]", "", fmt.label.lower())


def graph_format_iri(fmt: RdfFormat) -> str:
    """The W3C format IRI (``.../formats/Turtle``, ``.../N-Triples``, ``.../RDF_XML``, ``.../JSON-LD``).

    Not pyoxigraph's ``iri``: for JSON-LD that is ``https://www.w3.org/ns/formats/data/JSON-LD``, which the
    W3C registry of format IRIs does not list."""
    return NS.formats + fmt.label.replace("/", "_")
