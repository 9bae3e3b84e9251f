"""Cross-origin reads: a script on any origin may read every answer, and its preflights are answered here.

The data is public and no answer depends on cookies or credentials, so every answer says
``Access-Control-Allow-Origin: *``, whoever wrote it (a route, a kept answer, a refused body or header),
and exposes the headers a Linked Data client reads (``EXPOSED``): without that a browser hides the ETag
it needs for If-None-Match, the Link header with the other variants and the next page, Content-Location.

A browser preflights (OPTIONS with ``Access-Control-Request-Method``) before a request with any header
that is not "simple": an Accept over 128 bytes (Comunica's is about 400) or with a ``"`` in it (a JSON-LD
``profile=``), If-None-Match, Range, a Content-Type other than a form's. Without
``Access-Control-Allow-Headers`` naming them the browser refuses the request itself. The preflight is
answered before routing, for every path: the request that follows gets the real answer (a 404 too),
which the script can then read.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable

# What browser clients of Linked Data and SPARQL send beyond the simple headers.
ALLOWED = ("Accept", "Accept-Language", "Content-Language", "Content-Type", "If-None-Match", "If-Modified-Since",
           "If-Match", "If-Unmodified-Since", "If-Range", "Range", "Cache-Control")
# What a script may read of an answer beyond the always-readable Content-Type, Content-Length, Last-Modified...
EXPOSED = ("ETag", "Link", "Content-Location", "Vary", "Content-Profile", "Location", "Allow", "Retry-After",
           "Accept-Ranges", "Content-Range")
METHODS = ("GET", "HEAD", "OPTIONS")  # of a path the app cannot say more of (one with no route)
MAX_AGE = 86400  # seconds a browser may keep a preflight's answer (Chromium keeps at most 7,200)

# A request's own header names are allowed too, when they are header names: at most so many, so long.
_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")
_MOST_NAMES = 32

AccessLog = Callable[[dict, int, int | None, float, str], None]
Methods = Callable[[str], Iterable[str]]


def requested_headers(value: str) -> list[str]:
    """The names in an ``Access-Control-Request-Headers`` value; none when it is not a short list of names."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    if len(names) > _MOST_NAMES or not all(_NAME.fullmatch(name) for name in names):
        return []
    return names


def preflight_headers(environ: dict, methods: Iterable[str]) -> list[tuple[str, str]]:
    """The headers of the answer to a preflight of ``environ``'s request, for a path allowing ``methods``."""
    allowed = list(ALLOWED)
    known = {name.lower() for name in allowed}
    for name in requested_headers(environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")):
        if name.lower() not in known:
            allowed.append(name)
            known.add(name.lower())
    return [("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", ", ".join(methods)),
            ("Access-Control-Allow-Headers", ", ".join(allowed)),
            ("Access-Control-Max-Age", str(MAX_AGE)),
            ("Vary", "Access-Control-Request-Headers"),  # what it echoes
            ("Content-Length", "0")]


class CrossOrigin:
    """WSGI middleware: preflights answered with ``preflight_headers``; every other answer made readable.

    ``methods(path)``: the methods the app answers on a path (empty when it has no route there).
    """

    def __init__(self, app: Callable, methods: Methods, access_log: AccessLog) -> None:
        self.app, self.methods, self.access_log = app, methods, access_log

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ:
            started = time.perf_counter()
            methods = list(self.methods(environ.get("PATH_INFO", ""))) or list(METHODS)
            methods += [m for m in ("HEAD", "OPTIONS") if m not in methods]
            start_response("204 No Content", preflight_headers(environ, methods))
            self.access_log(environ, 204, 0, (time.perf_counter() - started) * 1000, "-")
            return []

        def readable(status: str, headers: list[tuple[str, str]], exc_info=None):
            present = {name.lower() for name, _ in headers}
            if "access-control-allow-origin" not in present:
                headers = [*headers, ("Access-Control-Allow-Origin", "*")]
            if "access-control-expose-headers" not in present:
                headers = [*headers, ("Access-Control-Expose-Headers", ", ".join(EXPOSED))]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.app(environ, readable)
