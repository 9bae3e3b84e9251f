"""The checks a build must pass before it is published: SHACL shapes, CRM terms, no blank nodes."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL

from . import crm, ontology
from .dumps import union_triples
from .namespaces import NS, SH


class Checked(Protocol):
    """What the checks read of a build (``lod.build.Build`` is one): its base and its quads."""

    base: str
    quads: list[ox.Quad]


_XSD_STRING = NS.xsd + "string"


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | Literal:
    """The same RDF term for rdflib, from its parts.

    Terms are handed over, not written as N-Triples and parsed again: rdflib's N-Triples parser matches
    its line pattern against all it has buffered of a line, so a letter's text (one literal, one line)
    took time quadratic in its length (1 MB: 10 s, 2 MB: 46 s).
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # a simple literal, as rdflib's own parsers make it
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"no rdflib term for {term!r}")


def union(build: Checked) -> Graph:
    """The default-graph view of the build (every letter's triples together), as rdflib needs it for pyshacl."""
    graph = Graph()
    for t in union_triples(build.quads):
        graph.add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


def shacl(graph: Graph, shapes_file: Path, base: str) -> list[str]:
    # The shapes as published under ``base``, the very ones a standalone pyshacl run would read.
    shapes = ontology.read(shapes_file, ontology.SHAPES, base).graph()
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    if conforms:
        return []
    problems = []
    for result in report.subjects(predicate=None, object=SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        where = f" {path.n3(report.namespace_manager)}" if path is not None and not isinstance(path, BNode) else ""
        about = f" (value {value})" if value is not None and focus != value else ""
        problems.append(f"SHACL: {focus}{where}: {message}{about}")
    return sorted(problems)


def validate(build: Checked, ontology_dir: Path, same_as_allowed: set[str] | None = None) -> list[str]:
    """Every problem in the build, one line each; empty when it may be published."""
    graph = union(build)
    problems = shacl(graph, ontology_dir / "shapes.ttl", build.base)
    problems += [f"CRM: {p}" for p in crm.check(graph)]
    blank = {str(n) for t in graph for n in t if isinstance(n, BNode)}
    problems += [f"blank node in output: _:{b}" for b in sorted(blank)[:10]]
    if same_as_allowed is not None:
        for s, o in graph.subject_objects(OWL.sameAs):
            if str(o) not in same_as_allowed:
                problems.append(f"owl:sameAs {o} (on {s}) is not in the authority file")
    return problems
