"""Rendered answers are kept while the store cannot change, and are then the same answers.

A real server on loopback (one web process, a cache of its own: the answers of other tests must not be
in it); which answers came from the cache is read from its access log (``cache=hit``), what the client
gets is compared byte for byte and header for header.
"""
from __future__ import annotations

import gzip
import re
import subprocess
import time
from pathlib import Path

import pytest
import requests

from lod.web.cache import Kept, ResponseCache
from stores import oxigraph_cli
from support import free_port, running_server

DOCS = ["/doc/person/lenin", "/doc/person/kasparova-popova", "/void", "/", "/timeline", "/sitemap.xml"]
ACCEPTS = ["text/turtle", "text/html", "application/n-triples", "application/ld+json", "*/*"]
# What may legitimately differ between two answers of the same thing; everything else must not.
_PER_ANSWER = {"date", "server", "connection", "keep-alive"}


@pytest.fixture(scope="module")
def served(dumps_dir, base):
    """A server of its own on the session's build."""
    port = free_port()
    with running_server(dumps_dir, "--base", base, "--workers", "1", port=port) as url:
        yield url, dumps_dir.parent / f"server-{port}.log"


def _log_lines(log: Path, path: str, count: int, accept: str | None = None) -> list[str]:
    """The access log's lines for ``path`` (and ``accept``) once it has ``count`` of them: a line is written
    after its answer is sent. Whatever there is after 10 s."""
    deadline = time.monotonic() + 10
    while True:
        lines = [line for line in log.read_text().splitlines()
                 if f'path="{path}"' in line and (accept is None or f'accept="{accept}"' in line)]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.01)


def _headers(response: requests.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower() not in _PER_ANSWER}


@pytest.mark.parametrize("path", DOCS)
@pytest.mark.parametrize("accept", ACCEPTS)
def test_a_kept_answer_is_the_answer(served, path, accept):
    url, log = served
    first = requests.get(url.rstrip("/") + path, headers={"Accept": accept}, allow_redirects=False, timeout=30)
    second = requests.get(url.rstrip("/") + path, headers={"Accept": accept}, allow_redirects=False, timeout=30)
    assert first.status_code in (200, 406), first.text
    assert (second.status_code, second.content, _headers(second)) == (first.status_code, first.content,
                                                                       _headers(first))
    lines = _log_lines(log, path, 2, accept)
    if first.status_code == 200:
        assert "cache=hit" in lines[-1], lines


def test_each_variant_is_kept_apart(served):
    url, _ = served
    bodies = {}
    for _ in range(2):
        for accept in ("text/turtle", "application/n-triples", "text/html"):
            r = requests.get(url + "doc/person/lenin", headers={"Accept": accept}, timeout=30)
            assert r.headers["Content-Type"].startswith(accept)
            bodies.setdefault(accept, r.content)
            assert r.content == bodies[accept]
    assert len(set(bodies.values())) == 3


def test_a_text_nodes_text_and_its_n_triples_are_kept_apart(served):
    """text/plain is the text there and N-Triples elsewhere: the key says which, whatever the path names."""
    url, _ = served
    for _ in range(2):
        for path in ("doc/text/1921-12-20-zalutsky-salts", "doc/person/lenin"):
            plain = requests.get(url + path, headers={"Accept": "text/plain"}, timeout=30)
            triples = requests.get(url + path, headers={"Accept": "application/n-triples"}, timeout=30)
            assert triples.headers["Content-Type"].startswith("application/n-triples")
            expected = "text/plain" if path.startswith("doc/text/") else "application/n-triples"
            assert plain.headers["Content-Type"].startswith(expected), path


