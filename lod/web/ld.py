"""Linked Data over HTTP: things, their documents, the dataset description, the dumps.

- ``/id/{kind}/{slug}[/below]`` names a thing; it never answers 200 but ``303 See Other`` to
  ``/doc/{kind}/{slug}[/below]`` (docs/design.md, "URIs").
- ``/doc/...`` negotiates HTML or an RDF format (``negotiation.py``); ``/doc/....ttl`` and the other
  extensions name one variant each and skip negotiation. A text node that holds its text
  (``/doc/text/{slug}``) is also plain text (``.txt``, ``text/plain``): the file the offsets count in.
- ``/void`` is the dataset description (negotiated the same way); its nodes are hash IRIs of it
  (``lod.void``); ``/void/...`` nodes of other data 303 to it, ``/.well-known/void`` too.
- ``/dumps/`` lists the built files and serves them; ``/robots.txt`` and ``/sitemap.xml`` for crawlers.

A request path maps to a URI as ``settings.base + path``, so the data's URIs and the server's
routes agree whatever host the base names.
"""
from __future__ import annotations

import hashlib
import html
import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request

from .. import cmif, void
from ..formats import BY_EXTENSION as RDF_BY_EXTENSION
from ..formats import JSONLD, PLAIN_JSON
from ..namespaces import NS, used_prefixes
from ..uris import parse_path
from . import jsonld, negotiation, profiles, readmodel
from .encoding import send_file_encoded
from .negotiation import HTML, PLAIN_TEXT, TEXT_VARIANTS, VARIANTS, Variant
from .pages import not_found, render_document

bp = Blueprint("ld", __name__)

MAX_PATH = 2000  # characters; no URI of ours comes near, so longer paths are not looked up
MAX_PAGE = 1_000_000

CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
_RDF_TYPE = ox.NamedNode(NS.rdf + "type")
_CONTENT = ox.NamedNode(NS.crm + "P190_has_symbolic_content")
_BY_EXTENSION = {v.extension: v for v in TEXT_VARIANTS}  # a document's; /void has no .txt


# --- what the app knows from the start ------------------------------------------------


class _Site:
    """What every route needs to know of the site; the description and the sitemap are made on first use.

    An embedded store mostly comes with the statistics of /void, counted where its data was built or
    loaded, and always with its sorted subjects, which hold the sitemap's things: both are then quick. A
    remote store's are counted on first use: that lets a server whose store is down at start come up
    anyway, and count once the store answers.
    """

    def __init__(self, base: str, out: Path | None, page_size: int, built: datetime | None, store) -> None:
        self.base, self.out, self.page_size, self.built = base, out, page_size, built
        self._store = store
        self._lock = threading.Lock()
        self._void: list[ox.Triple] | None = None
        self._void_subjects: frozenset[str] = frozenset()
        self._things: tuple[str, ...] | None = None

    @property
    def void(self) -> list[ox.Triple]:
        """The dataset description, statistics included."""
        with self._lock:
            if self._void is None:
                self._void = _sorted(void.served(self._store, self.base, self._store.statistics))
                self._void_subjects = frozenset(t.subject.value for t in self._void)
            return self._void

    @property
    def void_subjects(self) -> frozenset[str]:
        self.void
        return self._void_subjects

    @property
    def things(self) -> tuple[str, ...]:
        """The main things (no nodes below), for the sitemap."""
        with self._lock:
            if self._things is None:
                subjects = getattr(self._store, "subjects", None)  # an embedded store's: no query to make
                self._things = tuple(readmodel.main_things(self._store, self.base) if subjects is None
                                     else readmodel.listed_main_things(subjects, self.base))
            return self._things


@bp.record_once
def _at_start(state) -> None:
    app = state.app
    settings = app.config["SETTINGS"]
    out = Path(settings.out) if settings.out is not None else None
    app.extensions["lod.ld"] = _Site(settings.base, out, settings.page_size, built(out), app.extensions["lod.store"])


def built(out: Path | None) -> datetime | None:
    """When the dumps served from ``out`` were built (their SHA256SUMS): every document's Last-Modified."""
    sums = out / "SHA256SUMS" if out is not None else None
    return datetime.fromtimestamp(int(sums.stat().st_mtime), timezone.utc) if sums and sums.exists() else None


