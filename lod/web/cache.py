"""Answers rendered once and served again while the store behind them cannot change.

A store we hold ourselves (in memory, or a store directory opened read-only) does not change while it
is served, so a document rendered once is the same the next time. Asked again, it is answered here,
in front of Flask: a dictionary lookup instead of routing, three store queries and a serialisation.
A remote store can change under us, so nothing is kept then (``create_app`` decides).

An answer is kept under everything it depends on: the path, the query string, the variant the
Accept header selects (``negotiation.negotiate``) and the encoding Accept-Encoding allows
(``encoding.chosen``; kept compressed, as sent), never the headers themselves, which a client may
make hundreds of kilobytes long and different every time. Nothing we answer depends on the Host or
the scheme of the request (every URL we write comes from the configured base, redirects included), so
neither is part of a key, and a path and query string longer than any of ours is not kept. Only complete
200 and 303 answers of the routes in ``ROUTES`` are kept, each process keeps its own, and the least
recently used go first once ``max_bytes`` are held, keys and headers counted with the bodies.
Conditional requests and HEAD are answered from the kept answer as Flask would answer them.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from functools import lru_cache

from flask import Flask, Response, g, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import is_resource_modified, parse_accept_header, parse_date, remove_entity_headers

from ..formats import JSONLD
from . import profiles
from .encoding import chosen
from .negotiation import TEXT_VARIANTS, VARIANTS, negotiate

# Endpoints whose answers depend on the store and the request line only; not the SPARQL endpoint (a
# query is not a document), not the dumps (files, streamed), not /health.
ROUTES = frozenset({"ld.thing", "ld.document", "ld.dataset", "ld.dataset_node", "ld.well_known_void",
                    "ld.sitemap", "pages.home", "pages.timeline", "jsonld.context", "jsonld.linked_art_record"})
_KEPT_STATUS = (200, 303)
_OVERHEAD = 256  # bytes counted per answer beyond its key, headers and body: the bookkeeping
MAX_KEY = 4096  # characters of path and query string; ours are at most 2,000 (ld.MAX_PATH) and a page number
_MEMO_ACCEPT = 512  # Accept headers up to this long have their variant remembered (browsers send ~100-300)


@dataclass(frozen=True)
class Kept:
    status: str  # as WSGI wants it: "200 OK"
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + _OVERHEAD

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name), None)


class ResponseCache:
    """At most ``max_bytes`` of answers, least recently used dropped first; safe across threads."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._kept: OrderedDict[tuple, tuple[Kept, int]] = OrderedDict()  # each with the bytes it counts
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, key: tuple) -> Kept | None:
        with self._lock:
            entry = self._kept.get(key)
            if entry is None:
                return None
            self._kept.move_to_end(key)
            return entry[0]

    def put(self, key: tuple, kept: Kept) -> None:
        size = kept.size + sum(len(str(part)) for part in key)
        if size > self.max_bytes // 8:
            return  # one huge answer would push out hundreds of small ones
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._kept[key] = (kept, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._kept.popitem(last=False)
                self._bytes -= dropped


def key(environ: dict) -> tuple[str, str, str, str] | None:
    """What a kept answer depends on; None for a request no answer is kept for."""
    path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    if len(path) + len(query) > MAX_KEY:
        return None
    return (*key_for(path, query, environ.get("HTTP_ACCEPT", "")), chosen(environ.get("HTTP_ACCEPT_ENCODING", "")))


def key_for(path: str, query: str, accept: str) -> tuple[str, str, str]:
    """The part of a key that does not depend on the encoding, for a request with this Accept header."""
    return (path, query, _remembered_variant(accept) if len(accept) <= _MEMO_ACCEPT else _variant(accept))


def _variant(accept: str) -> str:
    """The variants ``accept`` selects, as the routes negotiate them (extensions; "406" for none): of a
    document, and of a text node's, where ``text/plain`` is the text and not N-Triples. Both, because a
    key does not know which kind of node its path names."""
    parsed = parse_accept_header(accept, MIMEAccept)
    selected = (negotiate(parsed, VARIANTS), negotiate(parsed, TEXT_VARIANTS))
    key = "|".join(variant.extension if variant else "406" for variant in selected)
    # JSON-LD comes in several forms, by the profile asked for.
    return f"{key} {profiles.key(parsed)}" if any(v is not None and v.rdf == JSONLD for v in selected) else key


@lru_cache(maxsize=256)
def _remembered_variant(accept: str) -> str:
    # Parsing an Accept header costs more than answering from the cache; browsers send a handful of them.
    return _variant(accept)


AccessLog = Callable[[dict, int, int | None, float, str], None]


class KeptAnswers:
    """WSGI middleware: a GET or HEAD whose answer is kept is answered without the app."""

    def __init__(self, app: Callable, cache: ResponseCache | None, access_log: AccessLog, stored=None) -> None:
        """``stored``: the answers rendered when the store was loaded (``stored.StoredAnswers``), if any."""
        self.app, self.cache, self.access_log, self.stored = app, cache, access_log, stored

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD")
        found = key(environ) if method in ("GET", "HEAD") else None
        kept = self.cache.get(found) if found is not None and self.cache is not None else None
        source = "hit"
        if kept is None and found is not None and self.stored is not None:
            kept, source = self.stored.get(*found), "stored"
            if kept is not None and self.cache is not None:
                self.cache.put(found, kept)  # inflated or not, as sent: the next time is a dictionary lookup
        if kept is None:
            return self.app(environ, start_response)
        status, headers, body = kept.status, list(kept.headers), kept.body
        etag, modified = kept.header("etag"), kept.header("last-modified")
        if (etag or modified) and not is_resource_modified(
                environ, etag=etag.strip('"') if etag else None,
                last_modified=parse_date(modified) if modified else None):
            status, body = "304 NOT MODIFIED", b""
            remove_entity_headers(headers)
        start_response(status, headers)
        self.access_log(environ, int(status[:3]), len(kept.body), (time.perf_counter() - started) * 1000, source)
        return [] if method == "HEAD" else [body]


def install(app: Flask, cache: ResponseCache | None, access_log: AccessLog, stored=None) -> None:
    """Answer kept answers (and ``stored`` ones) in front of ``app``; keep what its cacheable routes answer
    in full, when there is a ``cache``."""

    @app.after_request
    def _keep(response: Response) -> Response:
        if cache is not None and request.method in ("GET", "HEAD") and request.endpoint in ROUTES:
            g.cache = "miss"
            kept_under = key(request.environ)
            if response.status_code in _KEPT_STATUS and not response.is_streamed and kept_under is not None:
                cache.put(kept_under, Kept(response.status, tuple(response.headers.items()), response.get_data()))
        return response

    app.wsgi_app = KeptAnswers(app.wsgi_app, cache, access_log, stored)  # type: ignore[method-assign]
