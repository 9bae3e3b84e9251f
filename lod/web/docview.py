"""A Linked Data document's triples as the pages show them: indexed by subject, labelled, in rows.

``ld.py`` builds the document (the thing, the nodes below it, the links to it); ``pages.py`` shows it
through these views, and reads from the store only what the document does not hold.
"""
from __future__ import annotations

import re
from collections import defaultdict

import pyoxigraph as ox
from markupsafe import Markup

from .. import jsonld
from ..namespaces import NS
from .readmodel import LABEL_PROPERTIES
from .wording import curie, humanize, property_label, safe_href


class Doc:
    """The triples of a document, indexed for templates: values of a subject, labels of IRIs."""

    def __init__(self, triples, base: str) -> None:
        self.triples = list(triples)
        self.base = base
        self.out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.labels: dict[str, str] = {}
        for t in self.triples:
            s, p, o = t.subject, t.predicate.value, t.object
            if isinstance(s, (ox.NamedNode, ox.BlankNode)) and o not in self.out[s.value][p]:
                self.out[s.value][p].append(o)
            if isinstance(o, ox.NamedNode):
                self.incoming[o.value].append((s.value, p))
        for p in reversed(LABEL_PROPERTIES):  # the best label written last
            for s, props in self.out.items():
                for o in props.get(p, []):
                    if isinstance(o, ox.Literal):
                        self.labels[s] = o.value

    def values(self, s: str, p: str) -> list:
        return self.out.get(s, {}).get(p, [])

    def value(self, s: str, p: str):
        vals = self.values(s, p)
        return vals[0] if vals else None

    def iris(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.values(s, p) if isinstance(o, ox.NamedNode)]

    def literals(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.values(s, p) if isinstance(o, ox.Literal)]

    def label(self, uri: str) -> str:
        return self.labels.get(uri) or humanize(uri)


def term_view(term, labels: dict[str, str], base: str) -> dict:
    """How a template shows one RDF term: a link with a label, or a literal with its datatype/language."""
    if isinstance(term, ox.NamedNode):
        uri = term.value
        return {"iri": uri, "href": safe_href(uri), "label": labels.get(uri) or curie(uri) if not uri.startswith(base)
                else labels.get(uri) or uri[len(base):]}
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else None
        note = term.language or (curie(dt) if dt and dt not in (NS.xsd + "string", NS.rdf + "langString") else None)
        return {"literal": term.value, "note": note, "long": len(term.value) > 200 or "\n" in term.value}
    return {"literal": str(term), "note": None, "long": False}


def natural_key(text: str) -> list:
    """'class/9' before 'class/10'."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


def property_rows(doc: Doc, subject: str, skip=()) -> list[dict]:
    """Rows of (property, values) of one subject, rdf:type and labels first."""
    first = [NS.rdf + "type", NS.rdfs + "label"]
    props = sorted(doc.out.get(subject, {}), key=lambda p: (p not in first, first.index(p) if p in first else 0,
                                                            property_label(p), p))
    rows = []
    for p in props:
        if p in skip:
            continue
        values = sorted(doc.out[subject][p], key=lambda o: (not isinstance(o, ox.Literal), natural_key(str(o))))
        rows.append({"iri": p, "terms": [term_view(o, doc.labels, doc.base) for o in values]})
    return rows


def jsonld_script(triples) -> Markup:
    """The triples as compacted JSON-LD, safe inside <script>: '<', '>' and '&' only occur in JSON strings,
    where their \\u escapes mean the same, so '</script>' in a literal cannot end the element."""
    # The context is written in: whoever reads a page's data (a search engine, a script) needs no second
    # request for it.
    text = jsonld.compacted(list(triples), indent=None).decode("utf-8")
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)
