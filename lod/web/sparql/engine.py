"""One query, run over a store: the job, its checks, its evaluation and its capped, serialised answer.

Pure functions over a pyoxigraph store (or anything with its ``query``): no Flask and no processes, so
that a worker process runs exactly this and a test can run it without a server. A client's mistake
becomes a 4xx answer here, never an exception.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from http import HTTPStatus
from itertools import islice

import pyoxigraph as ox

from ...formats import GRAPH_FORMATS, RESULTS_FORMATS, RESULTS_TSV
from ...namespaces import used_prefixes
from .rows import CappedRows, TooMany, trusted


@dataclass(frozen=True)
class Job:
    query: str
    base_iri: str  # relative IRIs in a query resolve against the endpoint, as the protocol allows
    default_graphs: tuple[str, ...] | None  # None: the query's own FROM, else the union of all graphs
    named_graphs: tuple[str, ...] | None
    results_format: str | None  # a ResultsFormat name; None: none acceptable
    graph_format: str | None  # an RdfFormat extension; None: none acceptable
    max_results: int
    timeout: float
    memory: int  # bytes the query may allocate


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def error_answer(status: int, message: str) -> Answer:
    """A plain-text error, first line ``400 Bad Request: what is wrong``."""
    return Answer(status, "text/plain; charset=utf-8",
                  f"{status} {HTTPStatus(status).phrase}: {message.rstrip()}\n".encode("utf-8"))


_RESULTS_BY_NAME = {f.name: f for f in RESULTS_FORMATS}
_GRAPH_BY_EXTENSION = {f.extension: f for f in GRAPH_FORMATS}
_SERVICE = re.compile("service", re.IGNORECASE)  # also matches the non-ASCII letters that fold to s, i
_UPDATE_WORDS = re.compile(r"\s*(?:(?:PREFIX|BASE)\b[^{]*?>\s*)*"
                           r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_ERROR_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)


def _position(query: str, line: int, column: int) -> int:
    """Character offset of pyoxigraph's ``line:column`` (1-based; the column counts UTF-8 bytes)."""
    lines = query.split("\n")
    line = min(max(line, 1), len(lines))
    before = sum(len(text) + 1 for text in lines[: line - 1])
    chars = len(lines[line - 1].encode("utf-8")[: max(column - 1, 0)].decode("utf-8", "ignore"))
    return before + chars


def describe_syntax_error(query: str, exc: Exception) -> str:
    """pyoxigraph's message, its position as line and column, and the line with a caret under the spot."""
    text = str(exc)
    match = _ERROR_AT.match(text)
    if not match:
        return f"the query is not valid SPARQL 1.1: {text}"
    line, column, what = int(match[1]), int(match[2]), " ".join(match[3].split())
    if len(what) > 240:  # pyoxigraph lists every token it would have taken, Unicode ranges included
        what = what[:240].rsplit(",", 1)[0] + ", ..."
    offset = _position(query, line, column)
    lines = query.split("\n")
    source = lines[min(line, len(lines)) - 1]
    at = offset - sum(len(t) + 1 for t in lines[: min(line, len(lines)) - 1])
    start = max(0, at - 60)
    snippet = source[start: at + 60].replace("\t", " ")
    hint = ""
    if _UPDATE_WORDS.match(query):
        hint = "\nThis endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) is not accepted."
    return (f"the query is not valid SPARQL 1.1: line {line}, column {at + 1}: {what}\n\n"
            f"    {snippet}\n    {' ' * (at - start)}^{hint}")


def find_service(query: str, base_iri: str) -> str | None:
    """Why the query may not run if it calls SERVICE (pyoxigraph would connect); None if it does not.

    pyoxigraph's own parser decides, since it is the one that would run the query: a SERVICE
    keyword needs the letters s-e-r-v-i-c-e (in any case; pyoxigraph decodes no \\u escapes outside
    strings and IRIs), so a query without them cannot have one. Otherwise we spoil the last letter of
    every occurrence and parse that copy (on an empty store: with all the letters spoilt it cannot
    reach the network). Inside a string, an IRI, a comment, a prefixed name, a variable or a language
    tag the spoilt word still parses; as the keyword it does not, and pyoxigraph reports the error at
    that spot. A regular expression cannot tell these places apart; rdflib's parser could, but it
    reads a slightly different grammar than the engine that executes, and costs milliseconds in Python.
    """
    spans = [m.span() for m in _SERVICE.finditer(query)]
    if not spans:
        return None
    spoilt = list(query)
    for _, end in spans:
        spoilt[end - 1] = "X"
    try:
        ox.Store().query("".join(spoilt), base_iri=base_iri)
    except SyntaxError as exc:
        match = _ERROR_AT.match(str(exc))
        if not match:
            return describe_syntax_error(query, exc)
        at = _position(query, int(match[1]), int(match[2]))
        for start, end in spans:
            if start <= at <= end + 1:
                line = query.count("\n", 0, start) + 1
                column = start - (query.rfind("\n", 0, start) + 1) + 1
                return (f"SERVICE (line {line}, column {column}) is not available: this endpoint never "
                        "sends requests to other servers. Query them yourself and combine the answers.")
        return describe_syntax_error(query, exc)
    return None


