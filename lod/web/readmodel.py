"""The read model: every SPARQL read the HTML pages and the Linked Data documents make, as plain data.

Each function takes the store (``lod.store``: embedded or a remote endpoint, the same ``query``) and,
where URIs of ours matter, the base; it returns strings, numbers, dicts and small dataclasses, or
pyoxigraph triples where an RDF document is wanted. No Flask, no request, no wording: the pages
(``pages.py``) and the documents (``ld.py``) decide how it reads.

The queries are shaped for pyoxigraph's planner, which joins late: fixed properties as UNIONs rather
than ``VALUES ?p`` or OPTIONALs, and things asked for by name rather than filtered out of the store.
The comments at each query say which shape it avoids.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import pyoxigraph as ox

from ..namespaces import NS, PREFIXES, sparql_prefixes
from ..store import NodesBelow
from ..uris import Minter

PREFIX_LINES = sparql_prefixes(*PREFIXES)


# --- queries -----------------------------------------------------------------------------------


def iri(uri: str) -> str:
    """``<uri>`` for a SPARQL query; NamedNode refuses anything that is not an IRI."""
    return f"<{ox.NamedNode(uri).value}>"


def string(text: str) -> str:
    """A SPARQL string literal (JSON's escapes are SPARQL's)."""
    return json.dumps(text, ensure_ascii=False)


def values(uris) -> str:
    return " ".join(iri(u) for u in sorted(set(uris)))


def any_of(s: str, properties, o: str, var: str = "?p") -> str:
    """``s ?p o`` for ``?p`` one of ``properties``, as a UNION of fixed properties: with ``VALUES ?p``
    pyoxigraph reads every ``?s ?p ?o`` of the store and joins afterwards (seconds on a million triples)."""
    return " UNION ".join(f"{{ {s} {p} {o} BIND({p} AS {var}) }}" for p in properties)


def select_terms(store, query: str) -> list[dict[str, object]]:
    """Rows of a SELECT as dicts of variable name -> pyoxigraph term (missing: absent)."""
    result = store.query(PREFIX_LINES + query)
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


def select(store, query: str) -> list[dict[str, str]]:
    """Rows of a SELECT as dicts of variable name -> the term's value (missing: absent)."""
    return [{name: term.value for name, term in row.items()} for row in select_terms(store, query)]


def construct(store, query: str) -> list[ox.Triple]:
    return list(store.query(PREFIX_LINES + query))


# --- labels and time-spans ---------------------------------------------------------------------

LABEL_PROPERTIES = (NS.rdfs + "label", NS.foaf + "name", NS.skos + "prefLabel", NS.dcterms + "title")  # best first


def labels_of(store, uris) -> dict[str, str]:
    """A display label for each IRI: rdfs:label, else foaf:name, skos:prefLabel or dcterms:title."""
    uris = {u for u in uris if u}
    if not uris:
        return {}
    rows = select_terms(store, f"""
        SELECT ?s ?p ?l WHERE {{
          VALUES ?s {{ {values(uris)} }}
          {any_of("?s", ("rdfs:label", "foaf:name", "skos:prefLabel", "dcterms:title"), "?l")}
        }}""")
    best: dict[str, tuple[int, str]] = {}
    for row in rows:
        lit = row["l"]
        if not isinstance(lit, ox.Literal):
            continue
        rank = LABEL_PROPERTIES.index(row["p"].value) * 2 + (0 if lit.language in (None, "en") else 1)
        s = row["s"].value
        if s not in best or (rank, lit.value) < best[s]:
            best[s] = (rank, lit.value)
    return {s: v for s, (_, v) in best.items()}


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


@dataclass
class TimeSpan:
    """An event's time-span: its bounds, and the curated label where there is one (``wording`` says it in words)."""

    begin: datetime | None
    end: datetime | None
    label: str | None

    @property
    def sort_key(self) -> tuple:
        first = self.begin or self.end
        return (first is None, first or datetime.max, self.end or datetime.max)

    @property
    def iso(self) -> str | None:
        first = self.begin or self.end
        return first.isoformat() if first else None


NO_TIME = TimeSpan(None, None, None)


