"""`lod curate`: a draft annotation file from what the software found; confirmed as it is, it builds,
links the same persons, and its quotes become curated annotations (the curators', not the software's)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import yaml
from click.testing import CliRunner

from lod.cli import main

REPO = Path(__file__).resolve().parents[1]
LETTERS, ANNOTATIONS = REPO / "data" / "letters", REPO / "data" / "annotations"
UNCURATED = ["002_chicherin-1921-07-25.txt", "007_glyasser-1922-09-23.txt", "008_zinoviev-1922-12-08.txt"]
OA, DCTERMS = "http://www.w3.org/ns/oa#", "http://purl.org/dc/terms/"


def lod(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def linked(out: Path) -> dict[str, set[tuple[str, bool]]]:
    """Per letter graph: (body of each annotation on a person, whether the software made it)."""
    found: dict[str, set[tuple[str, bool]]] = {}
    store = ox.Store()
    store.load(path=str(out / "letters.nq"), format=ox.RdfFormat.N_QUADS)
    for row in store.query(f"""SELECT ?g ?body ?creator WHERE {{ GRAPH ?g {{ ?a <{OA}hasBody> ?body
            FILTER(CONTAINS(STR(?body), "/id/person/")) ?a <{DCTERMS}creator> ?creator }} }}"""):
        made = "/id/agent/lod-letters-" in row["creator"].value
        found.setdefault(row["g"].value, set()).add((row["body"].value, made))
    return found


def test_a_confirmed_draft_builds_and_makes_the_findings_curated(tmp_path):
    annotations = tmp_path / "annotations"
    shutil.copytree(ANNOTATIONS, annotations)
    lod("build", "--out", str(tmp_path / "before"))
    for name in UNCURATED:
        text = lod("curate", name)
        draft = yaml.safe_load(text)
        assert draft["letter"] == name and draft["persons"]
        (annotations / name.replace(".txt", ".yaml")).write_text(text, encoding="utf-8")
    lod("build", "--annotations", str(annotations), "--out", str(tmp_path / "after"))
    before, after = linked(tmp_path / "before"), linked(tmp_path / "after")
    # The graphs of the drafted letters, by their files (build.json names each letter's file and URI).
    report = json.loads((tmp_path / "before" / "build.json").read_text(encoding="utf-8"))["report"]["letters"]
    drafted = [entry["uri"] for entry in report if entry["file"] in UNCURATED]
    assert len(drafted) == len(UNCURATED) and all(any(made for _, made in before[g]) for g in drafted)
    for graph in drafted:
        # The same persons, now by curated quotes: nothing of the drafts is left to the software.
        assert {body for body, _ in after[graph]} == {body for body, _ in before[graph]}
        assert not any(made for _, made in after[graph]), graph


def test_the_draft_is_never_written_over_a_file(tmp_path):
    out = tmp_path / "draft.yaml"
    out.write_text("kept\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["curate", UNCURATED[0], "--out", str(out)])
    assert result.exit_code != 0 and "exists" in result.output
    assert out.read_text(encoding="utf-8") == "kept\n"
    result = CliRunner().invoke(main, ["curate", "no-such-letter.txt"])
    assert result.exit_code != 0 and "no letter 'no-such-letter.txt'" in result.output
