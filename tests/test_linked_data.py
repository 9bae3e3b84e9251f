"""Linked Data over HTTP, asked as a client would: of the app in this process (``web``), and of the real
server (serve.py, granian, on a free loopback port) for what only the real server shows: raw request
lines, odd and very long paths as the web server decodes them, HEAD and whole files on the wire, curl.

A thing URI answers 303 to its document; the document speaks HTML, Turtle, N-Triples, RDF/XML and
JSON-LD by content negotiation or by extension; documents carry Vary, Content-Location, Link, ETag,
Last-Modified and CORS headers; odd paths get a 4xx, never a 500; every subject of the dump
dereferences to a document holding what the dump says about it.

The tie rule (documented in lod/web/negotiation.py): equally acceptable types go to the one offered
first, and HTML is offered first; ``application/*`` gives N-Triples, the first application/ type.
Incoming links are paged with ``?page=N``: ``Link: <...?page=N+1>; rel="next"`` and a
``hydra:next`` triple on the document.
"""
from __future__ import annotations

import email.utils
import hashlib
import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
import requests
from rdflib import BNode, Graph, Literal, URIRef
from requests.utils import parse_header_links

from lod.formats import DOCUMENT_DATASET_FORMATS, DOCUMENT_FORMATS
from support import Web, jsonld_with_context, make_app, skip_or_fail

