"""Request bodies read whole, within a size limit, by a bounded number of threads, before the app sees them.

granian (2.8) gives a WSGI app a ``wsgi.input`` that reads the socket as the app reads it. A read waits
until the bytes asked for have come or the client has left: it has no timeout (none upstream either:
granian issue 728, wontfix), nothing can interrupt it, and a thread that answers while another thread is
still blocked in its read stalls the whole process (tried: every thread of the process waited for the
client). The WSGI environ names no client port, so the connection cannot be found and closed either.
A client that sent the headers of a POST and one byte of its body thus held a thread for as long as it
kept the connection open, and 40 such clients held every thread of the server. Werkzeug also read a
chunked body (no Content-Length) to its end, however long.

What can be bounded here is how many threads wait for bodies, and how much is read:

- at most ``max_bytes``: a larger Content-Length is refused unread, a longer chunked body is cut at
  the limit (413);
- at most ``places`` bodies read at once in a process (503 beyond, after waiting a second for a
  place), and at most half of them from one client address (429 at once beyond): a silent client holds
  its thread until it leaves, but silent clients hold at most ``places`` threads, from one address
  half of them, and the other threads answer everything else.

The time a body may take is bounded in front of this server (nginx ``client_body_timeout``; README,
"Behind a proxy"). The app reads the body from memory.
"""
from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterable

_CHUNK = 64 * 1024
_PLACE_WAIT = 1.0  # seconds a body waits for a place before it is refused
_NO_BODY = ("GET", "HEAD", "OPTIONS")


AccessLog = Callable[[dict, int, int | None, float, str], None]


class Refusal(Exception):
    """The answer to a body that cannot be taken: its status line, what was wrong, extra headers."""

    def __init__(self, status: str, message: str, *headers: tuple[str, str]) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, list(headers)

    def answer(self, start_response: Callable) -> list[bytes]:
        body = f"{self.status}: {self.message}\n".encode()
        # The rest of the body stays unread: the connection cannot carry another request.
        start_response(self.status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                                     ("Connection", "close"), *self.headers])
        return [body]


class Places:
    """At most ``total`` bodies read at once in this process, at most ``per_client`` from one address."""

    def __init__(self, total: int, per_client: int) -> None:
        self.total, self.per_client = total, per_client
        self._taken: dict[str, int] = {}
        self._count = 0
        self._free = threading.Condition()

    def take(self, client: str, wait: float) -> str | None:
        """None once a place is taken for ``client``; otherwise why not: "all" or "client"."""
        deadline = time.monotonic() + wait
        with self._free:
            while True:
                if self._taken.get(client, 0) >= self.per_client:
                    # At once: the places this client holds may be held by silent connections, and waiting
                    # would hold one more thread.
                    return "client"
                if self._count < self.total:
                    self._count += 1
                    self._taken[client] = self._taken.get(client, 0) + 1
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return "all"
                self._free.wait(left)

    def give_back(self, client: str) -> None:
        with self._free:
            self._count -= 1
            if self._taken[client] <= 1:
                del self._taken[client]
            else:
                self._taken[client] -= 1
            self._free.notify_all()


def read_at_most(stream, most: int) -> bytes:
    """``stream`` to its end, but no more than ``most`` bytes.

    granian's read(n) returns once it has n bytes or the body has ended, so a body of known length is read
    to that length exactly: one byte more would wait for a byte that never comes."""
    data = bytearray()
    while len(data) < most:
        chunk = stream.read(min(_CHUNK, most - len(data)))
        if not chunk:
            break
        data += chunk
    return bytes(data)


class BoundedBodies:
    """WSGI middleware: the body of every request read whole, within ``max_bytes`` and ``timeout`` seconds."""

    def __init__(self, app: Callable, max_bytes: int, places: int, access_log: AccessLog) -> None:
        self.app, self.max_bytes, self.access_log = app, max_bytes, access_log
        # Half the places for one address, but never fewer than two: with a small --max-queries one client's two
        # queries sent at once would otherwise race for a single place (threads stay free either way: the
        # server runs more threads than places).
        self.places = Places(places, min(places, max(2, places // 2)))

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        declared = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if environ.get("REQUEST_METHOD") in _NO_BODY and not declared and not chunked:
            return self.app(environ, start_response)
        started = time.perf_counter()
        try:
            self._read(environ, declared)
        except Refusal as refusal:
            answer = refusal.answer(start_response)
            # Flask never sees this request, so its access log line is written here.
            self.access_log(environ, int(refusal.status[:3]), len(answer[0]), (time.perf_counter() - started) * 1000,
                            "-")
            return answer
        return self.app(environ, start_response)

    def _read(self, environ: dict, declared: str) -> None:
        """Put the whole body in ``environ`` as a file in memory, or raise the Refusal that says why not."""
        if declared and not declared.isdigit():
            raise Refusal("400 Bad Request", f"Content-Length {declared[:40]!r} is not a number")
        length = int(declared) if declared else None
        if length is not None and length > self.max_bytes:
            raise Refusal("413 Request Entity Too Large",
                          f"the request body is {length} bytes; this server accepts at most {self.max_bytes}")
        if length == 0:
            return
        client = environ.get("REMOTE_ADDR", "")
        refused = self.places.take(client, _PLACE_WAIT)
        if refused == "all":
            raise Refusal("503 Service Unavailable", "too many request bodies are arriving at once; try again in a "
                          "few seconds", ("Retry-After", "5"))
        if refused == "client":
            raise Refusal("429 Too Many Requests", "too many request bodies from your address are still arriving; "
                          "send this one when they are in", ("Retry-After", "5"))
        try:
            # A chunked body is read one byte past the limit, to tell one at the limit from a longer one.
            data = read_at_most(environ["wsgi.input"], self.max_bytes + 1 if length is None else length)
        except OSError:
            data = None
        finally:
            self.places.give_back(client)
        if data is not None and len(data) > self.max_bytes:
            raise Refusal("413 Request Entity Too Large",
                          f"the request body is longer than {self.max_bytes} bytes, the most this server accepts")
        if data is None or (length is not None and len(data) < length):
            raise Refusal("400 Bad Request", f"the request body ended after {len(data or b'')} bytes"
                          + (f" of the {length} announced" if length is not None else ""))
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
