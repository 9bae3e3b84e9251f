"""Every dump read by parsers we did not write: rdflib, pyoxigraph, Raptor's ``rapper``, N3.js and pyld.

Each parser reads each dump format it supports, and all agree with the build: a triple format holds
the union of the graphs (every distinct triple once), a quad format holds every quad of the build.
Statements a parser emits are counted before any de-duplication where the parser lets us, so a
triple written twice would show. The JSON-LD dump also goes through a JSON-LD 1.1 processor (pyld),
whose quads must be the build's.

Outside tools: ``rapper`` (Debian raptor2-utils), ``node`` with the npm package ``n3`` (``npm ci``),
and the PyPI package ``pyld``; missing, their tests skip, or fail under LOD_STRICT=1.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from lod.formats import DUMP_FORMATS, RdfFormat
from support import REPO, skip_or_fail

# Each tool's name for our dump formats, by file extension. rdflib and pyoxigraph read them all;
# Raptor 2 has no JSON-LD parser, N3.js reads the Turtle family only.
RDFLIB = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld", "rdf": "xml"}
RAPPER = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "trig": "trig", "rdf": "rdfxml"}
N3JS = {"ttl": "Turtle", "nt": "N-Triples", "nq": "N-Quads", "trig": "TriG"}


def ids(formats) -> list[str]:
    return [f.extension for f in formats]


def by_extension(table: dict) -> list[RdfFormat]:
    return [f for f in DUMP_FORMATS if f.extension in table]


@pytest.fixture(scope="module")
def dumps(built, dumps_dir: Path) -> Path:
    return dumps_dir


@pytest.fixture(scope="module")
def expected(built) -> dict[bool, int]:
    """Statements a dump must hold: {holds named graphs: count}."""
    return {True: len(set(built.quads)), False: len({quad.triple for quad in built.quads})}


def test_every_dump_format_is_checked_by_two_parsers_or_more():
    for fmt in DUMP_FORMATS:
        readers = [name for name, table in (("rdflib", RDFLIB), ("rapper", RAPPER), ("N3.js", N3JS)) if fmt.extension in table]
        readers += ["pyoxigraph"] + (["pyld"] if fmt.extension == "jsonld" else [])
        assert len(readers) >= 3, f"{fmt.label} is read by {readers} only"


def test_the_build_has_no_duplicates_and_no_blank_nodes(built):
    """What the counts below rely on: every quad once, and terms that compare without relabelling."""
    assert len(built.quads) == len(set(built.quads))
    for quad in built.quads:
        assert not any(isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object, quad.graph_name))


# --- rdflib --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", DUMP_FORMATS, ids=ids(DUMP_FORMATS))
def test_rdflib_reads_every_dump(dumps, expected, fmt):
    path = dumps / f"letters.{fmt.extension}"
    if fmt.quads:
        dataset = Dataset()
        dataset.parse(path, format=RDFLIB[fmt.extension])
        quads = list(dataset.quads((None, None, None, None)))
        names = {getattr(graph, "identifier", graph) for *_, graph in quads}  # a Graph or its name, by rdflib version
        assert DATASET_DEFAULT_GRAPH_ID not in names and None not in names  # every quad in a named graph
        assert len(quads) == expected[True]
    else:
        assert len(Graph().parse(path, format=RDFLIB[fmt.extension])) == expected[False]


# --- pyoxigraph ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", DUMP_FORMATS, ids=ids(DUMP_FORMATS))
def test_pyoxigraph_reads_every_dump(dumps, expected, built, fmt):
    statements = list(ox.parse(path=str(dumps / f"letters.{fmt.extension}"), format=fmt.oxigraph))
    assert len(statements) == expected[fmt.quads]  # as emitted: a repeated statement would make it larger
    if fmt.quads:
        assert set(statements) == set(built.quads)
    else:
        assert {q.triple for q in statements} == {q.triple for q in built.quads}


# --- Raptor --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", by_extension(RAPPER), ids=ids(by_extension(RAPPER)))
def test_rapper_reads_the_dump_without_a_warning(rapper, dumps, expected, fmt):
    done = subprocess.run([rapper, "-i", RAPPER[fmt.extension], "-c", str(dumps / f"letters.{fmt.extension}")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # rapper -c reports on stderr: "Parsing URI ..." and "Parsing returned N triples"; anything else is a complaint.
    lines = done.stderr.strip().splitlines()
    complaints = [line for line in lines if not re.match(r"rapper: Parsing (URI \S+ with parser \w+|returned \d+ triples)$", line)]
    assert not complaints, done.stderr
    found = re.search(r"Parsing returned (\d+) triples", done.stderr)
    assert found, done.stderr
    assert int(found.group(1)) == expected[fmt.quads]  # statements as parsed, quads for N-Quads and TriG


# --- N3.js ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        skip_or_fail("node not found (Debian: apt-get install nodejs)")
    if not (REPO / "node_modules" / "n3").is_dir():
        skip_or_fail("npm package n3 not installed (run: npm ci)")
    return path


@pytest.mark.parametrize("fmt", by_extension(N3JS), ids=ids(by_extension(N3JS)))
def test_n3js_reads_the_dump(node, dumps, expected, fmt):
    done = subprocess.run([node, str(REPO / "tests" / "n3_count.mjs"), str(dumps / f"letters.{fmt.extension}"),
                           N3JS[fmt.extension]], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    counted = json.loads(done.stdout)
    assert counted == {"statements": expected[fmt.quads], "distinct": expected[fmt.quads]}


def test_n3js_refuses_what_is_not_the_named_format(node, dumps):
    """The script parses strictly: Turtle read as N-Triples is an error, not a guess."""
    done = subprocess.run([node, str(REPO / "tests" / "n3_count.mjs"), str(dumps / "letters.ttl"), "N-Triples"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 1 and "letters.ttl" in done.stderr


# --- a JSON-LD 1.1 processor ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def pyld():
    try:
        from pyld import jsonld
    except ImportError:
        skip_or_fail("pyld not installed (PyPI: pip install pyld)")
    return jsonld


def _no_remote_contexts(url, options=None):
    raise AssertionError(f"the JSON-LD dump asks for a remote document: {url}")


def test_pyld_turns_the_jsonld_dump_into_the_build_quads(pyld, dumps, built):
    """pyld's own RDF conversion, compared as sets of quads.

    Normalisation: pyld's N-Quads are parsed by pyoxigraph, so that only the terms count, not how
    each serialiser escapes characters or orders lines. No relabelling of blank nodes is needed:
    the build has none (checked above).
    """
    document = json.loads((dumps / "letters.jsonld").read_bytes())
    nquads = pyld.to_rdf(document, {"format": "application/n-quads", "documentLoader": _no_remote_contexts})
    quads = list(ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == len(built.quads)
    assert set(quads) == set(built.quads)
