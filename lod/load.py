"""`lod load`: push the built dataset into any SPARQL 1.1 store, graph by graph.

Two ways in, both standard. The Graph Store Protocol (``--method gsp``, the default) PUTs each
named graph's triples to ``ENDPOINT?graph=G``: a PUT replaces the graph, so loading twice leaves
the store as loading once. SPARQL Update (``--method update``) is the fallback for stores without
GSP: ``DROP SILENT GRAPH <G>`` then ``INSERT DATA { GRAPH <G> { ... } }``. A large graph goes in
batches (the first PUT replaces, the next POSTs add) so that no request grows with the dataset;
a graph with blank nodes is sent whole, since a blank node split over two requests would become two.

The dataset is read from the N-Quads dump, the one file that holds every graph.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from .dumps import DUMP_NAME
from .formats import NQUADS, NTRIPLES

METHODS = ("gsp", "update")
# Triples per request. Virtuoso turns INSERT DATA into SQL and refuses past 10,000 lines of it
# (about 2,500 triples), so updates go in smaller batches than GSP writes.
DEFAULT_BATCH = {"gsp": 10_000, "update": 1_000}
# Media types a Graph Store answers a GET with; an HTML page means we are talking to something else.
_RDF_MEDIA_TYPES = ("text/turtle", "application/n-triples", "text/plain", "application/rdf+xml",
                    "application/ld+json", "application/n-quads", "application/trig", "text/n3", "text/rdf+n3")
_TIMEOUT = (10, 600)  # seconds to connect, to wait for an answer
_PROBE_TIMEOUT = (10, 30)  # a GET that a store answers at once; a server that does not is no Graph Store


class LoadError(Exception):
    """The load cannot go on; the message says what the endpoint answered and what to try."""


@dataclass
class Loaded:
    """What was written: triples per graph, in the order they were sent."""

    endpoint: str
    method: str
    graphs: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


# --- the dataset ------------------------------------------------------------------------------


def dump_path(dumps: Path) -> Path:
    return dumps / f"{DUMP_NAME}.{NQUADS.extension}"


def ensure_dumps(dumps: Path) -> Path:
    """The N-Quads dump in ``dumps``, built there first (default settings) if it is missing."""
    path = dump_path(dumps)
    if not path.exists():
        from .build import BuildError, build
        from .config import Settings

        settings = Settings(out=dumps)
        try:
            build(settings.letters, settings.annotations, settings.ontology, settings.base, settings.out)
        except BuildError as exc:
            raise LoadError(f"no dump in {dumps} and the build failed: {exc}") from None
    return path


GraphName = ox.NamedNode | ox.DefaultGraph


def read_graphs(path: Path, into: str | None = None) -> dict[GraphName, list[ox.Triple]]:
    """The dump's triples by graph, in dump order; with ``into``, the union in that one graph."""
    try:
        quads = list(ox.parse(path=str(path), format=NQUADS.oxigraph))
    except (OSError, SyntaxError) as exc:
        raise LoadError(f"cannot read {path}: {exc}") from None
    if into is not None:
        seen: dict[ox.Triple, None] = {}  # an ordered set: a triple in several graphs goes in once
        for quad in quads:
            seen.setdefault(quad.triple, None)
        return {_graph_name(into): list(seen)}
    graphs: dict[GraphName, list[ox.Triple]] = {}
    for quad in quads:
        graphs.setdefault(quad.graph_name, []).append(quad.triple)
    return graphs


def _graph_name(uri: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(uri)
    except ValueError:
        raise LoadError(f"not an IRI: {uri!r}") from None


def _batches(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    has_blank = any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples)
    step = (len(triples) or 1) if has_blank else size
    for start in range(0, max(len(triples), 1), step):
        yield triples[start:start + step]


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=NTRIPLES.oxigraph) if triples else b""


# --- HTTP ---------------------------------------------------------------------------------------


