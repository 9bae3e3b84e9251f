"""The HTML pages: the home, the timeline, and one page per thing, for readers rather than machines.

The Linked Data layer (``ld.py``) negotiates formats and calls ``render_document`` when a reader
asks for HTML; a page reads what it needs beyond that document through the read model
(``readmodel.py``: plain SPARQL, so that the pages work the same over the embedded store and a
remote endpoint), and its template words it (``wording.py``, the templates' filters).
Everything taken from the data reaches the page through autoescaped Jinja2 templates; the two
exceptions, the highlighted letter text (``highlight.py``) and the embedded JSON-LD
(``docview.jsonld_script``), are escaped where they are made.

Where to look: a person, group or place page is ``_entity_page`` and ``templates/entity.html``; an
event ``_event_page`` and ``event.html``; a letter ``_letter_page`` and ``letter.html``; any other
thing or node ``_generic_page`` and ``generic.html``.
"""
from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request

from ..config import Settings
from ..namespaces import NS
from ..uris import Minter
from . import negotiation
from . import readmodel as rm
from .docview import Doc, jsonld_script, natural_key, property_rows
from .highlight import Mark, highlight
from .negotiation import HTML, PLAIN_TEXT, TEXT_VARIANTS, Variant
from .readmodel import NO_TIME, Quote
from .wording import (
    CURIE_PREFIXES,
    LETTER_ROLES,
    annotation_anchor,
    label,
    local_name,
    property_label,
    safe_href,
)

bp = Blueprint("pages", __name__)

LIST_LIMIT = 100  # letters, events and quotes listed on one entity page
# The home page and the timeline show the first of each list and say where the rest are, as entity
# pages do: on a corpus of thousands of letters, a page of everything takes minutes to make and
# megabytes to send. The caps are far above what the project's own letters hold (4 letters, 16 persons,
# 32 dated events), so that those pages list everything.
HOME_LETTERS = 200
HOME_NAMES = 200  # persons, groups and places, each
HOME_EVENTS = 100
TIMELINE_LIMIT = 500


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


def _store():
    return current_app.extensions["lod.store"]


def kind_of(uri: str, base: str) -> str:
    """person, group, place, event, text, letter, concept, note (a letter's note), or other."""
    parsed = Minter(base).parse(uri)
    if parsed is None:
        return "other"
    if parsed.kind == "letter" and len(parsed.below) >= 2 and parsed.below[0] in ("note", "editor-note"):
        return "note"
    return parsed.kind


def _links(uris, labels: dict[str, str]) -> list[dict]:
    """Links to ``uris``, by label."""
    return [{"href": safe_href(u), "label": label(u, labels), "iri": u}
            for u in sorted(set(uris), key=lambda u: label(u, labels).lower())]


def _link(uri: str, labels: dict[str, str]) -> dict:
    return {"href": safe_href(uri), "label": label(uri, labels)}


def _in_time_order(entries: list[dict]) -> list[dict]:
    return sorted(entries, key=lambda x: ((x["time"] or NO_TIME).sort_key, x["label"]))


def group_by_letter(quotes: list[Quote]) -> list[dict]:
    letters: dict[str, dict] = {}
    for q in quotes:
        entry = letters.setdefault(q.letter, {"uri": q.letter, "href": safe_href(q.letter), "label": q.letter_label,
                                               "date": q.letter_date, "quotes": []})
        entry["quotes"].append(q)
    return sorted(letters.values(), key=lambda e: (e["date"], e["uri"]))


def _page(template: str, **context) -> str:
    context.setdefault("alternates", [])
    context.setdefault("jsonld", None)
    return render_template(template, base=_settings().base, **context)


# --- one page per thing ----------------------------------------------------------------------


