"""Curated annotations: who and what a letter mentions, as stand-off data anchored by quotes.

An annotation file (YAML) names one letter and describes persons, groups, places, texts and
events. Entities are global: an id defined in one file may be used by any other letter.
Every mention and every piece of evidence is a quote that must occur exactly once in the
letter (an optional ``prefix``/``suffix`` right before/after it tells equal quotes apart).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .letter import Span
from .schema import ANNOTATION_FILE
from .uris import is_slug
from .yamlload import YamlProblems, describe, load_yaml

ENTITY_KINDS = ("persons", "groups", "places", "texts", "events")
_KIND_OF_SECTION = {"persons": "person", "groups": "group", "places": "place", "texts": "text", "events": "event"}


PARSER = "parser"  # Anchor.where of what the software found (a curated quote names its annotation entry)


class AnnotationError(ValueError):
    """A curated annotation that cannot be applied; the message names the file and the entry."""


@dataclass(frozen=True)
class Quote:
    """A quote as curated, before it is found in the text."""

    exact: str
    prefix: str = ""
    suffix: str = ""
    voice: str | None = None  # id of whoever states this in the text; None: the letter's author
    where: str = ""  # "persons.lenin.mentions[0]", for error messages


@dataclass(frozen=True)
class Anchor:
    """A quote found in the text."""

    span: Span
    voice: str | None
    where: str


@dataclass(frozen=True)
class TimeBounds:
    begin: datetime | None
    end: datetime | None
    label: str | None


@dataclass(frozen=True)
class Relation:
    """A relation the text states between two entities (``relations:`` of an annotation file)."""

    subject: str
    property: str  # a key of lod.claims.RELATIONS: sibling, spouse, member
    object: str
    role: str | None  # the kind of membership ("secretary"), a concept slug
    note: str | None
    evidence: tuple[Quote, ...]
    where: str


@dataclass
class Entity:
    id: str
    kind: str  # person, group, place, text, event
    label: str
    name: str | None = None
    names: tuple[str, ...] = ()  # other forms used to recognise it in any letter
    same_as: tuple[str, ...] = ()
    note: str | None = None
    source_file: str = ""
    # events only
    crm_class: str | None = None
    type: str | None = None
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)  # CRM property -> entity ids
    time: TimeBounds | None = None
    # texts only: the passage that is the text (an inscription quoted in a note), the thing it is written on
    content: Quote | None = None
    written_on: str | None = None  # "document": the letter's document, the one the edition printed from
    # where it is mentioned, per letter file
    mentions: dict[str, list[Quote]] = field(default_factory=dict)
    # identity (lod.identity): in the register, with the forms it answers to in every letter
    registered: bool = False
    register_names: tuple[str, ...] = ()
    unambiguous_surname: bool = False
    unreconciled: bool = False  # made by the mapper from a name no register entry answers to


@dataclass(frozen=True)
class LetterAnnotations:
    file: str
    slug: str | None
    source_file: str


@dataclass
class Curation:
    entities: dict[str, Entity] = field(default_factory=dict)
    letters: dict[str, LetterAnnotations] = field(default_factory=dict)
    relations: dict[str, list[Relation]] = field(default_factory=dict)  # per letter file
    register_file: str | None = None  # the register's file name, when one was loaded

    def by_name(self, name: str, kind: str = "person") -> Entity | None:
        """The entity of that kind one of whose names or whose surname is ``name``."""
        wanted = _norm(name)
        for entity in self.entities.values():
            if entity.kind != kind:
                continue
            forms = {entity.id, entity.label, entity.name or "", *entity.names}
            if wanted in {_norm(f) for f in forms if f}:
                return entity
        return None


def _norm(name: str) -> str:
    return " ".join(name.replace("\u00a0", " ").split()).casefold()


def load_curation(folder: Path, curation: Curation | None = None) -> Curation:
    """Every annotation file of ``folder``, added to ``curation`` (which may hold the register already).

    Every file is read and checked against its shape (``lod.schema``) before any is applied, so that one
    run reports every such problem of every file, each with its line.
    """
    curation = curation if curation is not None else Curation()
    docs, problems = [], []
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        try:
            docs.append((path, load_yaml(path, ANNOTATION_FILE)))
        except YamlProblems as exc:
            problems += exc.problems
    if problems:
        raise AnnotationError(describe(problems))
    for path, doc in docs:
        _load_file(path, doc, curation)
    return curation


def _load_file(path: Path, doc: dict[str, Any], curation: Curation) -> None:
    """One annotation file's data, of the shape ``lod.schema.ANNOTATION_FILE`` (sections it does not read
    are left to others)."""
    letter_file = doc.get("letter")
    if letter_file is not None:
        slug = doc.get("slug")
        if slug is not None and not is_slug(str(slug)):
            raise AnnotationError(f"{path.name}: slug {slug!r} is not lower-case ASCII words joined by '-'")
        curation.letters[letter_file] = LetterAnnotations(letter_file, slug, path.name)
    for section in ENTITY_KINDS:
        for entity_id, body in (doc.get(section) or {}).items():
            where = f"{path.name}: {section}.{entity_id}"
            body = body or {}
            if set(body) <= {"mentions", "evidence"} and entity_id in curation.entities and letter_file:
                # A mention of an entity described in another file.
                known = curation.entities[entity_id]
                known.mentions.setdefault(letter_file, []).extend(
                    _quotes(body.get("mentions"), f"{where}.mentions") + _quotes(body.get("evidence"), f"{where}.evidence"))
                continue
            entity = _entity(section, str(entity_id), body, where)
            entity.source_file = path.name
            known = curation.entities.get(entity_id)
            if known is not None and known.source_file == curation.register_file and known.kind == entity.kind:
                entity = _curated_over_registered(entity, known)
            elif known is not None:
                raise AnnotationError(f"{where}: id already defined in {known.source_file}")
            if letter_file is not None:
                entity.mentions[letter_file] = _quotes(body.get("mentions"), f"{where}.mentions")
                if section == "events":
                    entity.mentions[letter_file] += _quotes(body.get("evidence"), f"{where}.evidence")
            curation.entities[str(entity_id)] = entity
    if doc.get("relations"):
        if letter_file is None:
            raise AnnotationError(f"{path.name}: relations need the 'letter' they are stated in")
        curation.relations.setdefault(letter_file, []).extend(_relations(doc["relations"], path.name))


def _relations(value: Any, file: str) -> list[Relation]:
    if not isinstance(value, list):
        raise AnnotationError(f"{file}: relations: expected a list")
    found = []
    for i, item in enumerate(value):
        where = f"{file}: relations[{i}]"
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("subject", "property", "object")):
            raise AnnotationError(f"{where}: expected a mapping with subject, property and object")
        unknown = set(item) - {"subject", "property", "object", "role", "note", "evidence"}
        if unknown:
            raise AnnotationError(f"{where}: unknown keys {sorted(unknown)}")
        role = item.get("role")
        if role is not None and not is_slug(str(role)):
            raise AnnotationError(f"{where}: role {role!r} is not lower-case ASCII words joined by '-'")
        evidence = _quotes(item.get("evidence"), f"{where}.evidence")
        if not evidence:
            raise AnnotationError(f"{where}: a relation needs evidence: the quote that states it")
        found.append(Relation(item["subject"], item["property"], item["object"], role, item.get("note"),
                              tuple(evidence), where))
    return found


def _curated_over_registered(curated: Entity, registered: Entity) -> Entity:
    """An annotation file describing a registered entity: what it says wins, the register's forms stay."""
    curated.registered = True
    curated.register_names = registered.register_names
    curated.unambiguous_surname = registered.unambiguous_surname
    curated.names = tuple(dict.fromkeys((*curated.names, *registered.names)))
    curated.same_as = curated.same_as or registered.same_as
    curated.note = curated.note or registered.note
    curated.name = curated.name or registered.name
    curated.mentions = {**registered.mentions}
    return curated


