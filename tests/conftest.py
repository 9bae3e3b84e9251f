"""Shared fixtures: one real build per session, SPARQL over its dump, the app that serves it, real servers.

Helpers that are not fixtures (paths, ``skip_or_fail``, ``running_server``, ``Web``, ``lod``) are in
support.py. Tests that need something from outside the repository (the shared answer keys, the official
CRM RDFS, ...) ask for it through ``require``: missing, it skips the test, or fails it when the
environment sets ``LOD_STRICT=1`` (so that CI cannot pass by skipping).

How the letters are served to a test, cheapest first:
* ``app`` / ``web``: the Flask app over the session's build, in this process (``web`` is a requests
  session that reaches it at ``BASE`` without a socket);
* ``real_server``: one ``serve.py`` for the whole session on the session's build, on a free port (its
  address is not the base of the data), for real SPARQL clients and tools;
* ``real_site``: one ``serve.py`` for the whole session whose base is its own address (it builds its own
  dumps), for clients that follow the absolute links of the data (a browser, rapper, curl -L).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from support import (ANNOTATIONS, BASE, LETTERS, ONTOLOGY, REPO, SPARQL_PREFIXES, Web, Workspace, lod, make_app,
                     require_path, running_server, shared_dir, skip_or_fail)


# --- outside files and tools --------------------------------------------------------


@pytest.fixture(scope="session")
def rapper() -> str:
    """Raptor's command line parser, which reads every RDF syntax we write."""
    path = shutil.which("rapper")
    if path is None:
        skip_or_fail("rapper not found (Debian: apt-get install raptor2-utils)")
    return path


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


def _union_store(quads):
    """A store holding ``quads`` and, in its default graph, their union as a set of triples.

    pyoxigraph's ``use_default_graph_as_union`` repeats a triple once per graph that holds it: the
    register's persons, the publishers, places and volumes every letter names are in every letter's graph,
    so a pattern over three of them joins 28 x 28 x 28 copies. The union as a set (as serve.py
    materialises it) answers the same questions without them.
    """
    import pyoxigraph as ox

    quads = list(quads)
    target = ox.Store()
    target.extend(quads)
    target.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    return target


@pytest.fixture(scope="session")
def sparql(store):
    """``sparql(query, on=None)``: rows as dicts of strings for SELECT, a bool for ASK.

    Asks the session's store, or the store or list of pyoxigraph quads given as ``on``
    (e.g. ``Build.quads`` of another build). The common prefixes are prepended; the
    default graph is the union of all graphs (as a set, ``_union_store``); GRAPH reaches the named graphs.
    """
    import pyoxigraph as ox

    session = _union_store(store.quads_for_pattern(None, None, None, None))

    def run(query: str, on=None):
        if on is None:
            target = session
        elif isinstance(on, ox.Store):
            target = _union_store(on.quads_for_pattern(None, None, None, None))
        else:
            target = _union_store(on)
        result = target.query(SPARQL_PREFIXES + query)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        names = [v.value for v in result.variables]
        return [{n: _python(row[n]) for n in names} for row in result]

    return run


# --- the letters served ---------------------------------------------------------------


@pytest.fixture(scope="session")
def served_store(built, dumps_dir: Path):
    """The session's dumps loaded as serve.py loads them (``EmbeddedStore.from_dumps``: in memory, union materialised)."""
    from lod.store import EmbeddedStore

    return EmbeddedStore.from_dumps(dumps_dir)


@pytest.fixture(scope="session")
def app(served_store, dumps_dir: Path, base: str):
    """The app over the session's build, made as serve.py makes it."""
    from lod.config import Settings

    return make_app(Settings(base=base, out=dumps_dir), served_store)


@pytest.fixture(scope="session")
def web(app, base: str) -> Web:
    """A requests session: URLs under the session's base are answered by ``app`` in this process, others
    go over the network."""
    with Web() as session:
        session.serve(base, app)
        yield session


@pytest.fixture(scope="session")
def real_server(built, dumps_dir: Path, base: str) -> str:
    """The URL of one real server (serve.py) for the session, serving the session's dumps as they are.

    Its address is a free port, not the base of the data: fine for SPARQL and for paths, not for
    clients that follow the data's absolute links (use ``real_site``).
    """
    with running_server(dumps_dir, "--base", base) as url:
        yield url


@dataclass
class Site:
    url: str  # the server's address, which is also the base URI of its data
    dumps: Path  # the dumps it built and serves


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Site:
    """One real server (serve.py) for the session whose base is its own address: it builds its dumps first."""
    dumps = tmp_path_factory.mktemp("site") / "dumps"
    with running_server(dumps) as url:
        yield Site(url, dumps)


# --- a long synthetic corpus, written while other tests run ----------------------------

LONG_CORPUS_BASE = "http://corpus.test/"
LONG_CORPUS = ("synth", "--letters", "1000", "--seed", "1", "--base", LONG_CORPUS_BASE)
_ahead: dict[str, object] = {}  # the process writing the long corpus, and where


def pytest_collection_finish(session: pytest.Session) -> None:
    """When a selected test needs the long corpus, start writing it now, in a process of its own."""
    if session.config.option.collectonly:
        return
    if any("long_corpus" in getattr(item, "fixturenames", ()) for item in session.items):
        folder = Path(tempfile.mkdtemp(prefix="lod-long-corpus-"))
        path = folder / "corpus.nq"
        _ahead.update(folder=folder, path=path, process=subprocess.Popen(
            [sys.executable, "-c", "from lod.cli import main; main()", *LONG_CORPUS, "--out", str(path)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))


def pytest_sessionfinish(session: pytest.Session) -> None:
    if "process" in _ahead:
        if _ahead["process"].poll() is None:  # not needed after all (a failure stopped the session first)
            _ahead["process"].kill()
            _ahead["process"].communicate()
        shutil.rmtree(_ahead["folder"], ignore_errors=True)


@pytest.fixture(scope="session")
def long_corpus(tmp_path_factory) -> tuple[str, Path]:
    """(base, N-Quads file) of `lod synth --letters 1000 --seed 1`: longer than every capped list of the pages.

    Written by the process started when the tests were collected (it takes seconds, which pass while
    the tests before run), or here when that did not happen.
    """
    if "process" in _ahead:
        out, err = _ahead["process"].communicate(timeout=600)
        assert _ahead["process"].returncode == 0, out + err
        return LONG_CORPUS_BASE, _ahead["path"]
    path = tmp_path_factory.mktemp("corpus") / "corpus.nq"
    done = lod(*LONG_CORPUS, "--out", str(path))
    assert done.returncode == 0, done.stderr
    return LONG_CORPUS_BASE, path


# --- scratch copies of the inputs ---------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace.copy(tmp_path)
