"""The example queries of the query page, one ``examples/*.rq`` file each, in the order of their names.

A file opens with a header of comment lines, ``# title: ...``, ``# description: ...`` (continued on
indented comment lines) and, if the query uses our prefixes, ``# prefixes: crm dcterms ...``: the PREFIX
lines come from the one prefix table, so an example cannot drift from the namespaces we publish. ``{base}``
in a query stands for the base URI the server mints under.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from ...namespaces import sparql_prefixes

_HEADER = re.compile(r"#\s*(title|description|prefixes):\s*(.*)")


@dataclass(frozen=True)
class Example:
    title: str
    description: str
    query: str


def _read(name: str, text: str) -> Example:
    fields: dict[str, str] = {}
    lines = text.split("\n")
    key = None
    while lines and lines[0].startswith("#"):
        line = lines.pop(0)
        match = _HEADER.fullmatch(line)
        if match:
            key = match[1]
            fields[key] = match[2].strip()
        elif key:
            fields[key] += " " + line.lstrip("#").strip()
    missing = {"title", "description"} - fields.keys()
    if missing:
        raise ValueError(f"example {name} has no {' and no '.join(sorted(missing))} in its header")
    query = "\n".join(lines).strip()
    return Example(fields["title"], fields["description"], sparql_prefixes(*fields.get("prefixes", "").split()) + query)


@cache
def _examples() -> tuple[Example, ...]:
    folder = resources.files(__package__) / "examples"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".rq")), key=lambda f: f.name)
    return tuple(_read(f.name, f.read_text(encoding="utf-8")) for f in files)


def examples(base: str) -> list[Example]:
    """The example queries of the query page, about the letters; a test runs each and wants rows."""
    return [replace(e, query=e.query.replace("{base}", base)) for e in _examples()]