def render_document(thing_uri: str, triples: list[ox.Triple], alternates: list[tuple[str, str]]) -> str:
    """The HTML page about any thing or node below one, from the document the LD layer built."""
    base = _settings().base
    doc = Doc(triples, base)
    parsed = Minter(base).parse(thing_uri)
    names = {v.media_type: v.label for v in TEXT_VARIANTS}
    views = [{"href": url, "type": media_type, "label": names.get(media_type, media_type)}
             for url, media_type in alternates]
    common = {"uri": thing_uri, "alternates": views, "jsonld": jsonld_script(triples),
              "title": doc.label(thing_uri), "kind": parsed.kind if parsed else None}
    if parsed is not None and parsed.main:
        if parsed.kind == "letter":
            return _letter_page(thing_uri, doc, common)
        if parsed.kind in ("person", "group", "place"):
            return _entity_page(thing_uri, doc, common)
        if parsed.kind == "event":
            return _event_page(thing_uri, doc, common)
    return _generic_page(thing_uri, doc, common)


def render_not_found(path: str) -> str:
    """A friendly 404 page: what was asked for, and where to go from here."""
    return _page("not_found.html", title="Not found", path=path)


def not_found(plain: str, variant: Variant | None = None) -> Response:
    """404 as HTML when the client asked for HTML (by Accept, or ``variant`` from an extension), otherwise
    ``plain`` as plain text."""
    negotiated = variant is None
    if negotiated:
        variant = negotiation.negotiate(request.accept_mimetypes)
    if variant is HTML:
        response = Response(render_not_found(request.path), 404, content_type=HTML.content_type)
    else:
        response = Response(plain, 404, content_type="text/plain; charset=utf-8")
    if negotiated:
        response.vary.add("Accept")
    return response


def _generic_page(uri: str, doc: Doc, common: dict) -> str:
    base = doc.base
    below = sorted((s for s in doc.out if s != uri and s.startswith(uri + "/")), key=natural_key)
    referrers = defaultdict(list)
    for s, p in doc.incoming.get(uri, []):
        # the document's own metadata (foaf:primaryTopic) is in the footer, not a link from the data
        if s != uri and not s.startswith(uri + "/") and not s.startswith(base + "doc/"):
            referrers[s].append(property_label(p))
    incoming = [{"href": safe_href(s), "label": doc.label(s), "iri": s, "props": sorted(set(ps))}
                for s, ps in sorted(referrers.items(), key=lambda kv: doc.label(kv[0]).lower())]
    return _page("generic.html", **common, types=doc.iris(uri, NS.rdf + "type"), rows=property_rows(doc, uri),
                 below=[{"uri": s, "rows": property_rows(doc, s), "label": doc.label(s) if s in doc.labels
                         else s[len(uri):]} for s in below],
                 incoming=incoming)


def _event_entries(events_roles: list[tuple[str, list[str]]]) -> list[dict]:
    """Events with their time-span, the quotes that anchor them and ``roles``, in time order."""
    store = _store()
    events = [e for e, _ in events_roles]
    labels = rm.labels_of(store, events)
    spans = rm.time_spans(store, events)
    quotes = rm.quotes_for(store, events)
    return _in_time_order([{"uri": e, "href": safe_href(e), "label": label(e, labels), "roles": sorted(set(roles)),
                            "time": spans.get(e), "quotes": quotes.get(e, [])} for e, roles in events_roles])


def _entity_page(uri: str, doc: Doc, common: dict) -> str:
    store = _store()
    names = sorted({*doc.literals(uri, NS.foaf + "name"), *doc.literals(uri, NS.rdfs + "label")}
                   | {n for node in doc.iris(uri, NS.crm + "P1_is_identified_by")
                      for n in doc.literals(node, NS.crm + "P190_has_symbolic_content")})
    same_as = [{"href": safe_href(u), "iri": u} for u in sorted(doc.iris(uri, NS.owl + "sameAs"))]
    # A person named in thousands of letters would make a page of thousands of quotes: each list
    # stops at LIST_LIMIT, and the page says where the rest are (the RDF document pages through them).
    annotations = rm.annotations_about(store, uri, LIST_LIMIT + 1)
    mentions = group_by_letter(rm.quotes_for(store, [uri], annotations[:LIST_LIMIT]).get(uri, []))
    pairs, more_roles = rm.roles_in_letters(store, uri, LETTER_ROLES, LIST_LIMIT)
    letter_labels = rm.labels_of(store, {letter for letter, _ in pairs})
    dates = rm.facts(store, {letter for letter, _ in pairs}, {"date": "dcterms:date"})
    roles: dict[str, dict] = {}
    for letter, p in pairs:
        entry = roles.setdefault(letter, {"href": safe_href(letter), "label": letter_labels.get(letter, letter),
                                          "date": dates.get(letter, {}).get("date", ""), "roles": set()})
        entry["roles"].add(LETTER_ROLES[p])
    linking = rm.events_linking(store, doc.base, uri, LIST_LIMIT + 1)
    cut = len(annotations) > LIST_LIMIT or more_roles or len(linking) > LIST_LIMIT
    events = _event_entries([(e, [property_label(p) for p in ps]) for e, ps in linking[:LIST_LIMIT]])
    rdf = next((a["href"] for a in common["alternates"] if a["type"] == "text/turtle"), None)
    return _page("entity.html", **common, names=names, notes=doc.literals(uri, NS.skos + "note"), same_as=same_as,
                 types=doc.iris(uri, NS.rdf + "type"), mentions=mentions,
                 letter_roles=sorted(roles.values(), key=lambda e: (e["date"], e["label"])), events=events,
                 cut={"limit": LIST_LIMIT, "href": rdf} if cut else None)