class _Client:
    """requests with the errors a user can act on, and basic or digest auth as the server asks."""

    def __init__(self, endpoint: str, auth: tuple[str, str] | None) -> None:
        self.endpoint = endpoint
        self._credentials = auth
        self._auth: AuthBase | None = None  # chosen from the first 401's challenge
        self._session = requests.Session()

    def send(self, method: str, *, params: dict | None = None, data: bytes | dict | None = None,
             headers: dict | None = None, timeout: tuple[float, float] = _TIMEOUT) -> requests.Response:
        response = self._send(method, params, data, headers, timeout)
        if response.status_code == 401 and self._credentials and self._auth is None:
            # Virtuoso wants digest and answers a basic attempt without saying so: ask bare, read the challenge.
            challenge = response.headers.get("WWW-Authenticate", "").lower()
            self._auth = HTTPDigestAuth(*self._credentials) if challenge.startswith("digest") \
                else HTTPBasicAuth(*self._credentials)
            response = self._send(method, params, data, headers, timeout)
        return response

    def _send(self, method, params, data, headers, timeout) -> requests.Response:
        try:
            return self._session.request(method, self.endpoint, params=params, data=data, headers=headers,
                                         auth=self._auth, timeout=timeout, allow_redirects=True)
        except requests.exceptions.Timeout:
            raise LoadError(f"{self.endpoint} did not answer a {method} within {timeout[1]} s") from None
        except requests.exceptions.ConnectionError as exc:
            # urllib3 nests the cause; the last clause ("[Errno 111] Connection refused") is the useful one.
            reason = str(exc.args[0] if exc.args else exc).rsplit(": ", 1)[-1].rstrip(")'\"")
            raise LoadError(f"cannot reach {self.endpoint}: {reason}") from None
        except requests.exceptions.RequestException as exc:
            raise LoadError(f"cannot send to {self.endpoint}: {exc}") from None

    def check(self, response: requests.Response, doing: str, hint_not_found: str, hint_refused: str) -> None:
        """Raise a LoadError that names the endpoint, the status and what to try, unless ``response`` is 2xx."""
        code = response.status_code
        if 200 <= code < 300:
            return
        status = f"{code} {response.reason}"
        body = _excerpt(response)
        if code == 401:
            hint = "wrong user or password" if self._credentials else "it wants credentials: give --auth USER:PASSWORD"
        elif code == 403:
            hint = "the account may not write there"
        elif code == 404:
            hint = hint_not_found
        elif code in (400, 405, 406, 415, 501):
            hint = hint_refused
        else:
            hint = ""
        message = f"{self.endpoint} answered {status} to {doing}"
        if hint:
            message += f": {hint}"
        if body:
            message += f"\n  the server said: {body}"
        raise LoadError(message)


def _excerpt(response: requests.Response, limit: int = 300) -> str:
    if "html" in response.headers.get("Content-Type", ""):
        return ""  # an error page's markup tells the user nothing the status does not
    text = " ".join(response.text.split())
    return text[:limit] + ("..." if len(text) > limit else "")


_GSP_ADDRESSES = ("the endpoint is the store's GSP address "
                  "(Oxigraph: /store, Fuseki: /DATASET/data, Virtuoso: /sparql-graph-crud-auth)")
_GSP_NOT_FOUND = "no Graph Store there; " + _GSP_ADDRESSES
_GSP_REFUSED = "not a Graph Store Protocol endpoint, or it cannot take N-Triples (try --method update)"
_UPDATE_NOT_FOUND = "no SPARQL endpoint there (Oxigraph: /update, Fuseki: /DATASET/update, Virtuoso: /sparql-auth)"
_UPDATE_REFUSED = "not a SPARQL Update endpoint, or it refused the update"


def _graph_param(graph: GraphName) -> dict[str, str]:
    return {"default": ""} if isinstance(graph, ox.DefaultGraph) else {"graph": graph.value}


def _label(graph: GraphName) -> str:
    return "(default graph)" if isinstance(graph, ox.DefaultGraph) else graph.value


