"""The HTML pages, as a reader's browser gets them: `Accept: text/html`, 303s followed, from the app in this process.

What a reader should find: the home lists the letters; a letter page shows the whole text with every
annotated mention highlighted around exactly its quote; a person page shows what the letters say of
her, quote by quote; an event page says when in words; the timeline is in date order; every page
carries its data as JSON-LD that cannot break out of its <script>, and nothing from the data is ever
sent to the browser unescaped.
"""
from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest
import rdflib
import requests
from hypothesis import given, settings, strategies as st

from lod.web.highlight import Mark, highlight
from lod.web.pages import HOME_EVENTS, HOME_LETTERS, HOME_NAMES, TIMELINE_LIMIT
from lod.web.wording import time_words
from support import REPO, make_app

LETTER = "id/letter/1921-12-20-zalutsky-salts"
PERSON = "id/person/kasparova-popova"
EXPULSION = "id/event/expulsion-of-kasparova-popova"
HTML = {"Accept": "text/html"}


# --- a small DOM, enough to ask questions of a page ---------------------------------------------


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parent: "Element | None") -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list["Element | str"] = []

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list["Element"]:
        return [e for e in self.iter() if (tag is None or e.tag == tag)
                and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.current)
        self.current.children.append(element)
        if tag not in _VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"</{tag}> closes nothing"
        assert node is self.current, f"</{tag}> closes <{tag}> while <{self.current.tag}> is still open"
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def dom(html: str) -> Element:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def visible_text(root: Element) -> str:
    """The text a reader sees: no <script>, <style> or <head>, whitespace collapsed."""
    def walk(node: Element):
        for child in node.children:
            if isinstance(child, str):
                yield child
            elif child.tag not in ("script", "style", "head", "title"):
                yield from walk(child)
    return " ".join("".join(walk(root)).split())


def squash(text: str) -> str:
    return " ".join(text.split())


def jsonld_of(root: Element) -> str:
    scripts = root.find_all("script", type="application/ld+json")
    assert len(scripts) == 1, "one JSON-LD block per page"
    return scripts[0].text


# --- the server -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site(web, base):
    """The app over the session's build, in this process (``web`` reaches it at the base URI of the data)."""
    return base


@pytest.fixture(scope="session")
def get(site, web):
    cache: dict[str, requests.Response] = {}

    def fetch(path: str) -> requests.Response:
        if path not in cache:
            cache[path] = web.get(site + path, headers=HTML, timeout=30)
        return cache[path]
    return fetch


@pytest.fixture(scope="session")
def page(get):
    """``page(path)``: the parsed HTML of a page that must answer 200 as HTML."""
    def parsed(path: str) -> Element:
        response = get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        assert response.headers["Content-Type"].startswith("text/html")
        return dom(response.text)
    return parsed


