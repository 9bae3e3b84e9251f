"""The letters' source texts are in the data: a store with no folder of letter files beside it
(a dump given to `--data`, a store directory, a remote store) shows each letter with its highlights,
and serves each text as plain text, byte for byte the file that every selector's offsets count in."""
from __future__ import annotations

import re
import subprocess

import pyoxigraph as ox
import pytest
import requests
from requests.utils import parse_header_links

from lod.config import Settings
from lod.store import EmbeddedStore
from lod.web import create_app
from support import LETTERS, SPARQL_PREFIXES as PREFIXES, lod

SEED = "000_6d2f7f5c90ee0ebe.txt"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"


def test_each_text_node_holds_its_file_as_stored(built, store):
    for letter in built.letters:
        rows = list(store.query(f"""SELECT ?content WHERE {{
            ?text <http://purl.org/dc/terms/identifier> "{letter.file}" ; <{CRM}P190_has_symbolic_content> ?content }}""",
                                use_default_graph_as_union=True))
        assert len(rows) == 1, letter.file
        assert rows[0]["content"].value == letter.text  # the file as read, byte for byte


def test_letter_page_highlights_from_the_store_alone(built, dumps_dir, tmp_path, base):
    nowhere = tmp_path / "no-letters-here"  # the page may not read the letter files
    settings = Settings(base=base, letters=nowhere, annotations=nowhere, out=None)
    app = create_app(settings, EmbeddedStore.from_files([dumps_dir / "letters.nq"]))
    page = app.test_client().get("/doc/letter/1921-12-20-zalutsky-salts", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    mentions = re.findall(r'<a [^>]*class="[^"]*\bmention\b[^"]*"[^>]*>([^<]*)</a>', html)
    assert "Comrade Kasparova-Popova" in mentions
    quotes = list(ox.parse(path=str(dumps_dir / "letters.nq"), format=ox.RdfFormat.N_QUADS))
    exact = {q.object.value for q in quotes if q.predicate.value == "http://www.w3.org/ns/oa#exact"
             and "1921-12-20-zalutsky-salts/" in q.subject.value}
    assert len(exact) > 40 and "Comrade Kasparova-Popova" in exact


# --- the text the offsets count in, served as plain text ------------------------------------------
# {base}id/text/{slug} holds the stored file as crm:P190_has_symbolic_content; its document is also plain
# text ({base}doc/text/{slug}.txt, or Accept: text/plain), byte for byte the file in data/letters/.

SEED_TEXT = "text/1921-12-20-zalutsky-salts"
NO_TEXT = "text/lenin-collected-works-volume-45"  # a text the letters cite, whose words the data does not hold


def sparql_rows(site: str, query: str) -> list[dict[str, str]]:
    """A SELECT asked of the server's own /sparql, as any client would: rows of values."""
    answer = requests.get(site + "sparql", params={"query": PREFIXES + query},
                          headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def doc_path(site: str, uri: str) -> str:
    assert uri.startswith(site + "id/"), uri
    return site + "doc/" + uri[len(site + "id/"):]


@pytest.fixture(scope="module")
def served_texts(real_site) -> dict[str, bytes]:
    """Every text node that holds a text, by its URI: the .txt the real server sends, checked against the file."""
    rows = sparql_rows(real_site.url, "SELECT ?text ?file WHERE { ?text crm:P190_has_symbolic_content ?content ; "
                                      "dcterms:identifier ?file . FILTER(STRSTARTS(STR(?text), STR(?base))) }"
                       .replace("?base", f"<{real_site.url}id/text/>"))
    assert sorted(r["file"] for r in rows) == sorted(p.name for p in LETTERS.glob("*.txt"))
    texts = {}
    with requests.Session() as http:
        for row in rows:
            answer = http.get(doc_path(real_site.url, row["text"]) + ".txt", timeout=10)
            assert answer.status_code == 200, row
            assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
            assert answer.content == (LETTERS / row["file"]).read_bytes(), row["file"]  # byte for byte
            texts[row["text"]] = answer.content
    return texts


def test_every_letter_text_is_served_as_stored_by_a_real_server(served_texts):
    assert len(served_texts) == len(list(LETTERS.glob("*.txt")))


def test_every_selector_cuts_its_quote_out_of_the_served_text(real_site, served_texts):
    """oa:start and oa:end count Unicode code points in the served text: the quote is text[start:end]."""
    rows = sparql_rows(real_site.url, """SELECT ?source ?start ?end ?exact WHERE {
        ?target oa:hasSource ?source ; oa:hasSelector ?position, ?quote .
        ?position a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
        ?quote a oa:TextQuoteSelector ; oa:exact ?exact . }""")
    assert {r["source"] for r in rows} == set(served_texts)  # every letter has annotations, each on a served text
    decoded = {uri: body.decode("utf-8") for uri, body in served_texts.items()}
    wrong = [r for r in rows if decoded[r["source"]][int(r["start"]):int(r["end"])] != r["exact"]]
    assert len(rows) > 500 and wrong == []


def test_curl_follows_a_text_uri_asking_for_plain_text_to_the_file(real_site):
    uri = f"{real_site.url}id/{SEED_TEXT}"
    first = subprocess.run(["curl", "-s", "-i", "--max-time", "10", "-H", "Accept: text/plain", uri],
                           capture_output=True, check=True).stdout
    assert first.startswith(b"HTTP/1.1 303") and f"location: {real_site.url}doc/{SEED_TEXT}".encode() in first.lower()
    body = subprocess.run(["curl", "-s", "-L", "--max-time", "10", "-H", "Accept: text/plain", uri],
                          capture_output=True, check=True).stdout
    assert body == (LETTERS / SEED).read_bytes()


def test_plain_text_is_negotiated_for_a_text_node_with_vary_location_and_links(web, base):
    doc = f"{base}doc/{SEED_TEXT}"
    answer = web.get(doc, headers={"Accept": "text/plain"}, timeout=10)
    assert answer.status_code == 200 and answer.content == (LETTERS / SEED).read_bytes()
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert answer.headers["Content-Location"] == doc + ".txt"
    assert "Accept" in answer.headers["Vary"]
    alternates = {link["type"]: link["url"] for link in parse_header_links(answer.headers["Link"])
                  if "type" in link}  # the Linked Art record's link names its profile, not a type
    assert alternates["text/turtle"] == doc + ".ttl" and alternates["text/html"] == doc + ".html"
    for ext in ("html", "ttl", "nt", "rdf", "jsonld"):  # every other variant lists it
        other = web.get(f"{doc}.{ext}", timeout=10)
        assert f'<{doc}.txt>; rel="alternate"; type="text/plain"' in other.headers["Link"], ext
    for accept in ("text/html,text/plain;q=0.9", "*/*", "text/*"):  # HTML still first, as for every document
        assert web.get(doc, headers={"Accept": accept}, timeout=10).headers["Content-Type"].startswith("text/html")
    assert web.get(doc, headers={"Accept": "text/turtle,text/plain;q=0.5"}, timeout=10).headers[
        "Content-Type"].startswith("text/turtle")


def test_the_plain_text_has_an_etag_and_answers_304(web, base):
    url = f"{base}doc/{SEED_TEXT}.txt"
    first = web.get(url, timeout=10)
    etag = first.headers["ETag"]
    again = web.get(url, headers={"If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    assert web.get(f"{base}doc/{SEED_TEXT}", headers={"Accept": "text/plain", "If-None-Match": etag},
                   timeout=10).status_code == 304


@pytest.mark.parametrize("path", ["person/lenin", "letter/1921-12-20-zalutsky-salts", NO_TEXT,
                                  f"{SEED_TEXT}/checksum"])
def test_a_thing_with_no_stored_text_has_no_plain_text(web, base, path):
    """.txt is 404 saying why; text/plain is not a variant there but N-Triples under its old name, as
    rdflib asks for it (docs/design.md, "Content negotiation")."""
    missing = web.get(f"{base}doc/{path}.txt", timeout=10)
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert f"<{base}id/{path}> holds no stored text" in missing.text
    triples = web.get(f"{base}doc/{path}", headers={"Accept": "text/plain"}, timeout=10)
    assert triples.status_code == 200 and triples.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    assert triples.headers["Content-Location"] == f"{base}doc/{path}.nt"
    assert f"<{base}id/{path}> " in triples.text and 'type="text/plain"' not in triples.headers["Link"]
    assert 'type="text/plain"' not in web.get(f"{base}doc/{path}.ttl", timeout=10).headers["Link"]


def test_each_letter_page_links_its_text_as_stored(web, base, sparql):
    letters = sparql("SELECT ?letter ?file WHERE { ?letter a foaf:Document ; prov:wasDerivedFrom ?text . "
                     "?text dcterms:identifier ?file }")
    assert len(letters) == len(list(LETTERS.glob("*.txt")))
    for row in letters:
        page = web.get(doc_path(base, row["letter"]), headers={"Accept": "text/html"}, timeout=10).text
        hrefs = re.findall(r'<a class="plain-text" href="([^"]+)" type="text/plain">', page)
        assert len(hrefs) == 1, row["file"]
        assert web.get(hrefs[0], timeout=10).content == (LETTERS / row["file"]).read_bytes(), row["file"]


def test_a_store_directory_serves_the_text_and_positions_as_the_dumps(built, dumps_dir, tmp_path, base):
    """A store on disk (``lod load-store``) holds what pyoxigraph keeps: the text and the offsets read back
    as the dumps have them."""
    from lod.storedir import open_store

    folder = tmp_path / "store"
    loaded = lod("load-store", "--store", str(folder), str(dumps_dir / "letters.nq"))
    assert loaded.returncode == 0, loaded.stderr
    app = create_app(Settings(base=base, out=None), open_store(folder))
    client = app.test_client()
    text = client.get(f"/doc/{SEED_TEXT}.txt")
    assert text.status_code == 200 and text.data == (LETTERS / SEED).read_bytes()
    letter = client.get("/doc/letter/1921-12-20-zalutsky-salts.nt")
    positions = [t.object for t in ox.parse(letter.data, format=ox.RdfFormat.N_TRIPLES)
                 if t.predicate.value in ("http://www.w3.org/ns/oa#start", "http://www.w3.org/ns/oa#end")]
    assert len(positions) > 100
    assert {o.datatype.value for o in positions} == {"http://www.w3.org/2001/XMLSchema#nonNegativeInteger"}


def test_every_text_node_with_a_text_serves_that_text(web, base, sparql):
    """Not only the letters' files: any text node holding its text (an inscription's words) serves it."""
    rows = sparql(f"""SELECT ?text ?content WHERE {{ ?text crm:P190_has_symbolic_content ?content .
        FILTER(STRSTARTS(STR(?text), "{base}id/text/") && !CONTAINS(STRAFTER(STR(?text), "{base}id/text/"), "/")) }}""")
    assert len(rows) > len(list(LETTERS.glob("*.txt")))  # the inscription besides the letters
    for row in rows:
        answer = web.get(doc_path(base, row["text"]) + ".txt", timeout=10)
        assert answer.status_code == 200 and answer.content == row["content"].encode("utf-8"), row["text"]
