"""Large data, small tests: `lod synth`, `serve.py --data`, store directories (`lod load-store`, `--store`).

The figures at scale are in tests/benchmarks/ (not part of this run); here each feature is checked on
a few dozen letters, through the real commands (run in this process with click's CliRunner, but for the
check that another process writes the same corpus) and real server processes.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from support import ONTOLOGY, REPO, SPARQL_PREFIXES, Ran, free_port, lod, running_server

LOD = [sys.executable, "-c", "from lod.cli import main; main()"]
OA = "http://www.w3.org/ns/oa#"
VOID = "http://rdfs.org/ns/void#"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SYNTH_BASE = "http://127.0.0.1:5000/"


def ran(*args: str) -> Ran:
    """`lod ARGS` in this process; it must succeed."""
    done = lod(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def synth(path: Path, letters: int = 50, seed: int = 3, base: str = SYNTH_BASE, process: bool = False) -> Path:
    """`lod synth` into ``path``: in this process, or in a process of its own (another hash seed)."""
    args = ["synth", "--letters", str(letters), "--seed", str(seed), "--base", base, "--out", str(path)]
    if process:
        subprocess.run([*LOD, *args], cwd=REPO, capture_output=True, text=True, check=True, timeout=600)
    else:
        ran(*args)
    return path


def rows(store: ox.Store, query: str) -> list[dict]:
    result = store.query(SPARQL_PREFIXES + query)
    return [{v.value: (row[v.value].value if row[v.value] is not None else None) for v in result.variables}
            for row in result]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return synth(tmp_path_factory.mktemp("synth") / "corpus.nq")


@pytest.fixture(scope="module")
def dataset(corpus) -> ox.Store:
    """The corpus in a store whose default graph is the union of its graphs, as the server's is."""
    from lod.store import materialise_union

    store = ox.Store()
    store.load(path=str(corpus), format=ox.RdfFormat.N_QUADS)
    materialise_union(store)
    return store


# --- lod synth ----------------------------------------------------------------------------------


def test_synth_is_deterministic_for_a_seed(corpus, tmp_path):
    again = synth(tmp_path / "again.nq", process=True)  # not this process: set order may differ there
    other = synth(tmp_path / "other.nq", seed=4)
    assert again.read_bytes() == corpus.read_bytes()
    assert other.read_bytes() != corpus.read_bytes()


def test_synth_writes_one_graph_per_letter_and_no_blank_nodes(dataset):
    letters = {r["l"] for r in rows(dataset, "SELECT ?l WHERE { GRAPH ?g { ?l a foaf:Document } FILTER(?g = ?l) }")}
    graphs = {g.value for g in dataset.named_graphs()}
    assert len(letters) == 50
    assert graphs == letters | {SYNTH_BASE + "void", SYNTH_BASE + "id/concept/types"}
    assert not any(isinstance(t, ox.BlankNode) for q in dataset for t in (q.subject, q.object))
    assert all(re.fullmatch(rf"{re.escape(SYNTH_BASE)}id/(letter|person|group|place|event|text|concept|agent)/[a-z0-9]+"
                            r"(-[a-z0-9]+)*(/[a-z0-9-]+)*", q.subject.value)
               or q.subject.value in (SYNTH_BASE + "void", SYNTH_BASE + "void#build")
               for q in dataset)


def test_synth_annotations_point_at_their_quotes(dataset):
    found = rows(dataset, """
        SELECT ?text ?exact ?prefix ?suffix ?start ?end WHERE {
          ?a oa:hasTarget ?t . ?t oa:hasSource ?src ; oa:hasSelector ?q, ?p .
          ?q oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix . ?p oa:start ?start ; oa:end ?end .
          ?src crm:P190_has_symbolic_content ?text .
        }""")
    assert len(found) > 100
    for r in found:
        start, end, text = int(r["start"]), int(r["end"]), r["text"]
        assert text[start:end] == r["exact"]
        assert text[max(0, start - 32):start] == r["prefix"] and text[end:end + 32] == r["suffix"]


