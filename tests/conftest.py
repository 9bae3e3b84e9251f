"""Shared fixtures: where things are, one real build per session, and SPARQL over its dump.

Kept small and generic so that any test module can add what it needs on top.
Tests that need something from outside the repository (the shared answer keys, the official
CRM RDFS, ...) ask for it through ``require``: missing, it skips the test, or fails it when
the environment sets ``LOD_STRICT=1`` (so that CI cannot pass by skipping).
"""
from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # so plain `pytest` works without the editable install too

DATA = REPO / "data"
LETTERS = DATA / "letters"
ANNOTATIONS = DATA / "annotations"
ONTOLOGY = REPO / "ontology"
BASE = "http://127.0.0.1:5000/"

# The namespaces of DESIGN.md, written out here rather than taken from lod.namespaces,
# so that a wrong namespace in the package cannot make the tests agree with it.
SPARQL_PREFIXES = """\
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dcmitype: <http://purl.org/dc/dcmitype/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


# --- outside files and tools --------------------------------------------------------


def strict() -> bool:
    return os.environ.get("LOD_STRICT") == "1"


def skip_or_fail(reason: str) -> None:
    """Skip the test, or fail it under LOD_STRICT=1."""
    if strict():
        pytest.fail(f"{reason} (LOD_STRICT=1 turns this skip into a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def rapper() -> str:
    """Raptor's command line parser, which reads every RDF syntax we write."""
    path = shutil.which("rapper")
    if path is None:
        skip_or_fail("rapper not found (Debian: apt-get install raptor2-utils)")
    return path


def require_path(path: Path, what: str = "") -> Path:
    """``path`` if it exists; otherwise skip (or fail under LOD_STRICT=1)."""
    path = Path(path)
    if not path.exists():
        skip_or_fail(f"{what or 'needed file'} not found: {path}")
    return path


def shared_dir() -> Path:
    """The shared folder: env LOD_SHARED, else <repo root>/../shared (it may not exist)."""
    return Path(os.environ.get("LOD_SHARED") or REPO.parent / "shared")


@pytest.fixture(scope="session")
def require():
    """``require(path, what)``: the path, or a skip (a failure under LOD_STRICT=1)."""
    return require_path


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared folder (answer keys, authorities, vocabularies); skip-or-fail if absent."""
    return require_path(shared_dir(), "shared folder (set LOD_SHARED)")


# --- the real build -----------------------------------------------------------------


@pytest.fixture(scope="session")
def base() -> str:
    return BASE


@pytest.fixture(scope="session")
def dumps_dir(tmp_path_factory) -> Path:
    """Where the session's build wrote its dumps."""
    return tmp_path_factory.mktemp("build") / "dumps"


@pytest.fixture(scope="session")
def built(dumps_dir: Path, base: str):
    """One real build of data/letters + data/annotations, checks included, dumps written."""
    from lod.build import build

    return build(LETTERS, ANNOTATIONS, ONTOLOGY, base, dumps_dir)


@pytest.fixture(scope="session")
def quads_per_graph(built) -> dict[str, int]:
    """The dump's quads counted per named graph, as a store loaded with it should count them."""
    counts: dict[str, int] = {}
    for quad in built.quads:
        counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
    return counts


@pytest.fixture(scope="session")
def store(built, dumps_dir: Path):
    """A pyoxigraph store loaded from the N-Quads dump (what a user would download)."""
    import pyoxigraph as ox

    st = ox.Store()
    st.load(path=str(dumps_dir / "letters.nq"), format=ox.RdfFormat.N_QUADS)
    return st


def _python(term):
    """IRIs and literals as plain strings (ask SPARQL for DATATYPE/LANG when they matter)."""
    return None if term is None else term.value


@pytest.fixture(scope="session")
def sparql(store):
    """``sparql(query, on=None)``: rows as dicts of strings for SELECT, a bool for ASK.

    Asks the session's store, or the store or list of pyoxigraph quads given as ``on``
    (e.g. ``Build.quads`` of another build). The common prefixes are prepended; the
    default graph is the union of all graphs.
    """
    import pyoxigraph as ox

    def run(query: str, on=None):
        target = store if on is None else on
        if not isinstance(target, ox.Store):
            target = ox.Store()
            target.extend(on)
        result = target.query(SPARQL_PREFIXES + query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        names = [v.value for v in result.variables]
        return [{n: _python(row[n]) for n in names} for row in result]

    return run


# --- scratch copies of the inputs ---------------------------------------------------


@dataclass
class Workspace:
    """Copies of data/letters and data/annotations to alter, and an out dir not yet made."""

    letters: Path
    annotations: Path
    ontology: Path
    out: Path

    def edit(self, path: Path, old: str, new: str) -> None:
        """Replace the one occurrence of ``old`` in a copied file (fails if it is not there once)."""
        text = path.read_bytes().decode("utf-8")  # bytes: no newline translation
        assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
        path.write_bytes(text.replace(old, new).encode("utf-8"))


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    letters, annotations = tmp_path / "letters", tmp_path / "annotations"
    shutil.copytree(LETTERS, letters)
    shutil.copytree(ANNOTATIONS, annotations)
    return Workspace(letters, annotations, ONTOLOGY, tmp_path / "out")
