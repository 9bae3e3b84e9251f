"""The W3C SPARQL 1.1 Protocol test suite (shared/w3c-sparql-protocol-tests/protocol/manifest.ttl), every entry.

Each mf:ProtocolTest lists HTTP requests (ht:Request: method, path, headers, body) and what must come
back (status class, result format, boolean). We send each request as written, with the manifest's
"/sparql/" swapped for our "/sparql", to a real server, and check the answer. Our endpoint is
read-only by design, so the manifest entries fall in three groups:

* Plain query tests (query_get, query_post_form, query_post_direct, query_content_type_*, bad_query_*):
  checked exactly as the manifest says.
* Dataset tests: the entries with ut:graphData (query_dataset_default_graphs_get/_post,
  query_dataset_named_graphs_get/_post, query_dataset_full, query_multiple_dataset) expect the
  kasei.us test graphs (data1.nt .. data3.nt) to be in the store. They are sent twice: to a second real
  server whose store holds those graphs under those names, where they must pass exactly as written; and
  to the letters server, which does not hold them and never fetches a URL, where the right answer is
  200 in the expected format with `false` (an empty graph), as the protocol prescribes.
* Update tests (the 14 entries named *update*): every request that is a SPARQL Update
  (Content-Type application/sparql-update, or an `update=` parameter) must be refused with a 4xx, as
  designed, where the manifest expects 2xx (update_dataset_default_graph(s), update_dataset_named_graphs,
  update_dataset_full, update_post_form, update_post_direct, update_base_uri); the malformed ones
  (bad_update_*) get their 4xx either way. The ASK that follows an update in the same entry must then
  answer 200 with `false`, which shows the update changed nothing.
"""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
import requests

from lod.formats import DOCUMENT_FORMATS
from support import REPO, free_port, shared_dir, skip_or_fail

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

PROTOCOL = shared_dir() / "w3c-sparql-protocol-tests" / "protocol"
MANIFEST = PROTOCOL / "manifest.ttl"
RDF_MEDIA_TYPES = {f.media_type for f in DOCUMENT_FORMATS}


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # expected status classes: 2, 3, 4
    format: str | None  # boolean | tabular | RDF
    boolean: bool | None

    @property
    def is_update(self) -> bool:
        content_type = self.headers.get("content-type", "").lower()
        query = parse_qs(urlsplit(self.path).query)
        body = parse_qs(self.body.decode("utf-8", "replace")) if self.body and "form" in content_type else {}
        return content_type.startswith("application/sparql-update") or "update" in query or "update" in body


@dataclass
class ProtocolTest:
    name: str
    title: str
    requests: list[HttpRequest]
    graph_data: list[tuple[Path, str]] = field(default_factory=list)  # (file, graph name)

    @property
    def is_update(self) -> bool:
        return any(r.is_update for r in self.requests)

    def __eq__(self, other) -> bool:
        return isinstance(other, ProtocolTest) and other.name == self.name


def _load_manifest() -> list[ProtocolTest]:
    """Every mf:ProtocolTest of the manifest, in its order, with its requests built from ht:Request."""
    ds = ox.Store()
    ds.load(path=str(MANIFEST), format=ox.RdfFormat.TURTLE, base_iri=MANIFEST.as_uri())

    def objects(s, p):
        return [q.object for q in ds.quads_for_pattern(s, ox.NamedNode(p), None)]

    def one(s, p):
        found = objects(s, p)
        return found[0] if found else None

    def items(head):
        out = []
        while head is not None and head != ox.NamedNode(RDF + "nil"):
            out.append(one(head, RDF + "first"))
            head = one(head, RDF + "rest")
        return out

    (manifest,) = {q.subject for q in ds.quads_for_pattern(None, ox.NamedNode(RDF + "type"),
                                                           ox.NamedNode(MF + "Manifest"))}
    tests = []
    for entry in items(one(manifest, MF + "entries")):
        action = one(entry, MF + "action")
        http_requests = []
        for req in items(one(action, HT + "requests")):
            headers = {one(h, HT + "fieldName").value.lower(): one(h, HT + "fieldValue").value
                       for h in items(one(req, HT + "headers"))}
            body_node = one(req, HT + "body")
            body = None
            if body_node is not None:
                encoding = one(body_node, CNT + "characterEncoding")
                body = one(body_node, CNT + "chars").value.encode(encoding.value if encoding else "utf-8")
            response = one(req, HT + "resp")
            statuses = {int(s.value[len(HTS + "StatusCode")]) for s in objects(response, MF + "expectedStatus")}
            fmt = one(response, MF + "expectedFormat")
            boolean = one(response, MF + "expectedBoolean")
            http_requests.append(HttpRequest(
                method=one(req, HT + "methodName").value, path=one(req, HT + "absolutePath").value, headers=headers,
                body=body, statuses=statuses, format=fmt.value if fmt else None,
                boolean=(boolean.value == "true") if boolean is not None else None))
        graph_data = [(PROTOCOL / Path(one(g, UT + "graph").value).name, one(g, RDFS + "label").value)
                      for g in objects(entry, UT + "graphData")]
        tests.append(ProtocolTest(entry.value.rsplit("#", 1)[1], one(entry, MF + "name").value,
                                  http_requests, graph_data))
    return tests


