"""A letter's text with its annotations highlighted: each annotation's range wrapped in an element.

Pure: text and marks in, escaped HTML out; no Flask, no store. The letter page (``pages.py``) makes
the marks from the annotations and puts the result in its template as it is.

Annotations overlap freely (a name inside the evidence of an event, two annotations on the same
words, an event's evidence crossing a name), while HTML elements must nest. ``_nest`` makes a tree
of properly nested ranges, cutting a mark where it crosses the end of the one it starts in; every
mark still covers exactly its own code points, in one piece or several.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace

from markupsafe import Markup, escape

# Which of two annotations on the same range wraps the other: events and notes outside, names inside.
NESTING_RANK = {"note": 0, "event": 1, "text": 2, "letter": 2, "other": 2, "group": 3, "place": 3, "person": 4}


@dataclass
class Mark:
    """One annotation's range in the text (code points, end exclusive), or the part of it left after a split."""

    start: int
    end: int
    anchor: str  # fragment id, 'a-001'
    kind: str  # person, group, place, event, text, note, ...
    href: str | None
    title: str
    classes: tuple[str, ...] = ()
    first: bool = True  # the first piece carries the id; the rest of a split mark does not


@dataclass
class _Node:
    mark: Mark | None
    start: int
    end: int
    children: list[_Node] = field(default_factory=list)


def _nest(text: str, marks: list[Mark]) -> _Node:
    """Marks as a tree of properly nested ranges.

    A mark inside another becomes its child; a mark that crosses the end of the one it starts in
    is cut there, and the rest is queued as a continuation piece, so that the HTML stays well formed
    while every mark still covers exactly its own characters.
    """
    root = _Node(None, 0, len(text))
    queue = [(m.start, -m.end, NESTING_RANK.get(m.kind, 2), m.anchor, i, m) for i, m in enumerate(marks)]
    heapq.heapify(queue)
    counter = len(marks)
    stack = [root]
    while queue:
        start, neg_end, rank, anchor, _, mark = heapq.heappop(queue)
        end = -neg_end
        if start >= end:
            continue
        while len(stack) > 1 and stack[-1].end <= start:
            stack.pop()
        parent = stack[-1]
        if end > parent.end:
            rest = replace(mark, start=parent.end, first=False)
            counter += 1
            heapq.heappush(queue, (rest.start, -rest.end, rank, anchor, counter, rest))
            end = parent.end
        node = _Node(replace(mark, start=start, end=end), start, end)
        parent.children.append(node)
        stack.append(node)
    return root


def _open(mark: Mark, tag: str, *, link: bool, with_id: bool, part: bool = False) -> str:
    classes = ["mention", mark.kind, *mark.classes]
    if part:
        classes.append("part")
    if not mark.first:
        classes.append("cont")
    attrs = [f'class="{escape(" ".join(classes))}"']
    if with_id and mark.first:
        attrs.append(f'id="{escape(mark.anchor)}"')
    else:
        attrs.append(f'data-anchor="{escape(mark.anchor)}"')
    if link and mark.href:
        attrs.append(f'href="{escape(mark.href)}"')
    if mark.title:
        attrs.append(f'title="{escape(mark.title)}"')
    return f"<{tag} {' '.join(attrs)}>"


def _render(node: _Node, text: str, out: list[str]) -> None:
    mark = node.mark
    if mark is not None and not node.children:
        tag = "a" if mark.href else "span"
        out.append(_open(mark, tag, link=True, with_id=True) + str(escape(text[node.start:node.end])) + f"</{tag}>")
        return
    if mark is not None:
        out.append(_open(mark, "span", link=False, with_id=True))
    pos = node.start
    for child in node.children:
        _gap(mark, text[pos:child.start], out)
        _render(child, text, out)
        pos = child.end
    _gap(mark, text[pos:node.end], out)
    if mark is not None:
        out.append("</span>")


def _gap(mark: Mark | None, piece: str, out: list[str]) -> None:
    """Text of a mark that no inner mark covers links to the mark's own target."""
    if not piece:
        return
    if mark is not None and mark.href:
        out.append(_open(mark, "a", link=True, with_id=False, part=True) + str(escape(piece)) + "</a>")
    else:
        out.append(str(escape(piece)))


def highlight(text: str, marks: list[Mark]) -> Markup:
    """The text, escaped, with each mark wrapped around exactly its code points (innermost mark links)."""
    out: list[str] = []
    _render(_nest(text, marks), text, out)
    return Markup("".join(out))
