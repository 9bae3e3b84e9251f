"""gzip for clients that ask for it (lod/web/encoding.py), on the real server: documents, pages, SPARQL
answers, /void and the uncompressed dumps (sent as their gzip twins); ``Vary: Accept-Encoding``; an ETag per
encoding, each answering If-None-Match in its own; HEAD as GET. The bytes on the wire are read as sent
(``raw.read(decode_content=False)``), never as requests decodes them.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io

import pytest
import requests

from lod.web.encoding import chosen, compressible

SEED = "letter/1921-12-20-zalutsky-salts"
SELECT_ALL = "SELECT * WHERE { ?s ?p ?o } LIMIT 10000"


def fetch(url: str, encoding: str | None, method: str = "GET", **headers: str) -> tuple[requests.Response, bytes]:
    """The answer and its body as it came over the wire; ``encoding``: the Accept-Encoding sent."""
    headers = {k.replace("_", "-"): v for k, v in headers.items()}
    headers["Accept-Encoding"] = encoding if encoding is not None else ""
    response = requests.request(method, url, headers=headers, stream=True, allow_redirects=False, timeout=30)
    return response, response.raw.read(decode_content=False)


def vary(response: requests.Response) -> set[str]:
    return {v.strip().lower() for v in response.headers.get("Vary", "").split(",") if v.strip()}


@pytest.mark.parametrize("path, accept", [
    (f"doc/{SEED}", "text/turtle"), (f"doc/{SEED}", "text/html"), (f"doc/{SEED}.jsonld", "*/*"),
    ("doc/person/lenin", "application/n-quads"), ("void", "text/turtle"), ("void", "text/html"), ("", "text/html"),
    ("timeline", "text/html"), ("sitemap.xml", "*/*"), ("doc/text/1921-12-20-zalutsky-salts.txt", "*/*"),
    ("ontology/shapes", "text/turtle"), ("ontology/terms", "text/html"),
])
def test_an_answer_is_gzipped_for_a_client_that_asks(real_server, path, accept):
    plain, plain_bytes = fetch(real_server + path, None, Accept=accept)
    zipped, zipped_bytes = fetch(real_server + path, "gzip, deflate", Accept=accept)
    assert plain.status_code == zipped.status_code == 200
    assert "Content-Encoding" not in plain.headers and zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped_bytes) == plain_bytes
    assert int(zipped.headers["Content-Length"]) == len(zipped_bytes) < len(plain_bytes)
    assert "accept-encoding" in vary(plain) and "accept-encoding" in vary(zipped)
    assert zipped.headers["Content-Type"] == plain.headers["Content-Type"]
    if "ETag" in plain.headers:
        assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "*", "deflate, gzip;q=0.5", "br, gzip"])
def test_every_way_of_accepting_gzip(real_server, encoding):
    response, _ = fetch(real_server + "void", encoding, Accept="text/turtle")
    assert response.headers.get("Content-Encoding") == "gzip", encoding


@pytest.mark.parametrize("encoding", [None, "identity", "gzip;q=0", "br", "deflate", "*;q=0, identity"])
def test_no_gzip_unless_accepted(real_server, encoding):
    response, body = fetch(real_server + "void", encoding, Accept="text/turtle")
    assert "Content-Encoding" not in response.headers, encoding
    assert body.startswith(b"@prefix")


def test_small_answers_are_sent_as_they_are_and_vary_on_nothing_more(real_server):
    for path, accept in (("id/person/lenin", "text/turtle"), ("doc/person/nobody", "text/turtle"),
                         ("robots.txt", "*/*")):
        response, _ = fetch(real_server + path, "gzip", Accept=accept)
        assert "Content-Encoding" not in response.headers and "accept-encoding" not in vary(response), path


def test_each_encoding_has_its_etag_and_answers_if_none_match_in_it(real_server):
    url = real_server + f"doc/{SEED}"
    plain, _ = fetch(url, None, Accept="text/turtle")
    zipped, _ = fetch(url, "gzip", Accept="text/turtle")
    plain_tag, zipped_tag = plain.headers["ETag"], zipped.headers["ETag"]
    assert plain_tag != zipped_tag and zipped_tag.endswith('-gzip"') and not zipped_tag.startswith("W/")
    for encoding, tag in ((None, plain_tag), ("gzip", zipped_tag)):
        again, body = fetch(url, encoding, Accept="text/turtle", If_None_Match=tag)
        assert again.status_code == 304 and body == b"", encoding
        assert again.headers["ETag"] == tag and "accept-encoding" in vary(again)
    # The ETag of the other encoding is not the one of what would be sent: the whole answer.
    assert fetch(url, "gzip", Accept="text/turtle", If_None_Match=plain_tag)[0].status_code == 200
    assert fetch(url, None, Accept="text/turtle", If_None_Match=zipped_tag)[0].status_code == 200
    both = f"{plain_tag}, {zipped_tag}"  # a cache holding both asks with both
    assert fetch(url, "gzip", Accept="text/turtle", If_None_Match=both)[0].headers["ETag"] == zipped_tag
    last_modified = zipped.headers["Last-Modified"]
    assert fetch(url, "gzip", Accept="text/turtle", If_Modified_Since=last_modified)[0].status_code == 304


@pytest.mark.parametrize("encoding", [None, "gzip"])
def test_head_is_get_without_the_body(real_server, encoding):
    for path, accept in ((f"doc/{SEED}", "text/html"), ("void", "application/rdf+xml"), ("dumps/letters.nt", "*/*")):
        full, body = fetch(real_server + path, encoding, Accept=accept)
        head, nothing = fetch(real_server + path, encoding, "HEAD", Accept=accept)
        assert head.status_code == 200 and nothing == b""
        assert int(head.headers["Content-Length"]) == len(body), path
        for name in ("Content-Type", "Content-Encoding", "ETag", "Vary"):
            assert head.headers.get(name) == full.headers.get(name), (path, name)


def test_a_select_of_ten_thousand_rows_is_sent_gzipped(real_server):
    url = real_server + "sparql"
    params = {"query": SELECT_ALL}
    plain = requests.get(url, params=params, headers={"Accept": "application/sparql-results+json",
                                                      "Accept-Encoding": "identity"}, stream=True, timeout=60)
    plain_bytes = plain.raw.read(decode_content=False)
    zipped = requests.get(url, params=params, headers={"Accept": "application/sparql-results+json",
                                                       "Accept-Encoding": "gzip"}, stream=True, timeout=60)
    zipped_bytes = zipped.raw.read(decode_content=False)
    assert zipped.headers["Content-Encoding"] == "gzip" and "accept-encoding" in vary(zipped)
    assert gzip.decompress(zipped_bytes) == plain_bytes and len(plain_bytes) > 500_000
    assert len(zipped_bytes) < len(plain_bytes) / 10
    posted = requests.post(url, data=params, headers={"Accept": "text/csv", "Accept-Encoding": "gzip"}, timeout=60)
    assert posted.headers["Content-Encoding"] == "gzip"
    rows = list(csv.reader(io.StringIO(posted.text)))
    assert set(rows[0]) == {"s", "p", "o"} and len(rows) == 10_001


def test_an_uncompressed_dump_is_sent_as_its_gzip_twin(real_server, dumps_dir):
    sums = dict(reversed(line.split()) for line in (dumps_dir / "SHA256SUMS").read_text().splitlines())
    for name in ("letters.nt", "letters.ttl", "letters.nq"):
        zipped, body = fetch(real_server + f"dumps/{name}", "gzip")
        assert zipped.status_code == 200 and zipped.headers["Content-Encoding"] == "gzip"
        assert body == (dumps_dir / f"{name}.gz").read_bytes()  # the build's file, not compressed again
        assert gzip.decompress(body) == (dumps_dir / name).read_bytes()
        assert zipped.headers["ETag"] == f'"{sums[name]}-gzip"' and "accept-encoding" in vary(zipped)
        assert zipped.headers["Content-Type"].startswith(("application/n-triples", "text/turtle",
                                                          "application/n-quads"))
        plain, plain_body = fetch(real_server + f"dumps/{name}", None)
        assert plain.headers["ETag"] == f'"{sums[name]}"' and "accept-encoding" in vary(plain)
        assert hashlib.sha256(plain_body).hexdigest() == sums[name]
        for encoding, tag in ((None, plain.headers["ETag"]), ("gzip", zipped.headers["ETag"])):
            assert fetch(real_server + f"dumps/{name}", encoding, If_None_Match=tag)[0].status_code == 304
        assert fetch(real_server + f"dumps/{name}", "gzip", If_None_Match=plain.headers["ETag"])[0].status_code == 200


def test_the_cmif_file_is_sent_as_its_gzip_twin_too(real_server, dumps_dir):
    zipped, body = fetch(real_server + "cmif.xml", "gzip")
    assert zipped.status_code == 200 and zipped.headers["Content-Encoding"] == "gzip"
    assert body == (dumps_dir / "letters.cmif.xml.gz").read_bytes()
    assert zipped.headers["Content-Type"].startswith("application/tei+xml") and zipped.headers["ETag"].endswith('-gzip"')
    plain, plain_body = fetch(real_server + "cmif.xml", None)
    assert plain_body == (dumps_dir / "letters.cmif.xml").read_bytes() and "accept-encoding" in vary(plain)
    assert fetch(real_server + "cmif.xml", "gzip", If_None_Match=zipped.headers["ETag"])[0].status_code == 304


def test_a_range_of_a_dump_counts_the_files_own_bytes(real_server, dumps_dir):
    part, body = fetch(real_server + "dumps/letters.nt", "gzip", Range="bytes=10-19")
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    assert body == (dumps_dir / "letters.nt").read_bytes()[10:20]


def test_gzip_files_are_sent_as_files(real_server, dumps_dir):
    response, body = fetch(real_server + "dumps/letters.ttl.gz", "gzip")
    assert response.headers["Content-Type"] == "application/gzip" and "Content-Encoding" not in response.headers
    assert body == (dumps_dir / "letters.ttl.gz").read_bytes()


def test_which_encoding_and_which_types():
    assert chosen("gzip, deflate, br, zstd") == "gzip" and chosen("") == "identity"
    assert chosen("GZIP;q=0.1") == "gzip" and chosen("gzip;q=0") == "identity"
    assert chosen("identity, " * 1000 + "gzip") == "gzip"  # a long header is read too, just not remembered
    for media_type in ("text/turtle", "application/n-triples; charset=utf-8", "application/sparql-results+json",
                       "application/ld+json", "application/rdf+xml", "application/trig", "text/csv"):
        assert compressible(media_type), media_type
    for media_type in ("application/gzip", "image/png", "application/octet-stream"):
        assert not compressible(media_type), media_type
