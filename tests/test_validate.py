"""The checks a build must pass: CIDOC-CRM terms (ours and the official RDFS), SHACL shapes, no blank nodes."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, XSD

from lod import crm
from lod.validate import shacl, union, validate

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology"
SHAPES = ONTOLOGY / "shapes.ttl"


@pytest.fixture(scope="module")
def graph(built) -> Graph:
    """The union of all graphs of the real build."""
    return union(built)


@pytest.fixture(scope="module")
def seed_graph(built, base: str) -> Graph:
    """The seed letter's graph with the project's terms: enough to break each rule once, in a fraction of the
    time the shapes take on every letter."""
    keep = {f"{base}id/letter/1921-12-20-zalutsky-salts", f"{base}id/concept/types"}
    g = Graph()
    for q in built.quads:
        if q.graph_name.value in keep:
            g.add(tuple(URIRef(t.value) if isinstance(t, ox.NamedNode) else
                        Literal(t.value, lang=t.language, datatype=None if t.language else URIRef(t.datatype.value))
                        for t in (q.subject, q.predicate, q.object)))
    assert len(g) > 1000
    return g


def copy(graph: Graph) -> Graph:
    g = Graph()
    for triple in graph:
        g.add(triple)
    return g


def first(graph: Graph, cls: URIRef) -> URIRef:
    """The first (by IRI) node of a class, so that tests pick real nodes without hard-coding them."""
    nodes = sorted(graph.subjects(RDF.type, cls))
    assert nodes, f"no {cls} in the build"
    return nodes[0]


# --- lod.crm.check -------------------------------------------------------------------------


def test_crm_check_passes_on_the_build(graph):
    assert crm.check(graph) == []


def test_crm_check_reports_an_invented_class(graph):
    g = copy(graph)
    person = first(g, CRM.E21_Person)
    g.add((person, RDF.type, CRM.E999_Nothing))
    problems = crm.check(g)
    assert any("E999_Nothing" in p for p in problems), problems


def test_crm_check_reports_an_invented_property(graph):
    g = copy(graph)
    person = first(g, CRM.E21_Person)
    g.add((person, CRM.P999_did_nothing, Literal("x")))
    problems = crm.check(g)
    assert any("P999_did_nothing" in p for p in problems), problems


def test_crm_check_reports_a_subject_outside_the_domain(graph):
    """A person as the subject of P145_separated (domain E86_Leaving)."""
    g = copy(graph)
    person, other = sorted(g.subjects(RDF.type, CRM.E21_Person))[:2]
    g.add((person, CRM.P145_separated, other))
    problems = crm.check(g)
    assert any(str(person) in p and "P145_separated" in p for p in problems), problems


def test_crm_check_reports_an_object_outside_the_range(graph):
    """A place as the object of P145_separated (range E39_Actor)."""
    g = copy(graph)
    leaving, place = first(g, CRM.E86_Leaving), first(g, CRM.E53_Place)
    g.add((leaving, CRM.P145_separated, place))
    problems = crm.check(g)
    assert any(str(place) in p and "P145_separated" in p for p in problems), problems


# --- against the official CIDOC-CRM 7.1.2 RDFS ------------------------------------------------


@dataclasses.dataclass
class Vocabulary:
    classes: set[URIRef]
    properties: set[URIRef]
    graph: Graph

    def superclasses(self, cls: URIRef) -> set[URIRef]:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in self.graph.objects(todo.pop(), RDFS.subClassOf):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen


@pytest.fixture(scope="module")
def official(shared, require) -> Vocabulary:
    path = require(shared / "vocab" / "CIDOC_CRM_v7.1.2.rdf", "official CIDOC-CRM RDFS")
    g = Graph().parse(path, format="xml")
    return Vocabulary(set(g.subjects(RDF.type, RDFS.Class)), set(g.subjects(RDF.type, RDF.Property)), g)


def crm_problems(graph: Graph, vocab: Vocabulary) -> list[str]:
    """Every crm: term of ``graph`` missing from the RDFS, or used outside its rdfs:domain/rdfs:range."""
    problems = []
    types: dict[object, set[URIRef]] = {}
    for s, cls in graph.subject_objects(RDF.type):
        if str(cls).startswith(str(CRM)):
            if cls not in vocab.classes:
                problems.append(f"class {cls} is not in the official RDFS")
            types.setdefault(s, set()).update(vocab.superclasses(cls))
    for s, p, o in graph:
        if not str(p).startswith(str(CRM)):
            continue
        if p not in vocab.properties:
            problems.append(f"property {p} is not in the official RDFS")
            continue
        for domain in vocab.graph.objects(p, RDFS.domain):
            if domain not in types.get(s, ()):
                problems.append(f"{s} {p}: subject is not a {domain}")
        if p == CRM.P177_assigned_property_of_type and (o in vocab.properties or str(o).startswith("http://schema.org/")):
            continue  # Linked Art names the property an attribute assignment assigns by with the property's IRI
        for range_ in vocab.graph.objects(p, RDFS.range):
            if isinstance(o, Literal):
                ok = range_ == RDFS.Literal or str(range_).startswith(str(XSD))
            elif range_ == RDFS.Literal or str(range_).startswith(str(XSD)):
                ok = False
            else:
                ok = range_ in types.get(o, ())
            if not ok:
                problems.append(f"{s} {p} {o}: object is not a {range_}")
    return problems


def test_official_rdfs_is_in_our_namespace(official):
    """The FORTH file writes relative IRIs against xml:base: they must come out in the crm: namespace we use."""
    assert CRM.E21_Person in official.classes
    assert CRM["P4_has_time-span"] in official.properties
    assert CRM.E5_Event in official.superclasses(CRM.E86_Leaving)


def test_every_crm_term_is_official_and_used_within_domain_and_range(graph, official):
    problems = crm_problems(graph, official)
    assert problems == [], "\n".join(problems[:20])


def test_official_check_would_catch_a_misuse(graph, official):
    """The check above is not vacuous: a person as subject of P145 and an unknown class are reported."""
    g = copy(graph)
    person, other = sorted(g.subjects(RDF.type, CRM.E21_Person))[:2]
    g.add((person, CRM.P145_separated, other))
    g.add((other, RDF.type, CRM.E999_Nothing))
    problems = crm_problems(g, official)
    assert any(str(person) in p and "P145_separated" in p for p in problems), problems
    assert any("E999_Nothing" in p for p in problems), problems


# --- SHACL shapes catch real breakage ------------------------------------------------------------


def test_shapes_pass_on_the_build(graph, base):
    assert shacl(graph, SHAPES, base) == []


def _no_name(g: Graph) -> URIRef:
    person = first(g, CRM.E21_Person)
    g.remove((person, FOAF.name, None))
    return person


def _no_time(g: Graph) -> URIRef:
    """An event loses its time-span (an undated one keeps a time-span flagged 'date unknown')."""
    event = first(g, CRM.E86_Leaving)
    assert g.value(event, CRM["P4_has_time-span"]) is not None
    g.remove((event, CRM["P4_has_time-span"], None))
    return event


def _date_unknown_as_event_type(g: Graph) -> URIRef:
    """The old way: 'date unknown' as a type of the event instead of a flag on its time-span."""
    event = first(g, CRM.E86_Leaving)
    g.add((event, CRM.P2_has_type, URIRef(str(event).split("/id/")[0] + "/id/concept/date-unknown")))
    return event


def _publication_creates(g: Graph) -> URIRef:
    """A publishing activity that 'creates' the volume, as P94 would say."""
    event = next(e for e, t in g.subject_objects(CRM.P2_has_type) if str(t).endswith("/concept/publishing"))
    g.add((event, CRM.P94_has_created, g.value(event, CRM.P16_used_specific_object)))
    return event


def _voice_on_the_annotation(g: Graph) -> URIRef:
    """The voice recorded as if it had made the annotation."""
    annotation = first(g, OA.Annotation)
    g.add((annotation, PROV.wasAttributedTo, first(g, CRM.E21_Person)))
    return annotation


def _claim_without_evidence(g: Graph) -> URIRef:
    """An attribute assignment no annotation documents."""
    claim = first(g, CRM.E13_Attribute_Assignment)
    g.remove((None, CRM.P70_documents, claim))
    g.remove((None, OA.hasBody, claim))
    return claim


def _end_plus_one(g: Graph) -> URIRef:
    """An oa:end one character too far; the problem is reported on the target holding the selectors."""
    position = first(g, OA.TextPositionSelector)
    end = g.value(position, OA.end)
    g.set((position, OA.end, Literal(int(end) + 1, datatype=end.datatype)))
    return g.value(predicate=OA.hasSelector, object=position)


def _blank_body(g: Graph) -> URIRef:
    """An annotation whose body is a blank node instead of a thing one can dereference."""
    annotation = first(g, OA.Annotation)
    g.remove((annotation, OA.hasBody, None))
    g.add((annotation, OA.hasBody, BNode()))
    return annotation


@pytest.mark.parametrize("breakage", [_no_name, _no_time, _end_plus_one, _blank_body, _date_unknown_as_event_type,
                                      _publication_creates, _voice_on_the_annotation, _claim_without_evidence],
                         ids=["person-without-name", "event-without-time", "oa-end-plus-one", "blank-node-body",
                              "date-unknown-as-event-type", "publication-creates", "voice-on-the-annotation",
                              "claim-without-evidence"])
def test_shapes_catch_breakage(seed_graph, base, breakage):
    assert shacl(seed_graph, SHAPES, base) == []
    g = copy(seed_graph)
    node = breakage(g)
    problems = shacl(g, SHAPES, base)
    assert any(str(node) in p for p in problems), problems


def test_validate_rejects_a_blank_node(built):
    """The build's own gate (lod.validate.validate) refuses a blank node anywhere in the output."""
    quads = list(built.quads)
    first_letter = next(q.graph_name for q in quads if "/id/letter/" in str(q.graph_name))
    some_person = next(q.subject for q in quads if q.object == ox.NamedNode(str(CRM.E21_Person)))
    quads.append(ox.Quad(some_person, ox.NamedNode(str(RDFS.seeAlso)), ox.BlankNode(), first_letter))
    broken = dataclasses.replace(built, quads=quads)
    problems = validate(broken, ONTOLOGY)
    assert any("blank node" in p for p in problems), problems


def test_the_checked_graph_is_the_one_the_dump_holds(graph, dumps_dir):
    """The checks read the build's terms as handed over (no N-Triples round trip): the same triples as
    rdflib reads from the N-Triples dump, simple literals and language tags alike."""
    dumped = Graph().parse(dumps_dir / "letters.nt", format="nt")
    assert set(graph) == set(dumped)
    assert any(isinstance(o, Literal) and o.datatype is None and o.language is None for o in graph.objects())
