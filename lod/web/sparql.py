"""The SPARQL 1.1 endpoint at ``/sparql``: the protocol, the service description and a query page.

Read-only by design: updates are refused before anything is parsed, LOAD exists only in updates,
and SERVICE is refused before the query runs, because pyoxigraph would open the connection itself.

Every query runs in a worker process, never in the web process. pyoxigraph's ``Store.query`` cannot
be interrupted from another thread, so the only way to stop a runaway query is to kill the process
that runs it. At startup, while the web process still has a single thread, we fork one *zygote* that
holds the loaded store; it forks the workers on demand (copy-on-write, a few milliseconds, and always
from a single-threaded process, so no lock held by another thread is ever copied in a locked state).
A request borrows an idle worker, sends it the job and waits at most ``query_timeout``; past that it
SIGKILLs the worker (its memory goes with it) and answers 503, while the other requests go on with
workers of their own. The worker parses, checks, evaluates and serialises, so everything a query can
make slow runs under the clock. A query still running after ``SLOW`` seconds drops to a low CPU
priority, so that a burst of heavy queries cannot starve the quick requests, and at most
``max_queries`` run at once, so that they never hold every web thread.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import resource
import signal
import socket
import stat
import struct
import threading
import weakref
from dataclasses import dataclass, field
from http import HTTPStatus
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for
from werkzeug.datastructures import CombinedMultiDict, MIMEAccept
from werkzeug.http import parse_options_header

from ..formats import (GRAPH_FORMATS, JSONLD, NTRIPLES, PLAIN_JSON, PLAIN_XML, PLAIN_XML_OLD, RDFXML, RESULTS_CSV,
                       RESULTS_FORMATS, RESULTS_JSON, RESULTS_TSV, RESULTS_XML, TURTLE, RdfFormat, ResultsFormat,
                       graph_format_iri, graph_format_name)
from ..namespaces import NS, sparql_prefixes, used_prefixes
from ..store import StoreUnavailable
from .negotiation import HTML

bp = Blueprint("sparql", __name__)
log = logging.getLogger("lod.sparql")

# --- the formats an answer can take ---------------------------------------------------------

# A plain JSON or XML client gets the JSON or XML flavour of whatever the query form answers.
_RESULTS_BY_MEDIA_TYPE = {**{f.media_type: f for f in RESULTS_FORMATS},
                          PLAIN_JSON: RESULTS_JSON, PLAIN_XML: RESULTS_XML, PLAIN_XML_OLD: RESULTS_XML}
_GRAPH_BY_MEDIA_TYPE = {**{f.media_type: f for f in GRAPH_FORMATS},
                        PLAIN_JSON: JSONLD, PLAIN_XML: RDFXML, PLAIN_XML_OLD: RDFXML}
# What ``format=`` may name: both flavours where a name has two, e.g. json = SPARQL JSON or JSON-LD.
_BY_FORMAT_NAME: dict[str, tuple[ResultsFormat | None, RdfFormat | None]] = {
    "json": (RESULTS_JSON, JSONLD), "xml": (RESULTS_XML, RDFXML), "csv": (RESULTS_CSV, None),
    "tsv": (RESULTS_TSV, None),
    **{graph_format_name(f): (None, f) for f in GRAPH_FORMATS},
    **{f.extension: (None, f) for f in GRAPH_FORMATS},
    # the names SPARQLWrapper sends
    "n3": (None, TURTLE), "rdf+xml": (None, RDFXML), "json-ld": (None, JSONLD), "n-triples": (None, NTRIPLES),
    **{t: (_RESULTS_BY_MEDIA_TYPE.get(t), _GRAPH_BY_MEDIA_TYPE.get(t))
       for t in {*_RESULTS_BY_MEDIA_TYPE, *_GRAPH_BY_MEDIA_TYPE}},
}
FORMAT_NAMES = ("json", "xml", "csv", "tsv", *(graph_format_name(f) for f in GRAPH_FORMATS))


def _bare(accept: MIMEAccept) -> MIMEAccept | None:
    """``accept`` without media-type parameters (Werkzeug would not match ``text/turtle;charset=utf-8``
    to ``text/turtle``); None when the client sent no Accept, which means anything goes."""
    values = [(parse_options_header(value)[0], quality) for value, quality in accept]
    return MIMEAccept(values) if values else None


def negotiate(accept: MIMEAccept, fmt: str | None) -> tuple[ResultsFormat | None, RdfFormat | None]:
    """The results format (for SELECT/ASK) and the RDF format (CONSTRUCT/DESCRIBE) to answer in.

    The ``format`` parameter wins over Accept, for clients that cannot set headers. A None means
    nothing acceptable for that query form (the worker answers 406 when the query turns out to be one).
    Raises ValueError for a ``format`` value we do not know.
    """
    if fmt:
        key = fmt.strip().lower()
        key = parse_options_header(key)[0] if "/" in key else key
        if key not in _BY_FORMAT_NAME:
            raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMAT_NAMES)} or a media type")
        return _BY_FORMAT_NAME[key]
    bare = _bare(accept)
    if bare is None:
        return RESULTS_JSON, TURTLE
    results = bare.best_match(list(_RESULTS_BY_MEDIA_TYPE))
    graph = bare.best_match(list(_GRAPH_BY_MEDIA_TYPE))
    return (_RESULTS_BY_MEDIA_TYPE[results] if results else None,
            _GRAPH_BY_MEDIA_TYPE[graph] if graph else None)


def _wants_page(accept: MIMEAccept) -> bool:
    """A browser: HTML preferred to every answer format (a browser's */* or application/xml rank lower)."""
    bare = _bare(accept)
    if bare is None:
        return False
    html = bare.quality(HTML.media_type)
    return html > 0 and bare.find(HTML.media_type) != -1 and all(
        bare.quality(t) < html for t in (*_RESULTS_BY_MEDIA_TYPE, *_GRAPH_BY_MEDIA_TYPE))


# --- a job, its answer, and how a worker computes one -----------------------------------------


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


class _TooMany(Exception):
    pass


class _CappedRows(io.RawIOBase):
    """Collects pyoxigraph's TSV and stops it one row past the cap (TSV escapes newlines in values,
    so every newline ends a row; the first ends the header)."""

    def __init__(self, cap: int) -> None:
        self.chunks: list[bytes] = []
        self.lines = 0
        self.cap = cap

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.lines += data.count(b"\n")
        if self.lines - 1 > self.cap:
            raise _TooMany
        self.chunks.append(data)
        return len(data)

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


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
            # Serialised once, as TSV, which is lossless and lets us count rows while it streams; the
            # other formats are written from that, so the query itself runs only once.
            rows = _CappedRows(job.max_results)
            try:
                result.serialize(rows, format=ox.QueryResultsFormat.TSV)
            except _TooMany:
                return _too_many(job.max_results, "rows")
            tsv = rows.getvalue()
            if fmt is RESULTS_TSV:
                return Answer(200, fmt.content_type, tsv)
            body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=fmt.oxigraph)
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


