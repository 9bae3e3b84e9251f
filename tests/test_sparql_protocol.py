"""The SPARQL 1.1 Protocol at /sparql, asked of the real server by real clients.

SPARQLWrapper (GET, form POST, direct POST) in every answer format; the dataset parameters; GRAPH over
each letter's graph; the ``format`` parameter; each protocol error with its status and message; CORS;
the service description and the query page (YASGUI, served from here, with the example queries); roqet
(rasqal-utils) as a second client.
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path
from urllib.parse import unquote, urljoin

import pyoxigraph as ox
import pytest
import requests
from SPARQLWrapper import (CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDF, RDFXML, TSV, TURTLE, XML,
                           SPARQLWrapper)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from lod.formats import DOCUMENT_FORMATS, RESULTS_FORMATS, graph_format_iri
from lod.web.sparql.examples import examples
from support import REPO, SPARQL_PREFIXES, skip_or_fail

FOAF = "http://xmlns.com/foaf/0.1/"
SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

PERSONS_PER_LETTER = SPARQL_PREFIXES + """
SELECT DISTINCT ?letter ?person ?name WHERE {
  ?letter a dcmitype:Text ; dcterms:references ?person .
  ?person a foaf:Person ; foaf:name ?name .
} ORDER BY ?letter ?name"""
ASK_LENIN = SPARQL_PREFIXES + 'ASK { ?p foaf:name ?name FILTER(CONTAINS(?name, "Lenin")) }'
CONSTRUCT_PERSONS = SPARQL_PREFIXES + """
CONSTRUCT { ?p a foaf:Person ; foaf:name ?n } WHERE { ?p a foaf:Person ; foaf:name ?n }"""


@pytest.fixture(scope="module")
def server(real_server):
    """The session's real server (serve.py) on the session's build."""
    return real_server


@pytest.fixture(scope="module")
def endpoint(server) -> str:
    return server + "sparql"


@pytest.fixture(scope="module")
def expected(sparql):
    """What the dump says, asked of a local store (DISTINCT: the endpoint's default graph is the RDF merge)."""
    persons = sparql(PERSONS_PER_LETTER.replace(SPARQL_PREFIXES, ""))
    construct = {(r["p"], r["n"]) for r in sparql("SELECT DISTINCT ?p ?n { ?p a foaf:Person ; foaf:name ?n }")}
    graphs = {r["g"] for r in sparql("SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }")}
    letters = {r["l"] for r in sparql("SELECT DISTINCT ?l { ?l a dcmitype:Text ; dcterms:references ?x }")}
    return {"persons": persons, "construct_triples": len(construct) + len({p for p, _ in construct}),
            "graphs": graphs, "letters": letters}


def wrapper(endpoint: str, query: str, fmt: str, method: str) -> SPARQLWrapper:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method == "GET":
        sw.setMethod(GET)
    else:
        sw.setMethod(POST)
        if method == "POSTDIRECTLY":
            sw.setRequestMethod(POSTDIRECTLY)
    return sw


METHODS = ["GET", "POST", "POSTDIRECTLY"]


def rows_of(body: bytes, fmt: str) -> list[dict[str, str]]:
    """Rows as {variable: lexical value}, read back from any results format."""
    if fmt == CSV:
        return [dict(r) for r in csv.DictReader(io.StringIO(body.decode("utf-8")))]
    oxfmt = {JSON: ox.QueryResultsFormat.JSON, XML: ox.QueryResultsFormat.XML, TSV: ox.QueryResultsFormat.TSV}[fmt]
    result = ox.parse_query_results(body, format=oxfmt)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


# --- SPARQLWrapper, every format, every method ------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_select_in_every_results_format(endpoint, expected, fmt, method):
    result = wrapper(endpoint, PERSONS_PER_LETTER, fmt, method).query()
    media_type = result.response.headers["Content-Type"].split(";")[0]
    assert media_type == {JSON: "application/sparql-results+json", XML: "application/sparql-results+xml",
                          CSV: "text/csv", TSV: "text/tab-separated-values"}[fmt]
    body = result.response.read()
    rows = rows_of(body, fmt)
    assert [(r["letter"], r["person"], r["name"]) for r in rows] == [
        (r["letter"], r["person"], r["name"]) for r in expected["persons"]]
    assert len(rows) > 20
    if fmt == JSON:  # and SPARQLWrapper's own reading agrees
        converted = wrapper(endpoint, PERSONS_PER_LETTER, fmt, method).query().convert()
        assert len(converted["results"]["bindings"]) == len(rows)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_ask_in_every_results_format(endpoint, fmt, method):
    result = wrapper(endpoint, ASK_LENIN, fmt, method).query()
    body = result.response.read()
    if fmt == JSON:
        assert json.loads(body)["boolean"] is True
    elif fmt == XML:
        assert bool(ox.parse_query_results(body, format=ox.QueryResultsFormat.XML)) is True
    else:
        assert body.decode().strip() == "true"


GRAPH_CASES = {  # SPARQLWrapper format, Accept to force (None: SPARQLWrapper's own), media type, pyoxigraph format
    "turtle": (TURTLE, None, "text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": (N3, "application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdfxml": (RDFXML, None, "application/rdf+xml", ox.RdfFormat.RDF_XML),
    "jsonld": (JSONLD, None, "application/ld+json", ox.RdfFormat.JSON_LD),
}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", list(GRAPH_CASES))
def test_construct_in_every_rdf_format(endpoint, expected, case, method):
    fmt, accept, media_type, oxfmt = GRAPH_CASES[case]
    sw = wrapper(endpoint, CONSTRUCT_PERSONS, fmt, method)
    if accept:  # SPARQLWrapper has no N-Triples format: its N3 asks for Turtle first, so ask for N-Triples
        sw.setOnlyConneg(True)
        sw.addCustomHttpHeader("Accept", accept)
    result = sw.query()
    assert result.response.headers["Content-Type"].split(";")[0] == media_type
    triples = set(ox.parse(result.response.read(), format=oxfmt))
    assert len(triples) == expected["construct_triples"]
    if fmt in (RDFXML, JSONLD):  # SPARQLWrapper parses these itself (with rdflib)
        graph = wrapper(endpoint, CONSTRUCT_PERSONS, fmt, method).query().convert()
        assert len(graph) == expected["construct_triples"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", list(GRAPH_CASES))
def test_describe_lenin_in_every_rdf_format(endpoint, base, case, method):
    fmt, accept, media_type, oxfmt = GRAPH_CASES[case]
    lenin = base + "id/person/lenin"
    sw = wrapper(endpoint, f"DESCRIBE <{lenin}>", fmt, method)
    if accept:
        sw.setOnlyConneg(True)
        sw.addCustomHttpHeader("Accept", accept)
    result = sw.query()
    assert result.response.headers["Content-Type"].split(";")[0] == media_type
    triples = list(ox.parse(result.response.read(), format=oxfmt))
    assert any(t.subject.value == lenin and t.predicate.value == FOAF + "name" for t in triples)
    assert all(t.subject.value == lenin for t in triples)


# Every return format SPARQLWrapper has, for every query form: it sends the format as format=, output= and
# results= whatever the form, with an Accept header of */* when the format does not fit the form.
SW_FORMATS = [JSON, XML, CSV, TSV, N3, TURTLE, RDF, RDFXML, JSONLD]
FORMS = {
    "select": PERSONS_PER_LETTER,
    "ask": ASK_LENIN,
    "construct": CONSTRUCT_PERSONS,
    "describe": "DESCRIBE <http://127.0.0.1:5000/id/person/lenin>",
}
SW_FITS = {JSON: ("application/sparql-results+json", "application/ld+json"),
           XML: ("application/sparql-results+xml", "application/rdf+xml"),
           CSV: ("text/csv", None), TSV: ("text/tab-separated-values", None),
           N3: (None, "text/turtle"), TURTLE: (None, "text/turtle"), RDF: (None, "application/rdf+xml"),
           RDFXML: (None, "application/rdf+xml"), JSONLD: (None, "application/ld+json")}
RESULTS_MEDIA = {"application/sparql-results+json": JSON, "application/sparql-results+xml": XML, "text/csv": CSV,
                 "text/tab-separated-values": TSV}
GRAPH_MEDIA = {"text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
               "application/ld+json": ox.RdfFormat.JSON_LD, "application/n-triples": ox.RdfFormat.N_TRIPLES}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", SW_FORMATS)
@pytest.mark.parametrize("form", list(FORMS))
def test_sparqlwrapper_every_form_in_every_return_format(endpoint, base, form, fmt, method):
    """An answer in the asked format where it fits the form, else in the one Accept allows; never a 406."""
    assert FORMS["describe"].count(base) == 1, "the DESCRIBE names a person of the session's base"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # SPARQLWrapper's "Sending Accept header '*/*'"
        result = wrapper(endpoint, FORMS[form], fmt, method).query()
    media_type = result.response.headers["Content-Type"].split(";")[0]
    body = result.response.read()
    fits = SW_FITS[fmt]  # (for SELECT and ASK, for CONSTRUCT and DESCRIBE); None: fits neither
    if form in ("select", "ask"):
        assert media_type == (fits[0] or "application/sparql-results+json")  # */* gives JSON
        if form == "select":
            assert len(rows_of(body, RESULTS_MEDIA[media_type])) > 20
        elif media_type in ("text/csv", "text/tab-separated-values"):
            assert body.decode().strip() == "true"
        else:
            oxfmt = getattr(ox.QueryResultsFormat, RESULTS_MEDIA[media_type].upper())
            assert bool(ox.parse_query_results(body, format=oxfmt))
    else:
        assert media_type == (fits[1] or "text/turtle")  # */* gives Turtle
        assert len(list(ox.parse(body, format=GRAPH_MEDIA[media_type]))) > 5


def test_a_bad_query_reaches_sparqlwrapper_as_a_bad_query(endpoint):
    with pytest.raises(QueryBadFormed) as info:
        wrapper(endpoint, "SELECT * WHERE { ?s ?p }", JSON, "GET").query()
    assert "line 1" in str(info.value)


# --- the dataset: default-graph-uri, named-graph-uri, FROM, GRAPH ---------------------------------


def select(endpoint: str, query: str, **params) -> list[dict[str, str]]:
    response = requests.get(endpoint, params={"query": query, **params},
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return rows_of(response.content, JSON)


def count(endpoint: str, query: str, **params) -> int:
    return int(select(endpoint, query, **params)[0]["n"])


def test_graph_reaches_each_letter_graph(endpoint, expected):
    rows = select(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert {r["g"] for r in rows} == expected["graphs"]
    assert expected["letters"] <= expected["graphs"], "each letter has a graph named by its URI"
    assert len(expected["letters"]) >= 4 and all(int(r["n"]) > 0 for r in rows)


def test_the_default_graph_is_the_merge_of_all_graphs(endpoint):
    total = count(endpoint, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    distinct = count(endpoint, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }")
    assert total == distinct  # a triple held by two letters' graphs is in the default graph once


@pytest.mark.parametrize("method", METHODS)
def test_default_graph_uri_sets_the_default_graph(endpoint, expected, method):
    letter = sorted(expected["letters"])[0]
    in_graph = count(endpoint, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{letter}> {{ ?s ?p ?o }} }}")
    sw = wrapper(endpoint, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", JSON, method)
    sw.addDefaultGraph(letter)
    rows = sw.query().convert()["results"]["bindings"]
    assert int(rows[0]["n"]["value"]) == in_graph < count(endpoint, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")


def test_several_default_graphs_are_merged(endpoint, expected):
    first, second = sorted(expected["letters"])[:2]
    both = count(endpoint, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **{"default-graph-uri": [first, second]})
    merged = count(endpoint, f"SELECT (COUNT(*) AS ?n) {{ SELECT DISTINCT ?s ?p ?o {{ "
                             f"{{ GRAPH <{first}> {{ ?s ?p ?o }} }} UNION {{ GRAPH <{second}> {{ ?s ?p ?o }} }} }} }}")
    assert both == merged


@pytest.mark.parametrize("method", METHODS)
def test_named_graph_uri_sets_the_named_graphs(endpoint, expected, method):
    letter = sorted(expected["letters"])[1]
    sw = wrapper(endpoint, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", JSON, method)
    sw.addNamedGraph(letter)
    rows = sw.query().convert()["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == [letter]
    # and the default graph, which the request did not name, is empty
    assert count(endpoint, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", **{"named-graph-uri": letter}) == 0


def test_from_in_the_query_is_honoured_and_the_protocol_overrides_it(endpoint, expected):
    first, second = sorted(expected["letters"])[:2]
    size = {g: count(endpoint, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{g}> {{ ?s ?p ?o }} }}") for g in (first, second)}
    assert size[first] != size[second]
    assert count(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{first}> {{ ?s ?p ?o }}") == size[first]
    assert count(endpoint, f"SELECT (COUNT(*) AS ?n) FROM <{first}> {{ ?s ?p ?o }}",
                 **{"default-graph-uri": second}) == size[second]
    named = select(endpoint, f"SELECT DISTINCT ?g FROM NAMED <{first}> {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert [r["g"] for r in named] == [first]


def test_a_graph_we_do_not_hold_is_empty_not_fetched(endpoint):
    assert count(endpoint, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                 **{"default-graph-uri": "http://example.org/not-here"}) == 0


# --- the format parameter --------------------------------------------------------------------------

FORMAT_PARAM = [  # (format=, query, expected media type)
    ("json", PERSONS_PER_LETTER, "application/sparql-results+json"),
    ("xml", PERSONS_PER_LETTER, "application/sparql-results+xml"),
    ("csv", PERSONS_PER_LETTER, "text/csv"),
    ("tsv", PERSONS_PER_LETTER, "text/tab-separated-values"),
    ("turtle", CONSTRUCT_PERSONS, "text/turtle"),
    ("ntriples", CONSTRUCT_PERSONS, "application/n-triples"),
    ("rdfxml", CONSTRUCT_PERSONS, "application/rdf+xml"),
    ("jsonld", CONSTRUCT_PERSONS, "application/ld+json"),
    ("json", CONSTRUCT_PERSONS, "application/ld+json"),  # JSON for a graph is JSON-LD
    ("xml", CONSTRUCT_PERSONS, "application/rdf+xml"),
    ("text/csv", PERSONS_PER_LETTER, "text/csv"),
    ("application/n-triples", CONSTRUCT_PERSONS, "application/n-triples"),
]


@pytest.mark.parametrize("fmt,query,media_type", FORMAT_PARAM, ids=[f"{f}-{m}" for f, _, m in FORMAT_PARAM])
def test_format_parameter_wins_over_accept(endpoint, fmt, query, media_type):
    html = {"Accept": "text/html"}
    for response in (requests.get(endpoint, params={"query": query, "format": fmt}, headers=html),
                     requests.post(endpoint, data={"query": query, "format": fmt}, headers=html)):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].split(";")[0] == media_type
        assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("params, media_type", [
    ({"output": "json"}, "application/sparql-results+json"),  # Fuseki's name
    ({"output": "csv"}, "text/csv"),
    ({"results": "tsv"}, "text/tab-separated-values"),
    ({"output": "xml"}, "application/sparql-results+xml"),
    ({"output": "application/sparql-results+xml"}, "application/sparql-results+xml"),
    ({"results": "text/csv"}, "text/csv"),
    ({"format": "csv", "output": "json", "results": "xml"}, "text/csv"),  # format first, then output
    ({"output": "tsv", "results": "xml"}, "text/tab-separated-values"),
    ({"format": "", "output": "csv"}, "text/csv"),  # an empty one names nothing
])
def test_output_and_results_are_other_names_of_format(endpoint, params, media_type):
    for response in (requests.get(endpoint, params={"query": PERSONS_PER_LETTER, **params},
                                  headers={"Accept": "text/html"}),
                     requests.post(endpoint, data={"query": PERSONS_PER_LETTER, **params})):
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].split(";")[0] == media_type, params


@pytest.mark.parametrize("query, fmt, accept, media_type", [
    (CONSTRUCT_PERSONS, "csv", "*/*", "text/turtle"),
    (CONSTRUCT_PERSONS, "tsv", "application/rdf+xml", "application/rdf+xml"),
    (PERSONS_PER_LETTER, "turtle", "*/*", "application/sparql-results+json"),
    (PERSONS_PER_LETTER, "rdfxml", "text/csv, */*;q=0.1", "text/csv"),
    (ASK_LENIN, "application/n-triples", "application/sparql-results+xml", "application/sparql-results+xml"),
])
def test_a_format_that_does_not_fit_the_query_form_falls_back_to_accept(endpoint, query, fmt, accept, media_type):
    for name in ("format", "output", "results"):
        response = requests.get(endpoint, params={"query": query, name: fmt}, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].split(";")[0] == media_type, name


def test_a_plain_get_with_output_only_is_the_service_description(endpoint):
    response = requests.get(endpoint, params={"output": "ntriples"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == "application/n-triples"
    assert any(t.object.value == SD + "Service" for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))


def test_accept_chooses_the_format(endpoint):
    for accept, media_type in [("application/sparql-results+xml", "application/sparql-results+xml"),
                               ("text/tab-separated-values;q=0.9, text/csv;q=0.5", "text/tab-separated-values"),
                               ("application/json", "application/sparql-results+json"),
                               ("*/*", "application/sparql-results+json"), ("", "application/sparql-results+json")]:
        response = requests.get(endpoint, params={"query": ASK_LENIN}, headers={"Accept": accept})
        assert response.headers["Content-Type"].split(";")[0] == media_type, accept
    response = requests.get(endpoint, params={"query": CONSTRUCT_PERSONS}, headers={"Accept": "*/*"})
    assert response.headers["Content-Type"].startswith("text/turtle")


# --- protocol errors: status and a message that says what is wrong ---------------------------------

ERRORS = [  # id, method, params, headers, body, status, words in the message
    ("syntax", "GET", {"query": "SELECT * WHERE { ?s ?p "}, {}, None, 400, ["line 1, column", "^"]),
    ("syntax-where", "GET", {"query": "SELECT *\nWHERE {\n  ?s ?p ?o\n  FILTER(?o = ) }"}, {}, None, 400, ["line 4"]),
    ("two-queries", "GET", {"query": ["ASK {}", "SELECT * {}"]}, {}, None, 400, ["2 queries"]),
    ("query-and-update", "POST", {}, {"Content-Type": "application/x-www-form-urlencoded"},
     "query=ASK%20%7B%7D&update=CLEAR%20ALL", 400, ["both a query and an update"]),
    ("no-query", "GET", {"default-graph-uri": "http://example.org/g"}, {}, None, 400, ["no query"]),
    ("form-without-query", "POST", {}, {"Content-Type": "application/x-www-form-urlencoded"}, "format=json", 400,
     ["no query"]),
    ("empty-query", "GET", {"query": "  "}, {}, None, 400, ["empty"]),
    ("wrong-content-type", "POST", {}, {"Content-Type": "text/plain"}, "ASK {}", 415, ["text/plain"]),
    ("no-content-type", "POST", {}, {}, "query=ASK%20%7B%7D", 415, ["Content-Type"]),
    ("utf16-query", "POST", {}, {"Content-Type": "application/sparql-query; charset=UTF-16"},
     "ASK {}".encode("utf-16"), 415, ["UTF-8", "UTF-16"]),
    ("utf16-form", "POST", {}, {"Content-Type": "application/x-www-form-urlencoded; charset=utf-16"},
     "query=ASK%20%7B%7D".encode("utf-16"), 415, ["UTF-8"]),
    ("not-utf8-bytes", "POST", {}, {"Content-Type": "application/sparql-query"}, b"ASK { \xff }", 400, ["not UTF-8"]),
    ("update-form", "POST", {}, {"Content-Type": "application/x-www-form-urlencoded"}, "update=CLEAR%20ALL", 403,
     ["read-only"]),
    ("update-direct", "POST", {}, {"Content-Type": "application/sparql-update"}, "CLEAR ALL", 403, ["read-only"]),
    ("update-get", "GET", {"update": "CLEAR ALL"}, {}, None, 403, ["read-only"]),
    ("update-as-query", "GET", {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, {}, None, 400, ["read-only"]),
    ("load-as-query", "POST", {}, {"Content-Type": "application/sparql-query"}, "LOAD <http://example.org/>", 400,
     ["read-only"]),
    ("bad-graph-uri", "GET", {"query": "ASK {}", "default-graph-uri": "not an iri"}, {}, None, 400,
     ["default-graph-uri", "IRI"]),
    ("unknown-format", "GET", {"query": "ASK {}", "format": "yaml"}, {}, None, 400, ["unknown format", "json"]),
    ("not-acceptable", "GET", {"query": "ASK {}"}, {"Accept": "image/png"}, None, 406,
     ["application/sparql-results+json"]),
    # a format that does not fit the form leaves it to Accept, which may fit none either
    ("select-as-turtle", "GET", {"query": "SELECT * {}", "format": "turtle"}, {"Accept": "text/turtle"}, None, 406,
     ["SELECT"]),
    ("construct-as-csv", "GET", {"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "csv"}, {"Accept": "text/csv"},
     None, 406, ["text/turtle"]),
    ("unknown-output", "GET", {"query": "ASK {}", "output": "yaml"}, {}, None, 400, ["unknown format", "json"]),
    ("too-long", "POST", {}, {"Content-Type": "application/sparql-query"}, "#" * 20_001, 413, ["20001", "20000"]),
    ("too-many-rows", "GET", {"query": "SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 10001"}, {}, None, 400,
     ["more than 10000 rows", "LIMIT"]),
    ("too-many-triples", "GET", {"query": "CONSTRUCT { ?a ?b ?f } { ?a ?b ?c . ?d ?e ?f }"}, {}, None, 400,
     ["more than 10000 triples"]),
    ("service", "GET", {"query": "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}, {}, None, 400,
     ["SERVICE", "column 12"]),
]


@pytest.mark.parametrize("case", ERRORS, ids=[e[0] for e in ERRORS])
def test_protocol_errors(endpoint, case):
    _, method, params, headers, body, status, words = case
    response = requests.request(method, endpoint, params=params, headers=headers, data=body)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.text.startswith(f"{status} ")
    for word in words:
        assert word in response.text, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_not_allowed(endpoint, method):
    response = requests.request(method, endpoint, params={"query": "ASK {}"}, data="ASK {}",
                                headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed and method not in allowed


def test_the_syntax_error_points_at_the_spot(endpoint):
    """pyoxigraph's position (line, column) in words, and the line with a caret under that column."""
    response = requests.get(endpoint, params={"query": "SELECT ?x WHERE {\n  ?s ?p ?x\n} GROUP ?s LIMIT 1"})
    assert response.status_code == 400
    assert "line 3, column 11: expected BY" in response.text
    lines = response.text.splitlines()
    caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
    assert lines[caret - 1].strip() == "} GROUP ?s LIMIT 1"
    assert lines[caret - 1][lines[caret].index("^"):] == " LIMIT 1"


# --- CORS --------------------------------------------------------------------------------------------


def test_cors(endpoint):
    response = requests.get(endpoint, params={"query": "ASK {}"}, headers={"Origin": "http://elsewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(endpoint, headers={
        "Origin": "http://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()


# --- the service description -------------------------------------------------------------------------


def description(endpoint: str, accept: str | None = None, **params) -> tuple[requests.Response, list[ox.Triple]]:
    response = requests.get(endpoint, headers={"Accept": accept} if accept else {}, params=params)
    assert response.status_code == 200, response.text
    fmt = ox.RdfFormat.from_media_type(response.headers["Content-Type"].split(";")[0])
    return response, list(ox.parse(response.content, format=fmt))


def test_service_description(endpoint, base, expected):
    response, triples = description(endpoint)
    assert response.headers["Content-Type"].startswith("text/turtle")  # no Accept: RDF, not the page
    by = {}
    for t in triples:
        by.setdefault((t.subject.value, t.predicate.value), set()).add(t.object.value)
    service = next(t.subject.value for t in triples if t.object.value == SD + "Service")
    assert by[(service, SD + "endpoint")] == {base + "sparql"}
    assert SD + "SPARQL11Query" in by[(service, SD + "supportedLanguage")]
    assert SD + "UnionDefaultGraph" in by[(service, SD + "feature")]
    assert by[(service, SD + "resultFormat")] == {f.iri for f in RESULTS_FORMATS} | {
        graph_format_iri(f) for f in DOCUMENT_FORMATS}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in by[(service, SD + "resultFormat")]
    assert "http://www.w3.org/ns/formats/RDF_XML" in by[(service, SD + "resultFormat")]
    (dataset,) = by[(service, SD + "defaultDataset")]
    assert dataset == base + "sparql#dataset"
    assert by[(dataset, SD + "defaultGraph")]
    names = {next(iter(by[(node, SD + "name")])) for node in by[(dataset, SD + "namedGraph")]}
    assert names == expected["graphs"]
    assert not any(isinstance(term, ox.BlankNode) for t in triples for term in (t.subject, t.object))


@pytest.mark.parametrize("fmt", DOCUMENT_FORMATS, ids=lambda f: f.extension)
def test_service_description_in_every_rdf_format(endpoint, fmt):
    response, triples = description(endpoint, fmt.media_type)
    assert response.headers["Content-Type"].startswith(fmt.media_type)
    assert len(triples) > 20
    _, by_param = description(endpoint, None, format=fmt.extension)
    assert set(by_param) == set(triples)


# --- the query page ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(endpoint) -> str:
    response = requests.get(endpoint, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    return response.text


def test_the_page_runs_yasgui_from_this_server(server, page):
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    local = [s for s in sources if "yasgui" in s]
    assert {Path(s).name for s in local} >= {"yasgui.min.js", "yasgui.min.css", "query.js"}
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], "everything loads from this server"
    for src in local:
        response = requests.get(server.rstrip("/") + src if src.startswith("/") else server + src)
        assert response.status_code == 200 and len(response.content) > 100, src
    config = json.loads(re.search(r'<script type="application/json" id="sparql-config">(.*?)</script>', page, re.S)[1])
    assert config["endpoint"].endswith("/sparql")
    assert 6 <= len(config["examples"]) <= 10


def test_the_page_script_turns_off_outside_lookups(server, page):
    script = requests.get(server + "static/yasgui/query.js").text
    assert 'prefixCcApi = null' in script
    assert 'autocompleters = ["variables", "prefixes"]' in script  # not "class"/"property": they ask LOV
    assert "persistenceId: null" in script


def test_the_vendored_yasgui_is_the_pinned_npm_build():
    vendored = REPO / "lod" / "static" / "yasgui"
    version = json.loads((REPO / "package.json").read_text())["devDependencies"]["@zazuko/yasgui"]
    assert version in (vendored / "VERSION").read_text()
    for name in ("yasgui.min.js", "yasgui.min.css"):
        assert (vendored / name).stat().st_size < 2_000_000
    package = REPO / "node_modules" / "@zazuko" / "yasgui" / "build"
    if not package.exists():
        skip_or_fail("node_modules/@zazuko/yasgui not installed (npm ci) to compare the vendored build with")
    for name in ("yasgui.min.js", "yasgui.min.css"):
        assert (vendored / name).read_bytes() == (package / name).read_bytes(), \
            f"{name} differs from npm's: run scripts/vendor_yasgui.sh"


def test_the_page_lists_the_examples_and_works_without_script(page, base):
    for example in examples(base):
        assert example.title in page
    assert "<noscript>" in page and 'name="query"' in page


@pytest.mark.parametrize("example", examples("http://127.0.0.1:5000/"), ids=lambda e: e.title)
def test_each_example_query_returns_rows(endpoint, base, example):
    query = example.query.replace("http://127.0.0.1:5000/", base)
    if query.startswith("DESCRIBE"):
        response = requests.get(endpoint, params={"query": query}, headers={"Accept": "application/n-triples"})
        assert response.status_code == 200, response.text
        assert len(list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))) > 5
        return
    rows = select(endpoint, query)
    assert rows, f"{example.title}: no rows"
    assert all(row for row in rows), f"{example.title}: empty rows"


def test_kasparova_popova_example_tells_both_events(endpoint, base):
    (example,) = [e for e in examples(base) if "Kasparova-Popova" in e.title]
    rows = select(endpoint, example.query)
    assert {r["kind"] for r in rows} == {"left", "joined"}
    assert any("expulsion" in r.get("quote", "") for r in rows)


# --- a second client: roqet (rasqal-utils) -----------------------------------------------------------


def test_roqet_gets_rows(endpoint):
    if not shutil.which("roqet"):
        skip_or_fail("roqet not installed (Debian package rasqal-utils)")
    query = ("PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
             "SELECT ?name WHERE { ?p a foaf:Person ; foaf:name ?name } ORDER BY ?name")
    done = subprocess.run(["roqet", "-q", "-p", endpoint, "-e", query, "-r", "csv"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["name"]
    names = [r[0] for r in rows[1:]]
    assert len(names) > 10 and any("Lenin" in n for n in names)
    assert names == sorted(names)


def test_a_browser_following_a_query_link_gets_the_page_with_that_query(endpoint):
    query = 'SELECT ?name WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?name FILTER(CONTAINS(?name, "é&#")) }'
    response = requests.get(endpoint, params={"query": query}, headers={"Accept": BROWSER}, allow_redirects=False)
    assert response.status_code == 303 and "Accept" in response.headers["Vary"]
    location = urljoin(endpoint, response.headers["Location"])
    assert location.startswith(endpoint + "#query=")
    assert unquote(location.split("#query=", 1)[1]) == query
    page = requests.get(location, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    # a client that takes results as readily as HTML, or names a format, gets results
    for headers, params in (({"Accept": "text/html, application/sparql-results+json"}, {}),
                            ({"Accept": BROWSER}, {"format": "json"})):
        results = requests.get(endpoint, params={"query": query, **params}, headers=headers, allow_redirects=False)
        assert results.status_code == 200
        assert results.headers["Content-Type"].startswith("application/sparql-results+json")
