"""The shapes of the curators' YAML files, as tables: what each section, entry and key may hold.

A shape checks YAML's node tree (``yaml.compose``, before anything is constructed) and reports every
problem it finds, one line each, ``file:line: where: what``. The tables at the end are the files' formats:
a new section of an annotation file is one entry in ``ANNOTATION_SECTIONS``; what the section means is
the loader's business (``lod.annotations``), and a section the loader does not read yet is only checked.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .uris import is_slug

_TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, TIMESTAMP = (_TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_MAP, _SEQ = _TAG + "map", _TAG + "seq"
_KIND_OF_TAG = {STR: "text", INT: "a number", FLOAT: "a number", BOOL: "true or false", NULL: "nothing",
                TIMESTAMP: "a date"}

Report = Callable[[Node, str, str], None]  # (node, where, what is wrong)


def _found(node: Node) -> str:
    """What a node is, in words, for 'expected X, found Y' (with its tag, if it has one of its own)."""
    if isinstance(node, MappingNode):
        kind, standard = "a mapping", node.tag == _MAP
    elif isinstance(node, SequenceNode):
        kind, standard = "a list", node.tag == _SEQ
    else:
        kind, standard = _KIND_OF_TAG.get(node.tag, "a value"), node.tag in _KIND_OF_TAG
    return kind if standard else f"{kind} tagged {node.tag.replace(_TAG, '!!', 1)}"


def _under(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class Shape:
    """What a node may be. ``what`` names it in messages ("text", "a list of quotes")."""

    what: str
    node_type: type[Node]  # the kind of node it can accept (how ``AnyOf`` picks an option)

    def check(self, node: Node, where: str, report: Report) -> None:
        raise NotImplementedError

    def problems(self, node: Node | None, file: str) -> list[str]:
        """Every problem of the document ``node`` (None: an empty file), one line each, ``file:line: where: what``."""
        if node is None:
            return [f"{file}: the file is empty; expected {self.what}"]
        found: list[tuple[int, str]] = []

        def report(at: Node, where: str, what: str) -> None:
            line = at.start_mark.line + 1
            found.append((line, f"{file}:{line}: {where + ': ' if where else ''}{what}"))

        self.check(node, "", report)
        return [message for _, message in sorted(found, key=lambda item: item[0])]  # in the file's order

    def _expected(self, node: Node, where: str, report: Report) -> None:
        report(node, where, f"expected {self.what}, found {_found(node)}")


@dataclass(frozen=True)
class Scalar(Shape):
    """A scalar of one of ``tags`` (as YAML resolves a plain value: 1917 is a number, "1917" text)."""

    what: str
    tags: frozenset[str]
    values: frozenset[str] | None = None  # only these values (e.g. 'unknown')
    node_type: type[Node] = field(default=ScalarNode, init=False)

    def check(self, node: Node, where: str, report: Report) -> None:
        if not isinstance(node, ScalarNode) or node.tag not in self.tags:
            self._expected(node, where, report)
        elif self.values is not None and node.value not in self.values:
            report(node, where, f"expected {self.what}, found {node.value!r}")


@dataclass(frozen=True)
class ListOf(Shape):
    item: Shape
    what: str
    node_type: type[Node] = field(default=SequenceNode, init=False)

    def check(self, node: Node, where: str, report: Report) -> None:
        if not isinstance(node, SequenceNode) or node.tag != _SEQ:
            self._expected(node, where, report)
            return
        for i, item in enumerate(node.value):
            self.item.check(item, f"{where}[{i}]", report)


def _keys(node: MappingNode, where: str, report: Report) -> list[tuple[str, Node, Node]]:
    """The mapping's text keys with their nodes; a key that is not text, or is given twice, is reported."""
    seen: dict[str, int] = {}
    keys = []
    for key, value in node.value:
        if not isinstance(key, ScalarNode) or key.tag != STR:
            report(key, where, f"a key must be text, found {_found(key)}")
            continue
        if key.value in seen:
            report(key, _under(where, key.value), f"given twice (first at line {seen[key.value]})")
            continue
        seen[key.value] = key.start_mark.line + 1
        keys.append((key.value, key, value))
    return keys


@dataclass(frozen=True)
class Entries(Shape):
    """A mapping of ids to entries of one shape (``persons:``: id -> what we know of that person)."""

    entry: Shape
    what: str
    node_type: type[Node] = field(default=MappingNode, init=False)

    def check(self, node: Node, where: str, report: Report) -> None:
        if not isinstance(node, MappingNode) or node.tag != _MAP:
            self._expected(node, where, report)
            return
        for name, key, value in _keys(node, where, report):
            if not is_slug(name):  # it becomes the last part of a URI
                report(key, _under(where, name), "an id is lower-case ASCII words joined by '-'")
            self.entry.check(value, _under(where, name), report)


