"""How names, properties, links and dates read on the pages: plain functions, and Jinja filters.

Nothing here reads the store or knows the request: a string, a date or a time-span in, words out.
``create_app`` registers ``FILTERS`` on the app, so that templates say ``{{ row.iri|property_label }}``
or ``{{ time|time_words }}`` where a view would otherwise hand them pre-formatted strings.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlsplit

from ..namespaces import NS
from ..uris import KINDS

# Prefixes for readable property names in the generic tables (longest namespace wins), in the order the
# PREFIX lines of a query link are written.
CURIE_PREFIXES = {p: getattr(NS, p) for p in ("rdf", "rdfs", "xsd", "dcterms", "dcmitype", "foaf", "crm", "oa",
                                                "prov", "owl", "skos", "schema", "void", "dcat", "sd", "spdx")}

# What a property means to a reader, where its name alone would not say it.
PROPERTY_LABELS = {
    NS.rdf + "type": "type",
    NS.rdfs + "label": "label",
    NS.rdfs + "comment": "comment",
    NS.dcterms + "title": "title",
    NS.dcterms + "creator": "author",
    NS.dcterms + "contributor": "transcriber",
    NS.dcterms + "date": "date",
    NS.dcterms + "references": "mentions",
    NS.dcterms + "bibliographicCitation": "citation",
    NS.dcterms + "isPartOf": "part of",
    NS.dcterms + "hasPart": "has part",
    NS.schema + "recipient": "addressee",
    NS.schema + "translator": "translator",
    NS.schema + "pagination": "pages",
    NS.foaf + "name": "name",
    NS.owl + "sameAs": "same as",
    NS.skos + "note": "note",
    NS.skos + "prefLabel": "preferred label",
    NS.skos + "definition": "definition",
    NS.skos + "broader": "broader",
    NS.crm + "P70_documents": "documents the claim",
    NS.crm + "P140_assigned_attribute_to": "about",
    NS.crm + "P141_assigned": "assigned",
    NS.crm + "P177_assigned_property_of_type": "by the property",
    NS.crm + "P128_carries": "carries",
    NS.crm + "P106_is_composed_of": "includes",
    NS.crm + "P16_used_specific_object": "used",
    NS.crm + "P107_has_current_or_former_member": "member",
    NS.schema + "sibling": "sibling",
    NS.schema + "spouse": "spouse",
    NS.prov + "wasDerivedFrom": "derived from",
    NS.oa + "hasBody": "body",
    NS.oa + "hasTarget": "target",
    NS.oa + "hasSource": "source",
    NS.oa + "hasSelector": "selector",
    NS.oa + "exact": "exact quote",
    NS.crm + "P11_had_participant": "participant",
    NS.crm + "P14_carried_out_by": "carried out by",
    NS.crm + "P2_has_type": "has type",
    NS.crm + "P4_has_time-span": "time-span",
    NS.crm + "P7_took_place_at": "took place at",
    NS.crm + "P82a_begin_of_the_begin": "begins no earlier than",
    NS.crm + "P82b_end_of_the_end": "ends no later than",
    NS.crm + "P190_has_symbolic_content": "text",
}
# Roles a person or group plays for a letter, as the catalogue view records them.
LETTER_ROLES = {
    NS.dcterms + "creator": "author",
    NS.schema + "recipient": "addressee",
    NS.schema + "translator": "translator",
    NS.dcterms + "contributor": "transcriber",
}
KIND_LABELS = {kind: kind.title() for kind in KINDS}  # 'person' -> 'Person'


# --- names -------------------------------------------------------------------------------------


def local_name(uri: str) -> str:
    return re.split(r"[#/]", uri.rstrip("/#"))[-1] or uri


def humanize(uri: str) -> str:
    """A readable name from an IRI: 'P145_separated' -> 'separated', 'kasparova-popova' -> 'kasparova popova'."""
    name = local_name(uri)
    name = re.sub(r"^[EP]\d+[a-z]?_", "", name)
    return name.replace("_", " ").replace("-", " ") if name else uri


def label(uri: str, labels: dict[str, str]) -> str:
    """The label the data gives ``uri``, else a name made from the IRI."""
    return labels.get(uri) or humanize(uri)


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


def kind_label(kind: str | None) -> str:
    """'person' -> 'Person'; anything that is not one of our kinds is a 'Resource'."""
    return KIND_LABELS.get(kind or "", "Resource")


# --- links -------------------------------------------------------------------------------------


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


# --- dates -------------------------------------------------------------------------------------


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


def date_literal_words(value: str | None) -> str:
    """dcterms:date as words: an xsd:date, or an EDTF interval such as 1922-12-07/1922-12-08."""
    if value is None:
        return ""
    if value.endswith("/..") or value.startswith("../"):  # open-ended: one bound, as EDTF writes it
        bound = value.removesuffix("/..").removeprefix("../")
        try:
            words = day_words(date.fromisoformat(bound))
        except ValueError:
            return value
        return f"not earlier than {words}" if value.endswith("/..") else f"not later than {words}"
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


# A time-span (``readmodel.TimeSpan``: begin, end, and the curated label where there is one) in words.


def span_words(span) -> str:
    """The bounds in words."""
    return time_words(span.begin, span.end)


def span_text(span) -> str:
    """The curated label where there is one (it says how the source puts it), else the bounds in words."""
    return span.label or span_words(span)


def adds_bounds(span) -> bool:
    """Whether the bounds in words say more than the label does."""
    return bool(span.label) and span_words(span).replace("–", "-") != span.label.replace("–", "-")


# The template filters, by the name templates use.
FILTERS = {
    "humanize": humanize, "curie": curie, "property_label": property_label, "class_label": class_label,
    "kind_label": kind_label, "safe_href": safe_href, "annotation_anchor": annotation_anchor,
    "day_words": day_words, "date_literal_words": date_literal_words,
    "time_words": span_words, "time_text": span_text, "adds_bounds": adds_bounds,  # of a time-span
}
