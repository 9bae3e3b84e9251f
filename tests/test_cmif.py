"""The letters in CMIF (lod.cmif), as correspSearch harvests them: the dump ``letters.cmif.xml`` and ``/cmif.xml``.

Every file is checked against the TEI Correspondence SIG's RELAX NG schema (``shared/cmif/cmi-customization.rng``)
with lxml, and against the SIG's Schematron rules, written out here as XPath (lxml runs XSLT 1 only, the
rules need XSLT 2): a sent and a received action in every ``correspDesc``, its ``source`` naming a
``bibl``, a dating attribute on every ``date``. What the file says of each letter is compared with what
the built data says, asked by SPARQL.
"""
from __future__ import annotations

import datetime
import re

import pyoxigraph as ox
import pytest

from lod import cmif
from lod.correspondence import Dating, dating, edtf_bounds
from lod.namespaces import NS
from support import make_app

lxml = pytest.importorskip("lxml.etree")

T = "{http://www.tei-c.org/ns/1.0}"
NSMAP = {"t": "http://www.tei-c.org/ns/1.0"}
SEED = "id/letter/1921-12-20-zalutsky-salts"
WIKIDATA = "http://www.wikidata.org/entity/"


@pytest.fixture(scope="module")
def schema(shared):
    from support import require_path

    return lxml.RelaxNG(lxml.parse(str(require_path(shared / "cmif" / "cmi-customization.rng", "CMIF schema"))))


def valid(schema, data: bytes):
    """The parsed file, after lxml's RELAX NG validation and the SIG's Schematron rules."""
    doc = lxml.fromstring(data)
    assert schema.validate(doc), schema.error_log
    ids = set(doc.xpath("//t:bibl/@xml:id", namespaces=NSMAP))
    for desc in doc.iterfind(f".//{T}correspDesc"):
        types = [a.get("type") for a in desc.iterfind(f"{T}correspAction")]
        assert "sent" in types and "received" in types, desc.get("ref")  # E0001, E0002
        assert desc.get("source", "").startswith("#") and desc.get("source")[1:] in ids, desc.get("ref")  # E0003
    for date in doc.iter(f"{T}date"):
        assert {"when", "notBefore", "notAfter"} & set(date.keys()), lxml.tostring(date)  # E0004
    for bibl_id in ids:
        assert re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", bibl_id)  # W0001
    return doc


@pytest.fixture(scope="module")
def dumped(built, dumps_dir, schema):
    return valid(schema, (dumps_dir / cmif.DUMP_FILE).read_bytes())


def descs(doc) -> dict[str, object]:
    return {d.get("ref"): d for d in doc.iterfind(f".//{T}correspDesc")}


def action(desc, kind: str):
    (found,) = [a for a in desc.iterfind(f"{T}correspAction") if a.get("type") == kind]
    return found


def names(act) -> list[tuple[str, str | None, str]]:
    return sorted((n.tag[len(T):], n.get("ref"), n.text) for n in act if n.tag in (T + "persName", T + "orgName"))


# --- the dump -------------------------------------------------------------------------------------


def test_the_dump_has_one_correspdesc_per_letter_and_is_summed(dumped, dumps_dir, sparql, base):
    letters = {r["l"] for r in sparql("SELECT ?l WHERE { ?o crm:P73_has_translation ?l . ?l a foaf:Document }")}
    assert len(letters) == 28
    assert set(descs(dumped)) == letters
    sums = (dumps_dir / "SHA256SUMS").read_text(encoding="utf-8")
    assert f"  {cmif.DUMP_FILE}\n" in sums and f"  {cmif.DUMP_FILE}.gz\n" in sums
    header = dumped.find(f"{T}teiHeader/{T}fileDesc")
    assert header.findtext(f"{T}publicationStmt/{T}idno") == base + "cmif.xml"
    online = header.find(f"{T}sourceDesc/{T}bibl[@type='online']")
    assert online.find(f"{T}ref").get("target") == base + "void"


