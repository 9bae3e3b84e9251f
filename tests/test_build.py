"""What a user can ask of the built data: SPARQL over the real N-Quads dump of data/letters.

The session fixtures (conftest.py) build data/letters + data/annotations once, load the
N-Quads dump into pyoxigraph and answer SPARQL with the union of all graphs as default graph.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from lod import crm
from lod.build import BuildError, build
from support import ANNOTATIONS, LETTERS, lod

SEED_FILE = "000_6d2f7f5c90ee0ebe.txt"
SEED_SLUG = "1921-12-20-zalutsky-salts"
KEY_NAMES = ["002_chicherin-1921-07-25", "007_glyasser-1922-09-23", "008_zinoviev-1922-12-08"]
XSD = "http://www.w3.org/2001/XMLSchema#"
EDTF = "http://id.loc.gov/datatypes/edtf"


@pytest.fixture(scope="module")
def seed(base: str) -> str:
    """The seed letter's URI, which is also the name of its graph."""
    return f"{base}id/letter/{SEED_SLUG}"


def squash(text: str) -> str:
    return " ".join(text.split())


def source_text(file: str) -> str:
    """A letter file as the selectors count in it: UTF-8, no newline translation."""
    path = (LETTERS / file).resolve()
    assert path.parent == LETTERS.resolve(), f"{file!r} is not a file in data/letters"
    return source_text_of(path)


