"""``lod query``: ask a SPARQL endpoint (ours by default) and print the answer.

Three outputs: ``table`` (aligned columns for people; a graph answer prints as Turtle), ``json``
(SPARQL JSON results, or JSON-LD for CONSTRUCT and DESCRIBE) and ``csv`` (SELECT and ASK only).
The request is ``lod.sparql_http``'s: one deadline for the whole answer, at most ``MAX_BYTES`` of it,
credentials in the URL used and never printed. Every failure becomes a ``QueryError`` with a sentence
for the terminal, never a traceback.
"""
from __future__ import annotations

import json

from .sparql_http import (
    Endpoint,
    RemoteError,
    RemoteRefused,
    RemoteTimeout,
    RemoteTooLarge,
    RemoteUnreachable,
    fetch,
    query_form,
)

DEFAULT_ENDPOINT = "http://127.0.0.1:5000/sparql"
OUTPUTS = ("table", "json", "csv")
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
MAX_BYTES = 256 * 2 ** 20  # of one answer: more is a dump's business, not a terminal's
_ACCEPT = {("table", False): "application/sparql-results+json", ("json", False): "application/sparql-results+json",
           ("csv", False): "text/csv", ("table", True): "text/turtle", ("json", True): "application/ld+json"}
_SAID_CHARS = 4000


class QueryError(Exception):
    """What went wrong, in words for the person at the terminal."""


def _printable(text: str) -> str:
    """An endpoint's words as a terminal may show them: its lines, no control characters (no escape sequences)."""
    text = "".join(c if c.isprintable() or c in "\n\t" else "?" for c in text.strip())
    return text[:_SAID_CHARS] + (" ..." if len(text) > _SAID_CHARS else "")


def run_query(query: str, endpoint: str = DEFAULT_ENDPOINT, output: str = "table", timeout: float = 60,
              max_bytes: int = MAX_BYTES) -> str:
    """The answer of ``endpoint`` to ``query``, printed as ``output``."""
    if output not in OUTPUTS:
        raise QueryError(f"unknown output {output!r}: use one of {', '.join(OUTPUTS)}")
    try:
        target = Endpoint.of(endpoint)
    except ValueError as exc:
        raise QueryError(f"--endpoint: {exc}") from None
    form = query_form(query)
    graph = form in GRAPH_FORMS
    if graph and output == "csv":
        raise QueryError(f"a {form} query answers with RDF: use --format table (Turtle) or json (JSON-LD)")
    try:
        body = fetch(target, query, _ACCEPT[(output, graph)], timeout=timeout, max_bytes=max_bytes)
    except RemoteRefused as exc:
        raise QueryError(f"the endpoint answered {exc.status}: {_printable(exc.detail)}") from None
    except RemoteUnreachable as exc:
        raise QueryError(f"cannot reach the SPARQL endpoint at {target.shown}: {exc.reason} "
                         "(is the server running? start it with `python serve.py`)") from None
    except RemoteTimeout:
        raise QueryError(f"no answer from {target.shown} within {timeout:g} s") from None
    except RemoteTooLarge:
        raise QueryError(f"the answer is larger than {max_bytes // 2 ** 20} MiB: page through it with LIMIT and "
                         "OFFSET, or download the dumps") from None
    except RemoteError as exc:
        raise QueryError(str(exc)) from None
    text = body.decode("utf-8", "replace")
    try:
        if output == "table" and not graph:
            return _table(json.loads(text))
        if output == "json":
            return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, KeyError, TypeError):
        raise QueryError(f"the endpoint at {target.shown} did not answer in SPARQL JSON") from None
    return text


def _cell(binding: dict | None) -> str:
    if binding is None:
        return ""
    value = binding["value"]
    if binding["type"] == "bnode":
        return f"_:{value}"
    if binding.get("xml:lang"):
        return f"{value} @{binding['xml:lang']}"
    return value.replace("\n", " ")


def _table(results: dict) -> str:
    """Aligned columns, a rule under the header, and the row count."""
    if "boolean" in results:
        return "true" if results["boolean"] else "false"
    names = results["head"]["vars"]
    rows = [[_cell(b.get(n)) for n in names] for b in results["results"]["bindings"]]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
