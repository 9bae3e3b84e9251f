"""Who wrote to whom, when, from where, and where it is printed: the letters of the built data as
correspondence, read by SPARQL (what ``lod.cmif`` writes).

Read from the data, never from the letter files or the annotations, so that a build, a store directory
and a remote store describe their letters alike. A letter is the English text (``foaf:Document``) that
translates an original; its catalogue view gives the correspondents (``dcterms:creator``,
``schema:recipient``), the date (``dcterms:date``) and the printed edition (``dcterms:bibliographicCitation``),
and the creation of the original its time-span and place (docs/model.md, "Creation and publication").
"""
from __future__ import annotations

import calendar
import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import NS, sparql_prefixes

# Identifiers of authority files correspSearch reads; the data has owl:sameAs only to checked ones.
AUTHORITIES = ("http://www.wikidata.org/entity/",)

_LETTERS = "?original crm:P73_has_translation ?letter . ?letter a foaf:Document ."

# Each query asks for one fact a row, never one OPTIONAL beside another: a store whose default graph
# repeats a triple once per graph that holds it (Oxigraph's --union-default-graph) would otherwise join
# Lenin's name, label, identifier and types 28 times each, for each of 28 letters, and time out.
_CATALOGUE = f"""
SELECT DISTINCT ?letter ?p ?v WHERE {{
  {_LETTERS}
  VALUES ?p {{ rdf:type dcterms:date dcterms:bibliographicCitation dcterms:isPartOf schema:pagination
              dcterms:creator schema:recipient }}
  ?letter ?p ?v
}}"""

_CREATION = f"""
SELECT DISTINCT ?letter ?p ?v WHERE {{
  {_LETTERS}
  ?creation crm:P94_has_created ?original .
  {{ ?creation crm:P4_has_time-span ?span . VALUES ?p {{ crm:P82a_begin_of_the_begin crm:P82b_end_of_the_end }} ?span ?p ?v }}
  UNION {{ ?creation ?p ?v FILTER(?p = crm:P7_took_place_at) }}
}}"""

# The names, identifiers and types of everything a letter names: its correspondents, its place, its volume.
_NAMED = f"""
SELECT DISTINCT ?x ?p ?v WHERE {{
  {{ SELECT DISTINCT ?x WHERE {{
       {_LETTERS}
       {{ ?letter dcterms:creator|schema:recipient|dcterms:isPartOf ?x }}
       UNION {{ ?creation crm:P94_has_created ?original ; crm:P7_took_place_at ?x }}
  }} }}
  VALUES ?p {{ foaf:name rdfs:label owl:sameAs rdf:type }}
  ?x ?p ?v
}}"""

_PREFIXES = sparql_prefixes("crm", "dcterms", "foaf", "owl", "rdf", "rdfs", "schema")


@dataclass(frozen=True)
class Named:
    """A correspondent or a place: our URI, its name, and the authority's URI where the data has one."""

    uri: str
    name: str | None
    authority: str | None = None
    group: bool = False  # an organisation, not a person

    @property
    def ref(self) -> str:
        """What identifies it across editions: the authority's URI, else ours."""
        return self.authority or self.uri


@dataclass(frozen=True)
class Dating:
    """A day (``when``), or bounds (either may be open); all None when the letter is undated."""

    when: str | None = None
    not_before: str | None = None
    not_after: str | None = None


@dataclass(frozen=True)
class Letter:
    uri: str
    senders: tuple[Named, ...]
    addressees: tuple[Named, ...]
    place: Named | None  # where it was written, when the data says
    dating: Dating
    edition: str | None  # the printed edition: its citation with volume and pages


Query = Callable[[str], Iterable]


def read(query: Query) -> list[Letter]:
    """Every letter in the data ``query`` answers over (its default graph the union of the letters'), by URI."""
    letters = _facts(query(_PREFIXES + _CATALOGUE), "letter")
    creation = _facts(query(_PREFIXES + _CREATION), "letter")
    named = _facts(query(_PREFIXES + _NAMED), "x")
    found = []
    for uri in sorted(letters):
        facts, made = letters[uri], creation.get(uri, {})
        places = _all_named(made.get(NS.crm + "P7_took_place_at", ()), named)
        found.append(Letter(
            uri=uri,
            senders=_all_named(facts.get(NS.dcterms + "creator", ()), named),
            addressees=_all_named(facts.get(NS.schema + "recipient", ()), named),
            place=places[0] if places else None,
            dating=dating(_first(facts.get(NS.dcterms + "date", ())),
                          _value(made.get(NS.crm + "P82a_begin_of_the_begin", ())),
                          _value(made.get(NS.crm + "P82b_end_of_the_end", ()))),
            edition=_edition(facts, named),
        ))
    return found


