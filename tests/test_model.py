"""The model's patterns (docs/model.md), each asked of the built data as a user would ask it: claims and
their voices, the publication chain, the inscription and the document, events as the text says them,
relations, names as written, and the small points (languages, rights, provenance)."""
from __future__ import annotations

import pytest

from support import LETTERS

SEED = "1921-12-20-zalutsky-salts"


@pytest.fixture(scope="module")
def seed(base: str) -> str:
    return f"{base}id/letter/{SEED}"


def voices_of(sparql, quote: str, about: str) -> set[str]:
    """Who states, in the passage quoted, something about ``about`` (labels of the P14 of the claims)."""
    rows = sparql(f"""
        SELECT DISTINCT ?voice WHERE {{
          ?ann crm:P70_documents ?claim ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
          FILTER(CONTAINS(?exact, {quote!r}))
          ?claim a crm:E13_Attribute_Assignment ; crm:P140_assigned_attribute_to <{about}> ;
                 crm:P14_carried_out_by/rdfs:label ?voice .
        }}""")
    return {r["voice"] for r in rows}


# --- claims and voices --------------------------------------------------------------------------


def test_her_claims_are_hers_as_lenin_reports_them(sparql, base):
    expulsion = f"{base}id/event/expulsion-of-kasparova-popova"
    assert voices_of(sparql, "absolutely desperate", expulsion) == {"Yevgenia Popova (Kasparova)"}
    assert voices_of(sparql, "verify the case of Comrade", expulsion) == {"V. I. Lenin"}
    rows = sparql(f"""
        SELECT ?claim WHERE {{
          ?claim crm:P140_assigned_attribute_to <{expulsion}> ; crm:P177_assigned_property_of_type crm:P145_separated ;
                 crm:P141_assigned <{base}id/person/kasparova-popova> ;
                 crm:P14_carried_out_by <{base}id/person/kasparova-popova> ;
                 crm:P2_has_type/rdfs:label "reported statement"@en .
        }}""")
    assert len(rows) == 1, rows


def test_header_lines_and_date_lines_are_the_editors(sparql, base, seed):
    creation = f"{base}id/event/{SEED}-creation"
    editors = {"Editors of Lenin Collected Works"}
    assert voices_of(sparql, "Dictated by phone", creation) == editors
    assert voices_of(sparql, "December 20, 1921", creation) == editors
    # What a date line states is the time-span, and only that.
    rows = sparql(f"""
        SELECT DISTINCT ?p WHERE {{
          ?ann crm:P70_documents ?claim ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
          FILTER(CONTAINS(?exact, "December 20, 1921"))
          ?claim crm:P140_assigned_attribute_to <{creation}> ; crm:P177_assigned_property_of_type ?p .
        }}""")
    assert {r["p"] for r in rows} == {"http://www.cidoc-crm.org/cidoc-crm/P4_has_time-span"}
    assert not sparql(f"""ASK {{ ?claim crm:P14_carried_out_by <{base}id/person/lenin> ;
                                      crm:P140_assigned_attribute_to <{creation}> ;
                                      crm:P177_assigned_property_of_type crm:P4_has_time-span }}""")


def test_lepeshinskayas_inscription_is_hers_as_the_editors_quote_it(sparql, base):
    request = f"{base}id/event/request-for-information"
    assert voices_of(sparql, "earnestly asks", request) == {"Natalya Lepeshinskaya"}
    assert sparql(f"""ASK {{ ?claim crm:P140_assigned_attribute_to <{request}> ;
                                 crm:P14_carried_out_by <{base}id/person/lepeshinskaya> ;
                                 crm:P2_has_type/rdfs:label "reported statement"@en }}""")


def test_annotations_are_made_by_the_curators_or_the_software_never_by_a_voice(sparql, base, seed):
    rows = sparql(f"""
        SELECT DISTINCT ?maker WHERE {{ GRAPH <{seed}> {{ ?ann a oa:Annotation ; dcterms:creator ?maker }} }}""")
    assert {r["maker"] for r in rows} == {f"{base}id/agent/curators", f"{base}id/agent/lod-letters-0-1-0"}
    assert not sparql("ASK { ?ann a oa:Annotation ; prov:wasAttributedTo ?someone }")


def test_every_letter_makes_claims_in_the_same_pattern(sparql):
    """Letters nobody curated: their header, date lines and mentions are claims of the editors and the author."""
    rows = sparql("""
        SELECT ?letter (COUNT(DISTINCT ?claim) AS ?n) WHERE {
          ?letter a foaf:Document .
          GRAPH ?letter { ?claim a crm:E13_Attribute_Assignment ; crm:P14_carried_out_by ?voice . }
        } GROUP BY ?letter""")
    letters = sparql("SELECT (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a foaf:Document }")[0]["n"]
    assert len(rows) == int(letters) and all(int(r["n"]) >= 3 for r in rows), rows


