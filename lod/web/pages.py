"""The HTML pages: the home, the timeline, and one page per thing, for readers rather than machines.

The Linked Data layer (``ld.py``) negotiates formats and calls ``render_document`` when a reader
asks for HTML; the pages read what they need beyond that document from the store with plain
SPARQL, so that they work the same over the embedded store and a remote endpoint.
Everything taken from the data reaches the page through autoescaped Jinja2 templates; the one
exception, the embedded JSON-LD, is escaped here (``jsonld_script``).
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
from flask import Blueprint, current_app, render_template
from markupsafe import Markup

from ..config import Settings
from ..formats import BY_MEDIA_TYPE, JSONLD
from .highlight import Mark, highlight

bp = Blueprint("pages", __name__)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "http://schema.org/"
EDTF = "http://id.loc.gov/datatypes/edtf"

# Prefixes for readable property names in the generic tables (longest namespace wins).
CURIE_PREFIXES = {
    "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "dcterms": DCTERMS, "dcmitype": "http://purl.org/dc/dcmitype/",
    "foaf": FOAF, "crm": CRM, "oa": OA, "prov": PROV, "owl": OWL, "skos": SKOS, "schema": SCHEMA,
    "void": "http://rdfs.org/ns/void#", "dcat": "http://www.w3.org/ns/dcat#",
    "sd": "http://www.w3.org/ns/sparql-service-description#", "spdx": "http://spdx.org/rdf/terms#",
}
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in CURIE_PREFIXES.items())

# What a property means to a reader, where its name alone would not say it.
PROPERTY_LABELS = {
    RDF + "type": "type",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    DCTERMS + "title": "title",
    DCTERMS + "creator": "author",
    DCTERMS + "contributor": "transcriber",
    DCTERMS + "date": "date",
    DCTERMS + "references": "mentions",
    DCTERMS + "bibliographicCitation": "citation",
    DCTERMS + "isPartOf": "part of",
    DCTERMS + "hasPart": "has part",
    SCHEMA + "recipient": "addressee",
    SCHEMA + "translator": "translator",
    SCHEMA + "pagination": "pages",
    FOAF + "name": "name",
    OWL + "sameAs": "same as",
    SKOS + "note": "note",
    SKOS + "prefLabel": "preferred label",
    SKOS + "definition": "definition",
    SKOS + "broader": "broader",
    PROV + "wasAttributedTo": "stated by",
    PROV + "wasDerivedFrom": "derived from",
    OA + "hasBody": "body",
    OA + "hasTarget": "target",
    OA + "hasSource": "source",
    OA + "hasSelector": "selector",
    OA + "exact": "exact quote",
    CRM + "P11_had_participant": "participant",
    CRM + "P14_carried_out_by": "carried out by",
    CRM + "P2_has_type": "has type",
    CRM + "P4_has_time-span": "time-span",
    CRM + "P7_took_place_at": "took place at",
    CRM + "P82a_begin_of_the_begin": "begins no earlier than",
    CRM + "P82b_end_of_the_end": "ends no later than",
    CRM + "P190_has_symbolic_content": "text",
}
# Roles a person or group plays for a letter, as the catalogue view records them.
LETTER_ROLES = {
    DCTERMS + "creator": "author",
    SCHEMA + "recipient": "addressee",
    SCHEMA + "translator": "translator",
    DCTERMS + "contributor": "transcriber",
}
LIST_LIMIT = 100  # letters, events and quotes listed on one entity page
KIND_LABELS = {"person": "Person", "group": "Group", "place": "Place", "event": "Event",
               "letter": "Letter", "text": "Text", "concept": "Concept"}


# --- store access -------------------------------------------------------------------------


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


def _store():
    return current_app.extensions["lod.store"]


def _iri(uri: str) -> str:
    """``<uri>`` for a SPARQL query; NamedNode refuses anything that is not an IRI."""
    return f"<{ox.NamedNode(uri).value}>"


def _select(query: str) -> list[dict[str, object]]:
    """Rows of a SELECT as dicts of variable name -> pyoxigraph term (missing: absent)."""
    result = _store().query(SPARQL_PREFIXES + query)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = term
        rows.append(row)
    return rows


def _construct(query: str) -> list[ox.Triple]:
    return list(_store().query(SPARQL_PREFIXES + query))


def _v(row: dict, name: str, default: str | None = None) -> str | None:
    term = row.get(name)
    return term.value if term is not None else default


def _str(text: str) -> str:
    """A SPARQL string literal (JSON's escapes are SPARQL's)."""
    return json.dumps(text)


def _values(uris) -> str:
    return " ".join(_iri(u) for u in sorted(set(uris)))


def _any_of(s: str, properties, o: str, var: str = "?p") -> str:
    """``s ?p o`` for ``?p`` one of ``properties``, as a UNION of fixed properties: with ``VALUES ?p``
    pyoxigraph reads every ``?s ?p ?o`` of the store and joins afterwards (seconds on a million triples)."""
    return " UNION ".join(f"{{ {s} {p} {o} BIND({p} AS {var}) }}" for p in properties)


def labels_of(uris) -> dict[str, str]:
    """A display label for each IRI: rdfs:label, else foaf:name, skos:prefLabel or dcterms:title."""
    uris = {u for u in uris if u}
    if not uris:
        return {}
    rows = _select(f"""
        SELECT ?s ?p ?l WHERE {{
          VALUES ?s {{ {_values(uris)} }}
          {_any_of("?s", ("rdfs:label", "foaf:name", "skos:prefLabel", "dcterms:title"), "?l")}
        }}""")
    order = [RDFS + "label", FOAF + "name", SKOS + "prefLabel", DCTERMS + "title"]
    best: dict[str, tuple[int, str]] = {}
    for row in rows:
        lit = row["l"]
        if not isinstance(lit, ox.Literal):
            continue
        rank = order.index(row["p"].value) * 2 + (0 if lit.language in (None, "en") else 1)
        s = row["s"].value
        if s not in best or (rank, lit.value) < best[s]:
            best[s] = (rank, lit.value)
    return {s: v for s, (_, v) in best.items()}


# --- URIs and names --------------------------------------------------------------------------


def split_thing(uri: str, base: str) -> tuple[str | None, list[str]]:
    """``(kind, [slug, below...])`` for ``{base}id/kind/slug/...``; ``(None, [])`` otherwise."""
    prefix = base + "id/"
    if not uri.startswith(prefix):
        return None, []
    parts = uri[len(prefix):].split("/")
    return parts[0], parts[1:]


def kind_of(uri: str, base: str) -> str:
    """person, group, place, event, text, letter, concept, note (a letter's note), or other."""
    kind, rest = split_thing(uri, base)
    if kind == "letter" and len(rest) >= 3 and rest[1] in ("note", "editor-note"):
        return "note"
    return kind if kind in KIND_LABELS else "other"


def local_name(uri: str) -> str:
    return re.split(r"[#/]", uri.rstrip("/#"))[-1] or uri


def humanize(uri: str) -> str:
    """A readable name from an IRI: 'P145_separated' -> 'separated', 'kasparova-popova' -> 'kasparova popova'."""
    name = local_name(uri)
    name = re.sub(r"^[EP]\d+[a-z]?_", "", name)
    return name.replace("_", " ").replace("-", " ") if name else uri


def curie(uri: str) -> str:
    best = max(((p, ns) for p, ns in CURIE_PREFIXES.items() if uri.startswith(ns)),
               key=lambda pn: len(pn[1]), default=None)
    return f"{best[0]}:{uri[len(best[1]):]}" if best else uri


def property_label(uri: str) -> str:
    return PROPERTY_LABELS.get(uri) or humanize(uri)


def class_label(uri: str) -> str:
    """'crm:E86_Leaving' -> 'E86 Leaving', 'foaf:Person' -> 'Person'."""
    name = local_name(uri)
    return name.replace("_", " ")


def safe_href(uri: str | None) -> str | None:
    """Only web and in-page links become hrefs: a ``javascript:`` IRI in the data stays text."""
    if not uri:
        return None
    if uri.startswith("#"):
        return uri
    scheme = urlsplit(uri).scheme.lower()
    return uri if scheme in ("http", "https") else None


def annotation_anchor(annotation_uri: str) -> str:
    """The fragment id of an annotation's highlight on the letter page: '.../annotation/001' -> 'a-001'."""
    return "a-" + re.sub(r"[^A-Za-z0-9_-]", "-", local_name(annotation_uri))


# --- dates in words --------------------------------------------------------------------------


def parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        try:
            return datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
        except ValueError:
            return None


def day_words(dt: date) -> str:
    return f"{dt.day} {dt:%B} {dt.year}"


def _is_year_start(dt: datetime) -> bool:
    return (dt.month, dt.day, dt.hour, dt.minute) == (1, 1, 0, 0)


def _is_day_end(dt: datetime) -> bool:
    return (dt.hour, dt.minute) == (23, 59)


def _is_year_end(dt: datetime) -> bool:
    return (dt.month, dt.day) == (12, 31) and _is_day_end(dt)


def _is_month_end(dt: datetime) -> bool:
    nxt = date(dt.year + (dt.month == 12), dt.month % 12 + 1, 1)
    return (nxt - dt.date()).days == 1 and _is_day_end(dt)


def _clock(dt: datetime) -> str:
    return f", {dt:%H:%M}" if (dt.hour, dt.minute) != (0, 0) and not _is_day_end(dt) else ""


def time_words(begin: datetime | None, end: datetime | None) -> str:
    """A time-span's bounds in words: 'before 20 December 1921', '1905–1907', 'between ... and ...'."""
    if begin and end:
        if begin.date() == end.date():
            return day_words(begin) + _clock(begin)
        if _is_year_start(begin) and _is_year_end(end):
            return str(begin.year) if begin.year == end.year else f"{begin.year}–{end.year}"
        if begin.day == 1 and (begin.hour, begin.minute) == (0, 0) and _is_month_end(end) \
                and (begin.year, begin.month) == (end.year, end.month):
            return f"{begin:%B} {begin.year}"
        if (begin.year, begin.month) == (end.year, end.month) and _is_day_end(end) and not _clock(begin):
            return f"between {begin.day} and {end.day} {begin:%B} {begin.year}"
        return f"between {day_words(begin)} and {day_words(end)}"
    if end:
        if _is_year_end(end):
            return f"by the end of {end.year}"
        if _is_day_end(end):
            return f"on or before {day_words(end)}"
        return f"before {day_words(end)}" + _clock(end)
    if begin:
        if _is_year_start(begin):
            return f"from {begin.year} on"
        if not _clock(begin):
            return f"on or after {day_words(begin)}"
        return f"after {day_words(begin)}" + _clock(begin)
    return "date unknown"


def date_literal_words(term) -> str:
    """dcterms:date as words: an xsd:date, or an EDTF interval such as 1922-12-07/1922-12-08."""
    if term is None:
        return ""
    value = term.value
    parts = value.split("/")
    try:
        days = [date.fromisoformat(p) for p in parts]
    except ValueError:
        return value
    if len(days) == 1:
        return day_words(days[0])
    first, last = days[0], days[-1]
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {first:%B} {first.year}"
    return f"{day_words(first)} – {day_words(last)}"


@dataclass
class TimeSpan:
    begin: datetime | None
    end: datetime | None
    label: str | None

    @property
    def words(self) -> str:
        return time_words(self.begin, self.end)

    @property
    def text(self) -> str:
        """The curated label where there is one (it says how the source puts it), else the bounds in words."""
        return self.label or self.words

    @property
    def adds_bounds(self) -> bool:
        """Whether the bounds in words say more than the label does."""
        return bool(self.label) and self.words.replace("–", "-") != self.label.replace("–", "-")

    @property
    def sort_key(self) -> tuple:
        first = self.begin or self.end
        return (first is None, first or datetime.max, self.end or datetime.max)

    @property
    def iso(self) -> str | None:
        first = self.begin or self.end
        return first.isoformat() if first else None


def time_spans(events) -> dict[str, TimeSpan]:
    events = set(events)
    if not events:
        return {}
    rows = _select(f"""
        SELECT ?e ?begin ?end ?label WHERE {{
          VALUES ?e {{ {_values(events)} }}
          ?e crm:P4_has_time-span ?ts .
          OPTIONAL {{ ?ts crm:P82a_begin_of_the_begin ?begin }}
          OPTIONAL {{ ?ts crm:P82b_end_of_the_end ?end }}
          OPTIONAL {{ ?ts rdfs:label ?label }}
        }}""")
    return {_v(r, "e"): TimeSpan(parse_datetime(_v(r, "begin")), parse_datetime(_v(r, "end")), _v(r, "label"))
            for r in rows}


# --- evidence: quotes that anchor a thing in a letter -----------------------------------------


@dataclass
class Quote:
    annotation: str
    body: str
    exact: str
    prefix: str
    suffix: str
    start: int
    voice: str | None
    voice_label: str | None
    letter: str
    letter_label: str
    letter_date: str

    @property
    def href(self) -> str:
        return f"{self.letter}#{annotation_anchor(self.annotation)}"

    @property
    def voice_href(self) -> str | None:
        return safe_href(self.voice)


def _facts(nodes, paths: dict[str, str]) -> dict[str, dict[str, object]]:
    """For each of ``nodes``, a value of each path (``{"date": "dcterms:date"}``), in one query of fixed
    properties: an OPTIONAL per property makes pyoxigraph read every value of that property in the store."""
    nodes = {n for n in nodes if n}
    if not nodes:
        return {}
    branches = " UNION ".join(f'{{ ?x {path} ?v BIND("{key}" AS ?k) }}' for key, path in paths.items())
    facts: dict[str, dict[str, object]] = defaultdict(dict)
    for row in _select(f"SELECT ?x ?k ?v WHERE {{ VALUES ?x {{ {_values(nodes)} }} {branches} }}"):
        facts[_v(row, "x")].setdefault(_v(row, "k"), row["v"])
    return facts


def quotes_for(bodies, annotations=None) -> dict[str, list[Quote]]:
    """The annotations whose body is one of ``bodies`` (only those of ``annotations``, when given), as
    quotes in their letters, in text order."""
    bodies = set(bodies)
    if not bodies or annotations is not None and not annotations:
        return {}
    start = f"VALUES ?ann {{ {_values(annotations)} }}" if annotations is not None else \
        f"VALUES ?body {{ {_values(bodies)} }}"
    rows = [r for r in _select(f"""
        SELECT ?ann ?body ?target ?q ?exact ?letter WHERE {{
          {start}
          ?ann oa:hasBody ?body ; oa:hasTarget ?target .
          ?target oa:hasSource ?text ; oa:hasSelector ?q .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact .
          ?letter prov:wasDerivedFrom ?text .
        }}""") if _v(r, "body") in bodies]
    facts = _facts({_v(r, name) for r in rows for name in ("ann", "target", "q", "letter")},
                   {"prefix": "oa:prefix", "suffix": "oa:suffix", "start": "oa:hasSelector/oa:start",
                    "voice": "prov:wasAttributedTo", "date": "dcterms:date"})

    def fact(row: dict, node: str, key: str, default=None):
        term = facts.get(_v(row, node), {}).get(key)
        return term.value if term is not None else default

    labels = labels_of({fact(r, "ann", "voice") for r in rows} | {_v(r, "letter") for r in rows})
    found: dict[str, dict[str, Quote]] = defaultdict(dict)
    for r in rows:
        ann, body = _v(r, "ann"), _v(r, "body")
        voice = fact(r, "ann", "voice")
        found[body][ann] = Quote(
            annotation=ann, body=body, exact=_v(r, "exact", ""), prefix=fact(r, "q", "prefix", ""),
            suffix=fact(r, "q", "suffix", ""), start=int(fact(r, "target", "start", "0")), voice=voice,
            voice_label=labels.get(voice) if voice else None, letter=_v(r, "letter"),
            letter_label=labels.get(_v(r, "letter"), _v(r, "letter")),
            letter_date=fact(r, "letter", "date", ""))
    return {body: sorted(qs.values(), key=lambda q: (q.letter_date, q.letter, q.start, q.annotation))
            for body, qs in found.items()}


def group_by_letter(quotes: list[Quote]) -> list[dict]:
    letters: dict[str, dict] = {}
    for q in quotes:
        entry = letters.setdefault(q.letter, {"uri": q.letter, "href": safe_href(q.letter), "label": q.letter_label,
                                               "date": q.letter_date, "quotes": []})
        entry["quotes"].append(q)
    return sorted(letters.values(), key=lambda e: (e["date"], e["uri"]))


# --- JSON-LD ---------------------------------------------------------------------------------


def jsonld_script(triples) -> Markup:
    """The triples as JSON-LD, safe inside <script>: '<', '>' and '&' only occur in JSON strings,
    where their \\u escapes mean the same, so '</script>' in a literal cannot end the element."""
    # pyoxigraph's JSON-LD is JSON already: escaped as it is, without parsing and writing it again.
    text = ox.serialize(list(triples), format=JSONLD.oxigraph).decode("utf-8") or "[]"
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return Markup(text)


# --- views of a document's triples -----------------------------------------------------------


class Doc:
    """The triples of a document, indexed for templates: values of a subject, labels of IRIs."""

    def __init__(self, triples, base: str) -> None:
        self.triples = list(triples)
        self.base = base
        self.out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        self.incoming: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.labels: dict[str, str] = {}
        for t in self.triples:
            s, p, o = t.subject, t.predicate.value, t.object
            if isinstance(s, ox.NamedNode) or isinstance(s, ox.BlankNode):
                if o not in self.out[s.value][p]:
                    self.out[s.value][p].append(o)
            if isinstance(o, ox.NamedNode):
                self.incoming[o.value].append((s.value, p))
        label_order = [RDFS + "label", FOAF + "name", SKOS + "prefLabel", DCTERMS + "title"]
        for p in reversed(label_order):
            for s, props in self.out.items():
                for o in props.get(p, []):
                    if isinstance(o, ox.Literal):
                        self.labels[s] = o.value

    def values(self, s: str, p: str) -> list:
        return self.out.get(s, {}).get(p, [])

    def value(self, s: str, p: str):
        vals = self.values(s, p)
        return vals[0] if vals else None

    def iris(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.values(s, p) if isinstance(o, ox.NamedNode)]

    def literals(self, s: str, p: str) -> list[str]:
        return [o.value for o in self.values(s, p) if isinstance(o, ox.Literal)]

    def label(self, uri: str) -> str:
        return self.labels.get(uri) or humanize(uri)


def term_view(term, labels: dict[str, str], base: str) -> dict:
    """How a template shows one RDF term: a link with a label, or a literal with its datatype/language."""
    if isinstance(term, ox.NamedNode):
        uri = term.value
        return {"iri": uri, "href": safe_href(uri), "label": labels.get(uri) or curie(uri) if not uri.startswith(base)
                else labels.get(uri) or uri[len(base):], "curie": curie(uri)}
    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else None
        note = term.language or (curie(dt) if dt and dt not in (XSD + "string", RDF + "langString") else None)
        return {"literal": term.value, "note": note, "long": len(term.value) > 200 or "\n" in term.value}
    return {"literal": str(term), "note": None, "long": False}


def natural_key(text: str) -> list:
    """'class/9' before 'class/10'."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


def property_rows(doc: Doc, subject: str, skip=()) -> list[dict]:
    """Rows of (property, values) of one subject, rdf:type and labels first."""
    first = [RDF + "type", RDFS + "label"]
    props = sorted(doc.out.get(subject, {}), key=lambda p: (p not in first, first.index(p) if p in first else 0,
                                                            property_label(p), p))
    rows = []
    for p in props:
        if p in skip:
            continue
        values = sorted(doc.out[subject][p], key=lambda o: (not isinstance(o, ox.Literal), natural_key(str(o))))
        rows.append({"iri": p, "curie": curie(p), "label": property_label(p),
                     "terms": [term_view(o, doc.labels, doc.base) for o in values]})
    return rows


# --- the pages -------------------------------------------------------------------------------


def _alternate_views(alternates) -> list[dict]:
    views = []
    for url, media_type in alternates:
        fmt = BY_MEDIA_TYPE.get(media_type)
        views.append({"href": url, "type": media_type, "label": fmt.label if fmt else media_type})
    return views


def _page(template: str, **context) -> str:
    settings = _settings()
    context.setdefault("alternates", [])
    context.setdefault("jsonld", None)
    return render_template(template, base=settings.base, **context)


def render_document(thing_uri: str, triples: list[ox.Triple], alternates: list[tuple[str, str]]) -> str:
    """The HTML page about any thing or node below one, from the document the LD layer built."""
    base = _settings().base
    doc = Doc(triples, base)
    kind, rest = split_thing(thing_uri, base)
    common = {"uri": thing_uri, "alternates": _alternate_views(alternates), "jsonld": jsonld_script(triples),
              "title": doc.label(thing_uri), "kind": kind}
    if len(rest) == 1:
        if kind == "letter":
            return _letter_page(thing_uri, doc, common)
        if kind in ("person", "group", "place"):
            return _entity_page(thing_uri, doc, common)
        if kind == "event":
            return _event_page(thing_uri, doc, common)
    return _generic_page(thing_uri, doc, common)


def render_not_found(path: str) -> str:
    """A friendly 404 page: what was asked for, and where to go from here."""
    return _page("not_found.html", title="Not found", path=path)


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
    types = [class_label(t) for t in doc.iris(uri, RDF + "type")]
    return _page("generic.html", **common, types=types,
                 rows=property_rows(doc, uri),
                 below=[{"uri": s, "rows": property_rows(doc, s), "label": doc.label(s) if s in doc.labels
                         else s[len(uri):]} for s in below],
                 incoming=incoming, kind_label=KIND_LABELS.get(common["kind"] or "", "Resource"))


def _links(uris, labels: dict[str, str]) -> list[dict]:
    return [{"href": safe_href(u), "label": labels.get(u) or humanize(u), "iri": u}
            for u in sorted(set(uris), key=lambda u: (labels.get(u) or humanize(u)).lower())]


def _events_linking(thing: str, limit: int) -> list[dict]:
    """Events (at most ``limit``) with any property pointing at ``thing``, with that property."""
    base = _settings().base
    rows = _select(f"""
        SELECT DISTINCT ?e ?p WHERE {{
          ?e ?p {_iri(thing)} .
          FILTER(STRSTARTS(STR(?e), {_str(base + "id/event/")}) && !CONTAINS(SUBSTR(STR(?e), {len(base) + 10}), "/"))
        }} LIMIT {limit}""")
    roles: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        roles[_v(r, "e")].append(property_label(_v(r, "p")))
    return list(roles.items())


def _event_entries(events_roles: list[tuple[str, list[str]]]) -> list[dict]:
    events = [e for e, _ in events_roles]
    labels = labels_of(events)
    spans = time_spans(events)
    quotes = quotes_for(events)
    entries = [{"uri": e, "href": safe_href(e), "label": labels.get(e) or humanize(e), "roles": sorted(set(roles)),
                "time": spans.get(e), "quotes": quotes.get(e, [])} for e, roles in events_roles]
    no_time = TimeSpan(None, None, None)
    return sorted(entries, key=lambda x: ((x["time"] or no_time).sort_key, x["label"]))


def _entity_page(uri: str, doc: Doc, common: dict) -> str:
    names = sorted({*doc.literals(uri, FOAF + "name"), *doc.literals(uri, RDFS + "label")}
                   | {n for node in doc.iris(uri, CRM + "P1_is_identified_by")
                      for n in doc.literals(node, CRM + "P190_has_symbolic_content")})
    same_as = [{"href": safe_href(u), "iri": u} for u in sorted(doc.iris(uri, OWL + "sameAs"))]
    # A person named in thousands of letters would make a page of thousands of quotes: each list
    # stops at LIST_LIMIT, and the page says where the rest are (the RDF document pages through them).
    annotations = [_v(r, "ann") for r in _select(
        f"SELECT ?ann WHERE {{ ?ann oa:hasBody {_iri(uri)} }} LIMIT {LIST_LIMIT + 1}")]
    mentions = group_by_letter(quotes_for([uri], annotations[:LIST_LIMIT]).get(uri, []))
    role_rows = _select(f"""
        SELECT ?letter ?p WHERE {{ {_any_of("?letter", [_iri(p) for p in LETTER_ROLES], _iri(uri))} }}
        LIMIT {LIST_LIMIT + 1}""")
    # Which of them are letters, asked of those few by name: joined in the query above, pyoxigraph would
    # read every letter of the store first.
    documents = {_v(r, "l") for r in _select(f"""
        SELECT ?l WHERE {{ VALUES ?l {{ {_values(_v(r, "letter") for r in role_rows)} }} ?l a foaf:Document }}""")
                 } if role_rows else set()
    cut = len(annotations) > LIST_LIMIT or len(role_rows) > LIST_LIMIT
    role_rows = [r for r in role_rows if _v(r, "letter") in documents]
    role_rows = role_rows[:LIST_LIMIT]
    letter_labels = labels_of({_v(r, "letter") for r in role_rows})
    dates = _facts({_v(r, "letter") for r in role_rows}, {"date": "dcterms:date"})
    roles: dict[str, dict] = {}
    for r in role_rows:
        letter = _v(r, "letter")
        date = dates.get(letter, {}).get("date")
        entry = roles.setdefault(letter, {"href": safe_href(letter), "label": letter_labels.get(letter, letter),
                                          "date": date.value if date is not None else "", "roles": set()})
        entry["roles"].add(LETTER_ROLES[_v(r, "p")])
    letter_roles = sorted(roles.values(), key=lambda e: (e["date"], e["label"]))
    linking = _events_linking(uri, LIST_LIMIT + 1)
    cut = cut or len(linking) > LIST_LIMIT
    events = _event_entries(linking[:LIST_LIMIT])
    rdf = next((a["href"] for a in common["alternates"] if a["type"] == "text/turtle"), None)
    return _page("entity.html", **common, names=names, notes=doc.literals(uri, SKOS + "note"), same_as=same_as,
                 types=[class_label(t) for t in doc.iris(uri, RDF + "type")], mentions=mentions,
                 letter_roles=letter_roles, events=events, kind_label=KIND_LABELS[common["kind"]],
                 cut={"limit": LIST_LIMIT, "href": rdf} if cut else None)


def _event_page(uri: str, doc: Doc, common: dict) -> str:
    base = doc.base
    out = doc.out.get(uri, {})
    skip = {RDF + "type", RDFS + "label", CRM + "P2_has_type", CRM + "P4_has_time-span", OWL + "sameAs",
            SKOS + "note", RDFS + "comment"}
    participants, places, related = [], [], []
    targets = {o.value for p, os in out.items() if p not in skip for o in os if isinstance(o, ox.NamedNode)}
    labels = {**labels_of(targets), **doc.labels}
    for p, objects in sorted(out.items(), key=lambda kv: property_label(kv[0])):
        if p in skip:
            continue
        for o in objects:
            if not isinstance(o, ox.NamedNode):
                continue
            kind = kind_of(o.value, base)
            entry = {"href": safe_href(o.value), "label": labels.get(o.value) or humanize(o.value),
                     "role": property_label(p), "curie": curie(p), "kind": kind}
            if kind in ("person", "group") and p.startswith(CRM):
                participants.append(entry)
            elif kind == "place":
                places.append(entry)
            else:
                related.append(entry)
    incoming = [{"href": safe_href(s), "label": doc.label(s), "role": property_label(p)}
                for s, p in doc.incoming.get(uri, []) if kind_of(s, base) == "event"]
    types = [{"href": safe_href(t), "label": doc.label(t)} for t in doc.iris(uri, CRM + "P2_has_type")]
    span = time_spans([uri]).get(uri)
    quotes = quotes_for([uri]).get(uri, [])
    return _page("event.html", **common, types=types, classes=[class_label(t) for t in doc.iris(uri, RDF + "type")],
                 participants=participants, places=places, related=related, incoming=incoming, time=span,
                 quotes=quotes, letters=group_by_letter(quotes), comments=doc.literals(uri, RDFS + "comment"),
                 notes=doc.literals(uri, SKOS + "note"),
                 same_as=[{"href": safe_href(u), "iri": u} for u in doc.iris(uri, OWL + "sameAs")])


def read_source_text(identifier: str | None) -> str | None:
    """The stored letter file named by the text's dcterms:identifier; only a plain file name is honoured."""
    if not identifier or Path(identifier).name != identifier or identifier.startswith("."):
        return None
    path = Path(_settings().letters) / identifier
    try:
        return path.read_bytes().decode("utf-8")  # bytes: offsets count in the file as stored
    except (OSError, UnicodeDecodeError):
        return None


def _letter_page(uri: str, doc: Doc, common: dict) -> str:
    base = doc.base
    labels = dict(doc.labels)

    def agents(p: str) -> list[dict]:
        return _links(doc.iris(uri, p), labels)

    text_uri = next(iter(doc.iris(uri, PROV + "wasDerivedFrom")), None)
    identifier = None
    if text_uri:
        rows = _select(f"SELECT ?id WHERE {{ {_iri(text_uri)} dcterms:identifier ?id }}")
        identifier = _v(rows[0], "id") if rows else None
    text = read_source_text(identifier)

    # Every annotation on this letter's text.
    rows = _select(f"""
        SELECT ?ann ?body ?motivation ?start ?end ?exact ?voice WHERE {{
          ?ann oa:hasBody ?body ; oa:hasTarget ?target .
          ?target oa:hasSource {_iri(text_uri or uri)} ; oa:hasSelector ?pos , ?q .
          ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact .
          OPTIONAL {{ ?ann oa:motivatedBy ?motivation }}
          OPTIONAL {{ ?ann prov:wasAttributedTo ?voice }}
        }}""")
    labels.update(labels_of({_v(r, "body") for r in rows} | {_v(r, "voice") for r in rows if "voice" in r}))
    author = next(iter(doc.iris(uri, DCTERMS + "creator")), None)
    marks, unanchored, seen = [], [], set()
    note_refs: dict[str, str] = {}  # note URI -> anchor of its first marker in the text
    for r in sorted(rows, key=lambda r: _v(r, "ann")):
        ann, body = _v(r, "ann"), _v(r, "body")
        start, end = int(_v(r, "start")), int(_v(r, "end"))
        if (ann, body) in seen:
            continue
        seen.add((ann, body))
        kind = kind_of(body, base)
        voice = _v(r, "voice")
        motivation = _v(r, "motivation", "")
        href, classes = body, ()
        title = f"{labels.get(body) or humanize(body)} ({'note' if kind == 'note' else kind})"
        if voice and voice != author:
            title += f", as stated by {labels.get(voice) or humanize(voice)}"
        if kind == "note":
            number = local_name(body)
            if motivation.endswith("commenting"):
                href, classes = f"#{local_name(local_name_parent(body))}-{number}", ("note-ref",)
                note_refs.setdefault(body, annotation_anchor(ann))
            else:
                href, classes = None, ("note-text",)
        elif kind == "event":
            classes = ("evidence",)
        if text is None or text[start:end] != _v(r, "exact"):
            unanchored.append({"exact": _v(r, "exact"), "label": labels.get(body) or humanize(body),
                               "href": safe_href(body)})
            continue
        marks.append(Mark(start, end, annotation_anchor(ann), kind, safe_href(href), title, classes))
    body_html = highlight(text, marks) if text is not None else None
    fallback = None if text is not None else doc.literals(uri, CRM + "P190_has_symbolic_content")

    # Notes: footnotes and editors' notes, numbered as in the text.
    notes = []
    # footnotes ([n] in the text) first, then the editors' notes that follow the text
    for s in sorted(doc.out, key=lambda s: (local_name(local_name_parent(s)) != "note", local_name_parent(s),
                                            _int(local_name(s)))):
        if kind_of(s, base) != "note" or not s.startswith(uri + "/"):
            continue
        notes.append({"uri": s, "href": safe_href(s), "label": doc.label(s),
                      "anchor": f"{local_name(local_name_parent(s))}-{local_name(s)}",
                      "text": next(iter(doc.literals(s, CRM + "P190_has_symbolic_content")), ""),
                      "ref": note_refs.get(s),
                      "type": ", ".join(doc.label(t) for t in doc.iris(s, CRM + "P2_has_type"))})
    voices = {_v(r, "body"): _v(r, "voice") for r in rows if "voice" in r and kind_of(_v(r, "body"), base) == "note"}
    for n in notes:
        v = voices.get(n["uri"])
        n["voice"] = {"href": safe_href(v), "label": labels.get(v) or humanize(v)} if v else None

    # How the text came to us: creation, publications, translation, transcription (the citation chain).
    history = _history(uri, [uri, *(n for n in doc.out if n.startswith(uri + "/"))])
    part_of = _part_of_chain(uri)
    annotated_events = sorted({_v(r, "body") for r in rows if kind_of(_v(r, "body"), base) == "event"}
                              - {h["uri"] for h in history})
    events = _event_entries([(e, []) for e in annotated_events])
    references = defaultdict(list)
    for link in _links(doc.iris(uri, DCTERMS + "references"), labels):
        references[kind_of(link["iri"], base)].append(link)

    date_term = doc.value(uri, DCTERMS + "date")
    title = doc.literals(uri, DCTERMS + "title")
    authors = agents(DCTERMS + "creator")
    cite = {"authors": [a["label"] for a in authors], "title": title[0] if title else common["title"],
            "date": date_literal_words(date_term), "uri": uri,
            "citation": next(iter(doc.literals(uri, DCTERMS + "bibliographicCitation")), None),
            "transcribers": [a["label"] for a in agents(DCTERMS + "contributor")],
            "translators": [a["label"] for a in agents(SCHEMA + "translator")]}
    return _page("letter.html", **common, authors=authors, addressees=agents(SCHEMA + "recipient"),
                 translators=agents(SCHEMA + "translator"), transcribers=agents(DCTERMS + "contributor"),
                 date_words=date_literal_words(date_term), date_value=date_term.value if date_term else None,
                 citation=cite["citation"], pages=next(iter(doc.literals(uri, SCHEMA + "pagination")), None),
                 rights=next(iter(doc.literals(uri, DCTERMS + "rights")), None),
                 license=[{"href": safe_href(u), "iri": u} for u in doc.iris(uri, DCTERMS + "license")],
                 text_uri=text_uri, identifier=identifier, body_html=body_html, fallback=fallback,
                 unanchored=unanchored, notes=notes, history=history, part_of=part_of, events=events,
                 references=[(KIND_LABELS.get(k, k.title()) + "s", references[k])
                             for k in ("person", "group", "place", "text") if references.get(k)],
                 cite=cite, mark_count=len(marks))


def local_name_parent(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[0]


def _int(s: str) -> int:
    return int(s) if s.isdigit() else 0


def _history(letter: str, nodes) -> list[dict]:
    """Events that made, used or published the letter, its original or their parts, in time order.

    ``nodes``: the letter and the nodes below it (its document holds them); asking for those few by
    name is an index lookup, where a filter on the IRI would read every creation in the store."""
    rows = _select(f"""
        SELECT DISTINCT ?e WHERE {{
          VALUES ?o {{ {_values(nodes)} }}
          {_any_of("?e", ("crm:P94_has_created", "crm:P16_used_specific_object"), "?o")}
        }}""")
    events = [_v(r, "e") for r in rows]
    if not events:
        return []
    details = _select(f"""
        SELECT ?e ?p ?o WHERE {{
          VALUES ?e {{ {_values(events)} }}
          {_any_of("?e", ("crm:P14_carried_out_by", "crm:P7_took_place_at", "crm:P2_has_type",
                          "crm:P94_has_created"), "?o")}
        }}""")
    labels = labels_of(set(events) | {_v(r, "o") for r in details})
    spans = time_spans(events)
    by_event: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for r in details:
        o = _v(r, "o")
        if _v(r, "p") == CRM + "P94_has_created" and o.startswith(letter):
            continue
        by_event[_v(r, "e")][_v(r, "p")].append({"href": safe_href(o), "label": labels.get(o) or humanize(o)})
    no_time = TimeSpan(None, None, None)
    entries = []
    for e in events:
        d = by_event[e]
        entries.append({"uri": e, "href": safe_href(e), "label": labels.get(e) or humanize(e),
                        "time": spans.get(e), "by": d.get(CRM + "P14_carried_out_by", []),
                        "at": d.get(CRM + "P7_took_place_at", []),
                        "types": [t for t in d.get(CRM + "P2_has_type", []) if t["label"] != "date unknown"],
                        "created": d.get(CRM + "P94_has_created", [])})
    return sorted(entries, key=lambda x: ((x["time"] or no_time).sort_key, x["label"]))


def _part_of_chain(uri: str) -> list[dict]:
    """letter -> volume -> work, following dcterms:isPartOf (at most a few levels)."""
    chain, current, seen = [], uri, {uri}
    for _ in range(6):
        rows = _select(f"SELECT ?parent WHERE {{ {_iri(current)} dcterms:isPartOf ?parent }} ORDER BY ?parent")
        parents = [_v(r, "parent") for r in rows if _v(r, "parent") not in seen]
        if not parents:
            break
        current = parents[0]
        seen.add(current)
        chain.append(current)
    labels = labels_of(chain)
    return [{"href": safe_href(u), "label": labels.get(u) or humanize(u)} for u in chain]


# --- home and timeline -----------------------------------------------------------------------

# The home page and the timeline show the first of each list and say where the rest are, as entity
# pages do: on a corpus of thousands of letters, a page of everything takes minutes to make and
# megabytes to send. The caps are far above what the project's own letters hold (4 letters, 16 persons,
# 32 dated events), so that those pages list everything.
HOME_LETTERS = 200
HOME_NAMES = 200  # persons, groups and places, each
HOME_EVENTS = 100
TIMELINE_LIMIT = 500
_BOUNDS = "OPTIONAL { ?ts crm:P82a_begin_of_the_begin ?begin } OPTIONAL { ?ts crm:P82b_end_of_the_end ?end }"
_NAME = "OPTIONAL { ?e rdfs:label ?name }"
_WHEN_SELECT = "?e (MIN(COALESCE(?begin, ?end)) AS ?first) (MIN(?end) AS ?last) (MIN(?name) AS ?label)"
# As TimeSpan.sort_key: by the earliest possible start (else the end), then by the end; undated last.
_WHEN_ORDER = "(!BOUND(?first)) ?first (!BOUND(?last)) ?last ?label ?e"


@dataclass
class Cut:
    """A list that stops at ``shown`` of ``total``; ``href`` opens the query for the rest on the SPARQL page."""

    shown: int
    total: int
    href: str


def query_page_link(query: str) -> str:
    """A link to the SPARQL page with ``query`` in its editor (YASGUI reads ``#query=``), with the
    PREFIX lines it needs, so that it runs as it stands."""
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in CURIE_PREFIXES.items()
                       if re.search(rf"(?<![\w-]){p}:", query))
    return f"{_settings().base}sparql#query={quote(prefixes + query, safe='')}"


def first_of(limit: int, key: str, select: str, members: str, details: str,
             order: str) -> tuple[list[dict], Cut | None]:
    """The first ``limit`` rows of ``SELECT {select} WHERE {members details} GROUP BY ?{key} ORDER BY {order}``
    and, where ``members`` has more ``?{key}`` than that, how many it has and a link to the rest."""
    # Grouped in a subquery and ordered outside it: Virtuoso refuses ORDER BY on an aggregate's alias.
    projected = " ".join(re.findall(r"(?:^|AS )(\?\w+)", select))
    query = (f"SELECT {projected} WHERE {{ {{\n  SELECT {select} WHERE {{\n  {members}\n  {details}\n  }}\n"
             f"  GROUP BY ?{key}\n}} }}\nORDER BY {order}")
    rows = _select(f"{query}\nLIMIT {limit + 1}")
    if len(rows) <= limit:
        return rows, None
    total = _select(f"SELECT (COUNT(DISTINCT ?{key}) AS ?n) WHERE {{ {members} }}")
    # the endpoint refuses answers of more than max_results rows: the link asks for no more than that
    rest = f"{query}\nLIMIT {_settings().max_results} OFFSET {limit}"
    return rows[:limit], Cut(limit, int(_v(total[0], "n", "0")), query_page_link(rest))


def _dated_entries(events) -> list[dict]:
    """Events as the home page and the timeline list them: label and time-span, in time order."""
    events = list(dict.fromkeys(events))
    labels = labels_of(events)
    spans = time_spans(events)
    entries = [{"uri": e, "href": safe_href(e), "label": labels.get(e) or humanize(e), "time": spans.get(e)}
               for e in events]
    no_time = TimeSpan(None, None, None)
    return sorted(entries, key=lambda x: ((x["time"] or no_time).sort_key, x["label"]))


@bp.get("/")
def home() -> str:
    settings = _settings()
    base = settings.base
    void = base + "void"
    # A corpus of thousands of letters has thousands of subsets and parts: the description embedded here
    # leaves out a property with more values than a list of this page shows (the VoID document has them).
    long = [_iri(_v(r, "p")) for r in _select(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {_iri(void)} ?p ?o }} GROUP BY ?p")
            if int(_v(r, "n")) > HOME_LETTERS]
    triples = _construct(f"""CONSTRUCT {{ {_iri(void)} ?p ?o }} WHERE {{
        {_iri(void)} ?p ?o {f"FILTER(?p NOT IN ({', '.join(long)}))" if long else ""} }}""")
    about = {t.predicate.value: t.object.value for t in triples if isinstance(t.object, ox.Literal)}
    rows, letters_cut = first_of(HOME_LETTERS, "l", "?l (MIN(?d) AS ?date) (MIN(?t) AS ?title)",
                                 "?l a foaf:Document ; dcterms:title ?t .", "OPTIONAL { ?l dcterms:date ?d }",
                                 "?date ?l")
    letters = [{"uri": _v(r, "l"), "href": safe_href(_v(r, "l")), "title": _v(r, "title"),
                "date": date_literal_words(r.get("date")), "iso": _v(r, "date", "")} for r in rows]
    names, cuts = {}, {"letters": letters_cut}
    for kind, cls in (("person", "crm:E21_Person"), ("group", "crm:E74_Group"), ("place", "crm:E53_Place")):
        # the ones most letters mention, shown in alphabetical order
        rows, cuts[kind] = first_of(HOME_NAMES, "x", "?x (COUNT(DISTINCT ?l) AS ?n)", f"?x a {cls} .",
                                    "OPTIONAL { ?l dcterms:references ?x }", "DESC(?n) ?x")
        labels = labels_of(_v(r, "x") for r in rows)
        names[kind] = sorted(({"href": safe_href(_v(r, "x")), "label": labels.get(_v(r, "x")) or humanize(_v(r, "x")),
                               "count": int(_v(r, "n", "0")), "uri": _v(r, "x")} for r in rows),
                             key=lambda a: (a["label"].lower(), a["uri"]))
    # Events told in the letters (annotated in a text), beside the history of the texts themselves: the
    # events that made or used a letter or a node below it. A node's letter is the thing it is below
    # ({base}id/kind/slug), looked up by name: a join on a prefix of the IRI pairs every event with every letter.
    things = _str(base + "id/")
    told = f"""?ann oa:hasBody ?e .
  FILTER(STRSTARTS(STR(?e), {_str(base + "id/event/")}))
  MINUS {{
    {{ ?e crm:P94_has_created ?o }} UNION {{ ?e crm:P16_used_specific_object ?o }}
    BIND(IRI(CONCAT({things}, REPLACE(STRAFTER(STR(?o), {things}), "^([^/]*/[^/]*).*$", "$1"))) AS ?doc)
    FILTER EXISTS {{ ?doc a foaf:Document }}
  }}"""
    rows, cuts["events"] = first_of(HOME_EVENTS, "e", _WHEN_SELECT, told,
                                    f"OPTIONAL {{ ?e crm:P4_has_time-span ?ts . {_BOUNDS} }}\n  {_NAME}", _WHEN_ORDER)
    events = _dated_entries(_v(r, "e") for r in rows)
    return _page("home.html", title=about.get(DCTERMS + "title") or "Letters as Linked Data", about=about,
                 void=void, letters=letters, persons=names["person"], groups=names["group"],
                 places=names["place"], events=events, cuts=cuts, jsonld=jsonld_script(triples),
                 license=about.get(DCTERMS + "license"))


