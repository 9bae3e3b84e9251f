"""Asking a SPARQL endpoint elsewhere (``serve.py --sparql-endpoint``) over HTTP, as a careful client.

One query is one POST under one wall-clock deadline, counted from before the connection is made until the
answer is read: a socket timeout alone restarts with every byte, so a store that trickles its answer
would hold a web thread for ever. Every byte read counts against a budget, and a SELECT or a CONSTRUCT
is parsed while it streams in and stops being read at the row cap, so a ``LIMIT 3000000`` costs what
10,001 rows cost. The credentials of the endpoint (its URL's userinfo, or given apart) are sent as HTTP
basic authentication and are never part of a message: ``Endpoint.shown`` is what errors and logs name.
What the store says when it fails is kept apart from the message (``RemoteError.detail``), for a log: it
may hold anything, and a web client is never shown it.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import http.client
import io
import ipaddress
import re
import select
import socket
import ssl
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from itertools import islice
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

import pyoxigraph as ox

from . import __version__

RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.8"
GRAPH_ACCEPT = "text/turtle, application/n-triples;q=0.9, application/rdf+xml;q=0.5"
_LOGGED_BYTES = 2048  # of a failing store's answer, read to be logged
_LOGGED_CHARS = 300


class RemoteError(Exception):
    """The store could not give an answer. The message is safe to show (no credentials, nothing the store said);
    ``detail`` is what the store said or sent, if anything, for a log and never for a web client."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class RemoteTimeout(RemoteError):
    pass


class RemoteTooLarge(RemoteError):
    pass


class RemoteRefused(RemoteError):
    """The store answered with an HTTP error status; ``detail`` is the start of its answer."""

    def __init__(self, message: str, status: int, said: str) -> None:
        super().__init__(message, said)
        self.status = status


class RemoteUnreachable(RemoteError):
    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def redact(url: str) -> str:
    """``url`` without its userinfo and its query (where API keys live), even if it does not parse: everything up
    to the last '@' goes, which may take a path's '@' with it, never a password with a '/' in it."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    rest = re.split(r"[?#]", rest, maxsplit=1)[0]
    return f"{scheme}{sep}{rest.rsplit('@', 1)[-1]}"


@dataclass(frozen=True)
class Endpoint:
    """Where to send queries: a URL without credentials, and the credentials apart (never in ``repr``)."""

    url: str
    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, url: str, user: str | None = None, password: str | None = None) -> Endpoint:
        """The endpoint at ``url``; credentials in its userinfo (``http://user:pw@host/``) or given here, not both.

        ValueError, with a message that shows no credentials, if the URL is not an http(s) URL.
        """
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ValueError(f"{redact(url)} is not a URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{redact(url)} is not an http or https URL")
        url_user = unquote(parts.username) if parts.username else None
        url_password = unquote(parts.password) if parts.password is not None else None
        if user and url_user:
            raise ValueError("the user is given twice, in the endpoint's URL and apart: give it once")
        if password is not None and url_password is not None:
            raise ValueError("the password is given twice, in the endpoint's URL and apart: give it once")
        user = user or url_user
        password = password if password is not None else url_password
        if password is not None and not user:
            raise ValueError("a password is given without a user")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        netloc = f"{host}:{port}" if port is not None else host
        path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")  # http.client sends ASCII only
        query = quote(parts.query, safe="/?%:@!$&'()*+,;=-._~")
        return cls(urlunsplit((parts.scheme, netloc, path, query, "")), user, password)

    @property
    def shown(self) -> str:
        """The endpoint as messages and logs name it."""
        return redact(self.url)

    @property
    def in_clear(self) -> bool:
        """Whether its credentials would cross a network unencrypted (basic authentication over http, not to
        this machine)."""
        host = urlsplit(self.url).hostname or ""
        if not self.user or self.url.startswith("https:") or host == "localhost":
            return False
        try:
            return not ipaddress.ip_address(host).is_loopback
        except ValueError:
            return True

    def authorization(self) -> str | None:
        if not self.user:
            return None
        token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode("ascii")
        return f"Basic {token}"


class _Late(TimeoutError):
    pass


class _TooMuch(Exception):
    pass


class _Clock:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds until the deadline; ``_Late`` once it has passed."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _Late
        return left


class _Reader(io.RawIOBase):
    """The socket as http.client reads a response: every read waits no longer than the query has left, and
    counts against the answer's budget."""

    def __init__(self, sock: socket.socket, clock: _Clock, budget: int) -> None:
        self._sock, self._clock, self._left = sock, clock, budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.settimeout(self._clock.left())
        try:
            n = self._sock.recv_into(buffer)
        except TimeoutError:
            raise _Late from None
        self._left -= n
        if self._left < 0:
            raise _TooMuch
        return n


class _Socket:
    """A connected socket as http.client uses it, with the clock on every send and read."""

    def __init__(self, sock: socket.socket, clock: _Clock, budget: int) -> None:
        self._sock, self._clock, self._budget = sock, clock, budget

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._clock.left())  # since Python 3.5 the whole sendall's limit
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args, **kwargs) -> io.BufferedReader:
        return io.BufferedReader(_Reader(self._sock, self._clock, self._budget), 64 * 1024)

    def close(self) -> None:
        """Nothing: http.client closes its socket right after the headers when the store will close the connection,
        while the body is still to be read; ``_Connection.drop`` closes it once the answer is done with."""


