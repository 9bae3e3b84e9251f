"""The `lod` command: build, validate, load, query; synth and load-store for large data."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .build import BuildError, build, make_graphs
from .config import Settings
from .report import summary
from .validate import validate

_DEFAULTS = Settings()
letters_option = click.option("--letters", type=click.Path(file_okay=False, path_type=Path), default=_DEFAULTS.letters,
                              show_default=True, help="Folder of letter texts (*.txt).")
annotations_option = click.option("--annotations", type=click.Path(file_okay=False, path_type=Path),
                                  default=_DEFAULTS.annotations, show_default=True,
                                  help="Folder of curated annotations (*.yaml).")
register_option = click.option("--register", type=click.Path(dir_okay=False, path_type=Path),
                               default=_DEFAULTS.register, show_default=True,
                               help="The register of persons, groups and places shared by all letters (YAML).")
base_option = click.option("--base", default=_DEFAULTS.base, show_default=True,
                           help="Base URI the data is published under.")


@click.group()
def main() -> None:
    """Publish historical correspondence as Linked Open Data."""


@main.command("build")
@letters_option
@annotations_option
@register_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=_DEFAULTS.out, show_default=True,
              help="Folder the dumps are written to (replaced as a whole, only when the build succeeds).")
@base_option
def build_command(letters: Path, annotations: Path, register: Path, out: Path, base: str) -> None:
    """Map the letters to RDF, check the result, and write the dumps."""
    settings = Settings(base=base, letters=letters, annotations=annotations, register=register, out=out)
    try:
        result = build(settings.letters, settings.annotations, settings.ontology, settings.base, settings.out,
                       settings.register)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    report = summary(result)
    for entry in report["letters"]:
        counts = entry["counts"]
        unreconciled = "; unreconciled: " + ", ".join(entry["unreconciled"]) if entry["unreconciled"] else ""
        click.echo(f"  {entry['file']}  <{entry['uri']}>  {counts['triples']} triples, {counts['persons']} persons, "
                   f"{counts['annotations']} annotations, {len(entry['warnings'])} warning(s){unreconciled}")
    totals = report["totals"]
    click.echo(f"{len(result.letters)} letters, {len(result.quads)} quads in {len(result.graphs)} graphs, "
               f"mapped in {result.seconds:.2f} s; {totals['warnings']} warning(s), "
               f"{totals['unreconciled_names']} unreconciled name(s) in {totals['letters_with_unreconciled']} "
               f"letter(s) (lod register lists them); dumps and build.json in {settings.out}")


@main.command("validate")
@letters_option
@annotations_option
@register_option
@base_option
def validate_command(letters: Path, annotations: Path, register: Path, base: str) -> None:
    """Check the mapped letters against the SHACL shapes and CIDOC-CRM 7.1; exit 1 on any violation."""
    settings = Settings(base=base, letters=letters, annotations=annotations, register=register)
    try:
        result = make_graphs(settings.letters, settings.annotations, settings.ontology, settings.base,
                             settings.register)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    problems = validate(result, settings.ontology)
    for problem in problems:
        click.echo(problem)
    if problems:
        click.echo(f"{len(problems)} violation(s)", err=True)
        sys.exit(1)
    click.echo(f"{len(result.letters)} letters, {len(result.quads)} quads: conforms to the shapes and to CIDOC-CRM 7.1")


@main.command("register")
@letters_option
@annotations_option
@register_option
@base_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object: each name with its letters and candidates.")
def register_command(letters: Path, annotations: Path, register: Path, base: str, as_json: bool) -> None:
    """List the names no register entry answers to, with their letters and candidate matches, for a curator."""
    import json

    from .report import unreconciled_names

    settings = Settings(base=base, letters=letters, annotations=annotations, register=register)
    try:
        result = make_graphs(settings.letters, settings.annotations, settings.ontology, settings.base, settings.register)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None
    names = unreconciled_names(result)
    if as_json:
        click.echo(json.dumps(names, indent=1, ensure_ascii=False))
        return
    entities = result.curation.entities if result.curation else {}
    for item in names:
        where = ", ".join(f"{m['file']} ({m['role']})" for m in item["letters"])
        click.echo(f"{item['kind']:<6} {item['name']!r}: {where}")
        for candidate in item["candidates"]:
            entity = entities.get(candidate)
            click.echo(f"         candidate: {candidate} ({entity.label if entity else '?'})")
    letters_with = len({m["file"] for item in names for m in item["letters"]})
    click.echo(f"{len(names)} unreconciled name(s) in {letters_with} of {len(result.letters)} letters; "
               f"add them to {settings.register} (or an annotation file) to reconcile them", err=True)


@main.command("curate")
@click.argument("letter")
@letters_option
@annotations_option
@register_option
@base_option
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the draft here (never over an existing file) instead of to standard output.")
def curate_command(letter: str, letters: Path, annotations: Path, register: Path, base: str, out: Path | None) -> None:
    """Draft an annotation file for LETTER (a file name in --letters) from what the software found in it."""
    from .curate import draft
    from .uris import Minter

    settings = Settings(base=base, letters=letters, annotations=annotations, register=register)
    try:
        result = make_graphs(settings.letters, settings.annotations, settings.ontology, settings.base, settings.register)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None
    name = Path(letter).name
    found = [(parsed, mapped) for parsed, mapped in zip(result.letters, result.mapped) if parsed.file == name]
    if not found:
        raise click.ClickException(f"no letter {name!r} in {settings.letters}")
    text = draft(found[0][0], found[0][1].graph, Minter(settings.base), result.curation)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        with open(out, "x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        raise click.ClickException(f"{out} exists; the draft is never written over a file") from None
    click.echo(f"draft for {name} in {out}", err=True)


@main.command("load")
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's Graph Store Protocol endpoint (Oxigraph: .../store, Fuseki: .../DATASET/data, "
                   "Virtuoso: .../sparql-graph-crud-auth); with --method update, its SPARQL Update endpoint.")
@click.option("--graph", default=None, metavar="URI", help="Load the union of all graphs into this one graph.")
@click.option("--auth", default=None, metavar="USER:PASSWORD",
              help="Credentials; basic or digest, as the endpoint asks.")
@click.option("--dumps", type=click.Path(file_okay=False, path_type=Path), default=_DEFAULTS.out, show_default=True,
              help="Folder of the built dumps (built there first if it holds none).")
@click.option("--method", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="gsp: PUT each graph (replaces it); update: DROP SILENT GRAPH + INSERT DATA.")
@click.option("--batch-size", default=None, type=click.IntRange(min=1),
              help="Triples per request  [default: 10000 for gsp, 1000 for update].")
def load_command(endpoint: str, graph: str | None, auth: str | None, dumps: Path, method: str,
                 batch_size: int | None) -> None:
    """Push the built dataset into a SPARQL 1.1 store, graph by graph; loading twice does not duplicate."""
    from .load import LoadError, ensure_dumps, load, parse_auth, read_graphs

    try:
        credentials = parse_auth(auth)
        graphs = read_graphs(ensure_dumps(dumps), into=graph)
        total = sum(len(triples) for triples in graphs.values())
        with click.progressbar(length=total, label=f"loading {total} triples", file=sys.stderr,
                               show_pos=True) as bar:
            result = load(endpoint, graphs, method=method, auth=credentials, batch=batch_size, progress=bar.update)
    except LoadError as exc:
        raise click.ClickException(str(exc)) from None
    for name, count in result.graphs.items():
        click.echo(f"  {count:>9} triples  <{name}>")
    click.echo(f"{result.triples} triples in {len(result.graphs)} graph(s) written to {endpoint} "
               f"({method}) in {result.seconds:.2f} s")


@main.command("query")
@click.argument("sparql")
@click.option("--endpoint", default="http://127.0.0.1:5000/sparql", show_default=True,
              help="SPARQL endpoint to ask (ours, as serve.py starts it, by default).")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table: aligned columns (a graph prints as Turtle); json: SPARQL JSON or JSON-LD; csv: SELECT/ASK.")
@click.option("--timeout", default=60.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="Seconds for the whole answer.")
def query_command(sparql: str, endpoint: str, output: str, timeout: float) -> None:
    """Run a SPARQL query against an endpoint and print the answer (credentials in the URL are sent as basic
    authentication and never printed)."""
    from .sparql_client import QueryError, run_query

    try:
        click.echo(run_query(sparql, endpoint, output, timeout))
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None


@main.command("synth")
@click.option("--letters", "count", required=True, type=click.IntRange(min=1), metavar="N",
              help="How many letters (10,000 make about a million triples).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="The N-Quads file to write (replaced only when complete).")
@click.option("--seed", default=1, show_default=True, type=int, help="The same seed writes the same bytes.")
@base_option
def synth_command(count: int, out: Path, seed: int, base: str) -> None:
    """Write a synthetic corpus in the model of the letters, to measure the publisher at scale."""
    import time

    from .synth import synthesize

    started = time.perf_counter()
    corpus = synthesize(out, count, seed, base)
    seconds = time.perf_counter() - started
    click.echo(f"{corpus.letters} letters, {len(corpus.persons)} persons in the pool, {corpus.quads} quads, "
               f"{corpus.triples} distinct triples, in {seconds:.2f} s ({corpus.letters / seconds:.0f} letters/s) "
               f"-> {out}")


@main.command("load-store")
@click.option("--store", "folder", required=True, type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="The store directory (created if missing) that `serve.py --store DIR` serves.")
@click.option("--base", default=Settings.base, show_default=True,
              help="The base the store will be served under (serve.py --base): its documents are rendered for it.")
@click.option("--render/--no-render", default=True, show_default=True,
              help="Render the HTML, Turtle and JSON-LD document of every main thing once loaded, so that the "
                   "server answers first visits as fast as repeats (minutes at a million triples).")
@click.option("--page-size", default=Settings.page_size, show_default=True, type=click.IntRange(min=1),
              help="Incoming links per document page, as serve.py --page-size.")
@click.option("--processes", default=None, type=click.IntRange(min=1), show_default="one per core",
              help="Processes that render the documents.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def load_store_command(folder: Path, base: str, render: bool, page_size: int, processes: int | None,
                       files: tuple[Path, ...]) -> None:
    """Load RDF FILES into a store on disk; run it again after an interruption and it resumes."""
    import time

    from .storedir import StoreDirError, load
    from .web import stored

    bars: dict[Path, object] = {}

    def progress(path: Path, done: int, size: int) -> None:
        bar = bars.get(path)
        if bar is None:
            bar = bars[path] = click.progressbar(length=size, label=path.name, file=sys.stderr, show_percent=True,
                                                 show_eta=True)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        result = load(folder, list(files), progress=progress)
    except StoreDirError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)
    for path, quads, how in result.files:
        click.echo(f"  {quads:>10} quads  {path}  ({how})")
    click.echo(f"{result.quads} quads in {folder}, in {result.seconds:.1f} s ({result.counting:.1f} s of it counting "
               "the statistics of /void)")
    if render and stored.StoredAnswers.open(folder, base, page_size) is None:
        started = time.perf_counter()
        with click.progressbar(length=1, label="rendering documents", file=sys.stderr, show_eta=True) as bar:
            def rendered(done: int, things: int) -> None:
                bar.length = things
                bar.update(done - bar.pos)

            answers = stored.render(folder, base, page_size, processes=processes, progress=rendered)
        click.echo(f"{answers} answers rendered for {base} into {folder / stored.FILE}, in "
                   f"{time.perf_counter() - started:.1f} s")
    click.echo(f"serve it with `python serve.py --store {folder} --base {base}`")


if __name__ == "__main__":
    main()
