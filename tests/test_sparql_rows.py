"""The row cap of a SELECT answer, counted in pyoxigraph's own output (lod.web.sparql.rows).

Real answers of pyoxigraph, in each results format, over values made to fool a counter (the marks of
a row inside strings, escapes, quotes, newlines, cut anywhere between two writes): the count stops an
answer exactly one row past the cap, never before, and what it lets through is the answer unchanged.
"""
from __future__ import annotations

import json
import random
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest

from lod.web.sparql.engine import Job, execute
from lod.web.sparql.rows import CappedRows, TooMany, trusted

QRF = ox.QueryResultsFormat
FORMATS = [QRF.JSON, QRF.XML, QRF.TSV]
PIECES = ['x', ',{', '[{', '{"', '"', '\\', '\\"', '\\\\', '\n', '\r\n', '\t', ',', '{', '}', '[', ']', '<result>',
          '&', ' ', 'é', '列', '\U0001F600', '""', "'"]


def _store(rows: int, seed: int) -> ox.Store:
    rng = random.Random(seed)
    store = ox.Store()
    for i in range(rows):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 12)))
        obj = ox.Literal(text, language="en") if i % 3 == 0 else ox.Literal(text)
        store.add(ox.Quad(ox.NamedNode(f"http://letters.test/{i}"), ox.NamedNode("http://letters.test/p"), obj))
    return store


def _rows(body: bytes, fmt: ox.QueryResultsFormat) -> int:
    """The rows of ``body`` as a parser reads them."""
    if fmt == QRF.JSON:
        return len(json.loads(body)["results"]["bindings"])
    if fmt == QRF.XML:
        return len(ElementTree.fromstring(body).findall(".//{http://www.w3.org/2005/sparql-results#}result"))
    return sum(1 for _ in ox.parse_query_results(body, format=fmt))


def _write(body: bytes, fmt: ox.QueryResultsFormat, cap: int, rng: random.Random) -> CappedRows:
    written = CappedRows(cap, fmt)
    start = 0
    while start < len(body):
        end = start + rng.choice([1, 2, 3, 7, 64, 8192])
        written.write(body[start:end])
        start = end
    return written


def test_json_xml_and_tsv_are_counted_in_what_this_pyoxigraph_writes():
    assert trusted() == frozenset(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.file_extension)
@pytest.mark.parametrize("seed", range(6))
def test_an_answer_is_stopped_one_row_past_the_cap_and_never_before(fmt, seed):
    rng = random.Random(seed)
    store = _store(rng.randrange(0, 60), seed)
    for query in ("SELECT ?s ?o WHERE { ?s ?p ?o }", "SELECT ?nothing WHERE { ?s ?p ?o }",
                  "SELECT ?o (STRLEN(?o) AS ?n) WHERE { ?s ?p ?o } ORDER BY ?s"):
        body = store.query(query).serialize(format=fmt)
        size = _rows(body, fmt)
        for cap in {0, max(size - 1, 0), size, size + 1}:
            if cap < size:
                with pytest.raises(TooMany):
                    _write(body, fmt, cap, rng)
            else:
                assert _write(body, fmt, cap, rng).getvalue() == body


def test_strings_full_of_row_marks_do_not_count_as_rows_in_json():
    store = ox.Store()
    for i in range(50):
        store.add(ox.Quad(ox.NamedNode(f"http://letters.test/{i}"), ox.NamedNode("http://letters.test/p"),
                          ox.Literal(',{"x":[{},{}]},{' * 20 + "\\")))
    body = store.query("SELECT ?o WHERE { ?s ?p ?o }").serialize(format=QRF.JSON)
    assert body.count(b",{") > 1000  # the plain count is far past the cap
    assert _write(body, QRF.JSON, 50, random.Random(1)).getvalue() == body
    with pytest.raises(TooMany):
        _write(body, QRF.JSON, 49, random.Random(1))


def test_runs_of_backslashes_cut_anywhere_are_read_as_the_escapes_they_are():
    store = ox.Store()
    for run in range(12):
        store.add(ox.Quad(ox.NamedNode(f"http://letters.test/{run}"), ox.NamedNode("http://letters.test/p"),
                          ox.Literal("\\" * run + '",{"[{' + "\\" * run)))
    body = store.query("SELECT ?o ?s WHERE { ?s ?p ?o }").serialize(format=QRF.JSON)
    for piece in range(1, 12):
        pieces = [body[start:start + piece] for start in range(0, len(body), piece)]
        at_cap = CappedRows(12, QRF.JSON)
        for data in pieces:
            at_cap.write(data)
        assert at_cap._count.exact is not None  # the marks in the strings passed the cap: counted exactly
        under = CappedRows(11, QRF.JSON)
        with pytest.raises(TooMany):
            for data in pieces:
                under.write(data)


def test_a_runaway_is_stopped_while_it_is_written():
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"http://letters.test/{i}"), ox.NamedNode("http://letters.test/p"),
                         ox.Literal(str(i))) for i in range(2000))
    for fmt in FORMATS:
        written = CappedRows(10, fmt)
        with pytest.raises(TooMany):
            store.query("SELECT ?s ?o WHERE { ?s ?p ?o }").serialize(written, format=fmt)
        assert len(written.getvalue()) < 4000  # a few rows' worth, not the whole answer


def test_a_csv_answer_goes_through_tsv_and_is_capped_there():
    store = _store(30, 7)
    query = "SELECT (<<( ?s ?p ?o )>> AS ?t) ?o WHERE { ?s ?p ?o }"  # triple terms: unquoted in CSV, newlines and all
    job = Job(query=query, base_iri="http://letters.test/sparql", default_graphs=None, named_graphs=None,
              results_format="csv", graph_format=None, max_results=30, timeout=10.0, memory=2 ** 28)
    answer = execute(store, job)
    assert answer.status == 200 and answer.body == store.query(query).serialize(format=QRF.CSV)
    refused = execute(store, Job(**{**job.__dict__, "max_results": 29}))
    assert refused.status == 400 and b"more than 29 rows" in refused.body
