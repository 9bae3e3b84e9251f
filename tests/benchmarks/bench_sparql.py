"""SPARQL latency, side by side: our server, Oxigraph's own server, rdflib-endpoint, on the same data.

    python tests/benchmarks/bench_sparql.py [--size 1M] [--reps 30] [--rdflib-reps 3]

Our server (``serve.py --store``) and ``oxigraph serve-read-only`` read the very same store directory
(made by ``lod load-store``, its default graph the union of the letters' graphs); rdflib-endpoint
loads the same N-Quads file into an rdflib Dataset with ``default_union``. One client asks each query
in turn (after one warm-up run), over one keep-alive connection, for SPARQL JSON results; all three
run on the same machine and cores, one after the other. Prints median and p99 per query and the
ratios; the aggregate queries are the ones the design's "20x faster than rdflib" figure is about.
"""
from __future__ import annotations

import argparse
import json
import time

import harness as h
import requests

from lod.namespaces import sparql_prefixes

PREFIXES = sparql_prefixes("crm", "dcterms", "foaf", "oa", "prov", "rdfs", "schema", "xsd")

# (name, kind, query); {person} and {letter} are filled in with things of the data.
QUERIES = [
    ("count triples", "aggregate", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
    ("instances per class", "aggregate",
     "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)"),
    ("letters per author", "aggregate",
     "SELECT ?author (COUNT(?l) AS ?n) WHERE { ?l dcterms:creator ?author } GROUP BY ?author "
     "ORDER BY DESC(?n) LIMIT 20"),
    ("letters per year", "aggregate",
     "SELECT ?year (COUNT(?l) AS ?n) WHERE { ?l a foaf:Document ; dcterms:date ?d BIND(YEAR(?d) AS ?year) } "
     "GROUP BY ?year ORDER BY ?year"),
    ("most mentioned persons", "aggregate",
     "SELECT ?who (COUNT(?l) AS ?n) WHERE { ?l dcterms:references ?who . ?who a crm:E21_Person } "
     "GROUP BY ?who ORDER BY DESC(?n) LIMIT 10"),
    ("one letter", "lookup", "SELECT ?p ?o WHERE { <{letter}> ?p ?o }"),
    ("letters to a person", "join",
     "SELECT ?l ?date ?title WHERE { ?l schema:recipient <{person}> ; dcterms:date ?date ; dcterms:title ?title } "
     "ORDER BY ?date LIMIT 50"),
    ("quotes of a person", "join",
     "SELECT ?letter ?exact ?start ?end WHERE { ?a oa:hasBody <{person}> ; oa:hasTarget ?t . "
     "?t oa:hasSource ?src ; oa:hasSelector ?q, ?pos . ?q oa:exact ?exact . ?pos oa:start ?start ; oa:end ?end . "
     "?letter prov:wasDerivedFrom ?src } LIMIT 100"),
    ("events of 1905", "range",
     "SELECT ?e ?label ?begin WHERE { ?e crm:P4_has_time-span ?ts ; rdfs:label ?label . "
     "?ts crm:P82a_begin_of_the_begin ?begin "
     'FILTER(?begin >= "1905-01-01T00:00:00"^^xsd:dateTime && ?begin < "1906-01-01T00:00:00"^^xsd:dateTime) } '
     "ORDER BY ?begin LIMIT 100"),
    ("titles containing", "aggregate",
     'SELECT (COUNT(?l) AS ?n) WHERE { ?l dcterms:title ?t FILTER(CONTAINS(?t, "ova to")) }'),
]


def things(url: str) -> dict[str, str]:
    """The most written-to person and one of her letters: the queries' fixed points."""
    query = PREFIXES + ("SELECT ?person ?letter WHERE { { SELECT ?person (COUNT(?l) AS ?n) WHERE "
                        "{ ?l schema:recipient ?person } GROUP BY ?person ORDER BY DESC(?n) LIMIT 1 } "
                        "?letter schema:recipient ?person } ORDER BY ?letter LIMIT 1")
    row = ask(requests.Session(), url, query, 600)[1]["results"]["bindings"][0]
    return {"person": row["person"]["value"], "letter": row["letter"]["value"]}


def ask(session: requests.Session, url: str, query: str, timeout: float) -> tuple[float, dict]:
    started = time.perf_counter()
    response = session.get(url, params={"query": query}, timeout=timeout,
                           headers={"Accept": "application/sparql-results+json"})
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed, json.loads(response.content)


def measure(url: str, queries: list[tuple[str, str, str]], reps: int, timeout: float) -> dict[str, dict]:
    session, results = requests.Session(), {}
    for name, _, query in queries:
        try:
            _, answer = ask(session, url, query, timeout)  # warm-up, and the answer to compare
            times = [ask(session, url, query, timeout)[0] * 1000 for _ in range(reps)]
        except (requests.RequestException, ValueError) as exc:
            results[name] = {"error": f"{type(exc).__name__}: {str(exc)[:80]}"}
            continue
        rows = answer.get("results", {}).get("bindings", [])
        first = tuple(sorted((k, v["value"]) for k, v in rows[0].items())) if len(rows) == 1 else None
        results[name] = {"median": h.median(times), "p99": h.percentile(times, 99), "rows": len(rows), "first": first}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=h.SIZES, default="1M")
    parser.add_argument("--reps", type=int, default=30, help="timed runs per query (ours, Oxigraph)")
    parser.add_argument("--rdflib-reps", type=int, default=3, help="timed runs per query (rdflib-endpoint)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds one query may take")
    parser.add_argument("--skip-rdflib", action="store_true")
    args = parser.parse_args()
    letters = h.SIZES[args.size]
    folder, data = h.store(letters), h.synth(letters)
    print(f"## SPARQL: {args.size} triples ({letters} synthetic letters), {h.machine()}, {h.load()}\n")

    servers = [("ours", h.ours, folder, "/health", "/sparql", args.reps),
               ("oxigraph", h.oxigraph, folder, "/", "/query", args.reps)]
    if not args.skip_rdflib:
        servers.append(("rdflib-endpoint", h.rdflib_endpoint, data, "/", "/", args.rdflib_reps))
    results, startup, memory, queries = {}, {}, {}, None
    for name, command, source, ready, path, reps in servers:
        port = h.free_port()
        with h.server(name, command(source, port), ready, port, timeout=3600) as srv:
            if queries is None:
                fixed = things(srv.url + path)
                queries = [(n, k, PREFIXES + q.replace("{person}", fixed["person"]).replace("{letter}", fixed["letter"]))
                           for n, k, q in QUERIES]
            results[name] = measure(srv.url + path, queries, reps, args.timeout)
            startup[name], memory[name] = srv.startup, srv.peak_pss
        print(f"{name}: ready in {startup[name]:.1f} s, peak memory {h.mib(memory[name])} MiB (PSS); {h.load()}")

    def cell(name: str, query: str, key: str):
        r = results.get(name, {}).get(query, {})
        return r.get(key, r.get("error", "-"))

    rows = []
    for name, kind, _ in QUERIES:
        ours, oxi = results["ours"][name], results["oxigraph"][name]
        row = [name, kind, cell("ours", name, "median"), cell("ours", name, "p99"),
               cell("oxigraph", name, "median"), cell("oxigraph", name, "p99")]
        row.append(ours["median"] / oxi["median"] if "median" in ours and "median" in oxi else "-")
        if not args.skip_rdflib:
            rdf = results["rdflib-endpoint"][name]
            row += [cell("rdflib-endpoint", name, "median"), cell("rdflib-endpoint", name, "p99"),
                    rdf["median"] / ours["median"] if "median" in rdf and "median" in ours else "-"]
        answers = {(r.get("rows"), r.get("first")) for r in (results[s][name] for s in results) if "rows" in r}
        row.append("yes" if len(answers) == 1 else "NO")
        rows.append(row)
    headers = ["query", "kind", "ours median ms", "ours p99", "oxigraph median", "oxigraph p99", "ours/oxigraph"]
    if not args.skip_rdflib:
        headers += ["rdflib median", "rdflib p99", "rdflib/ours"]
    headers.append("same answer")
    print()
    print(h.table(headers, rows))
    print(f"\n(p99 of {args.reps} runs for ours and Oxigraph, of {args.rdflib_reps} for rdflib-endpoint; {h.load()})")


if __name__ == "__main__":
    main()
