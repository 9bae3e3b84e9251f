"""source texts + annotations -> graphs -> checks -> dumps: the one command a scholar runs."""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from . import __version__, cmif, ontology, void
from .annotations import AnnotationError, Curation, load_curation
from .dumps import MANIFEST, canonical_quads, write_dumps
from .letter import Letter, LetterError, ParseWarning
from .config import Settings
from .identity import Resolver, load_register
from .mapper import Mapped, map_one
from .slugs import plan_slugs
from .parser import read_letter
from .uris import Minter
from .report import summary
from .statistics import STATISTICS, Statistics, count
from .validate import validate

REPORT = "report"  # the key of build.json that holds lod.report.summary (its statistics: lod.statistics.STATISTICS)
CHANGED = "changed"  # the key of build.json that holds the day the inputs last changed

class BuildError(Exception):
    """The build cannot produce a graph worth publishing; the message says why and where."""


@dataclass(frozen=True)
class BuildWarning:
    """Something the build left out or changed, and why; ``file`` is a letter or an annotation file."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass
class Build:
    base: str
    graphs: list[tuple[URIRef, Graph]]  # (graph name, triples), letters first
    letters: list[Letter]
    warnings: list[ParseWarning | BuildWarning] = field(default_factory=list)
    mapped: list[Mapped] = field(default_factory=list)  # per letter, in file order
    curation: Curation | None = None  # the register and the annotation files, as the mapper read them
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


DEFAULT_REGISTER = Settings().register


def make_graphs(letters_dir: Path, annotations_dir: Path, ontology_dir: Path, base: str,
                register: Path | None = DEFAULT_REGISTER) -> Build:
    """Parse, annotate and map every letter; nothing is written. ``register=None``: no register."""
    started = time.perf_counter()
    mint = Minter(base)
    letters = read_letters(letters_dir)
    if register is not None and not register.is_file():
        raise BuildError(f"no register at {register}")
    notes: list[BuildWarning] = []
    try:
        curation = Curation()
        if register is not None:
            load_register(register, curation)  # first: annotation files may add to its entities
        curation = load_curation(annotations_dir, curation)
        files = {letter.file for letter in letters}
        for name, ann in sorted(curation.letters.items()):
            if name not in files:  # a folder of some letters only: their annotations still apply
                notes.append(BuildWarning(ann.source_file, f"annotates {name}, which is not in {letters_dir}: skipped"))
                del curation.letters[name]
                curation.relations.pop(name, None)
                for entity in curation.entities.values():
                    entity.mentions.pop(name, None)
        slugs, renamed = plan_slugs(letters, curation)
        notes += [BuildWarning(file, message) for file, message in renamed]
        resolver = Resolver(curation)
        mapped = [map_one(letter, curation, mint, slugs[letter.file], resolver) for letter in letters]
    except AnnotationError as exc:
        raise BuildError(str(exc)) from None
    graphs = [(m.uri, m.graph) for m in mapped]
    terms = ontology.publish(ontology_dir, ontology.TERMS, mint.base).graph()  # the terms as served
    graphs.append((mint.concept("types"), terms))
    triples = len({t for _, graph in graphs for t in graph})
    subjects = {s for _, graph in graphs for s in graph.subjects()}
    graphs.append((mint.metadata_graph(), void.describe(mint, void.LETTERS, [name for name, _ in graphs], triples,
                                                        subjects)))
    warnings: list[ParseWarning | BuildWarning] = notes + [w for letter in letters for w in letter.warnings]
    warnings += [BuildWarning(m.file, w) for m in mapped for w in m.warnings]
    build = Build(mint.base, graphs, letters, warnings, mapped, curation)
    build.quads = canonical_quads(graphs)
    build.seconds = time.perf_counter() - started
    return build


def build(letters_dir: Path, annotations_dir: Path, ontology_dir: Path, base: str, out: Path,
          register: Path | None = DEFAULT_REGISTER) -> Build:
    """Map, check, and only if every check passes, write the dumps."""
    result = make_graphs(letters_dir, annotations_dir, ontology_dir, base, register)
    problems = validate(result, ontology_dir)
    if problems:
        shown = "\n  ".join(problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise BuildError(f"the graph breaks {len(problems)} rule(s); no dump written:\n  {shown}{more}")
    made_of = manifest(letters_dir, annotations_dir, ontology_dir, base, register)
    # The report of the build travels with the dumps: what was left out or left unreconciled, per letter;
    # so do the statistics of /void, which a server of the dumps then need not count.
    write_dumps(result.quads, out, {**made_of, REPORT: summary(result), STATISTICS: counted(result.quads).to_json()},
                extra=published(result, ontology_dir, datetime.date.fromisoformat(made_of[CHANGED])))
    return result


def counted(quads: list[ox.Quad]) -> Statistics:
    """The statistics of ``quads``, counted in a store as a server of the dumps would count them: a store
    keeps some literals in another form than the dumps (``lod.datatypes``), which may make two objects one."""
    store = ox.Store()
    store.extend(quads)
    return count(store)


def published(result: Build, ontology_dir: Path, day: datetime.date) -> dict[str, bytes]:
    """The files made beside the dumps: the letters in CMIF, the shapes with the IRIs they are published under."""
    return {cmif.DUMP_FILE: cmif.from_quads(result.quads, result.base, day),
            ontology.SHAPES_DUMP: ontology.publish(ontology_dir, ontology.SHAPES, result.base).turtle}


def changed(files: list[Path]) -> datetime.date:
    """The day the inputs last changed (UTC), which the CMIF file gives as its own date.

    ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) sets it where file times mean nothing, such as a
    fresh clone. It is part of the manifest, so that equal manifests still mean equal dumps."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else max((int(p.stat().st_mtime) for p in files), default=0)
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).date()


def inputs(letters_dir: Path, annotations_dir: Path, ontology_dir: Path,
           register: Path | None = DEFAULT_REGISTER) -> list[Path]:
    """The files a build reads."""
    files = sorted(letters_dir.glob("*.txt")) + sorted(annotations_dir.glob("*.y*ml")) + sorted(ontology_dir.glob("*.ttl"))
    return files + ([register] if register is not None and register.is_file() else [])


def manifest(letters_dir: Path, annotations_dir: Path, ontology_dir: Path, base: str,
             register: Path | None = DEFAULT_REGISTER) -> dict:
    """The inputs of a build, by checksum: equal manifests mean equal dumps."""
    files = inputs(letters_dir, annotations_dir, ontology_dir, register)
    return {
        "base": base,
        "version": __version__,
        # The mapper's own code, so that a changed mapper rebuilds unchanged letters.
        "code": hashlib.sha256(b"".join(p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py")))).hexdigest(),
        "inputs": {f"{p.parent.name}/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
        CHANGED: changed(files).isoformat(),  # the date the CMIF file gives
    }


def is_current(out: Path, letters_dir: Path, annotations_dir: Path, ontology_dir: Path, base: str) -> bool:
    try:
        built = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    for made in (REPORT, STATISTICS):  # what the inputs made, not what they were
        built.pop(made, None)
    return built == manifest(letters_dir, annotations_dir, ontology_dir, base)
