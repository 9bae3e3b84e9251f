"""Settings in one frozen object, built once from the command line and passed down."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5000


# Credentials of a remote SPARQL store: the user by option or environment, the password only by environment or
# a file, so that it never shows in a process list or a shell's history.
SPARQL_USER_ENV = "LOD_SPARQL_USER"
SPARQL_PASSWORD_ENV = "LOD_SPARQL_PASSWORD"
SPARQL_PASSWORD_FILE_ENV = "LOD_SPARQL_PASSWORD_FILE"


def sparql_password(file: Path | None, environ: dict[str, str] | None = None) -> str | None:
    """The remote store's password: the first line of ``file`` if given, else ``$LOD_SPARQL_PASSWORD``, else None."""
    if file is not None:
        try:
            lines = file.read_bytes().decode("utf-8").splitlines()
        except UnicodeDecodeError:  # its own message would quote a byte of the password
            raise ValueError(f"the password file {file} is not UTF-8") from None
        return lines[0] if lines else ""
    return (os.environ if environ is None else environ).get(SPARQL_PASSWORD_ENV)


def default_base(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> str:
    """By default URIs resolve on the machine that serves them, so a newcomer can follow every one."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def default_workers() -> int:
    """One web server process per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    base: str = default_base()
    letters: Path = ROOT / "data" / "letters"
    annotations: Path = ROOT / "data" / "annotations"
    register: Path = ROOT / "data" / "register.yaml"  # persons, groups and places shared by all letters
    ontology: Path = ROOT / "ontology"
    out: Path | None = ROOT / "data" / "dumps"  # None: no dumps to offer (given files, a store directory)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    query_timeout: float = 10.0  # seconds a SPARQL query may run
    workers: int = 1  # web server processes
    max_queries: int = 16  # SPARQL queries running at once, in all web server processes together
    query_memory: int = 4 * 2 ** 30  # bytes the queries running at once may allocate together
    max_query_length: int = 20_000  # characters
    max_results: int = 10_000  # rows or triples in one SPARQL answer
    page_size: int = 500  # incoming links per document page
    stored_answers: bool = True  # serve the answers `lod load-store` rendered into a store directory
    cache_bytes: int = 64 * 2 ** 20  # rendered answers each server process keeps (stores we hold only); 0: none
    # Bytes a request body may have, as nginx's client_max_body_size (1m); a query needs far less.
    max_body: int = 2 ** 20
    remote_max_bytes: int = 64 * 2 ** 20  # of one answer of a remote SPARQL store (--sparql-endpoint)

    @property
    def queries_per_process(self) -> int:
        return max(1, self.max_queries // self.workers)

    @property
    def memory_per_query(self) -> int:
        """Each query's share of ``query_memory``, so that a burst of runaways cannot take more together."""
        return self.query_memory // (self.queries_per_process * self.workers)

    def __post_init__(self) -> None:
        if not self.base.endswith("/"):
            object.__setattr__(self, "base", self.base + "/")
