"""`lod query` against the live server, as a user types it: each output format, and the errors in words.

The command runs in this process (click's CliRunner, ``support.lod``); the server is a real one.
"""
from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest

from support import SPARQL_PREFIXES, free_port, lod

PERSONS = SPARQL_PREFIXES + "SELECT ?person ?name WHERE { ?person a foaf:Person ; foaf:name ?name } ORDER BY ?name"


@pytest.fixture(scope="module")
def endpoint(real_server):
    """The session's real server (serve.py) on the session's build; `lod query` runs in this process."""
    return real_server + "sparql"


@pytest.fixture(scope="module")
def names(sparql) -> list[str]:
    """The name of every (person, name) row PERSONS answers: two persons may bear one name (two letters'
    own "Glyasser"), and each is a row of its own."""
    rows = sparql("SELECT DISTINCT ?person ?name { ?person a foaf:Person ; foaf:name ?name }")
    return sorted(r["name"] for r in rows)


def test_table(endpoint, names):
    done = lod("query", PERSONS, "--endpoint", endpoint)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["person", "name"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[-1] == f"({len(names)} rows)"
    assert "Vladimir Ilyich Lenin" in done.stdout or any("Lenin" in line for line in lines[2:-1])
    assert len(lines) == len(names) + 3
    # columns line up: the name column starts at the same place on every row
    start = lines[0].index("name")
    assert all(line[start - 2: start] == "  " for line in lines[2:-1])


def test_json(endpoint, names):
    done = lod("query", PERSONS, "--endpoint", endpoint, "--format", "json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert results["head"]["vars"] == ["person", "name"]
    assert sorted(b["name"]["value"] for b in results["results"]["bindings"]) == names


def test_csv(endpoint, names):
    done = lod("query", PERSONS, "--endpoint", endpoint, "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert sorted(r["name"] for r in rows) == names


@pytest.mark.parametrize("output,expected", [("table", "true"), ("json", '"boolean": true'), ("csv", "true")])
def test_ask(endpoint, output, expected):
    done = lod("query", SPARQL_PREFIXES + "ASK { ?p a foaf:Person }", "--endpoint", endpoint, "--format", output)
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


def test_describe_prints_rdf(endpoint, base):
    lenin = f"{base}id/person/lenin"
    table = lod("query", f"DESCRIBE <{lenin}>", "--endpoint", endpoint)
    assert table.returncode == 0, table.stderr
    triples = list(ox.parse(table.stdout.encode(), format=ox.RdfFormat.TURTLE))
    assert any(t.subject.value == lenin for t in triples)
    as_json = lod("query", f"DESCRIBE <{lenin}>", "--endpoint", endpoint, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert set(ox.parse(as_json.stdout.encode(), format=ox.RdfFormat.JSON_LD)) == set(triples)
    as_csv = lod("query", f"DESCRIBE <{lenin}>", "--endpoint", endpoint, "--format", "csv")
    assert as_csv.returncode != 0 and "answers with RDF" in as_csv.stderr


def test_a_bad_query_says_where(endpoint):
    done = lod("query", "SELECT ?x WHERE {\n  ?s ?p ?x\n} GROUP ?s", "--endpoint", endpoint)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "line 3, column" in done.stderr and "expected BY" in done.stderr


def test_refusals_reach_the_user(endpoint):
    done = lod("query", "SELECT * { ?a ?b ?c . ?d ?e ?f }", "--endpoint", endpoint)
    assert done.returncode == 1 and "more than 10000 rows" in done.stderr and "Traceback" not in done.stderr
    done = lod("query", "INSERT DATA { <a:b> <a:c> <a:d> }", "--endpoint", endpoint)
    assert done.returncode == 1 and "read-only" in done.stderr and "Traceback" not in done.stderr


def test_the_endpoint_is_down():
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    done = lod("query", "SELECT * {}", "--endpoint", endpoint)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"cannot reach the SPARQL endpoint at {endpoint}" in done.stderr
    assert "refused" in done.stderr.lower()


def test_the_default_endpoint_is_ours():
    done = lod("query", "--help")
    assert done.returncode == 0
    assert "http://127.0.0.1:5000/sparql" in done.stdout
