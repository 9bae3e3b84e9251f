"""The vocabularies we speak, with the prefixes every serialisation uses."""
import bisect
from types import SimpleNamespace

import pyoxigraph as ox
from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD, VOID, DCAT

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("http://schema.org/")
DCMITYPE = Namespace("http://purl.org/dc/dcmitype/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
EDTF = "http://id.loc.gov/datatypes/edtf"

# Stable prefix order keeps dumps byte-identical between builds.
PREFIXES: dict[str, str] = {
    "crm": str(CRM),
    "dcat": str(DCAT),
    "dcmitype": str(DCMITYPE),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "oa": str(OA),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sd": str(SD),
    "skos": str(SKOS),
    "void": str(VOID),
    "xsd": str(XSD),
}

# The same namespaces as plain strings, for code that compares pyoxigraph values: an rdflib URIRef
# never equals a str, so `NS.crm + "P4_has_time-span"` is what the web layer and the store use.
# Namespaces that no dump declares a prefix for (they would change the dumps' bytes) are added here only.
NS = SimpleNamespace(**PREFIXES, edtf=EDTF, hydra="http://www.w3.org/ns/hydra/core#",
                     spdx="http://spdx.org/rdf/terms#", sh=str(SH), formats="http://www.w3.org/ns/formats/")


def used_prefixes(triples: list[ox.Triple], extra: dict[str, str] | None = None) -> dict[str, str]:
    """The prefixes that some IRI of ``triples`` starts with (Turtle without a dozen idle lines)."""
    iris = {term.value for t in triples for term in (t.subject, t.predicate, t.object)
            if isinstance(term, ox.NamedNode)}
    iris |= {t.object.datatype.value for t in triples if isinstance(t.object, ox.Literal)}
    ordered = sorted(iris)  # the IRIs that start with a namespace sort right after it: one bisection each

    def used(ns: str) -> bool:
        at = bisect.bisect_left(ordered, ns)
        return at < len(ordered) and ordered[at].startswith(ns)

    return {p: ns for p, ns in {**PREFIXES, **(extra or {})}.items() if used(ns)}


def sparql_prefixes(*names: str) -> str:
    """PREFIX lines for a SPARQL query, from the one prefix table."""
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)


__all__ = ["NS", "used_prefixes", "sparql_prefixes", "CRM", "OA", "SCHEMA", "DCMITYPE", "SD", "SH", "EDTF", "PREFIXES",
           "DCTERMS", "FOAF", "OWL", "PROV", "RDF", "RDFS", "SKOS", "XSD", "VOID", "DCAT"]
