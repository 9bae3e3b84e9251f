"""The blueprint: the SPARQL 1.1 Protocol at ``/sparql``, the service description and the query page.

Thin on purpose: a view reads the request, hands the query to the worker pool (``workers``) or the
description to the serialiser, and writes the answer; what a query means is ``engine``'s business.
"""
from __future__ import annotations

import logging
import os
import threading
import weakref
from dataclasses import dataclass, field
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.wrappers import Request

from ...formats import GRAPH_FORMATS, graph_format_name
from ...namespaces import used_prefixes
from ...store import StoreUnavailable
from ..negotiation import HTML
from .description import named_graphs, service_description
from .engine import Job, error_answer
from .examples import examples
from .negotiation import (DESCRIPTION_OFFERS, FORMAT_NAMES, FORMAT_PARAMETERS, description_format, format_parameter,
                          negotiate, negotiate_header)
from .workers import InlineRunner, WorkerPool, runner_for

bp = Blueprint("sparql", __name__)
log = logging.getLogger("lod.sparql")

# At most ``max_queries`` run at once, so that they never hold every web thread: each process has its share
# of slots, and a query waits this many seconds for one before a 503.
SLOT_WAIT = 1.0


@dataclass
class _Endpoint:
    runner: WorkerPool | InlineRunner
    store: object
    settings: object
    pid: int = field(default_factory=os.getpid)
    lock: threading.Lock = field(default_factory=threading.Lock)
    slots: threading.BoundedSemaphore = None  # type: ignore[assignment]  # queries that may run at once
    _graphs: list[tuple[str, str | None]] | None = None
    _description: list[ox.Triple] | None = None

    def current_runner(self) -> WorkerPool | InlineRunner:
        """The runner of this process. A pre-forking server that built the app before forking (gunicorn
        --preload) would otherwise share one zygote socket between processes: each gets its own."""
        if self.pid != os.getpid():
            with self.lock:
                if self.pid != os.getpid():
                    self.runner = runner_for(self.store)
                    self.pid = os.getpid()
        return self.runner

    @property
    def graphs(self) -> list[tuple[str, str | None]]:
        """The named graphs and their labels, listed on first use: 10,000 graphs take a second to label,
        which a server on a large store should not spend before it answers."""
        with self.lock:
            if self._graphs is None:
                try:
                    self._graphs = named_graphs(self.store)
                except StoreUnavailable as exc:  # a remote store that is down: describe without, ask again next time
                    log.warning("graphs left out of the service description: %s", exc)
                    return []
            return self._graphs

    @property
    def description(self) -> list[ox.Triple]:
        graphs = self.graphs
        with self.lock:
            if self._description is None or not graphs:
                base = self.settings.base
                self._description = service_description(f"{base}sparql", base, graphs, self.settings)
            return self._description


@bp.record_once
def _at_start(state) -> None:
    """Fork the query processes now, while the web process has one thread; describe the dataset on first use."""
    app = state.app
    store = app.extensions["lod.store"]
    runner = runner_for(store)
    if isinstance(runner, WorkerPool):
        weakref.finalize(app, runner.close)
    settings = app.config["SETTINGS"]
    app.extensions["lod.sparql"] = _Endpoint(runner, store, settings,
                                             slots=threading.BoundedSemaphore(settings.queries_per_process))


def _state() -> _Endpoint:
    return current_app.extensions["lod.sparql"]


class _Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_READ_ONLY = "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) is not accepted"


def _check_charset(req: Request) -> None:
    charset = req.mimetype_params.get("charset")
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise _Refusal(415, f"the request body must be UTF-8 (Content-Type says charset={charset})")


@dataclass(frozen=True)
class _Request:
    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    format: str | None


def _read_request(req: Request, settings) -> _Request | None:
    """The query and its dataset, as the protocol puts them in a request; None for a plain GET."""
    body_query: str | None = None
    if req.method == "POST":
        mimetype = req.mimetype
        if mimetype == _UPDATE:
            raise _Refusal(403, _READ_ONLY)
        if mimetype not in (_FORM, _QUERY):
            raise _Refusal(415, f"a POST needs Content-Type {_FORM} (with query=...) or {_QUERY} (the query as the "
                                f"body); this one has {mimetype or 'none'}")
        _check_charset(req)
        # A form encodes a character in at most 12 bytes (%XX for each of 4 UTF-8 bytes), plus the dataset.
        limit = settings.max_query_length * 12 + 65536
        if (req.content_length or 0) > limit:
            raise _Refusal(413, f"the request body is {req.content_length} bytes; this endpoint accepts "
                                f"queries of at most {settings.max_query_length} characters")
        if mimetype == _QUERY:
            raw = req.stream.read(limit + 1)
            try:
                body_query = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _Refusal(400, f"the request body is not UTF-8 (byte {exc.start})") from None
            params = req.args
        else:
            params = CombinedMultiDict([req.args, req.form])
    else:
        params = req.args
    queries = params.getlist("query") + ([body_query] if body_query is not None else [])
    updates = params.getlist("update")
    if queries and updates:
        raise _Refusal(400, "the request has both a query and an update; send one query")
    if updates:
        raise _Refusal(403, _READ_ONLY)
    if len(queries) > 1:
        raise _Refusal(400, f"the request has {len(queries)} queries (query parameters or a body); send exactly one")
    if not queries:
        if req.method in ("GET", "HEAD") and set(params) <= set(FORMAT_PARAMETERS):
            return None
        raise _Refusal(400, "the request has no query: send it as the query parameter (GET or a form POST) "
                            f"or as the body of a POST with Content-Type {_QUERY}")
    query = queries[0]
    if len(query) > settings.max_query_length:
        raise _Refusal(413, f"the query is {len(query)} characters long; this endpoint accepts at most "
                            f"{settings.max_query_length}")
    if not query.strip():
        raise _Refusal(400, "the query is empty")
    graphs = {}
    for name in ("default-graph-uri", "named-graph-uri"):
        values = params.getlist(name)
        for value in values:
            try:
                ox.NamedNode(value)
            except ValueError as exc:
                raise _Refusal(400, f"{name} {value!r} is not an absolute IRI ({exc})") from None
        graphs[name] = tuple(values)
    given = bool(graphs["default-graph-uri"] or graphs["named-graph-uri"])
    return _Request(query, graphs["default-graph-uri"] if given else None,
                    graphs["named-graph-uri"] if given else None, format_parameter(params))


