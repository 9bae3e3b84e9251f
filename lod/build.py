"""source texts + annotations -> graphs -> checks -> dumps: the one command a scholar runs."""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from . import __version__
from .annotations import AnnotationError, load_curation
from .dumps import DUMP_NAME, MANIFEST, canonical_quads, write_dumps
from .formats import DUMP_FORMATS
from .letter import Letter, LetterError, ParseWarning
from .mapper import map_letter
from .namespaces import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, VOID
from .parser import read_letter
from .uris import Minter
from .validate import validate

CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")


class BuildError(Exception):
    """The build cannot produce a graph worth publishing; the message says why and where."""


@dataclass
class Build:
    base: str
    graphs: list[tuple[URIRef, Graph]]  # (graph name, triples), letters first
    letters: list[Letter]
    warnings: list[ParseWarning] = field(default_factory=list)
    quads: list[ox.Quad] = field(default_factory=list)
    seconds: float = 0.0

    def dataset(self) -> Dataset:
        """The canonical quads as an rdflib Dataset, for checks and tests."""
        ds = Dataset()
        ds.parse(data=ox.serialize(self.quads, format=ox.RdfFormat.N_QUADS), format="nquads")
        return ds


def read_letters(folder: Path) -> list[Letter]:
    paths = sorted(folder.glob("*.txt"))
    if not paths:
        raise BuildError(f"no letters (*.txt) in {folder}")
    letters = []
    for path in paths:
        try:
            letters.append(read_letter(path))
        except LetterError as exc:
            raise BuildError(str(exc)) from None
    return letters


def make_graphs(letters_dir: Path, annotations_dir: Path, ontology_dir: Path, base: str) -> Build:
    """Parse, annotate and map every letter; nothing is written."""
    started = time.perf_counter()
    mint = Minter(base)
    letters = read_letters(letters_dir)
    try:
        curation = load_curation(annotations_dir)
        files = {letter.file for letter in letters}
        for name, ann in curation.letters.items():
            if name not in files:
                raise AnnotationError(f"{ann.source_file}: annotates {name}, which is not in {letters_dir}")
        graphs = [map_letter(letter, curation, mint) for letter in letters]
    except AnnotationError as exc:
        raise BuildError(str(exc)) from None
    names = [name for name, _ in graphs]
    duplicates = {str(n) for n in names if names.count(n) > 1}
    if duplicates:
        raise BuildError(f"two letters map to the same URI: {', '.join(sorted(duplicates))}; give one a 'slug' in its annotation file")
    terms = Graph().parse(ontology_dir / "terms.ttl", format="turtle", publicID=mint.base)
    graphs.append((mint.concept("types"), terms))
    graphs.append((mint.metadata_graph(), _dataset_description(mint, graphs)))
    warnings = [w for letter in letters for w in letter.warnings]
    build = Build(mint.base, graphs, letters, warnings)
    build.quads = canonical_quads(graphs)
    build.seconds = time.perf_counter() - started
    return build


def _dataset_description(mint: Minter, graphs: list[tuple[URIRef, Graph]]) -> Graph:
    """VoID + DCAT for the dataset; the web layer serves it at /void."""
    g = Graph()
    ds = mint.dataset()
    triples = len({t for _, graph in graphs for t in graph})
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("Letters of V. I. Lenin as Linked Open Data")))
    g.add((ds, RDFS.label, Literal("Letters of V. I. Lenin as Linked Open Data")))
    g.add((ds, DCTERMS.description, Literal(
        "Letters from the Marxists Internet Archive, their persons, groups, places and events, "
        "in CIDOC-CRM, FOAF and Dublin Core, each claim anchored in the text.")))
    g.add((ds, DCTERMS.license, CC0))
    g.add((ds, DCTERMS.source, Literal("Marxists Internet Archive (marxists.org), Lenin Internet Archive")))
    g.add((ds, VOID.uriSpace, Literal(f"{mint.base}id/")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{mint.base}sparql")))
    g.add((ds, VOID.triples, Literal(triples, datatype=XSD.integer)))
    g.add((ds, VOID.rootResource, URIRef(f"{mint.base}id/concept/types")))
    for vocab in ("http://www.cidoc-crm.org/cidoc-crm/", "http://xmlns.com/foaf/0.1/", "http://purl.org/dc/terms/",
                  "http://www.w3.org/ns/oa#", "http://www.w3.org/ns/prov#", "http://schema.org/"):
        g.add((ds, VOID.vocabulary, URIRef(vocab)))
    for fmt in DUMP_FORMATS:
        dump = URIRef(f"{mint.base}dumps/{DUMP_NAME}.{fmt.extension}")
        g.add((ds, VOID.dataDump, dump))
        g.add((ds, DCAT.distribution, dump))
        g.add((dump, RDF.type, DCAT.Distribution))
        g.add((dump, DCAT.mediaType, Literal(fmt.media_type)))
        g.add((dump, DCTERMS.format, Literal(fmt.label)))
        g.add((dump, DCAT.downloadURL, dump))
    for name, _ in graphs:
        if "/id/letter/" in str(name):
            g.add((ds, VOID.subset, name))
            g.add((ds, DCTERMS.hasPart, name))
    g.add((ds, FOAF.homepage, URIRef(mint.base)))
    g.add((ds, PROV.wasGeneratedBy, URIRef(f"{mint.base}void/build")))
    g.add((URIRef(f"{mint.base}void/build"), RDF.type, PROV.Activity))
    g.add((URIRef(f"{mint.base}void/build"), RDFS.label, Literal(f"lod build, lod-letters {__version__}")))
    return g


def build(letters_dir: Path, annotations_dir: Path, ontology_dir: Path, base: str, out: Path) -> Build:
    """Map, check, and only if every check passes, write the dumps."""
    result = make_graphs(letters_dir, annotations_dir, ontology_dir, base)
    problems = validate(result, ontology_dir)
    if problems:
        shown = "\n  ".join(problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise BuildError(f"the graph breaks {len(problems)} rule(s); no dump written:\n  {shown}{more}")
    write_dumps(result.quads, out, manifest(letters_dir, annotations_dir, ontology_dir, base))
    return result


def manifest(letters_dir: Path, annotations_dir: Path, ontology_dir: Path, base: str) -> dict:
    """The inputs of a build, by checksum: equal manifests mean equal dumps."""
    files = sorted(letters_dir.glob("*.txt")) + sorted(annotations_dir.glob("*.y*ml")) + sorted(ontology_dir.glob("*.ttl"))
    return {
        "base": base,
        "version": __version__,
        # The mapper's own code, so that a changed mapper rebuilds unchanged letters.
        "code": hashlib.sha256(b"".join(p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py")))).hexdigest(),
        "inputs": {f"{p.parent.name}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
    }


def is_current(out: Path, letters_dir: Path, annotations_dir: Path, ontology_dir: Path, base: str) -> bool:
    try:
        built = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return built == manifest(letters_dir, annotations_dir, ontology_dir, base)
