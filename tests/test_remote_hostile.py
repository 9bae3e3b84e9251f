"""serve.py --sparql-endpoint against a store that misbehaves: a huge answer, a trickle, an error page, a
store that wants credentials. Each store here is a small HTTP server on a loopback port in this process, so
that the test knows exactly what it sent; the app asks it through real sockets.

docs/design.md, "The store interface": a down or slow store is a 502 or 504, and (lod/sparql_http.py) one
query has one deadline, a byte budget and a row cap, and no message names a credential or repeats the store.
"""
from __future__ import annotations

import base64
import contextlib
import logging
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest
import requests
from support import Web, free_port, lod, make_app, running_server, serving, skip_or_fail

from lod.config import Settings
from lod.sparql_http import Endpoint, redact
from lod.store import RemoteStore

WEB = "http://letters.test/"
TIMEOUT = 2.0  # --query-timeout of the apps here
USER, PASSWORD = "reader", "s3cret-pw%with:odd@chars"
SECRET_WORDS = ("s3cret", PASSWORD)


class Store(ThreadingHTTPServer):
    """A SPARQL store on a loopback port whose answers ``answer(handler, query)`` writes; it counts what it
    managed to send and whether the client hung up on it."""

    daemon_threads = True

    def __init__(self, answer: Callable[[Handler, str], None]) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.answer = answer
        self.sent = 0
        self.hung_up = threading.Event()
        self.requests: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Store

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        self.server.requests.append(dict(self.headers))
        try:
            self.server.answer(self, parse_qs(body).get("query", [""])[0])
        except OSError:  # the client hung up: what this test is often about
            self.server.hung_up.set()
        self.close_connection = True

    def send(self, data: bytes) -> None:
        self.wfile.write(data)
        self.server.sent += len(data)

    def head(self, status: int = 200, content_type: str = "application/sparql-results+json", length: int | None = None,
             reason: str | None = None) -> None:
        self.send_response(status, reason)
        self.send_header("Content-Type", content_type)
        self.send_header("Connection", "close")
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()


@contextlib.contextmanager
def store(answer: Callable[[Handler, str], None]) -> Iterator[Store]:
    server = Store(answer)
    with serving(server):
        yield server


@contextlib.contextmanager
def app_over(endpoint: str | Endpoint, **settings) -> Iterator[Web]:
    """Our app over the store at ``endpoint``, as serve.py makes it, reached at WEB."""
    config = Settings(base=WEB, query_timeout=TIMEOUT, **settings)
    remote = RemoteStore(endpoint, web_base=WEB, timeout=config.query_timeout, max_bytes=config.remote_max_bytes)
    with Web() as http:
        http.serve(WEB, make_app(config, remote))
        yield http


def sparql(http, query: str) -> requests.Response:
    return http.get(WEB + "sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"},
                    timeout=60)


ROW = b'{"s":{"type":"uri","value":"http://letters.test/id/person/p%d"}}'


def many_rows(rows: int) -> Callable[[Handler, str], None]:
    def answer(handler: Handler, query: str) -> None:
        handler.head()
        handler.send(b'{"head":{"vars":["s"]},"results":{"bindings":[')
        for i in range(rows):
            handler.send((b"," if i else b"") + ROW % i)
        handler.send(b"]}}")
    return answer


# --- 1. a huge answer, a trickle, a huge row: bounded in time and memory --------------------------------


def test_a_huge_answer_is_read_only_up_to_the_row_cap():
    """The attack: ``LIMIT 3000000`` on a store that has the rows (here 1,000,000, some 60 MB of JSON). Only
    the rows up to the cap are read; the store is hung up on and the client told to page."""
    rows = 1_000_000
    whole = len(b'{"head":{"vars":["s"]},"results":{"bindings":[]}}') + sum(len(ROW % i) + 1 for i in range(rows))
    with store(many_rows(rows)) as remote, app_over(remote.url) as http:
        answer = sparql(http, "SELECT ?s WHERE { ?s a ?type } LIMIT 3000000")
        assert answer.status_code == 400, answer.text
        assert "more than 10000 rows" in answer.text
        assert remote.hung_up.wait(10), "the store was read to the end"
        assert remote.sent < whole / 3, (remote.sent, whole)  # what the socket buffers held, not the answer


def _trickle_body(handler: Handler, query: str) -> None:
    handler.head()
    for _ in range(300):  # a minute at most
        handler.send(b" ")
        handler.wfile.flush()
        time.sleep(0.2)


def _trickle_headers(handler: Handler, query: str) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 300:
        handler.send(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.2)