def _handshake(tls: ssl.SSLSocket, clock: _Clock) -> ssl.SSLSocket:
    """TLS's handshake under the clock (a blocking one would restart its timeout with every record)."""
    tls.setblocking(False)
    while True:
        try:
            tls.do_handshake()
            return tls
        except ssl.SSLWantReadError:
            select.select([tls], [], [], clock.left())
        except ssl.SSLWantWriteError:
            select.select([], [tls], [], clock.left())


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()  # the system's CAs, read once


class _Connection(http.client.HTTPConnection):
    def __init__(self, endpoint: Endpoint, clock: _Clock, budget: int) -> None:
        parts = urlsplit(endpoint.url)
        self._tls = _tls_context() if parts.scheme == "https" else None
        self.default_port = 443 if self._tls else 80  # for the Host header
        super().__init__(parts.hostname, parts.port or self.default_port, timeout=clock.left())
        self._clock, self._budget = clock, budget
        self._raw: socket.socket | None = None

    def connect(self) -> None:
        sock = self._raw = socket.create_connection((self.host, self.port), timeout=self._clock.left())
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self._tls is not None:
            tls = self._raw = self._tls.wrap_socket(sock, server_hostname=self.host, do_handshake_on_connect=False)
            sock = _handshake(tls, self._clock)
        self.sock = _Socket(sock, self._clock, self._budget)  # type: ignore[assignment]

    def drop(self) -> None:
        self.close()
        if self._raw is not None:
            self._raw.close()
            self._raw = None


def one_line(text: str, limit: int = _LOGGED_CHARS) -> str:
    """A store's words for a log line: one line, printable (nothing that forges a line or moves a terminal's
    cursor), at most ``limit`` characters."""
    text = "".join(c if c.isprintable() else "?" for c in " ".join(text.split()))
    return text[:limit] + (" ..." if len(text) > limit else "")


@contextlib.contextmanager
def _post(endpoint: Endpoint, fields: list[tuple[str, str]], accept: str, clock: _Clock,
          max_bytes: int) -> Iterator[http.client.HTTPResponse]:
    """The store's answer to a form POST, its status a success; its body is read under the clock."""
    connection = _Connection(endpoint, clock, max_bytes)
    try:
        parts = urlsplit(endpoint.url)
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": accept,
                   "User-Agent": f"lod-letters/{__version__}"}
        authorization = endpoint.authorization()
        if authorization:
            headers["Authorization"] = authorization
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, urlencode(fields).encode("utf-8"), headers)
        response = connection.getresponse()
        if not 200 <= response.status < 300:
            try:
                said = response.read(_LOGGED_BYTES).decode("utf-8", "replace")
            except (OSError, http.client.HTTPException, _TooMuch):
                said = "(unreadable)"
            raise RemoteRefused(f"the SPARQL store at {endpoint.shown} answered {response.status}"
                                f"{_phrase(response.status)} (what it said is in this server's log)",
                                response.status, said)
        yield response
    finally:
        connection.drop()


def _phrase(status: int) -> str:
    """Ours, not the store's reason phrase, which is its own text."""
    try:
        return f" {HTTPStatus(status).phrase}"
    except ValueError:
        return ""


Inward = Callable[[object], object]  # a term as the store has it -> as we serve it


def _media_type(response: http.client.HTTPResponse) -> str:
    return (response.getheader("Content-Type") or "").split(";", 1)[0].strip().lower()


