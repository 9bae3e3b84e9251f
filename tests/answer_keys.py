"""Scoring parsed letters against the readers' answer keys, field by field.

Used by tests/test_parser.py (thresholds) and by tests/benchmarks/score_parser.py (the figures).
Two kinds of miss are told apart: *missing* (the parser gave nothing) and *wrong* (it gave
something else). A wrong date stated to the day is the worst mistake and is counted on its own.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from lod.letter import Letter

FIELDS = (
    "author", "addressees", "addressees (extra)", "date", "date (on the page)", "translator", "transcriber",
    "work", "publisher", "place", "year", "volume", "pages", "first_published", "printed_from", "documents",
)


def squash(s: str | None) -> str | None:
    return " ".join(s.split()) if s is not None else None


def key_name_matches(key_name: str, names: list[str], text: str) -> bool:
    """As tests/test_parser.py: the full name where the page writes it, else the surname."""
    plain = re.sub(r"\s*\(.*?\)", "", key_name).strip()
    found = {n.casefold() for n in names}
    if plain.casefold() in squash(text).casefold():
        return plain.casefold() in found
    return plain.split()[-1].casefold() in {f.split()[-1] for f in found if f.split()}


def same_words(a: str | None, b: str | None) -> bool:
    """Equal but for spaces and hyphens between words ("Lenin Miscellany-XX", "Lenin Miscellany XX")."""
    def words(s: str | None) -> str | None:
        return re.sub(r"[\s\-\u2010\u2011]+", " ", s).strip() if s is not None else None
    return words(a) == words(b)


def _first_published(doc) -> dict | None:
    if doc is None or not doc.published:
        return None
    first = doc.published[0]
    got = {"year": first.year, "in": first.venue}
    if first.extent:
        got["extent"] = first.extent
    return got


def _expected_first_published(key: dict) -> dict:
    exp = {"year": key["year"], "in": key["in"]}
    if key.get("extent"):
        exp["extent"] = key["extent"]
    return exp


class Score:
    def __init__(self) -> None:
        self.right: dict[str, int] = defaultdict(int)
        self.total: dict[str, int] = defaultdict(int)
        self.misses: list[tuple[str, str, object, object]] = []
        self.wrong_days: list[tuple[str, object, object]] = []

    def wrong(self) -> list[tuple[str, str, object, object]]:
        """The misses where the parser gave a value, and not the key's (missing ones excluded)."""
        return [m for m in self.misses if m[1] != "addressees" and m[3] not in (None, [], ())]

    def share(self, fields) -> float:
        """Right answers over all answers of ``fields`` together."""
        return sum(self.right[f] for f in fields) / max(1, sum(self.total[f] for f in fields))

    def check(self, file: str, field: str, expected, got, ok: bool | None = None) -> None:
        self.total[field] += 1
        if ok is None:
            ok = expected == got
        if ok:
            self.right[field] += 1
        else:
            self.misses.append((file, field, expected, got))