def test_the_seed_letter_as_correspsearch_reads_it(dumped, sparql, base):
    desc = descs(dumped)[base + SEED]
    sent, received = action(desc, "sent"), action(desc, "received")
    lenin = sparql(f"SELECT ?same WHERE {{ <{base}id/person/lenin> owl:sameAs ?same }}")
    assert names(sent) == [("persName", lenin[0]["same"], "Vladimir Ilyich Lenin")]
    assert sent.find(f"{T}date").attrib == {"when": "1921-12-20"}
    assert names(received) == [("persName", base + "id/person/solts", "Aron Aleksandrovich Solts"),
                               ("persName", base + "id/person/zalutsky", "Pyotr Antonovich Zalutsky")]
    (source,) = dumped.xpath(f"//t:bibl[@xml:id='{desc.get('source')[1:]}']", namespaces=NSMAP)
    assert source.get("type") == "print"
    (citation,) = sparql(f"SELECT ?c WHERE {{ <{base}{SEED}> dcterms:bibliographicCitation ?c }}")
    assert source.text == citation["c"] and "Volume 45, pages 414b-415a" in source.text


def test_dates_are_the_days_and_bounds_the_data_gives(dumped, sparql):
    """A day as ``when``; an uncertain or ranged date as the first and last day of its creation's time-span."""
    rows = sparql("""SELECT ?l ?date ?begin ?end WHERE {
        ?o crm:P73_has_translation ?l . ?l a foaf:Document . ?c crm:P94_has_created ?o ; crm:P4_has_time-span ?t .
        OPTIONAL { ?l dcterms:date ?date } OPTIONAL { ?t crm:P82a_begin_of_the_begin ?begin }
        OPTIONAL { ?t crm:P82b_end_of_the_end ?end } }""")
    seen = set()
    for row in rows:
        date = action(descs(dumped)[row["l"]], "sent").find(f"{T}date")
        if row["date"] is None:
            assert date is None, row["l"]
            continue
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]):
            expected = {"when": row["date"]}
        else:
            first, last = (row["begin"] or "")[:10], (row["end"] or "")[:10]
            expected = {k: v for k, v in (("notBefore", first), ("notAfter", last)) if v}
            if first and first == last:
                expected = {"when": first}
        assert date.attrib == expected, (row, date.attrib)
        seen.add(tuple(sorted(expected)))
    assert seen == {("when",), ("notAfter", "notBefore"), ("notBefore",), ("notAfter",)}, seen


def test_correspondents_by_authority_where_the_data_has_one_else_ours_else_unknown(dumped, sparql, base):
    same = {r["x"]: r["same"] for r in sparql("SELECT ?x ?same WHERE { ?x owl:sameAs ?same }")}
    for role, prop in (("sent", "dcterms:creator"), ("received", "schema:recipient")):
        for letter, desc in descs(dumped).items():
            agents = {r["a"] for r in sparql(f"SELECT ?a WHERE {{ <{letter}> {prop} ?a }}")}
            found = names(action(desc, role))
            if not agents:
                assert found == [("persName", None, "Unknown")], (letter, role)
                continue
            assert sorted(ref for _, ref, _ in found) == sorted(same.get(a, a) for a in agents), (letter, role)
    unknown = [d for d in descs(dumped) if names(action(descs(dumped)[d], "received"))[0][2] == "Unknown"]
    assert len(unknown) >= 2, "the letters to an unknown addressee say so"
    assert all(ref.startswith((WIKIDATA, base + "id/")) for ref in dumped.xpath("//t:persName/@ref", namespaces=NSMAP))


# --- bad data never makes bad XML -------------------------------------------------------------------

HOSTILE = 'Pyotr <b>"Zal\'utsky"</b> & ]]> <!-- \x00\x01\x0b\x1f \ud800 \ufffe\uffff \u2028 \U0001f600 -->'


