"""Build, load, start-up and memory at 10k, 100k and 1M triples.

    python tests/benchmarks/bench_scale.py [--sizes 10k 100k 1M] [--builds 5] [--dump-size 100k]

- build: the real ``lod build`` of the four letters (parse, map, SHACL + CRM checks, six dumps), run
  ``--builds`` times, as letters per second of the whole command and of ``build()`` in one process;
- ``lod synth``: letters per second and MB/s of N-Quads written;
- dump writing: ``lod.dumps.write_dumps`` (six formats, gzip copies, SHA256SUMS) on a synthetic corpus;
- ``lod load-store``: quads per second into a fresh store directory;
- start-up (process start to the first 200 on /health) and peak memory of the server process tree
  (web process, query zygote, workers; PSS from /proc, which counts shared pages once) while it
  answers 200 documents and 5 aggregate queries, for a store directory (``--store``) and for the
  same file loaded in memory (``--data``).
"""
from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
import time
from pathlib import Path

import harness as h

AGGREGATES = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "SELECT ?a (COUNT(?l) AS ?n) WHERE { ?l <http://purl.org/dc/terms/creator> ?a } GROUP BY ?a",
    "SELECT ?w (COUNT(?l) AS ?n) WHERE { ?l <http://purl.org/dc/terms/references> ?w } GROUP BY ?w ORDER BY DESC(?n) LIMIT 10",
    "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
]


def timed(*args: str) -> float:
    started = time.perf_counter()
    h.run(*args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def build_rows(builds: int) -> list[list]:
    from lod.build import build
    from lod.config import Settings

    settings = Settings()
    letters = len(list(settings.letters.glob("*.txt")))
    with tempfile.TemporaryDirectory() as tmp:
        cli = [timed(str(h.BIN / "lod"), "build", "--out", f"{tmp}/cli-{i}") for i in range(builds)]
        inproc = []
        for i in range(builds):
            started = time.perf_counter()
            build(settings.letters, settings.annotations, settings.ontology, settings.base, Path(tmp) / f"in-{i}")
            inproc.append(time.perf_counter() - started)
    return [["lod build (command, 4 letters)", f"{letters / h.median(cli):.2f} letters/s",
             f"median {h.median(cli):.2f} s of {builds}"],
            ["build() in one process", f"{letters / h.median(inproc):.2f} letters/s",
             f"median {h.median(inproc):.2f} s of {builds}, after the first ({inproc[0]:.2f} s)"]]


def dump_row(letters: int) -> list:
    import pyoxigraph as ox

    from lod.dumps import write_dumps

    data = h.synth(letters)
    quads = sorted(ox.parse(path=str(data), format=ox.RdfFormat.N_QUADS),
                   key=lambda q: (q.graph_name.value, q.subject.value, q.predicate.value, str(q.object)))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        paths = write_dumps(quads, Path(tmp) / "dumps")
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in paths)
    return [f"write_dumps, {len(quads):,} quads", f"{len(quads) / seconds:,.0f} quads/s",
            f"{seconds:.1f} s, {size / 2 ** 20:,.0f} MB in 6 formats + gzip"]


def serve_row(label: str, source: Path, letters: int) -> list:
    import requests

    port = h.free_port()
    paths = h.sample_paths(h.synth(letters), "letter", 100) + h.sample_paths(h.synth(letters), "person", 100)
    with h.server(label, h.ours(source, port), "/health", port) as srv:
        session = requests.Session()
        started = time.perf_counter()
        for path in paths:
            session.get(srv.url + path, headers={"Accept": "text/turtle"}, timeout=60).raise_for_status()
        for query in AGGREGATES:
            session.get(srv.url + "/sparql", params={"query": query}, timeout=60).raise_for_status()
        work = time.perf_counter() - started
        time.sleep(0.3)  # one more memory sample after the last answer
        return [label, f"{srv.startup:.2f}", h.mib(srv.peak_pss), h.mib(srv.peak_rss), f"{work:.1f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", choices=h.SIZES, default=list(h.SIZES))
    parser.add_argument("--builds", type=int, default=5)
    parser.add_argument("--dump-size", choices=h.SIZES, default="100k")
    args = parser.parse_args()
    print(f"## Build, load, start-up, memory; {h.machine()}, {h.load()}\n")

    rows = build_rows(args.builds)
    for size in args.sizes:
        letters = h.SIZES[size]
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "synth.nq"
            seconds = timed(str(h.BIN / "lod"), "synth", "--letters", str(letters), "--base", h.BASE, "--out", str(out))
            mb = out.stat().st_size / 2 ** 20
            rows.append([f"lod synth --letters {letters}", f"{letters / seconds:,.0f} letters/s",
                         f"{seconds:.1f} s, {mb:,.0f} MB, {mb / seconds:,.1f} MB/s (command, start-up included)"])
            data = h.synth(letters)
            with open(data, "rb") as file:
                quads = sum(1 for _ in file)
            store = Path(tmp) / "store"
            seconds = timed(str(h.BIN / "lod"), "load-store", "--store", str(store), "--no-render", str(data))
            disk = sum(p.stat().st_size for p in store.rglob("*") if p.is_file())
            rows.append([f"lod load-store, {quads:,} quads", f"{quads / seconds:,.0f} quads/s",
                         f"{seconds:.1f} s, {disk / 2 ** 20:,.0f} MB on disk (union copy and subject list included)"])
            # Then the documents rendered ahead (the same command again: the load is done, it renders).
            done = h.run(str(h.BIN / "lod"), "load-store", "--store", str(store), "--base", h.BASE, str(data),
                         capture_output=True, text=True)
            answers, seconds = re.search(r"(\d+) answers rendered .* in ([\d.]+) s", done.stdout).groups()
            size = (store / "answers.sqlite").stat().st_size
            rows.append([f"rendering {int(answers):,} answers ahead", f"{int(answers) / float(seconds):,.0f} answers/s",
                         f"{float(seconds):.1f} s, {size / 2 ** 20:,.0f} MB on disk (HTML, Turtle, JSON-LD of every main thing, gzipped)"])
    rows.append(dump_row(h.SIZES[args.dump_size]))
    print(h.table(["what", "throughput", "detail"], rows))

    print(f"\n{h.load()}\n")
    serving = []
    for size in args.sizes:
        letters = h.SIZES[size]
        serving.append(serve_row(f"{size}: --store (on disk)", h.store(letters), letters))
        serving.append(serve_row(f"{size}: --data (in memory)", h.synth(letters), letters))
    print(h.table(["server", "start-up s", "peak PSS MiB", "peak RSS MiB", "200 docs + 5 aggregates, s"], serving))
    print(f"\n({h.load()})")


if __name__ == "__main__":
    main()