# --- the publication chain ---------------------------------------------------------------------


def test_the_publication_chain_of_the_seed(sparql, base, seed):
    rows = sparql(f"""
        SELECT ?e ?publisher ?place ?year WHERE {{
          ?e a crm:E7_Activity ; crm:P2_has_type/rdfs:label "publishing"@en ; crm:P16_used_specific_object <{seed}>, ?volume ;
             crm:P14_carried_out_by/rdfs:label ?publisher ; crm:P7_took_place_at/rdfs:label ?place ;
             crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin .
          ?volume crm:P106_is_composed_of <{seed}> .
          ?series crm:P106_is_composed_of ?volume ; crm:P2_has_type/rdfs:label "series"@en .
          BIND(YEAR(?begin) AS ?year)
        }}""")
    assert [(r["publisher"], r["place"], r["year"]) for r in rows] == [("Progress Publishers", "Moscow", "1976")]
    # The letter and its translation were created; the publications created nothing.
    assert sparql(f"ASK {{ ?c a crm:E65_Creation ; crm:P94_has_created <{seed}> ; crm:P2_has_type/rdfs:label 'translation'@en }}")
    assert not sparql("ASK { ?e a crm:E7_Activity ; crm:P2_has_type/skos:broader* ?t ; crm:P94_has_created ?x . "
                      "?t rdfs:label 'publishing'@en }")


# --- the inscription and the document ------------------------------------------------------------


def test_the_inscription_is_a_text_on_the_typewritten_copy(sparql, base, seed):
    rows = sparql(f"""
        SELECT ?text ?content ?document WHERE {{
          ?creation a crm:E65_Creation ; crm:P14_carried_out_by <{base}id/person/lepeshinskaya> ;
                    crm:P94_has_created ?text .
          ?text a crm:E33_Linguistic_Object ; crm:P2_has_type/rdfs:label "inscription"@en ;
                crm:P190_has_symbolic_content ?content .
          ?document a crm:E22_Human-Made_Object ; crm:P128_carries ?text, <{seed}/original> ;
                    crm:P2_has_type/rdfs:label "typewritten copy"@en .
        }}""")
    assert len(rows) == 1, rows
    text = (LETTERS / "000_6d2f7f5c90ee0ebe.txt").read_text(encoding="utf-8")
    assert rows[0]["content"].startswith("Vladimir Ilyich earnestly asks") and rows[0]["content"] in text
    # The edition printed from it.
    assert sparql(f"ASK {{ ?e crm:P2_has_type/rdfs:label 'publishing'@en ; crm:P16_used_specific_object <{rows[0]['document']}> }}")


# --- events as the text says them -------------------------------------------------------------------


def test_the_dispatch_is_a_move_and_the_emigration_comes_after_1905_not_from_it(sparql, base):
    assert sparql(f"""ASK {{ <{base}id/event/dispatch-of-popov> a crm:E9_Move ;
        crm:P25_moved <{base}id/person/popov> ; crm:P26_moved_to <{base}id/place/far-east> ;
        crm:P14_carried_out_by <{base}id/person/sverdlov> }}""")
    assert not sparql(f"ASK {{ <{base}id/event/dispatch-of-popov> crm:P7_took_place_at ?p }}")
    emigration = f"{base}id/event/emigration-of-kasparov"
    assert sparql(f"ASK {{ <{emigration}> crm:P176i_starts_after_the_start_of <{base}id/event/revolution-of-1905> }}")
    assert not sparql("ASK { ?e crm:P15_was_influenced_by ?cause }")


def test_date_unknown_flags_a_time_span_never_an_event(sparql):
    assert not sparql("ASK { ?e crm:P2_has_type ?t . ?t rdfs:label 'date unknown'@en . ?e crm:P4_has_time-span ?ts }")
    flagged = sparql("""
        SELECT ?ts WHERE { ?e crm:P4_has_time-span ?ts . ?ts crm:P2_has_type/rdfs:label "date unknown"@en .
                           FILTER NOT EXISTS { ?ts crm:P82a_begin_of_the_begin|crm:P82b_end_of_the_end ?b } }""")
    assert flagged, "no undated event in the letters: the test would prove nothing"


# --- relations --------------------------------------------------------------------------------------


