"""A store directory: the dataset in pyoxigraph on disk, loaded once, opened in milliseconds.

``lod load-store --store DIR FILE...`` fills it; ``serve.py --store DIR`` serves it. The directory holds

- ``oxigraph/``: the RocksDB store. Each file's quads go into their named graphs (a file of triples
  into a graph named by its file URI, as ``serve.py --data`` does) and, copied, into the default graph,
  which is so the union of all graphs (see ``lod.store.materialise_union``) without any work at start.
- ``loaded.json``: what has been loaded, by file checksum, and how far: loading goes in batches, each
  recorded once it is in the store, so that an interrupted load resumes at the batch it was in.
  Adding a quad twice changes nothing, so a batch written but not yet recorded does no harm.
- ``subjects``: the sorted subject IRIs that ``lod.store.NodesBelow`` maps at start.
- ``answers.sqlite``: the documents of its main things, rendered once loaded (``lod.web.stored``);
  removed as soon as more data goes in.

Once the store is complete its statistics (what `/void` counts, ``lod.statistics``) are counted and kept in
``loaded.json`` (key ``statistics``), so that no web process counts them again. A directory loaded before
they were kept has none: it is served all the same, and `/void` counts them on first use.

The web server opens the store read-only: nothing it does can change the data, and a second process
may read the same directory.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import pyoxigraph as ox

from . import statistics
from .statistics import STATISTICS
from .store import EmbeddedStore, NodesBelow, rdf_format, recorded_statistics

MANIFEST = "loaded.json"
SUBJECTS = "subjects"
OXIGRAPH = "oxigraph"
ANSWERS = "answers.sqlite"  # the documents rendered once loaded (lod.web.stored)
BATCH = 50_000  # quads per recorded step


class StoreDirError(Exception):
    """The store directory cannot be loaded or served; the message says why and what to run."""


@dataclass
class Loaded:
    files: list[tuple[Path, int, str]] = field(default_factory=list)  # (file, quads, "loaded" / "resumed" / "done before")
    quads: int = 0  # in the named graphs of the store, all files together
    seconds: float = 0.0
    counting: float = 0.0  # of the seconds, those spent counting the statistics


def _read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"files": {}, "complete": False}
    except ValueError as exc:
        raise StoreDirError(f"{folder / MANIFEST} is damaged ({exc}); load into a new directory") from None


def _write_manifest(folder: Path, manifest: dict) -> None:
    partial = folder / (MANIFEST + ".partial")
    with open(partial, "w", encoding="utf-8") as file:
        json.dump(manifest, file, indent=1, sort_keys=True)
        file.write("\n")
        file.flush()
        os.fsync(file.fileno())
    partial.replace(folder / MANIFEST)


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class _Counting:
    """A binary file that reports how many bytes the parser has read, for the progress bar."""

    def __init__(self, file, progress: Callable[[int], None]) -> None:
        self._file, self._progress = file, progress

    def read(self, size: int = -1) -> bytes:
        data = self._file.read(size)
        self._progress(len(data))
        return data


def _follow(path: Path, progress: Callable[[Path, int, int], None] | None) -> Callable[[int], None]:
    """What ``_Counting`` calls with each read: the bytes read so far of ``path``, to ``progress``."""
    size, read = path.stat().st_size, 0

    def advance(n: int) -> None:
        nonlocal read
        read += n
        if progress:
            progress(path, read, size)

    return advance


def _quads(path: Path, file, key: str) -> Iterator[ox.Quad]:
    """The file's quads; blank nodes get names of this file (by order of appearance), the same on every
    run, so that a resumed load does not add a second copy of a batch that has blank nodes."""
    fmt = rdf_format(path)
    graph = None if fmt.supports_datasets else ox.NamedNode(path.resolve().as_uri())
    names: dict[str, ox.BlankNode] = {}

    def rename(term):
        if isinstance(term, ox.BlankNode):
            if term.value not in names:
                names[term.value] = ox.BlankNode(f"f{key[:16]}n{len(names)}")
            return names[term.value]
        return term

    for quad in ox.parse(file, format=fmt, base_iri=path.resolve().as_uri()):
        if graph is not None or isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode) \
                or isinstance(quad.graph_name, ox.BlankNode):
            quad = ox.Quad(rename(quad.subject), quad.predicate, rename(quad.object),
                           graph if graph is not None else rename(quad.graph_name))
        yield quad


def load(folder: Path, paths: list[Path], *, progress: Callable[[Path, int, int], None] | None = None,
         stop_after: int | None = None) -> Loaded:
    """Load ``paths`` into the store directory ``folder``, skipping what an earlier run loaded.

    ``progress(path, bytes_read, bytes_in_file)`` follows the parser through each file. ``stop_after``
    stops after that many batches (tests use it to interrupt a load). Raises StoreDirError naming the
    file that cannot be read.
    """
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        rdf_format_or_error(path)
    manifest = _read_manifest(folder)
    manifest["complete"] = False
    manifest.pop(STATISTICS, None)  # those of what was loaded before: counted again once the store is complete
    _write_manifest(folder, manifest)
    result = Loaded()
    store = ox.Store(str(folder / OXIGRAPH))
    batches = 0
    try:
        for path in paths:
            key = _checksum(path)
            entry = manifest["files"].setdefault(key, {"file": str(path), "quads": 0, "done": False})
            if entry["done"]:
                result.files.append((path, entry["quads"], "done before"))
                continue
            resumed = entry["quads"]
            (folder / ANSWERS).unlink(missing_ok=True)  # rendered from the data as it was: no longer true
            with open(path, "rb") as raw:
                quads = _quads(path, _Counting(raw, _follow(path, progress)), key)
                try:
                    for _ in islice(quads, resumed):  # what an earlier run recorded
                        pass
                    while batch := list(islice(quads, BATCH)):
                        store.bulk_extend(batch)
                        store.bulk_extend([ox.Quad(q.subject, q.predicate, q.object) for q in batch])
                        entry["quads"] += len(batch)
                        _write_manifest(folder, manifest)
                        batches += 1
                        if stop_after is not None and batches >= stop_after:
                            return result
                except SyntaxError as exc:
                    raise StoreDirError(f"{path}: not valid {rdf_format(path).name}: {exc}") from None
            entry["done"] = True
            _write_manifest(folder, manifest)
            result.files.append((path, entry["quads"], "resumed" if resumed else "loaded"))
        # The store is complete: count it and list its subjects once, for every start to come.
        store.flush()
        rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        manifest["quads"] = int(next(iter(rows))["n"].value)  # distinct quads: files may share some
        NodesBelow.of(store).write(folder / SUBJECTS)
        counting = time.perf_counter()
        manifest[STATISTICS] = statistics.count(store).to_json()
        result.counting = time.perf_counter() - counting
        manifest["complete"] = True
        _write_manifest(folder, manifest)
    finally:
        del store
    result.quads = manifest["quads"]
    result.seconds = time.perf_counter() - started
    return result


def contents(folder: Path) -> str:
    """What the store directory holds, by the checksums of the files loaded into it: equal means equal data."""
    manifest = _read_manifest(folder)
    return hashlib.sha256(json.dumps([sorted(manifest["files"]), manifest.get("quads")]).encode()).hexdigest()


def rdf_format_or_error(path: Path) -> ox.RdfFormat:
    if not path.is_file():
        raise StoreDirError(f"{path}: no such file")
    try:
        return rdf_format(path)
    except ValueError as exc:
        raise StoreDirError(str(exc)) from None


def open_store(folder: Path) -> EmbeddedStore:
    """The store directory, read-only, as the web layer reads it; StoreDirError if it is not fully loaded."""
    manifest = _read_manifest(folder)
    if not (folder / OXIGRAPH).is_dir() or not manifest["files"]:
        raise StoreDirError(f"{folder} holds no store: load one with `lod load-store --store {folder} FILE...`")
    if not manifest.get("complete"):
        raise StoreDirError(f"loading into {folder} did not finish: run `lod load-store --store {folder} FILE...` "
                            "again, it resumes where it stopped")
    try:
        store = ox.Store.read_only(str(folder / OXIGRAPH))
    except OSError as exc:
        raise StoreDirError(f"{folder}: the store cannot be opened: {exc}") from None
    recorded = recorded_statistics(manifest, folder / MANIFEST, f"`lod load-store --store {folder} FILE...` again")
    embedded = EmbeddedStore(store, union=True, below=NodesBelow.open(folder / SUBJECTS), quads=manifest["quads"],
                             statistics=recorded)
    embedded.folder = folder
    return embedded
