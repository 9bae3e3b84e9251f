"""Score the mapped letters against the readers' answer keys: `python tests/benchmarks/score_mapper.py`.

A measurement, not a test: it builds data/letters and every letter of ``$LOD_SHARED/letters`` (default:
the ``shared`` folder beside the repository) as one corpus, with data/annotations and the register, into
a temporary folder (checks included, as `lod build` does), then reads each keyed letter's catalogue view
from its graph and compares it with the key (tests/answer_keys.py: ``mapped_view``, ``score_mapped``):
author (dcterms:creator), addressees (schema:recipient), date (dcterms:date), translator, volume, pages,
and the persons mentioned, counted both ways:

- found (recall): of the persons a key names in the body or the notes, the share the letter's graph links
  (by an annotation or dcterms:references), matched by name or surname;
- right (precision): of the persons the graph links, the share the key names.

The letter's own people (author, addressees, translators, transcriber) are left out on both sides, and so
are key entries that describe rather than name ("the bearer (unnamed ...)"). Every miss and every wrong
link is printed with the words that made it.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from answer_keys import CATALOGUE, MAPPED_FIELDS, score_build

from lod.build import build

BASE = "http://127.0.0.1:5000/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=Path, help="folder of NNN_name.txt + .json (default $LOD_SHARED/letters)")
    parser.add_argument("--found", action="store_true", help="also print every person linked, with its quotes")
    args = parser.parse_args()
    shared = Path(os.environ.get("LOD_SHARED") or REPO.parent / "shared")
    folder = args.letters or shared / "letters"
    key_paths = sorted(folder.glob("*.json"))
    if not key_paths:
        sys.exit(f"no answer keys in {folder}")
    keys = [json.loads(p.read_text(encoding="utf-8")) for p in key_paths]

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        letters, annotations = root / "letters", root / "annotations"
        letters.mkdir()
        annotations.mkdir()
        for path in [*sorted((REPO / "data" / "letters").glob("*.txt")), *sorted(folder.glob("*.txt"))]:
            shutil.copy(path, letters / path.name)  # a file in both: one copy
        for path in (REPO / "data" / "annotations").glob("*.y*ml"):
            shutil.copy(path, annotations)
        result = build(letters, annotations, REPO / "ontology", BASE, root / "out")
    score = score_build(result, keys)

    print(f"{len(keys)} keyed letters in {folder}, built with data/letters as one corpus "
          f"({len(result.mapped)} letters)\n")
    print(f"{'field':<22}{'right':>7}{'of':>5}{'share':>9}")
    for field in MAPPED_FIELDS:
        total = score.total[field]
        if total:
            print(f"{field:<22}{score.right[field]:>7}{total:>5}{score.right[field] / total:>9.1%}")
    right, total = sum(score.right[f] for f in CATALOGUE), sum(score.total[f] for f in CATALOGUE)
    print(f"{'catalogue facts':<22}{right:>7}{total:>5}{score.share(CATALOGUE):>9.1%}")
    print(f"\npersons mentioned, found (recall):    {score.key_found:>3} of {score.key_persons:>3}  {score.recall():6.1%}")
    print(f"persons linked, right (precision):   {score.linked_right:>3} of {score.linked:>3}  {score.precision():6.1%}")
    print(f"\nwrong dates to the day: {len(score.wrong_days)}")
    for file, expected, got in score.wrong_days:
        print(f"  {file}: expected {expected!r}, got {got!r}")
    print(f"\ncatalogue misses ({len(score.misses)}):")
    for file, field, expected, got in score.misses:
        kind = "missing" if got in (None, [], ()) else "wrong"
        print(f"  {file:<34} {field:<20} {kind:<8} expected {expected!r}, got {got!r}")
    print(f"\npersons not found ({len(score.missed)}):")
    for file, names in score.missed:
        print(f"  {file:<34} {' / '.join(names)}")
    print(f"\npersons linked that the key does not name ({len(score.wrong_links)}):")
    for file, label, quotes in score.wrong_links:
        print(f"  {file:<34} {label!r} from {list(quotes)!r}")
    if args.found:
        print("\npersons linked, per letter:")
        mapped = {m.file: m for m in result.mapped}
        from answer_keys import mapped_view
        for key in keys:
            m = mapped[key["file"]]
            view = mapped_view(m.file, m.uri, m.graph)
            for uri, (label, quotes) in sorted(view.persons.items()):
                print(f"  {key['file']:<34} {label!r:<28} {uri.rsplit('/', 1)[-1]:<40} {list(quotes)!r}")


if __name__ == "__main__":
    main()