_ENTITY_KEYS = {"label", "name", "names", "same_as", "note", "mentions", "evidence", "class", "type", "time",
                "content", "written_on"}


def _entity(section: str, entity_id: str, body: dict[str, Any], where: str) -> Entity:
    if not is_slug(entity_id):
        raise AnnotationError(f"{where}: id is not lower-case ASCII words joined by '-'")
    if "label" not in body:
        raise AnnotationError(f"{where}: needs a label")
    links: dict[str, tuple[str, ...]] = {}
    for key, value in body.items():
        if key in _ENTITY_KEYS:
            continue
        if section == "events" and key[:1] == "P" and key[1:2].isdigit():
            values = value if isinstance(value, list) else [value]
            links[key] = tuple(str(v) for v in values)
        else:
            raise AnnotationError(f"{where}: unknown key {key!r}")
    if section != "texts" and ("content" in body or "written_on" in body):
        raise AnnotationError(f"{where}: only a text has a content or is written on something")
    if body.get("written_on") not in (None, "document"):
        raise AnnotationError(f"{where}: written_on: only 'document' (the letter's document) is known")
    content = _quotes([body["content"]], f"{where}.content") if "content" in body else []
    if section == "events" and "class" not in body:
        raise AnnotationError(f"{where}: an event needs a CRM class (e.g. E86_Leaving)")
    names = body.get("names") or []
    same_as = body.get("same_as") or []
    return Entity(
        id=entity_id,
        kind=_KIND_OF_SECTION[section],
        label=str(body["label"]),
        name=body.get("name"),
        names=tuple(str(n) for n in (names if isinstance(names, list) else [names])),
        same_as=tuple(str(s) for s in (same_as if isinstance(same_as, list) else [same_as])),
        note=body.get("note"),
        crm_class=body.get("class"),
        type=body.get("type"),
        links=links,
        time=_time(body.get("time"), where) if "time" in body else None,
        content=content[0] if content else None,
        written_on=body.get("written_on"),
    )