def time_spans(store, events) -> dict[str, TimeSpan]:
    events = set(events)
    if not events:
        return {}
    rows = select(store, f"""
        SELECT ?e ?begin ?end ?label WHERE {{
          VALUES ?e {{ {values(events)} }}
          ?e crm:P4_has_time-span ?ts .
          OPTIONAL {{ ?ts crm:P82a_begin_of_the_begin ?begin }}
          OPTIONAL {{ ?ts crm:P82b_end_of_the_end ?end }}
          OPTIONAL {{ ?ts rdfs:label ?label }}
        }}""")
    return {r["e"]: TimeSpan(parse_datetime(r.get("begin")), parse_datetime(r.get("end")), r.get("label"))
            for r in rows}


# --- evidence: quotes that anchor a thing in a letter ------------------------------------------


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


def all_facts(store, nodes, paths: dict[str, str]) -> dict[str, dict[str, set[str]]]:
    """For each of ``nodes``, the values of each path (``{"date": "dcterms:date"}``), in one query of fixed
    properties: an OPTIONAL per property makes pyoxigraph read every value of that property in the store."""
    nodes = {n for n in nodes if n}
    if not nodes:
        return {}
    branches = " UNION ".join(f'{{ ?x {path} ?v BIND("{key}" AS ?k) }}' for key, path in paths.items())
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in select(store, f"SELECT ?x ?k ?v WHERE {{ VALUES ?x {{ {values(nodes)} }} {branches} }}"):
        found[row["x"]][row["k"]].add(row["v"])
    return found


def facts(store, nodes, paths: dict[str, str]) -> dict[str, dict[str, str]]:
    """For each of ``nodes``, a value of each path (the least, so that a page reads the same every time)."""
    return {node: {key: min(vs) for key, vs in values_.items()} for node, values_ in all_facts(store, nodes, paths).items()}


def quotes_for(store, bodies, annotations=None) -> dict[str, list[Quote]]:
    """The annotations whose body is one of ``bodies`` (only those of ``annotations``, when given), as
    quotes in their letters, in text order."""
    bodies = set(bodies)
    if not bodies or annotations is not None and not annotations:
        return {}
    start = f"VALUES ?ann {{ {values(annotations)} }}" if annotations is not None else \
        f"VALUES ?body {{ {values(bodies)} }}"
    rows = [r for r in select(store, f"""
        SELECT ?ann ?body ?target ?q ?exact ?letter WHERE {{
          {start}
          ?ann oa:hasBody ?body ; oa:hasTarget ?target .
          ?target oa:hasSource ?text ; oa:hasSelector ?q .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact .
          ?letter prov:wasDerivedFrom ?text .
        }}""") if r.get("body") in bodies]
    known = facts(store, {r.get(name) for r in rows for name in ("ann", "target", "q", "letter")},
                  {"prefix": "oa:prefix", "suffix": "oa:suffix", "start": "oa:hasSelector/oa:start",
                   "voice": "crm:P70_documents/crm:P14_carried_out_by", "date": "dcterms:date"})

    def fact(row: dict, node: str, key: str, default=None):
        return known.get(row.get(node), {}).get(key, default)

    labels = labels_of(store, {fact(r, "ann", "voice") for r in rows} | {r["letter"] for r in rows})
    found: dict[str, dict[str, Quote]] = defaultdict(dict)
    for r in rows:
        ann, body = r["ann"], r["body"]
        voice = fact(r, "ann", "voice")
        found[body][ann] = Quote(
            annotation=ann, body=body, exact=r.get("exact", ""), prefix=fact(r, "q", "prefix", ""),
            suffix=fact(r, "q", "suffix", ""), start=int(fact(r, "target", "start", "0")), voice=voice,
            voice_label=labels.get(voice) if voice else None, letter=r["letter"],
            letter_label=labels.get(r["letter"], r["letter"]), letter_date=fact(r, "letter", "date", ""))
    return {body: sorted(qs.values(), key=lambda q: (q.letter_date, q.letter, q.start, q.annotation))
            for body, qs in found.items()}


# --- a person, group or place, an event ---------------------------------------------------------


def annotations_about(store, thing: str, limit: int) -> list[str]:
    return [r["ann"] for r in select(store, f"SELECT ?ann WHERE {{ ?ann oa:hasBody {iri(thing)} }} LIMIT {limit}")]


