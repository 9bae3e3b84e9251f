"""The store the web layer reads from: a few verbs, whichever store is behind them.

``EmbeddedStore`` holds the built dataset in pyoxigraph, in memory. ``RemoteStore`` reads any
SPARQL 1.1 endpoint (Virtuoso, GraphDB, Oxigraph server...) through the protocol. Both answer
``query`` with pyoxigraph result objects and take the union of the named graphs as the default
graph, so the web layer never knows which one it talks to.
"""
from __future__ import annotations

import socket
import urllib.error
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
from SPARQLWrapper import POST, SPARQLWrapper, TURTLE, JSON
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, SPARQLWrapperException

from .dumps import DUMP_NAME

# What a document about one resource holds (DESIGN.md, "What a document holds"): its own
# triples, the nodes that hang below it, who links to it, and a label for everything linked.
_DOCUMENT = """
CONSTRUCT {
  ?s ?p ?o .
  ?o ?lp ?label .
}
WHERE {
  VALUES ?s { ?nodes }
  ?s ?p ?o .
  OPTIONAL {
    ?o ?lp ?label .
    FILTER(?lp IN (<http://www.w3.org/2000/01/rdf-schema#label>, <http://xmlns.com/foaf/0.1/name>))
    FILTER(isIRI(?o))
  }
}
"""

_INCOMING = """
CONSTRUCT { ?s ?p ?this . ?s ?lp ?label . }
WHERE {
  { SELECT DISTINCT ?s ?p WHERE { ?s ?p ?this . FILTER(!STRSTARTS(STR(?s), CONCAT(STR(?this), "/"))) }
    ORDER BY ?s ?p LIMIT ?limit OFFSET ?offset }
  OPTIONAL {
    ?s ?lp ?label .
    FILTER(?lp IN (<http://www.w3.org/2000/01/rdf-schema#label>, <http://xmlns.com/foaf/0.1/name>))
  }
}
"""


def _nodes_below(store: ox.Store) -> dict[str, list[str]]:
    """For every IRI, the subjects whose IRIs extend it by a path (``x`` -> ``x/time``, ``x/name``).

    Found once at load time: a STRSTARTS filter per document would scan the whole store.
    """
    below: dict[str, list[str]] = {}
    subjects = {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)}
    for subject in subjects:
        parent = subject
        while True:
            parent, sep, _ = parent.rpartition("/")
            if not sep or parent.endswith("/") or parent.endswith(":"):
                break
            if parent in subjects:
                below.setdefault(parent, []).append(subject)
    for nodes in below.values():
        nodes.sort()
    return below


class StoreUnavailable(Exception):
    """The store behind the server cannot be reached or failed; the web layer answers 502."""


class StoreTimeout(StoreUnavailable):
    """The store did not answer in time; the web layer answers 504."""


class Store(Protocol):
    def query(self, sparql: str, *, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None) -> object: ...

    def document(self, uri: str, *, limit: int, offset: int = 0) -> tuple[list[ox.Triple], bool]: ...

    def exists(self, uri: str) -> bool: ...

    def __len__(self) -> int: ...


def _iri(uri: str) -> str:
    return f"<{ox.NamedNode(uri).value}>"  # NamedNode refuses anything that is not an IRI


def _exists(query: Callable[[str], object], uri: str) -> bool:
    this = _iri(uri)
    return bool(query(f"ASK {{ {{ {this} ?p ?o }} UNION {{ ?s ?p {this} }} }}"))


def _document(query: Callable[[str], Iterable[ox.Triple]], uri: str, below: Iterable[str],
              limit: int, offset: int) -> tuple[list[ox.Triple], bool]:
    """The triples of the document about ``uri``, and whether more incoming links remain past ``limit``."""
    this = _iri(uri)
    nodes = " ".join([this, *(_iri(n) for n in below)])
    triples = set(query(_DOCUMENT.replace("?nodes", nodes)))
    incoming = query(_INCOMING.replace("?this", this).replace("?limit", str(limit + 1))
                     .replace("?offset", str(offset)))
    linking = set()
    target = ox.NamedNode(uri)
    for triple in incoming:
        triples.add(triple)
        if triple.object == target:
            linking.add((triple.subject, triple.predicate))
    more = len(linking) > limit
    if more:  # drop the one extra link we asked for only to learn that there are more
        last = max(linking, key=lambda sp: (sp[0].value, sp[1].value))
        triples = {t for t in triples if (t.subject, t.predicate) != last or t.object != target}
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))), more


