"""The endpoint is read-only and cannot be made to reach out, run away or fall over.

* SERVICE never opens a connection: a canary TCP listener on a free loopback port counts every
  connection while queries that call it (plain, SILENT, in OPTIONAL, with a variable, ...) are refused.
  SERVICE written inside a string, an IRI, a name or a comment is not a SERVICE call and runs.
* Update and LOAD are refused, whichever way they come (the canary again: LOAD never fetches).
* A query past the time limit is stopped for real (its process killed: no CPU is spent on it after
  the 503) while other queries are answered meanwhile; the server answers after.
* The caps (query length, result size) and the worst inputs (deep nesting, memory hogs) give 4xx or
  503 with a message, never a 500, and never cost the server.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from support import running_server

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?name { ?p foaf:name ?name } LIMIT 5"
TIMEOUT = 2.0


@pytest.fixture(scope="module")
def server(dumps_dir, base):
    """A dedicated server with a short time limit."""
    with running_server(dumps_dir, "--base", base, "--query-timeout", str(TIMEOUT)) as url:
        yield url


@pytest.fixture(scope="module")
def endpoint(server) -> str:
    return server + "sparql"


class Canary:
    """A TCP listener that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() the thread waits in
        self._thread.join()
        self.sock.close()


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


def service_queries(url: str) -> dict[str, str]:
    triple = "?s ?p ?o"
    return {
        "plain": f"SELECT * {{ SERVICE <{url}> {{ {triple} }} }}",
        "silent": f"SELECT * {{ SERVICE SILENT <{url}> {{ {triple} }} }}",
        "in-optional": f"SELECT * {{ ?x ?y ?z OPTIONAL {{ SERVICE <{url}> {{ {triple} }} }} }} LIMIT 1",
        "variable": f"SELECT * {{ VALUES ?x {{ <{url}> }} SERVICE ?x {{ {triple} }} }}",
        "variable-unbound": f"SELECT * {{ SERVICE ?x {{ {triple} }} }}",
        "lower-case-no-space": f"SELECT * {{ service<{url}>{{{triple}}} }}",
        "prefixed-name": f"PREFIX remote: <{url}> SELECT * {{ SERVICE remote: {{ {triple} }} }}",
        "empty-prefix-no-space": f"PREFIX : <{url}> SELECT * {{ SERVICE:{{ {triple} }} }}",
        "comment-between": f"SELECT * {{ SERVICE # a comment\n <{url}> {{ {triple} }} }}",
        "in-subquery": f"SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ {triple} }} }} }} }}",
        "in-exists": f"SELECT * {{ FILTER EXISTS {{ SERVICE <{url}> {{ {triple} }} }} }}",
        "in-minus": f"SELECT * {{ ?s ?p ?o MINUS {{ SERVICE <{url}> {{ {triple} }} }} }}",
        "in-union": f"SELECT * {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ {triple} }} }} }}",
        "ask": f"ASK {{ SERVICE <{url}> {{ }} }}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ {triple} }} }}",
        "describe": f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ {triple} }} }}",
        "trailing-comment-also-says-service": f"SELECT * {{ SERVICE <{url}> {{ {triple} }} }} # service",
        "string-and-keyword": f'SELECT * {{ ?s ?p "SERVICE" . SERVICE <{url}> {{ {triple} }} }}',
        "non-ascii-case": f"SELECT * {{ ſERVICE <{url}> {{ {triple} }} }}",
    }


@pytest.mark.parametrize("name", list(service_queries("http://x/")))
def test_service_never_opens_a_connection(endpoint, canary, name):
    query = service_queries(canary.url)[name]
    answers = [requests.get(endpoint, params={"query": query}, timeout=30),
               requests.post(endpoint, data={"query": query}, timeout=30),
               requests.post(endpoint, data=query.encode(), headers={"Content-Type": "application/sparql-query"},
                             timeout=30)]
    time.sleep(0.3)  # a connection attempt made in the background would have arrived by now
    assert canary.connections == 0
    for response in answers:
        assert 400 <= response.status_code < 500, response.text
        assert "SERVICE" in response.text


def test_iris_that_name_a_server_are_never_fetched(endpoint, canary):
    """FROM, FROM NAMED, the dataset parameters, DESCRIBE and an unknown function name only name things."""
    url = canary.url
    answers = [
        requests.get(endpoint, params={"query": f"SELECT * FROM <{url}> {{ ?s ?p ?o }}"}),
        requests.get(endpoint, params={"query": f"SELECT * FROM NAMED <{url}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"}),
        requests.get(endpoint, params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": url}),
        requests.get(endpoint, params={"query": "ASK { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": url}),
        requests.get(endpoint, params={"query": f"DESCRIBE <{url}>"}),
        requests.get(endpoint, params={"query": f"SELECT (<{url}f>(1) AS ?x) {{}}"}),
        requests.get(endpoint, params={"query": f"SELECT * {{ BIND(IRI(\"{url}\") AS ?x) }}"}),
    ]
    time.sleep(0.3)
    assert canary.connections == 0
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 200, 400, 200], [r.text for r in answers]
    assert "custom function" in answers[5].text  # unknown functions are an error, not a lookup