def _event_page(uri: str, doc: Doc, common: dict) -> str:
    base = doc.base
    out = doc.out.get(uri, {})
    skip = {NS.rdf + "type", NS.rdfs + "label", NS.crm + "P2_has_type", NS.crm + "P4_has_time-span",
            NS.owl + "sameAs", NS.skos + "note", NS.rdfs + "comment"}
    participants, places, related = [], [], []
    targets = {o.value for p, os in out.items() if p not in skip for o in os if isinstance(o, ox.NamedNode)}
    store = _store()
    labels = {**rm.labels_of(store, targets), **doc.labels}
    for p, objects in sorted(out.items(), key=lambda kv: property_label(kv[0])):
        if p in skip:
            continue
        for o in objects:
            if not isinstance(o, ox.NamedNode):
                continue
            kind = kind_of(o.value, base)
            entry = {**_link(o.value, labels), "property": p, "kind": kind}
            if kind in ("person", "group") and p.startswith(NS.crm):
                participants.append(entry)
            elif kind == "place":
                places.append(entry)
            else:
                related.append(entry)
    incoming = [{"href": safe_href(s), "label": doc.label(s), "property": p}
                for s, p in doc.incoming.get(uri, []) if kind_of(s, base) == "event"]
    types = [{"href": safe_href(t), "label": doc.label(t)} for t in doc.iris(uri, NS.crm + "P2_has_type")]
    return _page("event.html", **common, types=types, classes=doc.iris(uri, NS.rdf + "type"),
                 participants=participants, places=places, related=related, incoming=incoming,
                 time=rm.time_spans(store, [uri]).get(uri), quotes=rm.quotes_for(store, [uri]).get(uri, []),
                 comments=doc.literals(uri, NS.rdfs + "comment"), notes=doc.literals(uri, NS.skos + "note"),
                 same_as=[{"href": safe_href(u), "iri": u} for u in doc.iris(uri, NS.owl + "sameAs")])


# --- a letter ----------------------------------------------------------------------------------


