"""Clients that try to take the server down or turn it against its visitors, on a real server (loopback).

Each test plays one attack of issue 13 the way an attacker would, with sockets where the server's own
reading matters: slow request bodies, oversized chunked bodies, headers made to fill the kept-answers
cache and the log, redirects that echo the Host header. Bounds on time are generous: they prove that
nothing hung, not how fast it went.
"""
from __future__ import annotations

import os
import select
import socket
import time
from pathlib import Path

import pytest
import requests

from support import free_port, running_server

WORKERS, MAX_QUERIES = 2, 16  # the server's defaults on two cores, given so that the figures below hold anywhere
PLACES = MAX_QUERIES // WORKERS  # bodies read at once per process; half of them for one address


@pytest.fixture(scope="module")
def guarded(dumps_dir: Path, base: str):
    """A server of this module's own (``(url, port)``): these tests hold its threads and fill its memory."""
    port = free_port()
    with running_server(dumps_dir, "--base", base, "--workers", str(WORKERS), "--max-queries", str(MAX_QUERIES),
                        port=port) as url:
        yield url, port


def _processes_of(port: int) -> list[int]:
    """serve.py listening on ``port``: its web processes and query processes have the same command line."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(a.endswith(b"serve.py") for a in cmdline) and str(port).encode() in cmdline:
                found.append(int(entry))
    assert found, f"no serve.py on port {port}"
    return sorted(found)


def _peak_rss(pids: list[int]) -> int:
    """The most resident bytes each of ``pids`` ever had, added up (a body read whole and let go still shows)."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def _status_of(sock: socket.socket, wait: float) -> int | None:
    """The status code the server wrote on ``sock`` within ``wait`` seconds; 0 when it closed without one."""
    sock.settimeout(wait)
    try:
        data = sock.recv(256)
    except socket.timeout:
        return None
    except OSError:
        return 0
    if not data:
        return 0
    return int(data.split(b" ", 2)[1])


# --- 1. slow request bodies ----------------------------------------------------------------


def _post_from(address: str, port: int) -> bytes:
    """A whole POST /sparql from the loopback address ``address``: the first line of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(address, 0)) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nContent-Type: "
                     b"application/x-www-form-urlencoded\r\nContent-Length: 16\r\n\r\nquery=ASK+%7B%7D")
        return sock.recv(4096).split(b"\r\n", 1)[0]


def test_slow_bodies_never_stop_the_server(guarded):
    """40 connections send the headers of a POST /sparql and 1 byte of its body, then nothing."""
    url, port = guarded
    head = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 100\r\n\r\nq")
    slow = []
    try:
        for _ in range(40):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(head)
            slow.append(sock)
        # Those beyond the places one address may hold are refused at once; the others wait for their bodies.
        answered: dict[socket.socket, int | None] = {}
        deadline = time.monotonic() + 5
        while len(answered) < len(slow) and time.monotonic() < deadline:
            for sock in select.select([s for s in slow if s not in answered], [], [], 0.5)[0]:
                answered[sock] = _status_of(sock, 1)
        statuses = list(answered.values())
        refused = [s for s in statuses if s is not None]
        assert set(refused) <= {429, 503}, statuses
        assert len(refused) >= 40 - WORKERS * PLACES // 2, statuses
        started = time.monotonic()
        for path in ("health", "doc/person/lenin", "sparql?query=ASK%7B%7D"):
            response = requests.get(url + path, timeout=10)
            assert response.status_code == 200, (path, response.status_code)
        assert time.monotonic() - started < 10
        # Another client's query by POST is answered while those connections hold their places.
        for _ in range(4):
            assert _post_from("127.0.0.2", port) == b"HTTP/1.1 200 OK"
    finally:
        for sock in slow:
            sock.close()
    # Once they leave, their places are free again, for them too.
    deadline = time.monotonic() + 10
    while _post_from("127.0.0.1", port) != b"HTTP/1.1 200 OK":
        assert time.monotonic() < deadline, "the places of the slow connections never came back"
        time.sleep(0.2)


def _send_chunked(port: int, total: int, chunk: int = 2 ** 20) -> tuple[int | None, int]:
    """POST a form of ``total`` bytes in chunks, no Content-Length; stop once the server answers or closes.

    Returns (status or None when the server closed without one, bytes sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sent = 0
    try:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
                     b"\r\nTransfer-Encoding: chunked\r\n\r\n")
        piece = b"%x\r\n" % chunk + b"query=" + b"a" * (chunk - 6) + b"\r\n"
        while sent < total:
            if select.select([sock], [], [], 0)[0]:
                break  # the server has answered (or closed): no point sending more
            try:
                sock.sendall(piece)
            except OSError:
                break
            sent += chunk
        else:
            sock.sendall(b"0\r\n\r\n")
        status = _status_of(sock, 30)
        return (status or None), sent
    finally:
        sock.close()


