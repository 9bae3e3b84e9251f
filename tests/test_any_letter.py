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
    name = corpus.add("201_nobody.txt", page("Comrade Petrov:\n\nPlease send the figures at once.", byline=None,
                                             source=None))
    result = corpus.build(base)
    letter = letter_uri(result, name)
    assert not ask(result, f"ASK {{ <{letter}> dcterms:creator ?x }}"), "an author was invented"
    rows = ask(result, f"""
        SELECT ?c ?exact WHERE {{
          ?c a crm:E65_Creation ; crm:P94_has_created/crm:P73_has_translation <{letter}> ;
             crm:P4_has_time-span ?ts .
          ?ts crm:P2_has_type/rdfs:label "date unknown"@en .
          FILTER NOT EXISTS {{ ?ts crm:P82a_begin_of_the_begin|crm:P82b_end_of_the_end ?bound }}
          ?a oa:hasBody ?c ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
        }}""")
    assert rows, "the creation of an undated letter has no evidence, or a time-span it cannot have"


@pytest.mark.parametrize("byline", ["First published in 1965 in Collected Works, Fifth Ed., Vol. 50.", "TO MAXIM GORKY"])
def test_a_byline_that_is_no_name_gives_no_author(base, byline):
    """Whatever the parser takes for a byline, the mapper makes no person of words that are no name."""
    import dataclasses

    from lod.annotations import Curation
    from lod.letter import Span
    from lod.mapper import map_one
    from lod.namespaces import DCTERMS
    from lod.parser import parse_letter
    from lod.uris import Minter

    text = page("Comrade Petrov:\n\nThe matter must be settled.", byline=byline, source=None)
    letter = dataclasses.replace(parse_letter(text, "202_odd.txt"), author=Span(0, len(byline), byline),
                                 author_name=None)
    mapped = map_one(letter, Curation(), Minter(base))
    assert mapped.graph.value(mapped.uri, DCTERMS.creator) is None
    assert any("does not read as the name" in w for w in mapped.warnings), mapped.warnings


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


# --- 2. identity -----------------------------------------------------------------------------------

SEED_POPOV_AND_KASPAROV = {"http://127.0.0.1:5000/id/person/popov", "http://127.0.0.1:5000/id/person/kasparov"}


def persons_named(result, letter: str) -> dict[str, str]:
    """Every person the letter's own graph names (recipient, creator, mention): URI -> label."""
    rows = ask(result, f"""
        SELECT DISTINCT ?p ?label WHERE {{ GRAPH <{letter}> {{ ?p a crm:E21_Person ; rdfs:label ?label }} }}""")
    return {r["p"]: r["label"] for r in rows}


def test_a_surname_never_merges_two_people_across_letters(tmp_path, base):
    """A 1922 letter to 'Comrade Popov' that mentions 'Comrade Kasparov', beside the seed letter (whose Popov was
    killed before December 1921 and whose Slava Kasparov died before 1917): neither is the seed's."""
    corpus = Corpus(tmp_path, seed=True)
    name = corpus.add("601_popov-1922.txt", page(
        "Comrade Popov:\n\nPlease see Comrade Kasparov about the grain figures and report to me.",
        date_line="March 3, 1922."))
    result = corpus.build(base)
    letter = letter_uri(result, name)
    named = persons_named(result, letter)
    assert not set(named) & {u.replace("http://127.0.0.1:5000/", base) for u in SEED_POPOV_AND_KASPAROV}, named
    recipients = [r["r"] for r in ask(result, f"SELECT ?r WHERE {{ <{letter}> schema:recipient ?r }}")]
    assert len(recipients) == 1 and named[recipients[0]] == "Popov"
    for uri, label in named.items():
        if label in ("Popov", "Kasparov"):
            assert ask(result, f'ASK {{ <{uri}> crm:P2_has_type/rdfs:label "unreconciled name"@en ; skos:note ?n }}'), uri
    # and the seed's own persons are still the seed's, curated
    seed = letter_uri(result, SEED_FILE)
    assert f"{base}id/person/popov" in persons_named(result, seed)
    assert f"{base}id/person/kasparov" in persons_named(result, seed)


@pytest.mark.parametrize("with_seed", [False, True], ids=["register-only", "with-seed-annotations"])
def test_lenin_is_one_person_with_one_label_whatever_the_byline(tmp_path, base, with_seed):
    corpus = Corpus(tmp_path, seed=with_seed)
    files = [corpus.add("701_a.txt", page("Comrade Petrov:\n\nFirst.", byline="Vladimir Ilyich Lenin",
                                          date_line="May 3, 1921.")),
             corpus.add("702_b.txt", page("Comrade Petrov:\n\nSecond.", byline="V. I. Lenin", date_line="May 4, 1921.")),
             corpus.add("703_c.txt", page("Comrade Petrov:\n\nThird.", byline="LENIN", date_line="May 5, 1921."))]
    result = corpus.build(base)
    creators = {r["c"] for f in files for r in ask(result, f"SELECT ?c WHERE {{ <{letter_uri(result, f)}> dcterms:creator ?c }}")}
    assert creators == {f"{base}id/person/lenin"}, creators
    labels = ask(result, f"SELECT DISTINCT ?l WHERE {{ <{base}id/person/lenin> rdfs:label ?l }}")
    assert [r["l"] for r in labels] == ["V. I. Lenin"]


