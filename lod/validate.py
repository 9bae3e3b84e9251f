"""The checks a build must pass before it is published: SHACL shapes, CRM terms, no blank nodes."""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph
from rdflib.namespace import OWL

from . import crm
from .dumps import union_triples
from .namespaces import SH



class Checked(Protocol):
    """What the checks read of a build (``lod.build.Build`` is one): its base and its quads."""

    base: str
    quads: list[ox.Quad]


def union(build: Checked) -> Graph:
    """The default-graph view of the build (every letter's triples together), as rdflib needs it for pyshacl."""
    data = ox.serialize(union_triples(build.quads), format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")


def shacl(graph: Graph, shapes_file: Path, base: str) -> list[str]:
    shapes = Graph().parse(shapes_file, format="turtle", publicID=base)
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