def roles_in_letters(store, thing: str, properties, limit: int) -> tuple[list[tuple[str, str]], bool]:
    """``(letter, property)`` for the letters (at most ``limit``) that link ``thing`` by one of ``properties``,
    and whether more than ``limit`` things link it so."""
    rows = select(store, f"""
        SELECT ?letter ?p WHERE {{ {any_of("?letter", [iri(p) for p in properties], iri(thing))} }}
        LIMIT {limit + 1}""")
    # Which of them are letters, asked of those few by name: joined in the query above, pyoxigraph would
    # read every letter of the store first.
    documents = {r["l"] for r in select(store, f"""
        SELECT ?l WHERE {{ VALUES ?l {{ {values(r["letter"] for r in rows)} }} ?l a foaf:Document }}""")
                 } if rows else set()
    pairs = [(r["letter"], r["p"]) for r in rows if r["letter"] in documents]
    return pairs[:limit], len(rows) > limit


def events_linking(store, base: str, thing: str, limit: int) -> list[tuple[str, list[str]]]:
    """Events (at most ``limit``) with any property pointing at ``thing``, with those properties."""
    rows = select(store, f"""
        SELECT DISTINCT ?e ?p WHERE {{
          ?e ?p {iri(thing)} .
          FILTER(STRSTARTS(STR(?e), {string(base + "id/event/")}) && !CONTAINS(SUBSTR(STR(?e), {len(base) + 10}), "/"))
        }} LIMIT {limit}""")
    properties: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        properties[r["e"]].append(r["p"])
    return list(properties.items())


# --- a letter ------------------------------------------------------------------------------------


def source_text(store, text: str) -> tuple[str | None, str | None]:
    """The name of a letter's stored file (dcterms:identifier) and its text as the data holds it (crm:P190).

    The text comes from the store, so that a store directory or a remote store shows the letter as
    the dumps do, with no folder of files beside it.
    """
    rows = select(store, f"SELECT ?id ?content WHERE {{ OPTIONAL {{ {iri(text)} dcterms:identifier ?id }} "
                         f"OPTIONAL {{ {iri(text)} crm:P190_has_symbolic_content ?content }} }} LIMIT 1")
    return (rows[0].get("id"), rows[0].get("content")) if rows else (None, None)


def annotations_on(store, source: str) -> list[dict[str, str]]:
    """Every annotation on a text with its position, quote, motivation and voice (the one who carries out the
    attribute assignments it documents: docs/model.md, "Claims and voices").

    Motivation and voice are asked for afterwards, for these annotations by name: as OPTIONALs of the
    same query pyoxigraph reads every claim in the store (200 ms a letter at a million triples)."""
    rows = select(store, f"""
        SELECT DISTINCT ?ann ?body ?start ?end ?exact WHERE {{
          ?ann oa:hasBody ?body ; oa:hasTarget ?target .
          ?target oa:hasSource {iri(source)} ; oa:hasSelector ?pos , ?q .
          ?pos a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
          ?q a oa:TextQuoteSelector ; oa:exact ?exact .
        }}""")
    known = all_facts(store, {r["ann"] for r in rows},
                      {"motivation": "oa:motivatedBy", "voice": "crm:P70_documents/crm:P14_carried_out_by"})
    for row in rows:
        for key, found in known.get(row["ann"], {}).items():
            row[key] = min(found)  # one, the same on every render
    return rows


def history(store, letter: str, nodes) -> tuple[list[dict], dict[str, str]]:
    """Events that made, used or published the letter, its original or their parts, and their labels.

    Each event: ``{"uri", "time", "by", "at", "types", "created"}``, the last four lists of IRIs (what
    it created, less the letter's own nodes). ``nodes``: the letter and the nodes below it (its document
    holds them); asking for those few by name is an index lookup, where a filter on the IRI would read
    every creation in the store."""
    rows = select(store, f"""
        SELECT DISTINCT ?e WHERE {{
          VALUES ?o {{ {values(nodes)} }}
          {any_of("?e", ("crm:P94_has_created", "crm:P16_used_specific_object"), "?o")}
        }}""")
    events = [r["e"] for r in rows]
    if not events:
        return [], {}
    details = select(store, f"""
        SELECT ?e ?p ?o WHERE {{
          VALUES ?e {{ {values(events)} }}
          {any_of("?e", ("crm:P14_carried_out_by", "crm:P7_took_place_at", "crm:P2_has_type",
                          "crm:P94_has_created"), "?o")}
        }}""")
    labels = labels_of(store, set(events) | {r["o"] for r in details})
    spans = time_spans(store, events)
    by_event: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in details:
        if r["p"] == NS.crm + "P94_has_created" and r["o"].startswith(letter):
            continue
        by_event[r["e"]][r["p"]].append(r["o"])
    return [{"uri": e, "time": spans.get(e), "by": by_event[e].get(NS.crm + "P14_carried_out_by", []),
             "at": by_event[e].get(NS.crm + "P7_took_place_at", []), "types": by_event[e].get(NS.crm + "P2_has_type", []),
             "created": by_event[e].get(NS.crm + "P94_has_created", [])} for e in events], labels