def _plain(status: int, message: str) -> Response:
    answer = error_answer(status, message)
    return Response(answer.body, status, content_type=answer.content_type)


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol: a query by GET, by form POST or as a POST body; a plain GET describes the service.

    A query by GET or POST is answered in front of Flask (``front``), by ``answer_query`` as here; what
    comes this way is a HEAD, the service description and the query page. Scripts on any origin may
    query it and read the answers, errors included (``lod.web.cors``)."""
    settings = current_app.config["SETTINGS"]
    response = answer_query(request, settings, _state())
    return _describe(settings) if response is None else response


def answer_query(req: Request, settings, state: _Endpoint) -> Response | None:
    """The answer to a request with a query (or a refusal); None for one without (the service description).

    Needs no app context: the query requests are answered with it in front of Flask (``front``)."""
    try:
        parsed = _read_request(req, settings)
        if parsed is None:
            return None
        results_format, graph_format, page = negotiate_header(req.headers.get("Accept"), parsed.format)
        if req.method == "GET" and page:
            # A person following a link to a query: the query page, with that query in its editor.
            response = _plain(303, "the query page, with this query")
            response.headers["Location"] = f"{req.root_path}/sparql#query={quote(parsed.query, safe='')}"
            response.vary.add("Accept")
            return response
    except _Refusal as refusal:
        return _plain(refusal.status, refusal.message)
    except ValueError as exc:
        return _plain(400, str(exc))
    job = Job(query=parsed.query, base_iri=f"{settings.base}sparql", default_graphs=parsed.default_graphs,
              named_graphs=parsed.named_graphs, results_format=results_format.name if results_format else None,
              graph_format=graph_format.extension if graph_format else None,
              max_results=settings.max_results, timeout=settings.query_timeout, memory=settings.memory_per_query)
    if not state.slots.acquire(timeout=SLOT_WAIT):
        # Every query holds a web thread until it answers: past this many, the documents would wait too.
        response = _plain(503, f"{settings.max_queries} queries are running already (the most this endpoint runs at "
                                 "once); try again in a few seconds")
        response.headers["Retry-After"] = "5"
        return response
    try:
        answer = state.current_runner().run(job)
    finally:
        state.slots.release()
    if answer.status >= 500:
        log.warning("query answered %s: %s", answer.status, answer.body[:300].decode("utf-8", "replace").strip())
    response = Response(answer.body, answer.status, content_type=answer.content_type)
    response.vary.add("Accept")
    return response


def _describe(settings) -> Response:
    """The service description in RDF (Turtle to ``*/*`` or no Accept), or the query page for a browser."""
    fmt_param = format_parameter(request.args)
    if fmt_param:
        if fmt_param.lower() in (HTML.extension, HTML.media_type):
            return _page(settings)
        try:
            _, fmt = negotiate(request.accept_mimetypes, fmt_param)
        except ValueError as exc:
            return _plain(400, str(exc))
        if fmt is None:
            return _plain(406, f"the service description is RDF: use format= one of "
                               f"{', '.join(graph_format_name(f) for f in GRAPH_FORMATS)}, or html")
    else:
        fmt = description_format(request.accept_mimetypes)
        if fmt is None:
            response = _plain(406, "the service description is offered as " + ", ".join(DESCRIPTION_OFFERS))
            response.vary.add("Accept")
            return response
        if fmt is HTML:
            response = _page(settings)
            response.vary.add("Accept")
            return response
    triples = _state().description
    body = ox.serialize(triples, format=fmt.oxigraph, prefixes=used_prefixes(triples))
    response = Response(body, 200, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def _page(settings) -> Response:
    items = examples(settings.base)
    config = {"endpoint": url_for("sparql.endpoint"),
              "examples": [{"title": e.title, "query": e.query} for e in items]}
    html = render_template(
        "query.html", title="SPARQL endpoint", base=settings.base, endpoint=f"{settings.base}sparql", examples=items,
        config=config, graphs=_state().graphs, timeout=f"{settings.query_timeout:g}", max_results=settings.max_results,
        format_names=FORMAT_NAMES, kind="sparql", uri=None, alternates=[
            {"type": f.media_type, "href": url_for("sparql.endpoint", format=graph_format_name(f)),
             "label": f"Service description ({f.label})"} for f in GRAPH_FORMATS])
    return Response(html, 200, content_type=HTML.content_type)
