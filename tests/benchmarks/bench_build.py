"""Time the build's stages on the real letters: `python tests/benchmarks/bench_build.py [--repeat N]`.

A benchmark, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from rdflib.namespace import RDF

from lod.build import make_graphs
from lod.config import Settings
from lod.dumps import write_dumps
from lod.validate import union, validate


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    s = Settings()
    rows: dict[str, list[float]] = {"parse+map+canonicalise": [], "validate (SHACL+CRM)": [], "write dumps": []}
    for _ in range(args.repeat):
        build, t = timed(lambda: make_graphs(s.letters, s.annotations, s.ontology, s.base))
        rows["parse+map+canonicalise"].append(t)
        _, t = timed(lambda: validate(build, s.ontology))
        rows["validate (SHACL+CRM)"].append(t)
        with tempfile.TemporaryDirectory() as tmp:
            _, t = timed(lambda: write_dumps(build.quads, Path(tmp) / "dumps"))
        rows["write dumps"].append(t)
    print(f"{len(build.letters)} letters, {len(build.quads)} quads, {len(build.graphs)} graphs; median of {args.repeat}")
    for name, times in rows.items():
        print(f"  {name:<26} {statistics.median(times) * 1000:8.1f} ms")
    counts = Counter(str(o) for o in union(build).objects(None, RDF.type))
    print("instances per class:")
    for cls, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {n:5d}  {cls}")


if __name__ == "__main__":
    main()