def part_of_chain(store, uri: str) -> list[str]:
    """letter -> volume -> work, following dcterms:isPartOf (at most a few levels)."""
    chain, current, seen = [], uri, {uri}
    for _ in range(6):
        rows = select(store, f"SELECT ?parent WHERE {{ {iri(current)} dcterms:isPartOf ?parent }} ORDER BY ?parent")
        parents = [r["parent"] for r in rows if r["parent"] not in seen]
        if not parents:
            break
        current = parents[0]
        seen.add(current)
        chain.append(current)
    return chain


# --- the home page and the timeline: the first of long lists -----------------------------------

_BOUNDS = "OPTIONAL { ?ts crm:P82a_begin_of_the_begin ?begin } OPTIONAL { ?ts crm:P82b_end_of_the_end ?end }"
_NAME = "OPTIONAL { ?e rdfs:label ?name }"
_WHEN_SELECT = "?e (MIN(COALESCE(?begin, ?end)) AS ?first) (MIN(?end) AS ?last) (MIN(?name) AS ?label)"
# As TimeSpan.sort_key: by the earliest possible start (else the end), then by the end; undated last.
_WHEN_ORDER = "(!BOUND(?first)) ?first (!BOUND(?last)) ?last ?label ?e"


@dataclass
class Cut:
    """A list that stops at ``shown`` of ``total``; ``query`` asks for the rest."""

    shown: int
    total: int
    query: str


def first_of(store, limit: int, key: str, select_: str, members: str, details: str, order: str,
             max_results: int) -> tuple[list[dict[str, str]], Cut | None]:
    """The first ``limit`` rows of ``SELECT {select_} WHERE {members details} GROUP BY ?{key} ORDER BY {order}``
    and, where ``members`` has more ``?{key}`` than that, how many it has and a query for the rest."""
    # Grouped in a subquery and ordered outside it: Virtuoso refuses ORDER BY on an aggregate's alias.
    projected = " ".join(re.findall(r"(?:^|AS )(\?\w+)", select_))
    query = (f"SELECT {projected} WHERE {{ {{\n  SELECT {select_} WHERE {{\n  {members}\n  {details}\n  }}\n"
             f"  GROUP BY ?{key}\n}} }}\nORDER BY {order}")
    rows = select(store, f"{query}\nLIMIT {limit + 1}")
    if len(rows) <= limit:
        return rows, None
    total = select(store, f"SELECT (COUNT(DISTINCT ?{key}) AS ?n) WHERE {{ {members} }}")
    # the endpoint refuses answers of more than max_results rows: the query asks for no more than that
    return rows[:limit], Cut(limit, int(total[0].get("n", "0")), f"{query}\nLIMIT {max_results} OFFSET {limit}")


def dataset_about(store, base: str, limit: int) -> list[ox.Triple]:
    """The built description ``{base}void``, less the properties with more than ``limit`` values.

    A corpus of thousands of letters has thousands of subsets and parts: the home page embeds the
    description without them (the VoID document has them)."""
    void = iri(base + "void")
    long = [iri(r["p"]) for r in select(store, f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {void} ?p ?o }} GROUP BY ?p")
            if int(r["n"]) > limit]
    return construct(store, f"""CONSTRUCT {{ {void} ?p ?o }} WHERE {{
        {void} ?p ?o {f"FILTER(?p NOT IN ({', '.join(long)}))" if long else ""} }}""")


def first_letters(store, limit: int, max_results: int) -> tuple[list[dict[str, str]], Cut | None]:
    """The earliest letters: ``{"l", "date", "title"}``, ``date`` absent where the letter has none."""
    return first_of(store, limit, "l", "?l (MIN(?d) AS ?date) (MIN(?t) AS ?title)",
                    "?l a foaf:Document ; dcterms:title ?t .", "OPTIONAL { ?l dcterms:date ?d }", "?date ?l",
                    max_results)


