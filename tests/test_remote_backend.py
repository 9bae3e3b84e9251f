"""serve.py --sparql-endpoint: the same pages and documents from an Oxigraph server as from the embedded store.

The data in the remote store uses another URI space (``--dataset-base``), as an institution's store
would; the frontend maps it to its own base, as Pubby does.
"""
from __future__ import annotations

import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from stores import find_virtuoso, oxigraph_cli, virtuoso_server
from support import (ANNOTATIONS, LETTERS, ONTOLOGY, free_port, make_app, running_server, sample_by_shape,
                     skip_or_fail)

from lod.build import build

WEB_BASE = "http://letters.test/"
DATASET_BASE = "http://data.example.org/"


@pytest.fixture(scope="module")
def dataset_dumps(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("remote-data") / "dumps"
    build(LETTERS, ANNOTATIONS, ONTOLOGY, DATASET_BASE, out)
    return out


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory, dataset_dumps):
    """An Oxigraph server holding the letters under DATASET_BASE, read-only, union default graph."""
    cli = oxigraph_cli()
    tmp = tmp_path_factory.mktemp("oxigraph")
    subprocess.run([cli, "load", "--location", str(tmp / "db"), "--file", str(dataset_dumps / "letters.nq")],
                   check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([cli, "serve-read-only", "--location", str(tmp / "db"), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(endpoint, params={"query": "ASK {}"}, timeout=1).ok:
                break
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield endpoint
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory, dataset_dumps):
    """Virtuoso open source holding the letters under DATASET_BASE, loaded by its bulk loader."""
    programs = find_virtuoso()
    if programs is None:
        skip_or_fail("virtuoso-t or isql-vt not found (Debian: apt-get install virtuoso-opensource-7-bin)")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso"), programs, [dataset_dumps]) as store:
        store.isql(f"ld_dir('{dataset_dumps.resolve()}', 'letters.nq', 'urn:lod-letters:unused');\n"
                   "rdf_loader_run();\ncheckpoint;\n")
        yield store.sparql


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote(request):
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory, web):
    """The letters built under WEB_BASE and served from the embedded store, in this process (``web``)."""
    from lod.config import Settings
    from lod.store import EmbeddedStore

    out = tmp_path_factory.mktemp("embedded") / "dumps"
    build(LETTERS, ANNOTATIONS, ONTOLOGY, WEB_BASE, out)
    web.serve(WEB_BASE, make_app(Settings(base=WEB_BASE, out=out), EmbeddedStore.from_dumps(out)))
    try:
        yield WEB_BASE
    finally:
        web.stop(WEB_BASE)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, remote):
    with running_server(tmp_path_factory.mktemp("proxied") / "dumps", "--base", WEB_BASE,
                        "--sparql-endpoint", remote, "--dataset-base", DATASET_BASE) as url:
        yield url


def subjects_of_dump(web, url: str) -> list[str]:
    """The main things of the dataset, read from the embedded server's own N-Triples dump."""
    data = web.get(url + "dumps/letters.nt", timeout=30).content
    graph = Graph().parse(data=data, format="nt")
    return sorted({str(s) for s in graph.subjects() if str(s).startswith(WEB_BASE + "id/")})


def document(url: str, uri: str, accept: str = "application/n-triples", http=requests) -> requests.Response:
    """The document of ``uri`` as served at ``url``, asked with ``http`` (requests, or a session)."""
    path = uri[len(WEB_BASE):].replace("id/", "doc/", 1)
    return http.get(url + path, headers={"Accept": accept}, timeout=30)


def isomorphic_nt(a: bytes, a_triples: set, b: bytes) -> bool:
    """Whether two N-Triples documents hold isomorphic graphs (``a_triples``: those of ``a``, read by pyoxigraph).
    The same triples are (pyoxigraph reads quickly); otherwise rdflib decides, blank nodes and all."""
    if a_triples == set(ox.parse(b, format=ox.RdfFormat.N_TRIPLES)):
        return True
    return isomorphic(Graph().parse(data=a, format="nt"), Graph().parse(data=b, format="nt"))


@pytest.fixture(scope="module")
def embedded_document(embedded, web):
    """``embedded_document(uri)``: the document from the embedded store, and its triples; asked once for both
    remote stores."""
    kept: dict[str, tuple[requests.Response, set]] = {}

    def ask(uri: str) -> tuple[requests.Response, set]:
        if uri not in kept:
            answer = document(embedded, uri, http=web)
            ok = answer.status_code == 200
            kept[uri] = answer, (set(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)) if ok else set())
        return kept[uri]
    return ask


