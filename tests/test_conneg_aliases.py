"""Documents asked for under the media types clients really send (lod/web/negotiation.py, ``ALIASES``), and
as quads: rdflib dereferencing a URI for each format it reads, over the real server.

``text/plain`` is N-Triples everywhere but on a text node holding its text, where it is that text
(tests/test_source_text.py holds that rule); ``text/n3`` and ``application/x-turtle`` are Turtle;
``application/xml`` and ``text/xml`` RDF/XML; ``application/n-quads`` and ``application/trig`` the document
as one named graph, the document's. Aliases are offered after every variant: they never win a tie.
"""
from __future__ import annotations

import warnings

import pytest
from rdflib import Dataset, Graph, URIRef

PERSON = "person/lenin"
SEED_TEXT = "text/1921-12-20-zalutsky-salts"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PERSON_CLASS = URIRef("http://xmlns.com/foaf/0.1/Person")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def media_type(response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


@pytest.mark.parametrize("accept, expected, ext", [
    ("text/plain", "application/n-triples", "nt"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("text/n3", "text/turtle", "ttl"),
    ("application/x-turtle", "text/turtle", "ttl"),
    ("application/xml", "application/rdf+xml", "rdf"),
    ("text/xml", "application/rdf+xml", "rdf"),
    ("application/n-quads", "application/n-quads", "nq"),
    ("application/trig", "application/trig", "trig"),
    # rdflib's own Accept headers (rdflib.parser.URLInputSource), one per format it names
    ("text/plain, */*;q=0.1", "application/n-triples", "nt"),
    ("text/n3, */*;q=0.1", "text/turtle", "ttl"),
    ("text/turtle, application/x-turtle, */*;q=0.1", "text/turtle", "ttl"),
    ("application/rdf+xml, */*;q=0.1", "application/rdf+xml", "rdf"),
    ("application/trig, */*;q=0.1", "application/trig", "trig"),
    ("application/ld+json, application/json;q=0.9, */*;q=0.1", "application/ld+json", "jsonld"),
])
def test_the_names_clients_use(web, base, accept, expected, ext):
    response = web.get(f"{base}doc/{PERSON}", headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200, response.text
    assert media_type(response) == expected
    assert response.headers["Content-Location"] == f"{base}doc/{PERSON}.{ext}"
    assert "Accept" in response.headers["Vary"]
    assert web.get(f"{base}doc/{PERSON}.{ext}", timeout=10).content == response.content


@pytest.mark.parametrize("accept, expected", [
    ("text/plain, text/turtle", "text/turtle"),  # a tie: the variant is offered before any alias
    ("application/xml, text/html", "text/html"),
    ("text/xml, application/ld+json", "application/ld+json"),
    ("text/plain;q=0.5, application/rdf+xml;q=0.4", "application/n-triples"),  # q-values still decide
    ("text/n3;q=0.9, application/n-triples", "application/n-triples"),
    (BROWSER, "text/html"),  # a browser's application/xml;q=0.9 is below its text/html
    ("*/*", "text/html"), ("text/*", "text/html"), ("application/*", "application/n-triples"),
])
def test_aliases_never_win_a_tie(web, base, accept, expected):
    response = web.get(f"{base}doc/{PERSON}", headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200 and media_type(response) == expected, accept


def test_on_a_text_node_text_plain_is_still_its_text(web, base):
    response = web.get(f"{base}doc/{SEED_TEXT}", headers={"Accept": "text/plain, */*;q=0.1"}, timeout=10)
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Location"] == f"{base}doc/{SEED_TEXT}.txt"
    refused = web.get(f"{base}doc/{SEED_TEXT}", headers={"Accept": "image/png"}, timeout=10)
    assert refused.status_code == 406 and "text/plain  (answered as" not in refused.text
    assert "text/xml  (answered as application/rdf+xml)" in refused.text


def test_406_lists_the_aliases_with_what_they_give(web, base):
    refused = web.get(f"{base}doc/{PERSON}", headers={"Accept": "image/png"}, timeout=10)
    assert refused.status_code == 406
    assert "text/plain  (answered as application/n-triples)" in refused.text
    assert f"application/trig  {base}doc/{PERSON}.trig" in refused.text


@pytest.mark.parametrize("path", [PERSON, "letter/1921-12-20-zalutsky-salts"])
def test_quads_are_the_document_as_one_graph_named_by_it(web, base, path):
    doc = f"{base}doc/{path}"
    triples = Graph().parse(data=web.get(doc + ".nt", timeout=10).content, format="nt")
    for ext, rdflib_format in (("nq", "nquads"), ("trig", "trig")):
        dataset = Dataset()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset.parse(data=web.get(f"{doc}.{ext}", timeout=10).content, format=rdflib_format)
        graphs = {str(g) for _, _, _, g in dataset.quads((None, None, None, None))}
        assert graphs == {doc}, ext
        assert set(dataset.graph(URIRef(doc))) == set(triples), ext


@pytest.mark.parametrize("name", ["terms", "shapes"])
def test_the_published_vocabularies_as_quads_are_their_own_graph(web, base, name):
    doc = f"{base}ontology/{name}"
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=web.get(doc, headers={"Accept": "application/trig"}, timeout=10).content, format="trig")
    assert {str(g) for _, _, _, g in dataset.quads((None, None, None, None))} == {doc}
    assert media_type(web.get(doc, headers={"Accept": "text/plain"}, timeout=10)) == "application/n-triples"


def test_void_as_quads_is_the_graph_the_dumps_name_void(web, base):
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(data=web.get(base + "void", headers={"Accept": "application/n-quads"}, timeout=10).content,
                      format="nquads")
    assert {str(g) for _, _, _, g in dataset.quads((None, None, None, None))} == {base + "void"}


# --- rdflib dereferencing over the real server --------------------------------------------------------

# Graph.parse(url, format=F) sends an Accept header of its own for each of these (rdflib.parser).
RDFLIB_TRIPLES = ["xml", "n3", "turtle", "ttl", "nt", "json-ld"]


@pytest.mark.parametrize("fmt", RDFLIB_TRIPLES)
def test_rdflib_dereferences_a_uri_in_each_format(real_site, fmt):
    """Through the 303, in the format rdflib asked for (it parses what comes back as that format)."""
    uri = f"{real_site.url}id/{PERSON}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = Graph().parse(uri, format=fmt)
    assert (URIRef(uri), RDF_TYPE, PERSON_CLASS) in graph


def test_rdflib_dereferences_a_uri_as_trig(real_site):
    uri = f"{real_site.url}id/{PERSON}"
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(uri, format="trig")
    assert (URIRef(uri), RDF_TYPE, PERSON_CLASS) in dataset.graph(URIRef(f"{real_site.url}doc/{PERSON}"))


def test_rdflib_without_a_format_reads_what_it_is_given(real_site):
    """No format: rdflib asks for every type it parses at once and picks the parser by Content-Type."""
    uri = f"{real_site.url}id/{PERSON}"
    graph = Graph().parse(uri)
    assert (URIRef(uri), RDF_TYPE, PERSON_CLASS) in graph


def test_rdflib_reads_documents_of_the_real_server_in_each_format(real_server, base):
    """The session's server, whose base is not its address: its documents, asked for by URL. Not JSON-LD,
    whose context is at the base (test_rdflib_dereferences_a_uri_in_each_format reads it where it is)."""
    for fmt in (f for f in RDFLIB_TRIPLES if f != "json-ld"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            graph = Graph().parse(f"{real_server}doc/{PERSON}", format=fmt)
        assert (URIRef(f"{base}id/{PERSON}"), RDF_TYPE, PERSON_CLASS) in graph, fmt
