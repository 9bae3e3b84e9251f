"""The project's terms and SHACL shapes as published (lod.ontology, lod.web.ontology): served at
``{base}ontology/terms`` and ``{base}ontology/shapes`` with content negotiation, written beside the dumps,
their IRIs absolute under the dataset's base, so that pyshacl's own command line, given the shapes as
served and the N-Quads dump, finds the data conforming.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SH, VOID
from requests.utils import parse_header_links

from lod import ontology
from support import ONTOLOGY, skip_or_fail

RDFLIB = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}
MEDIA = {"ttl": "text/turtle", "nt": "application/n-triples", "rdf": "application/rdf+xml",
         "jsonld": "application/ld+json"}


def pyshacl() -> list[str]:
    """pyshacl's command line, as installed beside this Python."""
    beside = Path(sys.executable).parent / "pyshacl"
    found = str(beside) if beside.exists() else shutil.which("pyshacl")
    if found is None:
        skip_or_fail("pyshacl's command line not found")
    return [found]


def served(web, url: str, accept: str = "text/turtle"):
    resp = web.get(url, headers={"Accept": accept})
    assert resp.status_code == 200, (url, accept, resp.status_code)
    return resp


def test_pyshacl_on_the_dump_with_the_served_shapes_conforms(web, base, built, dumps_dir, tmp_path):
    """The standalone run the issue reports as failing: ``pyshacl -s <shapes as served> letters.nq``."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_bytes(served(web, base + "ontology/shapes").content)
    assert (dumps_dir / ontology.SHAPES_DUMP).read_bytes() == shapes.read_bytes(), "the dumps hold the served shapes"
    # pyshacl reads N-Quads by the file's extension (its -df option does not offer nquads in every version).
    run = subprocess.run([*pyshacl(), "-s", str(shapes), str(dumps_dir / "letters.nq")],
                         capture_output=True, text=True, timeout=300)
    assert "Conforms: True" in run.stdout, run.stdout[-3000:] + run.stderr[-2000:]
    assert run.returncode == 0
    # The file as written has relative IRIs: read alone, they resolve against its own location.
    raw = subprocess.run([*pyshacl(), "-s", str(ONTOLOGY / "shapes.ttl"), str(dumps_dir / "letters.nq")],
                         capture_output=True, text=True, timeout=300)
    assert "Conforms: False" in raw.stdout and "ontology/id/concept/" in raw.stdout


def test_the_shapes_iris_are_absolute_under_the_dataset_base(web, base):
    turtle = served(web, base + "ontology/shapes").content
    # Read as a client that knows only where it fetched the file from, or nothing at all.
    for public_id in ("http://elsewhere.example/shapes.ttl", None):
        shapes = Graph().parse(data=turtle, format="turtle", publicID=public_id)
        iris = {str(t) for triple in shapes for t in triple if isinstance(t, URIRef)}
        assert not [i for i in iris if i.startswith("http://elsewhere.example/") or i.startswith("file:")]
        assert (URIRef(base + "ontology/shapes#Letter"), SH.targetClass, None) in shapes
        assert (None, SH.hasValue, URIRef(base + "id/concept/primary-name")) in shapes


def test_the_vocabularies_negotiate_like_documents(web, base):
    for name in ontology.NAMES:
        uri = f"{base}ontology/{name}"
        graphs = {}
        for ext, media_type in MEDIA.items():
            resp = served(web, uri, media_type)
            assert resp.headers["Content-Type"] == f"{media_type}; charset=utf-8"
            assert resp.headers["Content-Location"] == f"{uri}.{ext}"
            assert "Accept" in resp.headers["Vary"]
            alternates = {link["url"] for link in parse_header_links(resp.headers["Link"])}
            assert f"{uri}.html" in alternates and f"{uri}.{ext}" not in alternates
            assert resp.headers["Access-Control-Allow-Origin"] == "*"
            graphs[ext] = Graph().parse(data=resp.content, format=RDFLIB[ext])
            by_extension = web.get(f"{uri}.{ext}")
            assert by_extension.content == resp.content
            assert "accept" not in [v.strip().lower() for v in by_extension.headers.get("Vary", "").split(",")]
            assert web.get(uri, headers={"Accept": media_type, "If-None-Match": resp.headers["ETag"]}).status_code == 304
            assert resp.headers["Last-Modified"]
        assert len(graphs["ttl"]) > 50
        assert all(isomorphic(graphs["ttl"], g) for g in graphs.values()), name
        page = served(web, uri, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "@base" in page.text and f'href="{uri}.ttl"' in page.text
        refused = web.get(uri, headers={"Accept": "image/png"})
        assert refused.status_code == 406 and f"text/turtle  {uri}.ttl" in refused.text
    assert web.get(base + "ontology/nothing", headers={"Accept": "text/turtle"}).status_code == 404
    assert web.get(base + "ontology/shapes.png").status_code == 404


def test_n_triples_of_the_shapes_are_the_same_bytes_every_time(base):
    """Blank nodes take their labels from the file, not from pyoxigraph's random ones: the same ETag in every process."""
    import pyoxigraph as ox

    first, second = (ox.serialize(ontology.publish(ONTOLOGY, ontology.SHAPES, base).triples(),
                                  format=ox.RdfFormat.N_TRIPLES) for _ in range(2))
    assert first == second and b"_:b0 " in first


def test_the_served_terms_are_the_terms_in_the_data(web, base, store):
    import pyoxigraph as ox

    terms = Graph().parse(data=served(web, base + "ontology/terms", "application/n-triples").content, format="nt")
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(base + "id/concept/types"))
    in_data = Graph().parse(data=ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert isomorphic(terms, in_data)
    assert (URIRef(base + "id/concept/letter"), None, None) in terms


def test_void_links_the_terms_and_the_shapes(web, base):
    void = Graph().parse(data=served(web, base + "void").content, format="turtle")
    dataset = URIRef(base + "void")
    assert (dataset, DCTERMS.conformsTo, URIRef(base + "ontology/shapes")) in void
    assert (dataset, VOID.vocabulary, URIRef(base + "ontology/terms")) in void
    for name in ontology.NAMES:
        assert served(web, f"{base}ontology/{name}").status_code == 200


def test_the_home_page_links_the_vocabularies(web, base):
    home = served(web, base, "text/html")
    assert f'href="{base}ontology/terms"' in home.text and f'href="{base}ontology/shapes"' in home.text


@pytest.mark.parametrize("name", ontology.NAMES)
def test_each_published_file_says_where_it_is_published(name, base):
    published = ontology.publish(ONTOLOGY, name, base)
    assert published.uri == f"{base}ontology/{name}"
    assert published.turtle.startswith(b"# Published at <" + published.uri.encode() + b">")
    assert published.turtle.endswith((ONTOLOGY / f"{name}.ttl").read_bytes()), "the file as written, comments and all"
