"""The project's own vocabulary files as published: ``ontology/terms.ttl`` and ``ontology/shapes.ttl``.

The files write their IRIs relative (``<id/concept/letter>``, ``lodsh: <ontology/shapes#>``) so that one
file serves every base. Published (served at ``{base}ontology/{name}``, written beside the dumps, read by
the build's checks), each carries an ``@base`` line for the base it is published under: any parser given
the file alone then reads ``{base}ontology/shapes#Letter`` and ``{base}id/concept/primary-name``. Without
it, ``pyshacl -s ontology/shapes.ttl`` resolves them against the file's own location, and every person
in the dump lacks the primary name the shapes ask for.

The Turtle is the file as written, comments included, so that the published shapes explain themselves;
the other formats are serialised from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .uris import Minter

TERMS = "terms"
SHAPES = "shapes"
NAMES = (TERMS, SHAPES)
SHAPES_DUMP = "shapes.ttl"  # the published shapes' name in the dumps folder
# What each document is, for its HTML page and its own description.
TITLES = {TERMS: "Terms of the letters: types of documents, events, names and claims (SKOS)",
          SHAPES: "SHACL shapes of the application profile"}


@dataclass(frozen=True)
class Published:
    """One vocabulary file as published under a base."""

    name: str
    uri: str  # {base}ontology/{name}: the document, and for the shapes their namespace ({uri}#Letter)
    turtle: bytes

    @property
    def title(self) -> str:
        return TITLES[self.name]

    def triples(self) -> list[ox.Triple]:
        """Its triples, sorted, blank nodes labelled by where they first appear in the file.

        pyoxigraph names each blank node it reads at random; two server processes would then serve
        different N-Triples, and different ETags, for the same file."""
        labels: dict[ox.BlankNode, ox.BlankNode] = {}

        def stable(term):
            if isinstance(term, ox.BlankNode):
                if term not in labels:
                    labels[term] = ox.BlankNode(f"b{len(labels)}")
                return labels[term]
            return term

        triples = [ox.Triple(stable(q.subject), q.predicate, stable(q.object))
                   for q in ox.parse(self.turtle, format=ox.RdfFormat.TURTLE)]
        return sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))

    def graph(self) -> Graph:
        """As rdflib reads it (for pyshacl and the build); the ``@base`` line makes every IRI absolute."""
        return Graph().parse(data=self.turtle, format="turtle")


def publish(ontology_dir: Path, name: str, base: str) -> Published:
    """``ontology_dir/{name}.ttl`` as published under ``base``; KeyError for a name that is not ours."""
    if name not in NAMES:
        raise KeyError(name)
    return read(ontology_dir / f"{name}.ttl", name, base)


def read(path: Path, name: str, base: str) -> Published:
    """The file at ``path`` published under ``base`` as the vocabulary ``name``."""
    mint = Minter(base)
    uri = str(mint.ontology(name))
    # The line goes first: a relative IRI before it would resolve against the reader's own base.
    head = (f"# Published at <{uri}>. Relative IRIs in this file resolve against the dataset's base:\n"
            f"@base <{mint.base}> .\n")
    return Published(name, uri, head.encode("utf-8") + path.read_bytes())
