"""Any letter in: letters the code has never seen, written here in the layout of the Lenin Internet Archive.

Each test builds a small folder of made-up pages (with or without the seed letter and its curated
annotations) through the real `lod.build.build`, checks included, and asks the dump what it says.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from lod.build import build

REPO = Path(__file__).resolve().parents[1]
LETTERS = REPO / "data" / "letters"
ANNOTATIONS = REPO / "data" / "annotations"
ONTOLOGY = REPO / "ontology"
SEED_FILE = "000_6d2f7f5c90ee0ebe.txt"
PREFIXES = """\
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def page(body: str, *, byline: str | None = "V. I.   Lenin", written: str | None = None,
         source: str | None = "Lenin Collected Works, Progress Publishers, 1976, Moscow, Volume 45, page 100a.",
         to: str | None = None, date_line: str | None = None) -> str:
    """A letter page as the archive lays it out: byline, header fields, salutation and text, date line."""
    lines = [byline, "", ""] if byline else []
    if to:
        lines.append(f"To: {to}")
    if written:
        lines.append(f"Written: {written}")
    if source:
        lines.append(f"Source: {source}")
    lines += ["Translated: Yuri Sdobnikov", "Transcription\\Markup: R. Cymbala", "", "", body.strip(), ""]
    if date_line:
        lines += [date_line, ""]
    return "\n".join(lines)


class Corpus:
    """A folder of letters (and annotations) in tmp, built on demand."""

    def __init__(self, root: Path, seed: bool = False) -> None:
        self.letters, self.annotations, self.out = root / "letters", root / "annotations", root / "out"
        self.letters.mkdir(parents=True)
        self.annotations.mkdir()
        if seed:
            shutil.copy(LETTERS / SEED_FILE, self.letters)
            for path in ANNOTATIONS.glob("*.yaml"):
                shutil.copy(path, self.annotations)

    def add(self, name: str, text: str) -> str:
        (self.letters / name).write_text(text, encoding="utf-8")
        return name

    def build(self, base: str):
        return build(self.letters, self.annotations, ONTOLOGY, base, self.out)


def ask(result, query: str):
    store = ox.Store()
    store.extend(result.quads)
    answer = store.query(PREFIXES + query, use_default_graph_as_union=True)
    if isinstance(answer, ox.QueryBoolean):
        return bool(answer)
    names = [v.value for v in answer.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in answer]


def letter_uri(result, file: str) -> str:
    rows = ask(result, f'SELECT ?l WHERE {{ ?t dcterms:identifier "{file}" ; crm:P165_incorporates ?l }}')
    assert len(rows) == 1, rows
    return rows[0]["l"]


# --- 1. one odd letter never fails the corpus ---------------------------------------------------


def test_a_page_with_no_byline_and_no_date_builds_without_an_invented_author(tmp_path, base):
    corpus = Corpus(tmp_path)
    name = corpus.add("201_nobody.txt", page("Comrade Petrov:\n\nPlease send the figures at once.", byline=None))
    result = corpus.build(base)
    letter = letter_uri(result, name)
    assert not ask(result, f"ASK {{ <{letter}> dcterms:creator ?x }}"), "an author was invented"
    rows = ask(result, f"""
        SELECT ?c ?exact WHERE {{
          ?c a crm:E65_Creation ; crm:P94_has_created/crm:P73_has_translation <{letter}> ;
             crm:P2_has_type/rdfs:label "date unknown"@en .
          FILTER NOT EXISTS {{ ?c crm:P4_has_time-span ?ts }}
          ?a oa:hasBody ?c ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
        }}""")
    assert rows, "the creation of an undated letter has no evidence, or a time-span it cannot have"


def test_a_byline_that_is_no_name_gives_no_author(tmp_path, base):
    corpus = Corpus(tmp_path)
    name = corpus.add("202_odd.txt", page("Comrade Petrov:\n\nThe matter must be settled.",
                                          byline="First published in 1965 in Collected Works, Fifth Ed., Vol. 50."))
    result = corpus.build(base)
    assert not ask(result, f"ASK {{ <{letter_uri(result, name)}> dcterms:creator ?x }}")
    assert any("does not read as the name" in str(w) for w in result.warnings), [str(w) for w in result.warnings]


def test_undated_letters_to_one_person_get_uris_of_their_own_whatever_else_is_in_the_folder(tmp_path, base):
    texts = {f"30{n}_gorbunov.txt": page(f"Comrade Gorbunov:\n\nNote number {n}.",
                                         source=f"Lenin Collected Works, Progress Publishers, 1976, Moscow, "
                                                f"Volume 45, page {n}0a.") for n in range(1, 4)}
    together = Corpus(tmp_path / "all")
    for name, text in texts.items():
        together.add(name, text)
    result = together.build(base)
    uris = {name: letter_uri(result, name) for name in texts}
    assert len(set(uris.values())) == 3, uris
    for i, (name, text) in enumerate(texts.items()):  # the same URI when built alone
        alone = Corpus(tmp_path / f"alone{i}")
        alone.add(name, text)
        assert letter_uri(alone.build(base), name) == uris[name]


def test_two_letters_of_one_day_to_one_person_are_told_apart(tmp_path, base):
    corpus = Corpus(tmp_path)
    a = corpus.add("401_a.txt", page("Comrade Gorbunov:\n\nFirst note.", date_line="May 3, 1921."))
    b = corpus.add("402_b.txt", page("Comrade Gorbunov:\n\nSecond note.", date_line="May 3, 1921.",
                                     source="Lenin Collected Works, Progress Publishers, 1976, Moscow, "
                                            "Volume 45, page 101b."))
    result = corpus.build(base)
    assert letter_uri(result, a) != letter_uri(result, b)
    assert all("1921-05-03" in letter_uri(result, f) for f in (a, b))


def test_annotations_of_letters_not_in_the_folder_are_skipped_with_a_warning(tmp_path, base):
    corpus = Corpus(tmp_path)
    for path in ANNOTATIONS.glob("*.yaml"):
        shutil.copy(path, corpus.annotations)
    corpus.add("501_one.txt", page("Comrade Petrov:\n\nA short note.", date_line="June 1, 1921."))
    result = corpus.build(base)
    assert any(SEED_FILE in str(w) and "skipped" in str(w) for w in result.warnings), [str(w) for w in result.warnings]
