"""Linked Art records, as a Linked Art client asks for them: by profile on a document, or at ``.la.json``.

Every letter, person, group, place and event of the built data (and every other thing of those CRM
classes, such as a letter's Russian original) has a record that validates against the Linked Art API 1.0
JSON schemas of the shared folder, and says only what the data says: every IRI, label, name, text and
date in a record is in the data.
"""
from __future__ import annotations

import json
from functools import lru_cache

import pytest
import requests

JSONLD = "application/ld+json"
PROFILE = "https://linked.art/ns/v1/linked-art.json"
LA = f'{JSONLD};profile="{PROFILE}"'
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
AAT = "http://vocab.getty.edu/aat/"  # the Linked Art vocabulary cromulent classifies titles and statements with
# The CRM classes whose things have records, and the schema of each (Creation, Move, Joining, Leaving are
# activities, Death an event, in CRM and in Linked Art's event records).
RECORD_CLASSES = {"E33_Linguistic_Object": "text", "E21_Person": "person", "E74_Group": "group", "E53_Place": "place",
                  "E7_Activity": "event", "E65_Creation": "event", "E9_Move": "event", "E85_Joining": "event",
                  "E86_Leaving": "event", "E5_Event": "event", "E69_Death": "event"}
SCHEMA_OF_TYPE = {"LinguisticObject": "text", "Person": "person", "Group": "group", "Place": "place",
                  "Activity": "event", "Event": "event"}
LETTER = "letter/1921-12-20-zalutsky-salts"


@pytest.fixture(scope="module")
def validators(shared):
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    folder = shared / "linked-art-schema"
    if not (folder / "core.json").is_file():
        pytest.fail(f"no Linked Art schemas in {folder}")
    resources = []
    for path in folder.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(schema)
        resources += [(path.name, resource), (schema.get("$id", path.name), resource)]
    registry = Registry().with_resources(resources)
    return {name: Draft202012Validator(json.loads((folder / f"{name}.json").read_text(encoding="utf-8")), registry=registry)
            for name in set(SCHEMA_OF_TYPE.values())}


@pytest.fixture(scope="module")
def data(built) -> dict:
    """The build as subject -> predicate -> values (IRIs and lexical forms), and every literal."""
    index: dict = {}
    for q in built.quads:
        index.setdefault(q.subject.value, {}).setdefault(q.predicate.value, set()).add(q.object.value)
    return index


@pytest.fixture(scope="module")
def recorded(data) -> list[str]:
    """Every thing of the build of a class that has records."""
    return sorted(s for s, props in data.items() if {CRM + c for c in RECORD_CLASSES} & props.get(RDF_TYPE, set()))


@pytest.fixture(scope="module")
def records(web, base, recorded) -> dict[str, dict]:
    out = {}
    for uri in recorded:
        resp = web.get(base + "doc/" + uri[len(base) + 3:] + ".la.json", timeout=30)
        assert resp.status_code == 200, uri
        out[uri] = resp.json()
    return out


def walk(node, key: str | None = None):
    """Every (key, dict) pair in a record, depth first."""
    if isinstance(node, dict):
        yield key, node
        for k, v in node.items():
            yield from walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v, key)


def test_every_record_validates_against_its_linked_art_schema(records, validators):
    kinds: dict[str, int] = {}
    for uri, record in records.items():
        schema = SCHEMA_OF_TYPE[record["type"]]
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validators[schema].iter_errors(record)]
        assert not errors, (uri, errors[:5])
        assert record["@context"] == PROFILE and record["id"] == uri
        kinds[record["type"]] = kinds.get(record["type"], 0) + 1
    assert set(kinds) == set(SCHEMA_OF_TYPE), kinds  # letters and other texts, persons, groups, places, both kinds of event
    assert kinds["LinguisticObject"] >= 28 and kinds["Person"] > 50


def test_records_say_only_what_the_data_says(records, data):
    literals = {v for props in data.values() for values in props.values() for v in values}
    label_props = ("http://www.w3.org/2000/01/rdf-schema#label", "http://xmlns.com/foaf/0.1/name")
    for uri, record in records.items():
        for key, node in walk(record):
            iri = node.get("id")
            if iri is not None and key != "equivalent":
                if iri.startswith(AAT):
                    continue
                assert iri in data, (uri, key, iri)
                if "_label" in node:
                    assert node["_label"] in {v for p in label_props for v in data[iri].get(p, ())}, (uri, iri)
            elif "_label" in node:
                assert node["_label"] in literals, (uri, key, node["_label"])
            for field in ("content", "begin_of_the_begin", "end_of_the_end"):
                if field in node:
                    assert node[field] in literals, (uri, field, node[field])
        same = data[uri].get("http://www.w3.org/2002/07/owl#sameAs", set())
        assert {e["id"] for e in record.get("equivalent", [])} <= same, uri


def test_the_profile_on_a_document_gives_its_record(web, base):
    record = web.get(base + f"doc/{LETTER}.la.json", timeout=30)
    via_id = web.get(base + f"id/{LETTER}", headers={"Accept": LA}, timeout=30)  # 303, then the document
    assert via_id.status_code == 200 and via_id.content == record.content
    for resp in (record, via_id):
        assert resp.headers["Content-Type"] == LA
        assert resp.headers["Content-Profile"] == f"<{PROFILE}>"
        assert f'<{PROFILE}>; rel="profile"' in resp.headers["Link"]
        assert resp.headers["Content-Location"] == base + f"doc/{LETTER}.la.json"
        assert resp.headers["ETag"]
    assert "accept" in via_id.headers["Vary"].lower()
    plain = web.get(base + f"doc/{LETTER}", headers={"Accept": JSONLD}, timeout=30)
    assert plain.json()["@context"] == base + "ns/context.jsonld", "a plain JSON-LD client gets our JSON-LD"
    assert f'<{base}doc/{LETTER}.la.json>; rel="alternate"; profile="{PROFILE}"' in plain.headers["Link"]


