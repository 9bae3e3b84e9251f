"""How a query travels to its query process and back (lod.web.sparql.wire), and the query requests
answered in front of Flask (lod.web.sparql.front).

The frames go over real socket pairs, and the pool is a real zygote with real query processes: a frame
too long, cut short, late or garbled is refused with its own error, never read past its limit, never
waited on past its deadline, and a query process that is sent garbage leaves without taking the pool
with it. In front of Flask, a failure while answering a query is a plain 500 with nothing of the
failure in it, as the app's own handler answers.
"""
from __future__ import annotations

import json
import socket
import struct
import subprocess
import threading
import time

import pyoxigraph as ox
import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from lod.web.sparql import wire
from lod.web.sparql.engine import Answer, Job
from lod.web.sparql.front import QueryRequests
from lod.web.sparql.workers import WorkerPool, _Worker

JOB = Job(query="SELECT ?s WHERE { ?s ?p ?o }", base_iri="http://letters.test/sparql", default_graphs=None,
          named_graphs=("http://letters.test/id/letter/a", "http://letters.test/id/letter/b"),
          results_format="json", graph_format="ttl", max_results=10_000, timeout=10.0, memory=2 ** 28)


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    yield ours, theirs
    ours.close()
    theirs.close()


def test_a_job_and_an_answer_arrive_as_they_were_sent(pair):
    ours, theirs = pair
    wire.send_frame(ours, wire.encode_job(JOB))
    assert wire.decode_job(wire.recv_frame(theirs, 2 ** 20)) == JOB
    answer = Answer(200, "application/sparql-results+json", b'{"head":{"vars":["s"]}}' * 10_000)
    sender = threading.Thread(target=wire.send_frame, args=(theirs, *wire.answer_parts(answer)))  # larger than the buffer
    sender.start()
    assert wire.decode_answer(wire.recv_frame(ours, 2 ** 24, time.monotonic() + 10)) == answer
    sender.join()


def test_a_query_in_any_script_arrives_whole(pair):
    ours, theirs = pair
    job = Job(**{**JOB.__dict__, "query": 'SELECT ("Ленин 列宁 \\u0000 \U0001F600" AS ?x) {}', "named_graphs": None})
    wire.send_frame(ours, wire.encode_job(job))
    assert wire.decode_job(wire.recv_frame(theirs, 2 ** 20)) == job


def test_a_frame_longer_than_the_reader_takes_is_refused_before_it_is_read(pair):
    ours, theirs = pair
    ours.sendall(struct.pack(">I", 2 ** 31))  # announces 2 GiB, sends none of it
    started = time.monotonic()
    with pytest.raises(wire.WireError, match="over the 1048576"):
        wire.recv_frame(theirs, 2 ** 20, time.monotonic() + 10)
    assert time.monotonic() - started < 5  # refused on the length alone, not after waiting for the bytes


def test_a_frame_cut_short_is_the_end_of_the_other_side(pair):
    ours, theirs = pair
    ours.sendall(struct.pack(">I", 100) + b"x" * 10)
    ours.close()
    with pytest.raises(EOFError, match="after 10 of 100"):
        wire.recv_frame(theirs, 2 ** 20, time.monotonic() + 10)


def test_a_closed_socket_is_the_end_too(pair):
    ours, theirs = pair
    ours.close()
    with pytest.raises(EOFError):
        wire.recv_frame(theirs, 2 ** 20)


def test_no_frame_by_the_deadline_is_a_timeout_and_late_is_told_once(pair):
    _, theirs = pair
    told = []
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        wire.recv_frame(theirs, 2 ** 20, started + 0.4, late=(started + 0.1, lambda: told.append(time.monotonic())))
    assert len(told) == 1 and told[0] - started >= 0.1
    assert time.monotonic() - started >= 0.4


def test_a_frame_after_late_but_before_the_deadline_is_read(pair):
    ours, theirs = pair
    told = []
    threading.Timer(0.3, wire.send_frame, args=(ours, b"done")).start()
    started = time.monotonic()
    assert wire.recv_frame(theirs, 2 ** 20, started + 10, late=(started + 0.05, lambda: told.append(1))) == b"done"
    assert told == [1]