def most_mentioned(store, cls: str, limit: int, max_results: int) -> tuple[list[dict[str, str]], Cut | None]:
    """The members of ``cls`` (a CURIE) that most letters mention: ``{"x", "n"}``, most first."""
    return first_of(store, limit, "x", "?x (COUNT(DISTINCT ?l) AS ?n)", f"?x a {cls} .",
                    "OPTIONAL { ?l dcterms:references ?x }", "DESC(?n) ?x", max_results)


def first_told_events(store, base: str, limit: int, max_results: int) -> tuple[list[str], Cut | None]:
    """The earliest events told in the letters (annotated in a text), beside the history of the texts
    themselves: the events that made or used a letter or a node below it."""
    # A node's letter is the thing it is below ({base}id/kind/slug), looked up by name: a join on a prefix
    # of the IRI pairs every event with every letter.
    things = string(base + "id/")
    told = f"""?ann oa:hasBody ?e .
  FILTER(STRSTARTS(STR(?e), {string(base + "id/event/")}))
  MINUS {{
    {{ ?e crm:P94_has_created ?o }} UNION {{ ?e crm:P16_used_specific_object ?o }}
    BIND(IRI(CONCAT({things}, REPLACE(STRAFTER(STR(?o), {things}), "^([^/]*/[^/]*).*$", "$1"))) AS ?doc)
    FILTER EXISTS {{ ?doc a foaf:Document }}
  }}"""
    rows, cut = first_of(store, limit, "e", _WHEN_SELECT, told,
                         f"OPTIONAL {{ ?e crm:P4_has_time-span ?ts . {_BOUNDS} }}\n  {_NAME}", _WHEN_ORDER, max_results)
    return [r["e"] for r in rows], cut


def first_dated_events(store, limit: int, max_results: int) -> tuple[list[str], Cut | None]:
    """The earliest events with a dated time-span (one with a bound; "date unknown" has none), for the timeline."""
    rows, cut = first_of(store, limit, "e", _WHEN_SELECT,
                         "?e crm:P4_has_time-span ?ts . ?ts crm:P82a_begin_of_the_begin|crm:P82b_end_of_the_end ?bound .",
                         f"{_BOUNDS}\n  {_NAME}", _WHEN_ORDER, max_results)
    return [r["e"] for r in rows], cut


def letters_telling(store, events) -> dict[str, set[str]]:
    """For each of ``events``, the letters whose text is annotated with it."""
    letters: dict[str, set[str]] = defaultdict(set)
    if events:
        for r in select(store, f"""
            SELECT DISTINCT ?e ?letter WHERE {{
              VALUES ?e {{ {values(events)} }}
              ?ann oa:hasBody ?e ; oa:hasTarget/oa:hasSource ?text .
              ?letter prov:wasDerivedFrom ?text .
            }}"""):
            letters[r["e"]].add(r["letter"])
    return letters


def time_span_triples(store, events) -> list[ox.Triple]:
    """The time-spans and labels of ``events``, one node object per subject in JSON-LD."""
    if not events:
        return []
    # the given events only; a UNION, because an OPTIONAL label would read every label in the store
    triples = construct(store, f"""
        CONSTRUCT {{ ?e crm:P4_has_time-span ?ts ; rdfs:label ?l . ?ts ?p ?o . }}
        WHERE {{ VALUES ?e {{ {values(events)} }}
                 {{ ?e crm:P4_has_time-span ?ts . ?ts ?p ?o }} UNION {{ ?e rdfs:label ?l }} }}""")
    triples.sort(key=lambda t: (t.subject.value, t.predicate.value, str(t.object)))
    return triples


# --- the Linked Data documents -------------------------------------------------------------------


def main_things(store, base: str) -> list[str]:
    """The things of the store that are ours and not nodes below another thing, sorted."""
    minter = Minter(base)
    rows = store.query(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
                       f"{string(base + 'id/')})) }}")
    return sorted({row["s"].value for row in rows if (parsed := minter.parse(row["s"].value)) and parsed.main})


def listed_main_things(subjects: NodesBelow, base: str) -> list[str]:
    """``main_things``, read from the sorted subjects of an embedded store instead of asked of the store.

    The lines under ``{base}id/`` of two segments (``kind/slug``, nothing below) are found at C speed
    (``NodesBelow.matching``); ``Minter.parse`` then decides of those few, as ``main_things`` does.
    """
    minter = Minter(base)
    candidates = subjects.matching(base + "id/", rb"[^/\n]++/[^/\n]++")
    return [uri for uri in candidates if (parsed := minter.parse(uri)) and parsed.main]
