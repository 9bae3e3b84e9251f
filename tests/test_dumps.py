"""The dump files a user downloads: complete, checksummed, reproducible, and faithful to the build."""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef

REPO = Path(__file__).resolve().parents[1]
LETTERS = REPO / "data" / "letters"
ANNOTATIONS = REPO / "data" / "annotations"
ONTOLOGY = REPO / "ontology"

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# The formats docs/design.md promises, by file extension: (rdflib parser name, holds named graphs, oxigraph format)
FORMATS = {
    "ttl": ("turtle", False, ox.RdfFormat.TURTLE),
    "nt": ("nt", False, ox.RdfFormat.N_TRIPLES),
    "nq": ("nquads", True, ox.RdfFormat.N_QUADS),
    "trig": ("trig", True, ox.RdfFormat.TRIG),
    "jsonld": ("json-ld", True, ox.RdfFormat.JSON_LD),
    "rdf": ("xml", False, ox.RdfFormat.RDF_XML),
}


def dump(folder: Path, ext: str) -> Path:
    return folder / f"letters.{ext}"


# --- terms compared by kind, lexical form, datatype and language ----------------------------


def key_ox(term) -> tuple:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.datatype.value, term.language or "")
    if isinstance(term, ox.DefaultGraph):
        return ("default",)
    return ("blank", term.value)


def key_rdflib(term) -> tuple:
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else (RDF_LANGSTRING if term.language else XSD_STRING)
        return ("literal", str(term), datatype, term.language or "")
    return ("blank", str(term))


@pytest.fixture(scope="module")
def canonical(built) -> dict[tuple, set[tuple]]:
    """The build's canonical quads, graph by graph."""
    graphs: dict[tuple, set[tuple]] = {}
    for q in built.quads:
        graphs.setdefault(key_ox(q.graph_name), set()).add((key_ox(q.subject), key_ox(q.predicate), key_ox(q.object)))
    return graphs


@pytest.fixture(scope="module")
def canonical_union(canonical) -> set[tuple]:
    return set().union(*canonical.values())


# --- files and checksums ---------------------------------------------------------------------


def test_every_format_is_there_with_gzip_and_checksum(built, dumps_dir):
    sums = {}
    for line in (dumps_dir / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.lstrip("*")] = digest
    for ext in FORMATS:
        plain, gz = dump(dumps_dir, ext), dump(dumps_dir, f"{ext}.gz")
        assert plain.is_file() and plain.stat().st_size > 0, plain.name
        assert gz.is_file(), gz.name
        assert gzip.decompress(gz.read_bytes()) == plain.read_bytes(), f"{gz.name} is not {plain.name} compressed"
        assert plain.name in sums and gz.name in sums, f"{plain.name} or {gz.name} missing from SHA256SUMS"
    for name, digest in sums.items():
        assert (dumps_dir / name).is_file(), f"SHA256SUMS lists {name}, which is not there"
        assert hashlib.sha256((dumps_dir / name).read_bytes()).hexdigest() == digest, f"checksum of {name} is wrong"


def test_two_builds_are_byte_identical(built, dumps_dir, base, tmp_path):
    """A second build, in another process with another hash seed (set order), writes the same bytes."""
    again = tmp_path / "again"
    seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    run = subprocess.run([sys.executable, "-m", "lod.cli", "build", "--letters", str(LETTERS), "--annotations",
                          str(ANNOTATIONS), "--out", str(again), "--base", base], cwd=REPO, capture_output=True,
                         text=True, env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120)
    assert run.returncode == 0, run.stderr
    first = sorted(p.name for p in dumps_dir.iterdir())
    assert sorted(p.name for p in again.iterdir()) == first
    different = [n for n in first if (dumps_dir / n).read_bytes() != (again / n).read_bytes()]
    assert different == []


# --- build.json --------------------------------------------------------------------------------


def test_build_json_records_the_statistics_of_void_and_the_build_stays_current(built, dumps_dir, base, served_store):
    """What /void counts is in build.json, as a store loaded with the dump counts it, and the server of the
    dumps reads it from there; made by the build, it never makes the dumps look stale (``is_current``)."""
    from lod.build import is_current
    from lod.statistics import Statistics, count

    manifest = json.loads((dumps_dir / "build.json").read_text(encoding="utf-8"))
    counted = count(served_store)
    assert Statistics.from_json(manifest["statistics"]) == counted
    assert served_store.statistics == counted
    assert is_current(dumps_dir, LETTERS, ANNOTATIONS, ONTOLOGY, base)


