"""The dump loads into real triple stores, and every store answers our queries as our own endpoint does.

Three stores, each started here on loopback and loaded the way its users would:
- Oxigraph's server (PyPI ``oxigraph``), loaded with ``lod load`` over the Graph Store Protocol;
- Virtuoso open source 7.2 (Debian ``virtuoso-opensource``), loaded with its bulk loader through isql;
- our own server (``serve.py``), which loads the dump into embedded pyoxigraph.
The same queries (``tests/queries/*.rq``) go to each through SPARQLWrapper, and the answers must be
the same once the differences that SPARQL leaves to the store are normalised (``normalise``).
The queries hold whatever a store takes the default graph to be: our ``/sparql`` makes it the RDF merge
of the named graphs (a triple in three letters' graphs counts once); Oxigraph's ``--union-default-graph``
and Virtuoso match every quad (it counts three times), Virtuoso's own system graphs included. So they
use ``GRAPH ?g`` or ``DISTINCT``, and classes and properties that only the letters use.

Load times (for ``lod load``, the seconds it reports for its HTTP requests) go to
``tests/artifacts/store-load-times.txt``, and per query whether each store's answer
was identical as served or equal only after normalising goes to ``tests/artifacts/store-parity.txt``;
both are printed too (``pytest -s`` shows them).
"""
from __future__ import annotations

import json
import re
import time
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from stores import VIRTUOSO_PASSWORD, VIRTUOSO_USER, find_oxigraph, find_virtuoso, oxigraph_server, virtuoso_server
from support import Ran, lod, skip_or_fail

QUERIES = sorted((Path(__file__).parent / "queries").glob("*.rq"))
ARTIFACTS = Path(__file__).parent / "artifacts"
LOAD_TIMES: dict[str, str] = {}
PARITY: dict[str, list[str]] = {}

XSD = "http://www.w3.org/2001/XMLSchema#"
# Every integer type a store may give a count or a number (Virtuoso answers some with xsd:int or xsd:long).
INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                   "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
                                   "unsignedShort", "unsignedByte")}
DECIMAL_TYPES = {XSD + t for t in ("decimal", "double", "float")}


# --- normalising answers -------------------------------------------------------------------------


def normalise(term: dict | None) -> tuple:
    """One value of a SPARQL JSON answer, so that equal RDF terms from different stores compare equal.

    Needed with the stores of this test (see tests/artifacts/store-parity.txt for where):
    - ``"type": "typed-literal"`` (the SPARQL 1.0 JSON draft, which Virtuoso 7.2 still writes for
      every literal with a datatype) is a ``literal`` with that datatype (SPARQL 1.1 JSON).
    Allowed by the standards and seen in other versions of these stores, so guarded against too:
    - a literal with neither datatype nor language is an ``xsd:string`` (RDF 1.1), whether the store
      writes the datatype out or not;
    - integers compare by value whatever the integer type (Virtuoso may type a count or a sum
      ``xsd:int`` or ``xsd:long``; the dump and Oxigraph say ``xsd:integer``); decimals and doubles by value;
    - an ``xsd:dateTime`` compares as a point in time: ``Z`` equals ``+00:00`` and ``.000`` no fraction
      (a value without a time zone stays distinct from one with a zone: that would be a real change);
    - language tags compare case-insensitively (BCP 47);
    - an unbound variable is ``("unbound",)``; blank node labels are store-local, so only the kind counts
      (the dataset has none).
    """
    if term is None:
        return ("unbound",)
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return ("iri", value)
    if kind == "bnode":
        return ("bnode",)
    language = term.get("xml:lang") or term.get("lang")
    if language:
        return ("literal", value, "@" + language.lower())
    datatype = term.get("datatype") or XSD + "string"
    if datatype in INTEGER_TYPES:
        try:
            return ("number", Decimal(int(value)))
        except ValueError:
            pass
    if datatype in DECIMAL_TYPES:
        try:
            return ("number", Decimal(value).normalize())
        except InvalidOperation:
            pass
    if datatype == XSD + "dateTime":
        return ("dateTime", _instant(value))
    return ("literal", value, datatype)


