"""Dereferencing under load: throughput and latency of /id/ and /doc/ against /health, with wrk.

    python tests/benchmarks/bench_deref.py [--size 1M] [--seconds 10] [--connections 1 8 64]

One server (``serve.py --store``, waitress, its default 8 threads) on the synthetic corpus; wrk asks
round robin for 1,000 things drawn uniformly from the data (half letters, half persons), as a crawler
would, so that no one document is served from warm caches over and over:

- ``/health``: the ceiling of our web stack (Flask + waitress, no store);
- ``/id/...`` with ``Accept: text/turtle``: the dereference itself, an ASK and a 303;
- ``/doc/...`` as Turtle and as HTML: the document the 303 leads to.
"""
from __future__ import annotations

import argparse

import harness as h


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=h.SIZES, default="1M")
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--things", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    args = parser.parse_args()
    letters = h.SIZES[args.size]
    folder, data = h.store(letters), h.synth(letters)
    docs = h.sample_paths(data, "letter", args.things // 2) + h.sample_paths(data, "person", args.things // 2)
    docs = [p for pair in zip(docs[: len(docs) // 2], docs[len(docs) // 2:]) for p in pair]  # alternate kinds
    ids = [p.replace("/doc/", "/id/", 1) for p in docs]
    runs = [("/health", ["/health"], None), ("/id/ (303)", ids, "text/turtle"),
            ("/doc/ Turtle", docs, "text/turtle"), ("/doc/ HTML", docs, "text/html")]
    print(f"## Dereference: {args.size} triples ({letters} synthetic letters), {h.machine()}\n")
    port = h.free_port()
    rows, ceiling = [], {}
    with h.server("ours", h.ours(folder, port, "--threads", str(args.threads)), "/health", port) as srv:
        for label, paths, accept in runs:
            for conns in args.connections:
                r = h.wrk(srv.url, paths, conns, args.seconds, accept)
                if label == "/health":
                    ceiling[conns] = r["rps"]
                rows.append([label, conns, r["rps"], r["rps"] / ceiling[conns] * 100, r["p50"], r["p90"], r["p99"],
                             r["requests"], r["non2xx"], r["errors"], h.load().split()[-3]])
        print(f"started in {srv.startup:.2f} s; peak memory {h.mib(srv.peak_pss)} MiB PSS, "
              f"{h.mib(srv.peak_rss)} MiB RSS (server and query processes)\n")
    print(h.table(["route", "connections", "req/s", "% of /health", "p50 ms", "p90 ms", "p99 ms", "requests",
                   "non-2xx/3xx", "socket errors", "load (1 min)"], rows))


if __name__ == "__main__":
    main()
