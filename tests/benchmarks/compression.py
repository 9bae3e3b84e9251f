"""Sizes on the wire with and without gzip, and what a gzipped answer costs the first time and when kept.

    python tests/benchmarks/compression.py [--url http://127.0.0.1:5000/]

Without ``--url`` it starts ``serve.py --workers 1`` on the letters (built into the work folder on first
use) with its own address as base, so that every request meets the same kept answers. Asks for: a SELECT
of 10,000 rows in SPARQL JSON, the largest letter's page (HTML), the seed letter's document in Turtle,
/void in Turtle and HTML, and the N-Triples dump; each once with ``Accept-Encoding: identity`` and twice
with ``gzip``: the first gzip answer of a document or page is rendered and compressed, the second one
is the kept one (a SPARQL answer is never kept: it is compressed each time).
"""
from __future__ import annotations

import argparse
import json
import time
import urllib.parse
import urllib.request

import harness as h

SELECT_ALL = "SELECT * WHERE { ?s ?p ?o } LIMIT 10000"
LETTERS = "SELECT ?l WHERE { ?l a <http://purl.org/dc/dcmitype/Text> ; <http://purl.org/dc/terms/title> ?t }"


def fetch(url: str, accept: str, encoding: str) -> tuple[int, float, str | None]:
    """(bytes on the wire, milliseconds, Content-Encoding); urllib decodes nothing."""
    started = time.perf_counter()
    request = urllib.request.Request(url, headers={"Accept": accept, "Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        return len(body), (time.perf_counter() - started) * 1000, response.headers.get("Content-Encoding")


def largest_letter(base: str) -> str:
    url = f"{base}sparql?{urllib.parse.urlencode({'query': LETTERS})}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        letters = [row["l"]["value"] for row in json.load(response)["results"]["bindings"]]
    pages = {uri: fetch(uri.replace("/id/", "/doc/", 1), "text/html", "identity")[0] for uri in letters}
    return max(pages, key=pages.get).replace("/id/", "/doc/", 1)


def measure(base: str) -> list[list]:
    letter = largest_letter(base)
    cases = [
        ("SELECT * LIMIT 10000, SPARQL JSON", f"{base}sparql?{urllib.parse.urlencode({'query': SELECT_ALL})}",
         "application/sparql-results+json"),
        (f"largest letter page, HTML ({letter.rsplit('/', 1)[-1]})", letter, "text/html"),
        ("seed letter document, Turtle", f"{base}doc/letter/1921-12-20-zalutsky-salts", "text/turtle"),
        ("/void, Turtle", f"{base}void", "text/turtle"),
        ("/void, HTML", f"{base}void", "text/html"),
        ("dump letters.nt (sent as letters.nt.gz)", f"{base}dumps/letters.nt", "*/*"),
    ]
    rows = []
    for name, url, accept in cases:
        plain, plain_ms, _ = fetch(url, accept, "identity")
        zipped, first_ms, encoding = fetch(url, accept, "gzip")
        _, again_ms, _ = fetch(url, accept, "gzip")
        rows.append([name, f"{plain:,}", f"{zipped:,}", f"{plain / zipped:.1f}x", encoding or "-",
                     f"{plain_ms:.0f}", f"{first_ms:.0f}", f"{again_ms:.0f}"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running server (its base URL); default: start one on the letters")
    args = parser.parse_args()
    headers = ["answer", "identity bytes", "gzip bytes", "ratio", "encoding", "identity ms", "gzip ms", "again ms"]
    if args.url:
        print(h.table(headers, measure(args.url.rstrip("/") + "/")))
        return
    port = h.free_port()
    dumps = h.WORK / "compression-dumps"
    command = [h.PYTHON, str(h.ROOT / "serve.py"), "--port", str(port), "--dumps", str(dumps), "--workers", "1"]
    with h.server("ours", command, "/robots.txt", port) as srv:
        print(h.machine())
        print(h.table(headers, measure(srv.url + "/")))


if __name__ == "__main__":
    main()
