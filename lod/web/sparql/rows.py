"""The rows of a SELECT answer, counted in pyoxigraph's own output as it is written, to stop it past the cap.

pyoxigraph serialises solutions into a file object and offers no way to stop after so many, so the
file object counts them and raises ``TooMany`` one row past the cap: the query runs once, in the format
asked for, and a runaway stops as soon as it is known to be one. What marks a row in each format:

- TSV: a newline (values escape theirs). Not CSV, whose values may hold newlines: pyoxigraph quotes a
  literal that does, but not a triple term whose literal does, so a CSV answer is written as TSV and
  converted;
- XML: ``<result>``, which no value can contain (``<`` is always ``&lt;`` in text and attributes);
- JSON: ``,{`` or ``[{`` outside a string, where a row object begins. Inside a string both may occur,
  so their plain count is an upper bound; only when that passes the cap are the strings taken out
  (escapes first, then the parity of the quotes) and the rows counted exactly, from then on for every
  chunk: an ordinary answer never pays for it.

The marks are pyoxigraph's writers' (compact, no whitespace). ``trusted`` checks them against the
writers once per process, and a format whose check fails is written as TSV and converted, as CSV is.
"""
from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

QRF = ox.QueryResultsFormat


class TooMany(Exception):
    """More rows than the cap."""


class CappedRows:
    """A file object for ``QuerySolutions.serialize``: keeps what is written, raises TooMany past ``cap`` rows."""

    def __init__(self, cap: int, fmt: ox.QueryResultsFormat) -> None:
        self.cap, self.format = cap, fmt
        self.chunks: list[bytes] = []
        self._count = _COUNTERS[fmt](cap)

    def write(self, data) -> int:
        data = bytes(data)
        if self._count.add(data, self.chunks) > self.cap:
            raise TooMany
        self.chunks.append(data)
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


class _Lines:
    """TSV: the lines after the header."""

    def __init__(self, cap: int) -> None:
        self.lines = 0

    def add(self, data: bytes, before: list[bytes]) -> int:
        self.lines += data.count(b"\n")
        return self.lines - 1


class _XmlResults:
    """XML: the ``<result>`` elements, one a row, also where one is cut between two writes."""

    _MARK = b"<result>"

    def __init__(self, cap: int) -> None:
        self.rows = 0
        self.tail = b""

    def add(self, data: bytes, before: list[bytes]) -> int:
        joined = self.tail + data
        self.rows += joined.count(self._MARK)
        self.tail = joined[-(len(self._MARK) - 1):]
        return self.rows


class _JsonRows:
    """JSON: an upper bound from the marks alone; past the cap, the exact count of all that was written."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.bound = 0
        self.last = b""
        self.exact: _JsonExact | None = None

    def add(self, data: bytes, before: list[bytes]) -> int:
        if self.exact is None:
            self.bound += data.count(b",{") + data.count(b"[{") + (self.last in (b",", b"[") and data[:1] == b"{")
            self.last = data[-1:] or self.last
            if self.bound <= self.cap:
                return self.bound
            self.exact = _JsonExact()
            self.exact.add(b"".join(before))
        return self.exact.add(data)


class _JsonExact:
    """The row objects begun outside strings, over a stream of JSON cut anywhere."""

    def __init__(self) -> None:
        self.rows = 0
        self.inside = False
        self.pending = b""

    def add(self, data: bytes) -> int:
        data = self.pending + data
        # Held back for the next write: the last backslash of an odd run, which escapes the next write's
        # first byte (what went before always ends on a whole escape), or a comma or bracket a row may follow.
        cut = len(data) - (len(data) - len(data.rstrip(b"\\"))) % 2
        if cut == len(data) and data[-1:] in (b",", b"["):
            cut -= 1
        body, self.pending = data[:cut], data[cut:]
        # Outside strings JSON has no backslash; inside, every one begins an escape: drop the escaped
        # backslashes, then the escaped quotes, and every quote left begins or ends a string.
        parts = body.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')
        outside = b" ".join(parts[1 if self.inside else 0::2])
        self.rows += outside.count(b",{") + outside.count(b"[{")
        self.inside ^= len(parts) % 2 == 0
        return self.rows


_COUNTERS = {QRF.TSV: _Lines, QRF.XML: _XmlResults, QRF.JSON: _JsonRows}

# Solutions whose values hold every mark, escape and quote the counters must see through.
_NASTY = ['x<result>,{"[{', 'a\\",{"b', '\\', 'line\r\n"quoted",\n', "[{},{}]", '"', "\t\\\"", ""]


@lru_cache(maxsize=1)
def trusted() -> frozenset:
    """The formats whose rows ``CappedRows`` counts right in what this pyoxigraph writes: each is checked
    against answers of known size, written in pieces as small as one byte."""
    store = ox.Store()
    for i, text in enumerate(_NASTY):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/{i}"), ox.NamedNode("http://example.org/p"),
                          ox.Literal(text)))
    queries = {"SELECT ?s ?o WHERE { ?s ?p ?o }": len(_NASTY), "SELECT ?z WHERE { ?s ?p ?o }": len(_NASTY),
               "SELECT * WHERE {}": 1, "SELECT ?s WHERE { ?s ?p ?o FILTER(false) }": 0,
               "SELECT (<<( ?s ?p ?o )>> AS ?t) ?o WHERE { ?s ?p ?o }": len(_NASTY)}
    good = set()
    for fmt in _COUNTERS:
        if all(_counts(store.query(query).serialize(format=fmt), fmt, size) for query, size in queries.items()):
            good.add(fmt)
    return frozenset(good)


def _counts(body: bytes, fmt: ox.QueryResultsFormat, size: int) -> bool:
    """Whether the rows of ``body`` are counted as ``size`` at every cap around it, written whole or a byte
    at a time."""
    for piece in (len(body), 7, 1):
        for cap in (max(size - 1, 0), size):
            rows = CappedRows(cap, fmt)
            try:
                for start in range(0, len(body), piece):
                    rows.write(body[start:start + piece])
            except TooMany:
                if cap >= size:
                    return False
            else:
                if cap < size:
                    return False
    return True
