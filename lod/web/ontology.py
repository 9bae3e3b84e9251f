"""The project's vocabularies on the web: ``{base}ontology/terms`` and ``{base}ontology/shapes`` (``lod.ontology``).

Each is a document as ``/doc/...`` ones are: negotiated (HTML, Turtle, N-Triples, RDF/XML, JSON-LD, and
N-Quads and TriG as the graph named by the document), with
``.ttl`` and the other extensions naming one variant; ``Content-Location``, ``Link: rel=alternate``,
``Vary: Accept``, ``ETag`` and ``Last-Modified``; ``406`` listing what is offered. The shapes' own IRIs
(``{base}ontology/shapes#Letter``) are hash IRIs of their document, so they dereference here too.

The files do not change while the server runs, so each answer is made once per process. The Turtle is
the file as written and the HTML page shows it so: its comments say why each rule is there.
"""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from .. import ontology
from ..namespaces import used_prefixes
from . import negotiation
from .negotiation import HTML, VARIANTS, Variant
from .pages import not_found

bp = Blueprint("ontology", __name__)


class _Shelf:
    """The published files of one app, read on first use, and each answer once made."""

    def __init__(self, folder: Path, base: str) -> None:
        self.folder, self.base = folder, base
        self._lock = threading.Lock()
        self._documents: dict[str, tuple[ontology.Published, datetime]] = {}
        self._bodies: dict[tuple[str, str], bytes] = {}

    def document(self, name: str) -> tuple[ontology.Published, datetime] | None:
        if name not in ontology.NAMES:
            return None
        with self._lock:
            if name not in self._documents:
                published = ontology.publish(self.folder, name, self.base)
                changed = datetime.fromtimestamp(int((self.folder / f"{name}.ttl").stat().st_mtime), timezone.utc)
                self._documents[name] = (published, changed)
            return self._documents[name]

    def body(self, published: ontology.Published, variant: Variant) -> bytes:
        key = (published.name, variant.extension)
        with self._lock:
            kept = self._bodies.get(key)
        if kept is not None:
            return kept
        body = _render(published, variant)
        with self._lock:
            self._bodies[key] = body
        return body


@bp.record_once
def _at_start(state) -> None:
    settings = state.app.config["SETTINGS"]
    state.app.extensions["lod.ontology"] = _Shelf(Path(settings.ontology), settings.base)


@bp.get("/ontology/<name>")
def vocabulary(name: str) -> Response:
    """The published terms or shapes, in the negotiated format or the one the extension names."""
    stem, dot, ext = name.partition(".")
    variant = negotiation.BY_EXTENSION.get(ext) if dot else None
    found = current_app.extensions["lod.ontology"].document(stem)
    if found is None or (dot and variant is None):
        return _not_found(variant)
    published, changed = found
    negotiated = variant is None
    if negotiated:
        variant = negotiation.negotiate(request.accept_mimetypes)
        if variant is None:
            return _not_acceptable(published.uri)
    body = current_app.extensions["lod.ontology"].body(published, variant)
    response = Response(body, 200, content_type=variant.content_type)
    response.headers["Content-Location"] = f"{published.uri}.{variant.extension}"
    response.headers["Link"] = ", ".join(f'<{published.uri}.{v.extension}>; rel="alternate"; type="{v.media_type}"'
                                         for v in VARIANTS if v != variant)
    if negotiated:
        response.vary.add("Accept")
    response.set_etag(hashlib.sha256(body).hexdigest()[:40])
    response.last_modified = changed
    return response  # the 304 is decided with the encoding, as for every answer (lod.web.encoding)


def _render(published: ontology.Published, variant: Variant) -> bytes:
    if variant.rdf is not None and variant.rdf.oxigraph == ox.RdfFormat.TURTLE:
        return published.turtle
    if variant is HTML:
        alternates = [{"href": f"{published.uri}.{v.extension}", "type": v.media_type, "label": v.label}
                      for v in VARIANTS if v is not HTML]
        return render_template("ontology.html", title=published.title, uri=published.uri, alternates=alternates,
                               turtle=published.turtle.decode("utf-8"),
                               base=current_app.config["SETTINGS"].base, kind="ontology").encode("utf-8")
    triples = published.triples()
    prefixes = used_prefixes(triples, {"lodsh": published.uri + "#"} if published.name == ontology.SHAPES else None)
    return negotiation.serialize(triples, variant.rdf, published.uri, prefixes)


def _not_acceptable(uri: str) -> Response:
    lines = "".join(f"  {v.media_type}  {uri}.{v.extension}\n" for v in VARIANTS)
    response = Response(f"406 Not Acceptable: this document is offered as\n{lines}", 406,
                        content_type="text/plain; charset=utf-8")
    response.vary.add("Accept")
    return response


def _not_found(variant: Variant | None) -> Response:
    return not_found(f"404 Not Found: this dataset publishes {' and '.join(ontology.NAMES)} under /ontology/\n",
                     variant)
