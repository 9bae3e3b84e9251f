"""JSON-LD answers: our context at a stable URL, the forms of a document, and Linked Art records.

- ``/ns/context.jsonld`` is the context every JSON-LD document names (``lod.jsonld.CONTEXT``); it never
  changes while the server runs, so it is cacheable for a day and carries a strong ETag.
- ``/doc/{kind}/{slug}[/below].la.json`` is the Linked Art record of a letter, person, group, place or
  event (``lod.linkedart``); the same record answers a document asked for with
  ``Accept: application/ld+json;profile="https://linked.art/ns/v1/linked-art.json"`` (``ld._represent``).
"""
from __future__ import annotations

import hashlib

import pyoxigraph as ox
from flask import Blueprint, Response, request

from .. import jsonld, linkedart
from ..jsonld import COMPACTED, EXPANDED, FLATTENED
from ..namespaces import NS
from ..uris import parse_path
from .profiles import JSONLD_TYPE, LINKED_ART

bp = Blueprint("jsonld", __name__)

RECORD_EXTENSION = ".la.json"
CONTEXT_MAX_AGE = 86400  # seconds; the context changes only with a new release of the software
_CONTEXT = jsonld.context_document()
_CONTEXT_ETAG = hashlib.sha256(_CONTEXT).hexdigest()[:40]
_RDF_TYPE = NS.rdf + "type"


def context_url(base: str) -> str:
    return base + jsonld.CONTEXT_PATH


def has_record(topic: str, triples: list[ox.Triple]) -> bool:
    """Whether the thing a document is about has a Linked Art record (by the classes the document gives it)."""
    return linkedart.record_class(t.object.value for t in triples
                                  if t.subject.value == topic and t.predicate.value == _RDF_TYPE) is not None


def render(form: str, triples: list[ox.Triple], base: str) -> bytes:
    """A document's triples in one of the JSON-LD forms (not Linked Art: see ``record``)."""
    if form == EXPANDED:
        return jsonld.expanded(triples)
    if form == FLATTENED:
        return jsonld.flattened(triples)
    return jsonld.compacted(triples, context_url(base))


def content_type(form: str) -> str:
    # Linked Art's API names its profile in the media type; our own forms keep the plain JSON-LD type.
    if form == LINKED_ART:
        return f'{JSONLD_TYPE};profile="{LINKED_ART}"'
    return f"{JSONLD_TYPE}; charset=utf-8"


def mark_profile(response: Response, form: str) -> None:
    """Say which profile the body follows (RFC 6906 ``rel=profile``, and Content-Profile)."""
    response.headers["Content-Profile"] = f"<{form}>"
    link = response.headers.get("Link")
    response.headers["Link"] = (f"{link}, " if link else "") + f'<{form}>; rel="profile"'


def record(store, topic: str) -> bytes | None:
    """The Linked Art record of ``topic`` as bytes; None if it has none."""
    rec = linkedart.record(topic, linkedart.gather(store, topic))
    return None if rec is None else linkedart.to_json(rec)


@bp.get("/" + jsonld.CONTEXT_PATH)
def context() -> Response:
    response = Response(_CONTEXT, content_type=f"{JSONLD_TYPE}; charset=utf-8")
    response.set_etag(_CONTEXT_ETAG)
    response.cache_control.public = True
    response.cache_control.max_age = CONTEXT_MAX_AGE
    response.headers["Access-Control-Allow-Origin"] = "*"  # contexts are fetched by scripts on any origin
    return response.make_conditional(request)


@bp.get(f"/doc/<path:rest>{RECORD_EXTENSION}")
def linked_art_record(rest: str) -> Response:
    """The Linked Art record of ``{base}id/{rest}``; 404 as for other documents when there is none."""
    from .ld import (  # ld imports this module
        MAX_PATH,
        _conditional,
        _not_found,
        _site,
        _store,
    )
    from .negotiation import BY_EXTENSION

    as_json = BY_EXTENSION["jsonld"]  # a 404 in the format the extension names, as for .jsonld
    if len(rest) > MAX_PATH or parse_path(rest) is None:
        return _not_found(as_json)
    topic = _site().base + "id/" + rest
    body = record(_store(), topic) if _store().exists(topic) else None
    if body is None:
        return _not_found(as_json)
    response = Response(body, 200, content_type=content_type(LINKED_ART))
    response.headers["Content-Location"] = _site().base + f"doc/{rest}{RECORD_EXTENSION}"
    response.headers["Link"] = (f'<{_site().base}doc/{rest}>; rel="alternate"; type="text/html", '
                                f'<{topic}>; rel="describes"')
    mark_profile(response, LINKED_ART)
    return _conditional(response, body)


__all__ = [
    "COMPACTED",
    "EXPANDED",
    "FLATTENED",
    "LINKED_ART",
    "RECORD_EXTENSION",
    "bp",
    "content_type",
    "context_url",
    "has_record",
    "mark_profile",
    "record",
    "render",
]
