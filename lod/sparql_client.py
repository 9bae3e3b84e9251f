"""``lod query``: ask a SPARQL endpoint (ours by default) with SPARQLWrapper and print the answer.

Three outputs: ``table`` (aligned columns for people; a graph answer prints as Turtle), ``json``
(SPARQL JSON results, or JSON-LD for CONSTRUCT and DESCRIBE) and ``csv`` (SELECT and ASK only).
Every failure becomes a ``QueryError`` with a sentence for the terminal, never a traceback.
"""
from __future__ import annotations

import ast
import json
import socket
import urllib.error
import warnings

from SPARQLWrapper import CSV, JSON, JSONLD, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

DEFAULT_ENDPOINT = "http://127.0.0.1:5000/sparql"
OUTPUTS = ("table", "json", "csv")
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


class QueryError(Exception):
    """What went wrong, in words for the person at the terminal."""


def _body(exc: SPARQLWrapperException) -> str:
    """The server's own message (which says what is wrong with the query), from SPARQLWrapper's exception:
    it keeps the response body only as the ``repr`` of bytes after "Response:"."""
    text = str(exc)
    if "Response:\n" not in text:
        return text
    body = text.split("Response:\n", 1)[1]
    try:
        value = ast.literal_eval(body)
    except (ValueError, SyntaxError):
        return body.strip()
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).strip()


def run_query(query: str, endpoint: str = DEFAULT_ENDPOINT, output: str = "table", timeout: float = 60) -> str:
    """The answer of ``endpoint`` to ``query``, printed as ``output``."""
    if output not in OUTPUTS:
        raise QueryError(f"unknown output {output!r}: use one of {', '.join(OUTPUTS)}")
    sw = SPARQLWrapper(endpoint)
    sw.setMethod(POST)  # form POST: no URL length limit
    sw.setTimeout(int(timeout))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SPARQLWrapper warns about query forms it cannot name
        sw.setQuery(query)
    form = (sw.queryType or "SELECT").upper()
    graph = form in GRAPH_FORMS
    if graph and output == "csv":
        raise QueryError(f"a {form} query answers with RDF: use --format table (Turtle) or json (JSON-LD)")
    sw.setReturnFormat({("table", False): JSON, ("json", False): JSON, ("csv", False): CSV,
                        ("table", True): TURTLE, ("json", True): JSONLD}[(output, graph)])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = sw.query()
            body = result.response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()
        raise QueryError(f"the endpoint answered {exc.code}: {detail or exc.reason}") from None
    except SPARQLWrapperException as exc:
        raise QueryError(f"the endpoint refused the query: {_body(exc)}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason.strerror if isinstance(exc.reason, OSError) and exc.reason.strerror else exc.reason
        raise QueryError(f"cannot reach the SPARQL endpoint at {endpoint}: {reason} "
                         "(is the server running? start it with `python serve.py`)") from None
    except (socket.timeout, TimeoutError):
        raise QueryError(f"no answer from {endpoint} within {timeout:g} s") from None
    except OSError as exc:
        raise QueryError(f"cannot reach the SPARQL endpoint at {endpoint}: {exc}") from None
    text = body.decode("utf-8", "replace")
    if output == "table" and not graph:
        return _table(json.loads(text))
    if output == "json":
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
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
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(names), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