def test_a_chunked_body_is_cut_at_the_size_limit(guarded):
    """A form POST with no Content-Length, 128 MiB of it: refused at the limit, not read into memory."""
    url, port = guarded
    pids = _processes_of(port)
    before = _peak_rss(pids)
    status, sent = _send_chunked(port, 128 * 2 ** 20)
    grown = _peak_rss(pids) - before
    assert status in (413, None), status
    assert grown < 32 * 2 ** 20, f"the server grew by {grown / 2 ** 20:.0f} MiB"
    assert requests.get(url + "health", timeout=5).status_code == 200


def test_a_small_chunked_query_is_answered(guarded):
    url, _ = guarded
    body = iter([b"query=ASK", b"%20%7B%7D"])  # requests sends an iterator chunked
    response = requests.post(url + "sparql", data=body, timeout=10,
                             headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    assert response.status_code == 200 and response.json()["boolean"] is True


def test_a_declared_body_over_the_limit_is_refused_unread(guarded):
    _, port = guarded
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 1000000000\r\n\r\nASK {}")
        assert _status_of(sock, 10) == 413


# --- 2. headers made to fill the kept answers and the log ------------------------------------


def _resident(pids: list[int]) -> int:
    """Resident bytes of ``pids`` together, now."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def test_long_accept_headers_fill_neither_the_cache_nor_the_log(guarded, dumps_dir):
    """300 GETs of one document, each with a different Accept header of 300 KB that selects Turtle."""
    url, port = guarded
    requests.get(url + "doc/person/lenin", headers={"Accept": "text/turtle"}, timeout=10).raise_for_status()
    pids = _processes_of(port)
    before = _resident(pids)
    with requests.Session() as session:
        for n in range(300):
            accept = f"text/turtle, application/x-{n}-" + "a" * 300_000 + ";q=0.1"
            response = session.get(url + "doc/person/lenin", headers={"Accept": accept}, timeout=10)
            assert response.status_code == 431, response.status_code  # no client of ours sends one so long
            assert "the Accept header is 300" in response.text
    grown = _resident(pids) - before
    assert grown < 32 * 2 ** 20, f"the server grew by {grown / 2 ** 20:.0f} MiB"
    log = dumps_dir.parent / f"server-{port}.log"
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if "application/x-" in line]
    assert len(lines) >= 290  # the last lines may still be on their way
    assert max(len(line) for line in lines) < 600
    assert all(line.endswith('…"') for line in lines), lines[0]


def test_accept_headers_a_client_may_send_are_answered(guarded):
    url, _ = guarded
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    long_but_fine = ", ".join(f"application/x-{n};q=0.1" for n in range(150)) + ", text/turtle"
    for accept, media_type in ((browser, "text/html"), (long_but_fine, "text/turtle")):
        response = requests.get(url + "doc/person/lenin", headers={"Accept": accept}, timeout=10)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(media_type)


# --- 3. redirects that echo the Host header ------------------------------------------------------------


@pytest.mark.parametrize("path", ["dumps", "dumps?x=1"])
def test_slash_redirects_never_echo_the_host(guarded, base, path):
    url, _ = guarded
    response = requests.get(url + path, headers={"Host": "evil.example"}, allow_redirects=False, timeout=10)
    assert response.status_code == 308
    assert "evil.example" not in response.headers["Location"] + response.text
    assert response.headers["Location"] == base + path.replace("dumps", "dumps/")


def test_one_address_may_send_two_bodies_at_once_whatever_the_places():
    """With --max-queries 2 on one process (two places), a client's two queries posted at once both get a place."""
    from lod.web.bodies import BoundedBodies

    for places, per_client in ((1, 1), (2, 2), (3, 2), (8, 4), (16, 8)):
        assert BoundedBodies(lambda e, s: [], 1024, places, lambda *a: None).places.per_client == per_client
