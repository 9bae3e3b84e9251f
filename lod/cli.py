"""The `lod` command: build, validate (and, as the project grows, serve and query)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .build import BuildError, build, make_graphs
from .config import Settings
from .validate import validate

_DEFAULTS = Settings()
letters_option = click.option("--letters", type=click.Path(file_okay=False, path_type=Path), default=_DEFAULTS.letters,
                              show_default=True, help="Folder of letter texts (*.txt).")
annotations_option = click.option("--annotations", type=click.Path(file_okay=False, path_type=Path),
                                  default=_DEFAULTS.annotations, show_default=True,
                                  help="Folder of curated annotations (*.yaml).")
base_option = click.option("--base", default=_DEFAULTS.base, show_default=True,
                           help="Base URI the data is published under.")


@click.group()
def main() -> None:
    """Publish historical correspondence as Linked Open Data."""


@main.command("build")
@letters_option
@annotations_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=_DEFAULTS.out, show_default=True,
              help="Folder the dumps are written to (replaced as a whole, only when the build succeeds).")
@base_option
def build_command(letters: Path, annotations: Path, out: Path, base: str) -> None:
    """Map the letters to RDF, check the result, and write the dumps."""
    settings = Settings(base=base, letters=letters, annotations=annotations, out=out)
    try:
        result = build(settings.letters, settings.annotations, settings.ontology, settings.base, settings.out)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{len(result.letters)} letters, {len(result.quads)} quads in {len(result.graphs)} graphs, "
               f"mapped in {result.seconds:.2f} s; dumps in {settings.out}")


@main.command("validate")
@letters_option
@annotations_option
@base_option
def validate_command(letters: Path, annotations: Path, base: str) -> None:
    """Check the mapped letters against the SHACL shapes and CIDOC-CRM 7.1; exit 1 on any violation."""
    settings = Settings(base=base, letters=letters, annotations=annotations)
    try:
        result = make_graphs(settings.letters, settings.annotations, settings.ontology, settings.base)
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


if __name__ == "__main__":
    main()
