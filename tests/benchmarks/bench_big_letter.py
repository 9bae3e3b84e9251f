"""Time the build of one big letter, stage by stage: `python tests/benchmarks/bench_big_letter.py [--sizes 0.5,1,2]`.

A benchmark, not a test: it prints figures and asserts nothing. The letter is the seed letter with its
body paragraphs repeated until the file has the size asked for (in MB), so that its text, its mentions and
its annotations all grow with it, as they would in a long real letter; with ``--plain``, paragraphs that
name no one, so that only its text grows.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import lod.parser
from lod.build import make_graphs
from lod.config import Settings
from lod.validate import validate

SEED = "000_6d2f7f5c90ee0ebe.txt"


PLAIN = ("and so the matter was put off again until the next meeting of the commission, where it was read "
         "once more and sent back for a further check of every paper in the case. ")


def big_letter(size: int, plain: bool) -> str:
    """The seed letter, its body paragraphs repeated up to ``size`` bytes (the header and the end kept);
    ``plain``: paragraphs of words that name no one instead, so that only the text grows."""
    text = (Settings().letters / SEED).read_text(encoding="utf-8")
    head, _, rest = text.partition("Comrade Zalutsky and Comrade Salts\n")
    body, _, tail = rest.partition("20.00 hours")
    paragraphs = [PLAIN * 20] if plain else [p for p in body.split("\n\n") if p.strip()]
    chunks, length = [], len((head + tail).encode())
    while length < size:
        for p in paragraphs:
            chunks.append(p)
            length += len(p.encode()) + 2
    return head + "Comrade Zalutsky and Comrade Salts\n\n" + "\n\n".join(chunks) + "\n\n20.00 hours" + tail


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0.25,0.5,1,2", help="letter sizes in MB, comma-separated")
    parser.add_argument("--plain", action="store_true", help="grow the letter with words that name no one")
    args = parser.parse_args()
    s = Settings()
    lod.parser.MAX_LETTER_BYTES = 64 * 2 ** 20  # measured past the limit, to see how time grows without it
    print(f"{'MB':>5} {'quads':>8} {'map s':>7} {'validate s':>11}")
    for mb in (float(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            letters, annotations = Path(tmp) / "letters", Path(tmp) / "annotations"
            letters.mkdir()
            annotations.mkdir()
            (letters / SEED).write_text(big_letter(int(mb * 2 ** 20), args.plain), encoding="utf-8")
            started = time.perf_counter()
            build = make_graphs(letters, annotations, s.ontology, s.base)
            mapped = time.perf_counter() - started
            started = time.perf_counter()
            problems = validate(build, s.ontology)
            checked = time.perf_counter() - started
            print(f"{mb:5.2f} {len(build.quads):8d} {mapped:7.2f} {checked:11.2f}"
                  + (f"  ({len(problems)} problems)" if problems else ""), flush=True)


if __name__ == "__main__":
    main()
