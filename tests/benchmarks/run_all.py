"""Every benchmark, one after the other, on this machine: `python tests/benchmarks/run_all.py [--quick]`.

Needs the ``bench`` extra (``pip install -e '.[bench]'``: rdflib-endpoint, uvicorn, oxigraph's server,
requests) and ``wrk`` (Debian: ``apt-get install wrk``). Makes the synthetic corpora and store
directories once in ``$LOD_BENCH_WORK`` (default ``$TMPDIR/lod-bench``, about 2 GB at 1M triples),
prints each table and writes them all to ``results-<time>.md`` there. ``--quick`` runs everything
small and short, to check that it works (its figures mean little).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import harness as h

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data, short runs")
    args = parser.parse_args()
    if args.quick:
        steps = [["bench_build.py", "--repeat", "1"],
                 ["bench_scale.py", "--sizes", "10k", "--builds", "1", "--dump-size", "10k"],
                 ["bench_sparql.py", "--size", "10k", "--reps", "5", "--rdflib-reps", "2"],
                 ["bench_sparql_fixed.py", "--store", str(h.WORK / f"store-{h.SIZES['10k']}-1"), "--reps", "200",
                  "--aggregate-reps", "5", "--rounds", "1"],
                 ["bench_render.py", "--size", "10k", "--things", "40"],
                 ["bench_deref.py", "--size", "10k", "--seconds", "2"],
                 ["load_faults.py", "--size", "10k", "--seconds", "10", "--clients", "16", "--kill-seconds", "6",
                  "--loader-size", "10k"]]
    else:
        steps = [["bench_build.py"], ["bench_scale.py"], ["bench_sparql.py"], ["bench_sparql_fixed.py"],
                 ["bench_render.py"], ["bench_deref.py"], ["load_faults.py"]]
    h.WORK.mkdir(parents=True, exist_ok=True)
    report = h.WORK / f"results-{time.strftime('%Y%m%d-%H%M%S')}.md"
    failed = []
    with open(report, "w", encoding="utf-8") as out:
        out.write(f"# Benchmarks, {time.strftime('%Y-%m-%d %H:%M')}\n\n{h.machine()}\n\n")
        for step in steps:
            command = [sys.executable, str(HERE / step[0]), *step[1:]]
            print(f"$ {' '.join(['python', 'tests/benchmarks/' + step[0], *step[1:]])}", flush=True)
            out.write(f"```\n$ python tests/benchmarks/{' '.join(step)}\n```\n\n")
            started = time.perf_counter()
            process = subprocess.Popen(command, cwd=h.ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for line in process.stdout:
                print(line, end="", flush=True)
                out.write(line)
            if process.wait() != 0:
                failed.append(step[0])
            note = f"\n({step[0]}: {time.perf_counter() - started:.0f} s, exit {process.returncode})\n\n"
            print(note, flush=True)
            out.write(note)
    print(f"all tables in {report}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