# --- the worker processes -------------------------------------------------------------------

STACK_SIZE = 512 * 1024 * 1024  # pyoxigraph parses and plans recursively: a 20,000-character chain
#                                 of `1+1+...` overflows the default 8 MiB and kills the process
_KEEP_IDLE = 8
SLOW = 0.5  # seconds after which a query runs at the lowest CPU priority (SCHED_IDLE)
SLOT_WAIT = 1.0  # seconds a query waits for one of its process's query slots before a 503


def _vm_data() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_cpu(seconds: float) -> None:
    """A second line of defence: the kernel stops this worker if the parent ever fails to."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + 2 * seconds + 5)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _limit_memory(born: int, memory: int) -> None:
    """What the query may allocate beyond what the worker was born with (the store's caches, mapped files)."""
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (born + memory, resource.getrlimit(resource.RLIMIT_DATA)[1]))
    except (ValueError, OSError):
        pass


def _serve_jobs(conn: Connection, store: ox.Store) -> None:
    born = _vm_data()  # measured here, in the query thread, so that its large stack counts as born
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        _limit_cpu(job.timeout)
        _limit_memory(born, job.memory)
        try:
            answer = execute(store, job)
        except Exception as exc:  # a bug here must not cost the worker; the web process logs it
            answer = error_answer(500, f"the query engine failed: {type(exc).__name__}: {exc}")
        try:
            conn.send(answer)
        except (OSError, ValueError):
            return


