"""Answers gzipped for clients that accept it, and conditional requests answered once the encoding is known.

A SELECT of 10,000 rows is 720 KB of JSON and 34 KB gzipped; a letter's page 180 KB of HTML. Every
answer of a textual type over ``MIN_SIZE`` bytes that the app renders (documents, pages, SPARQL answers,
/void) is gzipped here when the request's Accept-Encoding allows gzip, and says ``Vary: Accept-Encoding``
either way. Files (the dumps, static files) are streamed and left alone: the uncompressed dumps have
their gzip twin on disk already, which is sent instead (``send_file_encoded``).

Each encoding is a representation of its own with an ETag of its own: the identity ETag with ``-gzip``
inside the quotes. The 304 is therefore decided here, after the encoding (``install``), and a client
gets it for the ETag of what it would be sent now, whichever encoding it kept. The kept answers of
``lod.web.cache`` are kept as sent, compressed: compressed once, served many times. Brotli is not
offered: it is not a dependency, and gzip already takes these answers to a twentieth.
"""
from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from flask import Flask, Request, Response, request, send_file
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header

MIN_SIZE = 1024  # bytes; below that a gzip header and a round of CPU buy little
LEVEL = 6  # zlib's default: within a few per cent of 9 on these answers, at a third of the time
GZIP = "gzip"
IDENTITY = "identity"
_TEXTUAL = ("application/json", "application/xml", "application/javascript", "application/n-triples",
            "application/n-quads", "application/trig", "image/svg+xml")
_MEMO = 256  # Accept-Encoding values up to this long have their choice remembered (browsers send ~30)


def chosen(accept_encoding: str) -> str:
    """``gzip`` when the Accept-Encoding header allows it (``gzip``, ``x-gzip`` or ``*`` with q > 0), else
    ``identity``: the encoding a compressible answer is sent in, and part of a kept answer's key."""
    if not accept_encoding:
        return IDENTITY
    return _remembered(accept_encoding) if len(accept_encoding) <= _MEMO else _choose(accept_encoding)


def _choose(accept_encoding: str) -> str:
    accepted = parse_accept_header(accept_encoding, Accept)
    return GZIP if max(accepted.quality(GZIP), accepted.quality("x-gzip")) > 0 else IDENTITY


@lru_cache(maxsize=64)
def _remembered(accept_encoding: str) -> str:
    return _choose(accept_encoding)


def compressible(media_type: str) -> bool:
    """Text that gzip shrinks: every text/*, JSON, XML and RDF syntax; not gzip files, not images."""
    media_type = media_type.split(";", 1)[0].strip().lower()
    return (media_type.startswith("text/") or media_type in _TEXTUAL
            or media_type.endswith(("+json", "+xml")))


def encode(response: Response, req: Request) -> Response:
    """``response`` gzipped when it is worth it and ``req`` accepts it, its ETag marked as the gzip one."""
    if response.direct_passthrough or response.is_streamed or "Content-Encoding" in response.headers:
        return response  # a file sent as it is, or encoded already
    if response.status_code in (204, 206, 304) or not compressible(response.mimetype or ""):
        return response
    body = response.get_data()
    if len(body) < MIN_SIZE:
        return response  # the same bytes for every client: nothing varies
    response.vary.add("Accept-Encoding")
    if chosen(req.headers.get("Accept-Encoding", "")) != GZIP:
        return response
    # mtime=0: the same bytes from every process and every time, so that HEAD, GET and ranges agree.
    response.set_data(gzip.compress(body, LEVEL, mtime=0))
    response.headers["Content-Encoding"] = GZIP
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(gzip_etag(etag), weak)
    return response


def gzip_etag(etag: str) -> str:
    """The ETag of the gzip encoding of the representation whose ETag is ``etag`` (unquoted)."""
    return f"{etag}-{GZIP}"


def send_file_encoded(path: Path, content_type: str, etag: str | None, req: Request) -> Response:
    """``path`` as ``send_file`` sends it (conditional, ranges), or the gzip copy the build wrote beside it
    (``letters.nt.gz``) encoded gzip to a client that accepts it: compressed once, by the build. Not for
    a range, which a client resuming a download counts in the file's own bytes. ``etag``: the file's."""
    twin = path.with_name(path.name + ".gz")
    has_twin = twin.is_file()
    gzipped = has_twin and "Range" not in req.headers and chosen(req.headers.get("Accept-Encoding", "")) == GZIP
    if gzipped:
        path, etag = twin, gzip_etag(etag) if etag else None
    response = send_file(path, mimetype="application/octet-stream", etag=etag or True, conditional=True,
                         max_age=None)
    response.content_type = content_type  # as given: send_file would add a second charset to text/*
    if gzipped:
        response.headers["Content-Encoding"] = GZIP
    if has_twin:
        response.vary.add("Accept-Encoding")
    return response


def install(app: Flask) -> None:
    """Encode every answer of ``app`` on its way out, then answer 304 where the client has it already.

    Flask runs after-request functions last registered first: installed after the cache, this runs
    before the cache keeps an answer, so that the answer kept is the one encoded."""

    @app.after_request
    def _encode(response: Response) -> Response:
        return finish(response, request)


def finish(response: Response, req: Request) -> Response:
    """``response`` encoded for ``req``, then a 304 if ``req`` has that representation already: what every
    answer of the app goes through on its way out (``install``), and the SPARQL answers given in front of it."""
    response = encode(response, req)
    if response.status_code == 200 and not response.direct_passthrough and (
            "ETag" in response.headers or "Last-Modified" in response.headers):
        response = response.make_conditional(req)
    return response