def score_letter(score: Score, key: dict, letter: Letter | None, error: str | None) -> None:
    file = key["file"]
    doc = letter.documents[0] if letter and letter.documents else None
    author = getattr(letter, "author_name", None) or (squash(letter.author.text) if letter and letter.author else None)
    score.check(file, "author", key["author"]["name"], author)

    names = [squash(a.text) for a in doc.addressees] if doc else []
    text = letter.text if letter else ""
    for addressee in key["addressees"]:
        score.check(file, "addressees", addressee["name"], names, key_name_matches(addressee["name"], names, text))
    extra = [n for n in names if not any(key_name_matches(a["name"], [n], text) for a in key["addressees"])]
    score.check(file, "addressees (extra)", [], extra)

    date_key = key["date"]
    got_date = (doc.date.edtf, doc.date.exact_day) if doc and doc.date else None
    score.check(file, "date", expected_date(date_key), got_date)
    documents = key.get("documents") or []
    on_page = bool(date_key.get("as_written") or (documents and documents[0]["date"].get("as_written")))
    score.check(file, "date (on the page)", expected_date(date_key) if on_page else None, got_date)
    for n, doc_key in enumerate(key.get("documents") or [], start=1):
        if n == 1:
            continue
        other = letter.documents[n - 1] if letter and len(letter.documents) >= n else None
        got = (other.date.edtf, other.date.exact_day) if other and other.date else None
        expected = expected_date(doc_key["date"])
        score.check(file, "date", expected, got)
        score.check(file, "date (on the page)", expected, got)
        _wrong_day(score, file, expected, other)
    _wrong_day(score, file, expected_date(date_key), doc)

    score.check(file, "translator", key["translator"], letter.translator.text if letter and letter.translator else None)
    score.check(file, "transcriber", key["transcriber"], letter.transcriber.text if letter and letter.transcriber else None)
    cite = key["source_citation"]
    c = letter.citation if letter else None
    for field in ("work", "publisher", "place", "year", "volume", "pages"):
        expected = cite[field]
        if field == "volume" and expected is not None:
            expected = str(expected)
        score.check(file, field, expected, getattr(c, field) if c else None)
    expected, got = _expected_first_published(key["first_published"]), _first_published(doc)
    score.check(file, "first_published", expected, got, got is not None and same_words(str(expected), str(got)))
    score.check(file, "printed_from", key["printed_from"], doc.printed_from.text if doc and doc.printed_from else None)
    expected_docs = len(key.get("documents") or []) or 1
    score.check(file, "documents", expected_docs, len(letter.documents) if letter else error)


def expected_date(key: dict) -> tuple[str, bool]:
    """(EDTF, stated to the day); a key gives a time of day apart ("time": "09:00"), EDTF joins them."""
    iso = key["iso"] + (f"T{key['time']}" if key.get("time") else "")
    return iso, key["certain"]


def _wrong_day(score: Score, file: str, expected: tuple[str, bool], doc) -> None:
    """A date stated to the day that is not the key's day (or where the key has no single day)."""
    if doc is None or doc.date is None or not doc.date.exact_day:
        return
    iso, certain = expected
    if not (certain and doc.date.edtf[:10] == iso[:10]):
        score.wrong_days.append((file, expected, doc.date.edtf))


# --- the mapped level: each letter's catalogue view (its graph) against its key ----------------------------
#
# Used by tests/benchmarks/score_mapper.py (the figures) and by the tests that hold the mapper to thresholds.
# The catalogue view is read from the letter's own graph: dcterms:creator, schema:recipient, dcterms:date,
# schema:translator, the volume's schema:volumeNumber, schema:pagination; the persons mentioned are the
# persons the graph links by an annotation (oa:hasBody) or by dcterms:references, less the letter's author,
# addressees, translators and transcriber.

MAPPED_FIELDS = ("author", "addressees", "addressees (extra)", "date", "date (on the page)", "translator",
                 "volume", "pages")
# The catalogue facts the issue holds to 95%: a date the page does not write (a key may take it from the
# page's address) is not one the mapper can know, so the date counted is the one on the page.
CATALOGUE = ("author", "addressees", "addressees (extra)", "date (on the page)", "translator", "volume", "pages")


def _norm_name(name: str) -> str:
    text = name.replace("\u00a0", " ").replace("’", "'")
    text = re.sub(r"\.\s*", ". ", text)
    return " ".join(text.split()).strip(" ,;:").casefold()


def _surname(name: str) -> str:
    parts = _norm_name(name).split()
    return parts[-1].rstrip(".") if parts else ""