def _parent(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[0]


def _int(s: str) -> int:
    return int(s) if s.isdigit() else 0


def _plain_text_url(base: str, text_uri: str) -> str | None:
    """Where the stored text of ``text_uri`` is served as plain text (ld.py): for a text node of ours only."""
    mint = Minter(base)
    parsed = mint.parse(text_uri)
    if parsed is None or parsed.kind != "text" or not parsed.main:
        return None
    return safe_href(f"{mint.document(text_uri)}.{PLAIN_TEXT.extension}")


def _letter_page(uri: str, doc: Doc, common: dict) -> str:
    store, base = _store(), doc.base
    labels = dict(doc.labels)

    def agents(p: str) -> list[dict]:
        return _links(doc.iris(uri, p), labels)

    text_uri = next(iter(doc.iris(uri, NS.prov + "wasDerivedFrom")), None)
    identifier, text = rm.source_text(store, text_uri) if text_uri else (None, None)

    # Every annotation on this letter's text, highlighted where its quote is.
    rows = rm.annotations_on(store, text_uri or uri)
    labels.update(rm.labels_of(store, {r["body"] for r in rows} | {r["voice"] for r in rows if "voice" in r}))
    author = next(iter(doc.iris(uri, NS.dcterms + "creator")), None)
    marks, unanchored, seen = [], [], set()
    note_refs: dict[str, str] = {}  # note URI -> anchor of its first marker in the text
    for r in sorted(rows, key=lambda r: r["ann"]):
        ann, body = r["ann"], r["body"]
        start, end = int(r["start"]), int(r["end"])
        if (ann, body) in seen:
            continue
        seen.add((ann, body))
        kind = kind_of(body, base)
        voice = r.get("voice")
        href, classes = body, ()
        title = f"{label(body, labels)} ({'note' if kind == 'note' else kind})"
        if voice and voice != author:
            title += f", as stated by {label(voice, labels)}"
        if kind == "note":
            if r.get("motivation", "").endswith("commenting"):
                href, classes = f"#{local_name(_parent(body))}-{local_name(body)}", ("note-ref",)
                note_refs.setdefault(body, annotation_anchor(ann))
            else:
                href, classes = None, ("note-text",)
        elif kind == "event":
            classes = ("evidence",)
        if text is None or text[start:end] != r["exact"]:
            unanchored.append({"exact": r["exact"], "label": label(body, labels), "href": safe_href(body)})
            continue
        marks.append(Mark(start, end, annotation_anchor(ann), kind, safe_href(href), title, classes))

    # Notes: footnotes and editors' notes, numbered as in the text.
    notes = []
    voices = {r["body"]: r["voice"] for r in rows if "voice" in r and kind_of(r["body"], base) == "note"}
    # footnotes ([n] in the text) first, then the editors' notes that follow the text
    for s in sorted(doc.out, key=lambda s: (local_name(_parent(s)) != "note", _parent(s), _int(local_name(s)))):
        if kind_of(s, base) != "note" or not s.startswith(uri + "/"):
            continue
        v = voices.get(s)
        notes.append({"uri": s, "href": safe_href(s), "label": doc.label(s),
                      "anchor": f"{local_name(_parent(s))}-{local_name(s)}",
                      "text": next(iter(doc.literals(s, NS.crm + "P190_has_symbolic_content")), ""),
                      "ref": note_refs.get(s),
                      "type": ", ".join(doc.label(t) for t in doc.iris(s, NS.crm + "P2_has_type")),
                      "voice": _link(v, labels) if v else None})

    # How the text came to us: creation, publications, translation, transcription (the citation chain).
    events, event_labels = rm.history(store, uri, [uri, *(n for n in doc.out if n.startswith(uri + "/"))])
    history = _in_time_order([
        {"uri": e["uri"], **_link(e["uri"], event_labels), "time": e["time"],
         "by": [_link(o, event_labels) for o in e["by"]], "at": [_link(o, event_labels) for o in e["at"]],
         "types": [t for t in (_link(o, event_labels) for o in e["types"]) if t["label"] != "date unknown"],
         "created": [_link(o, event_labels) for o in e["created"]]} for e in events])
    chain = rm.part_of_chain(store, uri)
    chain_labels = rm.labels_of(store, chain)
    annotated_events = sorted({r["body"] for r in rows if kind_of(r["body"], base) == "event"}
                              - {h["uri"] for h in history})
    references = defaultdict(list)
    for link in _links(doc.iris(uri, NS.dcterms + "references"), labels):
        references[kind_of(link["iri"], base)].append(link)

    date = doc.value(uri, NS.dcterms + "date")
    title = doc.literals(uri, NS.dcterms + "title")
    return _page("letter.html", **common, authors=agents(NS.dcterms + "creator"),
                 addressees=agents(NS.schema + "recipient"), translators=agents(NS.schema + "translator"),
                 transcribers=agents(NS.dcterms + "contributor"), date=date.value if date else None,
                 citation=next(iter(doc.literals(uri, NS.dcterms + "bibliographicCitation")), None),
                 pages=next(iter(doc.literals(uri, NS.schema + "pagination")), None),
                 rights=next(iter(doc.literals(uri, NS.dcterms + "rights")), None),
                 license=[{"href": safe_href(u), "iri": u} for u in doc.iris(uri, NS.dcterms + "license")],
                 text_uri=text_uri, identifier=identifier,
                 plain_text=_plain_text_url(base, text_uri) if text is not None else None,
                 body_html=highlight(text, marks) if text is not None else None,
                 fallback=doc.literals(uri, NS.crm + "P190_has_symbolic_content") if text is None else None,
                 unanchored=unanchored, notes=notes, history=history,
                 part_of=[_link(u, chain_labels) for u in chain],
                 events=_event_entries([(e, []) for e in annotated_events]),
                 references=[(k, references[k]) for k in ("person", "group", "place", "text") if references.get(k)],
                 cite_title=title[0] if title else common["title"], mark_count=len(marks))


# --- home and timeline -----------------------------------------------------------------------


def query_page_link(query: str) -> str:
    """A link to the SPARQL page with ``query`` in its editor (YASGUI reads ``#query=``), with the
    PREFIX lines it needs, so that it runs as it stands."""
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in CURIE_PREFIXES.items()
                       if re.search(rf"(?<![\w-]){p}:", query))
    return f"{_settings().base}sparql#query={quote(prefixes + query, safe='')}"


