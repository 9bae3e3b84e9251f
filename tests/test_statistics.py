"""The statistics of /void counted once (``lod.statistics``) and the sitemap read from the sorted subjects of
an embedded store (``lod.web.readmodel.listed_main_things``): the same figures and the same things as the
queries they replace, on the letters and on a synthetic corpus, and a clear refusal of any damaged JSON.

How they are recorded and served (``lod build``, ``lod load-store``, ``serve.py``) is checked in
test_dumps.py and test_scale.py.
"""
from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from support import lod

from lod.statistics import MAX_PARTITIONS, Statistics, StatisticsError, count, descriptions
from lod.store import EmbeddedStore, NodesBelow
from lod.web.readmodel import listed_main_things, main_things

SYNTH_BASE = "http://127.0.0.1:5000/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VOID_DATASET = "http://rdfs.org/ns/void#Dataset"


def counted_as_before(store, base: str) -> Statistics:
    """The statistics as /void counted them before they were recorded: every graph but ``{base}void``."""
    data = f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{base}void>)"
    classes = store.query(f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {data} FILTER(?p = <{RDF_TYPE}>) "
                          "BIND(?o AS ?c) } GROUP BY ?c ORDER BY STR(?c)")
    properties = store.query(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {data} }} }}"
                             " GROUP BY ?p ORDER BY STR(?p)")
    row = next(iter(store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects) "
                                f"WHERE {{ {data} }}")))
    return Statistics(tuple((r["c"], int(r["n"].value)) for r in classes),
                      tuple((r["p"], int(r["n"].value)) for r in properties),
                      int(row["subjects"].value), int(row["objects"].value))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> EmbeddedStore:
    """A synthetic corpus as serve.py --data loads it."""
    path = tmp_path_factory.mktemp("synth") / "corpus.nq"
    done = lod("synth", "--letters", "30", "--seed", "5", "--base", SYNTH_BASE, "--out", str(path))
    assert done.returncode == 0, done.stderr
    return EmbeddedStore.from_files([path])


# --- the figures ---------------------------------------------------------------------------------


def test_the_letters_count_as_before(served_store, base):
    counted = count(served_store)
    assert counted == counted_as_before(served_store, base)
    assert [g.value for g in descriptions(served_store)] == [base + "void"]
    assert len(counted.classes) > 20 and len(counted.properties) > 50 and counted.subjects > 1000


def test_a_synthetic_corpus_counts_as_before(corpus):
    assert count(corpus) == counted_as_before(corpus, SYNTH_BASE)
    assert [g.value for g in descriptions(corpus)] == [SYNTH_BASE + "void"]


def test_a_description_is_left_out_whatever_its_base_and_data_without_one_is_all_counted():
    """The rule needs no base: a graph that says it is a void:Dataset is not counted, any other graph is."""
    s, p, t = ox.NamedNode("http://a.test/s"), ox.NamedNode("http://a.test/p"), ox.NamedNode(RDF_TYPE)
    described, data = ox.NamedNode("http://elsewhere.test/void"), ox.NamedNode("http://a.test/g")
    store = ox.Store()
    store.extend([ox.Quad(s, p, ox.Literal("x"), data), ox.Quad(s, t, ox.NamedNode("http://a.test/C"), data),
                  ox.Quad(described, t, ox.NamedNode(VOID_DATASET), described),
                  ox.Quad(described, p, ox.Literal("left out"), described)])
    counted = count(store)
    assert counted == Statistics(((ox.NamedNode("http://a.test/C"), 1),), ((p, 1), (t, 1)), 1, 2)
    store.remove(ox.Quad(described, t, ox.NamedNode(VOID_DATASET), described))
    assert count(store).subjects == 2, "without the claim, that graph is data"


# --- the JSON form -------------------------------------------------------------------------------


def test_the_json_form_gives_back_the_same_statistics(served_store):
    counted = count(served_store)
    assert Statistics.from_json(json.loads(json.dumps(counted.to_json()))) == counted


def test_any_term_may_be_a_class():
    """An rdf:type may point at a blank node or a literal in data we are given: those are partitions too."""
    literal = ox.Literal('a "quoted"\nclass', language="en")
    stats = Statistics(((ox.BlankNode("b1"), 2), (ox.NamedNode("http://x.test/C"), 1), (literal, 3)),
                       ((ox.NamedNode(RDF_TYPE), 6),), 6, 3)
    assert Statistics.from_json(json.loads(json.dumps(stats.to_json()))) == stats