@pytest.fixture(scope="session")
def letter_graph(site, web, page) -> rdflib.Graph:
    """The letter's own document in Turtle, found through the page's rel=alternate link."""
    links = page(LETTER).find_all("link", rel="alternate", type="text/turtle")
    assert links, "the letter page links its Turtle alternate"
    response = web.get(links[0].attrs["href"], timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    return rdflib.Graph().parse(data=response.content, format="turtle")


OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
CRM = rdflib.Namespace("http://www.cidoc-crm.org/cidoc-crm/")


def annotations_of(graph: rdflib.Graph, text_uri: str) -> list[dict]:
    rows = graph.query("""
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?ann ?body ?start ?end ?exact WHERE {
          ?ann oa:hasBody ?body ; oa:hasTarget ?t .
          ?t oa:hasSource ?text ; oa:hasSelector ?p, ?q .
          ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact .
        }""", initBindings={"text": rdflib.URIRef(text_uri)})
    return [{"ann": str(r.ann), "anchor": "a-" + str(r.ann).rsplit("/", 1)[-1], "body": str(r.body),
             "start": int(r.start), "end": int(r.end), "exact": str(r.exact)} for r in rows]


@pytest.fixture(scope="session")
def letter_uris(built, base) -> set[str]:
    """The URI of every letter of data/letters, as the session's build named their graphs (letters first)."""
    uris = {str(name) for name, _ in built.graphs[:len(built.letters)]}
    assert len(uris) == len(built.letters) and all(u.startswith(base + "id/letter/") for u in uris)
    return uris


# --- home -----------------------------------------------------------------------------------------


def test_home_lists_every_letter_and_the_ways_in(site, page, letter_uris):
    root = page("")
    letters = root.find_all("ol")[0] if root.find_all("ol") else None
    hrefs = {a.attrs["href"] for a in root.find_all("a") if a.attrs.get("href", "").startswith(site + "id/letter/")}
    assert hrefs == letter_uris
    assert letters is not None and len(letters.find_all("li")) == len(letter_uris)
    text = visible_text(root)
    assert "Letters of V. I. Lenin as Linked Open Data" in text  # the VoID title
    assert "20 December 1921" in text and "7–8 December 1922" in text  # dates in words
    for target in ("sparql", "dumps/", "void", "timeline"):
        assert root.find_all("a", href=site + target), f"home links {target}"
    assert root.find_all("a", href=site + PERSON), "persons are listed"
    assert root.find_all("a", href=site + EXPULSION), "events are listed"


def test_pages_load_nothing_from_elsewhere(site, get):
    """No CDN: every stylesheet, script and image the pages name is on this server."""
    for path in ("", LETTER, PERSON, EXPULSION, "timeline"):
        root = dom(get(path).text)
        for el in root.iter():
            src = el.attrs.get("src") or (el.attrs.get("href") if el.tag == "link" and el.attrs.get("rel") in
                                          ("stylesheet", "icon", "preload", "script") else None)
            if src:
                assert src.startswith(("/", site, "data:")), (path, src)
        assert root.find_all("meta", name="viewport"), "readable on a phone"


# --- the letter -----------------------------------------------------------------------------------


def test_letter_page_shows_the_whole_body_text(page, letter_graph):
    text = visible_text(page(LETTER))
    body = str(letter_graph.value(rdflib.URIRef(page_uri(page, LETTER)), CRM.P190_has_symbolic_content))
    paragraphs = [squash(p) for p in body.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 4
    for paragraph in paragraphs:
        assert paragraph in text


def page_uri(page, path: str) -> str:
    return page(path).find_all("link", rel="canonical")[0].attrs["href"]


def test_letter_page_links_the_mention_of_kasparova_popova(site, page):
    root = page(LETTER)
    mentions = [a for a in root.find_all("a", href=site + PERSON) if "mention" in a.classes]
    assert mentions, "a highlighted mention links to her /id/ URI"
    assert "Comrade Kasparova-Popova" in {a.text for a in mentions}
    assert all("person" in a.classes for a in mentions)


def test_every_annotation_is_highlighted_around_exactly_its_quote(site, page, letter_graph):
    """Nested and crossing annotations included: the pieces of one mark, in order, spell its quote."""
    root = page(LETTER)
    text_uri = f"{site}id/text/1921-12-20-zalutsky-salts"
    annotations = annotations_of(letter_graph, text_uri)
    assert len(annotations) > 40
    by_id = {el.attrs["id"]: el for el in root.iter() if "id" in el.attrs}
    pieces: dict[str, list[Element]] = {}
    for el in root.iter():
        if "mention" not in el.classes:
            continue
        key = el.attrs.get("id") or el.attrs.get("data-anchor")
        if "part" not in el.classes:  # parts are the uncovered text inside a mark that also has inner marks
            pieces.setdefault(key, []).append(el)
    nested = 0
    for ann in annotations:
        assert ann["anchor"] in by_id, f"{ann['ann']} has no highlight"
        element = by_id[ann["anchor"]]
        assert "mention" in element.classes
        assert "".join(el.text for el in pieces[ann["anchor"]]) == ann["exact"], ann
        nested += any("mention" in a.classes for a in element.ancestors())
    assert nested > 0, "the fixture letter has nested annotations; they must nest, not vanish"
    # no link inside a link (browsers would tear such markup apart)
    for a in root.find_all("a"):
        assert not any(p.tag == "a" for p in a.ancestors()), a.attrs


def test_event_evidence_is_highlighted_apart_from_names(site, page):
    root = page(LETTER)
    evidence = [el for el in root.iter() if "evidence" in el.classes and el.attrs.get("id")]
    assert evidence and all("event" in el.classes for el in evidence)
    links = {a.attrs.get("href") for el in evidence for a in [el, *el.iter()] if a.tag == "a"}
    assert site + EXPULSION in links


def test_letter_page_has_its_footnote_and_header_data(site, page):
    root = page(LETTER)
    text = visible_text(root)
    notes = root.find_all(id="note-1")
    assert notes and "Yevgenia Popova (Kasparova) was reinstated in the Party." in notes[0].text
    assert root.find_all("a", href="#note-1"), "the [1] marker in the text links to its note"
    assert root.find_all("a", href=f"{site}{LETTER}/note/1"), "the note links to its own URI"
    for fact in ("Author", "V. I. Lenin", "P. A. Zalutsky", "A. A. Solts", "20 December 1921", "Yuri Sdobnikov",
                 "R. Cymbala", "Lenin Collected Works, Progress Publishers, 1976, Moscow, Volume 45, pages 414b-415a.",
                 "First published in 1959 in Lenin Miscellany XXXVI", "Lenin Collected Works, Volume 45"):
        assert fact in text, fact


def test_letter_page_has_a_cite_this_line(site, page):
    root = page(LETTER)
    section = root.find_all(id="cite")[0]
    line = squash(section.text)
    assert "Cite this" in line
    for part in ("V. I. Lenin", "V. I. Lenin to P. A. Zalutsky and A. A. Solts, 20 December 1921",
                 "20 December 1921", site + LETTER, "Marxists Internet Archive"):
        assert part in line, part


def test_every_letter_page_renders(site, page, letter_uris):
    for uri in sorted(letter_uris):
        slug = uri[len(site + "id/letter/"):]
        root = page(f"id/letter/{slug}")
        assert root.find_all("div", **{"class": "letter-text"}), slug
        assert any("mention" in a.classes and "person" in a.classes for a in root.find_all("a")), slug
        assert "Marxists Internet Archive" in squash(root.find_all(id="cite")[0].text), slug


# --- persons, events, other things ----------------------------------------------------------------


def test_person_page_shows_the_expulsion_with_its_quote(site, page):
    root = page(PERSON)
    assert squash(root.find_all("h1")[0].text) == "Yevgenia Popova (Kasparova)"
    text = visible_text(root)
    assert "Expulsion of Kasparova-Popova from the Party" in text
    assert "she is absolutely desperate about her expulsion from the Party" in text
    assert root.find_all("a", href=site + EXPULSION)
    # each quote links into the letter, onto the highlighted mention
    into_letter = [a.attrs["href"] for a in root.find_all("a") if a.attrs.get("href", "").startswith(site + LETTER + "#a-")]
    assert into_letter
    letter_ids = {el.attrs["id"] for el in page(LETTER).iter() if "id" in el.attrs}
    for href in into_letter:
        assert href.split("#", 1)[1] in letter_ids, href
    assert "Comrade Kasparova-Popova" in text and "stated by" in text


def test_person_page_links_wikidata_only_where_the_data_does(site, page):
    lenin = page("id/person/lenin")
    assert lenin.find_all("a", href="http://www.wikidata.org/entity/Q1394")
    assert not [a for a in page(PERSON).find_all("a") if "wikidata.org" in a.attrs.get("href", "")]


def test_event_page_says_when_in_words(site, page):
    root = page(EXPULSION)
    text = visible_text(root)
    assert "before 20 December 1921" in text
    assert "expulsion" in text  # its type, by the concept's label
    assert root.find_all("a", href=site + PERSON) and root.find_all("a", href=site + "id/group/party")
    assert "she is absolutely desperate about her expulsion from the Party" in text
    assert "Yevgenia Popova (Kasparova)" in text  # the voice of that quote
    assert [a for a in root.find_all("a") if a.attrs.get("href", "").startswith(site + LETTER + "#a-")]


def test_event_page_with_both_bounds(page):
    text = visible_text(page("id/event/revolution-of-1905"))
    assert "1905" in text and "1907" in text


def test_generic_pages_show_properties_with_labels(site, page):
    for path, expected in (("id/text/1921-12-20-zalutsky-salts", "000_6d2f7f5c90ee0ebe.txt"),
                           ("id/concept/expulsion", "Removal of a member"),
                           (f"{LETTER}/note/1", "was reinstated in the Party"),
                           ("id/event/expulsion-of-kasparova-popova/time", "1921-12-20T20:00:00")):
        root = page(path)
        assert root.find_all("table"), path
        assert expected in visible_text(root), path


def test_timeline_lists_events_in_date_order(site, page, sparql):
    root = page("timeline")
    items = [li for li in root.find_all("li") if "tl-event" in li.classes]
    order = [li.attrs["data-event"][len(site):] for li in items]
    rows = sparql("""
        SELECT ?e ?begin ?end WHERE { ?e crm:P4_has_time-span ?ts .
          OPTIONAL { ?ts crm:P82a_begin_of_the_begin ?begin } OPTIONAL { ?ts crm:P82b_end_of_the_end ?end }
          FILTER(BOUND(?begin) || BOUND(?end)) }""")
    base = "http://127.0.0.1:5000/"  # the session build's base (conftest)
    key = {r["e"][len(base):]: datetime.fromisoformat(r["begin"] or r["end"]) for r in rows}
    assert sorted(order) == sorted(key), "every event with a dated time-span, once"
    dates = [key[e] for e in order]
    assert dates == sorted(dates)
    assert order.index(EXPULSION) < order.index("id/event/reinstatement-of-kasparova-popova")
    assert order.index("id/event/revolution-of-1905") < order.index("id/event/revolution-of-1917")
    expulsion = items[order.index(EXPULSION)]
    assert "before 20 December 1921" in squash(expulsion.text)
    assert expulsion.find_all("a", href=site + EXPULSION) and expulsion.find_all("a", href=site + LETTER)


# --- long lists: the home and the timeline stop at a cap and say where the rest are ---------------


def links_in(part: Element) -> list[str]:
    """The things a list links, in page order (the note on a cut list is not in the list)."""
    return [a.attrs["href"] for li in part.find_all("li") for a in li.find_all("a")]


def cut_notes(part: Element) -> list[Element]:
    return [p for p in part.find_all("p") if "cut" in p.classes]


def told_events(sparql, base: str, on=None) -> set[str]:
    """Events annotated in a letter, less the ones that made or used a letter or a node below it."""
    annotated = {r["e"] for r in sparql("SELECT DISTINCT ?e WHERE { ?a oa:hasBody ?e }", on=on)
                 if r["e"].startswith(base + "id/event/")}
    documents = {r["d"] for r in sparql("SELECT ?d WHERE { ?d a foaf:Document }", on=on)}
    history = {r["e"] for r in sparql("""
        SELECT ?e ?o WHERE { { ?e crm:P94_has_created ?o } UNION { ?e crm:P16_used_specific_object ?o } }""", on=on)
               if any(r["o"][:i] in documents for i in range(len(r["o"]) + 1) if r["o"][i:i + 1] in ("", "/"))}
    return annotated - history


def test_home_and_timeline_of_the_letters_list_everything(site, page, sparql):
    """The caps are far above what the project's letters hold: every name and event is listed, no note."""
    base = "http://127.0.0.1:5000/"  # the session build's base (conftest)
    home = page("")
    assert not cut_notes(home) and not cut_notes(page("timeline"))
    for part, cls in (("persons", "crm:E21_Person"), ("groups", "crm:E74_Group"), ("places", "crm:E53_Place")):
        listed = {href[len(site):] for href in links_in(home.find_all(id=part)[0])}
        assert listed == {r["x"][len(base):] for r in sparql(f"SELECT DISTINCT ?x WHERE {{ ?x a {cls} }}")}, part
    events = {href[len(site):] for href in links_in(home.find_all("section", id="events")[0])}
    assert events == {e[len(base):] for e in told_events(sparql, base)}
    assert EXPULSION in events and "id/event/1921-12-20-zalutsky-salts-creation" not in events


@dataclass
class Corpus:
    base: str  # where it is served, which is also the base URI of the data
    store: ox.Store  # the same file, loaded here to count from


@pytest.fixture(scope="module")
def corpus(long_corpus, web):
    """A synthetic corpus longer than the capped lists (`lod synth`), served as `serve.py --data` serves a file."""
    from lod.config import Settings
    from lod.store import EmbeddedStore

    base, path = long_corpus
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    web.serve(base, make_app(Settings(base=base, out=None), EmbeddedStore.from_files([path])))
    try:
        yield Corpus(base, store)
    finally:
        web.stop(base)


def follow_the_rest(web, note: Element) -> list[str]:
    """Where a cut list's note points: the SPARQL query page, with a query (YASGUI reads ``#query=``) that
    runs on the endpoint. The first column of its answer."""
    page_url, _, fragment = note.find_all("a")[0].attrs["href"].partition("#")
    response = web.get(page_url, headers=HTML, timeout=30)
    assert response.status_code == 200 and dom(response.text).find_all(id="yasgui"), "the query page"
    answer = web.post(page_url, data={"query": parse_qs(fragment)["query"][0]},
                           headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert answer.status_code == 200, answer.text[:300]
    first = answer.json()["head"]["vars"][0]
    return [row[first]["value"] for row in answer.json()["results"]["bindings"]]


def _letter_dates(corpus: Corpus, sparql) -> dict[str, str]:
    return {r["l"]: r["d"] or "~" for r in sparql("""
        SELECT ?l ?d WHERE { ?l a foaf:Document ; dcterms:title ?t . OPTIONAL { ?l dcterms:date ?d } }""",
                                                  on=corpus.store)}


def _mentions(corpus: Corpus, sparql, cls: str) -> dict[str, int]:
    """How many letters mention each person (or group, place): fewer first, to sort by."""
    return {r["x"]: -int(r["n"]) for r in sparql(f"""
        SELECT ?x (COUNT(DISTINCT ?l) AS ?n) WHERE {{ ?x a {cls} . OPTIONAL {{ ?l dcterms:references ?x }} }}
        GROUP BY ?x""", on=corpus.store)}


def _event_dates(corpus: Corpus, sparql, events=None) -> dict[str, str]:
    """The earliest possible start of each event (else its end; '~', after every date, when neither)."""
    rows = sparql("""
        SELECT ?e ?begin ?end WHERE { ?e crm:P4_has_time-span ?ts .
          OPTIONAL { ?ts crm:P82a_begin_of_the_begin ?begin } OPTIONAL { ?ts crm:P82b_end_of_the_end ?end } }""",
                  on=corpus.store)
    dates = {r["e"]: r["begin"] or r["end"] or "~" for r in rows}
    return {e: dates.get(e, "~") for e in events} if events is not None else dates


@pytest.mark.parametrize("part, cap, which", [
    ("letters", HOME_LETTERS, "letters"), ("persons", HOME_NAMES, "persons"), ("events", HOME_EVENTS, "events")])
def test_home_lists_the_first_of_a_long_list_and_links_the_rest(corpus, sparql, part, cap, which, web):
    if which == "letters":
        key = _letter_dates(corpus, sparql)  # the earliest letters
    elif which == "persons":
        key = _mentions(corpus, sparql, "crm:E21_Person")  # the persons most letters mention
    else:
        key = _event_dates(corpus, sparql, told_events(sparql, corpus.base, on=corpus.store))  # the earliest
    assert len(key) > cap, "the corpus is longer than the list's cap"
    response = web.get(corpus.base, headers=HTML, timeout=60)
    assert response.status_code == 200
    section = dom(response.text).find_all("section", id=part)[0]
    shown = links_in(section)
    assert len(shown) == len(set(shown)) == cap and set(shown) <= set(key)
    assert f"({len(key):,})" in squash(section.find_all("h2")[0].text), "the heading counts them all"
    notes = cut_notes(section)
    assert len(notes) == 1 and f"{cap} " in squash(notes[0].text) and f"of {len(key):,} in all" in squash(notes[0].text)
    rest = follow_the_rest(web, notes[0])
    assert not set(shown) & set(rest) and set(shown) | set(rest) == set(key), "the page and the rest: all, once"
    assert max(key[x] for x in shown) <= min(key[x] for x in rest), f"the page shows the first {which}"


def test_home_lists_short_lists_whole_beside_cut_ones(corpus, sparql, web):
    """The corpus has few groups and places: listed whole, with no note, while the letters are cut."""
    root = dom(web.get(corpus.base, headers=HTML, timeout=60).text)
    for part, cls in (("groups", "crm:E74_Group"), ("places", "crm:E53_Place")):
        everything = _mentions(corpus, sparql, cls)
        assert 0 < len(everything) <= HOME_NAMES
        div = root.find_all("div", id=part)[0]
        assert set(links_in(div)) == set(everything) and not cut_notes(div), part
    assert cut_notes(root.find_all("section", id="letters")[0])


def test_timeline_lists_the_earliest_events_and_links_the_rest(corpus, sparql, web):
    dates = _event_dates(corpus, sparql)
    assert len(dates) > TIMELINE_LIMIT, "the corpus is longer than the timeline's cap"
    response = web.get(corpus.base + "timeline", headers=HTML, timeout=60)
    assert response.status_code == 200
    root = dom(response.text)
    shown = [li.attrs["data-event"] for li in root.find_all("li") if "tl-event" in li.classes]
    assert len(shown) == len(set(shown)) == TIMELINE_LIMIT
    assert [dates[e] for e in shown] == sorted(dates[e] for e in shown), "in date order"
    notes = cut_notes(root)
    assert len(notes) == 1 and f"of {len(dates):,} in all" in squash(notes[0].text)
    rest = follow_the_rest(web, notes[0])
    assert not set(shown) & set(rest) and set(shown) | set(rest) == set(dates), "the page and the rest: all, once"
    assert max(dates[e] for e in shown) <= min(dates[e] for e in rest), "the page shows the earliest"
    # the embedded data describes the events shown, not the whole store
    graph = rdflib.Graph().parse(data=jsonld_of(root), format="json-ld")
    described = {str(s) for s in graph.subjects(rdflib.URIRef(str(CRM) + "P4_has_time-span"))}
    assert described == set(shown)


# --- data in the page -----------------------------------------------------------------------------


@pytest.mark.parametrize("path, thing", [
    (LETTER, LETTER), (PERSON, PERSON), (EXPULSION, EXPULSION), ("id/concept/expulsion", "id/concept/expulsion"),
    ("", "void"), ("timeline", EXPULSION),
])
def test_pages_embed_their_data_as_json_ld(site, page, path, thing):
    raw = jsonld_of(page(path))
    json.loads(raw)
    assert "<" not in raw, "'<' is escaped, so no '</script>' can end the block early"
    graph = rdflib.Graph().parse(data=raw, format="json-ld")
    assert (rdflib.URIRef(site + thing), None, None) in graph


def test_document_pages_link_their_alternates(site, page, web):
    root = page(PERSON)
    links = {l.attrs["type"]: l.attrs["href"] for l in root.find_all("link", rel="alternate")}
    assert {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"} <= set(links)
    for media_type, href in links.items():
        response = web.get(href, timeout=30)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith(media_type), href
        assert root.find_all("a", href=href), "and shows them"


def test_unknown_thing_gets_a_friendly_404_page(site, web):
    response = web.get(site + "id/person/nobody-at-all", headers=HTML, timeout=30)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    root = dom(response.text)
    assert "Nothing here" in visible_text(root)
    assert root.find_all("a", href=site)


# --- nothing from the data reaches the page unescaped ---------------------------------------------

XSS = "<script>alert(1)</script>"
XSS_ANNOTATIONS = """\
letter: 008_zinoviev-1922-12-08.txt
persons:
  xss-person:
    label: "<script>alert(1)</script>"
    note: "</script><script>alert(2)</script> & <b>bold</b>"
    same_as: "javascript:alert(3)"
    mentions:
      - quote: "<script>alert(1)</script>"
events:
  xss-event:
    class: E7_Activity
    type: request
    label: "Event </script><img src=x onerror=alert(4)>"
    P14_carried_out_by: xss-person
    time: {end: 1922-12-08T00:00:00, label: "<i>before</i> it"}
    evidence:
      - quote: "slightest! <script>"
"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory, web):
    """A build whose letter text, labels, notes and IRIs carry markup, served in this process.

    (serve.py has no --letters/--annotations options yet, so the app is built here as serve.py would.)
    """
    from lod.build import build
    from lod.config import Settings
    from lod.store import EmbeddedStore

    tmp = tmp_path_factory.mktemp("hostile")
    letters, annotations, out = tmp / "letters", tmp / "annotations", tmp / "out"
    shutil.copytree(REPO / "data" / "letters", letters)
    shutil.copytree(REPO / "data" / "annotations", annotations)
    path = letters / "008_zinoviev-1922-12-08.txt"
    text = path.read_bytes().decode("utf-8")
    assert text.count("Not in the slightest!") == 1
    path.write_bytes(text.replace("Not in the slightest!", f"Not in the slightest! {XSS}").encode("utf-8"))
    (annotations / "008_hostile.yaml").write_text(XSS_ANNOTATIONS, encoding="utf-8")
    base = "http://hostile.test/"
    build(letters, annotations, REPO / "ontology", base, out)
    web.serve(base, make_app(Settings(base=base, letters=letters, annotations=annotations, out=out),
                             EmbeddedStore.from_dumps(out)))
    try:
        yield base
    finally:
        web.stop(base)


@pytest.mark.parametrize("path", ["", "timeline", "id/letter/1922-12-zinoviev", "id/person/xss-person",
                                  "id/event/xss-event", "id/text/1922-12-zinoviev", "id/person/zinoviev",
                                  "id/letter/1922-12-zinoviev/annotation/001", "id/nothing/<script>alert(1)</script>"])
def test_markup_in_the_data_is_never_sent_raw(hostile_site, path, web):
    response = web.get(hostile_site + path, headers=HTML, timeout=30)
    assert response.status_code in (200, 404)
    body = response.text
    assert "<script>alert" not in body
    assert "<img src=x" not in body and "<b>bold</b>" not in body and "<i>before</i>" not in body
    assert not re.search(r"""href=["']?\s*javascript:""", body, re.I)
    if response.status_code == 200:
        root = dom(body)  # well formed: every element closes where it opened
        scripts = root.find_all("script")
        assert len(scripts) == 1 and scripts[0].attrs.get("type") == "application/ld+json"
        json.loads(scripts[0].text)


def test_markup_in_the_text_shows_as_text(hostile_site, web):
    body = web.get(hostile_site + "id/letter/1922-12-zinoviev", headers=HTML, timeout=30).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body  # in the letter's text, highlighted as a mention
    root = dom(body)
    assert XSS in visible_text(root)
    mention = [a for a in root.find_all("a", href=hostile_site + "id/person/xss-person") if "mention" in a.classes]
    assert mention and XSS in "".join(a.text for a in mention)
    raw = jsonld_of(root)
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in raw  # the escaped form, inside the JSON-LD
    assert XSS in raw.encode().decode("unicode_escape") or XSS in json.dumps(json.loads(raw), ensure_ascii=False)


def test_markup_in_labels_shows_as_text(hostile_site, web):
    body = web.get(hostile_site + "id/person/xss-person", headers=HTML, timeout=30).text
    root = dom(body)
    assert squash(root.find_all("h1")[0].text) == XSS
    assert "</script><script>alert(2)</script> & <b>bold</b>" in visible_text(root)
    assert "javascript:alert(3)" in visible_text(root)  # shown, but not as a link


# --- the pieces, without a server -----------------------------------------------------------------


def _marks_of(html: str) -> tuple[Element, dict[str, str]]:
    """The parsed fragment, and for each mark the text of its pieces in document order."""
    root = dom(html)
    spelled: dict[str, str] = {}
    for el in root.iter():
        if "mention" in el.classes and "part" not in el.classes:
            key = el.attrs.get("id") or el.attrs["data-anchor"]
            spelled[key] = spelled.get(key, "") + el.text
    return root, spelled


def test_highlight_nests_crossing_and_equal_ranges():
    text = "Comrade Kasparova-Popova and the Party <b>"
    marks = [
        Mark(0, 24, "a-1", "person", "http://x/p", "p"),          # a name ...
        Mark(8, 33, "a-2", "event", "http://x/e", "e", ("evidence",)),  # ... crossed by evidence
        Mark(29, 38, "a-3", "group", "http://x/g", "g"),          # inside the evidence, then past it
        Mark(29, 38, "a-4", "place", "http://x/pl", "pl"),        # the same range again
        Mark(39, 42, "a-5", "text", None, "t"),                   # no link: a span
    ]
    html = str(highlight(text, marks))
    root, spelled = _marks_of(html)
    assert visible_text(root) == squash(text)
    for m in marks:
        assert spelled[m.anchor] == text[m.start:m.end], m.anchor
    assert "&lt;b&gt;" in html and "<b>" not in html
    for a in root.find_all("a"):
        assert not any(p.tag == "a" for p in a.ancestors())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab <&>\"'\n\u00e9\U0001F600", min_size=1, max_size=40).flatmap(
    lambda text: st.tuples(st.just(text), st.lists(
        st.tuples(st.integers(0, len(text)), st.integers(0, len(text)),
                  st.sampled_from(["person", "group", "place", "event", "note", "text"]), st.booleans()),
        max_size=8))))
def test_highlight_keeps_every_mark_exact_whatever_the_overlaps(case):
    text, raw = case
    marks = [Mark(min(a, b), max(a, b), f"a-{i:03d}", kind, "http://x/" + kind if link else None, kind)
             for i, (a, b, kind, link) in enumerate(raw)]
    html = str(highlight(text, marks))
    root, spelled = _marks_of(html)  # well formed, or the parser's assertions fail
    assert "".join(_all_text(root)) == text  # nothing lost, nothing added, nothing unescaped
    for m in marks:
        if m.end > m.start:
            assert spelled.get(m.anchor) == text[m.start:m.end]
    for a in root.find_all("a"):
        assert not any(p.tag == "a" for p in a.ancestors())


def _all_text(node: Element):
    for child in node.children:
        yield child if isinstance(child, str) else "".join(_all_text(child))


@pytest.mark.parametrize("begin, end, words", [
    (None, "1921-12-20T20:00:00", "before 20 December 1921, 20:00"),
    ("1921-12-20T20:00:00", None, "after 20 December 1921, 20:00"),
    ("1921-12-20T00:00:00", None, "on or after 20 December 1921"),
    ("1905-01-01T00:00:00", "1907-12-31T23:59:59", "1905–1907"),
    ("1917-01-01T00:00:00", "1917-12-31T23:59:59", "1917"),
    (None, "1917-12-31T23:59:59", "by the end of 1917"),
    ("1922-12-07T00:00:00", "1922-12-08T23:59:59", "between 7 and 8 December 1922"),
    ("1922-09-01T00:00:00", "1922-09-30T23:59:59", "September 1922"),
    ("1921-07-25T00:00:00", "1921-07-25T23:59:59", "25 July 1921"),
    ("1921-11-30T00:00:00", "1922-01-02T23:59:59", "between 30 November 1921 and 2 January 1922"),
    (None, None, "date unknown"),
])
def test_time_in_words(begin, end, words):
    parse = lambda v: datetime.fromisoformat(v) if v else None  # noqa: E731
    assert time_words(parse(begin), parse(end)) == words