def key_names(entry: str) -> list[str]:
    """The names a key entry gives a person: the form as written and each identification in parentheses
    ('Iv. Iv. Skvortsov (Stepanov) (I. I. Skvortsov-Stepanov per note [1])' gives three). An entry written
    as a description ("'all the secretaries'", 'the bearer (unnamed; ...)') names nobody: []."""
    plain = re.sub(r"\s*\(.*?\)", "", entry).strip()
    if not plain or not plain[0].isupper():
        return []
    names = [plain]
    for inner in re.findall(r"\(([^()]*)\)", entry):
        first = re.split(r"\s+(?:per|-|—|=)\s+|[;,:]|\s+-\s*|\s+\[", inner)[0].strip()
        if first and first[0].isupper() and not re.search(r"\d", first) and len(first.split()) <= 5:
            names.append(first)
    return names


def names_match(found: str, names: list[str]) -> bool:
    """A found label is one of the key's names: the same form, or the same surname (a hyphenated
    double surname also answers to either half)."""
    form, last = _norm_name(found), _surname(found)
    for name in names:
        if _norm_name(name) == form:
            return True
        key_last = _surname(name)
        if last and key_last and (last == key_last or last in key_last.split("-") or key_last in last.split("-")):
            return True
    return False


@dataclass
class MappedView:
    """What one letter's graph says in its catalogue view, as labels and literals."""

    file: str
    authors: list[str]
    recipients: list[str]
    date: tuple[str, bool] | None  # (lexical form, typed xsd:date)
    translators: list[str]
    volume: str | None
    pages: str | None
    persons: dict[str, tuple[str, tuple[str, ...]]]  # URI -> (label, the quotes that link it)


def mapped_view(file: str, uri, graph) -> MappedView:
    """The catalogue view of the letter ``uri`` in its rdflib ``graph`` (lod.mapper.Mapped.graph)."""
    from rdflib.namespace import XSD

    from lod.namespaces import CRM, DCTERMS, OA, RDF, RDFS, SCHEMA

    def labels(prop) -> list[str]:
        return sorted(str(graph.value(o, RDFS.label) or o) for o in graph.objects(uri, prop))

    date = graph.value(uri, DCTERMS.date)
    volume = next((graph.value(v, SCHEMA.volumeNumber) for v in graph.objects(uri, DCTERMS.isPartOf)
                   if graph.value(v, SCHEMA.volumeNumber) is not None), None)
    own = {o for p in (DCTERMS.creator, SCHEMA.recipient, SCHEMA.translator, DCTERMS.contributor)
           for o in graph.objects(uri, p)}
    linked = {o: [] for o in graph.objects(uri, DCTERMS.references)}
    for ann in graph.subjects(RDF.type, OA.Annotation):
        target = graph.value(ann, OA.hasTarget)
        quotes = [str(q) for s in graph.objects(target, OA.hasSelector) for q in graph.objects(s, OA.exact)]
        linked.setdefault(graph.value(ann, OA.hasBody), []).extend(quotes)
    persons = {str(p): (str(graph.value(p, RDFS.label) or p), tuple(sorted(set(q))))
               for p, q in linked.items() if (p, RDF.type, CRM.E21_Person) in graph and p not in own}
    return MappedView(
        file=file, authors=labels(DCTERMS.creator), recipients=labels(SCHEMA.recipient),
        date=(str(date), date.datatype == XSD.date) if date is not None else None,
        translators=labels(SCHEMA.translator), volume=str(volume) if volume is not None else None,
        pages=str(graph.value(uri, SCHEMA.pagination)) if graph.value(uri, SCHEMA.pagination) is not None else None,
        persons=persons)


class MappedScore(Score):
    """Score, with the persons mentioned counted both ways: recall (key persons found) and precision
    (found persons the key names)."""

    def __init__(self) -> None:
        super().__init__()
        self.key_persons = 0  # persons the keys name (descriptions and the letter's own people aside)
        self.key_found = 0
        self.linked = 0  # persons the graphs link (the letter's own people aside)
        self.linked_right = 0
        self.missed: list[tuple[str, list[str]]] = []  # (file, the key's names of a person not found)
        self.wrong_links: list[tuple[str, str, tuple[str, ...]]] = []  # (file, label, quotes)

    def recall(self) -> float:
        return self.key_found / max(1, self.key_persons)

    def precision(self) -> float:
        return self.linked_right / max(1, self.linked)


