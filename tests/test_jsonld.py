"""JSON-LD as clients read it: the context at its stable URL, the compacted, expanded and flattened forms
by profile, the script in each page and the dump.

Every served form of every document is read back by rdflib and by jsonld.js (Node) and must be the same
graph as the document's N-Triples: compaction may change how a triple is written, never which triples
there are. In this process rdflib cannot fetch the context itself (it uses urllib), so the context is
fetched through the same client first (``support.jsonld_with_context``); against the real server rdflib
and jsonld.js fetch it themselves.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from support import REPO, jsonld_with_context, skip_or_fail

JSONLD = "application/ld+json"
NS = "http://www.w3.org/ns/json-ld#"
EXPANDED, COMPACTED, FLATTENED = NS + "expanded", NS + "compacted", NS + "flattened"
# Accept -> the profile the answer follows
FORMS = {
    JSONLD: COMPACTED,
    f'{JSONLD};profile="{COMPACTED}"': COMPACTED,
    f'{JSONLD};profile="{EXPANDED}"': EXPANDED,
    f'{JSONLD};profile="{FLATTENED}"': FLATTENED,
    f'{JSONLD};profile="{FLATTENED} {COMPACTED}"': COMPACTED,  # flattened and compacted: ours is both
    f'{JSONLD};profile="{EXPANDED}";q=0.5, {JSONLD};profile="{FLATTENED}"': FLATTENED,  # q-values decide
}
# A document of each kind, nodes below things, and the dataset description: every form of each is read back.
SAMPLE = ["letter/1921-12-20-zalutsky-salts", "person/kasparova-popova", "group/party", "place/moscow",
          "event/expulsion-of-kasparova-popova", "concept/expulsion", "text/1921-12-20-zalutsky-salts",
          "agent/curators", "event/expulsion-of-kasparova-popova/time",
          "letter/1921-12-20-zalutsky-salts/annotation/019/target"]
SEP = "\u241e"  # joins a document's path and the Accept header in a name jsonld.js hands back


@pytest.fixture(scope="module")
def documents(web, base) -> list[str]:
    """The document URL of every thing in the sitemap, the sample's nodes, and /void."""
    sitemap = ElementTree.fromstring(web.get(base + "sitemap.xml", timeout=30).content)
    things = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(things) > 300
    return sorted(set(things) | {base + "doc/" + path for path in SAMPLE}) + [base + "void"]


def ntriples(web, url: str) -> Graph:
    resp = web.get(url, headers={"Accept": "application/n-triples"}, timeout=30)
    assert resp.status_code == 200
    return Graph().parse(data=resp.content, format="nt")


def as_triples(data: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple if isinstance(q, ox.Quad) else q for q in ox.parse(data, format=fmt)}


# --- the context ------------------------------------------------------------------------------------------


def test_the_context_is_served_cacheable_at_a_stable_url(web, base):
    resp = web.get(base + "ns/context.jsonld", timeout=30)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith(JSONLD)
    assert "max-age=86400" in resp.headers["Cache-Control"] and "public" in resp.headers["Cache-Control"]
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    context = resp.json()["@context"]
    assert context["carried_out_by"] == {"@id": "crm:P14_carried_out_by", "@type": "@id"}
    assert context["label"] == {"@id": "rdfs:label", "@language": "en"}
    again = web.get(base + "ns/context.jsonld", headers={"If-None-Match": resp.headers["ETag"]}, timeout=30)
    assert again.status_code == 304


