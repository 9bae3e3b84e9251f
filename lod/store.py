"""The store the web layer reads from: a few verbs, whichever store is behind them.

``EmbeddedStore`` holds the dataset in pyoxigraph, in memory or on disk. ``RemoteStore`` reads any
SPARQL 1.1 endpoint (Virtuoso, GraphDB, Oxigraph server...) through the protocol. Both answer
``query`` with pyoxigraph result objects and take the union of the named graphs as the default
graph, so the web layer never knows which one it talks to.
"""
from __future__ import annotations

import json
import logging
import mmap
import os
import re
from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from .datatypes import all_as_modelled, as_modelled
from .dumps import DUMP_NAME, MANIFEST
from .sparql_http import Endpoint, RemoteError, RemoteRefused, RemoteTimeout, ask, one_line
from .statistics import STATISTICS, Statistics, StatisticsError

log = logging.getLogger("lod.store")

# What a document about one resource holds (docs/design.md, "What a document holds"): its own
# triples, the nodes that hang below it, who links to it, and a label for everything linked.
# Labels are asked for afterwards, for the distinct IRIs linked, one property at a time: pyoxigraph
# plans ``OPTIONAL { ?o ?lp ?label FILTER(?lp IN (...)) }`` as a scan of every label in the store.
_DOCUMENT = """
CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { ?nodes } ?s ?p ?o }
"""

# One page of who links to a thing. An embedded store pages in the order of its own index, which is
# stable while it is served: sorting 40,000 links to a much-cited person by their IRIs would decode
# every one of them from disk (seconds) to show 500. A remote store is asked to sort.
_INCOMING = """
SELECT DISTINCT ?s ?p WHERE { ?s ?p ?this . FILTER(!STRSTARTS(STR(?s), CONCAT(STR(?this), "/"))) }
?order LIMIT ?limit OFFSET ?offset
"""

_LABELS = """
CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label . ?s <http://xmlns.com/foaf/0.1/name> ?name . }
WHERE {
  VALUES ?s { ?nodes }
  OPTIONAL { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }
  OPTIONAL { ?s <http://xmlns.com/foaf/0.1/name> ?name }
}
"""