def _site() -> _Site:
    return current_app.extensions["lod.ld"]


def _store():
    return current_app.extensions["lod.store"]


def _key(term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _sorted(triples) -> list[ox.Triple]:
    # IRIs by value, as the dumps sort them, so that <x> comes before <x/time>; stable bodies, stable ETags.
    return sorted(set(triples), key=lambda t: (_key(t.subject), _key(t.predicate), _key(t.object)))


# --- things and their documents -----------------------------------------------------------


@bp.get("/id/<path:rest>")
def thing(rest: str) -> Response:
    """303 See Other to the document, for every URI in the data; 404 for any other."""
    if not _valid(rest) or not _store().exists(_site().base + "id/" + rest):
        return _not_found()
    location = _site().base + "doc/" + rest
    if request.query_string:
        location += "?" + _query_string()
    response = Response(f"See {location}\n", 303, content_type="text/plain; charset=utf-8")
    response.headers["Location"] = location
    response.vary.add("Accept")  # the first step of a negotiated exchange; its 404 twin is negotiated too
    return response


@bp.get("/doc/<path:rest>")
def document(rest: str) -> Response:
    """The document about ``{base}id/{rest}``, in the negotiated format or the one its extension names."""
    rest, variant = _split_extension(rest)
    if rest is None or not _valid(rest):
        return _not_found(variant)
    site = _site()
    uri = site.base + "id/" + rest
    page = _page()
    triples, more = _store().document(uri, limit=site.page_size, offset=(page - 1) * site.page_size)
    # A thing with triples of its own exists; one without may still be linked to (asked only then).
    topic = ox.NamedNode(uri)
    if not any(t.subject == topic for t in triples) and not _store().exists(uri):
        return _not_found(variant)
    if page > 1 and not _has_incoming(triples, uri):
        return _not_found(variant)  # past the last page
    text = _stored_text(rest, uri, triples)
    # The text is whole on the first page; later pages are of incoming links only.
    variants = TEXT_VARIANTS if text is not None and page == 1 else VARIANTS
    if variant is PLAIN_TEXT and text is None:
        return _no_stored_text(uri)
    if variant is PLAIN_TEXT and page > 1:
        return _not_found(variant)  # one page, the first
    doc = site.base + "doc/" + rest
    here = _page_url(doc, page)
    this = ox.NamedNode(here)
    triples = list(triples) + [
        ox.Triple(this, _RDF_TYPE, ox.NamedNode(NS.foaf + "Document")),
        ox.Triple(this, ox.NamedNode(NS.foaf + "primaryTopic"), ox.NamedNode(uri)),
        ox.Triple(this, ox.NamedNode(NS.dcterms + "license"), ox.NamedNode(CC0)),
        ox.Triple(this, ox.NamedNode(NS.void + "inDataset"), ox.NamedNode(site.base + "void")),
    ]
    if more:
        triples.append(ox.Triple(this, ox.NamedNode(NS.hydra + "next"), ox.NamedNode(_page_url(doc, page + 1))))
    if page > 1:
        triples.append(ox.Triple(this, ox.NamedNode(NS.hydra + "previous"), ox.NamedNode(_page_url(doc, page - 1))))
    return _represent(doc, uri, _sorted(triples), variant, page=page, more=more, variants=variants, text=text)


def _stored_text(rest: str, uri: str, triples: list[ox.Triple]) -> str | None:
    """The text a text node holds (``crm:P190_has_symbolic_content`` of ``{base}id/text/{slug}``), from its
    document, so that it is the store's whichever store that is; None for any other thing or node."""
    parsed = parse_path(rest)
    if parsed is None or parsed.kind != "text" or not parsed.main:
        return None  # a note or a name holds a text too, but not a file the offsets count in
    this = ox.NamedNode(uri)
    return next((t.object.value for t in triples
                 if t.subject == this and t.predicate == _CONTENT and isinstance(t.object, ox.Literal)), None)


def _no_stored_text(uri: str) -> Response:
    body = (f"404 Not Found: <{uri}> holds no stored text to serve as text/plain. The text of a letter, "
            f"as stored, is at {_site().base}doc/text/{{slug}}.txt, where {_site().base}id/text/{{slug}} "
            "is what the letter's prov:wasDerivedFrom names.\n")
    return Response(body, 404, content_type="text/plain; charset=utf-8")


def _valid(rest: str) -> bool:
    """Could ``rest`` (after /id/ or /doc/) be one of our URIs? The server has decoded it already, so an
    encoded slash (``lenin%2Fname``) reads as ``lenin/name``: the WSGI server keeps no raw path.

    A kind, a slug (lower-case words joined by hyphens), then any nodes below it: checked before the
    store is asked, so that no odd path (Cyrillic, "..", quotes, angle brackets) ever reaches a SPARQL
    query or an IRI constructor."""
    return len(rest) <= MAX_PATH and parse_path(rest) is not None


def _split_extension(rest: str) -> tuple[str | None, Variant | None]:
    """``person/lenin.ttl`` -> (``person/lenin``, Turtle); no extension -> (rest, None); unknown -> (None, None)."""
    last = rest.rsplit("/", 1)[-1]
    if "." not in last:
        return rest, None
    stem, ext = rest.rsplit(".", 1)
    variant = _BY_EXTENSION.get(ext)
    return (stem, variant) if variant else (None, None)


def _page() -> int:
    """The page of incoming links asked for (``?page=N``, from 1); anything else is a 400."""
    values = request.args.getlist("page")
    if not values:
        return 1
    if len(values) > 1 or not re.fullmatch(r"[1-9][0-9]{0,6}", values[0]) or int(values[0]) > MAX_PAGE:
        abort(400, description=f"page must be a whole number from 1 to {MAX_PAGE}, given once")
    return int(values[0])


def _page_url(doc: str, page: int) -> str:
    return doc if page == 1 else f"{doc}?page={page}"


def _has_incoming(triples: list[ox.Triple], uri: str) -> bool:
    node = ox.NamedNode(uri)
    return any(t.object == node and t.subject != node and not _key(t.subject).startswith(uri + "/") for t in triples)


def _query_string() -> str:
    # Kept as sent, but never with raw bytes that would break the Location header.
    return quote(request.query_string, safe="&=+%;/?:@,$!*'()~[]")


# --- the dataset description ---------------------------------------------------------------


@bp.get("/void")
@bp.get("/void.<ext>")
def dataset(ext: str | None = None) -> Response:
    variant = None
    if ext is not None:
        variant = negotiation.BY_EXTENSION.get(ext)
        if variant is None:
            return _not_found(None)
    site = _site()
    return _represent(site.base + "void", site.base + "void", site.void, variant)


@bp.get("/void/<path:rest>")
def dataset_node(rest: str) -> Response:
    """Nodes of the description (the build, the partitions) are described in /void: 303 there."""
    site = _site()
    if len(rest) > MAX_PATH or site.base + "void/" + rest not in site.void_subjects:
        return _not_found()
    return _see_other(site.base + "void")


@bp.get("/.well-known/void")
def well_known_void() -> Response:
    return _see_other(_site().base + "void")


def _see_other(location: str) -> Response:
    response = Response(f"See {location}\n", 303, content_type="text/plain; charset=utf-8")
    response.headers["Location"] = location
    return response


# --- one document, many representations ----------------------------------------------------


def _variant_url(doc: str, variant: Variant, page: int = 1) -> str:
    return _page_url(f"{doc}.{variant.extension}", page)


def _represent(doc: str, topic: str, triples: list[ox.Triple], variant: Variant | None, *,
               page: int = 1, more: bool = False, variants: tuple[Variant, ...] = VARIANTS,
               text: str | None = None) -> Response:
    """Serialise ``triples`` as ``variant``, or as the one of ``variants`` the Accept header asks for when it
    is None; ``text``: the stored text, for the plain-text variant."""
    negotiated = variant is None
    if negotiated:
        variant = negotiation.negotiate(request.accept_mimetypes, variants)
        if variant is None:
            return _not_acceptable(doc, page, variants)
    alternates = [(_variant_url(doc, v, page), v.media_type) for v in variants if v != variant]
    record = jsonld.has_record(topic, triples)
    form = None  # the JSON-LD profile answered, for JSON-LD
    content_type, location = variant.content_type, _variant_url(doc, variant, page)
    if variant is HTML:
        rdf_alternates = [(url, media_type) for url, media_type in alternates if media_type != HTML.media_type]
        body = render_document(topic, triples, rdf_alternates).encode("utf-8")
    elif variant is PLAIN_TEXT:
        body = text.encode("utf-8")  # the file as stored, byte for byte: what the offsets count in
    elif variant.rdf == JSONLD:
        asked = profiles.requested(request.accept_mimetypes) if negotiated else frozenset()
        form = profiles.form(asked, linked_art=record)
        body = jsonld.record(_store(), topic) if form == profiles.LINKED_ART else None
        if body is None:  # a Linked Art record is the only form that can be missing
            form = profiles.form(asked - {profiles.LINKED_ART}, linked_art=False)
            body = jsonld.render(form, triples, _site().base)
        content_type = jsonld.content_type(form)
        # Only the compacted form and the record have URLs of their own.
        location = (doc + jsonld.RECORD_EXTENSION if form == profiles.LINKED_ART
                    else location if form == jsonld.COMPACTED else None)
    else:
        body = negotiation.serialize(triples, variant.rdf, _page_url(doc, page),
                                     used_prefixes(triples, {"hydra": NS.hydra}))
    response = Response(body, 200, content_type=content_type)
    if location is not None:
        response.headers["Content-Location"] = location
    links = [f'<{url}>; rel="alternate"; type="{media_type}"' for url, media_type in alternates]
    if record:
        # No type="application/ld+json": JSON-LD clients follow such a link to "the JSON-LD" (rdflib does even
        # when the answer is JSON-LD already), and this one is the Linked Art record, not the document.
        links.append(f'<{doc}{jsonld.RECORD_EXTENSION}>; rel="alternate"; profile="{profiles.LINKED_ART}"')
    if variant is not PLAIN_TEXT:  # the text is the thing's content, whole: it neither describes nor pages
        links.append(f'<{topic}>; rel="describes"')
        nav = (lambda n: _page_url(doc, n)) if negotiated else (lambda n: _variant_url(doc, variant, n))
        if more:
            links.append(f'<{nav(page + 1)}>; rel="next"')
        if page > 1:
            links.append(f'<{nav(page - 1)}>; rel="prev"')
    response.headers["Link"] = ", ".join(links)
    if form is not None:
        jsonld.mark_profile(response, form)
    if negotiated:
        response.vary.add("Accept")
    return _conditional(response, body)


def _conditional(response: Response, body: bytes) -> Response:
    """Strong ETag from the bytes, Last-Modified from the build. The 304 is decided once the answer's
    encoding is, which changes its ETag (``lod.web.encoding``)."""
    response.set_etag(hashlib.sha256(body).hexdigest()[:40])
    if _site().built is not None:
        response.last_modified = _site().built
    return response


def _not_acceptable(doc: str, page: int = 1, variants: tuple[Variant, ...] = VARIANTS) -> Response:
    lines = [f"{v.media_type}  {_variant_url(doc, v, page)}" for v in variants]
    lines += [f"{alias}  (answered as {v.media_type})" for alias, v in negotiation.aliases(variants).items()]
    body = "406 Not Acceptable: this document is offered as\n" + "\n".join(f"  {line}" for line in lines) + "\n"
    response = Response(body, 406, content_type="text/plain; charset=utf-8")
    response.headers["Link"] = ", ".join(f'<{_variant_url(doc, v, page)}>; rel="alternate"; type="{v.media_type}"'
                                         for v in variants)
    response.vary.add("Accept")
    return response


def _not_found(variant: Variant | None = None) -> Response:
    uri = _site().base + request.path.lstrip("/")
    return not_found(f"404 Not Found: nothing in this dataset is called <{uri[:MAX_PATH]}>\n", variant)


# --- dumps, robots, sitemap ----------------------------------------------------------------


def _dump_names() -> list[str]:
    out = _site().out
    if out is None or not out.is_dir():
        return []
    return sorted(p.name for p in out.iterdir() if p.is_file() and not p.name.startswith("."))


def _sums() -> dict[str, str]:
    if _site().out is None or not (_site().out / "SHA256SUMS").exists():
        return {}
    path = _site().out / "SHA256SUMS"
    pairs = (line.split(None, 1) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {name.strip().lstrip("*"): digest for digest, name in pairs}


def _dump_type(name: str) -> str:
    """The Content-Type of a dump file, from the format table for the RDF ones."""
    if name.endswith(".gz"):
        return "application/gzip"
    if name == cmif.DUMP_FILE:
        return cmif.CONTENT_TYPE
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext in RDF_BY_EXTENSION:
        return RDF_BY_EXTENSION[ext].content_type
    if name == "SHA256SUMS":
        return "text/plain; charset=utf-8"
    if ext == "json":
        return PLAIN_JSON
    return "application/octet-stream"


@bp.get("/dumps/")
def dumps_index() -> Response:
    names, sums, out = _dump_names(), _sums(), _site().out
    plain = request.accept_mimetypes.best_match(["text/html", "text/plain"]) == "text/plain"
    if plain:
        body = "".join(f"{_site().base}dumps/{n}\n" for n in names)
        response = Response(body, content_type="text/plain; charset=utf-8")
    else:
        e = html.escape
        rows = "\n".join(f'<tr><td><a href="{e(n)}">{e(n)}</a></td><td>{e(_dump_type(n))}</td>'
                         f'<td>{(out / n).stat().st_size}</td><td><code>{e(sums.get(n, ""))}</code></td></tr>'
                         for n in names)
        body = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Dumps</title>'
                '<link rel="icon" href="data:,"></head><body>'
                '<h1>Dumps of the whole dataset</h1><p>Described in <a href="../void">the dataset description</a>.</p>\n'
                f"<table><tr><th>file</th><th>type</th><th>bytes</th><th>SHA-256</th></tr>\n{rows}\n</table>"
                "</body></html>\n")
        response = Response(body, content_type=HTML.content_type)
    response.vary.add("Accept")
    return response


@bp.get("/dumps/<name>")
def dump(name: str) -> Response:
    """A file of the dumps folder, by a name from its listing only (no path ever reaches the file system);
    an uncompressed one as its gzip twin to a client that accepts gzip (``send_file_encoded``)."""
    if name not in _dump_names():
        return _not_found()
    response = send_file_encoded(_site().out / name, _dump_type(name), _sums().get(name), request)
    response.headers["Link"] = f'<{_site().base}void>; rel="describedby"'
    return response


@bp.get("/robots.txt")
def robots() -> Response:
    return Response(f"User-agent: *\nAllow: /\n\nSitemap: {_site().base}sitemap.xml\n",
                    content_type="text/plain; charset=utf-8")


SITEMAP_URLS = 50_000  # the most a sitemap file may list (sitemaps.org); past that, an index of files


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every document about a main thing (the nodes below things are in their documents); more than one
    file holds, an index of the files ``/sitemap-{n}.xml``."""
    site = _site()
    things = site.things
    if len(things) <= SITEMAP_URLS:
        return _urlset(site, things)
    lastmod = f"<lastmod>{site.built.date().isoformat()}</lastmod>" if site.built else ""
    files = "".join(f"<sitemap><loc>{html.escape(site.base)}sitemap-{n}.xml</loc>{lastmod}</sitemap>\n"
                    for n in range(1, -(-len(things) // SITEMAP_URLS) + 1))
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{files}</sitemapindex>\n')
    return Response(body, content_type="application/xml; charset=utf-8")


@bp.get("/sitemap-<int:n>.xml")
def sitemap_part(n: int) -> Response:
    site = _site()
    things = site.things
    if len(things) <= SITEMAP_URLS or not 1 <= n <= -(-len(things) // SITEMAP_URLS):
        return Response(f"No sitemap file {n}: /sitemap.xml lists the files there are.\n", status=404,
                        content_type="text/plain; charset=utf-8")
    return _urlset(site, things[(n - 1) * SITEMAP_URLS:n * SITEMAP_URLS])


def _urlset(site: _Site, things) -> Response:
    lastmod = f"<lastmod>{site.built.date().isoformat()}</lastmod>" if site.built else ""
    urls = "".join(f"<url><loc>{html.escape(site.base + 'doc/' + uri[len(site.base) + 3:])}</loc>{lastmod}</url>\n"
                   for uri in things)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')
    return Response(body, content_type="application/xml; charset=utf-8")