def test_conditional_and_head_requests_are_answered_from_the_kept_answer(served):
    url, log = served
    path = "/doc/group/central-commission-for-purging-the-party"
    full = requests.get(url.rstrip("/") + path, headers={"Accept": "text/turtle"}, timeout=30)
    assert full.status_code == 200 and full.headers["ETag"]
    again = requests.get(url.rstrip("/") + path, timeout=30,
                         headers={"Accept": "text/turtle", "If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == full.headers["ETag"]
    head = requests.head(url.rstrip("/") + path, headers={"Accept": "text/turtle"}, timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == full.headers["Content-Length"]  # as sent (gzipped)
    assert [line.split("cache=")[1].split()[0] for line in _log_lines(log, path, 3)] == ["miss", "hit", "hit"]


def test_answers_are_kept_compressed_one_per_encoding(served):
    """A gzipped answer is kept gzipped and served as kept; the plain one is kept apart from it."""
    url, log = served
    path = "/doc/letter/1921-08-09-gorky"

    def get(encoding: str, **headers) -> tuple[requests.Response, bytes]:
        answer = requests.get(url.rstrip("/") + path, stream=True, timeout=30,
                              headers={"Accept": "text/html", "Accept-Encoding": encoding, **headers})
        return answer, answer.raw.read(decode_content=False)

    (first, zipped), (second, again) = get("gzip"), get("gzip")
    assert first.headers["Content-Encoding"] == second.headers["Content-Encoding"] == "gzip"
    assert zipped == again and first.headers["ETag"] == second.headers["ETag"]
    (plain, body), (plain_again, _) = get("identity"), get("identity")
    assert "Content-Encoding" not in plain.headers and "Content-Encoding" not in plain_again.headers
    assert gzip.decompress(zipped) == body
    not_modified, _ = get("gzip", **{"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304
    lines = _log_lines(log, path, 5)
    assert [re.search(r"cache=(\S+)", line).group(1) for line in lines] == ["miss", "hit", "miss", "hit", "hit"]
    assert re.search(r"bytes=(\d+)", lines[1]).group(1) == str(len(zipped))  # served as kept, compressed


def test_303s_are_kept_too_but_not_404s(served):
    url, log = served
    for _ in range(2):
        see = requests.get(url + "id/person/lenin", headers={"Accept": "text/turtle"}, allow_redirects=False,
                           timeout=30)
        assert see.status_code == 303 and see.headers["Location"].endswith("/doc/person/lenin")
        missing = requests.get(url + "doc/person/nobody-at-all", timeout=30)
        assert missing.status_code == 404
    assert [l.split("cache=")[1].split()[0] for l in _log_lines(log, "/id/person/lenin", 2)] == ["miss", "hit"]
    assert [l.split("cache=")[1].split()[0] for l in _log_lines(log, "/doc/person/nobody-at-all", 2)] == ["miss", "miss"]


def test_accept_headers_that_select_one_variant_share_a_kept_answer(served):
    url, log = served
    path = "/doc/person/kasparova-popova"
    for accept in ("text/turtle;q=0.9, application/x-nothing", "text/turtle", "TEXT/Turtle, image/png;q=0.1"):
        assert requests.get(url.rstrip("/") + path, headers={"Accept": accept}, timeout=30).ok
    hits = [line.split("cache=")[1].split()[0] for line in _log_lines(log, path, 3) if "text/turtle" in line.lower()]
    assert hits[-2:] == ["hit", "hit"], hits


def test_queries_and_dumps_are_never_kept(served):
    url, log = served
    for _ in range(2):
        assert requests.get(url + "sparql", params={"query": "ASK {}"}, timeout=30).ok
        assert requests.get(url + "dumps/letters.ttl", timeout=30).ok
    assert all("cache=-" in line for line in _log_lines(log, "/sparql?query=ASK+%7B%7D", 2))
    assert all("cache=-" in line for line in _log_lines(log, "/dumps/letters.ttl", 2))


def test_the_cache_holds_at_most_its_bytes_and_drops_the_least_recently_used():
    cache = ResponseCache(max_bytes=80_000)
    answer = Kept("200 OK", (("Content-Type", "text/turtle"),), b"x" * 9_000)
    for n in range(20):
        cache.put(("doc", n), answer)
        cache.get(("doc", 0))  # kept in use
        assert cache.bytes <= 80_000
    assert cache.get(("doc", 0)) is answer
    assert cache.get(("doc", 1)) is None and cache.get(("doc", 19)) is answer
    assert len(cache) == cache.bytes // answer.size
    cache.put(("huge",), Kept("200 OK", (), b"x" * 20_000))  # over an eighth of the cache: not kept
    assert cache.get(("huge",)) is None


def test_the_cache_counts_its_keys():
    cache = ResponseCache(max_bytes=1_000_000)
    small = Kept("200 OK", (), b"x" * 100)
    for n in range(100):
        cache.put((f"/doc/{n}", "", "a" * 100_000), small)
        assert cache.bytes <= 1_000_000
    assert len(cache) <= 10


def test_answers_from_a_remote_store_are_never_kept(tmp_path):
    """Others may write to a remote store: a change there shows on the very next request."""
    cli = oxigraph_cli()
    port = free_port()
    oxigraph = subprocess.Popen([cli, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}",
                                 "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(endpoint + "query", params={"query": "ASK {}"}, timeout=1).ok:
                    break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

        def name(text: str) -> None:
            update = ("DELETE WHERE { GRAPH <http://x.test/g> { ?s ?p ?o } };"
                      f'INSERT DATA {{ GRAPH <http://x.test/g> {{ <http://x.test/id/person/anna> '
                      f'<http://xmlns.com/foaf/0.1/name> "{text}" }} }}')
            requests.post(endpoint + "update", data={"update": update}, timeout=10).raise_for_status()

        name("Anna before")
        with running_server(tmp_path / "dumps", "--base", "http://x.test/", "--sparql-endpoint",
                            endpoint + "query", "--workers", "1") as url:
            doc = url + "doc/person/anna"
            assert "Anna before" in requests.get(doc, headers={"Accept": "text/turtle"}, timeout=30).text
            name("Anna after")
            after = requests.get(doc, headers={"Accept": "text/turtle"}, timeout=30).text
            assert "Anna after" in after and "Anna before" not in after
    finally:
        oxigraph.terminate()
        oxigraph.wait(10)


def test_the_cache_can_be_turned_off(dumps_dir, base):
    port = free_port()
    with running_server(dumps_dir, "--base", base, "--cache-mb", "0", "--workers", "1", port=port) as url:
        for _ in range(2):
            assert requests.get(url + "doc/person/lenin", headers={"Accept": "text/turtle"}, timeout=30).ok
        lines = _log_lines(dumps_dir.parent / f"server-{port}.log", "/doc/person/lenin", 2)
    assert [re.search(r"cache=(\S+)", line).group(1) for line in lines] == ["-", "-"]
