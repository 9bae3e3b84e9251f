"""Hostile and mistaken YAML in the curators' files (annotation files, the register): `lod build` says what is
wrong, one line per problem with its file and line, and exits non-zero; never a traceback, a hang or gigabytes.

docs/design.md, "The flow" (lod.annotations, lod.identity); the shapes are lod/schema.py's tables.
"""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ANNOTATIONS, LETTERS, REPO, lod

SEED = "000_6d2f7f5c90ee0ebe"

# Nine levels of nine aliases: 9^9 (387 million) strings once walked, as the loader walks a list of names.
# Before the loader refused aliases such a file took 78 s and 4 GB before a traceback.
ALIAS_BOMB = f"letter: {SEED}.txt\npersons:\n  x:\n    label: X\n    note:\n" + "".join(
    f"      - &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n" for i in range(9)
) + "    names: *l8\n"


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A letters folder with the seed letter and an empty annotations folder, for one file under test."""
    letters, annotations = tmp_path / "letters", tmp_path / "annotations"
    letters.mkdir()
    annotations.mkdir()
    shutil.copy(LETTERS / f"{SEED}.txt", letters)
    return letters, annotations


def build_with(folders: tuple[Path, Path], tmp_path: Path, *extra: str):
    letters, annotations = folders
    return lod("build", "--letters", str(letters), "--annotations", str(annotations), "--out",
               str(tmp_path / "out"), *extra)


def problem_lines(stderr: str) -> list[str]:
    """The lines that name a problem (``file:line: ...``), without click's 'Error: ' and the count above them."""
    lines = [line.removeprefix("Error: ") for line in stderr.strip().splitlines()]
    return [line for line in lines if not line.endswith("problems in the YAML files:")]


def assert_refused(run, *expected: str) -> None:
    assert run.returncode != 0, run.stdout
    assert "Traceback" not in run.stderr, run.stderr
    assert problem_lines(run.stderr) == list(expected), run.stderr


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_DATA, (1536 * 2 ** 20, resource.RLIM_INFINITY))


def test_an_alias_bomb_is_refused_at_its_first_alias(folders, tmp_path):
    """The attack itself, in a process of its own with at most 1.5 GiB and two minutes: refused in a moment."""
    letters, annotations = folders
    (annotations / "bomb.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "lod.cli", "build", "--letters", str(letters),
                          "--annotations", str(annotations), "--out", str(tmp_path / "out")],
                         cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                         timeout=120, preexec_fn=_limit_memory, check=False)
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.stderr.strip() == "Error: bomb.yaml:7: an alias (*l0) is not accepted here: write the value out"
    assert not (tmp_path / "out").exists()


def test_a_list_where_entries_belong(folders, tmp_path):
    (folders[1] / f"{SEED}.yaml").write_text(f"letter: {SEED}.txt\npersons: [a, b]\n", encoding="utf-8")
    assert_refused(build_with(folders, tmp_path),
                   f"{SEED}.yaml:2: persons: expected a mapping of ids to entries, found a list")


def test_deep_nesting(folders, tmp_path):
    deep = "[" * 5000 + "]" * 5000
    (folders[1] / "deep.yaml").write_text(f"letter: {SEED}.txt\npersons:\n  x:\n    note: {deep}\n",
                                          encoding="utf-8")
    assert_refused(build_with(folders, tmp_path), "deep.yaml:4: nested more than 32 levels deep")


def test_every_problem_of_every_file_one_line_each(folders, tmp_path):
    (folders[1] / "a.yaml").write_text(f"""\
letter: {SEED}.txt
persons:
  lenin:
    label: 1917
    nmae: Lenin
    mentions:
      - quote: Zalutsky
      - prefix: "Comrade "
  Bad_Id:
    label: Someone
  lenin:
    label: again
events:
  expulsion:
    class: E86_Leaving
    label: Expulsion
    P145_separated: [lenin, {{who: x}}]
    time: {{begin: [1921]}}
relations:
  - subject: lenin
    property: knows
  - {{subject: a, property: b, object: c, evidence: Zalutsky}}
relatoins: []
""", encoding="utf-8")
    (folders[1] / "b.yaml").write_text("letter: !!python/object/apply:os.system [echo hi]\n", encoding="utf-8")
    (folders[1] / "c.yaml").write_text("letter: [unclosed\n", encoding="utf-8")
    assert_refused(
        build_with(folders, tmp_path),
        "a.yaml:4: persons.lenin.label: expected text, found a number",
        "a.yaml:5: persons.lenin.nmae: unknown key (the keys are label, name, names, same_as, note, mentions, "
        "evidence, class, type, time, content, written_on)",
        "a.yaml:8: persons.lenin.mentions[1]: needs 'quote'",
        "a.yaml:9: persons.Bad_Id: an id is lower-case ASCII words joined by '-'",
        "a.yaml:11: persons.lenin: given twice (first at line 3)",
        "a.yaml:17: events.expulsion.P145_separated[1]: expected text, found a mapping",
        "a.yaml:18: events.expulsion.time.begin: expected an ISO date-time (1921-12-20T20:00:00), found a list",
        "a.yaml:20: relations[0]: needs 'object'",
        "a.yaml:20: relations[0]: needs 'evidence'",
        "a.yaml:22: relations[1].evidence: expected a list of quotes, found text",
        "a.yaml:23: relatoins: unknown section (the sections are letter, slug, persons, groups, places, texts, "
        "events, relations)",
        "b.yaml:1: letter: expected text, found a list tagged !!python/object/apply:os.system",
        "c.yaml:2: not readable YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence)")


def test_an_oversized_file_is_not_read(folders, tmp_path):
    (folders[1] / "big.yaml").write_text(f"letter: {SEED}.txt\n# {'x' * 3 * 2 ** 20}\n", encoding="utf-8")
    assert_refused(build_with(folders, tmp_path), "big.yaml: larger than 2048 KiB, the largest YAML file read")


def test_the_register_is_checked_the_same_way(folders, tmp_path):
    register = tmp_path / "register.yaml"
    register.write_text("persons:\n  lenin:\n    name: Lenin\n    unambiguous_surname: yes please\n"
                        "groups: [party]\n", encoding="utf-8")
    assert_refused(build_with(folders, tmp_path, "--register", str(register)),
                   "register.yaml:3: persons.lenin: needs 'label'",
                   "register.yaml:4: persons.lenin.unambiguous_surname: expected true or false, found text",
                   "register.yaml:5: groups: expected a mapping of ids to entries, found a list")


def test_relations_and_a_texts_content_pass_the_check():
    """The seed's annotation file as the model reads it (``relations:``, a text's ``content`` and ``written_on``)
    is of the shape lod/schema.py gives: its relations reach the curation."""
    from lod.annotations import load_curation

    curation = load_curation(ANNOTATIONS)
    assert len(curation.relations[f"{SEED}.txt"]) >= 5
    assert curation.entities["lepeshinskaya-inscription"].content is not None