def _xml_safe(text: str) -> str:
    return re.sub("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "\ufffd", text)


def test_hostile_names_citations_and_places_still_make_valid_cmif(built, base, schema):
    """Markup, quotes, CDATA ends and characters XML cannot hold, in every text the file takes from the data."""
    def node(path: str) -> ox.NamedNode:
        return ox.NamedNode(base + path)

    def literal(text: str) -> ox.Literal:
        return ox.Literal(text.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))  # as a store holds it

    name, citation = ox.NamedNode(NS.foaf + "name"), ox.NamedNode(NS.dcterms + "bibliographicCitation")
    seed, zalutsky = node(SEED), node("id/person/zalutsky")
    quads = [q for q in built.quads
             if not (q.subject == zalutsky and q.predicate == name) and not (q.subject == seed and q.predicate == citation)]
    graph = ox.NamedNode(base + SEED)
    place = node("id/place/hostile")
    quads += [ox.Quad(zalutsky, name, literal(HOSTILE), graph),
              ox.Quad(seed, citation, literal("Volume 45 <i>&amp;</i> \x07" + HOSTILE), graph),
              # a place of writing, and a group among the addressees: the other two kinds of name CMIF writes
              ox.Quad(node("id/event/1921-12-20-zalutsky-salts-creation"), ox.NamedNode(NS.crm + "P7_took_place_at"),
                      place, graph),
              ox.Quad(place, ox.NamedNode(NS.rdfs + "label"), literal("Moscow & <Kremlin> \x0c"), graph),
              ox.Quad(seed, ox.NamedNode(NS.schema + "recipient"), node("id/group/party"), graph)]
    doc = valid(schema, cmif.from_quads(quads, base, datetime.date(2024, 1, 2)))
    desc = descs(doc)[base + SEED]
    received = {ref: (tag, text) for tag, ref, text in names(action(desc, "received"))}
    assert received[base + "id/person/zalutsky"] == ("persName", _xml_safe(literal(HOSTILE).value))
    assert received["http://www.wikidata.org/entity/Q79854"][0] == "orgName"
    place_name = action(desc, "sent").find(f"{T}placeName")
    assert (place_name.get("ref"), place_name.text) == (base + "id/place/hostile", "Moscow & <Kremlin> \ufffd")
    (bibl,) = doc.xpath(f"//t:bibl[@xml:id='{desc.get('source')[1:]}']", namespaces=NSMAP)
    assert bibl.text.startswith("Volume 45 <i>&amp;</i> \ufffd")


def test_a_hostile_name_in_an_annotation_file_builds_valid_cmif(workspace, schema, base):
    """The whole way: an annotation file gives a name full of markup; the build's CMIF still validates."""
    from lod.build import build

    path = workspace.annotations / "000_6d2f7f5c90ee0ebe.yaml"
    workspace.edit(path, "name: Pyotr Antonovich Zalutsky", 'name: "Pyotr <b>&amp;</b> \\"Zal\\" ]]> \\v\\x01 Zalutsky"')
    build(workspace.letters, workspace.annotations, workspace.ontology, base, workspace.out)
    doc = valid(schema, (workspace.out / cmif.DUMP_FILE).read_bytes())
    received = names(action(descs(doc)[base + SEED], "received"))
    assert ("persName", base + "id/person/zalutsky", 'Pyotr <b>&amp;</b> "Zal" ]]> \ufffd\ufffd Zalutsky') in received


# --- dates, one at a time ----------------------------------------------------------------------------


def edtf(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(NS.edtf))


@pytest.mark.parametrize("value, bounds", [
    ("1913-11", ("1913-11-01", "1913-11-30")),
    ("1916-02", ("1916-02-01", "1916-02-29")),
    ("1921", ("1921-01-01", "1921-12-31")),
    ("1922-12-07/1922-12-08", ("1922-12-07", "1922-12-08")),
    ("1916-07-28/..", ("1916-07-28", None)),
    ("../1911-04-18", (None, "1911-04-18")),
    ("1905-04/1905-05", ("1905-04-01", "1905-05-31")),
    ("1921-05?", ("1921-05-01", "1921-05-31")),
    ("1921-21", None),  # a season
    ("19XX", None),
    ("1921-02-30", None),
    ("a/b/c", None),
])
def test_edtf_bounds(value, bounds):
    assert edtf_bounds(value) == bounds


