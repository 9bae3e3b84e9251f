"""Start the publisher: build the data if it is missing or stale, load it, serve it with granian.

What it serves, one of: the letters (built into ``--dumps`` and loaded in memory, the default); RDF
files given with ``--data`` (loaded in memory); a store directory filled by ``lod load-store``
(``--store``, on disk, opened read-only in milliseconds); a SPARQL endpoint elsewhere
(``--sparql-endpoint``).

The data is loaded once, here, with the statistics of /void (recorded by the build or the loader, or
counted here for ``--data``); granian then forks ``--workers`` processes, each with its own app (and
its own SPARQL query processes) over the store it inherits. One process per core, because Python runs
one thread at a time per process: with one process the web stack tops out at one core.
"""
from __future__ import annotations

import logging
import multiprocessing
import socket
import time
from pathlib import Path

import click
from click.core import ParameterSource
from granian import Granian
from granian.constants import Interfaces

from .build import BuildError, build, is_current
from .config import (DEFAULT_HOST, DEFAULT_PORT, SPARQL_PASSWORD_ENV, SPARQL_PASSWORD_FILE_ENV, SPARQL_USER_ENV,
                     Settings, default_base, default_workers, sparql_password)
from .dumps import recover
from .sparql_http import Endpoint
from .statistics import count
from .store import EmbeddedStore, RemoteStore
from .web import create_app
from .web.sparql.rows import trusted

log = logging.getLogger("lod.serve")

@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Interface to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=int, help="Port to listen on.")
@click.option("--base", default=None, help="Public base URI of the data [default: http://HOST:PORT/].")
@click.option("--letters", type=click.Path(file_okay=False, path_type=Path), default=Settings.letters,
              show_default=True, help="Folder of letter texts (*.txt).")
@click.option("--annotations", type=click.Path(file_okay=False, path_type=Path), default=Settings.annotations,
              show_default=True, help="Folder of curated annotations (*.yaml).")
@click.option("--dumps", type=click.Path(file_okay=False, path_type=Path), default=Settings.out, show_default=True,
              help="Folder of the built dumps (built there when missing or stale).")
@click.option("--page-size", default=Settings.page_size, show_default=True, type=int,
              help="Incoming links per document page.")
@click.option("--sparql-endpoint", default=None, metavar="URL",
              help="Serve from this SPARQL 1.1 endpoint instead of the embedded store (nothing is built).")
@click.option("--dataset-base", default=None, metavar="URI",
              help="With --sparql-endpoint: the base of the URIs in that store, when it differs from --base.")
@click.option("--sparql-user", envvar=SPARQL_USER_ENV, default=None, metavar="USER",
              help=f"With --sparql-endpoint: the user for HTTP basic authentication (or ${SPARQL_USER_ENV}); the "
                   f"password in ${SPARQL_PASSWORD_ENV} or --sparql-password-file. Userinfo in the URL works too.")
@click.option("--sparql-password-file", envvar=SPARQL_PASSWORD_FILE_ENV, default=None, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=f"With --sparql-endpoint: a file whose first line is the password (or ${SPARQL_PASSWORD_FILE_ENV}).")
@click.option("--sparql-max-mb", default=Settings.remote_max_bytes // 2 ** 20, show_default=True,
              type=click.IntRange(min=1), help="With --sparql-endpoint: MiB of one answer read from the store.")
@click.option("--data", "data", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Serve these RDF files (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD; by extension) "
                   "instead of the letters, in memory; repeat it, or list more files after the options. A file "
                   "of triples becomes a graph named by its file URI. Give --base: the URI space they use.")
