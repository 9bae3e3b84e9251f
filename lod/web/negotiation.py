"""Which representation of a document to send: HTML first, then the RDF formats of ``lod.formats``.

Werkzeug parses the Accept header and weighs q-values; this module only decides what is offered
and in which order. The order is the whole tie rule: when two offered types are equally acceptable
(same q, same specificity), the one offered first wins. HTML is offered first, so ``*/*``, ``text/*``,
a browser's Accept and a tie such as ``application/rdf+xml, text/html`` all give HTML; a client
that wants RDF over HTML says so with q-values. ``application/*`` gives the first RDF format
whose media type is ``application/...`` in the table: N-Triples.

A text node that holds its text (``crm:P190_has_symbolic_content`` of ``{base}id/text/{slug}``: for a
letter, the file the annotations' offsets count in) is offered as plain text too (``TEXT_VARIANTS``): ``text/plain``
means that text there and nowhere else (docs/design.md, "Content negotiation"). It is offered last, so
that ``*/*`` and ``text/*`` still give HTML.

Clients name our formats by other media types too (``ALIASES``): rdflib asks for N-Triples as
``text/plain``, for N3 as ``text/n3``, old clients for RDF/XML as ``application/xml``. An alias is offered
after every variant, so it never wins a tie against one, and a variant of the same media type (the stored
text's ``text/plain``) always comes before it.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_options_header

from ..formats import (DOCUMENT_DATASET_FORMATS, DOCUMENT_FORMATS, JSONLD, NTRIPLES, PLAIN_JSON, PLAIN_XML,
                       PLAIN_XML_OLD, RDFXML, TURTLE, RdfFormat)


@dataclass(frozen=True)
class Variant:
    """One representation of a document: HTML, or one of the RDF document formats."""

    media_type: str
    extension: str
    label: str
    rdf: RdfFormat | None  # None for HTML

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    @classmethod
    def of(cls, fmt: RdfFormat) -> "Variant":
        return cls(fmt.media_type, fmt.extension, fmt.label, fmt)


HTML = Variant("text/html", "html", "HTML", None)
# The stored text of a text node, not RDF: offered only where there is one (TEXT_VARIANTS).
PLAIN_TEXT = Variant("text/plain", "txt", "Plain text", None)
# The dataset formats last: N-Quads and TriG carry the same triples in one graph, the document's.
VARIANTS: tuple[Variant, ...] = (HTML, *(Variant.of(f) for f in DOCUMENT_FORMATS + DOCUMENT_DATASET_FORMATS))
TEXT_VARIANTS: tuple[Variant, ...] = (*VARIANTS, PLAIN_TEXT)
BY_EXTENSION = {v.extension: v for v in VARIANTS}
# Media types a client may ask for that name one of our variants under another name. A plain JSON
# client gets JSON-LD, which is JSON; text/plain is what N-Triples was served as before it had a media
# type of its own (rdflib still asks so), except where a text node offers its text under that name.
ALIASES = {
    PLAIN_JSON: Variant.of(JSONLD),
    "text/plain": Variant.of(NTRIPLES),
    "text/n3": Variant.of(TURTLE),  # Turtle is N3 without its rules: every N3 reader reads it
    "application/x-turtle": Variant.of(TURTLE),
    PLAIN_XML: Variant.of(RDFXML),
    PLAIN_XML_OLD: Variant.of(RDFXML),
}


def negotiate(accept: MIMEAccept, variants: tuple[Variant, ...] = VARIANTS) -> Variant | None:
    """The one of ``variants`` to send for ``accept`` (``request.accept_mimetypes``); None when none is acceptable.

    No Accept header (or an empty one) means anything goes: HTML. Media-type parameters
    (``text/turtle;charset=utf-8``, a JSON-LD ``profile``) are ignored, because Werkzeug would
    otherwise refuse to match ``text/turtle;charset=utf-8`` to ``text/turtle`` and answer 406.
    """
    if not accept.provided:
        return HTML
    bare = MIMEAccept([(parse_options_header(value)[0], quality) for value, quality in accept])
    match = bare.best_match(offered(variants))
    return {**aliases(variants), **{v.media_type: v for v in variants}}[match] if match else None


def offered(variants: tuple[Variant, ...] = VARIANTS) -> list[str]:
    """The media types offered, in order of preference (the tie rule; a 406 body)."""
    return [v.media_type for v in variants] + list(aliases(variants))


def serialize(triples: list[ox.Triple], fmt: RdfFormat, graph: str, prefixes: dict[str, str]) -> bytes:
    """A document's ``triples`` in ``fmt``; in N-Quads and TriG as the one graph named ``graph``, the
    document's URL: what a client reading quads from a URL expects. (JSON-LD holds datasets too, but is
    offered as the triples.)"""
    if fmt not in DOCUMENT_DATASET_FORMATS:
        return ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes)
    name = ox.NamedNode(graph)
    return ox.serialize([ox.Quad(t.subject, t.predicate, t.object, name) for t in triples], format=fmt.oxigraph,
                        prefixes=prefixes)


def aliases(variants: tuple[Variant, ...] = VARIANTS) -> dict[str, Variant]:
    """The aliases that apply beside ``variants``: none that is the media type of one of them."""
    own = {v.media_type for v in variants}
    return {alias: v for alias, v in ALIASES.items() if alias not in own}
