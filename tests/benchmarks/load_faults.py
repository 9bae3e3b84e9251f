"""Load and faults: many clients, a burst of runaway queries, SIGKILLs; nothing lost.

    python tests/benchmarks/load_faults.py [--size 1M] [--seconds 60] [--clients 64]

Bounded in time and count, on 127.0.0.1 only. Three phases:

1. **Load**: ``--clients`` clients (4 processes of threads, keep-alive connections) mix dereference
   (``/id/`` 303s, ``/doc/`` Turtle and HTML) and small SPARQL queries against ``serve.py --store``
   for ``--seconds``. A third of the way in, ``--burst`` runaway queries (a cartesian product the
   store cannot finish) arrive at once; each must be stopped at the query time limit (503) while the
   other requests go on. Pass: no 5xx but the runaways', no request without an answer, and the p99
   of the simple requests (the 303s and the small SPARQL lookups) while the burst runs under 250 ms.
2. **Kill the server**: under load, SIGKILL the whole server (web process, query zygote, workers) and
   start it again on the same store. Pass: the store's checksum (a digest of its N-Quads dump and its
   counts, read by a separate read-only process) is what it was, and the restarted server answers.
3. **Kill the loader**: SIGKILL ``lod load-store`` half-way through a file, run it again. Pass: it
   resumes, and the store holds exactly what an uninterrupted load gives (same checksum).
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import harness as h

SIMPLE_QUERIES = [
    "SELECT ?p ?o WHERE { <{letter}> ?p ?o }",
    "SELECT ?l WHERE { ?l <http://schema.org/recipient> <{person}> } LIMIT 20",
    "ASK { <{letter}> <http://purl.org/dc/terms/creator> ?who }",
    "SELECT ?t WHERE { <{letter}> <http://purl.org/dc/terms/title> ?t }",
]
SIMPLE = ("id 303", "sparql")
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?i ?j }"


# --- clients -------------------------------------------------------------------------------------


def _requests(docs: list[str], rng: random.Random):
    """An endless mix of (kind, path, headers)."""
    letters = [h.BASE + "id/" + d[len("/doc/"):] for d in docs if "/letter/" in d]
    persons = [h.BASE + "id/" + d[len("/doc/"):] for d in docs if "/person/" in d]
    while True:
        doc = rng.choice(docs)
        roll = rng.random()
        if roll < 0.35:
            yield "doc turtle", doc, {"Accept": "text/turtle"}
        elif roll < 0.55:
            yield "doc html", doc, {"Accept": "text/html"}
        elif roll < 0.75:
            yield "id 303", doc.replace("/doc/", "/id/", 1), {"Accept": "text/turtle"}
        else:
            query = rng.choice(SIMPLE_QUERIES).replace("{letter}", rng.choice(letters)).replace(
                "{person}", rng.choice(persons))
            yield "sparql", "/sparql?query=" + quote(query), {"Accept": "application/sparql-results+json"}


def _client(port: int, docs: list[str], until: float, seed: int, out: list) -> None:
    rng = random.Random(seed)
    conn = None
    for kind, path, headers in _requests(docs, rng):
        if time.time() >= until:
            break
        started = time.time()
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as exc:
            status = f"no answer: {type(exc).__name__}"
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.05)
        out.append((started, time.time() - started, kind, status))


def _client_process(port: int, docs: list[str], until: float, threads: int, seed: int, result_file: str) -> None:
    out: list = []
    workers = [threading.Thread(target=_client, args=(port, docs, until, seed * 1000 + i, out)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    Path(result_file).write_text(json.dumps(out))


def load(port: int, docs: list[str], seconds: float, clients: int, work: Path) -> tuple[list, list]:
    """Start ``clients`` clients for ``seconds``; ``gather`` their (start, latency, kind, status) records."""
    processes, files = [], []
    per = max(1, clients // 4)
    until = time.time() + seconds
    for i in range(max(1, clients // per)):
        f = work / f"client-{i}.json"
        files.append(f)
        p = multiprocessing.Process(target=_client_process, args=(port, docs, until, per, i, str(f)))
        p.start()
        processes.append(p)
    return processes, files


def gather(processes, files) -> list:
    records = []
    for p, f in zip(processes, files):
        p.join(timeout=120)
        records += json.loads(f.read_text()) if f.exists() else []
    return records


# --- the store's checksum -------------------------------------------------------------------------


def checksum(folder: Path) -> dict:
    """Counts and a digest of the whole store, read by a separate read-only process (the server may run)."""
    code = f"""