TESTS = _load_manifest() if MANIFEST.exists() else []
DATASET_TESTS = [t for t in TESTS if t.graph_data]
UPDATE_TESTS = [t for t in TESTS if "update" in t.name]
QUERY_TESTS = [t for t in TESTS if t not in DATASET_TESTS and t not in UPDATE_TESTS]


@pytest.fixture(scope="module")
def manifest() -> list[ProtocolTest]:
    if not MANIFEST.exists():
        skip_or_fail(f"W3C protocol manifest not found: {MANIFEST} (set LOD_SHARED)")
    return TESTS


def test_the_manifest_is_read_whole(manifest):
    """34 entries, each in exactly one group: nothing in the suite goes unchecked."""
    assert len(manifest) == 34
    groups = [t.name for t in QUERY_TESTS + DATASET_TESTS + UPDATE_TESTS]
    assert sorted(groups) == sorted(t.name for t in manifest)
    assert {t.name for t in DATASET_TESTS} == {
        "query_dataset_default_graphs_get", "query_dataset_default_graphs_post", "query_dataset_named_graphs_post",
        "query_dataset_named_graphs_get", "query_dataset_full", "query_multiple_dataset"}
    assert len(UPDATE_TESTS) == 14
    assert not any(t.is_update for t in QUERY_TESTS + DATASET_TESTS)


# --- the servers --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def letters(real_server):
    """The session's real server (serve.py) on the session's build."""
    return real_server


_W3C_SERVER = """
import multiprocessing
import sys
import pyoxigraph as ox
from flask import Flask
from granian import Granian
from granian.constants import Interfaces
from lod.config import Settings
from lod.store import EmbeddedStore
from lod.web import sparql

port, *pairs = sys.argv[1:]
store = ox.Store()
for path, graph in zip(pairs[::2], pairs[1::2]):
    store.load(path=path, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
store = EmbeddedStore(store)


def app(_target):
    app = Flask("w3c-protocol-data")
    app.config["SETTINGS"] = Settings(base=f"http://127.0.0.1:{port}/", port=int(port))
    app.extensions["lod.store"] = store
    app.register_blueprint(sparql.bp)
    return app


multiprocessing.set_start_method("fork", force=True)
Granian("w3c", address="127.0.0.1", port=int(port), interface=Interfaces.WSGI, blocking_threads=4).serve(
    target_loader=app)
"""


@pytest.fixture(scope="module")
def w3c_data(manifest, tmp_path_factory):
    """A second real server (granian, our SPARQL blueprint) whose store holds the suite's test graphs."""
    pairs = sorted({pair for t in DATASET_TESTS for pair in t.graph_data})
    port = free_port()
    log = tmp_path_factory.mktemp("w3c") / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-c", _W3C_SERVER, str(port),
                                    *[str(x) for pair in pairs for x in pair]],
                                   cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    requests.get(url + "sparql", timeout=1)
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline, "the W3C data server did not start"
                    time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


# --- sending a manifest request and reading the answer ---------------------------------------------


def send(server: str, req: HttpRequest) -> requests.Response:
    path = req.path.replace("/sparql/", "/sparql", 1)
    return requests.request(req.method, server.rstrip("/") + path, headers=req.headers, data=req.body, timeout=30)


def result_kind(response: requests.Response) -> tuple[str, bool | None]:
    """('boolean', value) | ('tabular', None) | ('RDF', None), from the Content-Type and a parse of the body."""
    media_type = response.headers["Content-Type"].split(";")[0].strip()
    body = response.content
    if media_type in RDF_MEDIA_TYPES:
        fmt = ox.RdfFormat.from_media_type(media_type)
        list(ox.parse(body, format=fmt, base_iri="http://example.org/"))
        return "RDF", None
    if media_type == "text/csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        if rows and rows[0] in (["true"], ["false"]):
            return "boolean", rows[0] == ["true"]
        return "tabular", None
    fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV}[media_type]
    if fmt == ox.QueryResultsFormat.JSON and "boolean" in json.loads(body):
        return "boolean", json.loads(body)["boolean"]
    result = ox.parse_query_results(body, format=fmt)
    if isinstance(result, ox.QueryBoolean):
        return "boolean", bool(result)
    list(result)
    return "tabular", None


