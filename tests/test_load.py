"""`lod load` against a real Oxigraph server: what a user runs, and what the store then holds.

Each test starts its own empty Oxigraph (a fraction of a second) so that counts are never left over
from another test. The refusals a real store would need setting up for (401, 403) come from a
small stub server on loopback that answers every request with one status.
"""
from __future__ import annotations

import contextlib
import http.server
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from stores import find_oxigraph, oxigraph_server
from support import Ran, free_port, lod, serving, skip_or_fail


def lod_load(*args: str) -> Ran:
    """`lod load ARGS`, run in this process."""
    return lod("load", *args)


def loaded(done: Ran) -> None:
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def refused(done: Ran) -> str:
    """The one-line error of a failed load (exit code != 0, a message, no traceback)."""
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    assert "Error: " in done.stderr, done.stderr
    return done.stderr


def counts(query_endpoint: str) -> dict[str, int]:
    """Triples per named graph in the store."""
    answer = requests.post(query_endpoint, data={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
    answer.raise_for_status()
    return {row["g"]["value"]: int(row["n"]["value"]) for row in answer.json()["results"]["bindings"]}


@pytest.fixture(scope="module")
def program() -> str:
    found = find_oxigraph()
    if found is None:
        skip_or_fail("oxigraph server not found (PyPI: pip install oxigraph)")
    return found


@pytest.fixture
def oxigraph(program, tmp_path):
    with oxigraph_server(tmp_path / "oxigraph", program) as store:
        yield store


@pytest.fixture(scope="module")
def dumps(built, dumps_dir: Path) -> Path:
    return dumps_dir


@pytest.fixture(scope="module")
def union(built) -> int:
    return len({quad.triple for quad in built.quads})


# --- loading ---------------------------------------------------------------------------------


def test_load_writes_every_graph_with_the_dump_counts(oxigraph, dumps, quads_per_graph):
    done = lod_load("--endpoint", oxigraph.store, "--dumps", str(dumps))
    loaded(done)
    assert counts(oxigraph.query) == quads_per_graph
    total = sum(quads_per_graph.values())
    assert f"{total} triples in {len(quads_per_graph)} graph(s) written to {oxigraph.store}" in done.stdout


def test_loading_twice_does_not_duplicate(oxigraph, dumps, quads_per_graph):
    loaded(lod_load("--endpoint", oxigraph.store, "--dumps", str(dumps)))
    loaded(lod_load("--endpoint", oxigraph.store, "--dumps", str(dumps)))
    assert counts(oxigraph.query) == quads_per_graph


def test_small_batches_put_then_post_the_same_triples(oxigraph, dumps, quads_per_graph):
    loaded(lod_load("--endpoint", oxigraph.store, "--dumps", str(dumps), "--batch-size", "100"))
    loaded(lod_load("--endpoint", oxigraph.store, "--dumps", str(dumps), "--batch-size", "100"))
    assert counts(oxigraph.query) == quads_per_graph


def test_a_reload_replaces_what_a_graph_held(oxigraph, dumps, quads_per_graph):
    graph = next(iter(quads_per_graph))
    stray = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:x:stale> <urn:x:p> \"left over\" }} }}"
    loaded(lod_load("--endpoint", oxigraph.store, "--dumps", str(dumps)))
    requests.post(oxigraph.update, data={"update": stray}, timeout=30).raise_for_status()
    assert counts(oxigraph.query)[graph] == quads_per_graph[graph] + 1
    loaded(lod_load("--endpoint", oxigraph.store, "--dumps", str(dumps)))
    assert counts(oxigraph.query) == quads_per_graph


def test_graph_option_loads_the_union_into_one_graph(oxigraph, dumps, union):
    target = "http://example.org/letters"
    for _ in range(2):
        done = lod_load("--endpoint", oxigraph.store, "--dumps", str(dumps), "--graph", target)
        loaded(done)
    assert counts(oxigraph.query) == {target: union}
    assert f"{union} triples in 1 graph(s)" in done.stdout


def test_update_method_loads_the_same_and_is_idempotent(oxigraph, dumps, quads_per_graph):
    for _ in range(2):
        loaded(lod_load("--endpoint", oxigraph.update, "--method", "update", "--dumps", str(dumps),
                        "--batch-size", "700"))
    assert counts(oxigraph.query) == quads_per_graph


def test_update_method_with_graph_option(oxigraph, dumps, union):
    target = "http://example.org/letters"
    loaded(lod_load("--endpoint", oxigraph.update, "--method", "update", "--dumps", str(dumps), "--graph", target))
    assert counts(oxigraph.query) == {target: union}


XSD = "http://www.w3.org/2001/XMLSchema#"


def as_oxigraph_keeps(quads) -> set[ox.Quad]:
    """``quads`` as Oxigraph holds them: it keeps an xsd:nonNegativeInteger (oa:start, oa:end) as an
    xsd:integer (DESIGN: pitfalls), and changes nothing else."""
    def kept(term):
        if isinstance(term, ox.Literal) and term.datatype.value == XSD + "nonNegativeInteger":
            return ox.Literal(term.value, datatype=ox.NamedNode(XSD + "integer"))
        return term
    return {ox.Quad(q.subject, q.predicate, kept(q.object), q.graph_name) for q in quads}


def test_the_store_returns_the_very_quads_of_the_dump(oxigraph, dumps, built):
    """Not only the counts: every term, literal datatypes and languages included, comes back as dumped."""
    loaded(lod_load("--endpoint", oxigraph.store, "--dumps", str(dumps)))
    # A GET of the Graph Store without ?graph= is the whole dataset (Oxigraph answers it in N-Quads).
    answer = requests.get(oxigraph.store, headers={"Accept": "application/n-quads"}, timeout=30)
    answer.raise_for_status()
    assert set(ox.parse(answer.content, format=ox.RdfFormat.N_QUADS)) == as_oxigraph_keeps(built.quads)


def test_the_update_method_returns_the_very_quads_too(oxigraph, dumps, built):
    loaded(lod_load("--endpoint", oxigraph.update, "--method", "update", "--dumps", str(dumps)))
    answer = requests.get(oxigraph.store, headers={"Accept": "application/n-quads"}, timeout=30)
    assert set(ox.parse(answer.content, format=ox.RdfFormat.N_QUADS)) == as_oxigraph_keeps(built.quads)


AWKWARD = """\
<urn:x:s> <urn:x:p> "a \\"quoted\\" word" <urn:x:g> .
<urn:x:s> <urn:x:p> "back\\\\slash \\\\u0022 not an escape" <urn:x:g> .
<urn:x:s> <urn:x:p> "line\\nbreak\\r\\ttab" <urn:x:g> .
<urn:x:s> <urn:x:p> "control \\u0001 \\u007F character" <urn:x:g> .
<urn:x:s> <urn:x:p> "Ленин “quoted” – 😀"@ru <urn:x:g> .
<urn:x:s> <urn:x:p> "} } ; DROP ALL ; INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }" <urn:x:g> .
<urn:x:s> <urn:x:p> "0042"^^<http://www.w3.org/2001/XMLSchema#string> <urn:x:g> .
<urn:x:s> <urn:x:p> "2"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:x:g> .
<urn:x:s> <urn:x:p> ""@en <urn:x:g> .
<urn:x:s/é> <urn:x:p> <urn:x:o?a=1&b=%20> <urn:x:g> .
"""


@pytest.mark.parametrize("method, path", [("gsp", "store"), ("update", "update")])
def test_awkward_literals_arrive_unchanged(oxigraph, tmp_path, method, path):
    """Quotes, backslashes, control characters, non-BMP characters and SPARQL-looking text, by both methods."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    (folder / "letters.nq").write_text(AWKWARD, encoding="utf-8")
    expected = set(ox.parse(AWKWARD.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    loaded(lod_load("--endpoint", getattr(oxigraph, path), "--method", method, "--dumps", str(folder),
                    "--batch-size", "3"))
    answer = requests.get(oxigraph.store, headers={"Accept": "application/n-quads"}, timeout=30)
    assert set(ox.parse(answer.content, format=ox.RdfFormat.N_QUADS)) == expected


@pytest.mark.parametrize("method, path", [("gsp", "store"), ("update", "update")])
def test_a_graph_with_blank_nodes_is_sent_whole(oxigraph, tmp_path, method, path):
    """Split over two requests, one blank node would become two; such a graph ignores --batch-size."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    (folder / "letters.nq").write_text("".join(f"_:b <urn:x:p{i}> \"{i}\" <urn:x:g> .\n" for i in range(5)),
                                       encoding="utf-8")
    loaded(lod_load("--endpoint", getattr(oxigraph, path), "--method", method, "--dumps", str(folder),
                    "--batch-size", "2"))
    answer = requests.post(oxigraph.query, data={"query": "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.json()["results"]["bindings"][0]["n"]["value"] == "1"
    assert counts(oxigraph.query) == {"urn:x:g": 5}


def test_missing_dumps_are_built_first(oxigraph, tmp_path, quads_per_graph):
    fresh = tmp_path / "new-dumps"
    loaded(lod_load("--endpoint", oxigraph.store, "--dumps", str(fresh)))
    assert (fresh / "letters.nq").is_file()
    assert counts(oxigraph.query) == quads_per_graph


# --- refusals --------------------------------------------------------------------------------


def test_unreachable_endpoint_fails_with_a_message(dumps):
    port = free_port()  # nothing listens there
    message = refused(lod_load("--endpoint", f"http://127.0.0.1:{port}/store", "--dumps", str(dumps)))
    assert f"cannot reach http://127.0.0.1:{port}/store" in message


def test_not_a_url_fails_with_a_message(dumps):
    assert "not an HTTP endpoint URL" in refused(lod_load("--endpoint", "localhost-store", "--dumps", str(dumps)))


def test_an_address_without_a_store_answers_404(oxigraph, dumps):
    message = refused(lod_load("--endpoint", oxigraph.base + "no-such-path", "--dumps", str(dumps)))
    assert "404" in message and "Oxigraph: /store" in message


def test_a_web_page_is_not_a_graph_store(oxigraph, dumps, quads_per_graph):
    message = refused(lod_load("--endpoint", oxigraph.base, "--dumps", str(dumps)))
    assert "not a Graph Store Protocol endpoint" in message and "text/html" in message
    assert counts(oxigraph.query) == {}


def test_the_query_endpoint_refuses_an_update_with_a_message(oxigraph, dumps):
    message = refused(lod_load("--endpoint", oxigraph.query, "--method", "update", "--dumps", str(dumps)))
    assert "400" in message and "not a SPARQL Update endpoint" in message


class _Stub(http.server.BaseHTTPRequestHandler):
    """Answers every request with the server's ``status``; with ``password``, basic auth first."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        status, challenge = self.server.status, None
        if self.server.password is not None:
            import base64
            expected = "Basic " + base64.b64encode(f"loader:{self.server.password}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                status, challenge = 401, 'Basic realm="stub"'
            else:
                self.server.authorised += 1
        self.send_response(status)
        if challenge:
            self.send_header("WWW-Authenticate", challenge)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def stub(status: int, password: str | None = None) -> Iterator[http.server.HTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Stub)
    server.status, server.password, server.authorised = status, password, 0
    with serving(server):
        yield server


@pytest.mark.parametrize("status, words", [(401, "give --auth USER:PASSWORD"), (403, "may not write")])
def test_refusals_say_what_to_do(dumps, status, words):
    with stub(status) as server:
        url = f"http://127.0.0.1:{server.server_port}/store"
        message = refused(lod_load("--endpoint", url, "--dumps", str(dumps)))
    assert str(status) in message and words in message


def test_wrong_credentials_are_named(dumps):
    with stub(204, password="secret") as server:
        url = f"http://127.0.0.1:{server.server_port}/store"
        message = refused(lod_load("--endpoint", url, "--dumps", str(dumps), "--auth", "loader:wrong"))
    assert "401" in message and "wrong user or password" in message


def test_basic_auth_is_sent_when_the_endpoint_asks_for_it(dumps, quads_per_graph):
    with stub(204, password="secret") as server:
        url = f"http://127.0.0.1:{server.server_port}/store"
        loaded(lod_load("--endpoint", url, "--dumps", str(dumps), "--auth", "loader:secret"))
        assert server.authorised == 1 + len(quads_per_graph)  # the probe, then one PUT per graph
