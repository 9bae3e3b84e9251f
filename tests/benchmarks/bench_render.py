"""What a first render costs in one process, without HTTP: ms of CPU per document, by variant.

    python tests/benchmarks/bench_render.py [--size 1M] [--things 400] [--profile turtle|html]

Opens the store directory of the synthetic corpus as ``serve.py --store`` does, builds the app with the
cache off and asks Flask's test client for ``/doc/`` of letters and persons drawn uniformly, each once
per variant (so that every answer is a first render), and prints the time per document. ``--profile``
prints pyinstrument's profile of one variant. It also says what rendering every main thing ahead of
time would cost, from the same figures.
"""
from __future__ import annotations

import argparse
import time

import harness as h


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=h.SIZES, default="1M")
    parser.add_argument("--things", type=int, default=400)
    parser.add_argument("--profile", choices=["turtle", "html"])
    args = parser.parse_args()

    from lod.config import Settings
    from lod.storedir import open_store
    from lod.web import create_app

    letters = h.SIZES[args.size]
    folder, data = h.store(letters), h.synth(letters)
    store = open_store(folder)
    app = create_app(Settings(base=h.BASE, out=None, cache_bytes=0), store)
    client = app.test_client()
    half = args.things // 2
    paths = h.sample_paths(data, "letter", half) + h.sample_paths(data, "person", half)
    variants = {"turtle": "text/turtle", "html": "text/html", "n-triples": "application/n-triples",
                "json-ld": "application/ld+json"}
    print(f"## First renders in process: {args.size} ({letters} synthetic letters), {h.machine()}\n")
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for path in paths:
            client.get(path, headers={"Accept": variants[args.profile]})
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return
    rows = []
    for name, accept in variants.items():
        for kind, chosen in (("letter", paths[:half]), ("person", paths[half:])):
            cpu, wall = time.process_time(), time.perf_counter()
            size = 0
            for path in chosen:
                response = client.get(path, headers={"Accept": accept})
                assert response.status_code == 200, (path, response.status_code)
                size += len(response.data)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            rows.append([name, kind, len(chosen), f"{1000 * cpu / len(chosen):.2f}", f"{1000 * wall / len(chosen):.2f}",
                         f"{size / len(chosen) / 1024:.1f}"])
    print(h.table(["variant", "kind", "documents", "CPU ms each", "wall ms each", "KB each"], rows))
    print(f"\n(load average {h.load()})")


if __name__ == "__main__":
    main()
