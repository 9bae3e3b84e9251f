"""What the tests share besides fixtures: where things are, outside tools, servers, the app in this process, the CLI.

Imported as ``from support import ...`` (pytest puts tests/ on sys.path); conftest.py holds the fixtures.

* Paths, the SPARQL prefixes, ``skip_or_fail`` for what comes from outside the repository.
* ``running_server``: the real server, ``python serve.py``, on a free loopback port, for what only a real
  process shows (granian's headers and framing, several processes, killed workers, clients that follow
  absolute links).
* ``Web``: a ``requests`` session that answers some base URLs from a Flask app in this process (through
  Flask's test client, no socket) and every other URL over the network, so that a test reads the same
  whichever way it is served.
* ``lod``: the ``lod`` command run in this process with click's ``CliRunner``; the answer looks like a
  finished process (``returncode``, ``stdout``, ``stderr``).
"""
from __future__ import annotations

import contextlib
import gzip
import io
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # so plain `pytest` works without the editable install too

DATA = REPO / "data"
LETTERS = DATA / "letters"
ANNOTATIONS = DATA / "annotations"
ONTOLOGY = REPO / "ontology"
BASE = "http://127.0.0.1:5000/"  # the base of the session's build (conftest.py)

# The namespaces of docs/design.md, written out here rather than taken from lod.namespaces,
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


def require_path(path: Path, what: str = "") -> Path:
    """``path`` if it exists; otherwise skip (or fail under LOD_STRICT=1)."""
    path = Path(path)
    if not path.exists():
        skip_or_fail(f"{what or 'needed file'} not found: {path}")
    return path


def shared_dir() -> Path:
    """The shared folder: env LOD_SHARED, else <repo root>/../shared (it may not exist)."""
    return Path(os.environ.get("LOD_SHARED") or REPO.parent / "shared")


# --- scratch copies of the inputs ---------------------------------------------------


@dataclass
class Workspace:
    """Copies of data/letters and data/annotations to alter, and an out dir not yet made."""

    letters: Path
    annotations: Path
    ontology: Path
    out: Path

    @classmethod
    def copy(cls, folder: Path) -> "Workspace":
        letters, annotations = folder / "letters", folder / "annotations"
        shutil.copytree(LETTERS, letters)
        shutil.copytree(ANNOTATIONS, annotations)
        return cls(letters, annotations, ONTOLOGY, folder / "out")

    def edit(self, path: Path, old: str, new: str) -> None:
        """Replace the one occurrence of ``old`` in a copied file (fails if it is not there once)."""
        text = path.read_bytes().decode("utf-8")  # bytes: no newline translation
        assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
        path.write_bytes(text.replace(old, new).encode("utf-8"))