def test_every_property_of_the_data_has_a_readable_term(web, base, built):
    """Only rdf:type (the ``type`` keyword) and the two properties whose names CRM terms took keep prefixes."""
    context = web.get(base + "ns/context.jsonld", timeout=30).json()["@context"]
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("/", "#"))}

    def expand(curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return prefixes[prefix] + local

    named = {expand(d if isinstance(d, str) else d["@id"]) for t, d in context.items()
             if t not in prefixes and not (isinstance(d, str) and d.startswith("@"))}
    used = {q.predicate.value for q in built.quads}
    keep_prefix = {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://purl.org/dc/terms/language",
                   "http://purl.org/dc/terms/type"}
    assert used - keep_prefix - named == set()


# --- the forms, by profile --------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", FORMS)
def test_each_profile_gives_its_form(web, base, accept):
    url = base + "doc/person/kasparova-popova"
    resp = web.get(url, headers={"Accept": accept}, timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith(JSONLD)
    assert "accept" in resp.headers["Vary"].lower()
    form = FORMS[accept]
    assert resp.headers["Content-Profile"] == f"<{form}>"
    assert f'<{form}>; rel="profile"' in resp.headers["Link"]
    body = resp.json()
    if form == COMPACTED:
        assert body["@context"] == base + "ns/context.jsonld"
        assert resp.headers["Content-Location"] == url + ".jsonld"
        person = next(n for n in body["@graph"] if n["id"] == base + "id/person/kasparova-popova")
        assert person["name"] == "Yevgenia Popova" and person["label"] == "Yevgenia Popova (Kasparova)"
        assert "crm:E21_Person" in person["type"]
    else:
        assert isinstance(body, list) and "Content-Location" not in resp.headers  # no URL of their own
        keys = {k for node in body for k in node}
        assert all(k.startswith(("@", "http")) for k in keys), "expanded: keywords and IRIs only"
        if form == FLATTENED:
            assert [n["@id"] for n in body] == sorted(n["@id"] for n in body)


def test_the_jsonld_url_is_always_compacted(web, base):
    url = base + "doc/person/lenin.jsonld"
    plain = web.get(url, timeout=30)
    asked = web.get(url, headers={"Accept": f'{JSONLD};profile="{EXPANDED}"'}, timeout=30)
    assert plain.content == asked.content and plain.json()["@context"] == base + "ns/context.jsonld"


def test_kept_answers_are_kept_per_profile(web, base):
    """The app keeps rendered answers (lod.web.cache): asked in turn, each profile still gets its own form."""
    url = base + "doc/place/moscow"
    for _ in range(2):
        for accept, form in FORMS.items():
            body = web.get(url, headers={"Accept": accept}, timeout=30).json()
            assert isinstance(body, dict) == (form == COMPACTED), accept


def test_every_form_of_every_document_reads_back_as_its_ntriples_in_rdflib(web, base, documents):
    sample = {base + "doc/" + path for path in SAMPLE} | {base + "void"}
    for url in documents:
        expected = ntriples(web, url)
        for accept in (FORMS if url in sample else [JSONLD]):
            resp = web.get(url, headers={"Accept": accept}, timeout=30)
            assert resp.status_code == 200, (url, accept)
            got = Graph().parse(data=jsonld_with_context(resp), format="json-ld")
            assert isomorphic(got, expected), (url, accept, len(got), len(expected))


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        skip_or_fail("node not found (Debian: apt-get install nodejs)")
    if not (REPO / "node_modules" / "jsonld").is_dir():
        skip_or_fail("npm package jsonld not installed (run: npm ci)")
    return path


def jsonld_js(node: str, items: list[dict], contexts: dict | None = None) -> dict:
    done = subprocess.run([node, str(REPO / "tests" / "jsonld_to_rdf.mjs")], cwd=REPO, capture_output=True, text=True,
                          input=json.dumps({"contexts": contexts or {}, "items": items}), timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_form_of_every_document_reads_back_as_its_ntriples_in_jsonld_js(web, base, documents, node):
    sample = {base + "doc/" + path for path in SAMPLE} | {base + "void"}
    context_url = base + "ns/context.jsonld"
    items, expected = [], {}
    for url in documents:
        expected[url] = web.get(url, headers={"Accept": "application/n-triples"}, timeout=30).content
        for accept in (FORMS if url in sample else [JSONLD]):
            resp = web.get(url, headers={"Accept": accept}, timeout=30)
            items.append({"name": url + SEP + accept, "body": resp.text})
    out = jsonld_js(node, items, {context_url: web.get(context_url, timeout=30).json()})
    for name, nquads in out.items():
        assert isinstance(nquads, str), (name, nquads)
        url = name.split(SEP)[0]
        assert as_triples(nquads.encode("utf-8"), ox.RdfFormat.N_QUADS) == \
            as_triples(expected[url], ox.RdfFormat.N_TRIPLES), name


def test_pyld_reads_every_form_as_the_ntriples(web, base):
    from pyld import jsonld

    context_url = base + "ns/context.jsonld"
    context = web.get(context_url, timeout=30).json()

    def loader(url, options=None):
        assert url == context_url, f"asked for another remote document: {url}"
        return {"contextUrl": None, "documentUrl": url, "document": context}

    for path in SAMPLE:
        url = base + "doc/" + path
        expected = as_triples(web.get(url, headers={"Accept": "application/n-triples"}, timeout=30).content,
                              ox.RdfFormat.N_TRIPLES)
        for accept in FORMS:
            body = web.get(url, headers={"Accept": accept}, timeout=30).json()
            nquads = jsonld.to_rdf(body, {"format": "application/n-quads", "documentLoader": loader})
            assert as_triples(nquads.encode("utf-8"), ox.RdfFormat.N_QUADS) == expected, (path, accept)


# --- over real HTTP: the clients fetch the context themselves -----------------------------------------------


def test_rdflib_and_jsonld_js_dereference_a_document_and_its_context(real_site, node):
    url = real_site.url + "doc/letter/1921-12-20-zalutsky-salts"
    import requests

    expected = requests.get(url + ".nt", timeout=30).content
    got = Graph().parse(url, format="json-ld")  # rdflib asks for JSON-LD, then fetches the context
    assert isomorphic(got, Graph().parse(data=expected, format="nt"))
    out = jsonld_js(node, [{"name": "doc", "url": url, "accept": JSONLD}])
    assert isinstance(out["doc"], str), out["doc"]
    assert as_triples(out["doc"].encode("utf-8"), ox.RdfFormat.N_QUADS) == as_triples(expected, ox.RdfFormat.N_TRIPLES)


# --- pages and the dump ----------------------------------------------------------------------------------


def test_the_page_script_is_compacted_with_the_context_written_in(web, base):
    import html as htmllib
    import re

    url = base + "doc/event/expulsion-of-kasparova-popova"
    page = web.get(url, headers={"Accept": "text/html"}, timeout=30).text
    script = re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', page, re.S).group(1)
    data = json.loads(htmllib.unescape(script) if "&quot;" in script else script)
    assert isinstance(data["@context"], dict) and data["@context"]["separated"]["@id"] == "crm:P145_separated"
    assert isomorphic(Graph().parse(data=json.dumps(data), format="json-ld"), ntriples(web, url))


def test_the_jsonld_dump_is_compacted_with_our_context(web, base, dumps_dir):
    dump = json.loads((dumps_dir / "letters.jsonld").read_bytes())
    assert dump["@context"] == web.get(base + "ns/context.jsonld", timeout=30).json()["@context"]
    graphs = {g["id"]: g["@graph"] for g in dump["@graph"]}
    assert base + "id/letter/1921-12-20-zalutsky-salts" in graphs, "one @graph per letter, named by it"
    letter = next(n for n in graphs[base + "id/letter/1921-12-20-zalutsky-salts"]
                  if n["id"] == base + "id/letter/1921-12-20-zalutsky-salts")
    assert letter["creator"] == base + "id/person/lenin" and letter["date"]["@value"] == "1921-12-20"
    size = (dumps_dir / "letters.jsonld").stat().st_size
    assert size < (dumps_dir / "letters.nt").stat().st_size / 2, "compact: under half the N-Triples"