@pytest.mark.parametrize("data", [
    b"\xff\xfe", b"not json", b"[]", b"{}", json.dumps({"query": "ASK {}"}).encode(),
    json.dumps({**json.loads(wire.encode_job(JOB)), "max_results": True}).encode(),
    json.dumps({**json.loads(wire.encode_job(JOB)), "max_results": "10"}).encode(),
    json.dumps({**json.loads(wire.encode_job(JOB)), "timeout": None}).encode(),
    json.dumps({**json.loads(wire.encode_job(JOB)), "named_graphs": "http://letters.test/g"}).encode(),
    json.dumps({**json.loads(wire.encode_job(JOB)), "default_graphs": [1, 2]}).encode(),
    json.dumps({**json.loads(wire.encode_job(JOB)), "extra": 1}).encode(),
])
def test_anything_but_a_job_is_refused(data):
    with pytest.raises(wire.WireError):
        wire.decode_job(data)


@pytest.mark.parametrize("data", [
    b"", b"\x00", struct.pack(">HH", 99, 0), struct.pack(">HH", 600, 0), struct.pack(">HH", 200, 50) + b"text/plain",
    struct.pack(">HH", 200, 2) + b"\xff\xfe",
])
def test_anything_but_an_answer_is_refused(data):
    with pytest.raises(wire.WireError):
        wire.decode_answer(data)


# --- the query processes --------------------------------------------------------------------------


@pytest.fixture
def pool():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://letters.test/a"), ox.NamedNode("http://letters.test/p"), ox.Literal("x")))
    workers = WorkerPool(store)
    yield workers
    workers.close()


def test_a_query_process_sent_garbage_leaves_and_the_next_query_is_answered(pool):
    ask = Job(**{**JOB.__dict__, "query": "ASK { ?s ?p ?o }", "named_graphs": None})
    assert pool.run(ask).body == b'{"head":{},"boolean":true}'
    worker = pool._take()  # the idle one that answered
    wire.send_frame(worker.sock, b"\x80garbage")
    with pytest.raises(EOFError):  # it closed its socket: it has left
        wire.recv_frame(worker.sock, 2 ** 20, time.monotonic() + 10)
    worker.sock.close()
    assert pool.run(ask).body == b'{"head":{},"boolean":true}'


@pytest.mark.parametrize("reply", [
    struct.pack(">I", 2 ** 31),  # announces more than the query may have made
    struct.pack(">I", 3) + b"\x00\x01\x02",  # too short for an answer's head
    struct.pack(">I", 4) + struct.pack(">HH", 700, 0),  # a status no answer has
])
def test_a_garbled_answer_is_a_503_and_the_pool_goes_on(pool, reply):
    ours, theirs = socket.socketpair()
    stand_in = subprocess.Popen(["sleep", "60"])  # the pid the pool holds for its worker
    try:
        pool._idle.append(_Worker(stand_in.pid, ours))

        def answer() -> None:
            wire.recv_frame(theirs, 2 ** 20)
            theirs.sendall(reply)

        threading.Thread(target=answer).start()
        ask = Job(**{**JOB.__dict__, "query": "ASK { ?s ?p ?o }", "named_graphs": None})
        refused = pool.run(ask)
        assert refused.status == 503 and b"failed on this query" in refused.body
        assert ours.fileno() == -1  # let go of
        assert stand_in.poll() is None  # not killed: a pid that may no longer be the worker's is left alone
        assert pool.run(ask).body == b'{"head":{},"boolean":true}'  # a worker of its own answers
    finally:
        stand_in.kill()
        stand_in.wait()
        theirs.close()


def test_a_query_still_running_when_it_is_slow_yields_the_cpu_and_its_process_is_not_kept(monkeypatch):
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"http://letters.test/{i}"), ox.NamedNode("http://letters.test/p"),
                         ox.Literal(str(i))) for i in range(200))
    workers = WorkerPool(store)
    lowered = []
    monkeypatch.setattr("lod.web.sparql.workers.SLOW", 0.05)
    monkeypatch.setattr("lod.web.sparql.workers._deprioritise", lowered.append)
    try:
        cross = Job(**{**JOB.__dict__, "query": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                       "named_graphs": None, "timeout": 60.0})
        assert b"8000000" in workers.run(cross).body  # eight million rows counted: far longer than SLOW
        assert len(lowered) == 1 and not workers._idle  # lowered while it ran, and let go after
        monkeypatch.setattr("lod.web.sparql.workers.SLOW", 5.0)
        quick = Job(**{**cross.__dict__, "query": "ASK {}"})
        assert workers.run(quick).status == 200
        assert len(lowered) == 1 and len(workers._idle) == 1  # a quick one keeps its process for the next
    finally:
        workers.close()