def _key_people(entries: list[str]) -> list[list[str]]:
    """Key entries as persons: entries that share a surname are one person (the body's 'Krasin' and the
    notes' 'L. B. Krasin')."""
    people: list[list[str]] = []
    for entry in entries:
        names = key_names(entry)
        if not names:
            continue
        same = [p for p in people if any(names_match(n, p) for n in names)]
        merged = list(dict.fromkeys([n for p in same for n in p] + names))
        people = [p for p in people if p not in same] + [merged]
    return people


def score_mapped(score: MappedScore, key: dict, view: MappedView) -> None:
    file = key["file"]
    author_names = [n for n in (key["author"].get("name"), key["author"].get("full_name")) if n]
    score.check(file, "author", key["author"]["name"], view.authors,
                len(view.authors) == 1 and names_match(view.authors[0], author_names))

    addressees = [key_names(a["name"]) or [a["name"]] for a in key["addressees"]]
    for entry, names in zip(key["addressees"], addressees):
        score.check(file, "addressees", entry["name"], view.recipients,
                    any(names_match(r, names) for r in view.recipients))
    extra = [r for r in view.recipients if not any(names_match(r, names) for names in addressees)]
    score.check(file, "addressees (extra)", [], extra)

    date_key = key["date"]
    documents = key.get("documents") or []
    on_page = bool(date_key.get("as_written") or (documents and documents[0]["date"].get("as_written")))
    score.check(file, "date", expected_date(date_key), view.date)
    score.check(file, "date (on the page)", expected_date(date_key) if on_page else None, view.date)
    if view.date and view.date[1]:
        iso, certain = expected_date(date_key)
        if not (certain and view.date[0] == iso[:10]):
            score.wrong_days.append((file, (iso, certain), view.date[0]))

    translators = [n.strip() for n in re.split(r",|\band\b", key["translator"] or "") if n.strip()]
    score.check(file, "translator", translators, view.translators,
                len(translators) == len(view.translators)
                and all(any(names_match(t, [k]) for t in view.translators) for k in translators))
    cite = key["source_citation"]
    score.check(file, "volume", None if cite["volume"] is None else str(cite["volume"]), view.volume)
    score.check(file, "pages", cite["pages"], view.pages)

    # The letter's own people are no mention to score: the author, the addressees, translators, transcriber.
    own = [*author_names, *(n for names in addressees for n in names), *translators,
           *([key["transcriber"]] if key.get("transcriber") else [])]
    people = [p for p in _key_people(list(key.get("persons_mentioned_body") or [])
                                     + list(key.get("persons_mentioned_notes") or []))
              if not any(names_match(n, own) for n in p)]
    found = {uri: (label, quotes) for uri, (label, quotes) in view.persons.items() if not names_match(label, own)}
    for names in people:
        score.key_persons += 1
        if any(names_match(label, names) for label, _ in found.values()):
            score.key_found += 1
        else:
            score.missed.append((file, names))
    for label, quotes in found.values():
        score.linked += 1
        if any(names_match(label, names) for names in people):
            score.linked_right += 1
        else:
            score.wrong_links.append((file, label, quotes))


def score_build(build, keys: list[dict]) -> MappedScore:
    """Every keyed letter of a build (lod.build.Build) scored against its key."""
    score = MappedScore()
    mapped = {m.file: m for m in build.mapped}
    for key in keys:
        m = mapped.get(key["file"])
        view = mapped_view(m.file, m.uri, m.graph) if m else MappedView(key["file"], [], [], None, [], None, None, {})
        score_mapped(score, key, view)
    return score