def _facts(rows: Iterable, subject: str) -> dict[str, dict[str, set]]:
    """{subject: {property: {values}}} from rows of ``?subject ?p ?v``."""
    facts: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        facts[row[subject].value][row["p"].value].add(row["v"])
    return facts


def _all_named(uris: Iterable, named: dict[str, dict[str, set]]) -> tuple[Named, ...]:
    found = (_named(uri.value, named.get(uri.value, {})) for uri in uris if isinstance(uri, ox.NamedNode))
    return tuple(sorted(found, key=lambda n: (n.name or "", n.uri)))


def _named(uri: str, facts: dict[str, set]) -> Named:
    # The smallest of several values, so that the same data always gives the same file.
    name = _value(facts.get(NS.foaf + "name", ())) or _value(facts.get(NS.rdfs + "label", ()))
    same = [v for v in facts.get(NS.owl + "sameAs", ()) if isinstance(v, ox.NamedNode) and v.value.startswith(AUTHORITIES)]
    group = ox.NamedNode(NS.crm + "E74_Group") in facts.get(NS.rdf + "type", ())
    return Named(uri, name, _value(same), group)


def _value(terms: Iterable) -> str | None:
    term = _first(terms)
    return None if term is None else term.value


def _first(values: Iterable):
    ordered = sorted(values, key=str)
    return ordered[0] if ordered else None


def _edition(facts: dict[str, set], named: dict[str, dict[str, set]]) -> str | None:
    """The citation as the page gives it; without one, the volume and pages the data has."""
    citation = _value(facts.get(NS.dcterms + "bibliographicCitation", ()))
    if citation is not None:
        return citation
    volumes = [n.name for n in _all_named(facts.get(NS.dcterms + "isPartOf", ()), named) if n.name]
    pages = _value(facts.get(NS.schema + "pagination", ()))
    parts = [volumes[0] if volumes else None, f"pages {pages}" if pages else None]
    return ", ".join(p for p in parts if p) or None


# --- dates ------------------------------------------------------------------------------------

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EDTF_PART = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?[?~%]?")


def dating(date: ox.Literal | None, begin: str | None = None, end: str | None = None) -> Dating:
    """When a letter was written, as CMIF dates it: a day it names (``when``), otherwise the bounds its EDTF
    ``dcterms:date`` gives, otherwise those of its creation's time-span (``xsd:dateTime``, inclusive)."""
    if date is not None and date.datatype.value == NS.xsd + "date" and _valid_day(date.value):
        return Dating(when=date.value)
    bounds = edtf_bounds(date.value) if date is not None and date.datatype.value == NS.edtf else None
    if bounds is None and (begin or end):
        bounds = (_day_of(begin), _day_of(end))
    if bounds is None or bounds == (None, None):
        return Dating()
    if bounds[0] is not None and bounds[0] == bounds[1]:
        return Dating(when=bounds[0])
    return Dating(not_before=bounds[0], not_after=bounds[1])


def edtf_bounds(value: str) -> tuple[str | None, str | None] | None:
    """First and last day of an EDTF date or interval of years, months and days ("1913-11",
    "1922-12-07/1922-12-08", "1916-07-28/.."); None for any other EDTF (seasons, unspecified digits)."""
    parts = value.split("/")
    if len(parts) > 2:
        return None
    if len(parts) == 1:
        first, last = _edtf_day(parts[0], last=False), _edtf_day(parts[0], last=True)
        return (first, last) if first and last else None
    first = None if parts[0] in ("", "..") else _edtf_day(parts[0], last=False)
    last = None if parts[1] in ("", "..") else _edtf_day(parts[1], last=True)
    if (first is None and parts[0] not in ("", "..")) or (last is None and parts[1] not in ("", "..")):
        return None
    return first, last


def _edtf_day(part: str, *, last: bool) -> str | None:
    match = _EDTF_PART.fullmatch(part)
    if match is None:
        return None
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else (12 if last else 1)
    if not 1 <= month <= 12 or year == 0:
        return None
    day = int(match["day"]) if match["day"] else (calendar.monthrange(year, month)[1] if last else 1)
    text = f"{year:04d}-{month:02d}-{day:02d}"
    return text if _valid_day(text) else None


def _day_of(value: str | None) -> str | None:
    """The day of an ``xsd:dateTime`` bound ("1911-04-18T23:59:59" -> "1911-04-18")."""
    if value is None or not _valid_day(value[:10]):
        return None
    return value[:10]


def _valid_day(text: str) -> bool:
    """An ``xsd:date`` of years 1-9999 that the calendar has: the only days written into CMIF."""
    if not _DAY.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True