@pytest.mark.parametrize("answer", [_trickle_body, _trickle_headers], ids=["body", "headers"])
def test_a_store_that_trickles_is_stopped_at_the_query_deadline(answer):
    """A byte every 0.2 s never lets a socket timeout expire; the query's one deadline does."""
    with store(answer) as remote, app_over(remote.url) as http:
        started = time.monotonic()
        page = http.get(WEB + "doc/person/lenin", headers={"Accept": "text/plain"}, timeout=120)
        took = time.monotonic() - started
        assert page.status_code == 504, page.text
        assert f"did not answer within {TIMEOUT:g} s" in page.text
        assert took < 4 * TIMEOUT + 5, took  # one deadline (generous: this only shows it did not hang)
        assert remote.hung_up.wait(5)


def test_an_answer_over_the_byte_budget_is_not_read():
    """One row, one 50 MB literal: past --sparql-max-mb (here 1) the answer is dropped, whatever its rows."""
    def answer(handler: Handler, query: str) -> None:
        handler.head()
        handler.send(b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"literal","value":"')
        for _ in range(50):
            handler.send(b"x" * 2 ** 20)
        handler.send(b'"}}]}}')

    with store(answer) as remote, app_over(remote.url, remote_max_bytes=2 ** 20) as http:
        answer_ = sparql(http, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
        assert answer_.status_code == 502, answer_.text
        assert "sent more than 1 MiB" in answer_.text
        assert remote.hung_up.wait(10)
        assert remote.sent < 10 * 2 ** 20


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 and its key, made with openssl."""
    if shutil.which("openssl") is None:
        skip_or_fail("openssl not found (Debian: apt-get install openssl)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = str(folder / "cert.pem"), str(folder / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def test_an_https_store_is_checked_and_held_to_the_deadline(certificate, monkeypatch):
    """TLS: the store's certificate is checked (an unknown one is a 502), a known one answers, and a store that
    takes the connection and never does its part of the handshake is a 504 at the deadline."""
    import lod.sparql_http

    cert, key = certificate
    with store(many_rows(3)) as remote:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        remote.socket = context.wrap_socket(remote.socket, server_side=True)
        url = remote.url.replace("http://", "https://")
        with app_over(url) as http:
            answer = sparql(http, "SELECT ?s { ?s ?p ?o }")
            assert answer.status_code == 502 and "TLS: CERTIFICATE_VERIFY_FAILED" in answer.text, answer.text
        monkeypatch.setattr(lod.sparql_http, "_tls_context", lambda: ssl.create_default_context(cafile=cert))
        with app_over(url) as http:
            answer = sparql(http, "SELECT ?s { ?s ?p ?o }")
            assert answer.status_code == 200, answer.text
            assert len(answer.json()["results"]["bindings"]) == 3
    with socket.create_server(("127.0.0.1", 0)) as silent, \
            app_over(f"https://127.0.0.1:{silent.getsockname()[1]}/sparql") as http:
        started = time.monotonic()
        answer = sparql(http, "SELECT ?s { ?s ?p ?o }")
        assert answer.status_code == 504, answer.text
        assert time.monotonic() - started < 4 * TIMEOUT + 5


# --- 2. what a failing store says is logged, cut, and never shown -------------------------------------------


MARKER = "INTERNAL-STACK-TRACE-MARKER"


def _error(status: int) -> Callable[[Handler, str], None]:
    def answer(handler: Handler, query: str) -> None:
        body = f"<html><script>alert(1)</script>{MARKER} at /srv/store/engine.py line 42\n{'x' * 100_000}".encode()
        handler.head(status, "text/html", len(body), reason=f"Broken <b>{MARKER}</b>")
        handler.send(body)
    return answer


def test_a_store_error_is_logged_cut_and_the_client_told_502(caplog):
    caplog.set_level(logging.WARNING)
    with store(_error(500)) as remote, app_over(remote.url) as http:
        for accept in ("text/html", "text/plain"):
            page = http.get(WEB + "doc/person/lenin", headers={"Accept": accept}, timeout=30)
            assert page.status_code == 502, page.text
            assert "answered 500 Internal Server Error" in page.text
            assert MARKER not in page.text and "<script>alert" not in page.text
        answer = sparql(http, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        assert answer.status_code == 502 and MARKER not in answer.text, answer.text
    logged = [r.getMessage() for r in caplog.records if MARKER in r.getMessage()]
    assert logged, "the store's words are not in the log"
    assert all(len(line) < 1000 and "\n" not in line for line in logged), logged


def test_a_query_the_store_refuses_is_a_400_without_its_words():
    with store(_error(400)) as remote, app_over(remote.url) as http:
        answer = sparql(http, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
        assert answer.status_code == 400, answer.text
        assert "answered 400 Bad Request" in answer.text and MARKER not in answer.text
        page = http.get(WEB + "doc/person/lenin", headers={"Accept": "text/plain"}, timeout=30)
        assert page.status_code == 502, page.text  # our own query refused: the store cannot serve us


# --- 3. credentials: used, and never shown ---------------------------------------------------------


def _authorization(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def guarded(data: ox.Store) -> Callable[[Handler, str], None]:
    """A working SPARQL store over ``data`` that answers only the right credentials (401 otherwise)."""
    def answer(handler: Handler, query: str) -> None:
        if handler.headers.get("Authorization") != _authorization(USER, PASSWORD):
            handler.head(401, "text/plain", 0)
            return
        result = data.query(query)
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            body, media_type = result.serialize(format=ox.QueryResultsFormat.JSON), "application/sparql-results+json"
        else:
            body, media_type = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES), "application/n-triples"
        handler.head(200, media_type, len(body))
        handler.send(body)
    return answer


@pytest.fixture(scope="module")
def letters_store(served_store, base) -> ox.Store:
    """The session's letters, under WEB (as a store of an institution would hold them)."""
    nquads = ox.serialize(served_store.oxigraph.quads_for_pattern(None, None, None, None),
                          format=ox.RdfFormat.N_QUADS).replace(base.encode(), WEB.encode())
    data = ox.Store()
    data.load(nquads, format=ox.RdfFormat.N_QUADS)
    return data


def with_userinfo(url: str, user: str = USER, password: str = PASSWORD) -> str:
    from urllib.parse import quote

    return url.replace("http://", f"http://{quote(user, safe='')}:{quote(password, safe='')}@", 1)


def assert_no_secret(text: str) -> None:
    assert not any(word in text for word in SECRET_WORDS), text


def test_credentials_in_the_url_are_used_and_never_shown(letters_store, caplog):
    caplog.set_level(logging.INFO)
    with store(guarded(letters_store)) as remote:
        url = with_userinfo(remote.url)
        with app_over(url) as http:
            page = http.get(WEB + "doc/person/lenin", headers={"Accept": "text/html"}, timeout=30)
            assert page.status_code == 200, page.text
            assert sparql(http, "ASK { ?s ?p ?o }").json()["boolean"] is True
            assert http.get(WEB + "health", timeout=30).status_code == 200
        assert remote.requests and all(r.get("Authorization") for r in remote.requests)
        with app_over(with_userinfo(remote.url, password="wrong")) as http:  # refused: 502, and no credential shown
            for path, accept in (("doc/person/lenin", "text/html"), ("doc/person/lenin", "text/plain"),
                                 ("health", "*/*"), ("", "text/html")):
                page = http.get(WEB + path, headers={"Accept": accept}, timeout=30)
                assert page.status_code == 502, (path, page.text)
                assert "answered 401 Unauthorized" in page.text
                assert_no_secret(page.text)
    with app_over(url) as http:  # the store is gone
        for path in ("doc/person/lenin", "health"):
            page = http.get(WEB + path, headers={"Accept": "text/html"}, timeout=30)
            assert page.status_code == 502, (path, page.text)
            assert "not answering" in page.text
            assert_no_secret(page.text)
        answer = sparql(http, "ASK {}")
        assert answer.status_code == 502 and "cannot be reached" in answer.text, answer.text
        assert_no_secret(answer.text)
    assert_no_secret("\n".join(r.getMessage() for r in caplog.records))


def test_the_server_takes_credentials_apart_and_logs_none(letters_store, tmp_path):
    """serve.py, a real process: the user by option, the password by environment; the user by environment, the
    password in a file; both in the URL. Its log (the "serving ..." line included) names no password."""
    with store(guarded(letters_store)) as remote:
        secret = tmp_path / "password"
        secret.write_text(PASSWORD + "\n", encoding="utf-8")
        runs = [((remote.url, "--sparql-user", USER), {"LOD_SPARQL_PASSWORD": PASSWORD}),
                ((remote.url, "--sparql-password-file", str(secret)), {"LOD_SPARQL_USER": USER}),
                ((with_userinfo(remote.url),), {})]
        for i, (args, env) in enumerate(runs):
            dumps = tmp_path / str(i) / "dumps"
            dumps.parent.mkdir()
            with running_server(dumps, "--base", WEB, "--sparql-endpoint", *args, env=env) as url:
                health = requests.get(url + "health", timeout=30)
                assert health.status_code == 200, health.text
                assert health.json()["triples"] > 0
                page = requests.get(url + "doc/person/lenin", headers={"Accept": "text/turtle"}, timeout=30)
                assert page.status_code == 200, page.text
            log = next((tmp_path / str(i)).glob("server-*.log")).read_text()
            assert f"serving {remote.url} (as {USER})" in log, log
            assert_no_secret(log)


def test_credentials_given_twice_are_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from lod.serve import main

    run = CliRunner().invoke(main, ["--sparql-endpoint", with_userinfo("http://127.0.0.1:1/sparql"),
                                    "--sparql-user", "other", "--port", str(free_port())], catch_exceptions=False)
    assert run.exit_code == 2
    assert "the user is given twice" in run.output
    assert_no_secret(run.output)


@pytest.mark.parametrize("url, user, password, shown", [
    ("http://127.0.0.1:7878/query", None, None, "http://127.0.0.1:7878/query"),
    ("http://u%40x:p%3Aw@store.example/sparql?key=abc", "u@x", "p:w", "http://store.example/sparql"),
    ("https://u@[::1]:8890/sparql", "u", None, "https://[::1]:8890/sparql"),
])
def test_an_endpoint_keeps_its_credentials_apart(url, user, password, shown):
    endpoint = Endpoint.of(url)
    assert (endpoint.user, endpoint.password, endpoint.shown) == (user, password, shown)
    assert "@" not in endpoint.url and (password is None or password not in repr(endpoint))


@pytest.mark.parametrize("url, in_clear", [
    ("http://u:p@store.example/sparql", True), ("https://u:p@store.example/sparql", False),
    ("http://u:p@127.0.0.1:7878/sparql", False), ("http://u:p@[::1]/sparql", False), ("http://localhost/x", False),
    ("http://store.example/sparql", False),
])
def test_credentials_sent_in_clear_are_known(url, in_clear):
    assert Endpoint.of(url).in_clear is in_clear


@pytest.mark.parametrize("url", ["ftp://u:pw-secret@host/x", "http://u:pw-secret@host:99999/x", "u:pw-secret@host"])
def test_a_bad_endpoint_url_is_named_without_its_credentials(url):
    with pytest.raises(ValueError) as caught:
        Endpoint.of(url)
    assert "pw-secret" not in str(caught.value)
    assert re.search(r"not an? (http or https )?URL", str(caught.value))
    assert "pw-secret" not in redact(url)


# --- 4. `lod query`, the command-line client, under the same rules ------------------------------------------


def test_lod_query_stops_a_trickling_endpoint_at_its_deadline():
    with store(_trickle_body) as remote:
        started = time.monotonic()
        done = lod("query", "SELECT * { ?s ?p ?o }", "--endpoint", remote.url, "--timeout", "2")
        assert done.returncode == 1, done.stdout
        assert f"no answer from {remote.url} within 2 s" in done.stderr
        assert time.monotonic() - started < 15


def test_lod_query_reads_no_more_than_its_budget():
    from lod.sparql_client import QueryError, run_query

    with store(many_rows(1_000_000)) as remote:
        with pytest.raises(QueryError, match="the answer is larger than 1 MiB"):
            run_query("SELECT ?s { ?s ?p ?o }", remote.url, "json", timeout=30, max_bytes=2 ** 20)
        assert remote.hung_up.wait(10)


def test_lod_query_uses_credentials_in_the_url_and_never_prints_them(letters_store):
    with store(guarded(letters_store)) as remote:
        done = lod("query", "ASK { ?s ?p ?o }", "--endpoint", with_userinfo(remote.url))
        assert (done.returncode, done.stdout.strip()) == (0, "true"), done.stderr
        refused = lod("query", "ASK { ?s ?p ?o }", "--endpoint", with_userinfo(remote.url, password="wrong-s3cret"))
        assert refused.returncode == 1 and "the endpoint answered 401" in refused.stderr
        assert "wrong-s3cret" not in refused.stdout + refused.stderr


def test_lod_query_shows_what_an_endpoint_says_without_its_control_characters():
    def answer(handler: Handler, query: str) -> None:
        body = b"400 Bad Request: no such thing\n  here ^\x1b[2J\x1b]0;owned\x07"
        handler.head(400, "text/plain", len(body))
        handler.send(body)

    with store(answer) as remote:
        done = lod("query", "SELECT * {}", "--endpoint", remote.url)
        assert done.returncode == 1
        assert "no such thing\n  here ^" in done.stderr
        assert "\x1b" not in done.stderr and "\x07" not in done.stderr
