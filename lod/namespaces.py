"""The vocabularies we speak, with the prefixes every serialisation uses."""
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

__all__ = ["CRM", "OA", "SCHEMA", "DCMITYPE", "SD", "SH", "EDTF", "PREFIXES",
           "DCTERMS", "FOAF", "OWL", "PROV", "RDF", "RDFS", "SKOS", "XSD", "VOID", "DCAT"]