@bp.get("/timeline")
def timeline() -> str:
    rows, cut = first_of(TIMELINE_LIMIT, "e", _WHEN_SELECT, "?e crm:P4_has_time-span ?ts .",
                         f"{_BOUNDS}\n  {_NAME}", _WHEN_ORDER)
    events = [_v(r, "e") for r in rows]
    letters_of: dict[str, set[str]] = defaultdict(set)
    if events:
        for r in _select(f"""
            SELECT DISTINCT ?e ?letter WHERE {{
              VALUES ?e {{ {_values(events)} }}
              ?ann oa:hasBody ?e ; oa:hasTarget/oa:hasSource ?text .
              ?letter prov:wasDerivedFrom ?text .
            }}"""):
            letters_of[_v(r, "e")].add(_v(r, "letter"))
    labels = labels_of({l for ls in letters_of.values() for l in ls})
    entries = [{**e, "letters": _links(letters_of[e["uri"]], labels)}
               for e in _dated_entries(events) if e["time"] is not None]
    # the shown events only; a UNION, because an OPTIONAL label would read every label in the store
    triples = _construct(f"""
        CONSTRUCT {{ ?e crm:P4_has_time-span ?ts ; rdfs:label ?l . ?ts ?p ?o . }}
        WHERE {{ VALUES ?e {{ {_values(events)} }}
                 {{ ?e crm:P4_has_time-span ?ts . ?ts ?p ?o }} UNION {{ ?e rdfs:label ?l }} }}""") if events else []
    triples.sort(key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))  # one node object per subject
    return _page("timeline.html", title="Timeline", entries=entries, cut=cut, jsonld=jsonld_script(triples))