@pytest.mark.parametrize("statistics, logged", [
    (None, "records no statistics"),  # dumps built before build.json held them
    ({"classes": "all"}, "are damaged (not an object with exactly the keys"),
    ("no build.json", "records no statistics"),
])
def test_dumps_without_statistics_that_can_be_read_are_served_all_the_same(dumps_dir, tmp_path, caplog, statistics,
                                                                          logged):
    from lod.store import EmbeddedStore

    folder = tmp_path / "dumps"
    folder.mkdir()
    (folder / "letters.nq").write_bytes((dumps_dir / "letters.nq").read_bytes())
    if statistics != "no build.json":
        manifest = json.loads((dumps_dir / "build.json").read_text(encoding="utf-8"))
        manifest.pop("statistics")
        if statistics is not None:
            manifest["statistics"] = statistics
        (folder / "build.json").write_text(json.dumps(manifest), encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="lod.store"):
        store = EmbeddedStore.from_dumps(folder)
    assert store.statistics is None, "/void counts them on first use"
    assert f"{folder / 'build.json'}" in caplog.text and logged in caplog.text and "lod build" in caplog.text


# --- parsing back ----------------------------------------------------------------------------


@pytest.mark.parametrize("ext", FORMATS)
def test_dump_parses_back_with_rdflib_to_the_build(dumps_dir, canonical, canonical_union, ext):
    parser, quads, _ = FORMATS[ext]
    data = dump(dumps_dir, ext).read_bytes()  # bytes: the parser must not guess the encoding
    if quads:
        ds = Dataset()
        ds.parse(data=data, format=parser)
        got: dict[tuple, set[tuple]] = {}
        for s, p, o, g in ds.quads((None, None, None, None)):
            got.setdefault(key_rdflib(g), set()).add((key_rdflib(s), key_rdflib(p), key_rdflib(o)))
        assert set(got) == set(canonical), "named graphs differ"
        for name in canonical:
            assert got[name] == canonical[name], f"graph {name}: {len(got[name] ^ canonical[name])} triples differ"
    else:
        graph = Graph().parse(data=data, format=parser)
        got_union = {(key_rdflib(s), key_rdflib(p), key_rdflib(o)) for s, p, o in graph}
        assert got_union == canonical_union, f"{len(got_union ^ canonical_union)} triples differ"


@pytest.mark.parametrize("ext", FORMATS)
def test_dump_parses_back_with_pyoxigraph_to_the_build(dumps_dir, canonical, canonical_union, ext):
    _, quads, fmt = FORMATS[ext]
    parsed = list(ox.parse(dump(dumps_dir, ext).read_bytes(), format=fmt))
    if quads:
        got: dict[tuple, set[tuple]] = {}
        for q in parsed:
            got.setdefault(key_ox(q.graph_name), set()).add((key_ox(q.subject), key_ox(q.predicate), key_ox(q.object)))
        assert got == canonical
    else:
        assert {(key_ox(t.subject), key_ox(t.predicate), key_ox(t.object)) for t in parsed} == canonical_union


POSITIONS = ("http://www.w3.org/ns/oa#start", "http://www.w3.org/ns/oa#end")


@pytest.mark.parametrize("ext", FORMATS)
def test_positions_are_non_negative_integers_in_every_dump(dumps_dir, ext):
    """oa:start/oa:end have Web Annotation's range, xsd:nonNegativeInteger, in every dump alike, though
    they went through the store, which keeps them as xsd:integer (DESIGN: pitfalls)."""
    _, _, fmt = FORMATS[ext]
    positions = [x.object for x in ox.parse(dump(dumps_dir, ext).read_bytes(), format=fmt)
                 if x.predicate.value in POSITIONS]
    assert len(positions) > 100
    assert {o.datatype.value for o in positions} == {"http://www.w3.org/2001/XMLSchema#nonNegativeInteger"}


