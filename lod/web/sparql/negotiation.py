"""Which format a SPARQL answer takes: the ``format`` parameter (or ``output``, ``results``), else the Accept header.

A query's form (SELECT and ASK, or CONSTRUCT and DESCRIBE) is known only once it is parsed, in the
worker, so a request is given both answers: the results format and the RDF format it would accept.
A format parameter that names no format for one of the forms (``csv`` for a CONSTRUCT, ``turtle`` for a
SELECT) leaves that form to the Accept header: SPARQLWrapper sends its one return format with every
query, whatever its form, and Virtuoso and Fuseki answer it so rather than refuse.
"""
from __future__ import annotations

from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

from ...formats import (GRAPH_FORMATS, JSONLD, NTRIPLES, PLAIN_JSON, PLAIN_XML, PLAIN_XML_OLD, RDFXML, RESULTS_CSV,
                        RESULTS_FORMATS, RESULTS_JSON, RESULTS_TSV, RESULTS_XML, TURTLE, RdfFormat, ResultsFormat,
                        graph_format_name)
from ..negotiation import HTML, Variant

# A plain JSON or XML client gets the JSON or XML flavour of whatever the query form answers.
_RESULTS_BY_MEDIA_TYPE = {**{f.media_type: f for f in RESULTS_FORMATS},
                          PLAIN_JSON: RESULTS_JSON, PLAIN_XML: RESULTS_XML, PLAIN_XML_OLD: RESULTS_XML}
_GRAPH_BY_MEDIA_TYPE = {**{f.media_type: f for f in GRAPH_FORMATS},
                        PLAIN_JSON: JSONLD, PLAIN_XML: RDFXML, PLAIN_XML_OLD: RDFXML}
# What ``format=`` may name: both flavours where a name has two, e.g. json = SPARQL JSON or JSON-LD.
_BY_FORMAT_NAME: dict[str, tuple[ResultsFormat | None, RdfFormat | None]] = {
    "json": (RESULTS_JSON, JSONLD), "xml": (RESULTS_XML, RDFXML), "csv": (RESULTS_CSV, None),
    "tsv": (RESULTS_TSV, None),
    **{graph_format_name(f): (None, f) for f in GRAPH_FORMATS},
    **{f.extension: (None, f) for f in GRAPH_FORMATS},
    # the names SPARQLWrapper sends
    "n3": (None, TURTLE), "rdf+xml": (None, RDFXML), "json-ld": (None, JSONLD), "n-triples": (None, NTRIPLES),
    **{t: (_RESULTS_BY_MEDIA_TYPE.get(t), _GRAPH_BY_MEDIA_TYPE.get(t))
       for t in {*_RESULTS_BY_MEDIA_TYPE, *_GRAPH_BY_MEDIA_TYPE}},
}
FORMAT_NAMES = ("json", "xml", "csv", "tsv", *(graph_format_name(f) for f in GRAPH_FORMATS))
# The request parameters that name a format, first one given wins: ``format`` (the SPARQL 1.1 Protocol
# names none; Virtuoso's), ``output`` (Fuseki's, Joseki's), ``results`` (what SPARQLWrapper adds for others).
FORMAT_PARAMETERS = ("format", "output", "results")


def format_parameter(params) -> str | None:
    """The format a request names by parameter (``params``: a MultiDict), None for none."""
    return next((params[name] for name in FORMAT_PARAMETERS if params.get(name)), None)


def _bare(accept: MIMEAccept) -> MIMEAccept | None:
    """``accept`` without media-type parameters (Werkzeug would not match ``text/turtle;charset=utf-8``
    to ``text/turtle``); None when the client sent no Accept, which means anything goes."""
    values = [(parse_options_header(value)[0], quality) for value, quality in accept]
    return MIMEAccept(values) if values else None