def _instant(value: str) -> str:
    text = re.sub(r"Z$", "+00:00", value.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return value  # leave what we cannot read as it is: a difference then shows
    return moment.isoformat(timespec="microseconds")


def ask(endpoint: str, query: str) -> list[tuple] | bool:
    """The answer of ``endpoint`` to ``query``: a boolean, or its rows as tuples of normalised values."""
    answer = ask_raw(endpoint, query)
    if isinstance(answer, bool):
        return answer
    return [tuple(normalise(term) for term in row) for row in answer]


def ask_raw(endpoint: str, query: str) -> list[tuple] | bool:
    """The answer as served: a boolean, or rows of SPARQL JSON terms (dicts, None where unbound)."""
    client = SPARQLWrapper(endpoint)
    client.setOnlyConneg(True)  # the protocol's Accept header only; no store-specific format= parameters
    client.setQuery(query)
    client.setReturnFormat(JSON)
    client.setTimeout(60)
    answer = client.queryAndConvert()
    if "boolean" in answer:
        return answer["boolean"]
    names = answer["head"]["vars"]
    return [tuple(row.get(name) for name in names) for row in answer["results"]["bindings"]]


def spelling(raw: list[tuple], expected: list[tuple]) -> str:
    """How an answer equal after normalising was written differently, e.g. ``typed-literal for literal (26)``."""
    def key(row):
        return json.dumps(row, sort_keys=True)
    if sorted(map(key, raw)) == sorted(map(key, expected)):
        return "identical as served"
    changes: dict[str, int] = {}
    for ours, theirs in zip(sorted(expected, key=key), sorted(raw, key=key)):
        for a, b in zip(ours, theirs):
            if a == b:
                continue
            a, b = a or {}, b or {}
            parts = [f"{field} {b.get(field)!r} for {a.get(field)!r}" for field in ("type", "datatype", "xml:lang", "value")
                     if a.get(field) != b.get(field)]
            change = ", ".join(parts) if "value" not in " ".join(parts) else "values: " + ", ".join(parts)
            changes[change] = changes.get(change, 0) + 1
    return "equal after normalising: " + "; ".join(f"{c} ({n} terms)" for c, n in sorted(changes.items()))


def ordered(query: str) -> bool:
    return re.search(r"\bORDER\s+BY\b", query, re.I) is not None


# --- the stores, started once for this module ----------------------------------------------------


def _record(store: str, how: str, seconds: float, triples: int) -> None:
    line = f"{store:<24} {how:<70} {seconds:7.3f} s  ({triples} quads, {triples / seconds:,.0f}/s)"
    LOAD_TIMES[store] = line
    print("\nload time: " + line)


@pytest.fixture(scope="module", autouse=True)
def _write_artifacts():
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    if LOAD_TIMES:
        (ARTIFACTS / "store-load-times.txt").write_text(
            "Load time of the letters.nq dump into each store (2 cores, loopback)\n"
            + "\n".join(LOAD_TIMES[k] for k in sorted(LOAD_TIMES)) + "\n", encoding="utf-8")
    if PARITY:
        (ARTIFACTS / "store-parity.txt").write_text(
            "Answers of each store to tests/queries/*.rq, compared with our own /sparql\n"
            + "".join(f"{name}\n" + "".join(f"  {line}\n" for line in lines) for name, lines in sorted(PARITY.items())),
            encoding="utf-8")


@pytest.fixture(scope="module")
def dump(built, dumps_dir: Path) -> Path:
    return dumps_dir / "letters.nq"


@pytest.fixture(scope="module")
def ours(real_server, dump: Path) -> str:
    """Our own server on the session's dumps (the session's real server: its base is the build's, so it serves
    them without rebuilding)."""
    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    _record("embedded pyoxigraph", "Store.bulk_load(letters.nq), in process, as serve.py does", time.perf_counter() - started,
            len(store))
    return real_server + "sparql"


@pytest.fixture(scope="module")
def oxigraph(built, dump: Path, tmp_path_factory):
    program = find_oxigraph()
    if program is None:
        skip_or_fail("oxigraph server not found (PyPI: pip install oxigraph)")
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph"), program) as store:
        done = lod_load("--endpoint", store.store, "--dumps", str(dump.parent))
        assert done.returncode == 0, done.stderr
        _record("Oxigraph server 0.5", "lod load --endpoint .../store (GSP: a PUT per graph)",
                loading_time(done), len(list(ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS))))
        yield store


