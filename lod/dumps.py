"""The canonical form of a build, and its dumps.

Quads go through pyoxigraph once, so that literals take the form the store will serve, and
then through ``lod.datatypes``, which gives back the datatypes the store normalises but the model
fixes (``oa:start`` and ``oa:end`` are ``xsd:nonNegativeInteger``): dumps and served documents
then agree. Sorting the quads before each serialisation makes two builds of the same input
byte-identical.
"""
from __future__ import annotations

import ctypes
import errno
import gzip
import hashlib
import json
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from . import jsonld
from .datatypes import all_as_modelled
from .formats import DUMP_FORMATS, JSONLD, RdfFormat
from .namespaces import PREFIXES

DUMP_NAME = "letters"
MANIFEST = "build.json"  # what the dumps were built from, to tell when they are stale


def canonical_quads(graphs: list[tuple[URIRef, Graph]]) -> list[ox.Quad]:
    """All named graphs as sorted pyoxigraph quads, literals in the store's canonical form but for the
    datatypes the model fixes (``lod.datatypes``)."""
    store = ox.Store()
    for name, graph in graphs:
        data = graph.serialize(format="nt", encoding="utf-8")
        store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(name)))
    return sorted(all_as_modelled(store), key=_sort_key)


def _term_key(term: object) -> str:
    # IRIs by their value, so that <x> comes before its nodes <x/time>, <x/name>.
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _sort_key(quad: ox.Quad) -> tuple[str, str, str, str]:
    return (_term_key(quad.graph_name), _term_key(quad.subject), _term_key(quad.predicate), _term_key(quad.object))


def union_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The default-graph view: every distinct triple of every graph, sorted."""
    triples = {q.triple for q in quads}
    return sorted(triples, key=lambda t: (_term_key(t.subject), _term_key(t.predicate), _term_key(t.object)))


def serialize(quads: list[ox.Quad], fmt: RdfFormat) -> bytes:
    if fmt == JSONLD:  # compacted with our context, one @graph per letter
        return jsonld.dump(quads)
    data = quads if fmt.quads else union_triples(quads)
    return ox.serialize(data, format=fmt.oxigraph, prefixes=PREFIXES)


def write_dumps(quads: list[ox.Quad], out: Path, manifest: dict | None = None,
                extra: dict[str, bytes] | None = None) -> list[Path]:
    """Write every dump format, a gzip copy of each and SHA256SUMS into ``out``, all or nothing.

    ``extra``: other files made from the same build, by name (the CMIF file, the published shapes),
    written, compressed and summed as the dumps are.
    The files are written into a fresh folder beside ``out`` that replaces it only when
    complete (``_replace``), so a failed build never leaves half a dump behind.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    # A name of its own, not a temporary one: a build killed at any step leaves only names that
    # ``recover`` knows.
    staging = _new(out)
    staging.mkdir()
    staging.chmod(0o755)  # whatever the umask: dumps are for everyone
    try:
        names = []
        for name, data in _files(quads, extra or {}):
            (staging / name).write_bytes(data)
            # mtime=0 and no file name in the header keep the .gz byte-identical between builds.
            with open(staging / f"{name}.gz", "wb") as raw:
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
                    gz.write(data)
            names += [name, f"{name}.gz"]
        sums = "".join(f"{hashlib.sha256((staging / n).read_bytes()).hexdigest()}  {n}\n" for n in sorted(names))
        (staging / "SHA256SUMS").write_text(sums, encoding="utf-8")
        if manifest is not None:
            (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        _replace(out, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / n for n in sorted(names)] + [out / "SHA256SUMS"]


def _files(quads: list[ox.Quad], extra: dict[str, bytes]):
    """(name, bytes) of each file of the dumps, one serialisation at a time."""
    for fmt in DUMP_FORMATS:
        yield f"{DUMP_NAME}.{fmt.extension}", serialize(quads, fmt)
    yield from sorted(extra.items())


def _old(out: Path) -> Path:
    return out.with_name(f".{out.name}-old")


def _new(out: Path) -> Path:
    return out.with_name(f".{out.name}-new")


def _replace(out: Path, staging: Path) -> None:
    """``staging`` in the place of ``out``, with no moment at which ``out`` is missing.

    Where the system can (Linux), the two folders swap names in one step, and ``staging`` then holds the
    old dumps. Elsewhere ``out`` is renamed aside first: a build killed between the two renames leaves
    the old dumps beside it, and ``recover`` puts them back."""
    if not out.exists():
        staging.rename(out)
        return
    old = _old(out)
    if _exchange(staging, out):
        staging.rename(old)
    else:
        out.rename(old)
        staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def recover(out: Path) -> None:
    """Undo what a killed build left beside ``out``: its unfinished folder, the old dumps aside, ``out`` missing."""
    # Whether it holds a build killed half-way or the old dumps swapped out of ``out``, ``out`` is whole
    # without it (or is put back whole below).
    shutil.rmtree(_new(out), ignore_errors=True)
    old = _old(out)
    if not old.is_dir():
        return
    if out.exists():
        shutil.rmtree(old, ignore_errors=True)  # killed after the new dumps were in place
    else:
        old.rename(out)  # killed between the two renames: the old dumps are still whole


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap the names of ``a`` and ``b`` atomically (Linux renameat2); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library older than glibc 2.28
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # a file system or kernel without it
        return False
    raise OSError(code, os.strerror(code), str(b))
