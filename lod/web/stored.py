"""Answers rendered when a store directory is loaded, so that a first visit costs what a repeat costs.

A store directory does not change once loaded, so every document about a main thing can be rendered
then, once, rather than on each web process's first visit: ``lod load-store`` ends by rendering the
HTML, Turtle and JSON-LD documents of every main thing (what the sitemap lists) and of the dataset
description (``/void``) through the app itself and writes them to ``answers.sqlite`` beside the store. The server answers a request for one of them from
that file in front of Flask (``cache.KeptAnswers``), with the very headers and bytes the app would send,
and renders everything else (other formats, nodes below things, later pages) as before.

At a million triples a first render reads a few hundred triples from RocksDB, about 10 microseconds
each, and a letter's page makes a dozen queries: 7 ms for its Turtle and 20 ms for its HTML, against a
tenth of a millisecond for an answer read here. Rendering them all costs minutes once, at load time.

Bodies are stored gzipped (as a client that accepts gzip gets them; inflated for one that does not).
The file says which base, page size and code rendered it; a server with another of any of them, or
started with ``--no-stored-answers``, renders live instead, and says why in its log.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import multiprocessing
import os
import sqlite3
import threading
import zlib
from collections.abc import Callable
from pathlib import Path

from .. import __version__
from ..store import NodesBelow
from ..storedir import ANSWERS, SUBJECTS, contents, open_store
from .cache import Kept, key_for
from .encoding import GZIP, LEVEL
from .readmodel import listed_main_things

log = logging.getLogger("lod.web")

FILE = ANSWERS
# What browsers, crawlers and Linked Data clients ask a document for: HTML, Turtle, JSON-LD.
OFFERED = ("text/html", "text/turtle", "application/ld+json")
_CHUNK = 64  # paths a rendering process takes at a time
_PACKAGE = Path(__file__).resolve().parent.parent


def code() -> str:
    """What renders an answer: the package's code, templates and static files, by checksum."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in _PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".html", ".css", ".js")):
        digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _signature(folder: Path, base: str, page_size: int) -> dict[str, str]:
    return {"base": base, "page_size": str(page_size), "code": code(), "data": contents(folder)}


def main_things(below_lines: bytes, base: str) -> list[str]:
    """The main things among a store's subjects (``NodesBelow``'s lines), as paths below ``id/``: those the
    sitemap lists (``readmodel.listed_main_things``)."""
    return [uri[len(base + "id/"):] for uri in listed_main_things(NodesBelow(below_lines), base)]


# --- rendering, at load time -------------------------------------------------------------------------


def _start_renderer(folder: str, base: str, page_size: int) -> None:
    """In each rendering process: its own app over the store directory, opened read-only."""
    from ..config import Settings
    from . import create_app  # here: the app imports this module

    global _renderer  # one per process, as a pool's initializer must leave it
    settings = Settings(base=base, out=None, page_size=page_size, cache_bytes=0, stored_answers=False)
    _renderer = create_app(settings, open_store(Path(folder))).test_client()


_renderer = None


def _render_chunk(paths: list[str]) -> list[tuple[str, str, str, bytes]]:
    """Rows of the answers at ``paths``: (key, status, headers as JSON, body gzipped)."""
    rows = []
    for path in paths:
        for accept in OFFERED:
            response = _renderer.get(path, headers={"Accept": accept})
            if response.status_code != 200:
                continue
            headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
            rows.append(("\t".join(key_for(path, "", accept)), response.status, json.dumps(headers),
                         gzip.compress(response.get_data(), LEVEL, mtime=0)))
    return rows