@pytest.mark.parametrize("subject, prop, obj, voice", [
    ("person/kasparov", "http://schema.org/sibling", "person/kasparova-popova", "Yevgenia Popova (Kasparova)"),
    ("person/popov", "http://schema.org/spouse", "person/kasparova-popova", "Yevgenia Popova (Kasparova)"),
    ("group/bolshevik-organisation-abroad", "http://www.cidoc-crm.org/cidoc-crm/P107_has_current_or_former_member",
     "person/kasparov", "V. I. Lenin"),
    ("group/council-of-peoples-commissars", "http://www.cidoc-crm.org/cidoc-crm/P107_has_current_or_former_member",
     "person/lepeshinskaya", "Editors of Lenin Collected Works"),
])
def test_relations_the_text_states_are_data_with_evidence_and_voice(sparql, base, subject, prop, obj, voice):
    s, o = f"{base}id/{subject}", f"{base}id/{obj}"
    assert sparql(f"ASK {{ <{s}> <{prop}> <{o}> }}")
    rows = sparql(f"""
        SELECT ?voice ?exact WHERE {{
          ?claim crm:P140_assigned_attribute_to <{s}> ; crm:P177_assigned_property_of_type <{prop}> ;
                 crm:P141_assigned <{o}> ; crm:P14_carried_out_by/rdfs:label ?voice .
          ?ann oa:hasBody ?claim ; crm:P70_documents ?claim ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
        }}""")
    assert voice in {r["voice"] for r in rows}, rows


def test_an_office_is_the_kind_of_membership(sparql, base):
    assert sparql(f"""ASK {{ ?claim crm:P141_assigned <{base}id/person/lepeshinskaya> ;
        crm:P177_assigned_property_of_type crm:P107_has_current_or_former_member ;
        crm:P2_has_type/rdfs:label "secretary"@en }}""")


# --- names as written ---------------------------------------------------------------------------------


def test_every_form_the_text_writes_is_an_appellation_anchored_where_it_stands(sparql, base):
    rows = sparql(f"""
        SELECT ?form ?exact ?voice WHERE {{
          <{base}id/person/solts> crm:P1_is_identified_by ?name .
          ?name crm:P2_has_type/rdfs:label "name as written"@en ; crm:P190_has_symbolic_content ?form .
          ?claim crm:P141_assigned ?name ; crm:P177_assigned_property_of_type crm:P1_is_identified_by ;
                 crm:P14_carried_out_by/rdfs:label ?voice .
          ?ann crm:P70_documents ?claim ; oa:hasTarget/oa:hasSelector/oa:exact ?exact .
        }}""")
    assert {(r["form"], r["voice"]) for r in rows} == {("Salts", "V. I. Lenin")}
    assert all(r["form"] in r["exact"] for r in rows)
    forms = {r["form"] for r in sparql(f"""
        SELECT ?form WHERE {{ <{base}id/person/kasparova-popova> crm:P1_is_identified_by ?n .
          ?n crm:P2_has_type/rdfs:label "name as written"@en ; crm:P190_has_symbolic_content ?form }}""")}
    assert {"Kasparova-Popova", "Kasparova", "Yevgenia Popova (Kasparova)"} <= forms


def test_the_preferred_name_is_primary_and_marked_as_supplied(sparql, base):
    rows = sparql(f"""
        SELECT ?name ?type WHERE {{ <{base}id/person/zalutsky> crm:P1_is_identified_by ?n .
          ?n crm:P190_has_symbolic_content ?name ; crm:P2_has_type/rdfs:label ?type . }}""")
    supplied = {r["name"] for r in rows if r["type"] == "supplied name"}
    primary = {r["name"] for r in rows if r["type"] == "primary name"}
    assert supplied == primary == {"Pyotr Antonovich Zalutsky"}
    assert {r["name"] for r in rows if r["type"] == "name as written"} == {"Zalutsky"}


# --- the small points ----------------------------------------------------------------------------------


def test_language_rights_and_provenance(sparql, base, seed):
    rows = sparql(f"SELECT ?lang ?rights WHERE {{ <{seed}> dcterms:language ?lang ; dcterms:rights ?rights }}")
    assert [r["lang"] for r in rows] == [f"{base}id/concept/english"]
    assert sparql(f"ASK {{ <{base}id/concept/english> a dcterms:LinguisticSystem ; skos:notation 'en' }}")
    assert rows[0]["rights"].endswith("as your source.") and "README" not in rows[0]["rights"]
    assert not sparql("ASK { ?x prov:used ?s FILTER(isLiteral(?s)) }")
    assert not sparql("""ASK { ?x rdfs:label|dcterms:title|skos:note ?l
                               FILTER(isLiteral(?l) && LANG(?l) = "" && !STRSTARTS(STR(?x), "http://rdfs.org")) }""")