def test_initials_of_a_registered_full_name_resolve_and_a_surname_alone_does_not(tmp_path, base):
    corpus = Corpus(tmp_path)
    a = corpus.add("801_a.txt", page("Comrade Zinoviev:\n\nSee Comrade Chicherin at once.", to="G. Y. ZINOVIEV",
                                     date_line="May 3, 1921."))
    result = corpus.build(base)
    letter = letter_uri(result, a)
    assert [r["r"] for r in ask(result, f"SELECT ?r WHERE {{ <{letter}> schema:recipient ?r }}")] == [f"{base}id/person/zinoviev"]
    named = persons_named(result, letter)
    # Chicherin is registered, but the register does not say his surname alone is enough (another Chicherin lived)
    chicherin = [u for u, label in named.items() if label == "Chicherin"]
    assert chicherin and chicherin[0] != f"{base}id/person/chicherin", named


def test_a_surname_names_the_one_person_of_that_name_in_the_same_letter(tmp_path, base):
    corpus = Corpus(tmp_path)
    a = corpus.add("901_a.txt", page("Dear Comrade Kayurov,\n\nI have read your letter.", to="V. N. KAYUROV",
                                     date_line="March 24, 1921."))
    result = corpus.build(base)
    named = persons_named(result, letter_uri(result, a))
    kayurov = [u for u, label in named.items() if "Kayurov" in label]
    assert len(kayurov) == 1, named


def test_two_registered_people_of_one_surname_make_it_resolve_to_neither(tmp_path, base):
    corpus = Corpus(tmp_path)
    a = corpus.add("902_a.txt", page("Comrade Gorbunov:\n\nPlease telephone at once.", date_line="May 3, 1921."))
    result = corpus.build(base)
    named = persons_named(result, letter_uri(result, a))
    assert not {f"{base}id/person/gorbunov-n-p", f"{base}id/person/gorbunov-p-p"} & set(named), named
    [mapped] = [m for m in result.mapped if m.file == a]
    [gorbunov] = [u for u in mapped.unreconciled if u.name == "Gorbunov"]
    assert {"gorbunov-n-p", "gorbunov-p-p"} <= set(gorbunov.candidates)


def test_a_curated_description_of_a_registered_entity_wins(tmp_path, base):
    corpus = Corpus(tmp_path)
    a = corpus.add("903_a.txt", page("Comrade Krasin:\n\nYou have working for you a man called Yermakov.",
                                     date_line="October 4, 1922."))
    (corpus.annotations / "903_a.yaml").write_text(
        "letter: 903_a.txt\npersons:\n  krasin:\n    label: Leonid Krasin\n    name: Leonid Borisovich Krasin\n"
        "    names: [Krasin]\n    mentions:\n      - quote: Krasin\n        suffix: ':'\n", encoding="utf-8")
    result = corpus.build(base)
    letter = letter_uri(result, a)
    assert [r["r"] for r in ask(result, f"SELECT ?r WHERE {{ <{letter}> schema:recipient ?r }}")] == [f"{base}id/person/krasin"]
    assert [r["l"] for r in ask(result, f"SELECT ?l WHERE {{ <{base}id/person/krasin> rdfs:label ?l }}")] == ["Leonid Krasin"]


def test_lod_register_lists_unreconciled_names_with_letters_and_candidates(tmp_path, base):
    from click.testing import CliRunner

    from lod.cli import main

    corpus = Corpus(tmp_path)
    corpus.add("904_a.txt", page("Comrade Gorbunov:\n\nPlease telephone at once.", date_line="May 3, 1921."))
    corpus.add("905_b.txt", page("Comrade Gorbunov:\n\nPlease write at once.", date_line="May 4, 1921."))
    run = CliRunner().invoke(main, ["register", "--letters", str(corpus.letters), "--annotations",
                                    str(corpus.annotations), "--base", base, "--json"])
    assert run.exit_code == 0, run.output
    import json

    names = {(n["kind"], n["name"]): n for n in json.loads(run.stdout)}
    gorbunov = names[("person", "Gorbunov")]
    assert [m["file"] for m in gorbunov["letters"]] == ["904_a.txt", "905_b.txt"]
    assert len({m["entity"] for m in gorbunov["letters"]}) == 2, "one surname in two letters is two entities"
    assert {"gorbunov-n-p", "gorbunov-p-p"} <= set(gorbunov["candidates"])


# --- 3. what the software found says so --------------------------------------------------------------


