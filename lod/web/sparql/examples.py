"""The example queries of the query page."""
from __future__ import annotations

from dataclasses import dataclass

from ...namespaces import sparql_prefixes


@dataclass(frozen=True)
class Example:
    title: str
    description: str
    query: str


_EXAMPLE_PREFIXES = sparql_prefixes("crm", "dcterms", "foaf", "oa", "prov", "rdfs", "schema")


def examples(base: str) -> list[Example]:
    """The example queries of the query page, about the letters; a test runs each and wants rows."""
    person = f"PREFIX person: <{base}id/person/>\n"
    items = [
        ("Persons mentioned in each letter",
         "Every person a letter refers to (dcterms:references, the catalogue view), letter by letter.",
         """SELECT ?letter ?title ?person ?name WHERE {
  ?letter a crm:E33_Linguistic_Object ;
          dcterms:title ?title ;
          dcterms:references ?person .
  ?person a crm:E21_Person ;
          foaf:name ?name .
}
ORDER BY ?letter ?name"""),
        ("Events in time order",
         "The events the letters tell of, by the earliest and latest time they can have happened "
         "(uncertain dates are bounds, not points).",
         """SELECT ?event ?label ?type ?earliest ?latest WHERE {
  ?event crm:P4_has_time-span ?span ;
         rdfs:label ?label .
  FILTER NOT EXISTS { ?event a crm:E65_Creation }
  OPTIONAL { ?event crm:P2_has_type/rdfs:label ?type }
  OPTIONAL { ?span crm:P82a_begin_of_the_begin ?earliest }
  OPTIONAL { ?span crm:P82b_end_of_the_end ?latest }
}
ORDER BY COALESCE(?earliest, ?latest) ?latest"""),
        ("Who asserts what",
         "Each annotation anchors a claim in a letter's text and says whose voice makes it "
         "(prov:wasAttributedTo): Lenin, a correspondent he reports, the editors.",
         """SELECT ?voice ?claim ?quote WHERE {
  ?annotation a oa:Annotation ;
              oa:hasBody ?thing ;
              prov:wasAttributedTo ?who ;
              oa:hasTarget/oa:hasSelector/oa:exact ?quote .
  ?who rdfs:label ?voice .
  ?thing rdfs:label ?claim .
  FILTER NOT EXISTS { ?thing a crm:E21_Person }
}
ORDER BY ?voice ?claim"""),
        ("Letters by addressee",
         "Who each letter was sent to (schema:recipient), with its author and date.",
         """SELECT ?addressee ?letter ?date ?author WHERE {
  ?letter schema:recipient/foaf:name ?addressee ;
          dcterms:date ?date ;
          dcterms:creator/foaf:name ?author .
}
ORDER BY ?addressee ?date"""),
        ("The expulsion and reinstatement of Kasparova-Popova",
         "Her leaving and joining of the Party (CIDOC-CRM E86 and E85), when, and who says so in which words.",
         person + """SELECT ?event ?kind ?group ?earliest ?latest ?voice ?quote WHERE {
  { ?event crm:P145_separated person:kasparova-popova ; crm:P146_separated_from ?g . BIND("left" AS ?kind) }
  UNION
  { ?event crm:P143_joined person:kasparova-popova ; crm:P144_joined_with ?g . BIND("joined" AS ?kind) }
  ?g rdfs:label ?group .
  OPTIONAL { ?event crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?earliest }
  OPTIONAL { ?event crm:P4_has_time-span/crm:P82b_end_of_the_end ?latest }
  OPTIONAL {
    ?annotation oa:hasBody ?event ;
                prov:wasAttributedTo/rdfs:label ?voice ;
                oa:hasTarget/oa:hasSelector/oa:exact ?quote .
  }
}
ORDER BY ?earliest ?event"""),
        ("How many things of each class",
         "Instances per class, over all letters.",
         """SELECT ?class (COUNT(DISTINCT ?thing) AS ?things) WHERE {
  ?thing a ?class .
}
GROUP BY ?class
ORDER BY DESC(?things) ?class"""),
        ("Evidence quotes for Lenin",
         "Where the texts mention Lenin: the exact words and their position (Unicode code points) in the source.",
         person + """SELECT ?source ?start ?end ?quote WHERE {
  ?annotation oa:hasBody person:lenin ;
              oa:hasTarget ?target .
  ?target oa:hasSource ?source ;
          oa:hasSelector ?words, ?position .
  ?words oa:exact ?quote .
  ?position oa:start ?start ;
            oa:end ?end .
}
ORDER BY ?source ?start"""),
        ("One graph per letter",
         "The named graphs and the size of each; the default graph is their union.",
         """SELECT ?graph ?label (COUNT(*) AS ?triples) WHERE {
  GRAPH ?graph { ?s ?p ?o }
  OPTIONAL { ?graph rdfs:label ?label }
}
GROUP BY ?graph ?label
ORDER BY ?graph"""),
        ("Identifiers elsewhere",
         "Persons, groups and places with a checked Wikidata identifier (owl:sameAs).",
         """PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?thing ?label ?wikidata WHERE {
  ?thing owl:sameAs ?wikidata ;
         rdfs:label ?label .
}
ORDER BY ?label"""),
        ("Describe Lenin",
         "Everything the dataset says about one person, as RDF.",
         f"DESCRIBE <{base}id/person/lenin>"),
    ]
    return [Example(title, description, query if query.startswith("DESCRIBE") else _EXAMPLE_PREFIXES + query)
            for title, description, query in items]