def negotiate(accept: MIMEAccept, fmt: str | None) -> tuple[ResultsFormat | None, RdfFormat | None]:
    """The results format (for SELECT/ASK) and the RDF format (CONSTRUCT/DESCRIBE) to answer in.

    The ``format`` parameter wins over Accept, for clients that cannot set headers, for the forms it names
    a format of; Accept decides for the others. A None means nothing acceptable for that query form (the
    worker answers 406 when the query turns out to be one). Raises ValueError for a ``format`` value we
    do not know.
    """
    if fmt:
        key = fmt.strip().lower()
        key = parse_options_header(key)[0] if "/" in key else key
        if key not in _BY_FORMAT_NAME:
            raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMAT_NAMES)} or a media type")
        results, graph = _BY_FORMAT_NAME[key]
        if results is None or graph is None:
            by_accept = _by_accept(accept)
            results, graph = results or by_accept[0], graph or by_accept[1]
        return results, graph
    return _by_accept(accept)


def negotiate_header(accept: str | None, fmt: str | None) -> tuple[ResultsFormat | None, RdfFormat | None, bool]:
    """``negotiate`` for an Accept header as sent (None: none sent), and whether the client is a browser
    to be shown the query page (``wants_page``; never when a format is named). Raises ValueError as
    ``negotiate`` does.

    Remembered for the headers and formats most clients send: parsing and weighing an Accept header costs
    more than the rest of reading a query request."""
    if len(accept or "") <= _MEMO_ACCEPT and len(fmt or "") <= _MEMO_FORMAT:
        return _remembered(accept, fmt)
    return _negotiate_header(accept, fmt)


_MEMO_ACCEPT = 512  # characters of an Accept header whose outcome is remembered (browsers send ~100-300)
_MEMO_FORMAT = 64


@lru_cache(maxsize=256)
def _remembered(accept: str | None, fmt: str | None) -> tuple[ResultsFormat | None, RdfFormat | None, bool]:
    return _negotiate_header(accept, fmt)


def _negotiate_header(accept: str | None, fmt: str | None) -> tuple[ResultsFormat | None, RdfFormat | None, bool]:
    parsed = parse_accept_header(accept, MIMEAccept)
    page = fmt is None and wants_page(parsed)
    return (*negotiate(parsed, fmt), page)


def _by_accept(accept: MIMEAccept) -> tuple[ResultsFormat | None, RdfFormat | None]:
    bare = _bare(accept)
    if bare is None:
        return RESULTS_JSON, TURTLE
    results = bare.best_match(list(_RESULTS_BY_MEDIA_TYPE))
    graph = bare.best_match(list(_GRAPH_BY_MEDIA_TYPE))
    return (_RESULTS_BY_MEDIA_TYPE[results] if results else None,
            _GRAPH_BY_MEDIA_TYPE[graph] if graph else None)


def wants_page(accept: MIMEAccept) -> bool:
    """A browser: HTML preferred to every answer format (a browser's */* or application/xml rank lower)."""
    bare = _bare(accept)
    if bare is None:
        return False
    html = bare.quality(HTML.media_type)
    return html > 0 and bare.find(HTML.media_type) != -1 and all(
        bare.quality(t) < html for t in (*_RESULTS_BY_MEDIA_TYPE, *_GRAPH_BY_MEDIA_TYPE))


# The service description is RDF, or the query page for a browser.
DESCRIPTION_OFFERS = [*(f.media_type for f in GRAPH_FORMATS), PLAIN_JSON, PLAIN_XML, HTML.media_type]


def description_format(accept: MIMEAccept) -> RdfFormat | Variant | None:
    """The service description's format for ``accept``: Turtle to ``*/*`` or no Accept, HTML (the query
    page) for a browser, None when nothing offered is acceptable."""
    bare = _bare(accept)
    match = bare.best_match(DESCRIPTION_OFFERS) if bare is not None else GRAPH_FORMATS[0].media_type
    if match is None:
        return None
    return HTML if match == HTML.media_type else _GRAPH_BY_MEDIA_TYPE[match]