def test_things_without_a_record_and_unknown_things(web, base):
    assert web.get(base + "doc/concept/expulsion.la.json", timeout=30).status_code == 404
    assert web.get(base + "doc/person/nobody-at-all.la.json", timeout=30).status_code == 404
    assert web.get(base + "doc/person/nobody-at-all", headers={"Accept": LA}, timeout=30).status_code == 404
    assert web.get(base + "doc/person/Lenin.la.json", timeout=30).status_code == 404
    concept = web.get(base + "doc/concept/expulsion", headers={"Accept": LA}, timeout=30)
    assert concept.status_code == 200 and concept.json()["@context"] == base + "ns/context.jsonld"
    assert "Content-Profile" in concept.headers and PROFILE not in concept.headers["Content-Profile"]


def by_label(items: list[dict], label: str) -> dict:
    return next(i for i in items if i.get("_label") == label)


def test_an_event_record_carries_the_claims_and_their_voices(records, base):
    event = records[base + "id/event/expulsion-of-kasparova-popova"]
    assert event["type"] == "Activity" and event["classified_as"][0]["_label"] == "expulsion"
    assert event["timespan"]["end_of_the_end"] == "1921-12-20T20:00:00" and "begin_of_the_begin" not in event["timespan"]
    separated = [c for c in event["attributed_by"] if c["assigned_property"] == "separated"]
    assert {c["carried_out_by"][0]["id"] for c in separated} == {base + "id/person/lenin", base + "id/person/kasparova-popova"}
    assert all(c["assigned"] == [{"id": base + "id/person/kasparova-popova", "type": "Person",
                                  "_label": "Yevgenia Popova (Kasparova)"}] for c in separated)
    reported = next(c for c in separated if c["carried_out_by"][0]["id"].endswith("kasparova-popova"))
    assert reported["classified_as"][0]["_label"] == "reported statement"


def test_a_letter_record_has_its_making_and_its_publications(records, base):
    letter = records[base + f"id/{LETTER}"]
    assert letter["identified_by"][0]["content"] == "V. I. Lenin to P. A. Zalutsky and A. A. Solts, 20 December 1921"
    assert letter["language"][0]["_label"] == "English"
    assert letter["part_of"][0]["id"] == base + "id/text/lenin-collected-works-volume-45"
    made = letter["created_by"]
    assert made["carried_out_by"][0]["id"] == base + "id/person/sdobnikov"
    assert made["influenced_by"][0]["id"] == base + f"id/{LETTER}/original"  # the translation used the original
    published = by_label(letter["used_for"], "Publication in Lenin Collected Works, Volume 45")
    assert published["carried_out_by"][0]["_label"] == "Progress Publishers"
    assert published["took_place_at"][0]["_label"] == "Moscow"
    assert published["timespan"]["begin_of_the_begin"].startswith("1976-01-01")
    original = records[base + f"id/{LETTER}/original"]
    assert original["created_by"]["carried_out_by"][0]["id"] == base + "id/person/lenin"
    assert original["created_by"]["classified_as"][0]["_label"] == "dictation by phone"
    assert original["created_by"]["timespan"]["begin_of_the_begin"] == "1921-12-20T20:00:00"


def test_person_records_have_names_deaths_and_memberships(records, base, data):
    person = records[base + "id/person/kasparova-popova"]
    names = {n["content"]: {c["_label"] for c in n.get("classified_as", [])} for n in person["identified_by"]}
    assert names["Yevgenia Popova"] == {"primary name", "supplied name"}
    assert names["Kasparova"] == {"name as written"}
    assert any(s["content"].startswith("The editors' footnote") for s in person["referred_to_by"])
    popov = records[base + "id/person/popov"]
    assert popov["died"]["took_place_at"][0]["_label"] == "Far East" and popov["died"]["type"] == "Death"
    members = {(s, o) for s, props in data.items()
               for o in props.get(CRM + "P107_has_current_or_former_member", ())}
    assert members
    for group, member in members:
        assert group in {g["id"] for g in records[member].get("member_of", [])}, (member, group)
    sameas = [u for u in records if data[u].get("http://www.w3.org/2002/07/owl#sameAs") and records[u]["type"] == "Person"]
    assert sameas and all(records[u]["equivalent"] for u in sameas)


@lru_cache(maxsize=1)
def linked_art_context() -> dict:
    import importlib.resources

    return json.loads(importlib.resources.files("cromulent").joinpath("data/linked-art.json").read_text("utf-8"))


def test_a_record_is_json_ld_meaning_crm(records, base):
    """Read with Linked Art's context (as cromulent ships it), a record is CIDOC-CRM about the same thing."""
    from pyld import jsonld

    def loader(url, options=None):
        assert url == PROFILE, url
        return {"contextUrl": None, "documentUrl": url, "document": linked_art_context()}

    person = base + "id/person/kasparova-popova"
    expanded = jsonld.expand(records[person], {"documentLoader": loader})
    node = next(n for n in expanded if n.get("@id") == person)
    assert node["@type"] == [CRM + "E21_Person"]
    names = [n[CRM + "P190_has_symbolic_content"][0]["@value"] for n in node[CRM + "P1_is_identified_by"]]
    assert "Yevgenia Popova" in names


def test_the_real_server_answers_the_profile(real_server):
    resp = requests.get(real_server + f"doc/{LETTER}", headers={"Accept": LA}, timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == LA
    assert resp.headers["Content-Profile"] == f"<{PROFILE}>"
    assert resp.json()["type"] == "LinguisticObject"
