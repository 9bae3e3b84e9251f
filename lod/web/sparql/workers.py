"""The process model (docs/design.md, "Processes"): every query runs in a worker process, never in the web process.

pyoxigraph's ``Store.query`` cannot be interrupted from another thread, so the only way to stop a runaway
query is to kill the process that runs it. At startup, while the web process still has a single thread,
we fork one *zygote* that holds the loaded store; it forks the workers on demand (copy-on-write, a few
milliseconds, and always from a single-threaded process, so no lock held by another thread is ever copied
in a locked state). A request borrows an idle worker, sends it the job and waits at most ``query_timeout``;
past that it SIGKILLs the worker (its memory goes with it) and answers 503, while the other requests go on
with workers of their own. The worker parses, checks, evaluates and serialises, so everything a query can
make slow runs under the clock. A query still running after ``SLOW`` seconds drops to a low CPU priority,
so that a burst of heavy queries cannot starve the quick requests.
"""
from __future__ import annotations

import contextlib
import logging
import os
import resource
import signal
import socket
import stat
import struct
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import wire
from .engine import Answer, Job, error_answer, execute
from .rows import trusted

log = logging.getLogger("lod.sparql")

STACK_SIZE = 512 * 1024 * 1024  # pyoxigraph parses and plans recursively: a 20,000-character chain
#                                 of `1+1+...` overflows the default 8 MiB and kills the process
_KEEP_IDLE = 8
SLOW = 0.5  # seconds after which a query runs at the lowest CPU priority (SCHED_IDLE)
_ANSWER_HEAD_ROOM = 2 ** 16  # bytes of an answer beyond its body: its status and content type
_SEND_WAIT = 5.0  # seconds a job may take to be sent


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


def _serve_jobs(sock: socket.socket, store: ox.Store) -> None:
    born = _vm_data()  # measured here, in the query thread, so that its large stack counts as born
    while True:
        try:
            job = wire.decode_job(wire.recv_frame(sock, wire.MAX_JOB))
        except (EOFError, OSError, wire.WireError):
            return  # the web process closed our socket, or sent what it never sends: this worker is done
        _limit_cpu(job.timeout)
        _limit_memory(born, job.memory)
        try:
            answer = execute(store, job)
        except Exception as exc:  # a bug here must not cost the worker; the web process logs it
            answer = error_answer(500, f"the query engine failed: {type(exc).__name__}: {exc}")
        try:
            wire.send_frame(sock, *wire.answer_parts(answer))
        except OSError:
            return


def _worker_main(sock: socket.socket, store: ox.Store) -> None:
    threading.stack_size(STACK_SIZE)
    thread = threading.Thread(target=_serve_jobs, args=(sock, store), name="sparql-worker")
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
    sock: socket.socket


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
        trusted()  # checked once, here: the zygote and every worker inherit the answer
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
        return _Worker(struct.unpack("i", message[:4])[0], socket.socket(fileno=fds[0]))

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
        worker.sock.close()

    def _kill(self, worker: _Worker) -> None:
        """Only for a worker that has not answered: its socket is still open, so it is still alive."""
        try:
            os.kill(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.sock.close()

    def run(self, job: Job) -> Answer:
        try:
            worker = self._take()
        except OSError as exc:
            log.error("cannot start a query worker: %s", exc)
            return error_answer(503, "the query engine is not available; try again later")
        started = time.monotonic()
        slow = False

        def deprioritise() -> None:
            # A query still running after SLOW seconds yields the CPU to everything else: a burst of
            # runaways then slows the quick requests a little, not to their own pace. A nice value
            # cannot be lowered again without privileges, so this worker answers this query only.
            nonlocal slow
            slow = True
            _deprioritise(worker.pid)

        try:
            worker.sock.settimeout(_SEND_WAIT)  # an idle worker is waiting for the job: it takes it at once
            wire.send_frame(worker.sock, wire.encode_job(job))
            # The worker cannot have written a body larger than the memory the query may take.
            frame = wire.recv_frame(worker.sock, job.memory + _ANSWER_HEAD_ROOM, started + job.timeout,
                                    late=(started + min(SLOW, job.timeout), deprioritise))
            answer = wire.decode_answer(frame)
        except TimeoutError:
            self._kill(worker)
            return error_answer(503, f"query exceeded the {job.timeout:g} s limit and was stopped. "
                                     "Narrow it down (more specific patterns, LIMIT) or download the dumps.")
        except wire.WireError as exc:
            # What no worker says. Closing its socket ends it wherever it is (reading: the end; writing:
            # a broken pipe), and it may have ended already: then its pid is not ours to kill.
            worker.sock.close()
            log.error("a query worker answered what no worker answers (%s): %r", exc, job.query[:200])
            return error_answer(503, "the query engine failed on this query; the server is still running")
        except (EOFError, OSError) as exc:
            # The worker is gone (its end of the socket closed when it died) and the zygote has reaped it:
            # its pid may already belong to another process, so close, do not kill.
            worker.sock.close()
            log.warning("a query worker stopped while running a query (%s): %r", exc, job.query[:200])
            return error_answer(503, "the query engine stopped while running this query (it may need more "
                                     "memory than this endpoint gives one query); the server is still running")
        if slow:
            worker.sock.close()  # it leaves when its socket closes
        else:
            self._give_back(worker)
        return answer

    def close(self) -> None:
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.sock.close()
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

    def run(self, job: Job) -> Answer:
        return execute(_AsOxigraph(self._store, job.max_results + 1), job)  # type: ignore[arg-type]


class _AsOxigraph:
    """A store asked as the engine asks pyoxigraph, for one job: one row past the job's cap is all the engine
    reads, so a remote store reads no more of its answer."""

    def __init__(self, store, max_rows: int) -> None:
        self._store = store
        self._max_rows = max_rows

    def query(self, sparql: str, base_iri: str | None = None, default_graph=None, named_graphs=None):
        return self._store.query(sparql, default_graph=[g.value for g in default_graph or []] or None,
                                 named_graphs=[g.value for g in named_graphs or []] or None, max_rows=self._max_rows)


def runner_for(store) -> WorkerPool | InlineRunner:
    """Worker processes for a store this process holds (forked now, so call it while the process has one
    thread); the request's own thread for any other store."""
    oxigraph = getattr(store, "oxigraph", None)
    return WorkerPool(oxigraph) if oxigraph is not None and hasattr(os, "fork") else InlineRunner(store)