def source_text_of(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def one(rows: list[dict], what: str) -> dict:
    assert len(rows) == 1, f"expected exactly one {what}, got {len(rows)}: {rows}"
    return rows[0]


def letter_of(sparql, file: str) -> str:
    """The English letter whose source text is ``file`` (text -P165-> letter)."""
    rows = sparql(f'SELECT DISTINCT ?letter WHERE {{ ?text dcterms:identifier "{file}" ; crm:P165_incorporates ?letter }}')
    return one(rows, f"letter incorporated in the text {file}")["letter"]


# --- 1. persons of the seed letter ------------------------------------------------------

# Each person as the text names them; patterns over rdfs:label + foaf:name, words whole,
# so that "Kasparov" (the brother) is not "Kasparova" and "Popov" (the husband) not "Popova".
SEED_PERSONS = {
    "Lenin": [r"\bLenin\b"],
    "Zalutsky": [r"\bZalutsky\b"],
    "Solts (written Salts)": [r"\bS[oa]lts\b"],
    "Kasparova-Popova": [r"\bKasparova\b", r"\bPopova\b"],
    "Kasparov": [r"\bKasparov\b"],
    "Popov": [r"\bPopov\b"],
    "Sverdlov": [r"\bSverdlov\b"],
    "Stalin": [r"\bStalin\b"],
    "Safarov": [r"\bSafarov\b"],
    "Zinoviev": [r"\bZinoviev\b"],
    "Kornblyum": [r"\bKornblyum\b"],
    "Lepeshinskaya": [r"\bLepeshinskaya\b"],
    "Sdobnikov": [r"\bSdobnikov\b"],
    "Cymbala": [r"\bCymbala\b"],
}


def test_seed_letter_graph_has_all_its_persons(sparql, seed):
    """The seed letter's own graph holds >= 14 persons, each one the text names, each by name."""
    rows = sparql(f"""
        SELECT ?p (GROUP_CONCAT(DISTINCT ?n; separator=" | ") AS ?names) WHERE {{
          GRAPH <{seed}> {{ ?p a crm:E21_Person . OPTIONAL {{ ?p foaf:name|rdfs:label ?n }} }}
        }} GROUP BY ?p""")
    persons = {r["p"]: r["names"] or "" for r in rows}
    assert len(persons) >= 14, sorted(persons)
    found = {}
    for who, patterns in SEED_PERSONS.items():
        matches = [p for p, names in persons.items() if all(re.search(pat, names) for pat in patterns)]
        assert len(matches) == 1, f"{who}: expected one person named so, got {matches}"
        found[who] = matches[0]
    assert len(set(found.values())) == len(SEED_PERSONS), f"two names resolve to one person: {found}"


# --- 2.-4. events of the seed letter ---------------------------------------------------


def test_expulsion_separates_kasparova_from_the_party(sparql):
    rows = sparql("""
        SELECT DISTINCT ?e WHERE {
          ?e a crm:E86_Leaving ; crm:P145_separated ?p ; crm:P146_separated_from ?g .
          ?p a crm:E21_Person ; rdfs:label ?pl . FILTER(CONTAINS(?pl, "Kasparova"))
          ?g a crm:E74_Group ; rdfs:label ?gl . FILTER(CONTAINS(?gl, "Party"))
        }""")
    one(rows, "expulsion of Kasparova from the Party")


def test_reinstatement_rejoins_her_to_the_same_party(sparql):
    """Reinstatement: an E85_Joining typed 'reinstatement', P143 her, P144 the Party she was expelled from."""
    rows = sparql("""
        SELECT DISTINCT ?e WHERE {
          ?e a crm:E85_Joining ; crm:P2_has_type ?type ; crm:P143_joined ?p ; crm:P144_joined_with ?g .
          ?type rdfs:label ?tl . FILTER(STR(?tl) = "reinstatement")
          ?p rdfs:label ?pl . FILTER(CONTAINS(?pl, "Kasparova"))
          ?leaving a crm:E86_Leaving ; crm:P145_separated ?p ; crm:P146_separated_from ?g .
          ?g a crm:E74_Group ; rdfs:label ?gl . FILTER(CONTAINS(?gl, "Party"))
        }""")
    one(rows, "reinstatement of Kasparova-Popova in the Party")


def test_joining_the_party_at_17(sparql):
    """The earlier joining (not the reinstatement), anchored on the words 'at the age of 17'."""
    rows = sparql("""
        SELECT DISTINCT ?e WHERE {
          ?e a crm:E85_Joining ; crm:P143_joined ?p ; crm:P144_joined_with ?g .
          FILTER NOT EXISTS { ?e crm:P2_has_type/rdfs:label ?tl . FILTER(STR(?tl) = "reinstatement") }
          ?p rdfs:label ?pl . FILTER(CONTAINS(?pl, "Kasparova"))
          ?g a crm:E74_Group ; rdfs:label ?gl . FILTER(CONTAINS(?gl, "Party"))
          ?a oa:hasBody ?e ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
          FILTER(CONTAINS(?exact, "at the age of 17"))
        }""")
    one(rows, "joining of the Party at 17")


def test_two_deaths_with_their_places(sparql):
    rows = sparql("""
        SELECT DISTINCT ?d ?who ?where WHERE {
          ?d a crm:E69_Death ; crm:P100_was_death_of ?p ; crm:P7_took_place_at ?pl .
          ?p a crm:E21_Person ; rdfs:label ?who .
          ?pl a crm:E53_Place ; rdfs:label ?where .
        }""")
    all_deaths = {r["d"] for r in sparql("SELECT DISTINCT ?d WHERE { ?d a crm:E69_Death }")}
    assert len(all_deaths) == 2 and {r["d"] for r in rows} == all_deaths, (all_deaths, rows)
    deaths = {(r["who"], r["where"]) for r in rows}
    assert any(re.search(r"\bPopov\b", who) and "Far East" in where for who, where in deaths), deaths
    assert any(re.search(r"\bKasparov\b", who) and "Switzerland" in where for who, where in deaths), deaths


# --- 5.-6. creation and publication ------------------------------------------------------


def test_creation_dictated_by_phone_by_lenin_at_20_hours(sparql, seed):
    rows = sparql(f"""
        SELECT DISTINCT ?c WHERE {{
          ?c a crm:E65_Creation ; crm:P14_carried_out_by ?lenin ; crm:P4_has_time-span ?ts ;
             crm:P2_has_type ?type ; crm:P94_has_created ?original .
          <{seed}> dcterms:creator ?lenin .
          ?lenin a crm:E21_Person ; rdfs:label ?ll . FILTER(CONTAINS(?ll, "Lenin"))
          ?ts crm:P82a_begin_of_the_begin "1921-12-20T20:00:00"^^xsd:dateTime .
          ?type rdfs:label ?tl . FILTER(STR(?tl) = "dictation by phone")
          ?original crm:P73_has_translation <{seed}> .
        }}""")
    one(rows, "creation of the seed letter")


def test_first_publication_1959_in_lenin_miscellany(sparql, seed):
    """Publication is an activity that used the text (Linked Art), and Lenin Miscellany XXXVI includes it."""
    rows = sparql(f"""
        SELECT DISTINCT ?e WHERE {{
          ?e a crm:E7_Activity ; crm:P2_has_type ?type ; crm:P16_used_specific_object ?original, ?venue ;
             crm:P4_has_time-span ?ts .
          ?type rdfs:label ?tl ; skos:broader/rdfs:label ?broader .
          FILTER(STR(?tl) = "first publication" && STR(?broader) = "publishing")
          ?original crm:P73_has_translation <{seed}> .
          ?venue crm:P106_is_composed_of ?original ; rdfs:label ?vl . FILTER(CONTAINS(?vl, "Lenin Miscellany XXXVI"))
          ?ts crm:P82a_begin_of_the_begin ?b . FILTER(YEAR(?b) = 1959)
        }}""")
    one(rows, "first publication in 1959")


def test_no_publication_creates_anything(sparql):
    rows = sparql("""
        SELECT ?e WHERE { ?e crm:P2_has_type/rdfs:label ?tl ; crm:P94_has_created ?x .
                          FILTER(STR(?tl) IN ("publishing", "first publication")) }""")
    assert rows == [], rows


def test_publication_in_collected_works_volume_45(sparql, seed):
    """1976, Progress Publishers, Moscow; the letter has the pages and is part of volume 45."""
    rows = sparql(f"""
        SELECT DISTINCT ?e WHERE {{
          <{seed}> schema:pagination "414b-415a" ; dcterms:isPartOf ?volume .
          ?volume schema:volumeNumber "45" ; rdfs:label ?vl . FILTER(CONTAINS(?vl, "Collected Works"))
          ?volume crm:P106_is_composed_of <{seed}> ; crm:P2_has_type/rdfs:label "volume"@en .
          ?series crm:P106_is_composed_of ?volume ; crm:P2_has_type/rdfs:label "series"@en .
          ?e a crm:E7_Activity ; crm:P2_has_type/rdfs:label "publishing"@en ;
             crm:P16_used_specific_object ?volume, <{seed}> ;
             crm:P14_carried_out_by ?publisher ; crm:P7_took_place_at ?place ; crm:P4_has_time-span ?ts .
          ?publisher a crm:E74_Group ; rdfs:label ?pl . FILTER(CONTAINS(?pl, "Progress Publishers"))
          ?place a crm:E53_Place ; rdfs:label ?placel . FILTER(CONTAINS(?placel, "Moscow"))
          ?ts crm:P82a_begin_of_the_begin ?b ; crm:P82b_end_of_the_end ?end .
          FILTER(YEAR(?b) = 1976 && YEAR(?end) = 1976)
        }}""")
    one(rows, "publication in Lenin Collected Works, Volume 45")


def test_translation_by_sdobnikov_from_the_russian_original(sparql, seed):
    rows = sparql(f"""
        SELECT DISTINCT ?e ?original WHERE {{
          ?e a crm:E65_Creation ; crm:P14_carried_out_by ?t ; crm:P94_has_created <{seed}> ;
             crm:P16_used_specific_object ?original .
          ?t a crm:E21_Person ; foaf:name ?n . FILTER(CONTAINS(?n, "Sdobnikov"))
          ?original a crm:E33_Linguistic_Object ; crm:P73_has_translation <{seed}> .
        }}""")
    row = one(rows, "translation by Sdobnikov")
    assert row["original"] != seed


def test_transcription_by_cymbala(sparql, seed):
    rows = sparql(f"""
        SELECT DISTINCT ?e WHERE {{
          ?e a crm:E65_Creation ; crm:P14_carried_out_by ?c ; crm:P2_has_type/rdfs:label ?tl .
          FILTER(STR(?tl) = "transcription")
          {{ ?e crm:P16_used_specific_object <{seed}> }} UNION {{ ?e crm:P94_has_created/crm:P165_incorporates <{seed}> }}
          ?c a crm:E21_Person ; foaf:name ?n . FILTER(CONTAINS(?n, "Cymbala"))
        }}""")
    one(rows, "transcription by Cymbala")


# --- 7. evidence -------------------------------------------------------------------------


def test_every_annotation_cuts_its_quote_out_of_the_source_file(sparql):
    """oa:start/oa:end slice exactly oa:exact out of the file; prefix and suffix sit right beside it."""
    annotations = {r["a"] for r in sparql("SELECT DISTINCT ?a WHERE { ?a a oa:Annotation }")}
    assert annotations
    rows = sparql("""
        SELECT DISTINCT ?a ?file ?exact ?prefix ?suffix ?start ?end WHERE {
          ?a a oa:Annotation ; oa:hasTarget ?t .
          ?t oa:hasSource ?src ; oa:hasSelector ?q, ?pos .
          ?src dcterms:identifier ?file .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact .
          OPTIONAL { ?q oa:prefix ?prefix } OPTIONAL { ?q oa:suffix ?suffix }
          ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
        }""")
    per_annotation = {}
    for r in rows:
        per_annotation.setdefault(r["a"], []).append(r)
    assert set(per_annotation) == annotations, f"annotations without a readable target: {sorted(annotations - set(per_annotation))[:5]}"
    bad = []
    for ann, found in per_annotation.items():
        if len(found) != 1:
            bad.append(f"{ann}: {len(found)} selector combinations")
            continue
        r = found[0]
        text, start, end = source_text(r["file"]), int(r["start"]), int(r["end"])
        if text[start:end] != r["exact"]:
            bad.append(f"{ann}: [{start}:{end}] is {text[start:end]!r}, exact is {r['exact']!r}")
        if r["prefix"] is None or not text[:start].endswith(r["prefix"]):
            bad.append(f"{ann}: prefix {r['prefix']!r} is not right before {start}")
        if r["suffix"] is None or not text[end:].startswith(r["suffix"]):
            bad.append(f"{ann}: suffix {r['suffix']!r} is not right after {end}")
        if not r["prefix"] and start > 0 or not r["suffix"] and end < len(text):
            bad.append(f"{ann}: empty prefix/suffix although the quote is not at an edge of the file")
    assert not bad, "\n".join(bad[:10])


def test_every_event_has_evidence(sparql, built):
    """Anything typed with a CRM event class (E5_Event or below) is the body of an annotation."""
    classes = {r["c"] for r in sparql("SELECT DISTINCT ?c WHERE { ?x a ?c . FILTER(STRSTARTS(STR(?c), STR(crm:))) }")}
    crm_ns = "http://www.cidoc-crm.org/cidoc-crm/"
    event_classes = {c for c in classes if "E5_Event" in crm.ancestors(c[len(crm_ns):])}
    assert {crm_ns + "E86_Leaving", crm_ns + "E65_Creation", crm_ns + "E69_Death"} <= event_classes
    values = " ".join(f"<{c}>" for c in sorted(event_classes))
    events = sparql(f"SELECT DISTINCT ?e WHERE {{ VALUES ?c {{ {values} }} ?e a ?c }}")
    assert len(events) >= 10
    # An event is the body of an annotation; a claim (an attribute assignment) is documented by one.
    missing = sparql(f"""
        SELECT DISTINCT ?e WHERE {{
          VALUES ?c {{ {values} }} ?e a ?c .
          FILTER NOT EXISTS {{ ?a a oa:Annotation ; oa:hasBody ?e }}
          FILTER NOT EXISTS {{ ?e a crm:E13_Attribute_Assignment . ?a a oa:Annotation ; crm:P70_documents ?e }}
        }}""")
    assert missing == [], missing


def test_every_annotation_has_a_maker_and_never_the_voice(sparql):
    """An annotation is made by the curators or the software (dcterms:creator); who states what the passage
    says is the voice of the attribute assignments it documents, never prov:wasAttributedTo."""
    rows = sparql("""
        SELECT ?a (COUNT(DISTINCT ?maker) AS ?n) WHERE {
          ?a a oa:Annotation .
          OPTIONAL { ?a dcterms:creator ?maker . { ?maker a prov:SoftwareAgent } UNION { ?maker a prov:Agent } }
        } GROUP BY ?a""")
    assert rows and all(r["n"] == "1" for r in rows), [r for r in rows if r["n"] != "1"][:5]
    assert not sparql("ASK { ?a a oa:Annotation ; prov:wasAttributedTo ?v }")


def test_every_claim_has_one_voice(sparql):
    """Every annotation that documents claims documents those of one voice: the author's (body, salutation,
    closing), the editors' (header, date lines, notes, citation), or one the passage reports. A letter whose
    author is unknown (121_prokofiev: no author is invented) makes no claim in its author's words."""
    rows = sparql("""
        SELECT ?a (COUNT(DISTINCT ?v) AS ?n) WHERE {
          ?a a oa:Annotation ; crm:P70_documents ?claim .
          ?claim a crm:E13_Attribute_Assignment ; crm:P14_carried_out_by ?v .
          { ?v a crm:E21_Person } UNION { ?v a crm:E74_Group }
        } GROUP BY ?a""")
    assert len(rows) > 100 and all(r["n"] == "1" for r in rows), [r for r in rows if r["n"] != "1"][:5]


@pytest.mark.parametrize("quote, voice_class, voice_name, body_class", [
    ("was reinstated in the Party", "E74_Group", "Editors", "E85_Joining"),
    ("her expulsion from the Party", "E21_Person", "Kasparova", "E86_Leaving"),
])
def test_whose_voice_states_the_claim(sparql, quote, voice_class, voice_name, body_class):
    """The editors' footnote states the reinstatement; Kasparova-Popova (reported by Lenin) her expulsion."""
    rows = sparql(f"""
        SELECT DISTINCT ?a ?vl WHERE {{
          ?a a oa:Annotation ; oa:hasBody ?body ; oa:hasTarget/oa:hasSelector/oa:exact ?exact ;
             crm:P70_documents ?claim .
          FILTER(CONTAINS(?exact, "{quote}"))
          ?body a crm:{body_class} .
          ?claim crm:P140_assigned_attribute_to ?body ; crm:P14_carried_out_by ?voice .
          ?voice a crm:{voice_class} ; rdfs:label ?vl .
        }}""")
    assert rows, f"no annotation on {quote!r} about a {body_class} attributed to a {voice_class}"
    assert all(voice_name in r["vl"] for r in rows), rows


# --- 8. identity -------------------------------------------------------------------------


def test_same_as_only_to_listed_authorities(sparql, shared, require):
    table = require(shared / "authorities.tsv", "authority file")
    with table.open(encoding="utf-8", newline="") as handle:
        allowed = {row["wikidata"].strip() for row in csv.DictReader(handle, delimiter="\t")}
    used = {r["o"] for r in sparql("SELECT DISTINCT ?o WHERE { ?s owl:sameAs ?o }")}
    assert used, "no owl:sameAs at all"
    assert used <= allowed, sorted(used - allowed)


def test_lenin_is_wikidata_q1394(sparql):
    assert sparql("""ASK { ?p a crm:E21_Person ; foaf:name ?n ; owl:sameAs <http://www.wikidata.org/entity/Q1394> .
                           FILTER(CONTAINS(?n, "Lenin")) }""")


# --- 9. the readers' answer keys, through the catalogue view --------------------------------


def names_of(sparql, letter: str, prop: str) -> dict[str, list[str]]:
    rows = sparql(f"SELECT DISTINCT ?x ?n WHERE {{ <{letter}> {prop} ?x . OPTIONAL {{ ?x rdfs:label|foaf:name ?n }} }}")
    found: dict[str, list[str]] = {}
    for r in rows:
        found.setdefault(r["x"], []).append(squash(r["n"] or ""))
    return found


def surname(name: str) -> str:
    """'M. I. Glyasser (Maria Glyasser)' -> 'Glyasser'."""
    return re.sub(r"\([^)]*\)", " ", name).split()[-1]


@pytest.fixture(params=KEY_NAMES)
def key(request, shared, require) -> dict:
    path = require(shared / "letters" / f"{request.param}.json", "answer key")
    return json.loads(path.read_text(encoding="utf-8"))


def test_answer_key_author(sparql, key):
    letter = letter_of(sparql, key["file"])
    creators = names_of(sparql, letter, "dcterms:creator")
    assert len(creators) == 1, creators
    wanted = {squash(key["author"]["name"]), squash(key["author"].get("full_name", ""))} - {""}
    names = next(iter(creators.values()))
    assert any(w in n for w in wanted for n in names), (names, wanted)


def test_answer_key_addressees(sparql, key):
    letter = letter_of(sparql, key["file"])
    recipients = names_of(sparql, letter, "schema:recipient")
    assert len(recipients) == len(key["addressees"]), recipients
    for addressee in key["addressees"]:
        wanted = surname(addressee["name"]).casefold()
        assert any(wanted in n.casefold() for names in recipients.values() for n in names), (wanted, recipients)


def test_answer_key_date(sparql, key):
    letter = letter_of(sparql, key["file"])
    row = one(sparql(f"SELECT DISTINCT ?d (STR(DATATYPE(?d)) AS ?dt) WHERE {{ <{letter}> dcterms:date ?d }}"), "dcterms:date")
    date = key["date"]
    if date["certain"]:
        assert (row["d"], row["dt"]) == (date["iso"], XSD + "date")
    else:
        assert (row["d"], row["dt"]) == (date["iso"], EDTF)


def test_answer_key_citation(sparql, key):
    letter = letter_of(sparql, key["file"])
    cited = key["source_citation"]
    row = one(sparql(f"""
        SELECT DISTINCT ?pages ?volume ?citation WHERE {{
          <{letter}> schema:pagination ?pages ; dcterms:bibliographicCitation ?citation ;
                     dcterms:isPartOf ?v . ?v schema:volumeNumber ?volume .
        }}"""), "citation")
    assert row["pages"] == cited["pages"]
    assert row["volume"] == str(cited["volume"])
    for part in (cited["publisher"], cited["place"], str(cited["year"])):
        assert part in row["citation"], (part, row["citation"])


@pytest.mark.parametrize("prop, field", [("schema:translator", "translator"), ("dcterms:contributor", "transcriber")])
def test_answer_key_translator_and_transcriber(sparql, key, prop, field):
    letter = letter_of(sparql, key["file"])
    rows = sparql(f"SELECT DISTINCT ?n WHERE {{ <{letter}> {prop} ?x . ?x foaf:name ?n }}")
    assert [squash(r["n"]) for r in rows] == [squash(key[field])]


# --- 10. letters without annotation files ----------------------------------------------------


def test_chicherin_letter_maps_without_annotations(sparql):
    file = "002_chicherin-1921-07-25.txt"
    assert not any(file in p.read_text(encoding="utf-8") for p in ANNOTATIONS.glob("*.y*ml")), \
        "this test is about a letter no annotation file names"
    letter = letter_of(sparql, file)
    for prop in ("dcterms:creator", "schema:recipient", "dcterms:date", "dcterms:bibliographicCitation",
                 "schema:translator", "dcterms:contributor"):
        assert sparql(f"ASK {{ <{letter}> {prop} ?x }}"), f"{file}: no {prop}"
    notes = sparql(f"""
        SELECT DISTINCT ?note ?content WHERE {{
          ?note crm:P67_refers_to <{letter}> ; crm:P2_has_type/rdfs:label ?tl ; crm:P190_has_symbolic_content ?content .
          FILTER(STR(?tl) = "footnote")
        }}""")
    assert notes, "the footnote is not a node"
    text = source_text(file)
    for note in notes:
        assert f"[1] {note['content']}" in text, note


@pytest.mark.parametrize("file, name", [
    ("002_chicherin-1921-07-25.txt", "Chicherin"),
    ("007_glyasser-1922-09-23.txt", "Glyasser"),
    ("008_zinoviev-1922-12-08.txt", "Zinoviev"),
])
def test_comrade_x_is_a_person(sparql, file, name):
    """'Comrade X' in a letter names a person, anchored on the name right after 'Comrade '."""
    assert f"Comrade {name}" in source_text(file)
    rows = sparql(f"""
        SELECT DISTINCT ?p ?exact ?prefix WHERE {{
          ?text dcterms:identifier "{file}" .
          ?p a crm:E21_Person ; foaf:name ?n . FILTER(CONTAINS(?n, "{name}"))
          ?a oa:hasBody ?p ; oa:hasTarget ?t . ?t oa:hasSource ?text ; oa:hasSelector ?q .
          ?q oa:exact ?exact ; oa:prefix ?prefix .
        }}""")
    assert any(r["exact"].startswith(name) and r["prefix"].endswith("Comrade ") for r in rows), rows


# --- 11. malformed input -----------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _empty(ws):
    (ws.letters / "010_empty.txt").write_bytes(b"")
    return ["010_empty.txt"]


def _binary(ws):
    (ws.letters / "010_binary.txt").write_bytes(b"\x00\x01\xff\xfe\x00binary\x89PNG")
    return ["010_binary.txt"]


def _too_large(ws):
    (ws.letters / "010_huge.txt").write_bytes((ws.letters / SEED_FILE).read_bytes() + b"and so on. " * 60_000)
    return ["010_huge.txt", "larger than 512 KiB"]


def _quote_not_in_text(ws):
    ws.edit(ws.annotations / "000_6d2f7f5c90ee0ebe.yaml", "      - Zalutsky\n", "      - Zalutsky-Nowhere\n")
    return ["000_6d2f7f5c90ee0ebe.yaml", "persons.zalutsky.mentions[0]", "Zalutsky-Nowhere"]


def _ambiguous_quote(ws):
    ws.edit(ws.annotations / "000_6d2f7f5c90ee0ebe.yaml", "      - Zalutsky\n", "      - the Party\n")
    return ["000_6d2f7f5c90ee0ebe.yaml", "persons.zalutsky.mentions[0]", re.compile(r"occurs \d+ times")]


@pytest.mark.parametrize("earlier_build", [False, True], ids=["no-out-dir", "out-dir-kept"])
@pytest.mark.parametrize("spoil", [_empty, _binary, _too_large, _quote_not_in_text, _ambiguous_quote],
                         ids=["empty", "binary", "too-large", "quote-not-in-text", "ambiguous-quote"])
def test_malformed_input_fails_the_build_and_writes_nothing(workspace, dumps_dir, base, built, spoil, earlier_build):
    if earlier_build:  # the dumps of an earlier good build must survive a failed one untouched
        shutil.copytree(dumps_dir, workspace.out)
        before = _snapshot(workspace.out)
    expected = spoil(workspace)
    with pytest.raises(BuildError) as caught:
        build(workspace.letters, workspace.annotations, workspace.ontology, base, workspace.out)
    message = str(caught.value)
    for part in expected:
        if isinstance(part, re.Pattern):
            assert part.search(message), (part.pattern, message)
        else:
            assert part in message, (part, message)
    if earlier_build:
        assert _snapshot(workspace.out) == before
    else:
        assert not workspace.out.exists()
    leftovers = [p.name for p in workspace.out.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [], f"staging folders left behind: {leftovers}"


def test_letter_without_date_line_builds_with_a_warning_and_date_unknown(workspace, base, sparql):
    workspace.edit(workspace.letters / SEED_FILE, "20.00 hours, December 20, 1921.\n", "")
    result = build(workspace.letters, workspace.annotations, workspace.ontology, base, workspace.out)
    assert (workspace.out / "letters.nq").is_file()
    lines = len(source_text_of(workspace.letters / SEED_FILE).splitlines())
    warned = [w for w in result.warnings if w.file == SEED_FILE and "date" in w.message]
    assert warned, [str(w) for w in result.warnings]
    assert all(1 <= w.line <= lines and str(w).startswith(f"{SEED_FILE}:{w.line}") for w in warned), warned
    seed = f"{base}id/letter/{SEED_SLUG}"
    creations = sparql(f"""
        SELECT DISTINCT ?c WHERE {{
          ?c a crm:E65_Creation ; crm:P94_has_created ?original ; crm:P4_has_time-span ?ts .
          ?original crm:P73_has_translation <{seed}> .
          ?ts crm:P2_has_type/rdfs:label ?tl .
          FILTER(STR(?tl) = "date unknown")
          FILTER NOT EXISTS {{ ?ts crm:P82a_begin_of_the_begin ?b }}
          FILTER NOT EXISTS {{ ?ts crm:P82b_end_of_the_end ?e }}
        }}""", on=result.quads)
    assert creations, "the time-span of the letter's creation is not flagged 'date unknown'"
    assert not sparql(f"ASK {{ <{seed}> dcterms:date ?d }}", on=result.quads), "a date was invented"


# --- 12. the command line (run in this process: support.lod) ---------------------------------------


def test_cli_build_uses_the_given_base(tmp_path):
    out = tmp_path / "dumps"
    run = lod("build", "--out", str(out), "--base", "http://example.org/")
    assert run.returncode == 0, run.stderr
    dumps = sorted(p for p in out.iterdir() if p.name.startswith("letters.") and not p.name.endswith(".gz"))
    assert len(dumps) >= 6, dumps
    for dump in dumps:
        data = dump.read_text(encoding="utf-8")
        assert "http://example.org/id/letter/" in data, dump.name
        assert "127.0.0.1:5000" not in data, dump.name


def test_cli_validate_passes_on_real_data():
    run = lod("validate")
    assert run.returncode == 0, run.stdout + run.stderr


def test_cli_validate_names_a_bad_annotation_without_traceback(workspace):
    _quote_not_in_text(workspace)
    run = lod("validate", "--letters", str(workspace.letters), "--annotations", str(workspace.annotations))
    assert run.returncode != 0
    assert "persons.zalutsky.mentions[0]" in run.stderr, run.stderr
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.parametrize("command, option", [("build", "--out"), ("validate", "--annotations")])
def test_cli_help(command, option):
    run = lod(command, "--help")
    assert run.returncode == 0, run.stderr
    assert "Usage" in run.stdout and option in run.stdout and "--letters" in run.stdout
