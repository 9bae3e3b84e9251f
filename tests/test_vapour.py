"""The checks of the Vapour Linked Data validator, for one resource of every kind and a node below one.

Vapour asks each URI four ways: with no Accept, for RDF/XML, for HTML, and with the mixed q-values
of browsers and RDF agents; every answer must be a 303 to the document (with ``Vary: Accept``) and
the document must then answer in the asked format. A tie between HTML and RDF/XML goes to HTML
(the rule of lod/web/negotiation.py). Asked of the app in this process (``web``).
"""
from __future__ import annotations

import pytest
import requests
from rdflib import Graph, URIRef

RESOURCES = [
    "letter/1921-12-20-zalutsky-salts",
    "person/kasparova-popova",
    "group/central-commission-for-purging-the-party",
    "place/far-east",
    "event/expulsion-of-kasparova-popova",
    "text/lenin-collected-works-volume-45",
    "concept/expulsion",
    "event/expulsion-of-kasparova-popova/time",  # a node below a thing
    "letter/1921-12-20-zalutsky-salts/annotation/001/target",
]


def varies_on_accept(resp: requests.Response) -> bool:
    return "accept" in [v.strip().lower() for v in resp.headers.get("Vary", "").split(",")]


def dereference(web: requests.Session, base: str, path: str, accept: str | None) -> requests.Response:
    """GET the thing URI, check the 303, GET the document: what Vapour does for each request."""
    headers = {"Accept": accept}  # None: no Accept header at all
    see_other = web.get(f"{base}id/{path}", headers=headers, allow_redirects=False, timeout=10)
    assert see_other.status_code == 303, path
    assert see_other.headers["Location"] == f"{base}doc/{path}"
    assert varies_on_accept(see_other)
    doc = web.get(see_other.headers["Location"], headers=headers, allow_redirects=False, timeout=10)
    assert doc.status_code == 200, path
    assert varies_on_accept(doc)
    return doc


def media_type(resp: requests.Response) -> str:
    return resp.headers["Content-Type"].split(";")[0].strip()


@pytest.mark.parametrize("path", RESOURCES)
def test_without_accept_the_document_is_html(web, base, path):
    assert media_type(dereference(web, base, path, None)) == "text/html"


@pytest.mark.parametrize("path", RESOURCES)
def test_rdf_xml_is_served_and_describes_the_resource(web, base, path):
    doc = dereference(web, base, path, "application/rdf+xml")
    assert media_type(doc) == "application/rdf+xml"
    graph = Graph().parse(data=doc.content, format="xml")
    assert URIRef(f"{base}id/{path}") in set(graph.subjects())


@pytest.mark.parametrize("path", RESOURCES)
def test_html_is_served_when_asked_for(web, base, path):
    doc = dereference(web, base, path, "text/html")
    assert media_type(doc) == "text/html" and b"<html" in doc.content.lower()


@pytest.mark.parametrize("accept, expected", [
    ("application/rdf+xml;q=0.5, text/html;q=0.9", "text/html"),
    ("text/html;q=0.5, application/rdf+xml", "application/rdf+xml"),
    ("application/rdf+xml, text/html", "text/html"),  # a tie: HTML, offered first
    ("text/html, application/xhtml+xml, */*;q=0.1", "text/html"),
    ("application/rdf+xml, */*;q=0.1", "application/rdf+xml"),
])
@pytest.mark.parametrize("path", RESOURCES)
def test_mixed_q_values(web, base, path, accept, expected):
    assert media_type(dereference(web, base, path, accept)) == expected