def _worker_main(sock: socket.socket, store: ox.Store) -> None:
    conn = Connection(sock.detach())
    threading.stack_size(STACK_SIZE)
    thread = threading.Thread(target=_serve_jobs, args=(conn, store), name="sparql-worker")
    thread.start()
    thread.join()


def _close_inherited_sockets(keep: int) -> None:
    """Close the sockets the web process had open when it forked us (a listening socket kept open here
    would keep its port bound after the server closed it). Files stay: a store on disk needs them."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    for fd in fds:
        if fd == keep or fd < 3:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            pass


def _zygote_main(control: socket.socket, store: ox.Store) -> None:
    """Fork a worker per request on ``control``, hand its socket to the web process, repeat until EOF."""
    _close_inherited_sockets(control.fileno())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the web process; we leave on EOF
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps our workers
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    while True:
        try:
            request_ = control.recv(16)
        except OSError:
            return
        if not request_:
            return
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                ours.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _worker_main(theirs, store)
            finally:
                os._exit(0)
        theirs.close()
        try:
            socket.send_fds(control, [struct.pack("i", pid)], [ours.fileno()])
        except OSError:
            return
        finally:
            ours.close()


@dataclass
class _Worker:
    pid: int
    conn: Connection


def _deprioritise(pid: int) -> None:
    """Let a worker run only on CPU time nothing else wants (Linux SCHED_IDLE), or else at nice 19.

    Linux schedules threads, and the query runs in the worker's second thread: each thread is set."""
    try:
        threads = [int(tid) for tid in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        threads = [pid]
    for tid in threads:
        try:
            os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
        except (AttributeError, OSError):
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, tid, 19)


class WorkerPool:
    """Runs jobs in worker processes forked from a zygote; a job past its deadline costs its worker."""

    def __init__(self, store: ox.Store) -> None:
        control, child = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                _zygote_main(child, store)
            finally:
                os._exit(0)
        child.close()
        self._zygote = pid
        self._control = control
        self._spawn_lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._idle_lock = threading.Lock()

    def _spawn(self) -> _Worker:
        with self._spawn_lock:
            self._control.sendall(b"w")
            message, fds, _, _ = socket.recv_fds(self._control, 16, 1)
        if not fds:
            raise OSError("the query process did not answer")
        os.set_inheritable(fds[0], False)
        return _Worker(struct.unpack("i", message[:4])[0], Connection(fds[0]))

    def _take(self) -> _Worker:
        with self._idle_lock:
            if self._idle:
                return self._idle.pop()
        return self._spawn()

    def _give_back(self, worker: _Worker) -> None:
        with self._idle_lock:
            if len(self._idle) < _KEEP_IDLE:
                self._idle.append(worker)
                return
        worker.conn.close()

    def _kill(self, worker: _Worker) -> None:
        """Only for a worker that has not answered: its socket is still open, so it is still alive."""
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.conn.close()

    def run(self, job: Job) -> Answer:
        try:
            worker = self._take()
        except OSError as exc:
            log.error("cannot start a query worker: %s", exc)
            return error_answer(503, "the query engine is not available; try again later")
        slow = False
        try:
            worker.conn.send(job)
            if not worker.conn.poll(min(SLOW, job.timeout)):
                # A query still running after SLOW seconds yields the CPU to everything else: a burst of
                # runaways then slows the quick requests a little, not to their own pace. A nice value
                # cannot be lowered again without privileges, so this worker answers this query only.
                slow = True
                _deprioritise(worker.pid)
                if not worker.conn.poll(max(0.0, job.timeout - SLOW)):
                    self._kill(worker)
                    return error_answer(503, f"query exceeded the {job.timeout:g} s limit and was stopped. "
                                             "Narrow it down (more specific patterns, LIMIT) or download the dumps.")
            answer = worker.conn.recv()
        except (EOFError, OSError) as exc:
            # The worker is gone (its end of the socket closed when it died) and the zygote has reaped it:
            # its pid may already belong to another process, so close, do not kill.
            worker.conn.close()
            log.warning("a query worker stopped while running a query (%s): %r", exc, job.query[:200])
            return error_answer(503, "the query engine stopped while running this query (it may need more "
                                     "memory than this endpoint gives one query); the server is still running")
        if slow:
            worker.conn.close()  # it leaves when its socket closes
        else:
            self._give_back(worker)
        return answer

    def close(self) -> None:
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.conn.close()
        self._control.close()
        try:
            os.waitpid(self._zygote, os.WNOHANG)
        except ChildProcessError:
            pass