def _too_many(cap: int, what: str) -> Answer:
    return error_answer(400, f"the answer has more than {cap} {what}, the most this endpoint returns at once. "
                             "Page through it with ORDER BY, LIMIT and OFFSET, count with COUNT, "
                             "or download the whole dataset from the dumps.")


def _not_acceptable(form: str, offered: list[str]) -> Answer:
    return error_answer(406, f"a {form} query answers in {', '.join(offered)}; the request's Accept header "
                             "(or format parameter) allows none of them")


def execute(store: ox.Store, job: Job) -> Answer:
    """Parse, check, run and serialise one query; a client's mistake becomes a 4xx answer, never an exception."""
    refusal = find_service(job.query, job.base_iri)
    if refusal:
        return error_answer(400, refusal)
    options: dict[str, object] = {}
    if job.default_graphs is not None or job.named_graphs is not None:
        # The protocol's dataset replaces the query's FROM / FROM NAMED, and what it leaves out is empty.
        default = [ox.NamedNode(g) for g in dict.fromkeys(job.default_graphs or ())]
        named = [ox.NamedNode(g) for g in job.named_graphs or ()]
        if len(default) > 1 and isinstance(store, ox.Store):
            # The default graph is the RDF *merge* of the graphs named; pyoxigraph, given several, would
            # read a triple once per graph holding it. The store may be on disk and is read-only here,
            # so the merge (and the named graphs beside it) go into a scratch store in this worker.
            scratch = ox.Store()
            for graph in default:
                scratch.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                                    for q in store.quads_for_pattern(None, None, None, graph))
            for graph in dict.fromkeys(named):
                scratch.bulk_extend(store.quads_for_pattern(None, None, None, graph))
            store, default = scratch, [ox.DefaultGraph()]
        options["default_graph"] = default
        options["named_graphs"] = named
    return _run(store, job, options)


def _run(store: ox.Store, job: Job, options: dict[str, object]) -> Answer:
    try:
        result = store.query(job.query, base_iri=job.base_iri, **options)
        if isinstance(result, ox.QueryBoolean):
            fmt = _RESULTS_BY_NAME.get(job.results_format or "")
            if fmt is None:
                return _not_acceptable("ASK", [f.media_type for f in RESULTS_FORMATS])
            return Answer(200, fmt.content_type, result.serialize(format=fmt.oxigraph))
        if isinstance(result, ox.QuerySolutions):
            fmt = _RESULTS_BY_NAME.get(job.results_format or "")
            if fmt is None:
                return _not_acceptable("SELECT", [f.media_type for f in RESULTS_FORMATS])
            # Serialised once, counted while it streams and stopped past the cap (``rows``): in the format
            # asked for, or where its rows cannot be counted in this pyoxigraph's output, as TSV (lossless)
            # then converted. Either way the query itself runs only once.
            direct = fmt.oxigraph in trusted()
            written = CappedRows(job.max_results, fmt.oxigraph if direct else ox.QueryResultsFormat.TSV)
            try:
                result.serialize(written, format=written.format)
            except TooMany:
                return _too_many(job.max_results, "rows")
            body = written.getvalue()
            if not direct and fmt is not RESULTS_TSV:
                body = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV).serialize(format=fmt.oxigraph)
            return Answer(200, fmt.content_type, body)
        form = "CONSTRUCT or DESCRIBE"
        graph_fmt = _GRAPH_BY_EXTENSION.get(job.graph_format or "")
        if graph_fmt is None:
            return _not_acceptable(form, [f.media_type for f in GRAPH_FORMATS])
        triples = list(islice(result, job.max_results + 1))
        if len(triples) > job.max_results:
            return _too_many(job.max_results, "triples")
        return Answer(200, graph_fmt.content_type,
                      ox.serialize(triples, format=graph_fmt.oxigraph, prefixes=used_prefixes(triples)))
    except SyntaxError as exc:
        return error_answer(400, describe_syntax_error(job.query, exc))
    except MemoryError:
        return error_answer(503, "the query needed more memory than this endpoint gives one query")
    except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors pyoxigraph reports
        return error_answer(400, f"the query could not be evaluated: {exc}")
