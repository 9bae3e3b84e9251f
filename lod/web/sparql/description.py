"""The endpoint's SPARQL 1.1 Service Description: what it speaks, answers in and holds."""
from __future__ import annotations

import re

import pyoxigraph as ox

from ...formats import GRAPH_FORMATS, RESULTS_FORMATS, graph_format_iri
from ...namespaces import NS

_RDF_TYPE = ox.NamedNode(NS.rdf + "type")


def _graph_node(endpoint: str, base: str, graph: str) -> ox.NamedNode:
    """``{base}sparql#graph/id/letter/...``: a stable IRI for the service description's entry of a graph."""
    name = graph[len(base):] if graph.startswith(base) else re.sub(r"[^A-Za-z0-9._~-]+", "-", graph)
    return ox.NamedNode(f"{endpoint}#graph/{name}")


def service_description(endpoint: str, base: str, graphs: list[tuple[str, str | None]],
                        settings) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of the endpoint, with minted IRIs in place of blank nodes."""
    sd = lambda term: ox.NamedNode(NS.sd + term)  # noqa: E731
    service, dataset = ox.NamedNode(f"{endpoint}#service"), ox.NamedNode(f"{endpoint}#dataset")
    default = ox.NamedNode(f"{endpoint}#default-graph")
    label = ox.NamedNode(NS.rdfs + "label")
    comment = ox.NamedNode(NS.rdfs + "comment")
    triples = [
        ox.Triple(service, _RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultEntailmentRegime"), ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(service, label, ox.Literal("SPARQL endpoint of Letters as Linked Data", language="en")),
        ox.Triple(service, comment, ox.Literal(
            f"Read-only SPARQL 1.1 Query. A query may run {settings.query_timeout:g} s and return "
            f"{settings.max_results} rows or triples; SERVICE is not available.", language="en")),
        ox.Triple(service, ox.NamedNode(NS.rdfs + "seeAlso"), ox.NamedNode(base + "void")),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, _RDF_TYPE, sd("Graph")),
        ox.Triple(default, comment, ox.Literal("The union (RDF merge) of all the named graphs.", language="en")),
    ]
    for fmt in RESULTS_FORMATS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(fmt.iri)))
    for fmt in GRAPH_FORMATS:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(graph_format_iri(fmt))))
    for graph, graph_label in graphs:
        node = _graph_node(endpoint, base, graph)
        triples += [ox.Triple(dataset, sd("namedGraph"), node), ox.Triple(node, _RDF_TYPE, sd("NamedGraph")),
                    ox.Triple(node, sd("name"), ox.NamedNode(graph))]
        if graph_label:
            triples.append(ox.Triple(node, label, ox.Literal(graph_label)))
    return triples


def named_graphs(store) -> list[tuple[str, str | None]]:
    """The named graphs of ``store`` and their labels, in IRI order (StoreUnavailable if it is remote and down)."""
    rows = store.query("SELECT ?g (SAMPLE(?l) AS ?label) WHERE { GRAPH ?g { } "
                       f"OPTIONAL {{ ?g <{NS.rdfs}label> ?l }} }} GROUP BY ?g ORDER BY ?g")
    return [(row["g"].value, row["label"].value if row["label"] else None) for row in rows]
