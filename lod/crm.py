"""Check our use of CIDOC-CRM terms: every term exists in CRM 7.1 and is used within its domain and range.

The term table is cromulent's (``crm_vocab.tsv``: CRM 7.1 plus Linked Art's few extensions,
with super-classes, domains and ranges), so no copy of the CRM is kept in this project.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from .namespaces import CRM


@dataclass(frozen=True)
class Term:
    name: str
    is_class: bool
    parents: tuple[str, ...]
    domain: str | None
    range: str | None


@cache
def terms() -> dict[str, Term]:
    table = resources.files("cromulent") / "data" / "crm_vocab.tsv"
    found: dict[str, Term] = {}
    with table.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            found[row["term"]] = Term(
                name=row["term"],
                is_class=row["term type"] == "class",
                parents=tuple(p for p in (row["subPropertyOf"] or "").split("|") if p),
                domain=row["domain"] or None,
                range=row["range"] or None,
            )
    return found


@cache
def ancestors(name: str) -> frozenset[str]:
    """The class or property itself and everything above it."""
    seen = {name}
    for parent in terms().get(name, Term(name, True, (), None, None)).parents:
        seen |= ancestors(parent)
    return frozenset(seen)


def _local(uri: URIRef) -> str | None:
    text = str(uri)
    return text[len(str(CRM)):] if text.startswith(str(CRM)) else None


def _is_property(node: object, known: dict[str, Term]) -> bool:
    """As Linked Art does, an attribute assignment names the property it assigns by (P177) with the
    property's own IRI, a CRM property or a relation of schema.org (sibling, spouse)."""
    name = _local(node) if isinstance(node, URIRef) else None
    if name is not None:
        return name in known and not known[name].is_class
    return isinstance(node, URIRef) and str(node).startswith("http://schema.org/")


def check(graph: Graph) -> list[str]:
    """Problems with CRM terms in the graph, one sentence each; empty when all is well."""
    known = terms()
    crm_types: dict[object, set[str]] = defaultdict(set)
    problems: list[str] = []
    for s, o in graph.subject_objects(RDF.type):
        name = _local(o)
        if name is None:
            continue
        if name not in known or not known[name].is_class:
            problems.append(f"{o} is not a CIDOC-CRM 7.1 class (used as type of {s})")
        crm_types[s].add(name)

    def fits(node: object, wanted: str) -> bool:
        if wanted.startswith("xsd:") or wanted in ("E59_Primitive_Value", "rdfs:Literal", "E62_String"):
            return isinstance(node, Literal)
        return any(wanted in ancestors(t) for t in crm_types.get(node, ()))

    for s, p, o in graph:
        name = _local(p)
        if name is None:
            continue
        term = known.get(name)
        if term is None or term.is_class:
            problems.append(f"{p} is not a CIDOC-CRM 7.1 property")
            continue
        if term.domain and not fits(s, term.domain):
            problems.append(f"{s} {name}: subject is not a {term.domain} (it is {sorted(crm_types.get(s, [])) or 'untyped'})")
        if name == "P177_assigned_property_of_type" and _is_property(o, known):
            continue
        if term.range and not fits(o, term.range):
            problems.append(f"{s} {name} {o}: object is not a {term.range} (it is {sorted(crm_types.get(o, [])) or 'untyped'})")
    return sorted(set(problems))
