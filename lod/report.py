"""What a build tells a curator: per letter its warnings, unreconciled names and counts.

The same report goes to the command line (`lod build`, `lod register`) and into the dumps'
build.json, so that what was left out or left unreconciled is published beside the data.
Nothing here depends on time or on the machine: two builds of the same input give the same report.
"""
from __future__ import annotations

from typing import Protocol

from .mapper import Mapped
from .namespaces import CRM, OA, RDF


class Build(Protocol):
    """What the report reads of a build (``lod.build.Build`` is one)."""

    mapped: list[Mapped]
    warnings: list  # parse warnings and build warnings, each with a .file


def unreconciled_names(build: Build) -> list[dict]:
    """Each unreconciled (kind, name) once, with the letters that write it and the candidates to compare."""
    found: dict[tuple[str, str], dict] = {}
    for mapped in build.mapped:
        for item in mapped.unreconciled:
            entry = found.setdefault((item.kind, item.name), {"kind": item.kind, "name": item.name, "letters": [],
                                                              "candidates": []})
            entry["letters"].append({"file": mapped.file, "role": item.role, "entity": item.entity})
            entry["candidates"] = sorted(set(entry["candidates"]) | set(item.candidates))
    return [found[key] for key in sorted(found)]


def letters_report(build: Build) -> list[dict]:
    """One entry per letter, in file order."""
    warnings: dict[str, list[str]] = {}
    for warning in build.warnings:
        text = str(warning)
        warnings.setdefault(warning.file, []).append(text[len(warning.file) + 1:].lstrip(": ").strip())
    entries = []
    for mapped in build.mapped:
        graph = mapped.graph
        persons = set(graph.subjects(RDF.type, CRM.E21_Person))
        entries.append({
            "file": mapped.file,
            "uri": str(mapped.uri),
            "warnings": warnings.get(mapped.file, []),
            "unreconciled": sorted({f"{u.kind}: {u.name}" for u in mapped.unreconciled}),
            "counts": {
                "triples": len(graph),
                "persons": len(persons),
                "groups": len(set(graph.subjects(RDF.type, CRM.E74_Group))),
                "places": len(set(graph.subjects(RDF.type, CRM.E53_Place))),
                "annotations": len(set(graph.subjects(RDF.type, OA.Annotation))),
                "unreconciled": len({u.entity for u in mapped.unreconciled}),
            },
        })
    return entries


def summary(build: Build) -> dict:
    """The report of a whole build: totals, the letters, the unreconciled names, other files' warnings."""
    letters = letters_report(build)
    files = {m.file for m in build.mapped}
    names = unreconciled_names(build)
    return {
        "letters": letters,
        "unreconciled": names,
        "other_warnings": sorted(str(w) for w in build.warnings if w.file not in files),
        "totals": {
            "letters": len(letters),
            "warnings": sum(len(e["warnings"]) for e in letters),
            "letters_with_unreconciled": sum(1 for e in letters if e["unreconciled"]),
            "unreconciled_entities": sum(e["counts"]["unreconciled"] for e in letters),
            "unreconciled_names": len(names),
        },
    }