class EmbeddedStore:
    """The built dataset in memory; loads in well under a second for thousands of letters' worth of quads."""

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self._below = _nodes_below(store)

    @classmethod
    def from_dumps(cls, folder: Path) -> "EmbeddedStore":
        store = ox.Store()
        store.bulk_load(path=str(folder / f"{DUMP_NAME}.nq"), format=ox.RdfFormat.N_QUADS)
        return cls(store)

    @classmethod
    def from_files(cls, paths: list[Path]) -> "EmbeddedStore":
        store = ox.Store()
        for path in paths:
            fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
            if fmt is None:
                raise ValueError(f"{path}: unknown RDF file extension")
            to_graph = None if fmt.supports_datasets else ox.NamedNode(path.resolve().as_uri())
            store.bulk_load(path=str(path), format=fmt, to_graph=to_graph)
        return cls(store)

    @property
    def oxigraph(self) -> ox.Store:
        return self._store

    def __len__(self) -> int:
        return len(self._store)

    def query(self, sparql: str, *, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None) -> object:
        options: dict[str, object] = {}
        if default_graph:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **options)

    def exists(self, uri: str) -> bool:
        return _exists(self.query, uri)

    def document(self, uri: str, *, limit: int, offset: int = 0) -> tuple[list[ox.Triple], bool]:
        return _document(self.query, uri, self._below.get(uri, ()), limit, offset)


class RemoteStore:
    """A SPARQL 1.1 endpoint elsewhere, read through SPARQLWrapper.

    As in Pubby, the data there may use other URIs than the ones we serve: ``dataset_base`` is
    the base of the URIs in the store, the web base is ours. Queries are rewritten from web to
    dataset URIs on the way out and answers back on the way in, so pages and links stay ours.
    """

    def __init__(self, endpoint: str, *, web_base: str, dataset_base: str | None = None,
                 timeout: float = 10.0) -> None:
        self.endpoint = endpoint
        self._web = web_base
        self._data = dataset_base or web_base
        self._timeout = timeout

    def _send(self, sparql: str, default_graph: list[str] | None, named_graphs: list[str] | None) -> tuple[str, bytes]:
        client = SPARQLWrapper(self.endpoint)
        client.setMethod(POST)
        client.setTimeout(int(max(1, round(self._timeout))))
        client.setQuery(self._outward(sparql))
        for graph in default_graph or ():
            client.addDefaultGraph(self._outward(graph))
        for graph in named_graphs or ():
            client.addNamedGraph(self._outward(graph))
        kind = client.queryType
        client.setReturnFormat(TURTLE if kind in ("CONSTRUCT", "DESCRIBE") else JSON)
        try:
            response = client.query().response
            body = response.read()
        except QueryBadFormed as exc:
            raise SyntaxError(f"the store refused the query: {exc}") from None
        except (TimeoutError, socket.timeout) as exc:
            raise StoreTimeout(f"the SPARQL store at {self.endpoint} did not answer within {self._timeout:g} s") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (TimeoutError, socket.timeout)):
                raise StoreTimeout(f"the SPARQL store at {self.endpoint} did not answer within {self._timeout:g} s") from exc
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} cannot be reached: {exc.reason}") from exc
        except (SPARQLWrapperException, OSError) as exc:
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} failed: {exc}") from exc
        return kind, self._inward(body)

    def _outward(self, text: str) -> str:
        return text.replace(self._web, self._data) if self._data != self._web else text

    def _inward(self, body: bytes) -> bytes:
        if self._data == self._web:
            return body
        return body.replace(self._data.encode(), self._web.encode())

    def query(self, sparql: str, *, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None) -> object:
        kind, body = self._send(sparql, default_graph, named_graphs)
        try:
            if kind in ("CONSTRUCT", "DESCRIBE"):
                return [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)]
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} sent an answer that does not parse: {exc}") from None

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(rows))["n"].value)

    def exists(self, uri: str) -> bool:
        return _exists(self.query, uri)

    def document(self, uri: str, *, limit: int, offset: int = 0) -> tuple[list[ox.Triple], bool]:
        prefix = uri + "/"
        rows = self.query(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{prefix}")) }}')
        below = sorted(row["s"].value for row in rows if isinstance(row["s"], ox.NamedNode))
        return _document(self.query, uri, below, limit, offset)