import json, hashlib, pyoxigraph as ox
store = ox.Store.read_only({str(folder / 'oxigraph')!r})
class D:
    def __init__(self): self.h = hashlib.sha256()
    def write(self, b): self.h.update(b); return len(b)
    def flush(self): pass
d = D()
store.dump(d, format=ox.RdfFormat.N_QUADS)
named = int(next(iter(store.query('SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}')))['n'].value)
default = int(next(iter(store.query('SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}')))['n'].value)
print(json.dumps({{"named graph quads": named, "default graph triples": default, "sha256": d.h.hexdigest()}}))
"""
    return json.loads(subprocess.run([h.PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout)


# --- the phases ------------------------------------------------------------------------------------


def summary(records: list, label: str) -> list:
    answered = [r for r in records if isinstance(r[3], int)]
    lost = len(records) - len(answered)
    server_errors = sum(1 for r in answered if r[3] >= 500)
    lat = [r[1] * 1000 for r in answered]
    return [label, len(records), lost, server_errors, h.median(lat), h.percentile(lat, 99), max(lat, default=0)]


def phase_load(args, folder: Path, docs: list[str], work: Path) -> bool:
    port = h.free_port()
    command = h.ours(folder, port, "--query-timeout", str(args.query_timeout))
    with h.server("load", command, "/health", port) as srv:
        processes, files = load(port, docs, args.seconds, args.clients, work)
        time.sleep(args.seconds / 3)
        burst: list = []
        burst_start = time.time()

        def runaway() -> None:
            started = time.time()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=args.query_timeout + 30)
                conn.request("GET", "/sparql?query=" + quote(RUNAWAY))
                response = conn.getresponse()
                response.read()
                burst.append((time.time() - started, response.status))
            except (OSError, http.client.HTTPException) as exc:
                burst.append((time.time() - started, f"no answer: {type(exc).__name__}"))

        threads = [threading.Thread(target=runaway) for _ in range(args.burst)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        burst_end = time.time()
        records = gather(processes, files)
        peak = srv.peak_pss
    during = [r for r in records if burst_start <= r[0] <= burst_end]
    before = [r for r in records if r[0] < burst_start]
    after = [r for r in records if r[0] > burst_end]
    rows = [summary(before, "before the burst"), summary(during, "while the burst runs"),
            summary(after, "after the burst"), summary(records, "all")]
    kinds = sorted({r[2] for r in records})
    rows += [summary([r for r in before if r[2] == k], f"before the burst: {k}") for k in kinds]
    rows += [summary([r for r in during if r[2] == k], f"while the burst runs: {k}") for k in kinds]
    print(h.table(["requests", "sent", "no answer", "5xx", "p50 ms", "p99 ms", "max ms"], rows))
    statuses = sorted({str(s) for _, s in burst})
    print(f"\n{args.burst} runaway queries: answered {statuses} after {min(t for t, _ in burst):.1f}"
          f"-{max(t for t, _ in burst):.1f} s (query time limit {args.query_timeout:g} s); burst lasted "
          f"{burst_end - burst_start:.1f} s; {len(records) / args.seconds:,.0f} req/s overall; peak memory "
          f"{h.mib(peak)} MiB PSS; {h.load()}")
    # The simple requests: the dereference itself (303) and the small SPARQL lookups; the documents are
    # pages of up to hundreds of triples, whose latency under 64 clients is their throughput's (Little's law).
    simple = summary([r for r in during if r[2] in SIMPLE], "simple, while the burst runs")
    simple_before = summary([r for r in before if r[2] in SIMPLE], "simple, before the burst")
    p99_burst = simple[5]
    ok = (rows[3][2] == 0 and rows[3][3] == 0 and p99_burst < 250 and all(s == 503 for _, s in burst))
    print(f"phase 1 {'PASSED' if ok else 'FAILED'}: no answer {rows[3][2]}, 5xx {rows[3][3]}, p99 of the simple "
          f"requests ({', '.join(SIMPLE)}) while the burst runs {p99_burst:.0f} ms (< 250; before it "
          f"{simple_before[5]:.0f} ms), runaways stopped with 503: {all(s == 503 for _, s in burst)}")
    return ok


def phase_kill_server(args, folder: Path, docs: list[str], work: Path) -> bool:
    before = checksum(folder)
    port = h.free_port()
    command = h.ours(folder, port)
    seconds = args.kill_seconds
    with h.server("kill-1", command, "/health", port) as srv:
        processes, files = load(port, docs, seconds, max(4, args.clients // 4), work)
        time.sleep(seconds / 3)
        killed = time.time()
        os.killpg(srv.process.pid, signal.SIGKILL)  # web process, zygote and workers, all at once
        srv.process.wait()
        with h.server("kill-2", command, "/health", port) as again:
            back = time.time()
            records = gather(processes, files)
            count = h.get(again.url + "/sparql?query=" + quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"),
                          timeout=60)
    after = checksum(folder)
    refused = [r for r in records if killed <= r[0] <= back and not isinstance(r[3], int)]
    later = [r for r in records if r[0] > back]
    print(h.table(["requests", "sent", "no answer", "5xx", "p50 ms", "p99 ms", "max ms"],
                  [summary([r for r in records if r[0] < killed], "before the SIGKILL"),
                   summary([r for r in records if killed <= r[0] <= back], "server down"),
                   summary(later, "after the restart")]))
    same = before == after
    ok = same and count == 200 and all(isinstance(r[3], int) and r[3] < 500 for r in later)
    print(f"\nserver down for {back - killed:.2f} s (restart included; {len(refused)} requests refused meanwhile); "
          f"store before {before}\n                                 after  {after}")
    print(f"phase 2 {'PASSED' if ok else 'FAILED'}: store unchanged {same}, restarted server answers {count}")
    return ok


def phase_kill_loader(args, work: Path) -> bool:
    letters = h.SIZES[args.loader_size]
    data, reference = h.synth(letters), h.store(letters)
    folder = work / "killed-load"
    started = time.time()
    loader = subprocess.Popen([str(h.BIN / "lod"), "load-store", "--store", str(folder), "--no-render", str(data)],
                              cwd=h.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    manifest = folder / "loaded.json"
    while time.time() - started < 600:  # kill it once some batches are in, before it ends
        if manifest.exists() and any(e["quads"] for e in json.loads(manifest.read_text())["files"].values()):
            break
        time.sleep(0.05)
    done_when_killed = json.loads(manifest.read_text())
    os.killpg(loader.pid, signal.SIGKILL)
    loader.wait()
    refused = subprocess.run([h.PYTHON, str(h.ROOT / "serve.py"), "--store", str(folder), "--port",
                              str(h.free_port())], capture_output=True, text=True, timeout=60, check=False)
    resumed = subprocess.run([str(h.BIN / "lod"), "load-store", "--store", str(folder), "--no-render", str(data)],
                             cwd=h.ROOT, capture_output=True, text=True, timeout=3600, check=False)
    same = checksum(folder) == checksum(reference)
    quads = sum(e["quads"] for e in done_when_killed["files"].values())
    ok = refused.returncode != 0 and resumed.returncode == 0 and "resumed" in resumed.stdout and same
    print(f"lod load-store killed with {quads} quads recorded (complete: {done_when_killed['complete']}); "
          f"serve.py on the half-loaded store exits {refused.returncode}: "
          f"{(refused.stderr.strip().splitlines() or [''])[-1]}")
    print(f"rerun: {resumed.stdout.strip().splitlines()[0].strip()}")
    print(f"phase 3 {'PASSED' if ok else 'FAILED'}: same store as an uninterrupted load: {same}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=h.SIZES, default="1M")
    parser.add_argument("--seconds", type=float, default=60, help="phase 1 duration")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--burst", type=int, default=8, help="runaway queries at once")
    parser.add_argument("--query-timeout", type=float, default=5.0)
    parser.add_argument("--kill-seconds", type=float, default=20, help="phase 2 duration")
    parser.add_argument("--loader-size", choices=h.SIZES, default="100k")
    args = parser.parse_args()
    letters = h.SIZES[args.size]
    folder, data = h.store(letters), h.synth(letters)
    docs = h.sample_paths(data, "letter", 500) + h.sample_paths(data, "person", 500)
    print(f"## Load and faults: {args.size} triples ({letters} synthetic letters), {h.machine()}, {h.load()}\n")
    with tempfile.TemporaryDirectory(dir=h.WORK) as tmp:
        work = Path(tmp)
        results = [phase_load(args, folder, docs, work)]
        print()
        results.append(phase_kill_server(args, folder, docs, work))
        print()
        results.append(phase_kill_loader(args, work))
    print(f"\n{sum(results)} of {len(results)} phases passed")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
