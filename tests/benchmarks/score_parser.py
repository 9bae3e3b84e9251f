"""Score the letter parser against the readers' answer keys: `python tests/benchmarks/score_parser.py`.

A measurement, not a test: it parses every letter in ``$LOD_SHARED/letters`` (default: the
``shared`` folder beside the repository), compares it field by field with the key beside it and
prints the share of right answers per field, then every miss (file, field, expected, got).

Two kinds of miss are told apart: *missing* (the parser gave nothing) and *wrong* (it gave something
else). A wrong date stated to the day is the worst mistake and is counted on its own line.

The date figure is given twice: against every key, and against the keys whose date the page itself
writes (``date.as_written`` not empty); a date a key takes from the page's address only cannot be read
from the text, and the parser should then give none.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "tests"))
from answer_keys import FIELDS, Score, score_letter  # noqa: E402
from lod.letter import LetterError  # noqa: E402
from lod.parser import read_letter  # noqa: E402

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=Path, help="folder of NNN_name.txt + .json (default $LOD_SHARED/letters)")
    parser.add_argument("--warnings", action="store_true", help="also print the parser's warnings")
    args = parser.parse_args()
    shared = Path(os.environ.get("LOD_SHARED") or REPO.parent / "shared")
    folder = args.letters or shared / "letters"
    keys = sorted(folder.glob("*.json"))
    if not keys:
        sys.exit(f"no answer keys in {folder}")

    score = Score()
    for key_path in keys:
        key = json.loads(key_path.read_text(encoding="utf-8"))
        letter, error = None, None
        try:
            letter = read_letter(key_path.with_name(key["file"]))
        except (LetterError, OSError) as err:
            error = f"error: {err}"
        except Exception as err:  # a crash is a finding, not the end of the measurement
            error = f"crash: {type(err).__name__}: {err}"
        if error:
            print(f"{key['file']}: {error}")
        score_letter(score, key, letter, error)
        if args.warnings and letter is not None:
            for w in letter.warnings:
                print(f"  warning {w}")

    print(f"\n{len(keys)} letters in {folder}\n")
    print(f"{'field':<22}{'right':>7}{'of':>5}{'share':>9}")
    for field in FIELDS:
        total = score.total[field]
        if total:
            print(f"{field:<22}{score.right[field]:>7}{total:>5}{score.right[field] / total:>9.1%}")
    print(f"\nwrong dates to the day: {len(score.wrong_days)}")
    for file, expected, got in score.wrong_days:
        print(f"  {file}: expected {expected!r}, got {got!r}")
    print(f"\nmisses ({len(score.misses)}):")
    for file, field, expected, got in score.misses:
        kind = "missing" if got in (None, [], ()) else "wrong"
        print(f"  {file:<34} {field:<20} {kind:<8} expected {expected!r}, got {got!r}")


if __name__ == "__main__":
    main()