def _probe_gsp(client: _Client, graph: GraphName) -> None:
    """Tell a Graph Store from anything else before writing: a GSP GET answers RDF, or 404 for a graph it lacks.

    Some servers never answer a PUT they do not handle (Virtuoso's read-only ``/sparql`` keeps the
    connection open), so the answer to a harmless GET decides whether we PUT at all.
    """
    response = client.send("GET", params=_graph_param(graph), timeout=_PROBE_TIMEOUT,
                           headers={"Accept": "application/n-triples, text/turtle;q=0.9, */*;q=0.1"})
    if response.status_code in (400, 401, 403, 405, 501):
        client.check(response, "a GET of the first graph", _GSP_NOT_FOUND,
                     "not a Graph Store Protocol endpoint; " + _GSP_ADDRESSES)
    if response.ok:
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type and media_type not in _RDF_MEDIA_TYPES:
            raise LoadError(f"{client.endpoint} is not a Graph Store Protocol endpoint: a GET of "
                            f"?graph=<{_label(graph)}> answered {media_type}, not RDF. {_GSP_NOT_FOUND}")


def _put_graph(client: _Client, graph: GraphName, triples: list[ox.Triple], batch: int,
               advance: Callable[[int], None]) -> None:
    for i, chunk in enumerate(_batches(triples, batch)):
        response = client.send("PUT" if i == 0 else "POST", params=_graph_param(graph), data=_ntriples(chunk),
                               headers={"Content-Type": NTRIPLES.content_type})
        client.check(response, f"{'PUT' if i == 0 else 'POST'} of graph <{_label(graph)}>", _GSP_NOT_FOUND,
                     _GSP_REFUSED)
        advance(len(chunk))


def _update_graph(client: _Client, graph: GraphName, triples: list[ox.Triple], batch: int,
                  advance: Callable[[int], None]) -> None:
    is_default = isinstance(graph, ox.DefaultGraph)
    drop = "DROP SILENT DEFAULT" if is_default else f"DROP SILENT GRAPH <{graph.value}>"
    for i, chunk in enumerate(_batches(triples, batch)):
        # N-Triples is SPARQL's triple syntax too. SPARQL unescapes \uXXXX before it parses, so an escaped
        # quote would end the string: oxigraph writes " \ and line breaks as \" \\ \n \r, and \u only for
        # other control characters, which a SPARQL string may hold as they are.
        body = _ntriples(chunk).decode("utf-8")
        insert = f"INSERT DATA {{ {body} }}" if is_default else f"INSERT DATA {{ GRAPH <{graph.value}> {{\n{body}}} }}"
        update = f"{drop} ;\n{insert}" if i == 0 else insert
        response = client.send("POST", data={"update": update},
                               headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        client.check(response, f"the update of graph <{_label(graph)}>", _UPDATE_NOT_FOUND, _UPDATE_REFUSED)
        advance(len(chunk))


def load(endpoint: str, graphs: dict[GraphName, list[ox.Triple]], *, method: str = "gsp",
         auth: tuple[str, str] | None = None, batch: int | None = None,
         progress: Callable[[int], None] | None = None) -> Loaded:
    """Write ``graphs`` to the store at ``endpoint``; each graph's old content is replaced."""
    if method not in METHODS:
        raise LoadError(f"unknown method {method!r}: use one of {', '.join(METHODS)}")
    url = urlsplit(endpoint)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise LoadError(f"not an HTTP endpoint URL: {endpoint!r} (give http://HOST:PORT/PATH)")
    started = time.perf_counter()
    client = _Client(endpoint, auth)
    result = Loaded(endpoint, method)
    advance = progress or (lambda n: None)
    batch = batch or DEFAULT_BATCH[method]
    if method == "gsp" and graphs:
        _probe_gsp(client, next(iter(graphs)))
    for graph, triples in graphs.items():
        send = _put_graph if method == "gsp" else _update_graph
        send(client, graph, triples, batch, advance)
        result.graphs[_label(graph)] = len(triples)
    result.seconds = time.perf_counter() - started
    return result


def parse_auth(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user:
        raise LoadError("--auth takes USER:PASSWORD")
    return user, password
