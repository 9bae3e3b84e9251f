"""What `/void` counts of a dataset (class and property partitions, distinct subjects and objects), counted
once where the data is built or loaded and kept beside it, so that no web process counts them again.

``count`` asks any store with a SPARQL ``query`` (pyoxigraph's, ``lod.store``'s); ``Statistics`` is the
answer as plain data, with a JSON form that ``lod build`` writes into ``build.json`` and ``lod load-store``
into a store directory's ``loaded.json``. ``lod.void.served`` turns it into VoID.

The data counted is every named graph but those that describe themselves as a ``void:Dataset``
(``GRAPH ?g { ?g a void:Dataset }``): such a graph is the description (``{base}void``, which ``lod build``
and ``lod synth`` write), not data. The rule needs no base, so statistics counted where the base is
not known yet (a store directory) hold whatever base the data is served under. A description graph
named by a blank node cannot be named in a query, and is counted as data.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import NS

STATISTICS = "statistics"  # their key in the manifests that record them (build.json, loaded.json)
# More partitions than any vocabulary has: a list longer than this is damage, and would make /void
# hundreds of thousands of triples long.
MAX_PARTITIONS = 100_000
MAX_COUNT = 2 ** 63 - 1  # what a store's counter holds


class StatisticsError(ValueError):
    """Statistics in JSON that are not what ``Statistics.to_json`` writes; the message says what is wrong."""


@dataclass(frozen=True)
class Statistics:
    """The figures of `/void`, each partition in the order of its class or property IRI (``STR``)."""

    classes: tuple[tuple[ox.NamedNode | ox.BlankNode | ox.Literal, int], ...]  # (class, distinct subjects of it)
    properties: tuple[tuple[ox.NamedNode, int], ...]  # (property, distinct triples with it)
    subjects: int  # distinct subjects
    objects: int  # distinct objects

    def to_json(self) -> dict:
        """Terms in N-Triples syntax (a class may be any term an ``rdf:type`` points to), counts as numbers."""
        return {"classes": [[str(term), n] for term, n in self.classes],
                "properties": [[str(term), n] for term, n in self.properties],
                "subjects": self.subjects, "objects": self.objects}

    @classmethod
    def from_json(cls, data: object) -> Statistics:
        """The statistics ``to_json`` wrote; StatisticsError for anything else (another shape, other types,
        a term that does not parse, a partition twice, more than ``MAX_PARTITIONS`` of a kind)."""
        if not isinstance(data, dict) or set(data) != {"classes", "properties", "subjects", "objects"}:
            raise StatisticsError("not an object with exactly the keys classes, properties, subjects, objects")
        classes = _partitions(data["classes"], "classes")
        properties = _partitions(data["properties"], "properties")
        if not all(isinstance(term, ox.NamedNode) for term, _ in properties):
            raise StatisticsError("properties: a property that is not an IRI")
        return cls(classes, properties, _count(data["subjects"], "subjects"), _count(data["objects"], "objects"))


def _count(value: object, where: str) -> int:
    if type(value) is not int or not 0 <= value <= MAX_COUNT:  # not bool, which is an int too
        raise StatisticsError(f"{where}: {str(value)[:40]!r} is not a count")
    return value


def _partitions(value: object, where: str) -> tuple[tuple, ...]:
    if not isinstance(value, list):
        raise StatisticsError(f"{where}: not a list")
    if len(value) > MAX_PARTITIONS:
        raise StatisticsError(f"{where}: {len(value)} partitions, more than {MAX_PARTITIONS}")
    pairs = []
    for entry in value:
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)):
            raise StatisticsError(f"{where}: {str(entry)[:80]!r} is not a pair of a term and a count")
        pairs.append((_term(entry[0], where), _count(entry[1], where)))
    if len({term for term, _ in pairs}) != len(pairs):
        raise StatisticsError(f"{where}: a term given twice")
    return tuple(pairs)


def _term(text: str, where: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """One RDF term from its N-Triples form, read by pyoxigraph's parser (so nothing else passes)."""
    try:
        [triple] = ox.parse(f"<urn:x:s> <urn:x:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError):
        raise StatisticsError(f"{where}: {text[:80]!r} is not an RDF term in N-Triples syntax") from None
    if not isinstance(triple.object, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        raise StatisticsError(f"{where}: {text[:80]!r} is not an IRI, a blank node or a literal")
    return triple.object


def descriptions(store) -> list[ox.NamedNode]:
    """The graphs of ``store`` that describe themselves as a ``void:Dataset``, sorted."""
    rows = store.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g <{NS.rdf}type> <{NS.void}Dataset> }} }}")
    return sorted((row["g"] for row in rows if isinstance(row["g"], ox.NamedNode)), key=lambda g: g.value)


def count(store) -> Statistics:
    """Count the statistics of ``store`` (anything with a SPARQL ``query``: pyoxigraph's ``Store``, a
    ``lod.store`` store), over every named graph but the descriptions (``descriptions``).

    The description graphs are found first and named in a filter: pyoxigraph evaluates ``FILTER NOT EXISTS``
    once per triple, five times slower on a million triples.
    """
    skipped = descriptions(store)
    data_only = f" FILTER(?g NOT IN ({', '.join(map(str, skipped))}))" if skipped else ""
    data = "GRAPH ?g { ?s ?p ?o }" + data_only
    typed = f"GRAPH ?g {{ ?s <{NS.rdf}type> ?c }}" + data_only
    classes = store.query(f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {typed} }} GROUP BY ?c ORDER BY STR(?c)")
    classes = tuple((row["c"], _number(row["n"])) for row in classes)
    properties = store.query(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {data} }} }}"
                             " GROUP BY ?p ORDER BY STR(?p)")
    properties = tuple((row["p"], _number(row["n"])) for row in properties)
    row = next(iter(store.query("SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects) "
                                f"WHERE {{ {data} }}")))
    return Statistics(classes, properties, _number(row["subjects"]), _number(row["objects"]))


def _number(term: ox.Literal) -> int:
    return int(term.value)