def _time(value: Any, where: str) -> TimeBounds | None:
    if value in (None, "unknown"):
        return None
    if not isinstance(value, dict) or not set(value) <= {"begin", "end", "label"}:
        raise AnnotationError(f"{where}.time: expected 'unknown' or a mapping with begin, end, label")

    def instant(key: str) -> datetime | None:
        raw = value.get(key)
        if raw is None:
            return None
        try:
            return datetime.fromisoformat(str(raw))
        except ValueError:
            raise AnnotationError(f"{where}.time.{key}: {raw!r} is not an ISO date-time") from None

    begin, end = instant("begin"), instant("end")
    if begin is None and end is None:
        raise AnnotationError(f"{where}.time: give begin, end or both, or say 'unknown'")
    if begin and end and begin > end:
        raise AnnotationError(f"{where}.time: begin is after end")
    return TimeBounds(begin, end, value.get("label"))


def _quotes(value: Any, where: str) -> list[Quote]:
    quotes = []
    for i, item in enumerate(value or []):
        here = f"{where}[{i}]"
        if isinstance(item, str):
            item = {"quote": item}
        if not isinstance(item, dict) or not isinstance(item.get("quote"), str) or not item["quote"]:
            raise AnnotationError(f"{here}: expected a quote (text) or a mapping with 'quote'")
        quotes.append(Quote(item["quote"], item.get("prefix", ""), item.get("suffix", ""), item.get("voice"), here))
    return quotes


def anchor(text: str, quote: Quote, file: str) -> Anchor:
    """Find the one place a quote stands in the text, or fail naming the annotation."""
    hits = []
    start = text.find(quote.exact)
    while start != -1:
        end = start + len(quote.exact)
        if text[:start].endswith(quote.prefix) and text[end:].startswith(quote.suffix):
            hits.append(start)
        start = text.find(quote.exact, start + 1)
    if not hits:
        raise AnnotationError(f"{quote.where}: quote {quote.exact!r} is not in {file}")
    if len(hits) > 1:
        raise AnnotationError(
            f"{quote.where}: quote {quote.exact!r} occurs {len(hits)} times in {file} "
            f"(at {', '.join(map(str, hits))}); add a prefix or suffix to tell them apart"
        )
    start = hits[0]
    return Anchor(Span(start, start + len(quote.exact), quote.exact), quote.voice, quote.where)
