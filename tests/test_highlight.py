"""The highlight of a letter's text, without a server: marks in, well-formed escaped HTML out.

Whatever the annotations do (nest, cross, share a range, touch, sit at either end of the text),
the text comes out whole and escaped, every mark covers exactly its own code points, the elements
nest, and no link is inside another.
"""
from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from lod.web.highlight import Mark, highlight

KINDS = ["person", "group", "place", "event", "note", "text", "letter", "other"]


class Piece:
    """An element of the highlighted fragment: its tag, attributes, parent and children."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Piece | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Piece | str] = []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def anchor(self) -> str:
        return self.attrs.get("id") or self.attrs["data-anchor"]

    def elements(self):
        for child in self.children:
            if isinstance(child, Piece):
                yield child
                yield from child.elements()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Parser(HTMLParser):
    """Builds the tree, and fails on any end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.current = Piece("#fragment", {}, None)

    def handle_starttag(self, tag, attrs):
        assert tag in ("a", "span"), f"only <a> and <span> are made, not <{tag}>"
        element = Piece(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        self.current = element

    def handle_endtag(self, tag):
        assert tag == self.current.tag, f"</{tag}> while <{self.current.tag}> is open"
        self.current = self.current.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Piece:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    assert parser.current is parser.root, "every element is closed"
    return parser.root


def spelled(root: Piece) -> dict[str, str]:
    """For each mark, the text of its pieces in document order (a 'part' is the mark's text between
    inner marks, inside the mark's own element already, so it is not counted twice)."""
    found: dict[str, str] = {}
    for el in root.elements():
        if "mention" in el.classes and "part" not in el.classes:
            found[el.anchor] = found.get(el.anchor, "") + el.text
    return found


def check(text: str, marks: list[Mark]) -> Piece:
    """What holds for every highlight; the parsed fragment, for more questions."""
    html = highlight(text, marks)
    assert isinstance(html, Markup)
    root = parse(str(html))
    assert root.text == text, "nothing lost, nothing added, nothing left escaped twice"
    pieces = spelled(root)
    for m in marks:
        if m.end > m.start:
            assert pieces.get(m.anchor) == text[m.start:m.end], m.anchor
            ids = [el for el in root.elements() if el.attrs.get("id") == m.anchor]
            assert len(ids) == 1, f"{m.anchor}: its first piece, and only that, carries the id"
        else:
            assert m.anchor not in pieces, "an empty range shows nothing"
    for a in (el for el in root.elements() if el.tag == "a"):
        assert not any(p.tag == "a" for p in a.ancestors()), "no link inside a link"
        assert a.attrs.get("href"), "a link has a target; a mark without one is a span"
    return root


def by_anchor(root: Piece, anchor: str) -> list[Piece]:
    return [el for el in root.elements() if el.attrs.get("id") == anchor or el.attrs.get("data-anchor") == anchor]


# --- the format --------------------------------------------------------------------------------


def test_no_marks_is_the_text_escaped():
    assert highlight("Lenin & <Co>", []) == Markup("Lenin &amp; &lt;Co&gt;")
    assert highlight("", []) == Markup("")


def test_one_mark_is_one_link_with_its_id_and_title():
    html = highlight("Hello Lenin!", [Mark(6, 11, "a-1", "person", "http://x/p", "Lenin (person)")])
    assert str(html) == 'Hello <a class="mention person" id="a-1" href="http://x/p" title="Lenin (person)">Lenin</a>!'


def test_a_mark_without_a_target_is_a_span_and_its_classes_follow_the_kind():
    html = highlight("see [1] here", [Mark(4, 7, "a-2", "note", None, "", ("note-text",))])
    assert str(html) == 'see <span class="mention note note-text" id="a-2">[1]</span> here'


# --- where the marks are -------------------------------------------------------------------------


def test_marks_at_both_ends_of_the_text():
    text = "Zinoviev wrote to Kamenev"
    marks = [Mark(0, 8, "a-1", "person", "http://x/z", "z"), Mark(18, 25, "a-2", "person", "http://x/k", "k")]
    root = check(text, marks)
    assert str(highlight(text, marks)).startswith('<a class="mention person" id="a-1"')
    assert str(highlight(text, marks)).endswith(">Kamenev</a>")
    assert [c for c in root.children if isinstance(c, str)] == [" wrote to "]


def test_a_mark_over_the_whole_text():
    text = "Moscow"
    root = check(text, [Mark(0, 6, "a-1", "place", "http://x/m", "m")])
    assert len(root.children) == 1 and root.children[0].text == "Moscow"


def test_adjacent_marks_are_siblings_not_nested():
    text = "Kasparova-Popova"
    marks = [Mark(0, 9, "a-1", "person", "http://x/1", "1"), Mark(9, 10, "a-2", "text", None, "2"),
             Mark(10, 16, "a-3", "person", "http://x/3", "3")]
    root = check(text, marks)
    assert [el.anchor for el in root.children] == ["a-1", "a-2", "a-3"]
    assert not any("cont" in el.classes for el in root.elements())


def test_a_mark_inside_another_is_its_child_and_the_outer_text_still_links():
    text = "the expulsion of Kasparova from the party"
    outer = Mark(4, 41, "a-1", "event", "http://x/e", "e", ("evidence",))
    inner = Mark(17, 26, "a-2", "person", "http://x/p", "p")
    root = check(text, [inner, outer])  # the order given does not matter
    (event,) = [el for el in root.elements() if el.attrs.get("id") == "a-1"]
    assert event.tag == "span", "a mark with marks inside is a span; its own words are links"
    (person,) = [el for el in event.elements() if el.attrs.get("id") == "a-2"]
    assert person.tag == "a" and person.parent is event
    parts = [el for el in event.children if not isinstance(el, str) and "part" in el.classes]
    assert [p.text for p in parts] == ["expulsion of ", " from the party"]
    assert all(p.tag == "a" and p.attrs["href"] == "http://x/e" and p.attrs["data-anchor"] == "a-1" for p in parts)


def test_marks_on_the_same_range_nest_by_kind():
    text = "Comintern"
    marks = [Mark(0, 9, "a-1", "group", "http://x/g", "g"), Mark(0, 9, "a-2", "event", "http://x/e", "e"),
             Mark(0, 9, "a-3", "note", "#n-1", "n")]
    root = check(text, marks)
    (outermost,) = [el for el in root.children if not isinstance(el, str)]
    chain = [outermost.anchor]
    node = outermost
    while [c for c in node.children if not isinstance(c, str)]:
        (node,) = [c for c in node.children if not isinstance(c, str)]
        chain.append(node.anchor)
    assert chain == ["a-3", "a-2", "a-1"], "notes outside events, events outside names"


def test_a_mark_crossing_the_end_of_another_is_cut_there():
    text = "Comrade Kasparova-Popova and the Party"
    name = Mark(0, 24, "a-1", "person", "http://x/p", "p")
    evidence = Mark(8, 32, "a-2", "event", "http://x/e", "e", ("evidence",))
    root = check(text, [name, evidence])
    pieces = by_anchor(root, "a-2")
    assert [p.text for p in pieces] == ["Kasparova-Popova", " and the"]
    assert "cont" not in pieces[0].classes and "id" in pieces[0].attrs
    assert "cont" in pieces[1].classes and "id" not in pieces[1].attrs


def test_crossing_equal_and_nested_at_once():
    text = "Comrade Kasparova-Popova and the Party <b>"
    marks = [Mark(0, 24, "a-1", "person", "http://x/p", "p"), Mark(8, 33, "a-2", "event", "http://x/e", "e"),
             Mark(29, 38, "a-3", "group", "http://x/g", "g"), Mark(29, 38, "a-4", "place", "http://x/pl", "pl"),
             Mark(39, 42, "a-5", "text", None, "t")]
    check(text, marks)


def test_empty_and_inverted_ranges_show_nothing():
    text = "nothing here"
    assert highlight(text, [Mark(3, 3, "a-1", "person", "http://x", "x"),
                            Mark(5, 2, "a-2", "person", "http://x", "x")]) == Markup("nothing here")


def test_offsets_count_code_points():
    text = "\U0001F600 Lenin \u00e9"
    check(text, [Mark(2, 7, "a-1", "person", "http://x/l", "l"), Mark(0, 1, "a-2", "text", None, "")])
    assert "Lenin</a>" in str(highlight(text, [Mark(2, 7, "a-1", "person", "http://x/l", "l")]))


# --- nothing from the data is sent unescaped -------------------------------------------------------


def test_hostile_text_and_attributes_are_escaped():
    text = '<script>alert("x")</script> & \'quoted\' <img src=x onerror=alert(1)>'
    marks = [Mark(0, 8, 'a-"1', 'person" onclick="x', 'http://x/?a=1&b="2"', '<b>"title"</b>', ('a"b',)),
             Mark(31, 39, "a-2", "group", None, "' onmouseover='x")]
    html = str(highlight(text, marks))
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert 'onclick="' not in html and "onmouseover='" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    root = check(text, marks)
    (first,) = by_anchor(root, 'a-"1')
    assert first.attrs["href"] == 'http://x/?a=1&b="2"' and first.attrs["title"] == '<b>"title"</b>'
    assert first.classes == ["mention", "person\"", "onclick=\"x", 'a"b']


# --- whatever the marks ----------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab <&>\"'\n\u00e9\U0001F600", max_size=40).flatmap(
    lambda text: st.tuples(st.just(text), st.lists(
        st.tuples(st.integers(0, len(text)), st.integers(0, len(text)), st.sampled_from(KINDS), st.booleans(),
                  st.sampled_from(["", "t", "<i>\"'&"])),
        max_size=10))))
def test_every_mark_is_exact_whatever_the_overlaps(case):
    text, raw = case
    marks = [Mark(min(a, b), max(a, b), f"a-{i:03d}", kind, f"http://x/{kind}?q=<&>" if link else None, title)
             for i, (a, b, kind, link, title) in enumerate(raw)]
    check(text, marks)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.sampled_from(KINDS)), max_size=8))
def test_the_order_the_marks_come_in_does_not_matter(raw):
    text = "Vladimir Ilyich to the Politburo"
    marks = [Mark(min(a, b), max(a, b), f"a-{i}", kind, "http://x/" + kind, kind) for i, (a, b, kind) in enumerate(raw)]
    assert highlight(text, marks) == highlight(text, list(reversed(marks)))
