"""Dereferencing under load: throughput and latency of /id/ and /doc/ against /health, with wrk.

    python tests/benchmarks/bench_deref.py [--size 1M] [--seconds 10] [--connections 1 8 64]

``serve.py --store`` as a user starts it (granian, one process per core) on the synthetic corpus; wrk
asks round robin for 1,000 things drawn uniformly from the data (half letters, half persons), as a
crawler would:

- ``/health``: the ceiling of our web stack (Flask under granian, no store);
- ``/id/...`` with ``Accept: text/turtle``: the dereference itself, an ASK and a 303;
- ``/doc/...`` as Turtle and as HTML: the document the 303 leads to.

Three times: "rendered", with ``--cache-mb 0 --no-stored-answers``, every answer rendered from the store;
"stored", with ``--cache-mb 0``, every answer read from the documents `lod load-store` rendered (what a
crawler's first visit costs; nodes and formats it did not render are rendered); "kept", with the default
cache after a warm-up, every answer from the process's memory (what every later visit costs). The share
of answers served without rendering (from memory or stored) is read from the server's access log.
"""
from __future__ import annotations

import argparse
import time

import harness as h


def _hits(log, since: int) -> tuple[int, int]:
    lines = log.read_text(errors="replace").splitlines()[since:]
    hits = sum(" cache=hit " in line or " cache=stored " in line for line in lines)
    return hits, sum(" cache=" in line for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=h.SIZES, default="1M")
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--things", type=int, default=1000)
    args = parser.parse_args()
    letters = h.SIZES[args.size]
    folder, data = h.store(letters), h.synth(letters)
    docs = h.sample_paths(data, "letter", args.things // 2) + h.sample_paths(data, "person", args.things // 2)
    docs = [p for pair in zip(docs[: len(docs) // 2], docs[len(docs) // 2:]) for p in pair]  # alternate kinds
    ids = [p.replace("/doc/", "/id/", 1) for p in docs]
    runs = [("/health", ["/health"], None), ("/id/ (303)", ids, "text/turtle"),
            ("/doc/ Turtle", docs, "text/turtle"), ("/doc/ HTML", docs, "text/html")]
    print(f"## Dereference: {args.size} triples ({letters} synthetic letters), {h.machine()}\n")
    rows, ceiling, first_answers = [], {}, {}
    modes = {"rendered": ["--cache-mb", "0", "--no-stored-answers"], "stored": ["--cache-mb", "0"], "kept": []}
    for cache, extra in modes.items():
        port = h.free_port()
        log = h.WORK / f"deref-{cache}-{port}.log"
        with h.server("ours", h.ours(folder, port, *extra), "/health", port, log=log) as srv:
            firsts = []
            for path, accept in (("/void", "text/turtle"), ("/void", "text/html"), ("/sitemap.xml", None)):
                started = time.perf_counter()
                status = h.get(srv.url + path, timeout=120, headers={"Accept": accept} if accept else None)
                firsts.append(f"{path} {accept or ''} {status} in {(time.perf_counter() - started) * 1000:,.0f} ms")
            first_answers[cache] = "; ".join(firsts)
            for label, paths, accept in runs:
                if cache == "kept" and label != "/health":
                    deadline = time.monotonic() + 120
                    while time.monotonic() < deadline:  # until (nearly) every answer comes from the cache
                        since = len(log.read_text(errors="replace").splitlines())
                        h.wrk(srv.url, paths, 8, 5, accept)
                        hits, total = _hits(log, since)
                        if hits >= 0.99 * total:
                            break
                for conns in args.connections:
                    since = len(log.read_text(errors="replace").splitlines())
                    r = h.wrk(srv.url, paths, conns, args.seconds, accept)
                    hits, total = _hits(log, since)
                    if label == "/health":
                        ceiling.setdefault(conns, r["rps"])
                    rows.append([label, cache, conns, r["rps"], r["rps"] / ceiling[conns] * 100, r["p50"], r["p90"],
                                 r["p99"], r["requests"], r["non2xx"], r["errors"],
                                 f"{hits / total * 100:.0f}%" if label != "/health" and total else "-",
                                 h.load().split()[-3]])
            print(f"{cache}: started in {srv.startup:.2f} s; peak memory {h.mib(srv.peak_pss)} MiB PSS, "
                  f"{h.mib(srv.peak_rss)} MiB RSS (web processes and query processes)")
    for cache, firsts in first_answers.items():
        print(f"{cache}: first answers after start: {firsts}")
    print("\n(% of /health: against the first /health run, with the cache off; kept: answered without rendering)\n")
    print(h.table(["route", "answers", "connections", "req/s", "% of /health", "p50 ms", "p90 ms", "p99 ms",
                   "requests", "non-2xx/3xx", "socket errors", "kept", "load (1 min)"], rows))


if __name__ == "__main__":
    main()