def _solutions(response: http.client.HTTPResponse, default: ox.QueryResultsFormat, max_rows: int | None,
               inward: Inward | None) -> ox.QuerySolutions | ox.QueryBoolean:
    media_type = _media_type(response)
    fmt = ox.QueryResultsFormat.from_media_type(media_type) if media_type else default
    if fmt is None:
        raise ValueError(f"an answer in {media_type}, not in a SPARQL results format")
    results = ox.parse_query_results(response, format=fmt)  # parsed as it is read
    if isinstance(results, ox.QueryBoolean):
        return results
    names = results.variables
    rows = islice(results, max_rows) if max_rows is not None else results
    # The rows kept are written again as TSV (lossless, every term in N-Triples syntax) and read back: the web
    # layer reads pyoxigraph's own results, and the stream they came from is closed when this returns.
    lines = ["\t".join(str(v) for v in names)]
    for row in rows:
        terms = (row[v] for v in names)
        lines.append("\t".join("" if t is None else str(inward(t) if inward else t) for t in terms))
    return ox.parse_query_results("\n".join(lines) + "\n", format=ox.QueryResultsFormat.TSV)


def _triples(response: http.client.HTTPResponse, default: ox.RdfFormat, max_rows: int | None,
             inward: Inward | None) -> list[ox.Triple]:
    media_type = _media_type(response)
    fmt = ox.RdfFormat.N_TRIPLES if media_type == "text/plain" else (
        ox.RdfFormat.from_media_type(media_type) if media_type else default)
    if fmt is None:
        raise ValueError(f"an answer in {media_type}, not in an RDF format")
    quads = ox.parse(response, format=fmt)  # parsed as it is read
    triples = (q.triple for q in (islice(quads, max_rows) if max_rows is not None else quads))
    return [inward(t) if inward else t for t in triples]  # type: ignore[misc]


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, as SPARQLWrapper reads it (SELECT if it cannot tell)."""
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper("http://localhost/")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it warns about forms it cannot name
        client.setQuery(sparql)
    return (client.queryType or "SELECT").upper()


@contextlib.contextmanager
def _answer(endpoint: Endpoint, fields: list[tuple[str, str]], accept: str, timeout: float,
            max_bytes: int) -> Iterator[http.client.HTTPResponse]:
    """``_post`` under one clock, whatever fails on the way (the body's reader included) a ``RemoteError``."""
    where = f"the SPARQL store at {endpoint.shown}"
    try:
        with _post(endpoint, fields, accept, _Clock(timeout), max_bytes) as response:
            yield response
    except TimeoutError:  # ours (the deadline) and the connect's
        raise RemoteTimeout(f"{where} did not answer within {timeout:g} s") from None
    except _TooMuch:
        raise RemoteTooLarge(f"{where} sent more than {max_bytes / 2 ** 20:g} MiB, the most this server reads "
                             "of one answer") from None
    except (OSError, http.client.HTTPException) as exc:  # before ValueError: a certificate error is both
        reason = _reason(exc)
        raise RemoteUnreachable(f"{where} cannot be reached: {reason}", reason) from None
    except (SyntaxError, ValueError) as exc:
        raise RemoteError(f"{where} sent an answer that does not parse (details in this server's log)",
                          str(exc)) from None


def ask(endpoint: Endpoint, sparql: str, *, default_graphs: list[str] = (), named_graphs: list[str] = (),
        timeout: float, max_bytes: int, max_rows: int | None = None, inward: Inward | None = None) -> object:
    """The store's answer to ``sparql``: a QueryBoolean, QuerySolutions, or a list of triples; at most
    ``max_rows`` rows or triples are read, ``inward`` is applied to every term.

    Raises ``RemoteTimeout`` past ``timeout`` seconds (everything included), ``RemoteTooLarge`` past
    ``max_bytes`` read, ``RemoteRefused`` for an error status, ``RemoteUnreachable``, or ``RemoteError`` for
    an answer that does not parse.
    """
    graph = query_form(sparql) in ("CONSTRUCT", "DESCRIBE")
    fields = [("query", sparql), *(("default-graph-uri", g) for g in default_graphs),
              *(("named-graph-uri", g) for g in named_graphs)]
    with _answer(endpoint, fields, GRAPH_ACCEPT if graph else RESULTS_ACCEPT, timeout, max_bytes) as response:
        if graph:
            return _triples(response, ox.RdfFormat.TURTLE, max_rows, inward)
        return _solutions(response, ox.QueryResultsFormat.JSON, max_rows, inward)


def fetch(endpoint: Endpoint, sparql: str, accept: str, *, timeout: float, max_bytes: int) -> bytes:
    """The store's whole answer to ``sparql`` as it sent it, under the same deadline and budget as ``ask``."""
    with _answer(endpoint, [("query", sparql)], accept, timeout, max_bytes) as response:
        return response.read()


def _reason(exc: Exception) -> str:
    """Why a connection failed, in the system's words (none of them the store's)."""
    if isinstance(exc, ssl.SSLError):
        return f"TLS: {exc.reason or type(exc).__name__}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return type(exc).__name__  # http.client's: a broken answer (RemoteDisconnected, IncompleteRead, ...)
