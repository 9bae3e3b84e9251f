"""One table of the RDF formats we speak: content negotiation, file extensions, dumps and tests read it.

Each entry is built on pyoxigraph's own format object, which already carries the media type, the file
extension and the name: the table adds only what is ours (the order of preference), so that no media
type is written down twice.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


def _bare(media_type: str) -> str:
    """The media type without parameters (pyoxigraph may give one: its CSV is ``text/csv; charset=utf-8``)."""
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
# Formats the whole dataset is dumped in.
DUMP_FORMATS: tuple[RdfFormat, ...] = (TURTLE, NTRIPLES, NQUADS, TRIG, JSONLD, RDFXML)
BY_EXTENSION = {f.extension: f for f in DUMP_FORMATS}
BY_MEDIA_TYPE = {f.media_type: f for f in DUMP_FORMATS}
