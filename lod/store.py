"""The store the web layer reads from: a few verbs, whichever store is behind them.

``EmbeddedStore`` holds the built dataset in pyoxigraph, in memory. The default graph of
every query is the union of the named graphs, so a query without GRAPH sees all letters.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

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


class Store(Protocol):
    def query(self, sparql: str, *, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None) -> object: ...

    def document(self, uri: str, *, limit: int, offset: int = 0) -> tuple[list[ox.Triple], bool]: ...

    def exists(self, uri: str) -> bool: ...


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
        this = f"<{ox.NamedNode(uri).value}>"
        return bool(self._store.query(f"ASK {{ {{ {this} ?p ?o }} UNION {{ ?s ?p {this} }} }}",
                                      use_default_graph_as_union=True))

    def document(self, uri: str, *, limit: int, offset: int = 0) -> tuple[list[ox.Triple], bool]:
        """The triples of the document about ``uri``, and whether more incoming links remain past ``limit``."""
        this = f"<{ox.NamedNode(uri).value}>"  # NamedNode refuses anything that is not an IRI
        nodes = " ".join([this, *(f"<{n}>" for n in self._below.get(uri, ()))])
        triples = set(self._store.query(_DOCUMENT.replace("?nodes", nodes), use_default_graph_as_union=True))
        incoming = self._store.query(
            _INCOMING.replace("?this", this).replace("?limit", str(limit + 1)).replace("?offset", str(offset)),
            use_default_graph_as_union=True)
        linking = set()
        for triple in incoming:
            triples.add(triple)
            if triple.object == ox.NamedNode(uri):
                linking.add((triple.subject, triple.predicate))
        more = len(linking) > limit
        if more:  # drop the one extra link we asked for only to learn that there are more
            last = sorted(linking, key=lambda sp: (sp[0].value, sp[1].value))[-1]
            triples = {t for t in triples if not (t.subject, t.predicate) == last or t.object != ox.NamedNode(uri)}
        return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object))), more
