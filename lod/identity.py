"""Identity: which registered or curated entity a name as written stands for, if any.

docs/design.md, "The model", Identity. The register (data/register.yaml) is shared by all letters.
A name resolves to an entity on one of its full forms or registered variants; a one-word name (a
surname) only when the register marks that surname as unambiguous, or in the one letter whose
annotation file curates the entity. Two entities answering to the same form make the form
ambiguous: it resolves to neither. Whatever does not resolve is left to the mapper, which makes an
entity of its own for it, marked unreconciled; the candidates here are what a curator would check.
A wrong link is worse than a missing one, so every rule here errs on the side of not resolving.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .annotations import AnnotationError, Curation, Entity
from .schema import REGISTER_FILE
from .yamlload import YamlProblems, describe, load_yaml

if TYPE_CHECKING:
    from .mentions import Forms
from .uris import is_slug

REGISTER_SECTIONS = {"persons": "person", "groups": "group", "places": "place"}
_REGISTER_KEYS = {"label", "name", "names", "same_as", "note", "identification", "unambiguous_surname"}
_MARKERS = re.compile(r"\[\d+\]")


def norm(name: str) -> str:
    """The form names are compared in: 'V.I.  LENIN' and 'V. I. Lenin' are one form."""
    text = _MARKERS.sub("", name).replace("\u00a0", " ").replace("’", "'")
    text = re.sub(r"\.\s*", ". ", text)
    return " ".join(text.split()).strip(" ,;:").casefold()


def words(name: str) -> list[str]:
    return re.sub(r"\([^)]*\)", " ", norm(name)).split()


def surname(name: str) -> str:
    """The last word, parentheses aside: 'Yevgenia Popova (Kasparova)' -> 'popova'."""
    found = words(name)
    return found[-1] if found else ""


def initials_forms(full: str) -> set[str]:
    """'Grigory Yevseyevich Zinoviev' -> {'g. y. zinoviev', 'g. zinoviev'}: how editors abbreviate a full name."""
    parts = words(full)
    if len(parts) < 2 or any(p.endswith(".") for p in parts[:-1]):
        return set()
    given = [p[0] + "." for p in parts[:-1]]
    return {" ".join([*given, parts[-1]]), " ".join([given[0], parts[-1]])}


def load_register(path: Path, curation: Curation) -> None:
    """Add the register's persons, groups and places to ``curation`` (before any annotation file)."""
    try:
        doc = load_yaml(path, REGISTER_FILE)  # of that shape: every problem with its line
    except YamlProblems as exc:
        raise AnnotationError(describe(exc.problems)) from None
    curation.register_file = path.name
    for section, kind in REGISTER_SECTIONS.items():
        for entity_id, body in (doc.get(section) or {}).items():
            where = f"{path.name}: {section}.{entity_id}"
            entity = _registered(str(entity_id), kind, body, where)
            entity.source_file = path.name
            if entity.id in curation.entities:
                raise AnnotationError(f"{where}: id already registered")
            curation.entities[entity.id] = entity


def _registered(entity_id: str, kind: str, body: Any, where: str) -> Entity:
    if not is_slug(entity_id):
        raise AnnotationError(f"{where}: id is not lower-case ASCII words joined by '-'")
    if not isinstance(body, dict) or "label" not in body:
        raise AnnotationError(f"{where}: needs a label (the preferred name)")
    unknown = set(body) - _REGISTER_KEYS
    if unknown:
        raise AnnotationError(f"{where}: unknown keys {sorted(unknown)}")
    names = body.get("names") or []
    same_as = body.get("same_as") or []
    flag = body.get("unambiguous_surname", False)
    if not isinstance(flag, bool):
        raise AnnotationError(f"{where}: unambiguous_surname is true or false")
    if flag and kind != "person":
        raise AnnotationError(f"{where}: only a person has a surname")
    label, name = str(body["label"]), str(body.get("name") or body["label"])
    variants = tuple(str(n) for n in (names if isinstance(names, list) else [names]))
    return Entity(id=entity_id, kind=kind, label=label, name=name, names=variants,
                  same_as=tuple(str(s) for s in (same_as if isinstance(same_as, list) else [same_as])),
                  note=body.get("note"), registered=True, register_names=(label, name, *variants),
                  unambiguous_surname=flag)


@dataclass
class Resolver:
    """Names to entities, for every letter of one build."""

    curation: Curation
    _global: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    _local: dict[str, dict[tuple[str, str], set[str]]] = field(default_factory=dict)
    _surnames: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    _forms: Forms | None = None

    def __post_init__(self) -> None:
        curated_files = {ann.source_file: file for file, ann in self.curation.letters.items()}
        for entity in self.curation.entities.values():
            if entity.kind not in ("person", "group", "place"):
                continue
            for form in self._global_forms(entity):
                self._global.setdefault((entity.kind, form), set()).add(entity.id)
            if entity.kind == "person" and entity.name:
                self._surnames.setdefault((entity.kind, surname(entity.name)), set()).add(entity.id)
            # In a letter its annotation file curates, every curated form of the entity resolves.
            letters = set(entity.mentions) | ({curated_files[entity.source_file]} if entity.source_file in curated_files else set())
            for file in letters:
                local = self._local.setdefault(file, {})
                for form in self._curated_forms(entity):
                    local.setdefault((entity.kind, form), set()).add(entity.id)

    @staticmethod
    def _global_forms(entity: Entity) -> set[str]:
        if entity.registered:
            forms = {norm(f) for f in entity.register_names if f}
            if entity.kind == "person":
                for full in (entity.name, *entity.register_names):
                    forms |= initials_forms(full or "")
                if entity.unambiguous_surname and entity.name:
                    forms.add(surname(entity.name))
        else:  # an entity only an annotation file describes: its label and full name, nothing shorter
            forms = {norm(f) for f in (entity.label, entity.name) if f}
        if entity.kind == "person" and not entity.unambiguous_surname:
            forms = {f for f in forms if len(f.split()) > 1}
        return forms

    @staticmethod
    def _curated_forms(entity: Entity) -> set[str]:
        forms = {norm(f) for f in (entity.label, entity.name, *entity.names) if f}
        if entity.kind == "person" and entity.name:
            forms.add(surname(entity.name))
        return forms

    @property
    def forms(self) -> Forms:
        """Every form a name resolves on in any letter, with the kinds it names, as the one pattern the
        mention finder searches a text with (lod.mentions); made once per build."""
        from .mentions import Forms  # it reads names as this module does

        if self._forms is None:
            kinds: dict[str, set[str]] = {}
            for kind, form in self._global:
                kinds.setdefault(form, set()).add(kind)
            self._forms = Forms(kinds)
        return self._forms

    def resolve(self, name: str, kind: str, file: str) -> Entity | None:
        """The one entity ``name`` stands for in ``file``, or None."""
        key = (kind, norm(name))
        for index in (self._local.get(file, {}), self._global):
            found = index.get(key, set())
            if len(found) == 1:
                return self.curation.entities[next(iter(found))]
            if len(found) > 1:
                return None  # two entities answer to this form: it names neither for sure
        return None

    def candidates(self, name: str, kind: str) -> list[Entity]:
        """Entities a curator should compare an unreconciled name with: those of the same surname or form."""
        ids = set(self._global.get((kind, norm(name)), set()))
        if kind == "person":
            ids |= self._surnames.get((kind, surname(name)), set())
        return sorted((self.curation.entities[i] for i in ids), key=lambda e: e.id)
