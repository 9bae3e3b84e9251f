"""Start the publisher: build the data if it is missing or stale, load it, serve it with waitress."""
from __future__ import annotations

import logging
from pathlib import Path

import click
import waitress

from .build import BuildError, build, is_current
from .config import DEFAULT_HOST, DEFAULT_PORT, Settings, default_base
from .store import EmbeddedStore, RemoteStore
from .web import create_app


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
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
@click.option("--query-timeout", default=Settings.query_timeout, show_default=True, type=float,
              help="Seconds a SPARQL query may run.")
def main(host: str, port: int, base: str | None, letters: Path, annotations: Path, dumps: Path,
         page_size: int, sparql_endpoint: str | None, dataset_base: str | None, threads: int,
         query_timeout: float) -> None:
    """Serve every URI of the letters as Linked Data, with a SPARQL endpoint, on one port."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings(base=base or default_base(host, port), host=host, port=port, letters=letters,
                        annotations=annotations, out=dumps, page_size=page_size, query_timeout=query_timeout)
    if sparql_endpoint:
        store = RemoteStore(sparql_endpoint, web_base=settings.base, dataset_base=dataset_base,
                            timeout=settings.query_timeout)
        source = sparql_endpoint
    else:
        if not is_current(settings.out, settings.letters, settings.annotations, settings.ontology, settings.base):
            click.echo(f"building the data for {settings.base} ...", err=True)
            try:
                build(settings.letters, settings.annotations, settings.ontology, settings.base, settings.out)
            except BuildError as exc:
                raise click.ClickException(str(exc)) from None
        store = EmbeddedStore.from_dumps(settings.out)
        source = f"{len(store)} quads in memory"
    app = create_app(settings, store)
    click.echo(f"serving {source} at {settings.base} (listening on {host}:{port})", err=True)
    waitress.serve(app, host=host, port=port, threads=threads, ident="lod-letters")


if __name__ == "__main__":
    main()
