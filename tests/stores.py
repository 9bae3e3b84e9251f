"""Start real triple stores on loopback for tests, each on a free port with its data in a temp folder.

``oxigraph_server`` runs Oxigraph's own server (the ``oxigraph`` CLI from PyPI); ``virtuoso_server``
runs Virtuoso open source (Debian ``virtuoso-opensource``) from a ``virtuoso.ini`` written here, never
the system instance the Debian package sets up. Each context manager waits for the store to answer,
with a deadline, and kills the process (and its children) when the block ends. The ``find_*``
functions return None when the program is missing, so that the caller can skip (or fail under
``LOD_STRICT=1``) with a message that says what to install.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from support import free_port, skip_or_fail

VIRTUOSO_USER = "dba"
VIRTUOSO_PASSWORD = "dba"  # a new Virtuoso database's default; the store listens on loopback only


def _program(name: str, *fallbacks: str) -> str | None:
    """``name`` on PATH, beside the running Python (a venv's bin/), or one of ``fallbacks``."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found:
        return found
    return next((f for f in fallbacks if os.access(f, os.X_OK)), None)


def find_oxigraph() -> str | None:
    return _program("oxigraph")


def oxigraph_cli() -> str:
    """The ``oxigraph`` program (PyPI ``oxigraph``), found as ``find_oxigraph`` finds it; a skip (a failure under
    ``LOD_STRICT=1``) when it is missing."""
    found = find_oxigraph()
    if not found:
        skip_or_fail("the oxigraph server (PyPI package oxigraph) is not installed")
    return found


def find_virtuoso() -> tuple[str, str] | None:
    """(``virtuoso-t``, ``isql``): Debian names its isql ``isql-vt`` (``isql`` is unixODBC's)."""
    server = _program("virtuoso-t", "/usr/bin/virtuoso-t")
    isql = _program("isql-vt", "/usr/bin/isql-vt")
    return (server, isql) if server and isql else None


@contextlib.contextmanager
def _process(args: list[str], log: Path, cwd: Path) -> Iterator[subprocess.Popen]:
    """Run ``args`` in a process group of its own; end the whole group afterwards."""
    with open(log, "wb") as out:
        process = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)


def _wait_until(ready, process: subprocess.Popen, log: Path, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if ready():
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within {seconds:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.02)


# --- Oxigraph ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Oxigraph:
    base: str  # http://127.0.0.1:PORT/

    @property
    def query(self) -> str:
        return self.base + "query"

    @property
    def update(self) -> str:
        return self.base + "update"

    @property
    def store(self) -> str:
        """The SPARQL 1.1 Graph Store Protocol endpoint."""
        return self.base + "store"


@contextlib.contextmanager
def oxigraph_server(workdir: Path, program: str, *, union_default_graph: bool = True) -> Iterator[Oxigraph]:
    """``oxigraph serve`` with an on-disk store in ``workdir``.

    ``--union-default-graph`` makes the default graph of a query the union of the named graphs, as
    on our own endpoint; without it a query with no GRAPH sees Oxigraph's empty default graph.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    args = [program, "serve", "--location", str(workdir / "db"), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        args.append("--union-default-graph")
    log = workdir / "oxigraph.log"
    with _process(args, log, workdir) as process:
        store = Oxigraph(f"http://127.0.0.1:{port}/")
        _wait_until(lambda: requests.get(store.query, params={"query": "ASK {}"}, timeout=2).ok,
                    process, log, "oxigraph serve", 60)
        yield store


# --- Virtuoso ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Virtuoso:
    base: str  # http://127.0.0.1:HTTP_PORT/
    isql_port: int
    isql_program: str
    workdir: Path

    @property
    def sparql(self) -> str:
        """Read-only SPARQL; with no FROM, Virtuoso's default graph is every graph in the store."""
        return self.base + "sparql"

    @property
    def gsp(self) -> str:
        """The Graph Store Protocol endpoint that takes writes (HTTP digest auth, dba/dba)."""
        return self.base + "sparql-graph-crud-auth"

    def isql(self, sql: str, timeout: float = 600) -> str:
        """Run SQL statements (each ended by ``;``) through isql; raise on any error it reports."""
        script = self.workdir / "script.sql"
        script.write_text(sql.rstrip() + "\n", encoding="utf-8")
        done = subprocess.run([self.isql_program, f"127.0.0.1:{self.isql_port}", VIRTUOSO_USER, VIRTUOSO_PASSWORD,
                               str(script)], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql failed ({done.returncode}):\n{sql}\n{output}")
        return output


_VIRTUOSO_INI = """\
; Written by tests/stores.py for one test session: data in this folder, loopback ports only.
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{isql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
O_DIRECT             = 0
CaseMode             = 2
MaxStaticCursorRows  = 5000
AllowOSCalls         = 0
DirsAllowed          = ., {dirs}
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}/vsp
MaxClientConnections = 10
DavRoot              = DAV
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
ServerThreads        = 10
MaxKeepAlives        = 10
KeepAliveTimeout     = 10
Charset              = UTF-8
EnabledGzipContent   = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows           = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
"""


@contextlib.contextmanager
def virtuoso_server(workdir: Path, programs: tuple[str, str], allowed: list[Path]) -> Iterator[Virtuoso]:
    """A new Virtuoso database in ``workdir`` whose bulk loader may read files in ``allowed``."""
    server, isql = programs
    db = workdir.resolve()
    (db / "vsp").mkdir(parents=True, exist_ok=True)
    isql_port, http_port = free_port(), free_port()
    while http_port == isql_port:
        http_port = free_port()
    ini = db / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(db=db, isql_port=isql_port, http_port=http_port,
                                        dirs=", ".join(str(Path(p).resolve()) for p in allowed)), encoding="utf-8")
    log = db / "virtuoso-stdout.log"
    with _process([server, "+foreground", "+configfile", str(ini)], log, db) as process:
        store = Virtuoso(f"http://127.0.0.1:{http_port}/", isql_port, isql, db)
        # A new database takes a few seconds to initialise before the SPARQL endpoint answers.
        _wait_until(lambda: requests.get(store.sparql, params={"query": "ASK {}"},
                                         headers={"Accept": "application/sparql-results+json"}, timeout=2).ok,
                    process, log, "virtuoso-t", 180)
        yield store