# --- the real server ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(server: socketserver.BaseServer) -> Iterator[socketserver.BaseServer]:
    """``server`` (an ``http.server`` stub) answering in a thread of its own for the with-block, then closed."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def running_server(dumps: Path, *extra: str, port: int | None = None, env: dict[str, str] | None = None) -> Iterator[str]:
    """Yield the base URL of a server started with `python serve.py --port P --dumps DIR ...`.

    Its output goes to ``server-P.log`` beside ``dumps``. Given the dumps of a build with the same base
    (``--base``), it serves them as they are; otherwise it builds them first. ``env``: more environment.
    """
    port = port or free_port()
    log = open(dumps.parent / f"server-{port}.log", "wb")
    process = subprocess.Popen(
        [sys.executable, str(REPO / "serve.py"), "--port", str(port), "--dumps", str(dumps), *extra],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        start_new_session=True,  # its own process group: stopped with every process it started
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {(dumps.parent / f'server-{port}.log').read_text()}")
            try:
                # robots.txt needs no store: the server is up even when a remote store is not.
                if requests.get(base + "robots.txt", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.05)
        yield base
    finally:
        # Done with: every process of it at once (web and query processes). A graceful stop is not what
        # these tests check (test_serve.py does, with a server of its own), and granian may spend seconds
        # on a web process that does not stop.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        log.close()


# --- the app in this process -------------------------------------------------------------


def make_app(settings, store):
    """The Flask app as serve.py makes it for each web process (``lod.web.create_app``)."""
    from lod.web import create_app

    return create_app(settings, store)


class InProcess(BaseAdapter):
    """A requests transport that hands each request to a WSGI app through Flask's test client: no socket.

    The request is the one requests prepared (its default headers, encoded body and query included),
    and the answer a ``requests.Response`` as from the network: headers named twice are joined with
    ", " as urllib3 joins them, a gzipped body is decoded as urllib3 decodes it, the body is readable
    once, redirects are followed by requests.
    """

    def __init__(self, app) -> None:
        super().__init__()
        self.app = app
        self.client = app.test_client()

    def send(self, request: requests.PreparedRequest, stream=False, timeout=None, verify=True, cert=None,
             proxies=None) -> requests.Response:
        url = urlsplit(request.url)
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")  # as urllib3 sends a str body
        elif body is not None and not isinstance(body, bytes):
            body = b"".join(body)
        answer = self.client.open(url.path or "/", base_url=f"{url.scheme}://{url.netloc}", query_string=url.query,
                                  method=request.method, headers=list(request.headers.items()), data=body,
                                  buffered=True)
        headers: CaseInsensitiveDict = CaseInsensitiveDict()
        for name, value in answer.headers.items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.status.partition(" ")[2]
        response.headers = headers
        response.encoding = get_encoding_from_headers(headers)
        data = answer.get_data()
        if data and headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)  # as urllib3 decodes it off the network
        response.raw = io.BytesIO(data)
        response.url = request.url
        response.request = request
        response.connection = self
        answer.close()
        return response

    def close(self) -> None:
        pass


def jsonld_with_context(resp: requests.Response) -> bytes:
    """A JSON-LD body with the context it names by URL written in, fetched the way the body came (from the
    app in this process, or over the network): rdflib fetches a remote context itself, with urllib, which
    cannot reach an app in this process."""
    import json

    document = json.loads(resp.content)
    url = document.get("@context") if isinstance(document, dict) else None
    if isinstance(url, str):
        answer = resp.connection.send(requests.Request("GET", url).prepare(), timeout=30)
        assert answer.status_code == 200, f"the context {url} answers {answer.status_code}"
        document["@context"] = json.loads(answer.content)["@context"]
    return json.dumps(document).encode("utf-8")


class Web(requests.Session):
    """A requests session that answers the base URLs given to ``serve`` from apps in this process, and any
    other URL over the network (so one client talks to the in-process app and to real servers alike)."""

    def serve(self, base: str, app) -> None:
        if base in self.adapters:
            raise ValueError(f"{base} is already answered by another app")
        self.mount(base, InProcess(app))

    def stop(self, base: str) -> None:
        self.adapters.pop(base, None)

    def fresh(self) -> "Web":
        """A new session (its own headers) that reaches the same apps."""
        other = Web()
        for prefix, adapter in self.adapters.items():
            if isinstance(adapter, InProcess):
                other.mount(prefix, adapter)
        return other


# --- the command line in this process --------------------------------------------------------


@dataclass
class Ran:
    """What ``lod ARGS`` did, in the shape of ``subprocess.CompletedProcess``."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def lod(*args: str) -> Ran:
    """Run ``lod ARGS`` (lod.cli:main) in this process with click's CliRunner.

    An exception that escapes the command is printed to ``stderr`` as Python would print it (a
    ``Traceback``), with exit code 1, so that tests that look for a traceback still see one.
    """
    from click.testing import CliRunner

    from lod.cli import main

    result = CliRunner().invoke(main, list(args), prog_name="lod", catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return Ran(tuple(args), result.exit_code, result.stdout, stderr)


def sample_by_shape(uris: Iterable[str], base: str, per_shape: int = 12) -> list[str]:
    """Every letter, and of every other kind of node a deterministic sample, for tests that would otherwise
    ask for thousands of documents.

    A node's shape is its kind and the path below its thing with numbers made ``#``
    (``letter/#/annotation/#/quote``, ``person``, ``event/#/time``): every shape is kept, with at most
    ``per_shape`` of its URIs, the same ones on every run (the first by a hash of the URI, so that they
    are spread over the letters rather than the first in alphabetical order). URIs outside
    ``{base}id/`` are kept as they are.
    """
    import hashlib
    import re

    shapes: dict[tuple[str, ...], list[str]] = {}
    kept: list[str] = []
    for uri in sorted(set(uris)):
        if not uri.startswith(base + "id/"):
            kept.append(uri)
            continue
        kind, _, *below = uri[len(base + "id/"):].split("/")
        if kind == "letter" and not below:
            kept.append(uri)
            continue
        shape = (kind, *("#" if re.fullmatch(r"\d+", part) else part for part in below))
        shapes.setdefault(shape, []).append(uri)
    for members in shapes.values():
        members.sort(key=lambda u: hashlib.sha256(u.encode()).hexdigest())
        kept.extend(members[:per_shape])
    return sorted(kept)
