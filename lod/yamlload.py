"""Reading a curator's YAML file (an annotation file, the register) under limits, checked against its shape.

``yaml.safe_load`` refuses dangerous tags but not dangerous sizes: an alias bomb (a few lines of anchors
each aliased ten times) expands to billions of nodes when constructed, deep nesting overflows the
recursive composer, and a file of the wrong shape (``persons: [a, b]``) reaches the loader's code as
a value it does not expect. So the file is read up to a size, composed into YAML's node tree (which
carries line numbers) by a composer that refuses aliases and deep nesting, checked against a shape
(``lod.schema``) that reports every problem with its line, and only then constructed.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node

from .schema import Shape

MAX_BYTES = 2 * 2 ** 20  # the register of a large correspondence; our files are some 10 KB
MAX_DEPTH = 32  # our files nest five levels deep


class YamlProblems(ValueError):
    """What is wrong with a YAML file: one line per problem, each ``file:line: what``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(describe(problems))
        self.problems = problems


SHOWN = 50  # problems listed; a file can hold thousands of the same mistake


def describe(problems: list[str]) -> str:
    """The problems as a message: one line, or a count and a line each (the first ``SHOWN`` of them)."""
    if len(problems) == 1:
        return problems[0]
    more = f"\n... and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
    return f"{len(problems)} problems in the YAML files:\n" + "\n".join(problems[:SHOWN]) + more


class _Refused(yaml.MarkedYAMLError):
    pass


class _LimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, whose composer refuses aliases and nesting past ``MAX_DEPTH``.

    Aliases are refused outright rather than counted: nothing in our files needs one, and a shared node
    is what makes a bomb cheap to write and ruinous to construct or to walk.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(problem=f"an alias (*{event.anchor}) is not accepted here: write the value out",
                           problem_mark=event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _read(path: Path, max_bytes: int) -> str:
    try:
        with open(path, "rb") as file:
            data = file.read(max_bytes + 1)  # never more than the limit into memory
    except OSError as exc:
        raise YamlProblems([f"{path.name}: cannot be read: {exc.strerror or exc}"]) from None
    if len(data) > max_bytes:
        raise YamlProblems([f"{path.name}: larger than {max_bytes // 1024} KiB, the largest YAML file read"])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblems([f"{path.name}: not UTF-8 (byte 0x{data[exc.start]:02x} at byte offset {exc.start})"]) from None


def _words(exc: yaml.MarkedYAMLError) -> str:
    """PyYAML's context and problem as one phrase: 'expected ']' (while parsing a flow sequence)'."""
    if not exc.context:
        return str(exc.problem)
    if exc.context.startswith("while "):
        return f"{exc.problem} ({exc.context})"
    return f"{exc.context} {exc.problem}"  # 'expected a single document in the stream' 'but found another document'


def load_yaml(path: Path, shape: Shape, max_bytes: int = MAX_BYTES) -> Any:
    """The file's data, constructed as ``yaml.safe_load`` would, once it is within the limits and of ``shape``.

    Raises ``YamlProblems`` listing every problem found, each with the file and line.
    """
    loader = _LimitedLoader(_read(path, max_bytes))
    try:
        node = loader.get_single_node()
        problems = shape.problems(node, path.name)
        if problems:
            raise YamlProblems(problems)
        return loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        raise YamlProblems([f"{path.name}:{exc.problem_mark.line + 1}: {exc.problem}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise YamlProblems([f"{path.name}{line}: not readable YAML: {_words(exc)}"]) from None
    except yaml.YAMLError as exc:
        raise YamlProblems([f"{path.name}: not readable YAML: {exc}"]) from None
    finally:
        loader.dispose()