@click.option("--store", "store_dir", default=None, metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Serve the store directory DIR, filled by `lod load-store` (on disk, read-only, starts at once).")
@click.argument("more_data", nargs=-1, metavar="[FILE]...", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--workers", default=default_workers(), show_default="one per core", type=click.IntRange(min=1),
              help="Web server processes.")
@click.option("--threads", default=None, type=click.IntRange(min=2), show_default="4 more than the queries a "
              "process may run", help="Threads per process; a SPARQL query holds one while it runs.")
@click.option("--cache-mb", default=Settings.cache_bytes // 2 ** 20, show_default=True, type=click.IntRange(min=0),
              help="MiB of rendered documents each process keeps and serves again (0: none). Only for data "
                   "served from here (letters, --data, --store): a remote store may change under us.")
@click.option("--stored-answers/--no-stored-answers", default=True, show_default=True,
              help="With --store: answer from the documents `lod load-store` rendered (--no-stored-answers: "
                   "render every answer from the store).")
@click.option("--query-timeout", default=Settings.query_timeout, show_default=True, type=float,
              help="Seconds a SPARQL query may run.")
@click.option("--max-queries", default=Settings.max_queries, show_default=True, type=click.IntRange(min=1),
              help="SPARQL queries that may run at once, in all processes together; more wait a second, then 503.")
@click.option("--query-memory", default=Settings.query_memory // 2 ** 20, show_default=True,
              type=click.IntRange(min=64), help="MiB the queries running at once may allocate together.")
@click.option("--max-body-kb", default=Settings.max_body // 2 ** 10, show_default=True, type=click.IntRange(min=1),
              help="KiB a request body may have (a SPARQL query by POST); longer ones are refused with 413.")
@click.pass_context
def main(ctx: click.Context, host: str, port: int, base: str | None, letters: Path, annotations: Path, dumps: Path,
         page_size: int, sparql_endpoint: str | None, dataset_base: str | None, sparql_user: str | None,
         sparql_password_file: Path | None, sparql_max_mb: int, data: tuple[Path, ...],
         store_dir: Path | None, more_data: tuple[Path, ...], workers: int, threads: int | None, cache_mb: int,
         stored_answers: bool, query_timeout: float, max_queries: int, query_memory: int, max_body_kb: int) -> None:
    """Serve every URI of the letters as Linked Data, with a SPARQL endpoint, on one port."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    files = [*data, *more_data]
    if more_data and not data:
        raise click.UsageError("files after the options are for --data: serve.py --data FILE [FILE]...")
    if sum(bool(x) for x in (files, store_dir, sparql_endpoint)) > 1:
        raise click.UsageError("serve one of --data, --store and --sparql-endpoint")
    try:  # before anything is loaded, and instead of the server's own traceback
        socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET).close()
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    # Given files or a store have no dumps of ours: /dumps/ lists the --dumps folder only when it is named.
    explicit_dumps = ctx.get_parameter_source("dumps") is not ParameterSource.DEFAULT
    settings = Settings(base=base or default_base(host, port), host=host, port=port, letters=letters,
                        annotations=annotations, out=dumps if explicit_dumps or not (files or store_dir) else None,
                        page_size=page_size, query_timeout=query_timeout, cache_bytes=cache_mb * 2 ** 20,
                        stored_answers=stored_answers,
                        workers=workers, max_queries=max_queries, query_memory=query_memory * 2 ** 20,
                        max_body=max_body_kb * 2 ** 10, remote_max_bytes=sparql_max_mb * 2 ** 20)
    threads = threads or settings.queries_per_process + 4
    if settings.queries_per_process >= threads:
        raise click.UsageError(f"--threads {threads} leaves no thread for documents while "
                               f"{settings.queries_per_process} queries run in a process: raise it or lower --max-queries")
    if sparql_endpoint:
        try:
            endpoint = Endpoint.of(sparql_endpoint, sparql_user, sparql_password(sparql_password_file))
        except (ValueError, OSError) as exc:  # neither message shows a credential
            raise click.UsageError(f"--sparql-endpoint: {exc}") from None
        store = RemoteStore(endpoint, web_base=settings.base, dataset_base=dataset_base,
                            timeout=settings.query_timeout, max_bytes=settings.remote_max_bytes)
        source = endpoint.shown + (f" (as {endpoint.user})" if endpoint.user else "")
        if endpoint.in_clear:
            click.echo(f"warning: the password for {endpoint.shown} is sent unencrypted: use https://", err=True)
    elif files:
        try:
            store = EmbeddedStore.from_files(files)
        except ValueError as exc:
            raise click.ClickException(f"cannot serve {exc}") from None
        # Here, before the web processes are forked, so that they share them rather than count them each.
        started = time.perf_counter()
        store.statistics = count(store)
        log.info("counted the statistics of /void in %.1f s", time.perf_counter() - started)
        source = f"{len(store)} quads from {len(files)} file(s), in memory"
    elif store_dir:
        from .storedir import StoreDirError, open_store

        try:
            store = open_store(store_dir)
        except StoreDirError as exc:
            raise click.ClickException(str(exc)) from None
        source = f"{len(store)} quads from {store_dir}, on disk"
    else:
        recover(settings.out)  # a build killed while it replaced the dumps
        if not is_current(settings.out, settings.letters, settings.annotations, settings.ontology, settings.base):
            click.echo(f"building the data for {settings.base} ...", err=True)
            try:
                build(settings.letters, settings.annotations, settings.ontology, settings.base, settings.out)
            except BuildError as exc:
                raise click.ClickException(str(exc)) from None
        store = EmbeddedStore.from_dumps(settings.out)
        source = f"{len(store)} quads in memory"
    click.echo(f"serving {source} at {settings.base} (listening on {host}:{port}, {workers} processes)", err=True)
    # Forked, not spawned: the workers inherit the loaded store instead of loading it again. Each builds its
    # app before its server threads start, so its SPARQL zygote is forked from a single-threaded process.
    multiprocessing.set_start_method("fork", force=True)
    trusted()  # how SPARQL answers are counted, checked here once, not in each web process: they inherit it
    server = Granian("lod", address=host, port=port, interface=Interfaces.WSGI, workers=workers,
                     blocking_threads=threads, respawn_failed_workers=True, log_level="warning",
                     workers_kill_timeout=5)
    # workers_kill_timeout: on Ctrl-C a web process sometimes never finishes stopping (granian 2.8); it is
    # killed then. granian warns of more threads than cores; ours mostly wait for query processes, not the CPU.
    logging.getLogger("_granian").addFilter(lambda record: "Python threads" not in record.getMessage())
    server.serve(target_loader=lambda _target: create_app(settings, store))


if __name__ == "__main__":
    main()