class InlineRunner:
    """For a store that is not embedded, e.g. a remote endpoint, which keeps its own time limits: the job
    runs in the request's thread, with the same checks and the same serialisation."""

    def __init__(self, store) -> None:
        self._store = store

    def query(self, sparql: str, base_iri: str | None = None, default_graph=None, named_graphs=None):
        return self._store.query(sparql, default_graph=[g.value for g in default_graph or []] or None,
                                 named_graphs=[g.value for g in named_graphs or []] or None)

    def run(self, job: Job) -> Answer:
        return execute(self, job)  # type: ignore[arg-type]


# --- the service description and the example queries ------------------------------------------

_RDF_TYPE = ox.NamedNode(NS.rdf + "type")


def _graph_node(endpoint: str, base: str, graph: str) -> ox.NamedNode:
    """``{base}sparql#graph/id/letter/...``: a stable IRI for the service description's entry of a graph."""
    name = graph[len(base):] if graph.startswith(base) else re.sub(r"[^A-Za-z0-9._~-]+", "-", graph)
    return ox.NamedNode(f"{endpoint}#graph/{name}")


def service_description(endpoint: str, base: str, graphs: list[tuple[str, str | None]],
                        settings) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint, with minted IRIs in place of blank nodes."""
    sd = lambda term: ox.NamedNode(NS.sd + term)  # noqa: E731
    service, dataset = ox.NamedNode(f"{endpoint}#service"), ox.NamedNode(f"{endpoint}#dataset")
    default = ox.NamedNode(f"{endpoint}#default-graph")
    label = ox.NamedNode(NS.rdfs + "label")
    comment = ox.NamedNode(NS.rdfs + "comment")
    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(service, label, ox.Literal("SPARQL endpoint of Letters as Linked Data", language="en")),
        ox.Triple(service, comment, ox.Literal(
            f"Read-only SPARQL 1.1 Query. A query may run {settings.query_timeout:g} s and return "
            f"{settings.max_results} rows or triples; SERVICE is not available.", language="en")),
        ox.Triple(service, ox.NamedNode(NS.rdfs + "seeAlso"), ox.NamedNode(base + "void")),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, _RDF_TYPE, sd("Graph")),
        ox.Triple(default, comment, ox.Literal("The union (RDF merge) of all the named graphs.", language="en")),
    ]
    for fmt in RESULTS_FORMATS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(fmt.iri)))
    for fmt in GRAPH_FORMATS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(graph_format_iri(fmt))))
    for graph, graph_label in graphs:
        node = _graph_node(endpoint, base, graph)
        triples += [ox.Triple(dataset, sd("namedGraph"), node), ox.Triple(node, _RDF_TYPE, sd("NamedGraph")),
                    ox.Triple(node, sd("name"), ox.NamedNode(graph))]
        if graph_label:
            triples.append(ox.Triple(node, label, ox.Literal(graph_label)))
    return triples


@dataclass(frozen=True)
class Example:
    title: str
    description: str
    query: str


_EXAMPLE_PREFIXES = sparql_prefixes("crm", "dcterms", "foaf", "oa", "prov", "rdfs", "schema")


def examples(base: str) -> list[Example]:
    """The example queries of the query page, about the letters; a test runs each and wants rows."""
    person = f"PREFIX person: <{base}id/person/>\n"
    items = [
        ("Persons mentioned in each letter",
         "Every person a letter refers to (dcterms:references, the catalogue view), letter by letter.",
         """SELECT ?letter ?title ?person ?name WHERE {
  ?letter a crm:E33_Linguistic_Object ;
          dcterms:title ?title ;
          dcterms:references ?person .
  ?person a crm:E21_Person ;
          foaf:name ?name .
}
ORDER BY ?letter ?name"""),
        ("Events in time order",
         "The events the letters tell of, by the earliest and latest time they can have happened "
         "(uncertain dates are bounds, not points).",
         """SELECT ?event ?label ?type ?earliest ?latest WHERE {
  ?event crm:P4_has_time-span ?span ;
         rdfs:label ?label .
  FILTER NOT EXISTS { ?event a crm:E65_Creation }
  OPTIONAL { ?event crm:P2_has_type/rdfs:label ?type }
  OPTIONAL { ?span crm:P82a_begin_of_the_begin ?earliest }
  OPTIONAL { ?span crm:P82b_end_of_the_end ?latest }
}
ORDER BY COALESCE(?earliest, ?latest) ?latest"""),
        ("Who asserts what",
         "Each annotation anchors a claim in a letter's text and says whose voice makes it "
         "(prov:wasAttributedTo): Lenin, a correspondent he reports, the editors.",
         """SELECT ?voice ?claim ?quote WHERE {
  ?annotation a oa:Annotation ;
              oa:hasBody ?thing ;
              prov:wasAttributedTo ?who ;
              oa:hasTarget/oa:hasSelector/oa:exact ?quote .
  ?who rdfs:label ?voice .
  ?thing rdfs:label ?claim .
  FILTER NOT EXISTS { ?thing a crm:E21_Person }
}
ORDER BY ?voice ?claim"""),
        ("Letters by addressee",
         "Who each letter was sent to (schema:recipient), with its author and date.",
         """SELECT ?addressee ?letter ?date ?author WHERE {
  ?letter schema:recipient/foaf:name ?addressee ;
          dcterms:date ?date ;
          dcterms:creator/foaf:name ?author .
}
ORDER BY ?addressee ?date"""),
        ("The expulsion and reinstatement of Kasparova-Popova",
         "Her leaving and joining of the Party (CIDOC-CRM E86 and E85), when, and who says so in which words.",
         person + """SELECT ?event ?kind ?group ?earliest ?latest ?voice ?quote WHERE {
  { ?event crm:P145_separated person:kasparova-popova ; crm:P146_separated_from ?g . BIND("left" AS ?kind) }
  UNION
  { ?event crm:P143_joined person:kasparova-popova ; crm:P144_joined_with ?g . BIND("joined" AS ?kind) }
  ?g rdfs:label ?group .
  OPTIONAL { ?event crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?earliest }
  OPTIONAL { ?event crm:P4_has_time-span/crm:P82b_end_of_the_end ?latest }
  OPTIONAL {
    ?annotation oa:hasBody ?event ;
                prov:wasAttributedTo/rdfs:label ?voice ;
                oa:hasTarget/oa:hasSelector/oa:exact ?quote .
  }
}
ORDER BY ?earliest ?event"""),
        ("How many things of each class",
         "Instances per class, over all letters.",
         """SELECT ?class (COUNT(DISTINCT ?thing) AS ?things) WHERE {
  ?thing a ?class .
}
GROUP BY ?class
ORDER BY DESC(?things) ?class"""),
        ("Evidence quotes for Lenin",
         "Where the texts mention Lenin: the exact words and their position (Unicode code points) in the source.",
         person + """SELECT ?source ?start ?end ?quote WHERE {
  ?annotation oa:hasBody person:lenin ;
              oa:hasTarget ?target .
  ?target oa:hasSource ?source ;
          oa:hasSelector ?words, ?position .
  ?words oa:exact ?quote .
  ?position oa:start ?start ;
            oa:end ?end .
}
ORDER BY ?source ?start"""),
        ("One graph per letter",
         "The named graphs and the size of each; the default graph is their union.",
         """SELECT ?graph ?label (COUNT(*) AS ?triples) WHERE {
  GRAPH ?graph { ?s ?p ?o }
  OPTIONAL { ?graph rdfs:label ?label }
}
GROUP BY ?graph ?label
ORDER BY ?graph"""),
        ("Identifiers elsewhere",
         "Persons, groups and places with a checked Wikidata identifier (owl:sameAs).",
         """PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?thing ?label ?wikidata WHERE {
  ?thing owl:sameAs ?wikidata ;
         rdfs:label ?label .
}
ORDER BY ?label"""),
        ("Describe Lenin",
         "Everything the dataset says about one person, as RDF.",
         f"DESCRIBE <{base}id/person/lenin>"),
    ]
    return [Example(title, description, query if query.startswith("DESCRIBE") else _EXAMPLE_PREFIXES + query)
            for title, description, query in items]


# --- the endpoint ---------------------------------------------------------------------------------


@dataclass
class _Endpoint:
    runner: WorkerPool | InlineRunner
    store: object
    settings: object
    pid: int = field(default_factory=os.getpid)
    lock: threading.Lock = field(default_factory=threading.Lock)
    slots: threading.BoundedSemaphore = None  # type: ignore[assignment]  # queries that may run at once
    _graphs: list[tuple[str, str | None]] | None = None
    _description: list[ox.Triple] | None = None

    def current_runner(self) -> WorkerPool | InlineRunner:
        """The runner of this process. A pre-forking server that built the app before forking (gunicorn
        --preload) would otherwise share one zygote socket between processes: each gets its own."""
        if self.pid != os.getpid():
            with self.lock:
                if self.pid != os.getpid():
                    self.runner = WorkerPool(self.store.oxigraph) if isinstance(self.runner, WorkerPool) \
                        else InlineRunner(self.store)
                    self.pid = os.getpid()
        return self.runner

    @property
    def graphs(self) -> list[tuple[str, str | None]]:
        """The named graphs and their labels, listed on first use: 10,000 graphs take a second to label,
        which a server on a large store should not spend before it answers."""
        with self.lock:
            if self._graphs is None:
                try:
                    self._graphs = [(row["g"].value, row["label"].value if row["label"] else None)
                                    for row in self.store.query(
                        f"SELECT ?g (SAMPLE(?l) AS ?label) WHERE {{ GRAPH ?g {{ }} OPTIONAL {{ ?g <{NS.rdfs}label> ?l }} }}"
                        " GROUP BY ?g ORDER BY ?g")]
                except StoreUnavailable as exc:  # a remote store that is down: describe without, ask again next time
                    log.warning("graphs left out of the service description: %s", exc)
                    return []
            return self._graphs

    @property
    def description(self) -> list[ox.Triple]:
        graphs = self.graphs
        with self.lock:
            if self._description is None or not graphs:
                base = self.settings.base
                self._description = service_description(f"{base}sparql", base, graphs, self.settings)
            return self._description


@bp.record_once
def _at_start(state) -> None:
    """Fork the query processes now, while the web process has one thread; describe the dataset on first use."""
    app = state.app
    store = app.extensions["lod.store"]
    oxigraph = getattr(store, "oxigraph", None)
    runner = WorkerPool(oxigraph) if oxigraph is not None and hasattr(os, "fork") else InlineRunner(store)
    if isinstance(runner, WorkerPool):
        weakref.finalize(app, runner.close)
    settings = app.config["SETTINGS"]
    app.extensions["lod.sparql"] = _Endpoint(runner, store, settings,
                                             slots=threading.BoundedSemaphore(settings.queries_per_process))


def _state() -> _Endpoint:
    return current_app.extensions["lod.sparql"]


class _Refusal(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_READ_ONLY = "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, ...) is not accepted"


def _check_charset() -> None:
    charset = request.mimetype_params.get("charset")
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise _Refusal(415, f"the request body must be UTF-8 (Content-Type says charset={charset})")


@dataclass(frozen=True)
class _Request:
    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    format: str | None


def _read_request(settings) -> _Request | None:
    """The query and its dataset, as the protocol puts them in a request; None for a plain GET."""
    body_query: str | None = None
    if request.method == "POST":
        mimetype = request.mimetype
        if mimetype == _UPDATE:
            raise _Refusal(403, _READ_ONLY)
        if mimetype not in (_FORM, _QUERY):
            raise _Refusal(415, f"a POST needs Content-Type {_FORM} (with query=...) or {_QUERY} (the query as the "
                                f"body); this one has {mimetype or 'none'}")
        _check_charset()
        # A form encodes a character in at most 12 bytes (%XX for each of 4 UTF-8 bytes), plus the dataset.
        limit = settings.max_query_length * 12 + 65536
        if (request.content_length or 0) > limit:
            raise _Refusal(413, f"the request body is {request.content_length} bytes; this endpoint accepts "
                                f"queries of at most {settings.max_query_length} characters")
        if mimetype == _QUERY:
            raw = request.stream.read(limit + 1)
            try:
                body_query = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _Refusal(400, f"the request body is not UTF-8 (byte {exc.start})") from None
            params = request.args
        else:
            params = CombinedMultiDict([request.args, request.form])
    else:
        params = request.args
    queries = params.getlist("query") + ([body_query] if body_query is not None else [])
    updates = params.getlist("update")
    if queries and updates:
        raise _Refusal(400, "the request has both a query and an update; send one query")
    if updates:
        raise _Refusal(403, _READ_ONLY)
    if len(queries) > 1:
        raise _Refusal(400, f"the request has {len(queries)} queries (query parameters or a body); send exactly one")
    if not queries:
        if request.method in ("GET", "HEAD") and set(params) <= {"format"}:
            return None
        raise _Refusal(400, "the request has no query: send it as the query parameter (GET or a form POST) "
                            f"or as the body of a POST with Content-Type {_QUERY}")
    query = queries[0]
    if len(query) > settings.max_query_length:
        raise _Refusal(413, f"the query is {len(query)} characters long; this endpoint accepts at most "
                            f"{settings.max_query_length}")
    if not query.strip():
        raise _Refusal(400, "the query is empty")
    graphs = {}
    for name in ("default-graph-uri", "named-graph-uri"):
        values = params.getlist(name)
        for value in values:
            try:
                ox.NamedNode(value)
            except ValueError as exc:
                raise _Refusal(400, f"{name} {value!r} is not an absolute IRI ({exc})") from None
        graphs[name] = tuple(values)
    given = bool(graphs["default-graph-uri"] or graphs["named-graph-uri"])
    return _Request(query, graphs["default-graph-uri"] if given else None,
                    graphs["named-graph-uri"] if given else None, params.get("format"))


def _plain(status: int, message: str) -> Response:
    answer = error_answer(status, message)
    return Response(answer.body, status, content_type=answer.content_type)


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    """The SPARQL 1.1 Protocol: a query by GET, by form POST or as a POST body; a plain GET describes the service."""
    if request.method == "OPTIONS":
        return _preflight()
    settings = current_app.config["SETTINGS"]
    try:
        parsed = _read_request(settings)
        if parsed is None:
            return _describe(settings)
        if request.method == "GET" and parsed.format is None and _wants_page(request.accept_mimetypes):
            # A person following a link to a query: the query page, with that query in its editor.
            response = _plain(303, "the query page, with this query")
            response.headers["Location"] = f"{url_for('sparql.endpoint')}#query={quote(parsed.query, safe='')}"
            response.vary.add("Accept")
            return response
        results_format, graph_format = negotiate(request.accept_mimetypes, parsed.format)
    except _Refusal as refusal:
        return _plain(refusal.status, refusal.message)
    except ValueError as exc:
        return _plain(400, str(exc))
    job = Job(query=parsed.query, base_iri=f"{settings.base}sparql", default_graphs=parsed.default_graphs,
              named_graphs=parsed.named_graphs, results_format=results_format.name if results_format else None,
              graph_format=graph_format.extension if graph_format else None,
              max_results=settings.max_results, timeout=settings.query_timeout, memory=settings.memory_per_query)
    state = _state()
    if not state.slots.acquire(timeout=SLOT_WAIT):
        # Every query holds a web thread until it answers: past this many, the documents would wait too.
        response = _plain(503, f"{settings.max_queries} queries are running already (the most this endpoint runs at "
                                 "once); try again in a few seconds")
        response.headers["Retry-After"] = "5"
        return response
    try:
        answer = state.current_runner().run(job)
    finally:
        state.slots.release()
    if answer.status >= 500:
        log.warning("query answered %s: %s", answer.status, answer.body[:300].decode("utf-8", "replace").strip())
    response = Response(answer.body, answer.status, content_type=answer.content_type)
    response.vary.add("Accept")
    return response


def _preflight() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = (
        request.headers.get("Access-Control-Request-Headers") or "Accept, Content-Type")
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Allow"] = "GET, HEAD, POST, OPTIONS"
    return response


@bp.after_app_request
def _cors(response: Response) -> Response:
    """Scripts on any origin may query, and read the errors too (405s included, hence after_app_request)."""
    if request.path == "/sparql":
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


_DESCRIPTION_OFFERS = [*(f.media_type for f in GRAPH_FORMATS), PLAIN_JSON, PLAIN_XML, HTML.media_type]


def _describe(settings) -> Response:
    """The service description in RDF (Turtle to ``*/*`` or no Accept), or the query page for a browser."""
    fmt_param = request.args.get("format")
    if fmt_param:
        if fmt_param.lower() in (HTML.extension, HTML.media_type):
            return _page(settings)
        try:
            _, fmt = negotiate(request.accept_mimetypes, fmt_param)
        except ValueError as exc:
            return _plain(400, str(exc))
        if fmt is None:
            return _plain(406, f"the service description is RDF: use format= one of "
                               f"{', '.join(graph_format_name(f) for f in GRAPH_FORMATS)}, or html")
    else:
        bare = _bare(request.accept_mimetypes)
        match = bare.best_match(_DESCRIPTION_OFFERS) if bare is not None else GRAPH_FORMATS[0].media_type
        if match is None:
            response = _plain(406, "the service description is offered as " + ", ".join(_DESCRIPTION_OFFERS))
            response.vary.add("Accept")
            return response
        if match == HTML.media_type:
            response = _page(settings)
            response.vary.add("Accept")
            return response
        fmt = _GRAPH_BY_MEDIA_TYPE[match]
    triples = _state().description
    body = ox.serialize(triples, format=fmt.oxigraph, prefixes=used_prefixes(triples))
    response = Response(body, 200, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def _page(settings) -> Response:
    items = examples(settings.base)
    config = {"endpoint": url_for("sparql.endpoint"),
              "examples": [{"title": e.title, "query": e.query} for e in items]}
    html = render_template(
        "query.html", title="SPARQL endpoint", base=settings.base, endpoint=f"{settings.base}sparql", examples=items,
        config=config, graphs=_state().graphs, timeout=f"{settings.query_timeout:g}", max_results=settings.max_results,
        format_names=FORMAT_NAMES, kind="sparql", uri=None, alternates=[
            {"type": f.media_type, "href": url_for("sparql.endpoint", format=graph_format_name(f)),
             "label": f"Service description ({f.label})"} for f in GRAPH_FORMATS])
    return Response(html, 200, content_type=HTML.content_type)