def test_synth_persons_are_shared_with_a_long_tail(dataset):
    counts = Counter(r["p"] for r in rows(dataset, """
        SELECT DISTINCT ?l ?p WHERE { ?l a foaf:Document ; dcterms:references ?p . ?p a crm:E21_Person }"""))
    shared = [p for p, n in counts.items() if n > 1]
    assert len(shared) >= 5, "persons appear in several letters"
    ordered = sorted(counts.values(), reverse=True)
    assert ordered[0] >= 5 * ordered[len(ordered) // 2], "a few persons in many letters, most in few"


def test_synth_conforms_to_the_shapes_and_to_crm(dataset):
    from rdflib import Graph

    from lod import crm
    from lod.validate import shacl

    void = ox.NamedNode(SYNTH_BASE + "void")
    triples = {q.triple for q in dataset if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != void}
    graph = Graph().parse(data=ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert shacl(graph, ONTOLOGY / "shapes.ttl", SYNTH_BASE) == []
    assert crm.check(graph) == []


def test_synth_counts_its_triples_in_the_dataset_description(dataset):
    told = rows(dataset, f"SELECT ?n WHERE {{ <{SYNTH_BASE}void> void:triples ?n }}")[0]["n"]
    distinct = rows(dataset, f"""SELECT (COUNT(*) AS ?n) WHERE {{
        SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{SYNTH_BASE}void>) }} }}""")[0]["n"]
    assert told == distinct


# --- serve.py --data ------------------------------------------------------------------------------

TURTLE = """@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<id/person/ada> a crm:E21_Person, foaf:Person ; foaf:name "Ada" ; rdfs:label "Ada" ;
    crm:P1_is_identified_by <id/person/ada/name> ; foaf:knows <id/person/bob> .
<id/person/ada/name> a crm:E33_E41_Linguistic_Appellation ; crm:P190_has_symbolic_content "Ada" .
<id/person/bob> a crm:E21_Person ; rdfs:label "Bob" .
"""


def test_serve_data_publishes_a_turtle_file(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    data = tmp_path / "people.ttl"
    data.write_text(f"@base <{base}> .\n" + TURTLE, encoding="utf-8")
    with running_server(tmp_path / "dumps", "--data", str(data), port=port) as url:
        thing = requests.get(url + "id/person/ada", headers={"Accept": "text/turtle"}, allow_redirects=False)
        assert thing.status_code == 303 and thing.headers["Location"] == base + "doc/person/ada"
        doc = requests.get(thing.headers["Location"], headers={"Accept": "text/turtle"})
        assert doc.status_code == 200
        got = {(q.subject.value, q.predicate.value, q.object.value)
               for q in ox.parse(doc.content, format=ox.RdfFormat.TURTLE)}
        assert (base + "id/person/ada/name", CRM + "P190_has_symbolic_content", "Ada") in got  # a node below
        assert (base + "id/person/ada", "http://xmlns.com/foaf/0.1/knows", base + "id/person/bob") in got
        assert (base + "id/person/bob", "http://www.w3.org/2000/01/rdf-schema#label", "Bob") in got  # its label
        html = requests.get(url + "doc/person/ada", headers={"Accept": "text/html"})
        assert html.status_code == 200 and "Ada" in html.text
        answer = requests.get(url + "sparql", params={"query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                                                                 "GROUP BY ?g"},
                              headers={"Accept": "application/sparql-results+json"}).json()
        [row] = answer["results"]["bindings"]
        assert row["g"]["value"] == data.resolve().as_uri() and row["n"]["value"] == "10"
        count = requests.get(url + "sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                             headers={"Accept": "application/sparql-results+json"}).json()
        assert count["results"]["bindings"][0]["n"]["value"] == "10", "the default graph is the union"
        assert requests.get(url + "health").json()["triples"] == 10
        assert requests.get(url + "dumps/", headers={"Accept": "text/plain"}).text == ""
        void = _void(url)  # counted once, before the web processes started
        [person] = [s for s, p, o in void if p == f"<{VOID}class>" and o == f"<{CRM}E21_Person>"]
        assert (person, f"<{VOID}entities>", '"2"^^<http://www.w3.org/2001/XMLSchema#integer>') in void
    assert "counted the statistics of /void" in (tmp_path / f"server-{port}.log").read_text()


@pytest.mark.parametrize("name, content, message", [
    ("broken.ttl", "<a> <b> .", "broken.ttl"),
    ("data.csv", "<http://x/a> <http://x/b> <http://x/c> .", "unknown RDF file extension"),
])
def test_serve_data_refuses_a_file_it_cannot_read(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    done = subprocess.run([sys.executable, str(REPO / "serve.py"), "--port", str(free_port()), "--data", str(path)],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert message in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("fmt", ["nt", "nq", "trig", "rdf", "jsonld"])
def test_every_rdf_format_loads(tmp_path, fmt):
    from lod.store import EmbeddedStore

    graph = ox.parse(TURTLE.encode(), format=ox.RdfFormat.TURTLE, base_iri="http://example.org/")
    quads = [ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("http://example.org/g")) for q in graph]
    rdf_format = ox.RdfFormat.from_extension(fmt)
    path = tmp_path / f"data.{fmt}"
    path.write_bytes(ox.serialize(quads if rdf_format.supports_datasets else [q.triple for q in quads],
                                  format=rdf_format))
    store = EmbeddedStore.from_files([path])
    assert len(store) == 10
    assert store.exists("http://example.org/id/person/bob")


# --- store directories ----------------------------------------------------------------------------


def _count(folder: Path) -> tuple[int, int]:
    store = ox.Store.read_only(str(folder / "oxigraph"))
    named = rows(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    union = rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    return int(named), int(union)


def test_load_store_resumes_where_it_stopped(tmp_path, monkeypatch):
    from lod import storedir

    data = synth(tmp_path / "corpus.nq", letters=12)
    whole = tmp_path / "whole"
    storedir.load(whole, [data])
    monkeypatch.setattr(storedir, "BATCH", 200)
    cut = tmp_path / "cut"
    storedir.load(cut, [data], stop_after=2)  # as if the loader were killed after two batches
    manifest = json.loads((cut / "loaded.json").read_text())
    assert not manifest["complete"] and [e["quads"] for e in manifest["files"].values()] == [400]
    with pytest.raises(storedir.StoreDirError, match="did not finish"):
        storedir.open_store(cut)
    result = storedir.load(cut, [data])
    assert [how for _, _, how in result.files] == ["resumed"]
    assert _count(cut) == _count(whole)
    assert _count(whole)[0] == len(data.read_bytes().splitlines())


def test_a_served_store_directory_answers_at_once(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    letters = synth(tmp_path / "letters.nq", letters=20, base=base)
    people = tmp_path / "people.ttl"
    people.write_text(f"@base <{base}> .\n" + TURTLE, encoding="utf-8")
    folder = tmp_path / "store"
    first = ran("load-store", "--store", str(folder), str(letters))  # interrupted after one file ...
    assert "(loaded)" in first.stdout
    second = ran("load-store", "--store", str(folder), str(letters), str(people))  # ... and run again
    assert "(done before)" in second.stdout and "(loaded)" in second.stdout
    quads = len(letters.read_bytes().splitlines()) + 10
    assert _count(folder)[0] == quads
    with running_server(tmp_path / "dumps", "--store", str(folder), port=port) as url:
        assert requests.get(url + "health").json()["triples"] == quads
        letter = re.search(rf"<{re.escape(base)}id/(letter/[a-z0-9-]+)>", letters.read_text())[1]
        doc = requests.get(url + "id/" + letter, headers={"Accept": "text/turtle"})  # 303 followed
        assert doc.status_code == 200 and doc.url == base + "doc/" + letter
        got = {q.subject.value for q in ox.parse(doc.content, format=ox.RdfFormat.TURTLE)}
        assert f"{base}id/{letter}/annotation/001/position" in got, "the nodes below the letter are in its document"
        assert requests.get(url + "doc/person/ada", headers={"Accept": "text/html"}).status_code == 200
        answer = requests.get(url + "sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                              headers={"Accept": "application/sparql-results+json"}).json()
        assert answer["results"]["bindings"][0]["n"]["value"] == str(quads)


def _void(url: str) -> set[tuple[str, str, str]]:
    """/void as a set of triples, each term in N-Triples syntax (literals with their datatypes)."""
    answer = requests.get(url + "void.ttl", timeout=120)
    assert answer.status_code == 200, answer.text[:500]
    return {(str(t.subject), str(t.predicate), str(t.object)) for t in ox.parse(answer.content, format=ox.RdfFormat.TURTLE)}


def _with_statistics(folder: Path, copy: Path, statistics) -> Path:
    """A copy of the store directory ``folder`` whose manifest records ``statistics`` (None: no key at all)."""
    import shutil

    shutil.copytree(folder, copy)
    manifest = json.loads((copy / "loaded.json").read_text())
    manifest.pop("statistics")
    if statistics is not None:
        manifest["statistics"] = statistics
    (copy / "loaded.json").write_text(json.dumps(manifest))
    return copy


def test_load_store_records_the_statistics_that_void_would_count(tmp_path):
    """/void from the statistics `lod load-store` recorded is /void counted on first use (a directory loaded
    before they were recorded, or whose record is damaged): two real answers, the same triples."""
    from lod.statistics import MAX_PARTITIONS, Statistics

    data = synth(tmp_path / "corpus.nq", letters=15)
    folder = tmp_path / "store"
    loaded = ran("load-store", "--store", str(folder), str(data))
    assert "counting the statistics of /void" in loaded.stdout
    recorded = json.loads((folder / "loaded.json").read_text())["statistics"]
    assert Statistics.from_json(recorded).subjects > 100
    copies = {
        "none": _with_statistics(folder, tmp_path / "none", None),  # loaded before they were recorded
        "wrong types": _with_statistics(folder, tmp_path / "types", {**recorded, "subjects": "many"}),
        "huge list": _with_statistics(folder, tmp_path / "huge", {
            **recorded, "classes": [[f"<http://x.test/C{n}>", n] for n in range(MAX_PARTITIONS + 1)]}),
        "not statistics": _with_statistics(folder, tmp_path / "other", [1, 2, 3]),
    }
    answers, logs = {}, {}
    for name, store in {"recorded": folder, **copies}.items():
        port = free_port()
        with running_server(tmp_path / "dumps", "--store", str(store), "--base", SYNTH_BASE, "--workers", "1",
                            port=port) as url:
            answers[name] = _void(url)
            html = requests.get(url + "void", headers={"Accept": "text/html"}, timeout=120)
            assert html.status_code == 200, name
        logs[name] = (tmp_path / f"server-{port}.log").read_text()
    partitions = [t for t in answers["recorded"] if t[1] in (f"<{VOID}classPartition>", f"<{VOID}propertyPartition>")]
    assert len(partitions) > 40
    for name in copies:
        assert answers[name] == answers["recorded"], name
        assert "Traceback" not in logs[name], name
    assert "statistics" not in logs["recorded"]
    assert f"{tmp_path / 'none' / 'loaded.json'} records no statistics" in logs["none"]
    assert f"lod load-store --store {tmp_path / 'none'}" in logs["none"]
    for name, what in (("wrong types", "'many' is not a count"), ("huge list", f"more than {MAX_PARTITIONS}"),
                       ("not statistics", "not an object")):
        assert re.search(rf"WARNING .*the statistics in {re.escape(str(copies[name] / 'loaded.json'))} are damaged "
                         rf"\(.*{re.escape(what)}", logs[name]), logs[name]
    again = ran("load-store", "--store", str(copies["none"]), str(data))  # what the log advises
    assert "(done before)" in again.stdout
    assert json.loads((copies["none"] / "loaded.json").read_text())["statistics"] == recorded


def test_the_sitemap_of_a_store_directory_lists_its_main_things(tmp_path):
    """Read from the subjects file the loader wrote: the things a query of the store finds, no more, no less."""
    from lod.web.readmodel import main_things

    data = synth(tmp_path / "corpus.nq", letters=15)
    folder = tmp_path / "store"
    ran("load-store", "--store", str(folder), str(data))
    with running_server(tmp_path / "dumps", "--store", str(folder), "--base", SYNTH_BASE, "--workers", "1") as url:
        sitemap = requests.get(url + "sitemap.xml", timeout=60)
    assert sitemap.status_code == 200
    locs = re.findall(r"<loc>([^<]*)</loc>", sitemap.text)
    expected = main_things(ox.Store.read_only(str(folder / "oxigraph")), SYNTH_BASE)
    assert len(expected) > 50
    assert locs == [SYNTH_BASE + "doc/" + uri[len(SYNTH_BASE + "id/"):] for uri in expected]


def test_serving_a_store_that_is_not_loaded_fails_clearly(tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "serve.py"), "--port", str(free_port()), "--store",
                           str(tmp_path / "nothing")], cwd=REPO, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode != 0 and "lod load-store" in done.stderr


def test_nodes_below_are_found_by_bisection():
    from lod.store import NodesBelow

    iris = sorted(["http://x/a", "http://x/a/b", "http://x/a/b/c", "http://x/a-2", "http://x/a-2/b", "http://x/ab/c",
                   "http://x/é/1", "http://x/z"], key=lambda s: s.encode())
    below = NodesBelow("".join(i + "\n" for i in iris).encode())
    assert below("http://x/a") == ["http://x/a/b", "http://x/a/b/c"]
    assert below("http://x/a-2") == ["http://x/a-2/b"]
    assert below("http://x/é") == ["http://x/é/1"]
    assert below("http://x/z") == below("http://x/0") == below("http://y") == []
    assert NodesBelow(b"")("http://x/a") == []
