"""Request headers the app parses, refused when no client of ours would send them so long.

Werkzeug parses an Accept header in full before negotiation weighs every entry: a 300 KB header took
60 ms to parse, one of 15,000 media types 170 ms to parse and 480 ms to negotiate, per request.
Browsers send 100 to 300 characters, RDF clients fewer; 4,096 leaves room for any real one.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

MAX_NEGOTIATED = 4096  # characters of an Accept header
_NEGOTIATED = ("HTTP_ACCEPT", "Accept")

AccessLog = Callable[[dict, int, int | None, float, str], None]


class BoundedHeads:
    """WSGI middleware: 431 for a request whose Accept header is longer than ``MAX_NEGOTIATED``."""

    def __init__(self, app: Callable, access_log: AccessLog) -> None:
        self.app, self.access_log = app, access_log

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key, name = _NEGOTIATED
        length = len(environ.get(key, ""))
        if length <= MAX_NEGOTIATED:
            return self.app(environ, start_response)
        started = time.perf_counter()
        body = (f"431 Request Header Fields Too Large: the {name} header is {length} characters long; "
                f"this server reads at most {MAX_NEGOTIATED}\n").encode("utf-8")
        start_response("431 Request Header Fields Too Large", [("Content-Type", "text/plain; charset=utf-8"),
                                                               ("Content-Length", str(len(body)))])
        self.access_log(environ, 431, len(body), (time.perf_counter() - started) * 1000, "-")
        return [body]