def _cut(cut: rm.Cut | None) -> dict | None:
    """A list's cut as the page says it: shown, of total, and a link to the query for the rest."""
    return {"shown": cut.shown, "total": cut.total, "href": query_page_link(cut.query)} if cut else None


def _dated_entries(events) -> list[dict]:
    """Events as the home page and the timeline list them: label and time-span, in time order."""
    store, events = _store(), list(dict.fromkeys(events))
    labels = rm.labels_of(store, events)
    spans = rm.time_spans(store, events)
    return _in_time_order([{"uri": e, "href": safe_href(e), "label": label(e, labels), "time": spans.get(e)}
                           for e in events])


@bp.get("/")
def home() -> str:
    settings, store = _settings(), _store()
    base, limit = settings.base, settings.max_results
    void = base + "void"
    triples = rm.dataset_about(store, base, HOME_LETTERS)
    about = {t.predicate.value: t.object.value for t in triples if isinstance(t.object, ox.Literal)}
    letters, cut = rm.first_letters(store, HOME_LETTERS, limit)
    cuts = {"letters": _cut(cut)}
    names = {}
    for kind, cls in (("person", "crm:E21_Person"), ("group", "crm:E74_Group"), ("place", "crm:E53_Place")):
        # the ones most letters mention, shown in alphabetical order
        rows, cut = rm.most_mentioned(store, cls, HOME_NAMES, limit)
        cuts[kind] = _cut(cut)
        labels = rm.labels_of(store, (r["x"] for r in rows))
        names[kind] = sorted(({**_link(r["x"], labels), "count": int(r.get("n", "0")), "uri": r["x"]} for r in rows),
                             key=lambda a: (a["label"].lower(), a["uri"]))
    events, cut = rm.first_told_events(store, base, HOME_EVENTS, limit)
    cuts["events"] = _cut(cut)
    return _page("home.html", title=about.get(NS.dcterms + "title") or "Letters as Linked Data", about=about,
                 void=void, letters=[{"href": safe_href(r["l"]), "title": r.get("title"), "date": r.get("date", "")}
                                     for r in letters],
                 persons=names["person"], groups=names["group"], places=names["place"],
                 events=_dated_entries(events), cuts=cuts, jsonld=jsonld_script(triples),
                 license=about.get(NS.dcterms + "license"))


@bp.get("/timeline")
def timeline() -> str:
    store = _store()
    events, cut = rm.first_dated_events(store, TIMELINE_LIMIT, _settings().max_results)
    letters_of = rm.letters_telling(store, events)
    labels = rm.labels_of(store, {letter for ls in letters_of.values() for letter in ls})
    entries = [{**e, "letters": _links(letters_of.get(e["uri"], ()), labels)}
               for e in _dated_entries(events) if e["time"] is not None]
    return _page("timeline.html", title="Timeline", entries=entries, cut=_cut(cut),
                 jsonld=jsonld_script(rm.time_span_triples(store, events)))