class NodesBelow:
    """The subjects of a store, sorted, one IRI a line: the nodes below ``x`` (``x/time``, ``x/annotation/001``)
    are the lines that start with ``x/``, and bisection finds them in microseconds.

    A SPARQL filter per document (``STRSTARTS``) would scan every subject of the store. For a store on
    disk the lines are a file written when the store is loaded, mapped rather than read, so that start-up
    time does not grow with the data; for a store in memory they are found when it is loaded.
    """

    def __init__(self, lines: bytes | mmap.mmap) -> None:
        self._lines = lines  # UTF-8, sorted bytewise (= by code point), each line ending in a newline

    @classmethod
    def of(cls, store: ox.Store) -> "NodesBelow":
        """The subjects of ``store``'s default graph (the union of its graphs, see ``materialise_union``)."""
        # Serialised as TSV and sorted as bytes, never as Python terms: 200,000 subjects in about a second.
        rows = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
        tsv = rows.serialize(format=ox.QueryResultsFormat.TSV)
        iris = sorted(line[1:-1] for line in tsv.split(b"\n")[1:] if line)  # <iri> -> iri
        return cls(b"".join(iri + b"\n" for iri in iris))

    @classmethod
    def open(cls, path: Path) -> "NodesBelow":
        with open(path, "rb") as file:
            if os.fstat(file.fileno()).st_size == 0:
                return cls(b"")
            return cls(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))

    def write(self, path: Path) -> None:
        partial = path.with_name(path.name + ".partial")
        with open(partial, "wb") as file:
            file.write(self._lines)
            file.flush()
            os.fsync(file.fileno())
        partial.replace(path)

    def _first_at_or_after(self, key: bytes) -> int:
        """The offset of the first line not less than ``key``. ``lo`` and ``hi`` are always line starts (or
        the end); each step compares the first line that starts after the middle (``find``, not ``rfind``:
        mmap's ``rfind`` reads the whole range)."""
        lines, lo, hi = self._lines, 0, len(self._lines)
        while lo < hi:
            start = lines.find(b"\n", (lo + hi) // 2, hi) + 1
            if start <= 0 or start >= hi:  # no line starts between the middle and hi: look at lo's
                start = lo
            end = lines.find(b"\n", start)
            if lines[start:end] < key:
                lo = end + 1
            else:
                hi = start
        return lo

    def matching(self, prefix: str, rest: bytes) -> list[str]:
        """The lines that are ``prefix`` followed by what the regular expression ``rest`` matches (it must not
        match a newline), in order. Bisection finds the lines that start with ``prefix`` and one expression
        runs over them, in C: no Python step per line. Quantifiers in ``rest`` had better be possessive
        (``++``): on each line that does not match, a backtracking one gives back one byte at a time."""
        start = prefix.encode("utf-8")
        # The first line past those with the prefix: the prefix with its last byte raised (never 0xff in UTF-8).
        lines, lo = self._lines, self._first_at_or_after(start)
        hi = self._first_at_or_after(start[:-1] + bytes([start[-1] + 1])) if start else len(lines)
        line = re.escape(start) + b"(?:" + rest + b")"
        found = []
        if lo == 0 and hi > 0:  # the one line that follows no newline
            first = lines[:lines.find(b"\n")]
            found += [b"\n" + first] if re.fullmatch(line, first) else []
            lo = len(first) + 1
        # Each other line is found with the newline before it, from the one before the range on.
        found += re.compile(b"\n" + line + b"(?=\n)").findall(lines, lo - 1, hi) if lo < hi else []
        return [found_line[1:].decode("utf-8") for found_line in found]

    def __call__(self, uri: str) -> list[str]:
        prefix = (uri + "/").encode("utf-8")
        lines, at, below = self._lines, self._first_at_or_after(prefix), []
        while at < len(lines):
            end = lines.find(b"\n", at)
            line = lines[at:end]
            if not line.startswith(prefix):
                break
            below.append(line.decode("utf-8"))
            at = end + 1
        return below


def materialise_union(store: ox.Store, batch: int = 100_000) -> None:
    """Copy every named graph into the default graph, which is then the union (RDF merge) docs/design.md promises.

    pyoxigraph's ``use_default_graph_as_union`` would do without the copy, but it reads a triple once
    per graph that holds it (a person described in 500 letters is counted 500 times by ``COUNT``) and it
    overrides a query's ``FROM``; the copy keeps both standard. Copied in batches, so memory stays flat.
    """
    for graph in list(store.named_graphs()):
        quads = store.quads_for_pattern(None, None, None, graph)
        while chunk := [ox.Quad(q.subject, q.predicate, q.object) for q in islice(quads, batch)]:
            store.bulk_extend(chunk)


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF format of a file, by its extension (.ttl .nt .nq .trig .rdf .jsonld ...); ValueError if none."""
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower())
    if fmt is None:
        raise ValueError(f"{path}: unknown RDF file extension {path.suffix!r} (use .ttl, .nt, .nq, .trig, .rdf, .jsonld)")
    return fmt


def recorded_statistics(manifest: object, path: Path, remedy: str) -> Statistics | None:
    """The statistics that ``manifest`` (the JSON of ``path``: a ``build.json``, a ``loaded.json``) records.

    None when it records none, or none that can be read: `/void` then counts them in each process on
    first use, as it did before they were recorded, and the log says so, naming the file, with ``remedy``
    (what records them).
    """
    if not isinstance(manifest, dict) or STATISTICS not in manifest:
        log.info("%s records no statistics: /void counts them on first use (%s records them)", path, remedy)
        return None
    try:
        return Statistics.from_json(manifest[STATISTICS])
    except StatisticsError as exc:
        log.warning("the statistics in %s are damaged (%s): /void counts them on first use (%s records them "
                    "again)", path, exc, remedy)
        return None


class StoreUnavailable(Exception):
    """The store behind the server cannot be reached or failed; the web layer answers 502."""


class StoreTimeout(StoreUnavailable):
    """The store did not answer in time; the web layer answers 504."""


class Store(Protocol):
    immutable: bool  # True: nothing changes the data while it is served, so answers may be kept
    statistics: Statistics | None  # what /void counts, when known before it is asked for

    def query(self, sparql: str, *, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, max_rows: int | None = None) -> object:
        """pyoxigraph's results. ``max_rows``: the caller reads no more rows or triples than that, so a store
        that has to fetch its answer (a remote one) stops there; a store in this process answers lazily."""

    def document(self, uri: str, *, limit: int, offset: int = 0) -> tuple[list[ox.Triple], bool]:
        """The triples of the document about ``uri`` (unsorted) and whether more incoming links remain."""

    def exists(self, uri: str) -> bool: ...

    def __len__(self) -> int: ...


def _iri(uri: str) -> str:
    return f"<{ox.NamedNode(uri).value}>"  # NamedNode refuses anything that is not an IRI


def _exists(query: Callable[[str], object], uri: str) -> bool:
    this = _iri(uri)
    return bool(query(f"ASK {{ {{ {this} ?p ?o }} UNION {{ ?s ?p {this} }} }}"))


def _document(query: Callable[[str], Iterable], uri: str, below: Iterable[str], limit: int, offset: int,
              ordered: bool) -> tuple[list[ox.Triple], bool]:
    """The triples of the document about ``uri``, and whether more incoming links remain past ``limit``."""
    this = _iri(uri)
    nodes = " ".join([this, *(_iri(n) for n in below)])
    # What the store normalised (oa:start, oa:end), back in the datatype of the model, as in the dumps.
    triples = set(all_as_modelled(query(_DOCUMENT.replace("?nodes", nodes))))
    # Labels are needed for what is linked but not described here already (a node below has its own).
    linked = {t.object for t in triples if isinstance(t.object, ox.NamedNode)} - {t.subject for t in triples}
    rows = query(_INCOMING.replace("?this", this).replace("?order", "ORDER BY ?s ?p" if ordered else "")
                 .replace("?limit", str(limit + 1)).replace("?offset", str(offset)))
    links = [(row["s"], row["p"]) for row in rows]
    more = len(links) > limit  # the one extra link was asked for only to learn that there are more
    target = ox.NamedNode(uri)
    triples.update(ox.Triple(s, p, target) for s, p in links[:limit])
    linked |= {s for s, _ in links[:limit] if isinstance(s, ox.NamedNode)}
    if linked:
        triples.update(query(_LABELS.replace("?nodes", " ".join(_iri(n.value) for n in linked))))
    return list(triples), more  # in no particular order: the web layer sorts what it serves


class EmbeddedStore:
    """The dataset in pyoxigraph, in this process: in memory (the letters, ``--data`` files) or on disk
    (a store directory, see ``lod.storedir``).

    Its default graph holds the union of its named graphs, so that every query, ours and the SPARQL
    endpoint's, reads the same merge; the store does not change while it is served, so its size and
    its subjects are counted once.
    """

    immutable = True
    folder: Path | None = None  # the store directory it was opened from, if any (``lod.storedir``)

    def __init__(self, store: ox.Store, *, union: bool = False, below: NodesBelow | None = None,
                 quads: int | None = None, statistics: Statistics | None = None) -> None:
        """``union``: the default graph is the union already (a store directory); otherwise it is written now.
        ``statistics``: what `/void` counts, when the data came with them (``lod.statistics``)."""
        self._store = store
        self._quads = len(store) if quads is None else quads
        if not union:
            materialise_union(store)
        self._below = below if below is not None else NodesBelow.of(store)
        self.statistics = statistics  # None: counted on first use, in each process

    @classmethod
    def from_dumps(cls, folder: Path) -> "EmbeddedStore":
        """The N-Quads dump of a build, with the statistics the build recorded in its manifest."""
        store = ox.Store()
        store.bulk_load(path=str(folder / f"{DUMP_NAME}.nq"), format=ox.RdfFormat.N_QUADS)
        path = folder / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = None  # the dumps are served all the same, as before manifests held statistics
        return cls(store, statistics=recorded_statistics(manifest, path, "`lod build`"))

    @classmethod
    def from_files(cls, paths: list[Path]) -> "EmbeddedStore":
        """RDF files in any format pyoxigraph reads; a file of triples becomes a graph named by its file URI.

        Raises ValueError naming the file that cannot be read or parsed.
        """
        store = ox.Store()
        for path in paths:
            fmt = rdf_format(path)
            to_graph = None if fmt.supports_datasets else ox.NamedNode(path.resolve().as_uri())
            try:
                store.bulk_load(path=str(path), format=fmt, to_graph=to_graph, base_iri=path.resolve().as_uri())
            except (SyntaxError, OSError) as exc:
                raise ValueError(f"{path}: {exc}") from None
        return cls(store)

    @property
    def oxigraph(self) -> ox.Store:
        return self._store

    @property
    def subjects(self) -> NodesBelow:
        """Every subject IRI, sorted."""
        return self._below

    def __len__(self) -> int:
        """Quads in the named graphs (the data as loaded, without the union's copy)."""
        return self._quads

    def query(self, sparql: str, *, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, max_rows: int | None = None) -> object:
        options: dict[str, object] = {}
        if default_graph:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graph]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self._store.query(sparql, **options)

    def exists(self, uri: str) -> bool:
        return _exists(self.query, uri)

    def document(self, uri: str, *, limit: int, offset: int = 0) -> tuple[list[ox.Triple], bool]:
        """What ``_document`` asks in SPARQL queries, read straight from the store's indexes: 15% less CPU
        a document at a million triples; the rest is reading the triples themselves from RocksDB."""
        store, default, this = self._store, ox.DefaultGraph(), ox.NamedNode(uri)
        nodes = [this, *(ox.NamedNode(n) for n in self._below(uri))]
        triples = {as_modelled(q.triple) for node in nodes for q in store.quads_for_pattern(node, None, None, default)}
        linked = {t.object for t in triples if isinstance(t.object, ox.NamedNode)} - {t.subject for t in triples}
        below = uri + "/"
        # As _INCOMING: links from IRIs only (STR of a blank node is an error there), none from the nodes below.
        incoming = (q.triple for q in store.quads_for_pattern(None, None, this, default)
                    if isinstance(q.subject, ox.NamedNode) and not q.subject.value.startswith(below))
        links = list(islice(incoming, offset, offset + limit + 1))
        more = len(links) > limit
        triples.update(links[:limit])
        linked |= {t.subject for t in links[:limit]}
        triples.update(q.triple for node in linked for label in _LABELLED_BY
                       for q in store.quads_for_pattern(node, label, None, default))
        return list(triples), more


_LABELLED_BY = (ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.NamedNode("http://xmlns.com/foaf/0.1/name"))


class StoreRefusedQuery(StoreUnavailable, ValueError):
    """The store answered 400 to a query: a query of a client is then the client's mistake (the SPARQL
    engine reads a ValueError as one, 400), one of ours a store that cannot serve us (502)."""


class RemoteStore:
    """A SPARQL 1.1 endpoint elsewhere, read through the protocol (``lod.sparql_http``).

    As in Pubby, the data there may use other URIs than the ones we serve: ``dataset_base`` is
    the base of the URIs in the store, the web base is ours. Queries are rewritten from web to
    dataset URIs on the way out and answers back on the way in, so pages and links stay ours.
    Every query has ``timeout`` seconds in all and at most ``max_bytes`` of answer.
    """

    immutable = False  # others may write to it while we serve
    statistics = None  # they may change: counted when first asked for

    def __init__(self, endpoint: str | Endpoint, *, web_base: str, dataset_base: str | None = None,
                 timeout: float = 10.0, max_bytes: int = 64 * 2 ** 20) -> None:
        self.endpoint = endpoint if isinstance(endpoint, Endpoint) else Endpoint.of(endpoint)
        self._web = web_base
        self._data = dataset_base or web_base
        self._timeout = timeout
        self._max_bytes = max_bytes

    def _outward(self, text: str) -> str:
        return text.replace(self._web, self._data) if self._data != self._web else text

    def _inward(self, term):
        """A term of the store's answer with our URIs for the dataset's (in IRIs and literals alike)."""
        if isinstance(term, ox.NamedNode):
            return ox.NamedNode(term.value.replace(self._data, self._web))
        if isinstance(term, ox.Literal):
            value = term.value.replace(self._data, self._web)
            if term.language:
                return ox.Literal(value, language=term.language)
            return ox.Literal(value, datatype=self._inward(term.datatype))
        if isinstance(term, ox.Triple):
            return ox.Triple(self._inward(term.subject), self._inward(term.predicate), self._inward(term.object))
        return term

    def query(self, sparql: str, *, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None, max_rows: int | None = None) -> object:
        """As ``Store.query``; ``max_rows``: read at most that many rows or triples of the answer."""
        try:
            return ask(self.endpoint, self._outward(sparql),
                       default_graphs=[self._outward(g) for g in default_graph or ()],
                       named_graphs=[self._outward(g) for g in named_graphs or ()],
                       timeout=self._timeout, max_bytes=self._max_bytes, max_rows=max_rows,
                       inward=self._inward if self._data != self._web else None)
        except RemoteTimeout as exc:
            raise StoreTimeout(str(exc)) from None
        except RemoteError as exc:
            if exc.detail:  # what the store said: for the log, never for the client
                log.warning("%s: %s", exc, one_line(exc.detail))
            if isinstance(exc, RemoteRefused) and exc.status == 400:
                raise StoreRefusedQuery(str(exc)) from None
            raise StoreUnavailable(str(exc)) from None

    def __len__(self) -> int:
        rows = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(rows))["n"].value)

    def exists(self, uri: str) -> bool:
        return _exists(self.query, uri)

    def document(self, uri: str, *, limit: int, offset: int = 0) -> tuple[list[ox.Triple], bool]:
        prefix = uri + "/"
        rows = self.query(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{prefix}")) }}')
        below = sorted(row["s"].value for row in rows if isinstance(row["s"], ox.NamedNode))
        return _document(self.query, uri, below, limit, offset, ordered=True)
