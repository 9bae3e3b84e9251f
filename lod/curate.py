"""`lod curate LETTER`: a draft annotation file from what the software found in one letter.

The draft lists each person, group and place the mapper linked to the letter by an annotation it
made itself, with the quotes it found (a prefix where a quote occurs more than once). A curator
confirms, corrects or deletes each entry and saves the file in data/annotations/: the entries are
then curated annotations like any other, and the mapper's own findings on the same words give way.
"""
from __future__ import annotations

import json

from rdflib import Graph, URIRef

from . import __version__
from .annotations import Curation
from .letter import Letter
from .namespaces import CRM, DCTERMS, FOAF, OA, RDF, RDFS
from .uris import Minter

_SECTIONS = {"person": "persons", "group": "groups", "place": "places"}


def _quoted(text: str) -> str:
    """A YAML scalar: JSON's double-quoted strings are YAML's too."""
    return json.dumps(text, ensure_ascii=False)


def _shortest_prefix(text: str, start: int, end: int) -> str:
    """The fewest characters before text[start:end] that make it occur once with them (annotations.anchor's rule)."""
    exact = text[start:end]
    for size in range(0, start + 1):
        prefix = text[start - size:start]
        hits, at = 0, text.find(exact)
        while at != -1 and hits < 2:
            hits += text[:at].endswith(prefix)
            at = text.find(exact, at + 1)
        if hits == 1:
            return prefix
    return text[:start]


def found_by_software(graph: Graph, mint: Minter) -> dict[URIRef, list[tuple[int, int]]]:
    """The persons, groups and places the software's annotations point at, with the spans it found."""
    found: dict[URIRef, list[tuple[int, int]]] = {}
    for ann in graph.subjects(RDF.type, OA.Annotation):
        if graph.value(ann, DCTERMS.creator) is None:  # a curated annotation: nothing to draft
            continue
        body = graph.value(ann, OA.hasBody)
        parsed = mint.parse(str(body)) if body is not None else None
        if parsed is None or parsed.kind not in _SECTIONS:
            continue
        target = graph.value(ann, OA.hasTarget)
        for selector in graph.objects(target, OA.hasSelector):
            start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
            if start is not None and end is not None:
                found.setdefault(body, []).append((int(start), int(end)))
    return found


def draft(letter: Letter, graph: Graph, mint: Minter, known: Curation) -> str:
    """The draft annotation file for ``letter``, mapped as ``graph``; what ``known`` (the register and the
    annotation files) already describes gets its mentions only, as a file may add them to another's entity."""
    text = letter.text
    lines = [f"# Draft annotations for {letter.file}: what lod-letters {__version__} found in it.",
             "# Check each entry against the text: correct labels and names, delete what is wrong, add what is",
             "# missing. 'unreconciled' entries match no register entry (data/register.yaml): this letter's own.",
             f"# Once confirmed, save it as data/annotations/{letter.file.rsplit('.', 1)[0]}.yaml.",
             f"letter: {_quoted(letter.file)}"]
    found = found_by_software(graph, mint)
    for kind, section in _SECTIONS.items():
        entities = sorted((uri for uri in found if mint.parse(str(uri)).kind == kind), key=str)
        if not entities:
            continue
        lines.append(f"{section}:")
        for uri in entities:
            label = graph.value(uri, RDFS.label) or mint.parse(str(uri)).slug
            name = graph.value(uri, FOAF.name)
            unreconciled = (uri, CRM.P2_has_type, mint.concept("unreconciled")) in graph
            entity_id = mint.parse(str(uri)).slug
            if entity_id in known.entities:
                lines.append(f"  {entity_id}:  # {_quoted(str(label))}, described elsewhere")
            else:
                lines.append(f"  {entity_id}:" + ("  # unreconciled" if unreconciled else ""))
                lines.append(f"    label: {_quoted(str(label))}")
                if name is not None and str(name) != str(label):
                    lines.append(f"    name: {_quoted(str(name))}")
            lines.append("    mentions:")
            for start, end in sorted(set(found[uri])):
                lines.append(f"      - quote: {_quoted(text[start:end])}")
                prefix = _shortest_prefix(text, start, end)
                if prefix:
                    lines.append(f"        prefix: {_quoted(prefix)}")
    return "\n".join(lines) + "\n"
