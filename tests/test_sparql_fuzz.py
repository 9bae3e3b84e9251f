"""1,000 random and mutated queries against the real server: never a 500, never a hang, never a crash.

The seeds are the query page's example queries and a few protocol requests; Hypothesis deletes,
inserts, swaps and duplicates characters, drops in SPARQL keywords, random Unicode, huge numbers and
deep nesting, and sends the result by GET, form POST or direct POST with a random Accept or format.
Every answer must come within the client's timeout, be a 2xx, a 4xx with a message, or a 503 (time or
memory limit), and the server must still answer /health afterwards. The server runs with a 1 s query
limit so that the occasional mutant that turns into a heavy query costs a second, not ten.
``derandomize=True``: the same 1,000 cases on every run, so CI is repeatable.
"""
from __future__ import annotations

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lod.web.sparql.examples import examples
from support import running_server

TIMEOUT = 1.0
SEEDS = [e.query for e in examples("http://127.0.0.1:5000/")] + [
    "ASK {}",
    "SELECT (1 AS ?value) {}",
    "CONSTRUCT { <s> <p> 1 } WHERE {}",
    "DESCRIBE <http://example.org/>",
    "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "SELECT * { ?s ?p ?o FILTER(REGEX(STR(?o), \"^Len\", \"i\")) } LIMIT 3",
    "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
]
KEYWORDS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "[", "]", ".", ";", ",", "?x",
            "$y", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "SILENT", "FILTER", "BIND", "AS", "VALUES",
            "LIMIT", "OFFSET", "ORDER BY", "GROUP BY", "HAVING", "DISTINCT", "REDUCED", "FROM", "FROM NAMED",
            "NOT EXISTS", "PREFIX x: <http://x/>", "BASE <http://b/>", "<http://example.org/>", "x:y", "_:b",
            "\"\"\"", "'", "\"", "\\", "#", "a", "*", "/", "|", "^", "+", "?", "!", "&&", "||", "=", "<", ">",
            "<<", ">>", "COUNT(*)", "GROUP_CONCAT(?x; separator=\"|\")", "REGEX(?x, \"(\")", "1e308", "-0",
            "INSERT DATA", "LOAD", "CLEAR ALL", "\u0000", "\ufeff", "é", "\u202e", "\U0001F600"]
HUGE_NUMBERS = ["9" * 40, "1" + "0" * 400, "1e999999", "-9223372036854775809", "18446744073709551616",
                "0." + "0" * 300 + "1", "NaN"]
ACCEPTS = [None, "*/*", "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values", "text/turtle", "application/ld+json", "application/n-triples",
           "application/rdf+xml", "text/html", "image/png", "application/json;q=0.1, text/csv;q=0.9", ";;;", "*/;q=x"]
FORMATS = [None, None, None, "json", "xml", "csv", "tsv", "turtle", "ntriples", "rdfxml", "jsonld", "yaml", ""]


@st.composite
def mutated(draw) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        if not text:
            text = draw(st.sampled_from(SEEDS))
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        op = draw(st.sampled_from(["delete", "insert", "keyword", "swap", "duplicate", "number", "nest", "unicode"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            noise = draw(st.text(alphabet="{}()[]<>?$\"'#.;,:_-^|/*+!=& \n\tax0123456789", max_size=8))
            text = text[:i] + noise + text[i:]
        elif op == "keyword":
            text = text[:i] + " " + draw(st.sampled_from(KEYWORDS)) + " " + text[i:]
        elif op == "swap" and j > i:
            text = text[:i] + text[j - 1] + text[i + 1: j - 1] + text[i] + text[j:] if j - i >= 2 else text
        elif op == "duplicate":
            text = text[:j] + text[i:j] * draw(st.integers(1, 50)) + text[j:]
        elif op == "number":
            text = text[:i] + draw(st.sampled_from(HUGE_NUMBERS)) + text[i:]
        elif op == "nest":
            depth = draw(st.sampled_from([10, 100, 1000, 3000]))
            opener, closer = draw(st.sampled_from([("{", "}"), ("(", ")"), ("[", "]"), ("{ OPTIONAL {", "} }")]))
            text = text[:i] + opener * depth + text[i:j] + closer * depth + text[j:]
        else:
            text = text[:i] + draw(st.text(max_size=12)) + text[i:]
    return text[:25_000]


queries = st.one_of(mutated(), mutated(), mutated(), st.text(max_size=200), st.sampled_from(SEEDS))


@pytest.fixture(scope="module")
def server(dumps_dir, base):
    with running_server(dumps_dir, "--base", base, "--query-timeout", str(TIMEOUT)) as url:
        yield url


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def tally():
    counts: dict[int, int] = {}
    yield counts
    print("\nstatus counts:", dict(sorted(counts.items())))


@settings(max_examples=1000, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(query=queries, method=st.sampled_from(["GET", "POST", "DIRECT"]), accept=st.sampled_from(ACCEPTS),
       fmt=st.sampled_from(FORMATS))
def test_fuzz(server, http, tally, query, method, accept, fmt):
    endpoint = server + "sparql"
    headers = {"Accept": accept} if accept is not None else {}
    params = {"format": fmt} if fmt is not None else {}
    limit = TIMEOUT + 15  # the server's limit, plus forking, serialising and a loaded machine
    try:
        if method == "GET":
            response = http.get(endpoint, params={"query": query, **params}, headers=headers, timeout=limit)
        elif method == "POST":
            response = http.post(endpoint, data={"query": query, **params}, headers=headers, timeout=limit)
        else:
            response = http.post(endpoint, params=params, data=query.encode("utf-8"), timeout=limit,
                                 headers={**headers, "Content-Type": "application/sparql-query"})
    except requests.Timeout:
        pytest.fail(f"no answer within {limit} s to {method} {query[:300]!r}")
    tally[response.status_code] = tally.get(response.status_code, 0) + 1
    assert response.status_code != 500, f"500 for {method} {query[:300]!r}: {response.text[:500]}"
    assert response.status_code < 500 or response.status_code == 503, response.text[:300]
    if response.status_code >= 400:
        assert response.text.strip(), f"an empty {response.status_code}"


def test_the_server_survived(server, tally):
    assert requests.get(server + "health", timeout=5).json()["status"] == "ok"
    answer = requests.get(server + "sparql", params={"query": SEEDS[0]}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.json()["results"]["bindings"]
    assert sum(tally.values()) >= 1000, "the fuzz test ran first, in this module"