def _valid() -> dict:
    return {"classes": [["<http://x.test/C>", 1]], "properties": [[f"<{RDF_TYPE}>", 1]], "subjects": 1, "objects": 1}


@pytest.mark.parametrize("damage, message", [
    (lambda d: [], "not an object"),
    (lambda d: {**d, "more": 1}, "exactly the keys"),
    (lambda d: {k: v for k, v in d.items() if k != "objects"}, "exactly the keys"),
    (lambda d: {**d, "subjects": "12"}, "subjects: '12' is not a count"),
    (lambda d: {**d, "subjects": True}, "is not a count"),
    (lambda d: {**d, "objects": -1}, "is not a count"),
    (lambda d: {**d, "objects": 2 ** 64}, "is not a count"),
    (lambda d: {**d, "objects": 1.0}, "is not a count"),
    (lambda d: {**d, "classes": {"<http://x.test/C>": 1}}, "classes: not a list"),
    (lambda d: {**d, "classes": [["<http://x.test/C>", 1, 2]]}, "not a pair"),
    (lambda d: {**d, "classes": [[1, 1]]}, "not a pair"),
    (lambda d: {**d, "classes": [["http://x.test/C", 1]]}, "not an RDF term"),
    (lambda d: {**d, "classes": [["<http://x.test/C> . <a> <b> <c>", 1]]}, "not an RDF term"),
    (lambda d: {**d, "classes": [["<http://x.test/C>", 1], ["<http://x.test/C>", 2]]}, "a term given twice"),
    (lambda d: {**d, "properties": [['"a literal"', 1]]}, "not an IRI"),
    (lambda d: {**d, "properties": [[f"<http://x.test/p{n}>", 1] for n in range(MAX_PARTITIONS + 1)]},
     f"more than {MAX_PARTITIONS}"),
])
def test_damaged_json_is_refused_with_what_is_wrong(damage, message):
    with pytest.raises(StatisticsError, match=message):
        Statistics.from_json(damage(_valid()))


# --- the sitemap's things ------------------------------------------------------------------------


def test_the_letters_things_listed_are_those_asked_for(served_store, base):
    listed = listed_main_things(served_store.subjects, base)
    assert listed == main_things(served_store, base)
    assert len(listed) > 100


def test_a_synthetic_corpus_things_listed_are_those_asked_for(corpus):
    assert listed_main_things(corpus.subjects, SYNTH_BASE) == main_things(corpus, SYNTH_BASE)


def test_odd_subjects_are_listed_as_the_query_finds_them():
    """IRIs that look almost like things: nodes below, unknown kinds, bad slugs, other bases, a thing's IRI
    inside another IRI, non-ASCII, and the first and last lines of the list."""
    base = "http://x.test/"
    subjects = ["http://a.test/first", f"{base}id/person/ada", f"{base}id/person/ada/name", f"{base}id/person/ada-2",
                f"{base}id/person/Ada", f"{base}id/person/ada-", f"{base}id/person/-ada", f"{base}id/person/a--b",
                f"{base}id/person/é", f"{base}id/persons/ada", f"{base}id/person", f"{base}id/person/",
                f"{base}id/letter/1921-12-20-x", f"{base}id/letter/1921-12-20-x/time", f"{base}id/x/{base}id/place/y",
                f"http://other.test/{base}id/place/z", f"{base}idx/place/z", f"{base}id/place/z?x=1",
                f"{base}id/agent/lod-letters-0-1", f"{base}void", f"{base}id/zzz/last", f"{base}id/text/last"]
    p = ox.NamedNode("http://a.test/p")
    for head, tail in (([], []), ([f"{base}id/event/a-first"], [f"{base}id/place/zz-last"])):
        store = ox.Store()
        store.extend(ox.Quad(ox.NamedNode(s), p, ox.Literal("x"), ox.DefaultGraph()) for s in head + subjects + tail)
        below = NodesBelow.of(store)
        assert listed_main_things(below, base) == main_things(store, base)
    assert listed_main_things(below, base) == [base + f"id/{path}" for path in (
        "agent/lod-letters-0-1", "event/a-first", "letter/1921-12-20-x", "person/ada", "person/ada-2", "place/zz-last",
        "text/last")]
    only = NodesBelow(f"{base}id/person/ada\n".encode())  # the first line of all is a thing
    assert listed_main_things(only, base) == [f"{base}id/person/ada"]
    assert listed_main_things(NodesBelow(b""), base) == []