def test_annotations_the_software_made_name_it_and_curated_ones_do_not(built, base):
    """The seed letter has curated quotes and software finds; a letter without annotations has finds only."""
    rows = ask(built, """
        SELECT ?a ?creator ?version ?type WHERE {
          ?a a oa:Annotation .
          OPTIONAL { ?a dcterms:creator ?creator . ?creator a ?type ; schema:softwareVersion ?version }
        }""")
    made_by = {r["a"]: r for r in rows}
    assert {r["type"] for r in rows if r["creator"]} == {"http://www.w3.org/ns/prov#SoftwareAgent"}
    from lod import __version__

    assert {r["version"] for r in rows if r["creator"]} == {__version__}
    chicherin = [a for a in made_by if "/letter/1921-07-25-chicherin/" in a]
    assert chicherin and all(made_by[a]["creator"] for a in chicherin), "a letter nobody curated has only finds"
    # A curated quote (the expulsion, quoted in data/annotations) carries no software creator.
    curated = ask(built, """
        SELECT ?a WHERE { ?a oa:hasBody ?e ; oa:hasTarget/oa:hasSelector/oa:exact ?x . ?e a crm:E86_Leaving }""")
    assert curated and not any(made_by[r["a"]]["creator"] for r in curated)


# --- 4. the whole archive as one corpus ---------------------------------------------------------------


@pytest.fixture(scope="module")
def archive(tmp_path_factory, base):
    """data/letters and every letter of $LOD_SHARED/letters in one folder, built as one corpus (checks included)."""
    from support import shared_dir, skip_or_fail

    shared = shared_dir() / "letters"
    if not shared.is_dir() or not list(shared.glob("*.txt")):
        skip_or_fail(f"shared letters not found: {shared} (set LOD_SHARED)")
    root = tmp_path_factory.mktemp("archive")
    corpus = Corpus(root)
    for path in [*sorted(LETTERS.glob("*.txt")), *sorted(shared.glob("*.txt"))]:
        shutil.copy(path, corpus.letters / path.name)  # the same file in both: one copy
    for path in ANNOTATIONS.glob("*.yaml"):
        shutil.copy(path, corpus.annotations)
    return corpus, corpus.build(base)


def test_the_whole_archive_builds_as_one_corpus(archive):
    corpus, result = archive
    files = sorted(p.name for p in corpus.letters.glob("*.txt"))
    assert [m.file for m in result.mapped] == files
    assert len({str(m.uri) for m in result.mapped}) == len(files), "two letters share a URI"
    assert (corpus.out / "letters.nq").is_file()


def test_every_thing_has_one_label_in_the_whole_archive(archive):
    _, result = archive
    rows = ask(result, """
        SELECT ?s (COUNT(DISTINCT ?l) AS ?n) WHERE { ?s rdfs:label ?l } GROUP BY ?s HAVING (COUNT(DISTINCT ?l) > 1)""")
    assert rows == [], rows[:5]


def test_build_json_reports_every_letter(archive):
    import json

    corpus, result = archive
    report = json.loads((corpus.out / "build.json").read_text(encoding="utf-8"))["report"]
    assert [e["file"] for e in report["letters"]] == [m.file for m in result.mapped]
    for entry in report["letters"]:
        assert entry["uri"].startswith(result.base + "id/letter/")
        assert entry["counts"]["triples"] > 0 and entry["counts"]["annotations"] > 0
        assert set(entry) == {"file", "uri", "warnings", "unreconciled", "counts"}
    assert report["totals"]["letters"] == len(result.mapped)
    named = {(n["kind"], n["name"]) for n in report["unreconciled"]}
    assert all(f"{kind}: {name}" in sum((e["unreconciled"] for e in report["letters"]), [])
               for kind, name in named)


def test_the_build_command_reports_per_letter(archive, base, tmp_path):
    from click.testing import CliRunner

    from lod.cli import main

    corpus, result = archive
    run = CliRunner().invoke(main, ["build", "--letters", str(corpus.letters), "--annotations", str(corpus.annotations),
                                    "--base", base, "--out", str(tmp_path / "out")])
    assert run.exit_code == 0, run.output
    for mapped in result.mapped:
        assert f"{mapped.file}  <{mapped.uri}>" in run.stdout
    assert "unreconciled name(s)" in run.stdout


def test_the_archive_meets_the_answer_keys(archive):
    """The issue's targets, read from each keyed letter's graph (tests/answer_keys.py, as
    tests/benchmarks/score_mapper.py prints them): catalogue facts at least 95% right, at least 80% of the
    persons a key names found, at least 95% of the persons linked ones the key names, no day the text does
    not give."""
    import json

    from answer_keys import CATALOGUE, score_build
    from support import shared_dir

    _, result = archive
    keys = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((shared_dir() / "letters").glob("*.json"))]
    assert keys, "no answer keys beside the shared letters"
    score = score_build(result, keys)
    assert score.share(CATALOGUE) >= 0.95, score.misses
    assert score.recall() >= 0.80, (score.recall(), score.missed)
    assert score.precision() >= 0.95, (score.precision(), score.wrong_links)
    assert score.wrong_days == []