HYDRA_NEXT = "http://www.w3.org/ns/hydra/core#next"


def all_pages(first: set, ask) -> set:
    """The triples of every page of a document whose incoming links run over several pages (hydra:next)."""
    triples, seen = set(first), set()
    while True:
        following = {t.object.value for t in triples if t.predicate.value == HYDRA_NEXT} - seen
        if not following:
            return triples
        for url in sorted(following):
            seen.add(url)
            triples |= set(ox.parse(ask(url).content, format=ox.RdfFormat.N_TRIPLES))


def test_every_document_is_the_same_from_the_remote_store(embedded, embedded_document, proxied, web):
    """Every letter's document, and of every other kind of node (``sample_by_shape``) the same sample on
    every run: with 28 letters the dump has some 3000 subjects, which two stores would each be asked for."""
    every = subjects_of_dump(web, embedded)
    assert len(every) > 500
    subjects = sample_by_shape(every, WEB_BASE)
    assert {s.split("/")[4] for s in subjects} == {s.split("/")[4] for s in every}  # every kind of thing
    differ = []
    # The frontend's answers are asked four at a time (each waits on the remote store), in order.
    clients = threading.local()

    def from_proxied(uri: str) -> requests.Response:
        if not hasattr(clients, "http"):
            clients.http = requests.Session()
        return document(proxied, uri, http=clients.http)

    with ThreadPoolExecutor(4) as pool:
        for uri, b in zip(subjects, pool.map(from_proxied, subjects)):
            a, a_triples = embedded_document(uri)
            assert a.status_code == b.status_code == 200, uri
            if any(t.predicate.value == HYDRA_NEXT for t in a_triples):
                # Paged (more incoming links than a page holds): each store pages in an order of its own
                # (lod/store.py), so the pages are compared together, as the one document they make.
                def get(url: str, base: str) -> requests.Response:
                    return web.get(base + url[len(WEB_BASE):], headers={"Accept": "application/n-triples"},
                                   timeout=30)
                a_all = all_pages(a_triples, lambda url: get(url, embedded))
                b_all = all_pages(set(ox.parse(b.content, format=ox.RdfFormat.N_TRIPLES)), lambda url: get(url, proxied))
                if a_all != b_all:
                    differ.append(uri)
            elif not isomorphic_nt(a.content, a_triples, b.content):
                differ.append(uri)
    assert not differ, f"{len(differ)} documents differ, e.g. {differ[:3]}"


def test_the_stored_text_and_positions_as_the_model_says_from_the_remote_store(proxied):
    """The text the offsets count in, served byte for byte, and oa:start/oa:end in Web Annotation's range,
    whatever datatype the store behind keeps them in."""
    text = requests.get(proxied + "doc/text/1921-12-20-zalutsky-salts.txt", timeout=30)
    assert text.status_code == 200 and text.content == (LETTERS / "000_6d2f7f5c90ee0ebe.txt").read_bytes()
    asked = requests.get(proxied + "doc/text/1921-12-20-zalutsky-salts", headers={"Accept": "text/plain"}, timeout=30)
    assert asked.headers["Content-Type"] == "text/plain; charset=utf-8" and asked.content == text.content
    letter = document(proxied, WEB_BASE + "id/letter/1921-12-20-zalutsky-salts")
    positions = [t.object for t in ox.parse(letter.content, format=ox.RdfFormat.N_TRIPLES)
                 if t.predicate.value in ("http://www.w3.org/ns/oa#start", "http://www.w3.org/ns/oa#end")]
    assert len(positions) > 100
    assert {o.datatype.value for o in positions} == {"http://www.w3.org/2001/XMLSchema#nonNegativeInteger"}


