"""The Flask app: one blueprint per surface (Linked Data documents, SPARQL, HTML pages)."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from ..config import Settings
from ..store import Store, StoreTimeout, StoreUnavailable
from .bodies import BoundedBodies
from .cors import CrossOrigin
from .headers import SecurityHeaders
from .heads import BoundedHeads

log = logging.getLogger("lod.access")
_SAFE = "/:@!$&'()*+,;=-._~"
# Characters of a request's path and Accept header the access log keeps: a client may send hundreds of
# kilobytes of either, and 2,000 requests with a 300 KB Accept header made 600 MB of log.
LOG_PATH = 2000
LOG_ACCEPT = 200


def create_app(settings: Settings, store: Store) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config["SETTINGS"] = settings
    app.extensions["lod.store"] = store

    from . import cache, cmif, encoding, jsonld, ld, ontology, pages, sparql, stored, wording

    app.jinja_env.filters.update(wording.FILTERS)  # how names and dates read, in the templates
    app.register_blueprint(pages.bp)
    app.register_blueprint(jsonld.bp)  # before ld: its /doc/....la.json is more specific than ld's /doc/...
    app.register_blueprint(ld.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(ontology.bp)
    app.register_blueprint(cmif.bp)

    @app.get("/health")
    def health() -> Response:
        return jsonify(status="ok", triples=len(store) if hasattr(store, "__len__") else None)

    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(exc: StoreUnavailable) -> Response:
        # The store behind us is down or slow: say so, and let the next request try again.
        status = 504 if isinstance(exc, StoreTimeout) else 502
        app.logger.warning("store unavailable on %s %s: %s", request.method, request.path, exc)
        if request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html":
            body = render_template("unavailable.html", status=status, message=str(exc),
                                   base=app.config["SETTINGS"].base)
            return Response(body, status, content_type="text/html; charset=utf-8", headers={"Retry-After": "10"})
        return Response(f"{status} {'Gateway Timeout' if status == 504 else 'Bad Gateway'}: {exc}\n", status,
                        content_type="text/plain; charset=utf-8", headers={"Retry-After": "10"})

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        # Whatever went wrong is logged in full here and never shown to the client.
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return internal_error()

    @app.before_request
    def _start() -> Response | None:
        g.started = time.perf_counter()
        if isinstance(request.routing_exception, RequestRedirect):
            return _redirect(request.routing_exception, settings.base)
        return None

    @app.after_request
    def _access_log(response: Response) -> Response:
        took = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        access_log(request.environ, response.status_code, response.content_length, took, g.get("cache", "-"))
        return response

    immutable = getattr(store, "immutable", False)
    kept = cache.ResponseCache(settings.cache_bytes) if settings.cache_bytes and immutable else None
    dated = ld.built(Path(settings.out) if settings.out is not None else None) is not None
    answers = stored.StoredAnswers.open(getattr(store, "folder", None), settings.base, settings.page_size,
                                        dated) if settings.stored_answers else None
    if kept is not None or answers is not None:
        cache.install(app, kept, access_log, answers)
    encoding.install(app)  # after the cache: its hook runs first, and the answer kept is the one encoded
    sparql.install_front(app, access_log)  # query requests answered in front of Flask, inside the bounds below
    # Outermost: no body reaches Flask before it has arrived whole. Every POST body is a query on its way
    # in, so as many are read at once as queries may run: the threads beyond those stay free.
    app.wsgi_app = BoundedBodies(app.wsgi_app, settings.max_body,  # type: ignore[method-assign]
                                 settings.queries_per_process, access_log)
    app.wsgi_app = BoundedHeads(app.wsgi_app, access_log)  # type: ignore[method-assign]
    # Outside the refusals, so that a script on another origin can read those too.
    app.wsgi_app = CrossOrigin(app.wsgi_app, _methods(app), access_log)  # type: ignore[method-assign]
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
    return app


def http_error(exc: HTTPException) -> Response:
    """A client's mistake that werkzeug or Flask found (404, 405, ...), in plain text."""
    response = Response(f"{exc.code} {exc.name}: {exc.description}\n", exc.code, content_type="text/plain; charset=utf-8")
    if exc.code == 405 and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def internal_error() -> Response:
    """What a client is told of a bug of ours: that there was one, nothing more (the log has the rest)."""
    return Response("500 Internal Server Error: the server could not answer this request.\n", 500,
                    content_type="text/plain; charset=utf-8")


def _methods(app: Flask):
    """``path -> the methods its route answers``, for preflights (none for a path with no route)."""
    adapter = app.url_map.bind("localhost")
    return lambda path: adapter.allowed_methods(path)


def _redirect(exc: RequestRedirect, base: str) -> Response:
    """Werkzeug's redirect to the canonical URL of a route (``/dumps`` -> ``/dumps/``), from the configured
    base: werkzeug builds it from the request's Host, so any client could have it point anywhere."""
    target = urlsplit(exc.new_url)
    location = base + target.path.lstrip("/") + (f"?{target.query}" if target.query else "")
    response = Response(f"See {location}\n", exc.code, content_type="text/plain; charset=utf-8")
    response.headers["Location"] = location
    return response


def access_log(environ: dict, status: int, size: int | None, ms: float, cache: str) -> None:
    """One line a request, as key=value pairs; ``cache`` says whether a kept answer was served."""
    # Quoted as a URL again, so that no byte of the request can break the line or forge a field.
    # Each part is cut before it is quoted: quoting all of a 400 KB path to keep 2,000 characters is waste.
    path = quote(environ.get("PATH_INFO", "")[:LOG_PATH + 1].encode("latin-1", "replace"), safe=_SAFE)
    if environ.get("QUERY_STRING"):
        path += "?" + quote(environ["QUERY_STRING"][:LOG_PATH + 1].encode("latin-1", "replace"), safe=_SAFE + "%?")
    accept = _cut(environ.get("HTTP_ACCEPT", ""), LOG_ACCEPT).replace('"', "%22")
    log.info('method=%s path="%s" status=%s bytes=%s ms=%.1f cache=%s accept="%s"', environ.get("REQUEST_METHOD"),
             _cut(path, LOG_PATH), status, size, ms, cache, accept)


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[:most] + "…"


def settings_of(app: Flask) -> Settings:
    return app.config["SETTINGS"]


def store_of(app: Flask) -> Store:
    return app.extensions["lod.store"]