# rdflib's parser for each document format, by extension (the formats themselves come from lod.formats).
RDFLIB = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}
FORMATS = {f.extension: f for f in DOCUMENT_FORMATS}
KINDS = ("letter", "person", "group", "place", "event", "text", "concept", "agent")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
HYDRA_NEXT = URIRef("http://www.w3.org/ns/hydra/core#next")
PERSON = "person/lenin"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@dataclass
class Server:
    base: str  # where it answers, which is also the base URI of its data
    dumps: Path  # the dumps it serves
    http: Web  # the client that reaches it

    def id(self, path: str) -> str:
        return f"{self.base}id/{path}"

    def doc(self, path: str) -> str:
        return f"{self.base}doc/{path}"

    def get(self, url: str, accept: str | None = None, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if accept is not None:
            headers["Accept"] = accept
        return self.http.get(url, headers=headers, allow_redirects=False, timeout=10, **kwargs)


@pytest.fixture(scope="session")
def server(web, base, dumps_dir) -> Server:
    """The app over the session's build, in this process."""
    return Server(base, dumps_dir, web)


@pytest.fixture(scope="session")
def real(real_site) -> Server:
    """The real server, whose base is its own address."""
    with Web() as http:
        yield Server(real_site.url, real_site.dumps, http)


def parse(resp: requests.Response, ext: str) -> Graph:
    """The body as a graph, from bytes: never from requests' guess at a text encoding."""
    body = jsonld_with_context(resp) if ext == "jsonld" else resp.content
    return Graph().parse(data=body, format=RDFLIB[ext])


def links(resp: requests.Response) -> list[dict]:
    return parse_header_links(resp.headers.get("Link", ""))


def varies_on_accept(resp: requests.Response) -> bool:
    return "accept" in [v.strip().lower() for v in resp.headers.get("Vary", "").split(",")]


def media_type(resp: requests.Response) -> str:
    return resp.headers.get("Content-Type", "").split(";")[0].strip()


def raw_request(base: str, target: bytes, method: bytes = b"GET") -> tuple[int, bytes]:
    """Send a request line exactly as given (no client normalises ``..`` or encodes bytes away)."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: " + url.netloc.encode() +
                     b"\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


def term_key(term) -> tuple:
    """Compare literals by lexical form, datatype and language; IRIs by value."""
    if isinstance(term, Literal):
        return ("literal", str(term), str(term.datatype or ""), term.language or "")
    return (type(term).__name__, str(term))


def triple_keys(graph: Graph, subject=None) -> set[tuple]:
    return {(term_key(s), term_key(p), term_key(o)) for s, p, o in graph.triples((subject, None, None))}


# --- dereferencing: /id/ answers 303 ----------------------------------------------------------


@pytest.mark.parametrize("path", ["person/lenin", "letter/1922-12-zinoviev", "concept/expulsion",
                                  "event/expulsion-of-kasparova-popova/time",
                                  "letter/1921-12-20-zalutsky-salts/annotation/001/target"])
def test_a_thing_uri_answers_303_see_other_to_its_document(server, path):
    resp = server.get(server.id(path), "text/turtle")
    assert resp.status_code == 303
    assert resp.headers["Location"] == server.doc(path)
    assert varies_on_accept(resp)
    assert resp.headers["Access-Control-Allow-Origin"] == "*"


def test_the_303_keeps_the_query_string(server):
    resp = server.get(server.id(PERSON) + "?page=1")
    assert resp.status_code == 303
    assert resp.headers["Location"] == server.doc(PERSON) + "?page=1"


@pytest.mark.parametrize("accept, expected", [("text/html", "text/html"), ("text/turtle", "text/plain"),
                                              ("application/rdf+xml", "text/plain"), ("image/png", "text/plain")])
def test_a_uri_not_in_the_data_is_404_in_the_asked_format(server, accept, expected):
    for url in (server.id("person/nobody"), server.doc("person/nobody"), server.id("event/expulsion-of-kasparova-popova/nothing")):
        resp = server.get(url, accept)
        assert resp.status_code == 404, url
        assert media_type(resp) == expected
        assert varies_on_accept(resp)
    assert b"<html" in server.get(server.id("person/nobody"), "text/html").content.lower()


def test_a_document_of_a_thing_not_in_the_data_is_404_by_extension_too(server):
    assert media_type(server.get(server.doc("person/nobody.html"))) == "text/html"
    resp = server.get(server.doc("person/nobody.ttl"))
    assert resp.status_code == 404 and media_type(resp) == "text/plain"


# --- content negotiation on /doc/ ---------------------------------------------------------------


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_each_rdf_format_by_content_negotiation(server, ext):
    fmt = FORMATS[ext]
    resp = server.get(server.doc(PERSON), fmt.media_type)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == f"{fmt.media_type}; charset=utf-8"
    assert resp.headers["Content-Location"] == server.doc(f"{PERSON}.{ext}")
    assert varies_on_accept(resp)
    graph = parse(resp, ext)
    assert (URIRef(server.id(PERSON)), RDF_TYPE, URIRef(FOAF + "Person")) in graph


@pytest.mark.parametrize("ext", sorted(FORMATS) + ["html"])
def test_each_format_by_extension_without_negotiation(server, ext):
    resp = server.get(server.doc(f"{PERSON}.{ext}"), "image/png")  # the extension wins over any Accept
    assert resp.status_code == 200
    expected = FORMATS[ext].media_type if ext in FORMATS else "text/html"
    assert resp.headers["Content-Type"] == f"{expected}; charset=utf-8"
    assert resp.headers["Content-Location"] == server.doc(f"{PERSON}.{ext}")
    if ext in FORMATS:
        assert (URIRef(server.id(PERSON)), RDF_TYPE, URIRef(FOAF + "Person")) in parse(resp, ext)
    else:
        assert b"<html" in resp.content.lower()


def test_the_same_document_by_negotiation_and_by_extension(server):
    for ext, fmt in FORMATS.items():
        assert server.get(server.doc(PERSON), fmt.media_type).content == server.get(server.doc(f"{PERSON}.{ext}")).content


@pytest.mark.parametrize("accept, expected", [
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml"),
    ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "text/turtle"),
    ("application/ld+json;q=0.2, application/n-triples;q=0.3, text/html;q=0.1", "application/n-triples"),
    ("text/html;q=0, */*", "text/turtle"),  # q=0 refuses HTML: the next offered type
    ("text/turtle, */*;q=0.1", "text/turtle"),
    ("text/turtle;charset=utf-8", "text/turtle"),  # media-type parameters do not stop a match
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', "application/ld+json"),
    ("application/json", "application/ld+json"),  # plain JSON clients get JSON-LD
    ("*/*", "text/html"),
    (BROWSER, "text/html"),
    ("text/*", "text/html"),
    ("application/*", "application/n-triples"),  # the first application/ type in the format table
    ("application/rdf+xml, text/html", "text/html"),  # a tie goes to HTML, offered first
    ("text/turtle, application/rdf+xml", "text/turtle"),  # ... and between RDF formats to the table's order
])
def test_q_values_wildcards_and_ties(server, accept, expected):
    resp = server.get(server.doc(PERSON), accept)
    assert resp.status_code == 200
    assert media_type(resp) == expected
    assert varies_on_accept(resp)


def test_no_accept_header_gets_html(server):
    resp = server.http.get(server.doc(PERSON), headers={"Accept": None}, timeout=10)  # None removes the header
    assert resp.status_code == 200
    assert media_type(resp) == "text/html"
    assert resp.headers["Content-Location"] == server.doc(f"{PERSON}.html")


def test_nothing_acceptable_is_406_listing_what_is_offered(server):
    resp = server.get(server.doc(PERSON), "image/png")
    assert resp.status_code == 406
    assert varies_on_accept(resp)
    for offered in ["text/html", *(f.media_type for f in DOCUMENT_FORMATS)]:
        assert offered.encode() in resp.content
    assert server.get(server.doc(f"{PERSON}.ttl"), "image/png").status_code == 200


def test_link_headers_name_every_other_variant(server):
    every = ["text/html", *(f.media_type for f in DOCUMENT_FORMATS + DOCUMENT_DATASET_FORMATS)]
    for chosen in every:
        resp = server.get(server.doc(PERSON), chosen)
        alternates = {(link["url"], link["type"]) for link in links(resp)
                      if link.get("rel") == "alternate" and "profile" not in link}  # not the Linked Art record
        expected = {(server.doc(f"{PERSON}.{ext}"), media) for ext, media in
                    [("html", "text/html"),
                     *((f.extension, f.media_type) for f in DOCUMENT_FORMATS + DOCUMENT_DATASET_FORMATS)]
                    if media != chosen}
        assert alternates == expected, chosen
        assert {"url": server.id(PERSON), "rel": "describes"} in links(resp)


def test_text_formats_say_their_charset(server):
    for accept in ["text/html", *(f.media_type for f in DOCUMENT_FORMATS)]:
        assert server.get(server.doc(PERSON), accept).headers["Content-Type"].endswith("; charset=utf-8")


# --- what a document holds ---------------------------------------------------------------------


def test_a_document_describes_itself(server):
    graph = parse(server.get(server.doc(PERSON + ".ttl")), "ttl")
    doc = URIRef(server.doc(PERSON))
    assert (doc, RDF_TYPE, URIRef(FOAF + "Document")) in graph
    assert (doc, URIRef(FOAF + "primaryTopic"), URIRef(server.id(PERSON))) in graph
    assert (doc, URIRef("http://purl.org/dc/terms/license"),
            URIRef("https://creativecommons.org/publicdomain/zero/1.0/")) in graph
    assert (doc, URIRef(VOID + "inDataset"), URIRef(server.base + "void")) in graph
    assert (doc, HYDRA_NEXT, None) not in graph  # 59 incoming links: one page at the default size


def test_a_document_holds_the_nodes_below_its_thing_and_labels_of_what_it_links(server):
    event = "event/expulsion-of-kasparova-popova"
    graph = parse(server.get(server.doc(event + ".nt")), "nt")
    assert set(graph.triples((URIRef(server.id(event + "/time")), None, None)))
    dump = Graph().parse(server.dumps / "letters.nt", format="nt")
    label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    linked = {o for o in graph.objects(URIRef(server.id(event))) if isinstance(o, URIRef)
              and o.startswith(server.id("")) and not o.startswith(server.id(event + "/"))}
    assert linked
    for o in linked:
        assert set(dump.objects(o, label)) <= set(graph.objects(o, label)), o


def test_documents_have_no_blank_nodes(server):
    for path in ["person/lenin", "letter/1921-12-20-zalutsky-salts", "concept/types"]:
        graph = parse(server.get(server.doc(path + ".nt")), "nt")
        assert not [t for t in graph if any(isinstance(x, BNode) for x in t)], path


OA_POSITIONS = (URIRef("http://www.w3.org/ns/oa#start"), URIRef("http://www.w3.org/ns/oa#end"))


@pytest.mark.parametrize("ext", sorted(FORMATS) + ["html"])
def test_positions_in_a_document_are_non_negative_integers_as_in_the_dumps(server, ext):
    """oa:start/oa:end in Web Annotation's range, xsd:nonNegativeInteger, though the store keeps them as
    xsd:integer (DESIGN: pitfalls); the HTML page carries its document as JSON-LD."""
    answer = server.get(server.doc(f"letter/1921-12-20-zalutsky-salts.{ext}"))
    if ext == "html":
        script = re.search(r'<script type="application/ld\+json">(.*?)</script>', answer.text, re.S)
        graph = Graph().parse(data=script.group(1), format="json-ld")
    else:
        graph = parse(answer, ext)
    datatypes = [str(o.datatype) for p in OA_POSITIONS for o in graph.objects(None, p)]
    assert len(datatypes) > 100
    assert set(datatypes) == {"http://www.w3.org/2001/XMLSchema#nonNegativeInteger"}


# --- HEAD, caching, CORS -----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "application/ld+json"])
def test_head_has_the_headers_of_get_and_no_body(real, accept, encoding):
    full = real.get(real.doc(PERSON), accept, headers={"Accept-Encoding": encoding}, stream=True)
    sent = full.raw.read(decode_content=False)  # the bytes on the wire
    head = real.http.head(real.doc(PERSON), headers={"Accept": accept, "Accept-Encoding": encoding}, timeout=10)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["Content-Length"]) == len(sent)
    assert head.headers.get("Content-Encoding") == full.headers.get("Content-Encoding") == (
        "gzip" if encoding == "gzip" else None)
    for name in ["Content-Type", "Content-Location", "Link", "Vary", "ETag", "Last-Modified",
                 "Access-Control-Allow-Origin"]:
        assert head.headers[name] == full.headers[name], name
    assert real.http.head(real.id(PERSON), timeout=10, allow_redirects=False).status_code == 303


def test_strong_etag_and_304_on_if_none_match(server):
    first = server.get(server.doc(PERSON), "text/turtle")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = server.get(server.doc(PERSON), "text/turtle", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag and varies_on_accept(again)
    other = server.get(server.doc(PERSON), "application/rdf+xml", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag  # each variant its own ETag
    assert server.get(server.doc(PERSON), "text/turtle").headers["ETag"] == etag  # stable between requests


def test_last_modified_is_the_build_time_and_304_on_if_modified_since(server):
    resp = server.get(server.doc(PERSON), "text/turtle")
    built = int((server.dumps / "SHA256SUMS").stat().st_mtime)
    assert resp.headers["Last-Modified"] == email.utils.formatdate(built, usegmt=True)
    since = server.get(server.doc(PERSON), "text/turtle", headers={"If-Modified-Since": resp.headers["Last-Modified"]})
    assert since.status_code == 304 and since.content == b""
    before = email.utils.formatdate(built - 3600, usegmt=True)
    assert server.get(server.doc(PERSON), "text/turtle", headers={"If-Modified-Since": before}).status_code == 200
    # If-None-Match decides when both are sent (RFC 9110 13.2.2): a changed ETag means a new body.
    both = server.get(server.doc(PERSON), "text/turtle", headers={"If-None-Match": '"other"',
                                                         "If-Modified-Since": resp.headers["Last-Modified"]})
    assert both.status_code == 200


@pytest.mark.parametrize("path", ["id/person/lenin", "doc/person/lenin", "doc/person/lenin.jsonld", "void",
                                  "void.ttl", "dumps/letters.nt", "dumps/", "id/person/nobody"])
def test_cors_on_every_data_response(server, path):
    resp = server.get(server.base + path, "text/turtle")
    assert resp.headers["Access-Control-Allow-Origin"] == "*", path


# --- odd requests: 4xx, never 500 ----------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "id/person/ленин", "doc/person/ленин", "id/персона/lenin",  # Cyrillic (sent percent-encoded)
    "id/person/le%2fnin",  # decoded by the server: le/nin, which is nothing of ours
    "id/book/war-and-peace", "doc/book/war-and-peace",  # unknown kind
    "id/Person/lenin", "id/person/Lenin", "doc/PERSON/LENIN",  # upper case
    "id/person/lenin/", "id/person", "id/", "doc/", "doc/person/lenin.xml", "doc/person/lenin.ttl.ttl",
    "doc/person/lenin.", "id/person/lenin.ttl", "id/person/le nin", "id/person/le%3Enin", "id/person/%00",
    "id/person/lenin%0D%0ALocation:%20http://evil.example/", "void/nothing", "void.xml",
    "dumps/nothing.ttl", "dumps/.hidden", "dumps/%2E%2E%2Fbuild.json",
])
def test_odd_paths_are_4xx_never_500(real, path):
    resp = real.get(real.base + path, "text/turtle")
    assert 400 <= resp.status_code < 500, (path, resp.status_code)
    assert "evil" not in resp.headers.get("Location", "")


@pytest.mark.parametrize("path", ["id/person/lenin%2Fname", "doc/person/lenin%2Fname"])
def test_an_encoded_slash_is_read_as_a_slash_and_says_so(real, path):
    """The web real decodes the path before the app sees it (granian keeps no raw path), so %2F reads as /:
    the answer is about the decoded URI and names it, or a 4xx; never a 5xx, never another URI."""
    resp = real.get(real.base + path, "text/turtle")
    decoded = real.base + "doc/person/lenin/name"
    if path.startswith("id/"):
        assert resp.status_code == 303 and resp.headers["Location"] == decoded, resp.status_code
    else:
        assert resp.status_code == 200 and resp.headers["Content-Location"] == decoded + ".ttl"
        assert f"<{real.base}id/person/lenin/name>" in resp.text


def test_a_very_long_path_is_4xx(real):
    for prefix in ("id/person/", "doc/person/", "void/", "dumps/"):
        resp = real.get(real.base + prefix + "a" * 5000)
        assert 400 <= resp.status_code < 500, prefix


@pytest.mark.parametrize("target", [
    b"/id/person/../person/lenin", b"/doc/person/../../dumps/SHA256SUMS", b"/dumps/../dumps/build.json",
    b"/dumps/../../../../etc/passwd", b"/doc/person/lenin/..", "/id/person/ленин".encode("utf-8"),
    b"/doc/person/\xff\xfe",
])
def test_dot_segments_and_raw_bytes_are_4xx(real, target):
    status, _ = raw_request(real.base, target)
    assert 400 <= status < 500, (target, status)


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=1.5", "page=", "page=99999999",
                                   "page=1&page=2", "page=%D0%B4"])
def test_a_bad_page_is_400(server, query):
    assert server.get(f"{server.doc(PERSON)}?{query}", "text/turtle").status_code == 400


def test_a_page_past_the_end_is_404(server):
    assert server.get(server.doc(PERSON) + "?page=2", "text/turtle").status_code == 404


def test_other_methods_are_405(server):
    assert server.http.post(server.doc(PERSON), data=b"x", timeout=10).status_code == 405
    assert server.http.delete(server.id(PERSON), timeout=10).status_code == 405


# --- with curl, as the README shows it -----------------------------------------------------------


def curl(*args: str) -> tuple[str, bytes]:
    """(status line and headers, body) of ``curl -s -i ARGS``."""
    if shutil.which("curl") is None:
        skip_or_fail("curl is not installed (Debian package curl)")
    out = subprocess.run(["curl", "-s", "-i", "--max-time", "10", *args], capture_output=True, check=True).stdout
    # With -L each hop's headers come first; the last header block belongs to the body.
    *heads, body = out.split(b"\r\n\r\n", out.count(b"HTTP/1.1 "))
    return heads[-1].decode("latin-1"), body


def header(head: str, name: str) -> str | None:
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def test_curl_gets_303_with_vary_and_location(real):
    head, _ = curl(real.id(PERSON))
    assert head.startswith("HTTP/1.1 303")
    assert header(head, "Location") == real.doc(PERSON)
    assert header(head, "Vary") == "Accept"


def test_curl_negotiates_turtle(real):
    head, body = curl("-H", "Accept: text/turtle", real.doc(PERSON))
    assert head.startswith("HTTP/1.1 200")
    assert header(head, "Content-Type") == "text/turtle; charset=utf-8"
    assert header(head, "Content-Location") == real.doc(PERSON + ".ttl")
    graph = Graph().parse(data=body, format="turtle")
    assert (URIRef(real.id(PERSON)), RDF_TYPE, URIRef(FOAF + "Person")) in graph


def test_curl_follows_the_303_to_rdf_xml(real):
    head, body = curl("-L", "-H", "Accept: application/rdf+xml", real.id("event/expulsion-of-kasparova-popova"))
    assert head.startswith("HTTP/1.1 200")
    assert header(head, "Content-Type") == "application/rdf+xml; charset=utf-8"
    assert set(Graph().parse(data=body, format="xml").triples(
        (URIRef(real.id("event/expulsion-of-kasparova-popova")), None, None)))


def test_curl_without_accept_gets_html(real):
    head, body = curl("-H", "Accept:", real.doc(PERSON))  # "Accept:" makes curl send no Accept at all
    assert head.startswith("HTTP/1.1 200") and header(head, "Content-Type") == "text/html; charset=utf-8"
    assert b"<html" in body.lower()


# --- every subject of the dump dereferences -------------------------------------------------------


def test_every_subject_of_the_dump_dereferences_to_a_document_holding_its_triples(server):
    """All the dump says about a subject is in the document its URI leads to.

    Subjects under ``/id/`` 303 to ``/doc/``; the dataset ``{base}void`` answers 200 itself, and the
    nodes of its description (``{base}void#build``) are hash IRIs of it, read from it as a client reads
    them, without the fragment; the dump files under ``/dumps/`` are files: they answer 200 with the file
    and ``Link: <{base}void>; rel="describedby"``, which is followed.
    """
    dump = Graph().parse(server.dumps / "letters.nt", format="nt")
    subjects = sorted(set(dump.subjects()))
    assert not [s for s in subjects if not isinstance(s, URIRef)], "blank nodes in the dump"
    session = server.http.fresh()
    session.headers["Accept"] = "application/n-triples"
    fetched = {}
    seen_kinds = set()
    for subject in subjects:
        url = str(subject).split("#", 1)[0]  # what a client asks for: never the fragment
        assert url.startswith(server.base), url
        path = url[len(server.base):]
        if path.startswith("dumps/"):
            resp = session.head(url, allow_redirects=False, timeout=10)
            assert resp.status_code == 200, url
            target = resp.links["describedby"]["url"]
        else:
            resp = session.get(url, allow_redirects=False, timeout=10)
            if path == "void":
                assert resp.status_code == 200, url
                target = url
                seen_kinds.add("void")
            else:
                assert resp.status_code == 303, url
                assert varies_on_accept(resp) or path.startswith("void/"), url
                target = resp.headers["Location"]
                expected = server.base + "void" if path.startswith("void/") else server.doc(path[len("id/"):])
                assert target == expected, url
                seen_kinds.add(path.split("/")[1] if path.startswith("id/") else "void")
        if target not in fetched:
            doc = session.get(target, allow_redirects=False, timeout=10)
            assert doc.status_code == 200 and media_type(doc) == "application/n-triples", target
            fetched[target] = parse(doc, "nt")
        missing = triple_keys(dump, subject) - triple_keys(fetched[target], subject)
        assert not missing, f"{url}: {len(missing)} triple(s) of the dump not in {target}, e.g. {sorted(missing)[:2]}"
    assert seen_kinds >= set(KINDS) | {"void"}


# --- the dataset description -------------------------------------------------------------------------


def test_void_negotiates_like_any_document(server):
    for ext, fmt in FORMATS.items():
        resp = server.get(server.base + "void", fmt.media_type)
        assert resp.status_code == 200 and media_type(resp) == fmt.media_type
        assert resp.headers["Content-Location"] == f"{server.base}void.{ext}"
        assert varies_on_accept(resp)
        assert (URIRef(server.base + "void"), RDF_TYPE, URIRef(VOID + "Dataset")) in parse(resp, ext)
    assert media_type(server.get(server.base + "void", "text/html")) == "text/html"
    assert server.get(server.base + "void", "image/png").status_code == 406


def test_well_known_void_is_303_to_void(server):
    resp = server.get(server.base + ".well-known/void")
    assert resp.status_code == 303 and resp.headers["Location"] == server.base + "void"


def test_void_has_dumps_endpoint_and_statistics_that_match_the_dump(server):
    void = parse(server.get(server.base + "void.ttl"), "ttl")
    dataset = URIRef(server.base + "void")
    V = lambda term: URIRef(VOID + term)  # noqa: E731
    assert {str(o) for o in void.objects(dataset, V("dataDump"))} >= {
        f"{server.base}dumps/letters.{ext}" for ext in FORMATS}
    assert void.value(dataset, V("sparqlEndpoint")) == URIRef(server.base + "sparql")
    assert str(void.value(dataset, V("uriSpace"))) == server.base + "id/"
    # Counted over the data, without the description's own graph (as the build counts void:triples).
    from rdflib import Dataset

    data = Dataset()
    data.parse(server.dumps / "letters.nq", format="nquads")
    union = Graph()
    for s, p, o, g in data.quads((None, None, None, None)):
        if g != dataset:
            union.add((s, p, o))
    classes = {p: void.value(p, V("class")) for p in void.objects(dataset, V("classPartition"))}
    assert classes and all(re.fullmatch(re.escape(server.base) + r"void#class-[1-9][0-9]*", str(p)) for p in classes)
    for part, cls in classes.items():
        expected = len(set(union.subjects(RDF_TYPE, cls)))
        assert int(void.value(part, V("entities"))) == expected, cls
    assert set(classes.values()) == set(union.objects(None, RDF_TYPE))
    properties = {p: void.value(p, V("property")) for p in void.objects(dataset, V("propertyPartition"))}
    assert set(properties.values()) == set(union.predicates())
    for part, prop in properties.items():
        assert int(void.value(part, V("triples"))) == len(list(union.triples((None, prop, None)))), prop
    assert int(void.value(dataset, V("distinctSubjects"))) == len(set(union.subjects()))
    assert int(void.value(dataset, V("triples"))) == len(union)
    assert not [t for t in void if any(isinstance(x, BNode) for x in t)]
    assert all(re.fullmatch(re.escape(server.base) + r"void#property-[1-9][0-9]*", str(p)) for p in properties)


def test_every_node_of_void_is_read_from_void_itself(server):
    """Partitions and the build are hash IRIs of /void: a client following every IRI in it fetches /void
    once, where /void/class/N once answered 303 to the whole description, and was fetched once a partition."""
    void = parse(server.get(server.base + "void.ttl"), "ttl")
    nodes = {str(s) for s in void.subjects()} | {str(o) for o in void.objects() if isinstance(o, URIRef)}
    own = {n for n in nodes if n.startswith(server.base + "void")}
    assert len(own) > 50 and own - {server.base + "void"}
    assert {n.split("#")[0] for n in own} == {server.base + "void"}
    for gone in ("void/class/1", "void/property/1", "void/build"):
        assert server.get(server.base + gone).status_code == 404


def test_void_names_example_resources_that_dereference(server, dumps_dir):
    void = parse(server.get(server.base + "void.ttl"), "ttl")
    examples = {str(o) for o in void.objects(URIRef(server.base + "void"), URIRef(VOID + "exampleResource"))}
    assert examples == {server.id("letter/1921-12-20-zalutsky-salts"), server.id("person/kasparova-popova"),
                        server.id("event/expulsion-of-kasparova-popova")}
    dump = Graph().parse(dumps_dir / "letters.nt", format="nt")
    assert {str(o) for o in dump.objects(URIRef(server.base + "void"), URIRef(VOID + "exampleResource"))} == examples
    for example in examples:
        assert server.get(example).status_code == 303


# --- dumps, robots.txt, sitemap --------------------------------------------------------------------


def test_the_dumps_index_lists_every_file(server):
    names = sorted(p.name for p in server.dumps.iterdir() if p.is_file())
    page = server.get(server.base + "dumps/")
    assert page.status_code == 200 and media_type(page) == "text/html"
    plain = server.get(server.base + "dumps/", "text/plain")
    assert media_type(plain) == "text/plain"
    assert plain.text.split() == [f"{server.base}dumps/{n}" for n in names]
    for name in names:
        assert f'href="{name}"' in page.text


def test_each_dump_file_is_served_whole_with_its_type_and_checksum_as_etag(real):
    sums = dict(reversed(line.split()) for line in (real.dumps / "SHA256SUMS").read_text().splitlines())
    for path in sorted(real.dumps.iterdir()):  # as they are: their gzip encoding is tests/test_compression.py's
        resp = real.http.get(f"{real.base}dumps/{path.name}", headers={"Accept-Encoding": "identity"}, timeout=10)
        assert resp.status_code == 200, path.name
        assert resp.content == path.read_bytes()
        assert int(resp.headers["Content-Length"]) == path.stat().st_size
        ext = path.name.rsplit(".", 1)[-1]
        if path.name.endswith(".gz"):
            assert resp.headers["Content-Type"] == "application/gzip"
        elif path.name == "SHA256SUMS":
            assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
        elif ext in FORMATS or ext in ("nq", "trig"):
            from lod.formats import BY_EXTENSION
            assert resp.headers["Content-Type"] == BY_EXTENSION[ext].content_type
        if path.name in sums:
            assert resp.headers["ETag"] == f'"{sums[path.name]}"'
            assert hashlib.sha256(resp.content).hexdigest() == sums[path.name]
            again = real.http.get(f"{real.base}dumps/{path.name}", timeout=10, headers={
                "If-None-Match": resp.headers["ETag"], "Accept-Encoding": "identity"})
            assert again.status_code == 304
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
    head = real.http.head(real.base + "dumps/letters.ttl.gz", timeout=10)  # a gzip file, whatever is accepted
    assert head.content == b"" and int(head.headers["Content-Length"]) == (real.dumps / "letters.ttl.gz").stat().st_size


def test_robots_txt_allows_all_and_points_to_the_sitemap(server):
    resp = server.get(server.base + "robots.txt")
    assert resp.status_code == 200 and media_type(resp) == "text/plain"
    assert "Allow: /" in resp.text and f"Sitemap: {server.base}sitemap.xml" in resp.text
    assert "Disallow: /\n" not in resp.text


def test_the_sitemap_lists_the_document_of_every_main_thing(server):
    resp = server.get(server.base + "sitemap.xml")
    assert resp.status_code == 200 and media_type(resp) in ("application/xml", "text/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ElementTree.fromstring(resp.content).findall("s:url/s:loc", ns)]
    dump = Graph().parse(server.dumps / "letters.nt", format="nt")
    things = {str(s) for s in dump.subjects() if str(s).startswith(server.base + "id/")
              and str(s)[len(server.base) + 3:].count("/") == 1}
    assert sorted(locs) == sorted(server.doc(t[len(server.base) + 3:]) for t in things)
    assert {loc.split("/doc/")[1].split("/")[0] for loc in locs} == set(KINDS)
    for loc in locs:
        page = server.http.get(loc, timeout=10)  # a crawler's Accept: */*
        assert page.status_code == 200 and media_type(page) == "text/html", loc


def test_past_the_limit_of_a_file_the_sitemap_is_an_index_of_files(served_store, base, dumps_dir, monkeypatch):
    """sitemaps.org allows 50,000 URLs a file; with a limit of 40 the letters' sitemap becomes an index of
    files that together list every main thing once."""
    from lod.config import Settings
    from lod.web import ld

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    with Web() as http:
        http.serve(base, make_app(Settings(base=base, out=dumps_dir), served_store))
        whole = ElementTree.fromstring(http.get(base + "sitemap.xml", timeout=30).content)
    expected = [e.text for e in whole.findall("s:url/s:loc", ns)]
    assert len(expected) > 80, "the test needs more than two files of things"
    monkeypatch.setattr(ld, "SITEMAP_URLS", 40)
    with Web() as http:  # an app of its own: the first one keeps the answer it gave
        http.serve(base, make_app(Settings(base=base, out=dumps_dir), served_store))
        index = http.get(base + "sitemap.xml", timeout=30)
        root = ElementTree.fromstring(index.content)
        assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
        files = [e.text for e in root.findall("s:sitemap/s:loc", ns)]
        assert len(files) == -(-len(expected) // 40)
        listed = []
        for url in files:
            part = ElementTree.fromstring(http.get(url, timeout=30).content)
            locs = [e.text for e in part.findall("s:url/s:loc", ns)]
            assert 0 < len(locs) <= 40, url
            listed += locs
        assert listed == expected
        assert http.get(base + f"sitemap-{len(files) + 1}.xml", timeout=30).status_code == 404
        assert http.get(base + "sitemap-0.xml", timeout=30).status_code == 404


# --- paging of incoming links ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_pages(served_store, base, dumps_dir) -> Server:
    """The app over the session's build again, with 7 links a page, in this process."""
    from lod.config import Settings

    with Web() as http:
        http.serve(base, make_app(Settings(base=base, out=dumps_dir, page_size=7), served_store))
        yield Server(base, dumps_dir, http)


def test_incoming_links_are_paged_with_next_links_and_hydra_next(small_pages):
    server = small_pages
    thing = URIRef(server.id(PERSON))
    dump = Graph().parse(server.dumps / "letters.nt", format="nt")
    expected = {(s, p) for s, p in dump.subject_predicates(thing)
                if s != thing and not str(s).startswith(str(thing) + "/")}
    assert len(expected) > 7 * 2, "the test needs a thing with several pages of incoming links"
    own = triple_keys(dump, thing)
    seen: list[tuple] = []
    url, pages = server.doc(PERSON), 0
    while url:
        resp = server.get(url, "text/turtle")
        assert resp.status_code == 200, url
        pages += 1
        graph = parse(resp, "ttl")
        assert own <= triple_keys(graph, thing), "every page holds the thing's own triples"
        incoming = [(s, p) for s, p in graph.subject_predicates(thing)  # not the page's foaf:primaryTopic
                    if s != thing and not str(s).startswith((str(thing) + "/", server.base + "doc/"))]
        assert 0 < len(incoming) <= 7
        seen += incoming
        nxt = [link["url"] for link in links(resp) if link.get("rel") == "next"]
        doc = URIRef(url.replace(".ttl", ""))
        if nxt:
            assert nxt == [f"{server.doc(PERSON)}?page={pages + 1}"]
            assert graph.value(doc, HYDRA_NEXT) == URIRef(nxt[0])
            assert resp.headers["Content-Location"] == server.doc(f"{PERSON}.ttl") + ("" if pages == 1 else f"?page={pages}")
        else:
            assert graph.value(doc, HYDRA_NEXT) is None
        url = nxt[0] if nxt else None
    assert len(seen) == len(set(seen)), "no incoming link on two pages"
    assert set(seen) == expected
    assert pages == -(-len(expected) // 7)
    assert server.get(f"{server.doc(PERSON)}?page={pages + 1}", "text/turtle").status_code == 404


def test_an_extension_url_pages_in_its_own_format(small_pages):
    resp = small_pages.get(small_pages.doc(PERSON + ".nt"))
    nxt = [link["url"] for link in links(resp) if link.get("rel") == "next"]
    assert nxt == [small_pages.doc(PERSON + ".nt") + "?page=2"]
    second = small_pages.get(nxt[0])
    assert second.status_code == 200 and media_type(second) == "application/n-triples"
    assert {"url": small_pages.doc(PERSON + ".nt"), "rel": "prev"} in links(second)


def test_a_thing_with_few_incoming_links_has_one_page(small_pages):
    resp = small_pages.get(small_pages.doc("place/switzerland.ttl"))
    assert resp.status_code == 200 and not [link for link in links(resp) if link.get("rel") == "next"]
