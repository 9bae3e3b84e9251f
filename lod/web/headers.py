"""Headers every answer carries, whoever wrote it (a route, a kept answer, a refused body, an error).

The Content-Security-Policy keeps what a page may load and ask for to this origin: scripts only from
files we serve (no inline script: the templates' only <script> elements are JSON data blocks, which
are never run), the query page's requests only to our own endpoint, images our own or the empty
``data:`` favicon, and no page of ours inside another site's frame. Should a page ever let a hostile
string through (the query page once wrote an outside endpoint's answer into itself), the browser
still runs nothing and sends nothing elsewhere. It is sent with RDF and text too: a browser that
renders one of those as a page gets the same rules.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

# The bundled YASGUI's column resizer adds two <style> elements to the query page: its table rules, and
# a cursor while a column is dragged. Allowed by their hashes (tests/test_browser.py checks them against
# lod/static/yasgui/yasgui.min.js), so that no other inline style is.
YASGUI_STYLES = ("sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk=",
                 "sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg=")
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' " + " ".join(f"'{h}'" for h in YASGUI_STYLES),
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),  # a Turtle file is never run as a script or shown as a page
    ("X-Frame-Options", "DENY"),  # frame-ancestors for browsers that predate it
)


class SecurityHeaders:
    """WSGI middleware: ``SECURITY_HEADERS`` on every answer that does not set them itself."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        def with_headers(status: str, headers: list[tuple[str, str]], exc_info=None):
            present = {name.lower() for name, _ in headers}
            headers = [*headers, *(h for h in SECURITY_HEADERS if h[0].lower() not in present)]
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.app(environ, with_headers)