def test_dating_prefers_a_day_then_the_edtf_then_the_time_span():
    day = ox.Literal("1921-12-20", datatype=ox.NamedNode(NS.xsd + "date"))
    assert dating(day, "1921-12-20T20:00:00", "1921-12-20T20:00:59") == Dating(when="1921-12-20")
    assert dating(edtf("1922-12-07/1922-12-08")) == Dating(not_before="1922-12-07", not_after="1922-12-08")
    assert dating(edtf("1921-05-03/1921-05-03")) == Dating(when="1921-05-03")
    assert dating(edtf("19XX"), "1900-01-01T00:00:00", None) == Dating(not_before="1900-01-01")
    assert dating(None, "1918-08-15T00:00:00", "1918-08-15T23:59:59") == Dating(when="1918-08-15")
    assert dating(None) == Dating()
    bad = ox.Literal("1921-13-45", datatype=ox.NamedNode(NS.xsd + "date"))
    assert dating(bad, None, "1921-12-31T23:59:59") == Dating(not_after="1921-12-31"), "an impossible day is no when"


# --- served --------------------------------------------------------------------------------------------


def test_cmif_xml_is_the_dump_with_its_checksum_as_etag(web, base, dumps_dir):
    plain = {"Accept-Encoding": "identity"}  # the file as it is; gzipped, it is its .gz (test_compression.py)
    resp = web.get(base + "cmif.xml", headers=plain)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/tei+xml; charset=utf-8"
    assert resp.content == (dumps_dir / cmif.DUMP_FILE).read_bytes()
    sums = dict(reversed(line.split()) for line in (dumps_dir / "SHA256SUMS").read_text().splitlines())
    assert resp.headers["ETag"] == f'"{sums[cmif.DUMP_FILE]}"'
    assert web.get(base + "cmif.xml", headers={**plain, "If-None-Match": resp.headers["ETag"]}).status_code == 304
    assert resp.links["describedby"]["url"] == base + "void"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    dump = web.get(base + "dumps/" + cmif.DUMP_FILE)
    assert dump.content == resp.content and dump.headers["Content-Type"] == "application/tei+xml; charset=utf-8"


def test_without_dumps_the_server_makes_the_same_file_from_its_store(served_store, base, dumps_dir, schema):
    from lod.config import Settings

    app = make_app(Settings(base=base, out=None), served_store)
    resp = app.test_client().get("/cmif.xml")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/tei+xml; charset=utf-8"
    valid(schema, resp.data)
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    assert f'<date when="{today}" />'.encode() in resp.data, "dated the day it is made"
    undated = re.compile(rb'(<publicationStmt>.*?<date when=")[^"]*(")', re.S)
    assert undated.sub(rb"\1\2", resp.data) == undated.sub(rb"\1\2", (dumps_dir / cmif.DUMP_FILE).read_bytes())


def test_home_page_and_void_link_the_cmif(web, base):
    home = web.get(base, headers={"Accept": "text/html"})
    assert f'href="{base}cmif.xml"' in home.text
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS

    void = Graph().parse(data=web.get(base + "void.ttl").content, format="turtle")
    dist = URIRef(base + "dumps/" + cmif.DUMP_FILE)
    assert (URIRef(base + "void"), DCAT.distribution, dist) in void
    assert void.value(dist, DCAT.mediaType) == Literal("application/tei+xml")
    assert void.value(dist, DCTERMS.conformsTo) == URIRef(cmif.SCHEMA)
    for url in (void.value(dist, DCAT.downloadURL), void.value(dist, DCAT.accessURL)):
        resp = web.get(str(url))
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/tei+xml"), url