@pytest.mark.parametrize("ext", FORMATS)
def test_no_blank_nodes_in_dump(dumps_dir, ext):
    _, _, fmt = FORMATS[ext]
    parsed = list(ox.parse(dump(dumps_dir, ext).read_bytes(), format=fmt))
    assert parsed
    blank = [x for x in parsed if any(isinstance(t, ox.BlankNode) for t in (x.subject, x.object, getattr(x, "graph_name", None)))]
    assert blank == [], blank[:3]
    rdflib_graph = Dataset().parse(data=dump(dumps_dir, ext).read_bytes(), format=FORMATS[ext][0])
    assert not [q for q in rdflib_graph.quads((None, None, None, None)) if any(isinstance(t, BNode) for t in q[:3])]


def test_turtle_uses_prefixes_and_utf8(dumps_dir):
    data = dump(dumps_dir, "ttl").read_bytes()
    text = data.decode("utf-8")  # strict: fails on anything that is not UTF-8
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix"))
    for prefix, namespace in [("crm", "http://www.cidoc-crm.org/cidoc-crm/"), ("foaf", "http://xmlns.com/foaf/0.1/"),
                              ("dcterms", "http://purl.org/dc/terms/"), ("oa", "http://www.w3.org/ns/oa#"),
                              ("schema", "http://schema.org/"), ("rdfs", "http://www.w3.org/2000/01/rdf-schema#")]:
        assert f"@prefix {prefix}: <{namespace}> ." in text, prefix
        assert f"{prefix}:" in body, f"{prefix}: is declared but not used"
    assert "crm:E21_Person" in text
    assert "Kasparova’s" in text  # the curly apostrophe as a character, not mangled or escaped


# --- a build killed while it replaces the dumps ------------------------------------------------------


def _quads(text: str) -> list:
    import pyoxigraph as ox

    return [ox.Quad(ox.NamedNode("http://x.test/id/person/a"), ox.NamedNode("http://x.test/p"), ox.Literal(text),
                    ox.NamedNode("http://x.test/g"))]


def _killed_while_replacing(out: Path, step: str, can_exchange: bool) -> int:
    """Write dumps of "new" over ``out`` in a child process that dies (as by SIGKILL: no cleanup runs) right
    after ``step`` of the swap: "exchange" or the first "rename". Returns the child's exit status."""
    import multiprocessing

    def child() -> None:
        from lod import dumps

        real_exchange, real_rename = dumps._exchange, Path.rename

        def exchange(a, b):
            if not can_exchange:  # as on a system without renameat2
                return False
            done = real_exchange(a, b)
            if step == "exchange":
                os._exit(9)
            return done

        def rename(self, target):
            moved = real_rename(self, target)
            if step == "rename":
                os._exit(9)
            return moved

        dumps._exchange = exchange
        Path.rename = rename
        dumps.write_dumps(_quads("new"), out)
        os._exit(0)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(60)
    return process.exitcode


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two renames"])
def test_a_build_killed_while_replacing_the_dumps_never_leaves_none(tmp_path, exchange):
    from lod.dumps import recover, write_dumps

    out = tmp_path / "dumps"
    write_dumps(_quads("old"), out)
    status = _killed_while_replacing(out, "exchange" if exchange else "rename", exchange)
    assert status == 9, "the child died between the steps"
    if exchange:
        assert '"new"' in (out / "letters.nt").read_text(), "swapped in one step: the new dumps are in place"
    recover(out)  # what the next build or server start does
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dumps"], "nothing left beside the dumps"
    text = (out / "letters.nt").read_text()
    assert '"new"' in text if exchange else '"old"' in text
    sums = dict(reversed(line.split()) for line in (out / "SHA256SUMS").read_text().splitlines())
    assert all(hashlib.sha256((out / name).read_bytes()).hexdigest() == digest for name, digest in sums.items())
    write_dumps(_quads("newer"), out)  # and the next build replaces them as usual
    assert '"newer"' in (out / "letters.nt").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dumps"]


def test_the_server_recovers_the_dumps_a_killed_build_left_aside(tmp_path, built, dumps_dir, base):
    """Killed between the two renames: the next start finds the dumps aside, puts them back and serves them."""
    import shutil

    import requests

    from support import running_server

    aside = tmp_path / ".dumps-old"
    shutil.copytree(dumps_dir, aside)
    with running_server(tmp_path / "dumps", "--base", base) as url:
        assert requests.get(url + "dumps/letters.nq", timeout=30).ok
    assert (tmp_path / "dumps" / "SHA256SUMS").read_bytes() == (dumps_dir / "SHA256SUMS").read_bytes()
    assert not aside.exists()
