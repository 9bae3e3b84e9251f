"""CORS on every route (lod/web/cors.py), asked as a browser asks: the preflight and the answer's headers.

What a browser does with them is tested in a real one (tests/test_browser.py, a page on another origin);
here each route's preflight and answer are read header by header, from the app and from the real server.
"""
from __future__ import annotations

import pytest
import requests

from lod.web.cors import requested_headers

ORIGIN = "http://elsewhere.example"
# Comunica's Accept (about 400 bytes) with a JSON-LD profile in quotes: a browser preflights both.
LONG_ACCEPT = ('application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9;'
               'profile="http://www.w3.org/ns/json-ld#expanded",application/n-triples;q=0.8,text/turtle;q=0.6,'
               'application/rdf+xml;q=0.5,text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,'
               'text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,text/shaclc;q=0.1,'
               'text/shaclc-ext;q=0.05')
ROUTES = ["id/person/lenin", "doc/person/lenin", "doc/person/lenin.ttl", "doc/text/1921-12-20-zalutsky-salts.txt",
          "void", "void.ttl", ".well-known/void", "dumps/", "dumps/letters.nt", "sparql", "sitemap.xml", "",
          "doc/person/nobody", "cmif.xml", "ontology/shapes", "ontology/terms.ttl", "ns/context.jsonld",
          "doc/person/lenin.la.json"]
BROWSER_HEADERS = {"accept", "accept-language", "content-type", "if-none-match", "if-modified-since", "range"}


def preflight(http, url: str, method: str = "GET", headers: str = "accept,if-none-match") -> requests.Response:
    return http.options(url, headers={"Origin": ORIGIN, "Access-Control-Request-Method": method,
                                      "Access-Control-Request-Headers": headers}, allow_redirects=False, timeout=10)


def names(value: str) -> set[str]:
    return {name.strip().lower() for name in value.split(",") if name.strip()}


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_answers_a_preflight(web, base, path):
    answer = preflight(web, base + path)
    assert answer.status_code == 204, answer.text
    assert answer.content == b""
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert {"get", "head"} <= names(answer.headers["Access-Control-Allow-Methods"])
    assert BROWSER_HEADERS <= names(answer.headers["Access-Control-Allow-Headers"])
    assert int(answer.headers["Access-Control-Max-Age"]) >= 600


def test_the_endpoint_allows_post_and_documents_do_not(web, base):
    assert "post" in names(preflight(web, base + "sparql", "POST").headers["Access-Control-Allow-Methods"])
    assert "post" not in names(preflight(web, base + "doc/person/lenin", "POST").headers[
        "Access-Control-Allow-Methods"])


def test_a_preflight_echoes_header_names_and_nothing_else(web, base):
    answer = preflight(web, base + "doc/person/lenin", headers="accept, x-requested-with, x-client-id")
    assert {"x-requested-with", "x-client-id"} <= names(answer.headers["Access-Control-Allow-Headers"])
    odd = preflight(web, base + "doc/person/lenin", headers="accept, x-client-id, <script>")
    assert odd.status_code == 204 and "x-client-id" not in names(odd.headers["Access-Control-Allow-Headers"])
    assert BROWSER_HEADERS <= names(odd.headers["Access-Control-Allow-Headers"])  # what is always allowed
    assert requested_headers("accept, if-none-match") == ["accept", "if-none-match"]
    assert requested_headers('accept, "quoted"') == []
    assert requested_headers(",".join(f"x-h{n}" for n in range(40))) == []
    assert requested_headers("x-" + "a" * 100) == []


def test_an_options_request_that_is_no_preflight_is_answered_by_the_route(web, base):
    answer = web.options(base + "sparql", timeout=10)
    assert answer.status_code == 200
    assert {"GET", "POST"} <= {m.strip() for m in answer.headers["Allow"].split(",")}


@pytest.mark.parametrize("path", ROUTES)
def test_every_answer_exposes_what_clients_read(web, base, path):
    answer = web.get(base + path, headers={"Origin": ORIGIN, "Accept": LONG_ACCEPT}, allow_redirects=False,
                     timeout=10)
    assert answer.headers["Access-Control-Allow-Origin"] == "*", path
    assert {"etag", "link", "content-location", "vary", "content-profile"} <= names(
        answer.headers["Access-Control-Expose-Headers"])


def test_refusals_before_the_app_are_readable_too(real_server):
    """A 431 for an Accept header past the limit is written before Flask: a script still reads it."""
    answer = requests.get(real_server + "doc/person/lenin", headers={"Origin": ORIGIN, "Accept": "a/b," * 2000},
                          timeout=10)
    assert answer.status_code == 431 and answer.headers["Access-Control-Allow-Origin"] == "*"


def test_the_real_server_answers_preflights_on_every_route(real_server):
    for path in ROUTES:
        answer = preflight(requests, real_server + path, headers="accept,if-none-match,range")
        assert answer.status_code == 204, path
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
        assert {"accept", "if-none-match", "range"} <= names(answer.headers["Access-Control-Allow-Headers"])
