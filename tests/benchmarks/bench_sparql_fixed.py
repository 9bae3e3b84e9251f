"""The fixed cost of /sparql: one client, one keep-alive connection, the same small query thousands of times.

    python tests/benchmarks/bench_sparql_fixed.py [--store DIR] [--reps 2000] [--rounds 3]

Our server (``serve.py --store DIR --workers 1``) and ``oxigraph serve-read-only`` on the very same store
directory, one after the other; a plain ``http.client`` loop (no session layer of its own to speak of)
asks each query ``--reps`` times per round, for SPARQL JSON results, after a warm-up. Prints the best
median of the rounds (the machine may be shared: the best round is the one least disturbed) and the
ratio to Oxigraph's server. The queries: ``ASK {}`` (the floor: no data read), the lookup "one letter"
of bench_sparql.py, and one aggregate of it at fewer repetitions, to show that nothing else got slower.

The store directory is read, never written: make it with ``lod load-store`` (bench_sparql.py does).
"""
from __future__ import annotations

import argparse
import http.client
import json
import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

import harness as h
from bench_sparql import PREFIXES, QUERIES

JSON = "application/sparql-results+json"
LETTER = ("SELECT ?letter WHERE { ?letter a <http://xmlns.com/foaf/0.1/Document> } ORDER BY ?letter LIMIT 1")


def ask(conn: http.client.HTTPConnection, target: str) -> bytes:
    conn.request("GET", target, headers={"Accept": JSON})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"{response.status}: {body[:300]!r}")
    return body


def best_median(conn: http.client.HTTPConnection, target: str, reps: int, rounds: int) -> tuple[float, bytes]:
    """The best of ``rounds`` medians of ``reps`` requests, in milliseconds, and the answer."""
    body = ask(conn, target)
    for _ in range(min(50, reps)):
        ask(conn, target)
    medians = []
    for _ in range(rounds):
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            ask(conn, target)
            times.append(time.perf_counter() - started)
        medians.append(statistics.median(times) * 1000)
    return min(medians), body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=h.WORK / f"store-{h.SIZES['1M']}-1",
                        help="a store directory loaded by `lod load-store` (read only)")
    parser.add_argument("--reps", type=int, default=2000, help="requests per round for the small queries")
    parser.add_argument("--aggregate-reps", type=int, default=30, help="requests per round for the aggregate")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if '"complete": true' not in (args.store / "loaded.json").read_text():
        raise SystemExit(f"{args.store} is not a loaded store directory: run `lod load-store` first")
    print(f"## /sparql fixed cost: {args.store}, {h.machine()}, {h.load()}\n")
    servers = [("ours", lambda port: h.ours(args.store, port, "--workers", "1"), "/health", "/sparql"),
               ("oxigraph", lambda port: h.oxigraph(args.store, port), "/", "/query")]
    results: dict[str, dict[str, float]] = {}
    answers: dict[str, dict[str, bytes]] = {}
    for name, command, ready, path in servers:
        port = h.free_port()
        with h.server(name, command(port), ready, port, timeout=600):
            conn = http.client.HTTPConnection("127.0.0.1", port)
            letter = json.loads(ask(conn, path + "?" + urlencode({"query": LETTER})))["results"]["bindings"][0]
            lookup = next(q for n, _, q in QUERIES if n == "one letter").replace("{letter}", letter["letter"]["value"])
            aggregate = next(q for n, _, q in QUERIES if n == "letters per author")
            queries = [("ASK {}", "ASK {}", args.reps), ("one letter", PREFIXES + lookup, args.reps),
                       ("letters per author", PREFIXES + aggregate, args.aggregate_reps)]
            results[name], answers[name] = {}, {}
            for label, query, reps in queries:
                target = path + "?" + urlencode({"query": query})
                results[name][label], answers[name][label] = best_median(conn, target, reps, args.rounds)
            conn.close()
        print(f"{name}: done; {h.load()}")
    rows = []
    for label in results["ours"]:
        ours, theirs = results["ours"][label], results["oxigraph"][label]
        same = "yes" if answers["ours"][label] == answers["oxigraph"][label] else "no"
        rows.append([label, f"{ours:.3f}", f"{theirs:.3f}", f"{ours / theirs:.1f}x", same])
    print()
    print(h.table(["query", "ours ms", "Oxigraph ms", "ratio", "same bytes"], rows))


if __name__ == "__main__":
    main()