def check(response: requests.Response, statuses: set[int], fmt: str | None, boolean: bool | None, where: str) -> None:
    assert response.status_code // 100 in statuses, (
        f"{where}: status {response.status_code}, expected {sorted(statuses)}xx\n{response.text[:500]}")
    if response.status_code // 100 == 4:
        assert response.text.strip(), f"{where}: a 4xx should say what is wrong"
        assert response.headers["Content-Type"].startswith("text/plain")
    if fmt is not None:
        kind, value = result_kind(response)
        assert kind == fmt, f"{where}: answered {kind}, expected {fmt}"
        if boolean is not None:
            assert value is boolean, f"{where}: answered {value}, expected {boolean}"


# --- the three groups ------------------------------------------------------------------------------


@pytest.mark.parametrize("test", QUERY_TESTS, ids=lambda t: t.name)
def test_query(manifest, letters, test: ProtocolTest):
    for i, req in enumerate(test.requests):
        check(send(letters, req), req.statuses, req.format, req.boolean, f"{test.name} request {i + 1}")


@pytest.mark.parametrize("test", DATASET_TESTS, ids=lambda t: t.name)
def test_dataset_with_the_test_graphs_loaded(manifest, w3c_data, test: ProtocolTest):
    for i, req in enumerate(test.requests):
        check(send(w3c_data, req), req.statuses, req.format, req.boolean, f"{test.name} request {i + 1}")


@pytest.mark.parametrize("test", DATASET_TESTS, ids=lambda t: t.name)
def test_dataset_naming_graphs_we_do_not_hold(manifest, letters, test: ProtocolTest):
    """The letters store holds no kasei.us graph and the endpoint never fetches one: 200, empty, false."""
    for i, req in enumerate(test.requests):
        check(send(letters, req), {2}, req.format, False if req.format == "boolean" else None,
              f"{test.name} request {i + 1}")


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=lambda t: t.name)
def test_update_is_refused(manifest, letters, test: ProtocolTest):
    for i, req in enumerate(test.requests):
        response = send(letters, req)
        where = f"{test.name} request {i + 1}"
        if req.is_update or req.statuses == {4}:  # an update, or a malformed one (no or wrong media type)
            check(response, {4}, None, None, where)
            assert response.status_code in (400, 403, 415), where
            if response.status_code == 403:
                assert "read-only" in response.text
        else:  # the query after the refused update: nothing was changed
            check(response, {2}, req.format, False if req.format == "boolean" else None, where)


def test_update_tests_would_have_changed_the_store(manifest, w3c_data):
    """The refusals above are the endpoint's choice, not a broken request: the same update, sent to the
    data server, is refused the same way, and the data there is untouched afterwards."""
    for test in UPDATE_TESTS:
        for req in test.requests:
            if req.is_update:
                assert send(w3c_data, req).status_code // 100 == 4
    ask = requests.get(w3c_data + "sparql", params={
        "query": "ASK { GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf> "
                 "{ <http://kasei.us/2009/09/sparql/data/data1.rdf> a ?type } }"},
        headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is True


def test_service_description_entries(manifest, letters, base):
    """The three service-description tests of the suite (they have no machine-readable action):
    GET on the endpoint returns RDF; it has an sd:endpoint triple naming the endpoint; it uses sd: terms."""
    sd_manifest = shared_dir() / "w3c-sparql-protocol-tests" / "service-description" / "manifest.ttl"
    if sd_manifest.exists():
        assert {"returns-rdf", "has-endpoint-triple", "conforms-to-schema"} <= {
            q.subject.value.rsplit("#", 1)[-1] for q in ox.parse(path=str(sd_manifest), format=ox.RdfFormat.TURTLE,
                                                                 base_iri=sd_manifest.as_uri())}
    response = requests.get(letters + "sparql")
    assert response.status_code == 200
    assert result_kind(response)[0] == "RDF"
    triples = list(ox.parse(response.content, format=ox.RdfFormat.from_media_type(
        response.headers["Content-Type"].split(";")[0])))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(t.predicate.value == sd + "endpoint" and t.object.value == base + "sparql" for t in triples)
    services = {t.subject for t in triples if t.predicate.value == RDF + "type" and t.object.value == sd + "Service"}
    assert len(services) == 1
    assert all(t.predicate.value.startswith((sd, RDF, RDFS)) for t in triples)


def test_strict_mode_finds_the_manifest():
    if os.environ.get("LOD_STRICT") == "1":
        assert MANIFEST.exists(), f"LOD_STRICT=1 and no manifest at {MANIFEST}"