def render(folder: Path, base: str, page_size: int, *, processes: int | None = None,
           progress: Callable[[int, int], None] | None = None) -> int:
    """Render the answers of every main thing of the loaded store directory ``folder`` into ``FILE``; the
    number of answers. Written beside it and renamed when complete, so a file there is always whole."""
    with open(folder / SUBJECTS, "rb") as file:
        things = main_things(file.read(), base)
    partial = folder / (FILE + ".partial")
    partial.unlink(missing_ok=True)
    db = sqlite3.connect(partial)
    db.execute("CREATE TABLE answers (key TEXT PRIMARY KEY, status TEXT NOT NULL, headers TEXT NOT NULL, body BLOB NOT NULL)")
    db.execute("CREATE TABLE signature (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.executemany("INSERT INTO signature VALUES (?, ?)", _signature(folder, base, page_size).items())
    # The dataset description too: its page lists every letter (half a second at a million triples).
    paths = ["/void", *("/doc/" + rest for rest in things)]
    chunks = [paths[i:i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    done = answers = 0
    pool = multiprocessing.get_context("fork").Pool(processes or os.cpu_count() or 1, _start_renderer,
                                                   (str(folder), base, page_size))
    with pool:
        for rows in pool.imap_unordered(_render_chunk, chunks):
            db.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)", rows)
            answers += len(rows)
            done += _CHUNK
            if progress:
                progress(min(done, len(paths)), len(paths))
    db.commit()
    db.close()
    partial.replace(folder / FILE)
    return answers


# --- serving -----------------------------------------------------------------------------------------


class StoredAnswers:
    """The answers of ``FILE``, read-only, one SQLite connection per thread."""

    def __init__(self, path: Path) -> None:
        self._uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        self._local = threading.local()

    @classmethod
    def open(cls, folder: Path | None, base: str, page_size: int, dated: bool = False) -> StoredAnswers | None:
        """The answers rendered in ``folder`` for this base, page size and code; None (and a log line
        saying why) if there are none or they were rendered for something else. ``dated``: the server
        offers dumps of a build, whose date every answer carries (Last-Modified), and these have none."""
        if folder is None or not (folder / FILE).is_file():
            return None
        if dated:
            log.warning("%s holds answers without the date of the dumps served beside them: rendered live",
                        folder / FILE)
            return None
        stored = cls(folder / FILE)
        try:
            signature = dict(stored._db().execute("SELECT name, value FROM signature").fetchall())
        except sqlite3.Error as exc:
            log.warning("%s cannot be read (%s): every answer is rendered live", folder / FILE, exc)
            return None
        wanted = _signature(folder, base, page_size)
        differs = [name for name in wanted if signature.get(name) != wanted[name]]
        if differs:
            log.warning("%s was rendered for another %s: every answer is rendered live; `lod load-store "
                        "--base ...` renders them again", folder / FILE, " and ".join(differs))
            return None
        return stored

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(self._uri, uri=True, check_same_thread=False)
        return db

    def get(self, path: str, query: str, variant: str, encoding: str) -> Kept | None:
        if query:
            return None
        try:
            row = self._db().execute("SELECT status, headers, body FROM answers WHERE key = ?",
                                     ("\t".join((path, query, variant)),)).fetchone()
        except sqlite3.Error as exc:  # a damaged file costs the speed, never the answer
            log.warning("a stored answer cannot be read (%s): rendered live", exc)
            return None
        if row is None:
            return None
        status, headers, body = row
        try:
            return _as_sent(status, [tuple(h) for h in json.loads(headers)], body, encoding)
        except (ValueError, TypeError, zlib.error) as exc:
            log.warning("a stored answer of %s is damaged (%s): rendered live", path, exc)
            return None


def _as_sent(status: str, headers: list[tuple[str, str]], gzipped: bytes, encoding: str) -> Kept:
    """The answer as the app sends it in ``encoding``: gzipped (ETag marked so) where it varies by encoding."""
    varies = any(k.lower() == "vary" and "accept-encoding" in v.lower() for k, v in headers)
    if encoding == GZIP and varies:
        headers = [(k, f'{v[:-1]}-{GZIP}"' if k.lower() == "etag" and v.endswith('"') else v) for k, v in headers]
        body = gzipped
        headers.append(("Content-Encoding", GZIP))
    else:
        body = zlib.decompress(gzipped, 16 + zlib.MAX_WBITS)
    headers.append(("Content-Length", str(len(body))))
    return Kept(status, tuple(headers), body)