@dataclass(frozen=True)
class Record(Shape):
    """A mapping of known keys, each with its shape; ``patterns``: keys named by a pattern instead
    (an event's CRM properties, ``P14_carried_out_by``)."""

    what: str
    fields: dict[str, Shape]
    required: tuple[str, ...] = ()
    patterns: tuple[tuple[re.Pattern[str], Shape], ...] = ()
    noun: str = "key"
    node_type: type[Node] = field(default=MappingNode, init=False)

    def check(self, node: Node, where: str, report: Report) -> None:
        if not isinstance(node, MappingNode) or node.tag != _MAP:
            self._expected(node, where, report)
            return
        given = set()
        for name, key, value in _keys(node, where, report):
            given.add(name)
            shape = self.fields.get(name) or next((s for p, s in self.patterns if p.match(name)), None)
            if shape is None:
                known = ", ".join(self.fields) + (" or a CRM property (P...)" if self.patterns else "")
                report(key, _under(where, name), f"unknown {self.noun} (the {self.noun}s are {known})")
                continue
            shape.check(value, _under(where, name), report)
        for name in self.required:
            if name not in given:
                report(node, where, f"needs {name!r}")


@dataclass(frozen=True)
class AnyOf(Shape):
    """One of several shapes, e.g. a quote as text or as a mapping. Options of different node kinds are
    told apart by the node's kind, so that the message is the matching option's own."""

    what: str
    options: tuple[Shape, ...]
    node_type: type[Node] = field(default=Node, init=False)

    def check(self, node: Node, where: str, report: Report) -> None:
        fitting = [o for o in self.options if isinstance(node, o.node_type)]
        if len(fitting) == 1 and not isinstance(node, ScalarNode):
            fitting[0].check(node, where, report)
            return
        for option in fitting:
            failed: list[str] = []
            option.check(node, where, lambda *args, failed=failed: failed.append("x"))
            if not failed:
                return
        self._expected(node, where, report)


def optional(shape: Shape) -> AnyOf:
    """``shape``, or nothing (``key:`` with no value, which the loaders read as absent or empty)."""
    return AnyOf(shape.what, (Scalar("nothing", frozenset({NULL})), shape))


# --- the tables ---------------------------------------------------------------------------------

TEXT = Scalar("text", frozenset({STR}))
FLAG = Scalar("true or false", frozenset({BOOL}))
INSTANT = Scalar("an ISO date-time (1921-12-20T20:00:00)", frozenset({STR, TIMESTAMP}))
TEXTS = optional(AnyOf("text or a list of texts", (TEXT, ListOf(TEXT, "a list of texts"))))

QUOTE = AnyOf("a quote (the text, or a mapping with quote, prefix, suffix, voice)", (
    TEXT, Record("a quote", {"quote": TEXT, "prefix": TEXT, "suffix": TEXT, "voice": TEXT}, required=("quote",))))
QUOTES = optional(ListOf(QUOTE, "a list of quotes"))

TIME = optional(AnyOf("'unknown' or a mapping with begin, end, label", (
    Scalar("'unknown'", frozenset({STR}), frozenset({"unknown"})),
    Record("a time-span", {"begin": optional(INSTANT), "end": optional(INSTANT), "label": optional(TEXT)}))))

ENTITY_FIELDS: dict[str, Shape] = {
    "label": TEXT, "name": optional(TEXT), "names": TEXTS, "same_as": TEXTS, "note": optional(TEXT),
    "mentions": QUOTES, "evidence": QUOTES, "class": TEXT, "type": TEXT, "time": TIME,
    "content": QUOTE, "written_on": TEXT,  # a text's: the passage that is it, what it is written on
}
ENTITY = optional(Record("an entry (a mapping of label, name, mentions, ...)", ENTITY_FIELDS))
EVENT = optional(Record("an event (a mapping of class, label, evidence, P... properties, ...)", ENTITY_FIELDS,
                        patterns=((re.compile(r"P\d"), TEXTS),)))

RELATION = Record("a relation (a mapping of subject, property, object, role, note, evidence)",
                  {"subject": TEXT, "property": TEXT, "object": TEXT, "role": TEXT, "note": optional(TEXT),
                   "evidence": QUOTES},
                  required=("subject", "property", "object", "evidence"))


def _entities(entry: Shape) -> Shape:
    return optional(Entries(entry, "a mapping of ids to entries"))


# An annotation file (lod.annotations): the letter it curates and what it says about who and what is in it.
ANNOTATION_SECTIONS: dict[str, Shape] = {
    "letter": TEXT,
    "slug": TEXT,
    "persons": _entities(ENTITY),
    "groups": _entities(ENTITY),
    "places": _entities(ENTITY),
    "texts": _entities(ENTITY),
    "events": _entities(EVENT),
    "relations": optional(ListOf(RELATION, "a list of relations")),
}
ANNOTATION_FILE = Record("a mapping of sections (letter, slug, persons, ...)", ANNOTATION_SECTIONS, noun="section")

# The register (lod.identity): persons, groups and places shared by all letters.
REGISTERED = Record("a register entry (a mapping of label, name, names, ...)", {
    "label": TEXT, "name": optional(TEXT), "names": TEXTS, "same_as": TEXTS, "note": optional(TEXT),
    "identification": optional(TEXT), "unambiguous_surname": FLAG,
}, required=("label",))
REGISTER_SECTIONS: dict[str, Shape] = {
    "persons": _entities(REGISTERED),
    "groups": _entities(REGISTERED),
    "places": _entities(REGISTERED),
}
REGISTER_FILE = Record("a mapping of sections (persons, groups, places)", REGISTER_SECTIONS, noun="section")