@pytest.fixture(scope="module")
def virtuoso(built, dump: Path, tmp_path_factory):
    programs = find_virtuoso()
    if programs is None:
        skip_or_fail("virtuoso-t or isql-vt not found (Debian: apt-get install virtuoso-opensource)")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso"), programs, [dump.parent]) as store:
        started = time.perf_counter()
        # The bulk loader takes the graph of each quad from the N-Quads; the third argument is only
        # the graph for triples files, unused here.
        store.isql(f"ld_dir('{dump.parent.resolve()}', '{dump.name}', 'urn:lod-letters:unused');\n"
                   "rdf_loader_run();\ncheckpoint;\n")
        seconds = time.perf_counter() - started
        failed = store.isql("select ll_file, ll_error from DB.DBA.load_list where ll_error is not null;")
        assert "0 Rows." in failed, failed
        _record("Virtuoso 7.2", "isql: ld_dir + rdf_loader_run + checkpoint (bulk loader)", seconds,
                len(list(ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS))))
        yield store


def lod_load(*args: str) -> Ran:
    """`lod load ARGS`, run in this process."""
    return lod("load", *args)


def loading_time(done: Ran) -> float:
    """The seconds ``lod load`` reports for its HTTP requests (without Python's start-up and reading the dump)."""
    found = re.search(r" in (\d+\.\d+) s$", done.stdout.strip())
    assert found, done.stdout
    return float(found.group(1))


def counts_per_graph(endpoint: str, graphs: list[str]) -> dict[str, int]:
    values = " ".join(f"<{g}>" for g in graphs)
    rows = ask(endpoint, f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g")
    return {g[1]: int(n[1]) for g, n in rows}


# --- the tests -----------------------------------------------------------------------------------


def test_there_are_ten_or_more_shared_queries():
    assert len(QUERIES) >= 10


@pytest.mark.parametrize("which", ["ours", "oxigraph", "virtuoso"])
def test_each_store_holds_every_graph_of_the_dump(request, which, quads_per_graph):
    store = request.getfixturevalue(which)
    endpoint = store if isinstance(store, str) else (store.query if which == "oxigraph" else store.sparql)
    assert counts_per_graph(endpoint, sorted(quads_per_graph)) == quads_per_graph


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_every_store_gives_the_same_answer(path, ours, oxigraph, virtuoso):
    query = path.read_text(encoding="utf-8")
    served = ask_raw(ours, query)
    assert served, f"{path.name} finds nothing on our own endpoint: it would prove nothing"
    expected = served if isinstance(served, bool) else [tuple(map(normalise, row)) for row in served]
    report = PARITY.setdefault(path.stem, [])
    for store, endpoint in (("oxigraph", oxigraph.query), ("virtuoso", virtuoso.sparql)):
        raw = ask_raw(endpoint, query)
        if isinstance(expected, bool):
            assert raw == expected, f"{store} answers {raw} to {path.name}"
            report.append(f"{store:<9} {'identical as served'} ({raw})")
            continue
        answer = [tuple(map(normalise, row)) for row in raw]
        assert sorted(answer, key=repr) == sorted(expected, key=repr), f"{store} answers {path.name} differently"
        if ordered(query):
            assert answer == expected, f"{store} orders the answer to {path.name} differently"
        report.append(f"{store:<9} {len(answer):>4} rows, {spelling(raw, served)}")
    print(f"\n{path.stem}: " + " | ".join(report))


def test_lod_load_into_virtuoso_over_gsp_with_digest_auth_replaces_each_graph(virtuoso, dump, quads_per_graph):
    """Loading over the bulk-loaded graphs, twice: PUT replaces, so the counts stay those of the dump."""
    for _ in range(2):
        done = lod_load("--endpoint", virtuoso.gsp, "--auth", f"{VIRTUOSO_USER}:{VIRTUOSO_PASSWORD}",
                        "--dumps", str(dump.parent))
        assert done.returncode == 0, done.stderr
    _record("Virtuoso 7.2, lod load", "lod load --endpoint .../sparql-graph-crud-auth --auth (GSP, digest)",
            loading_time(done), sum(quads_per_graph.values()))
    assert counts_per_graph(virtuoso.sparql, sorted(quads_per_graph)) == quads_per_graph
