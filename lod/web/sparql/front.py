"""Query requests answered in front of Flask: the fixed cost of ``/sparql`` on the smallest queries.

A lookup that pyoxigraph answers in a quarter of a millisecond spent about as long again in Flask's
request handling (a request context, routing, the before- and after-request functions) under granian.
A GET or POST to ``/sparql`` is therefore read here, as a plain WSGI request, and answered with
``views.answer_query``, the function the Flask view calls: the same checks, the same query process,
the same answer, gzipped as ``encoding`` gzips every answer and logged as every request is. Everything
else (a HEAD, the service description, the query page, any other path) goes on to Flask.

Installed inside the middleware that bounds what a request may send (bodies, Accept headers) and that
adds the headers of every answer (CORS, security), so a query request meets all of them as before.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from .. import http_error, internal_error
from ..encoding import finish
from .views import answer_query
from .workers import WorkerPool

log = logging.getLogger("lod.sparql")

AccessLog = Callable[[dict, int, int | None, float, str], None]
_PATH = "/sparql"
_METHODS = ("GET", "POST")


def install(app: Flask, access_log: AccessLog) -> None:
    """Answer query requests in front of ``app`` when its queries run in query processes; for a remote
    store (its own time limits, its failures answered 502 or 504 by the app's handlers) Flask answers."""
    if isinstance(app.extensions["lod.sparql"].runner, WorkerPool):
        app.wsgi_app = QueryRequests(app.wsgi_app, app, access_log)  # type: ignore[method-assign]


class QueryRequests:
    """WSGI middleware: a GET or POST to ``/sparql`` with a query is answered here, anything else by ``app``."""

    def __init__(self, app: Callable, flask_app: Flask, access_log: AccessLog) -> None:
        self.app, self.flask_app, self.access_log = app, flask_app, access_log

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != _PATH or environ.get("REQUEST_METHOD") not in _METHODS:
            return self.app(environ, start_response)
        started = time.perf_counter()
        req = Request(environ)
        try:
            response = answer_query(req, self.flask_app.config["SETTINGS"], self.flask_app.extensions["lod.sparql"])
            if response is not None:
                response = finish(response, req)
        except HTTPException as exc:  # answered as the app answers these
            response = http_error(exc)
        except Exception:  # logged in full and never shown, as the app does
            log.exception("unhandled error on %s %s", req.method, req.path)
            response = internal_error()
        if response is None:  # no query: the service description or the query page, Flask's
            return self.app(environ, start_response)
        headers = response.get_wsgi_headers(environ)
        body = response.get_data()
        start_response(response.status, headers.to_wsgi_list())
        self.access_log(environ, response.status_code, len(body), (time.perf_counter() - started) * 1000, "-")
        return [body]