# --- in front of Flask ----------------------------------------------------------------------------


class _Broken:
    def run(self, job: Job) -> Answer:
        raise RuntimeError("a secret detail of the failure")


def test_a_failure_answering_a_query_is_a_plain_500_without_its_detail(web, app, base, monkeypatch, caplog):
    monkeypatch.setattr(app.extensions["lod.sparql"], "runner", _Broken())
    answer = web.get(base + "sparql", params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 500
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert answer.text == "500 Internal Server Error: the server could not answer this request.\n"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"  # still inside the headers every answer gets
    assert "a secret detail" in caplog.text  # the log has it


def test_what_is_not_a_query_request_is_still_answered_by_the_app(web, base):
    head = web.head(base + "sparql", params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"})
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("application/sparql-results+json")
    assert head.content == b""
    description = web.get(base + "sparql", headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and "sparql-service-description" in description.text
    assert web.put(base + "sparql", params={"query": "ASK {}"}).status_code == 405


_SELECT = "SELECT ?s ?o WHERE { ?s ?p ?o } LIMIT 3"
_JSON = "application/sparql-results+json"


@pytest.mark.parametrize("method, params, headers, body", [
    ("GET", {"query": _SELECT}, {"Accept": _JSON}, None),
    ("GET", {"query": _SELECT}, {"Accept": _JSON, "Accept-Encoding": "gzip"}, None),
    ("GET", {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 100"}, {"Accept": _JSON, "Accept-Encoding": "gzip"}, None),
    ("GET", {"query": _SELECT}, {"Accept": "application/sparql-results+xml"}, None),
    ("GET", {"query": _SELECT, "format": "csv"}, {}, None),
    ("GET", {"query": _SELECT}, {"Accept": "text/tab-separated-values"}, None),
    ("GET", {"query": "ASK { ?s ?p ?o }"}, {"Accept": _JSON}, None),
    ("GET", {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"}, {"Accept": "text/turtle"}, None),
    ("GET", {"query": _SELECT}, {"Accept": "text/turtle"}, None),  # 406
    ("GET", {"query": "SELEC nothing"}, {"Accept": _JSON}, None),
    ("GET", {"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}, {"Accept": _JSON}, None),
    ("GET", {"query": _SELECT, "format": "bogus"}, {}, None),
    ("GET", {"query": _SELECT, "default-graph-uri": "not an IRI"}, {}, None),
    ("GET", {"query": "x" * 20_001}, {}, None),
    ("GET", {"update": "CLEAR ALL"}, {}, None),
    ("GET", {"query": _SELECT}, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, None),  # 303 to the page
    ("POST", {}, {"Content-Type": "application/x-www-form-urlencoded", "Accept": _JSON}, "query=ASK%20%7B%7D"),
    ("POST", {}, {"Content-Type": "application/sparql-query", "Accept": _JSON}, _SELECT),
    ("POST", {}, {"Content-Type": "application/sparql-query; charset=latin-1"}, _SELECT),
    ("POST", {}, {"Content-Type": "application/sparql-update"}, "CLEAR ALL"),
    ("POST", {}, {"Content-Type": "text/plain"}, _SELECT),
])
@pytest.mark.parametrize("script_name", ["", "/letters"])
def test_an_answer_in_front_of_flask_is_the_flask_views_answer(app, method, params, headers, body, script_name):
    front = app.wsgi_app
    while not isinstance(front, QueryRequests):
        front = front.app  # down the middleware to the front; its .app is the way through Flask

    def answer(wsgi) -> tuple[str, list, bytes]:
        environ = EnvironBuilder(path="/sparql", base_url=f"http://localhost{script_name}", method=method,
                                 query_string=params, headers=headers, data=body).get_environ()
        chunks, status, answer_headers = run_wsgi_app(wsgi, environ)
        return status, sorted(answer_headers.items()), b"".join(chunks)

    assert answer(front) == answer(front.app)
