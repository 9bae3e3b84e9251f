"""The letters in CMIF, the TEI Correspondence SIG's Correspondence Metadata Interchange Format, which
correspSearch harvests so that scholars find these letters beside those of other editions.

One ``correspDesc`` per letter (``lod.correspondence`` reads them from the data): its URI in ``ref``,
the printed edition it is cited from as its ``source``, who sent it (and from where, and when) and
who received it, each person by the authority's URI where the data has one, else by ours. Written
as a dump (``letters.cmif.xml``, from the build's quads) and served at ``/cmif.xml`` (``lod.web.cmif``).

The file is made with ElementTree, which escapes every text and attribute; characters XML 1.0 cannot
hold at all (control characters) are replaced first, so that no value in the data can make the file
unreadable. Valid against the SIG's ``cmi-customization.rng`` (tests/test_cmif.py).
"""
from __future__ import annotations

import datetime
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from . import correspondence
from .correspondence import Letter, Named, Query
from .dumps import DUMP_NAME
from .namespaces import sparql_prefixes
from .uris import Minter

TEI = "http://www.tei-c.org/ns/1.0"
MEDIA_TYPE = "application/tei+xml"  # RFC 6129
CONTENT_TYPE = f"{MEDIA_TYPE}; charset=utf-8"
DUMP_FILE = f"{DUMP_NAME}.cmif.xml"
PATH = "cmif.xml"  # where the server answers with it: the URL to give correspSearch
SCHEMA = "https://raw.githubusercontent.com/TEI-Correspondence-SIG/CMIF/master/schema/cmi-customization.rng"
FORMAT = "CMIF (TEI Correspondence Metadata Interchange Format)"
UNKNOWN = "Unknown"  # CMIF's word for a sender or addressee nobody knows
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
# bibl/@xml:id are UUIDs that stay the same when the file is made again (the SIG asks for that): named
# from the edition's own words, under a namespace of ours.
_IDS = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/TEI-Correspondence-SIG/CMIF#lod-letters")
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
# What XML 1.0 cannot hold, escaped or not: C0 controls but tab, newline and return; surrogates; U+FFFE/F.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_ABOUT = """
SELECT ?title ?licence WHERE {{ <{dataset}> dcterms:title ?title . OPTIONAL {{ <{dataset}> dcterms:license ?licence }} }}
"""
_EDITOR = """SELECT ?name WHERE {{ <{curators}> foaf:name ?name }}"""


@dataclass(frozen=True)
class Edition:
    """What the file says of itself and of this edition (its ``teiHeader``)."""

    title: str
    home: str  # {base}
    dataset: str  # {base}void
    url: str  # {base}cmif.xml: where the file itself is published
    editor: str
    licence: str
    date: datetime.date  # when the data it describes last changed


def edition(query: Query, base: str, date: datetime.date) -> Edition:
    """The header of the file, from the dataset description in the data."""
    mint = Minter(base)
    dataset = str(mint.dataset())
    rows = sorted(query(sparql_prefixes("dcterms") + _ABOUT.format(dataset=dataset)),
                  key=lambda r: (r["title"].value, r["licence"].value if r["licence"] else ""))
    title = rows[0]["title"].value if rows else "Letters as Linked Data"
    licence = rows[0]["licence"].value if rows and rows[0]["licence"] is not None else CC0
    names = sorted(r["name"].value for r in query(sparql_prefixes("foaf") + _EDITOR.format(curators=mint.agent("curators"))))
    return Edition(title, mint.base, dataset, mint.base + PATH, names[0] if names else "lod-letters", licence, date)


def from_query(query: Query, base: str, date: datetime.date) -> bytes:
    """The CMIF file of the data ``query`` answers over (its default graph the union of the letters')."""
    return write(edition(query, base, date), correspondence.read(query))


def from_quads(quads: Iterable[ox.Quad], base: str, date: datetime.date) -> bytes:
    """The CMIF file of a build (``Build.quads``): what ``lod build`` writes beside the dumps."""
    # The union as the default graph, each triple once, as the server holds it: pyoxigraph's
    # use_default_graph_as_union reads Lenin once per letter's graph, and the correspondents' join took seconds.
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return from_query(store.query, base, date)


def write(about: Edition, letters: list[Letter]) -> bytes:
    """The file: a ``teiHeader`` with one ``correspDesc`` per letter, UTF-8, the same bytes for the same input."""
    online = _id("online", about.dataset)
    printed = {e: _id("print", e) for e in sorted({letter.edition for letter in letters if letter.edition})}
    # Tags are written bare under a default namespace set by hand: ElementTree's own default_namespace
    # refuses attributes without a namespace, which TEI's all are.
    root = ET.Element("TEI", xmlns=TEI)
    header = _sub(root, "teiHeader")
    file_desc = _sub(header, "fileDesc")
    title_stmt = _sub(file_desc, "titleStmt")
    _sub(title_stmt, "title", about.title)
    _sub(title_stmt, "editor", about.editor)
    publication = _sub(file_desc, "publicationStmt")
    _sub(_sub(publication, "publisher"), "ref", about.title, target=about.home)
    _sub(publication, "idno", about.url, type="url")
    _sub(publication, "date", when=about.date.isoformat())
    licence = "CC0 1.0 Universal: no rights reserved" if about.licence == CC0 else about.licence
    _sub(_sub(publication, "availability"), "licence", licence, target=about.licence)
    source = _sub(file_desc, "sourceDesc")
    this = _sub(source, "bibl", type="online", **{_XML_ID: online})
    _sub(this, "title", about.title).tail = ", "
    _sub(this, "ref", about.dataset, target=about.dataset)
    for text, bibl_id in printed.items():
        _sub(source, "bibl", text, type="print", **{_XML_ID: bibl_id})
    profile = _sub(header, "profileDesc")
    for letter in letters:
        desc = _sub(profile, "correspDesc", ref=letter.uri,
                    source="#" + (printed[letter.edition] if letter.edition else online))
        sent = _sub(desc, "correspAction", type="sent")
        _names(sent, letter.senders)
        if letter.place is not None:
            _sub(sent, "placeName", letter.place.name or UNKNOWN, ref=letter.place.ref)
        dating = letter.dating
        if dating.when or dating.not_before or dating.not_after:
            _sub(sent, "date", when=dating.when, notBefore=dating.not_before, notAfter=dating.not_after)
        _names(_sub(desc, "correspAction", type="received"), letter.addressees)
    _sub(_sub(_sub(root, "text"), "body"), "p")
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<?xml-model href="{SCHEMA}" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
            f"{body}\n").encode()


def _names(action: ET.Element, who: tuple[Named, ...]) -> None:
    """Each correspondent as ``persName`` (``orgName`` for a group); "Unknown" when the data names none."""
    if not who:
        _sub(action, "persName", UNKNOWN)
    for one in who:
        _sub(action, "orgName" if one.group else "persName", one.name or UNKNOWN, ref=one.ref)


def _id(kind: str, name: str) -> str:
    # An xml:id must start with a letter; a UUID may start with a digit.
    return f"{kind}-{uuid.uuid5(_IDS, name)}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str | None) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attributes.items() if v is not None})
    if text is not None:
        element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