NOT_SERVICE = {
    "in-a-string": 'SELECT * { ?s ?p ?o FILTER(?o != "SERVICE <http://127.0.0.1:1/> { ?s ?p ?o }") } LIMIT 1',
    "in-a-long-string": "SELECT * { BIND('''\nSERVICE <http://127.0.0.1:1/> {}\n''' AS ?x) }",
    "in-an-iri": "SELECT * { <http://example.org/SERVICE> ?p ?o }",
    "a-variable": "SELECT ?service { ?service ?p ?o } LIMIT 1",
    "a-prefix": "PREFIX service: <http://example.org/> SELECT * { ?s service:x ?o }",
    "a-local-name": "PREFIX ex: <http://example.org/> SELECT * { ?s ex:SERVICE ?o }",
    "a-comment": "SELECT * { ?s ?p ?o } LIMIT 1 # SERVICE <http://127.0.0.1:1/> { }",
    "a-language-tag": 'SELECT * { ?s ?p "x"@service }',
    "a-blank-node-label": "SELECT * { _:service ?p ?o } LIMIT 1",
}


@pytest.mark.parametrize("name", list(NOT_SERVICE))
def test_the_word_service_elsewhere_is_no_call(endpoint, name):
    response = requests.get(endpoint, params={"query": NOT_SERVICE[name]},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text


def test_update_and_load_are_refused(endpoint, canary):
    load = f"LOAD <{canary.url}data.ttl>"
    answers = {
        "update form": requests.post(endpoint, data={"update": load}),
        "update body": requests.post(endpoint, data=load, headers={"Content-Type": "application/sparql-update"}),
        "update get": requests.get(endpoint, params={"update": load}),
        "load as query": requests.get(endpoint, params={"query": load}),
        "load as body": requests.post(endpoint, data=load, headers={"Content-Type": "application/sparql-query"}),
        "insert as query": requests.post(endpoint, data={"query": "INSERT DATA { <a:s> <a:p> <a:o> }"}),
        "drop as query": requests.post(endpoint, data={"query": "DROP ALL"}),
    }
    time.sleep(0.3)
    assert canary.connections == 0
    for how, response in answers.items():
        assert response.status_code in (400, 403), (how, response.text)
        assert "read-only" in response.text, (how, response.text)
    still = requests.get(endpoint, params={"query": "ASK { <a:s> <a:p> <a:o> }", "format": "json"})
    assert still.json()["boolean"] is False


# --- the time limit --------------------------------------------------------------------------------


def _server_processes(port: int) -> list[int]:
    """The server's processes (web, zygote, workers): all carry its command line."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"--port" in cmdline and str(port).encode() in cmdline and any(b"serve.py" in a for a in cmdline):
                pids.append(int(entry.name))
    return pids


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def test_a_runaway_query_is_stopped_while_others_are_served(server, endpoint):
    slow: dict[str, object] = {}

    def run_slow() -> None:
        started = time.perf_counter()
        response = requests.get(endpoint, params={"query": CROSS_JOIN}, timeout=60)
        slow.update(response=response, seconds=time.perf_counter() - started)

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.5)  # the cross join is running now
    for _ in range(3):
        started = time.perf_counter()
        quick = requests.get(endpoint, params={"query": SIMPLE}, timeout=10)
        took = time.perf_counter() - started
        assert quick.status_code == 200
        assert took < 1.0, f"a simple query took {took:.2f} s while a runaway query ran"
    thread.join()
    response = slow["response"]
    assert response.status_code == 503
    assert f"query exceeded the {TIMEOUT:g} s limit" in response.text
    assert TIMEOUT <= slow["seconds"] < TIMEOUT + 2

    # Stopped for real: no process of the server spends CPU on it any more.
    port = int(server.rsplit(":", 1)[1].strip("/"))
    pids = _server_processes(port)
    assert len(pids) >= 2, "web process and query processes"
    before = _cpu_seconds(pids)
    time.sleep(1.0)
    assert _cpu_seconds(_server_processes(port)) - before < 0.3
    assert requests.get(server + "health", timeout=5).status_code == 200
    assert requests.get(endpoint, params={"query": SIMPLE}, timeout=5).status_code == 200


def test_several_runaway_queries_at_once(server, endpoint):
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: requests.post(endpoint, data={"query": CROSS_JOIN}, timeout=60), range(4)))
    assert [a.status_code for a in answers] == [503] * 4
    assert requests.get(endpoint, params={"query": SIMPLE}, timeout=5).status_code == 200


def test_queries_share_one_memory_budget(dumps_dir, base):
    """--query-memory is for all queries together: with 256 MiB for 2 at once, each may take 128 MiB, so a
    query that sorts a cross join is stopped for memory long before its time limit, and a small one runs."""
    hog = "SELECT ?a { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i ?c ?f LIMIT 1"
    with running_server(dumps_dir, "--base", base, "--query-timeout", "60", "--workers", "1", "--max-queries", "2",
                        "--query-memory", "256") as url:
        started = time.perf_counter()
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda _: requests.post(url + "sparql", data={"query": hog}, timeout=90), range(2)))
        took = time.perf_counter() - started
        assert [a.status_code for a in answers] == [503, 503], [a.text for a in answers]
        assert all("memory" in a.text for a in answers), [a.text for a in answers]
        assert took < 30, f"stopped after {took:.1f} s: by the clock, not by the memory budget"
        assert requests.get(url + "sparql", params={"query": SIMPLE}, timeout=5).status_code == 200


# --- caps and the worst inputs -----------------------------------------------------------------------


def test_the_query_length_cap(endpoint):
    # LIMIT: the answer stays under the result cap whatever the corpus (all the triples of 28 letters are
    # more than 10000 rows, which the result cap answers with a 400 of its own).
    long_query = "SELECT * { ?s ?p ?o } LIMIT 10 " + "#" * 20_000
    for response in (requests.post(endpoint, data={"query": long_query}),
                     requests.post(endpoint, data=long_query, headers={"Content-Type": "application/sparql-query"}),
                     requests.get(endpoint, params={"query": long_query})):
        assert response.status_code == 413, response.text
        assert f"{len(long_query)} characters" in response.text and "at most 20000" in response.text
    assert requests.post(endpoint, data={"query": long_query[:20_000]}).status_code == 200


def test_the_result_cap(endpoint):
    rows = requests.get(endpoint, params={"query": "SELECT ?a ?d { ?a ?b ?c . ?d ?e ?f } LIMIT 10001"})
    assert rows.status_code == 400
    assert "more than 10000 rows" in rows.text and "LIMIT" in rows.text and "dumps" in rows.text
    at_cap = requests.get(endpoint, params={"query": "SELECT ?a ?d { ?a ?b ?c . ?d ?e ?f } LIMIT 10000",
                                            "format": "csv"})
    assert at_cap.status_code == 200 and at_cap.text.count("\n") == 10_001
    triples = requests.get(endpoint, params={"query": "CONSTRUCT { ?a ?b ?f } { ?a ?b ?c . ?d ?e ?f }"})
    assert triples.status_code == 400 and "more than 10000 triples" in triples.text


WORST = {
    "nested-groups": "SELECT * " + "{" * 5000 + "}" * 5000,
    "nested-parentheses": "SELECT * { FILTER(" + "(" * 9000 + "1" + ")" * 9000 + ") }",
    "long-sum": "SELECT * { FILTER(" + "1+" * 9900 + "1) }",
    "long-or": "ASK { FILTER(" + "?a||" * 4900 + "?a) }",
    "many-unions": "SELECT * { " + "{}UNION" * 2800 + "{} }",
    "long-path": "SELECT * { ?s " + "<http://x/p>/" * 1500 + "<http://x/p> ?o }",
    "memory-hog": "SELECT ?a { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i ?c ?f LIMIT 1",
    "huge-limit": "SELECT * { ?s ?p ?o } LIMIT 99999999999999999999999999999999",
    "huge-number": "SELECT (9" + "9" * 5000 + " * 2 AS ?x) {}",
    "nul-in-string": 'SELECT ("a\\u0000b" AS ?x) {}',
}


@pytest.mark.parametrize("name", list(WORST))
def test_the_worst_inputs_never_cost_the_server(server, endpoint, name):
    response = requests.post(endpoint, data={"query": WORST[name]}, timeout=TIMEOUT + 30)
    assert response.status_code < 500 or response.status_code == 503, response.text
    assert response.status_code != 500
    if response.status_code >= 400:
        assert response.text.strip()
    assert requests.get(server + "health", timeout=5).status_code == 200
    assert requests.get(endpoint, params={"query": SIMPLE}, timeout=5).status_code == 200