def test_no_dataset_uri_leaks_into_pages(proxied):
    for path in ("doc/letter/1921-12-20-zalutsky-salts", "doc/person/kasparova-popova", "", "timeline", "void"):
        page = requests.get(proxied + path, headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200, path
        assert DATASET_BASE not in page.text, path
        assert WEB_BASE in page.text


def test_cmif_from_the_remote_store_is_the_embedded_ones(embedded, proxied, web):
    """/cmif.xml made from the remote store by SPARQL says what the file built with the embedded dumps says
    (only the day it is dated differs), in the web's URIs."""
    import re

    undated = re.compile(rb'(<publicationStmt>.*?<date when=")[^"]*(")', re.S)
    remote = requests.get(proxied + "cmif.xml", timeout=60)
    assert remote.status_code == 200 and remote.headers["Content-Type"].startswith("application/tei+xml")
    assert DATASET_BASE.encode() not in remote.content
    local = web.get(embedded + "cmif.xml", timeout=60).content
    assert undated.sub(rb"\1\2", remote.content) == undated.sub(rb"\1\2", local)


def test_void_counted_in_the_remote_store_is_what_the_build_recorded(embedded, proxied, web, request):
    """A remote store may change, so /void counts its statistics there on first use; the embedded store serves
    those the build recorded. From Oxigraph both answers hold the same triples, in the web's URIs. Virtuoso
    keeps graphs of its own beside the data (``virtrdf:``), which are counted too: the classes of the data
    are there with the same counts."""
    def triples(body: bytes) -> set[tuple[str, str, str]]:
        return {(str(t.subject), str(t.predicate), str(t.object)) for t in ox.parse(body, format=ox.RdfFormat.TURTLE)}

    def classes(void: set[tuple[str, str, str]]) -> set[tuple[str, str]]:
        of = {s: o for s, p, o in void if p == "<http://rdfs.org/ns/void#class>"}
        return {(of[s], o) for s, p, o in void if p == "<http://rdfs.org/ns/void#entities>"}

    remote = requests.get(proxied + "void.ttl", timeout=120)
    assert remote.status_code == 200 and DATASET_BASE.encode() not in remote.content
    local = triples(web.get(embedded + "void.ttl", timeout=60).content)
    assert len(classes(local)) > 20
    if request.node.callspec.params["remote"] == "oxigraph":
        assert triples(remote.content) == local
    else:
        assert classes(triples(remote.content)) >= classes(local)


def test_sparql_through_the_frontend_answers_in_web_uris(proxied):
    query = "SELECT ?p WHERE { ?p a <http://www.cidoc-crm.org/cidoc-crm/E21_Person> }"
    answer = requests.get(proxied + "sparql", params={"query": query},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200
    persons = {row["p"]["value"] for row in answer.json()["results"]["bindings"]}
    assert WEB_BASE + "id/person/kasparova-popova" in persons
    assert not any(p.startswith(DATASET_BASE) for p in persons)


def test_service_and_load_are_still_refused(proxied):
    refused = requests.get(proxied + "sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"},
                           timeout=30)
    assert 400 <= refused.status_code < 500
    update = requests.post(proxied + "sparql", data={"update": "CLEAR ALL"}, timeout=30)
    assert 400 <= update.status_code < 500


def test_a_store_that_is_down_gives_502_and_recovery_needs_no_restart(tmp_path, remote):
    port = free_port()
    remote_port, path = remote.split("127.0.0.1:", 1)[1].split("/", 1)
    endpoint = f"http://127.0.0.1:{port}/{path}"
    with running_server(tmp_path / "dumps", "--base", WEB_BASE, "--sparql-endpoint", endpoint,
                        "--dataset-base", DATASET_BASE) as url:
        down = document(url, WEB_BASE + "id/person/lenin", "text/html")
        assert down.status_code == 502
        assert "not answering" in down.text and "Traceback" not in down.text
        assert document(url, WEB_BASE + "id/person/lenin", "text/turtle").status_code == 502
        # The store comes back on the same port: a tiny forwarder to the real one.
        forwarder = _Forwarder(port, int(remote_port))
        try:
            assert document(url, WEB_BASE + "id/person/lenin").status_code == 200
        finally:
            forwarder.close()


def test_a_slow_store_gives_504_within_the_timeout(tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts connections, never answers
    endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
    try:
        with running_server(tmp_path / "dumps", "--base", WEB_BASE, "--sparql-endpoint", endpoint,
                            "--query-timeout", "2") as url:
            started = time.monotonic()
            slow = document(url, WEB_BASE + "id/person/lenin", "text/plain, text/turtle;q=0.9")
            took = time.monotonic() - started
            assert slow.status_code == 504
            assert "did not answer" in slow.text
            assert took < 10
            assert requests.get(url + "robots.txt", timeout=5).status_code == 200
    finally:
        silent.close()


class _Forwarder:
    """Forward TCP connections from one loopback port to another: 'the store is back'."""

    def __init__(self, listen: int, target: int) -> None:
        self._server = socket.create_server(("127.0.0.1", listen))
        self._target = target
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self._target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

    def close(self) -> None:
        self._closed = True
        self._server.close()


def test_dataset_base_is_needed_only_when_it_differs(tmp_path, remote):
    """Without --dataset-base the frontend asks for its own URIs, which that store does not hold: 404, not 500."""
    with running_server(tmp_path / "dumps", "--base", WEB_BASE, "--sparql-endpoint", remote) as url:
        assert document(url, WEB_BASE + "id/person/lenin").status_code == 404
