"""`lod synth`: a synthetic corpus in our own model, as large as asked, to measure the publisher at scale.

Every letter gets what the mapper gives a real one, in fewer words: the catalogue view (title,
creator, recipients, date, citation, volume, references), the English letter as the translation
of its Russian original, a creation event with a time-span, the persons, groups and places it
names (described in its graph, as the mapper does), perhaps an event it tells of, and a Web
Annotation with both selectors for every mention and every event. The letter's text is made up
with the mentions in it, and kept whole as the letter's ``crm:P190_has_symbolic_content``: the
selectors' code-point offsets count in that text.

Persons, groups and places are drawn from pools with a Zipf (long-tailed) law, so a few appear in
thousands of letters and most in one or two, as in a real correspondence. About 100 quads per
letter: 10,000 letters make about a million triples.

The quads are written as they are made (N-Quads, one named graph per letter, then the
dataset description), so memory stays flat whatever the size; a seed gives the same bytes.
"""
from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from . import __version__
from .config import ROOT
from .namespaces import (
    CRM,
    DCAT,
    DCMITYPE,
    DCTERMS,
    FOAF,
    OA,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    VOID,
    XSD,
)
from .uris import Minter, slugify

ONTOLOGY = ROOT / "ontology"
_QUOTE_CONTEXT = 32  # characters of prefix/suffix, as the mapper keeps
_ZIPF = 1.1  # exponent of the long tail of persons, groups and places
_PUBLIC_DOMAIN = "https://creativecommons.org/publicdomain/mark/1.0/"
_CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"


def _iri(value: str) -> str:
    return f"<{value}>"


def _literal(text: str, datatype: str | None = None, language: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if language:
        return f'"{escaped}"@{language}'
    if datatype and datatype != str(XSD.string):
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def _p(term) -> str:
    return _iri(str(term))


TYPE, LABEL = _p(RDF.type), _p(RDFS.label)


# --- the pools of persons, groups and places ----------------------------------------------------

_ONSETS = ["b", "ch", "d", "f", "g", "k", "kh", "l", "m", "n", "p", "r", "s", "sh", "t", "ts", "v", "z", "zh"]
_VOWELS = ["a", "e", "i", "o", "u", "ya", "yu"]
_ENDINGS = ["ov", "ova", "in", "ina", "sky", "skaya", "enko", "ich", "ev", "eva", "ik"]
_GROUP_NOUNS = ["Committee", "Commission", "Council", "Bureau", "Soviet", "Union", "Conference", "Section"]
_GROUP_ADJECTIVES = ["Central", "Regional", "Provincial", "Executive", "Editorial", "Economic", "Military",
                     "Workers'", "Peasants'", "Foreign"]
_PLACE_ENDINGS = ["grad", "sk", "ovo", "insk", "burg", "pol", "ino", "evka"]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))


@dataclass(frozen=True)
class Agent:
    kind: str  # person, group, place
    slug: str
    name: str
    short: str  # how a letter names it: the surname, the group's name, the place's name


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken.add(candidate)
    return candidate


def _persons(rng: random.Random, count: int) -> list[Agent]:
    taken: set[str] = set()
    people = []
    for _ in range(count):
        surname = (_word(rng, rng.choice((1, 2, 2, 3))) + rng.choice(_ENDINGS)).capitalize()
        if rng.random() < 0.08:  # double-barrelled, as Kasparova-Popova
            surname += "-" + (_word(rng, 2) + rng.choice(_ENDINGS)).capitalize()
        initials = f"{rng.choice('ABDFGIKLMNOPSTVYZ')}. {rng.choice('ABDFGIKLMNOPSTVYZ')}."
        people.append(Agent("person", _unique(slugify(surname), taken), f"{initials} {surname}", surname))
    return people


def _groups(rng: random.Random, count: int, places: list[Agent]) -> list[Agent]:
    taken: set[str] = set()
    groups = []
    for _ in range(count):
        name = f"{rng.choice(_GROUP_ADJECTIVES)} {rng.choice(_GROUP_NOUNS)} of {rng.choice(places).name}"
        groups.append(Agent("group", _unique(slugify(name), taken), name, name))
    return groups


def _places(rng: random.Random, count: int) -> list[Agent]:
    taken: set[str] = set()
    places = []
    for _ in range(count):
        name = (_word(rng, rng.choice((1, 2))) + rng.choice(_PLACE_ENDINGS)).capitalize()
        places.append(Agent("place", _unique(slugify(name), taken), name, name))
    return places


class _Zipf:
    """Draws indexes 0..n-1 with weight 1/(k+1)^s: a long tail."""

    def __init__(self, n: int, s: float = _ZIPF) -> None:
        self._cumulative = list(itertools.accumulate(1 / (k + 1) ** s for k in range(n)))

    def draw(self, rng: random.Random) -> int:
        return bisect.bisect_left(self._cumulative, rng.random() * self._cumulative[-1])


# --- one letter ---------------------------------------------------------------------------------

_SENTENCES = [
    "I have received your letter and the report of the commission.",
    "Please send me the figures on grain deliveries as soon as possible.",
    "The matter must be settled without delay and without any red tape.",
    "I ask you to check this personally and to let me know the result.",
    "It is absolutely necessary to help the comrades with fuel and bread.",
    "The decision of the Council should be carried out in full.",
    "I am sending you the draft; correct it and return it to me.",
    "We cannot allow the work to be held up by such formalities.",
    "Write to me in detail about the state of affairs.",
    "The printing of the pamphlet must not be delayed.",
]
_MENTIONS = [
    "I have spoken with Comrade {}.",
    "Comrade {} will tell you the details.",
    "Consult Comrade {} on this question.",
    "The report of Comrade {} is very good.",
]
# (kind, CRM class, concept, how the letter tells it, link to the person, link to the group or place)
_EVENTS = [
    ("expulsion", "E86_Leaving", "expulsion", "Comrade {} was expelled from the {} in {}.",
     "P145_separated", "P146_separated_from"),
    ("joining", "E85_Joining", "joining", "Comrade {} joined the {} in {}.", "P143_joined", "P144_joined_with"),
    ("death", "E69_Death", "death", "Comrade {} died in {} in {}.", "P100_was_death_of", "P7_took_place_at"),
    ("dispatch", "E7_Activity", "dispatch", "Comrade {} was sent to {} in {}.",
     "P14_carried_out_by", "P7_took_place_at"),
]


class _Text:
    """The letter's text as it is written, with the spans of what it mentions."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def mention(self, template: str, *values: str) -> tuple[int, int]:
        """Write ``template`` filled with ``values``; the span is the first value's (who is mentioned)."""
        head, _, tail = template.partition("{}")
        self.add(head)
        span = self.add(values[0])
        self.add(tail.format(*values[1:]))
        return span

    def value(self) -> str:
        return "".join(self.parts)


class Corpus:
    """Writes the corpus; ``counts`` says how many letters, quads and distinct triples it holds."""

    def __init__(self, letters: int, seed: int = 1, base: str = "http://127.0.0.1:5000/") -> None:
        self.letters = letters
        self.seed = seed
        self.mint = Minter(base)
        self.base = self.mint.base
        pools = random.Random(f"pools-{seed}")
        self.places = _places(pools, max(20, letters // 50))
        self.groups = _groups(pools, max(10, letters // 200), self.places)
        self.persons = _persons(pools, max(50, letters // 2))
        self._persons_law = _Zipf(len(self.persons))
        self._places_law = _Zipf(len(self.places))
        self._groups_law = _Zipf(len(self.groups))
        self._authors_law = _Zipf(min(len(self.persons), 25), 2.0)  # a few authors write most letters
        self._described: set[str] = set()  # shared descriptions already counted once
        self._slugs: set[str] = set()
        self.quads = 0
        self.triples = 0  # distinct triples outside the dataset description, as void:triples counts them

    def _uri(self, agent: Agent) -> str:
        return str(self.mint.thing(agent.kind, agent.slug))

    def _concept(self, slug: str) -> str:
        return _iri(str(self.mint.concept(slug)))

    # the letters, one graph each

    def _letter(self, rng: random.Random, number: int) -> list[tuple[str, str, str]]:
        """The triples of one letter's graph."""
        triples: list[tuple[str, str, str]] = []
        shared: list[tuple[str, list[tuple[str, str, str]]]] = []

        def add(s: str, p: str, o: str) -> None:
            triples.append((s, p, o))

        author = self.persons[self._authors_law.draw(rng)]
        recipients = self._draw_persons(rng, 2 if rng.random() < 0.12 else 1, {author.slug})
        mentioned = self._draw_persons(rng, rng.choice((0, 0, 1, 1, 1, 2)), {author.slug, *(r.slug for r in recipients)})
        day = date(1893, 1, 1) + timedelta(days=rng.randrange(31 * 365))
        slug = _unique(f"{day.isoformat()}-{'-'.join(r.slug.split('-')[0] for r in recipients)}", self._slugs)
        letter = str(self.mint.letter(slug))
        L = _iri(letter)
        source = _iri(str(self.mint.text(slug)))
        original = _iri(f"{letter}/original")
        volume_number = min(55, 1 + (day.year - 1893) * 55 // 31)
        volume = str(self.mint.text(f"collected-works-volume-{volume_number}"))
        page = rng.randrange(1, 600)
        day_words = f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
        names = " and ".join(r.name for r in recipients)
        title = f"{author.name} to {names}, {day_words}"

        # the text, and what in it is mentioned where
        text = _Text()
        text.add(author.name.upper() + "\n")
        spans: list[tuple[tuple[int, int], str, str, str | None]] = []  # (span, body, motivation, voice)
        for recipient in recipients:
            span = text.mention("TO {}\n", recipient.name)
            spans.append((span, self._uri(recipient), "identifying", None))
        text.add(f"\nDear Comrade {recipients[0].short},\n\n")
        for sentence in rng.sample(_SENTENCES, rng.randint(2, 4)):
            text.add(sentence + " ")
        for person in mentioned:
            span = text.mention(rng.choice(_MENTIONS) + " ", person.short)
            spans.append((span, self._uri(person), "identifying", None))
        event = None
        if rng.random() < 0.35:
            kind, cls, concept, template, person_link, other_link = rng.choice(_EVENTS)
            subject = self._draw_persons(rng, 1, {author.slug})[0]
            other = self.groups[self._groups_law.draw(rng)] if other_link in ("P146_separated_from", "P144_joined_with") \
                else self.places[self._places_law.draw(rng)]
            year = rng.randrange(max(1870, day.year - 20), day.year + 1)
            start = text.length
            text.mention(template + " ", subject.short, other.short, str(year))
            event = (kind, cls, concept, subject, other, year, person_link, other_link, (start, text.length - 1))
            mentioned.append(subject)
        text.add("\n\nWith communist greetings,\n")
        text.add(f"{author.name}\n")
        date_span = text.add(day_words)
        text.add("\n")
        citation = f"Collected Works, Volume {volume_number}, page {page}"
        text.add(f"\n{citation}\n")
        body = text.value()

        # the letter, its original, its source
        for cls in (CRM.E33_Linguistic_Object, DCMITYPE.Text, FOAF.Document):
            add(L, TYPE, _p(cls))
        add(L, _p(DCTERMS.type), self._concept("letter"))
        add(L, _p(CRM.P2_has_type), self._concept("letter"))
        add(L, _p(DCTERMS.language), _literal("en"))
        add(L, _p(DCTERMS.title), _literal(title))
        add(L, LABEL, _literal(title))
        add(L, _p(DCTERMS.creator), _iri(self._uri(author)))
        for recipient in recipients:
            add(L, _p(SCHEMA.recipient), _iri(self._uri(recipient)))
        add(L, _p(DCTERMS.date), _literal(day.isoformat(), str(XSD.date)))
        add(L, _p(CRM.P190_has_symbolic_content), _literal(body))
        add(L, _p(DCTERMS.license), _iri(_PUBLIC_DOMAIN))
        add(L, _p(DCTERMS.bibliographicCitation), _literal(citation))
        add(L, _p(SCHEMA.pagination), _literal(str(page)))
        add(L, _p(DCTERMS.isPartOf), _iri(volume))
        add(L, _p(PROV.wasDerivedFrom), source)
        add(original, TYPE, _p(CRM.E33_Linguistic_Object))
        add(original, LABEL, _literal(f"Russian original of: {title}"))
        add(original, _p(CRM.P72_has_language), self._concept("russian"))
        add(original, _p(CRM.P73_has_translation), L)
        add(source, TYPE, _p(CRM.E33_Linguistic_Object))
        add(source, TYPE, _p(DCMITYPE.Text))
        add(source, LABEL, _literal(f"Source text synthetic/{number:06d}.txt"))
        add(source, _p(DCTERMS.identifier), _literal(f"synthetic/{number:06d}.txt"))
        add(source, _p(DCTERMS.extent), _literal(f"{len(body)} characters"))
        add(source, _p(CRM.P165_incorporates), L)
        add(_iri(volume), _p(CRM.P165_incorporates), L)
        shared.append((volume, [
            (_iri(volume), TYPE, _p(CRM.E33_Linguistic_Object)),
            (_iri(volume), TYPE, _p(DCTERMS.BibliographicResource)),
            (_iri(volume), LABEL, _literal(f"Collected Works, Volume {volume_number}")),
            (_iri(volume), _p(SCHEMA.volumeNumber), _literal(str(volume_number))),
        ]))

        # its creation
        creation = f"{self.mint.event(f'{slug}-creation')}"
        C = _iri(creation)
        add(C, TYPE, _p(CRM.E65_Creation))
        add(C, LABEL, _literal(f"Creation of {title}"))
        add(C, _p(CRM.P2_has_type), self._concept("writing"))
        add(C, _p(CRM.P94_has_created), original)
        add(C, _p(CRM.P14_carried_out_by), _iri(self._uri(author)))
        self._time_span(add, creation, f"{day.isoformat()}T00:00:00", f"{day.isoformat()}T23:59:59", day_words)
        spans.append((date_span, creation, "describing", None))

        # the event it tells of
        if event is not None:
            kind, cls, concept, subject, other, year, person_link, other_link, span = event
            uri = str(self.mint.event(f"{slug}-{kind}"))
            E = _iri(uri)
            add(E, TYPE, _p(CRM[cls]))
            add(E, LABEL, _literal(f"{kind.capitalize()} of {subject.name}"))
            add(E, _p(CRM.P2_has_type), self._concept(concept))
            add(E, _p(CRM[person_link]), _iri(self._uri(subject)))
            add(E, _p(CRM[other_link]), _iri(self._uri(other)))
            self._time_span(add, uri, f"{year}-01-01T00:00:00", f"{year}-12-31T23:59:59", str(year))
            spans.append((span, uri, "describing", None))
            referenced = [author, *recipients, *mentioned, other]
        else:
            referenced = [author, *recipients, *mentioned]

        # who and what it names, described in its graph as the mapper does
        for agent in dict.fromkeys(referenced):
            uri = self._uri(agent)
            add(L, _p(DCTERMS.references), _iri(uri))
            shared.append((uri, self._describe(agent, uri)))

        # the evidence: one annotation per mention, in text order
        for n, ((start, end), body_uri, motivation, voice) in enumerate(sorted(spans), 1):
            ann = f"{letter}/annotation/{n:03d}"
            A, T, Q, P = _iri(ann), _iri(f"{ann}/target"), _iri(f"{ann}/quote"), _iri(f"{ann}/position")
            add(A, TYPE, _p(OA.Annotation))
            add(A, _p(OA.hasBody), _iri(body_uri))
            add(A, _p(OA.motivatedBy), _p(OA[motivation]))
            add(A, _p(OA.hasTarget), T)
            add(A, _p(PROV.wasAttributedTo), _iri(voice or self._uri(author)))
            add(T, TYPE, _p(OA.SpecificResource))
            add(T, _p(OA.hasSource), source)
            add(T, _p(OA.hasSelector), Q)
            add(T, _p(OA.hasSelector), P)
            add(Q, TYPE, _p(OA.TextQuoteSelector))
            add(Q, _p(OA.exact), _literal(body[start:end]))
            add(Q, _p(OA.prefix), _literal(body[max(0, start - _QUOTE_CONTEXT):start]))
            add(Q, _p(OA.suffix), _literal(body[end:end + _QUOTE_CONTEXT]))
            add(P, TYPE, _p(OA.TextPositionSelector))
            add(P, _p(OA.start), _literal(str(start), str(XSD.integer)))
            add(P, _p(OA.end), _literal(str(end), str(XSD.integer)))

        self.triples += len(triples)
        for key, described in shared:
            triples += described
            if key not in self._described:
                self._described.add(key)
                self.triples += len(described)
        return triples

    def _draw_persons(self, rng: random.Random, count: int, exclude: set[str]) -> list[Agent]:
        chosen: list[Agent] = []
        while len(chosen) < count:
            person = self.persons[self._persons_law.draw(rng)]
            if person.slug not in exclude:
                exclude = exclude | {person.slug}
                chosen.append(person)
        return chosen

    def _time_span(self, add, event: str, begin: str, end: str, label: str) -> None:
        span = _iri(f"{event}/time")
        add(_iri(event), _p(CRM["P4_has_time-span"]), span)
        add(span, TYPE, _p(CRM["E52_Time-Span"]))
        add(span, LABEL, _literal(label))
        add(span, _p(CRM.P82a_begin_of_the_begin), _literal(begin, str(XSD.dateTime)))
        add(span, _p(CRM.P82b_end_of_the_end), _literal(end, str(XSD.dateTime)))

    def _describe(self, agent: Agent, uri: str) -> list[tuple[str, str, str]]:
        X, name = _iri(uri), _iri(f"{uri}/name")
        classes = {"person": (CRM.E21_Person, FOAF.Person), "group": (CRM.E74_Group, FOAF.Organization),
                   "place": (CRM.E53_Place,)}[agent.kind]
        triples = [(X, TYPE, _p(cls)) for cls in classes]
        triples.append((X, LABEL, _literal(agent.name)))
        if agent.kind != "place":
            triples.append((X, _p(FOAF.name), _literal(agent.name)))
        triples += [(X, _p(CRM.P1_is_identified_by), name), (name, TYPE, _p(CRM.E33_E41_Linguistic_Appellation)),
                    (name, _p(CRM.P190_has_symbolic_content), _literal(agent.name))]
        return triples

    # the whole corpus

    def lines(self) -> Iterator[str]:
        """The corpus as N-Quads lines: the types, the letters, then the dataset description."""
        terms = self.mint.concept("types")
        quads = ox.parse(path=str(ONTOLOGY / "terms.ttl"), format=ox.RdfFormat.TURTLE, base_iri=self.base)
        data = ox.serialize([ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(str(terms))) for q in quads],
                            format=ox.RdfFormat.N_QUADS).decode("utf-8")
        self.quads += data.count("\n")
        self.triples += data.count("\n")
        yield data
        letters = random.Random(f"letters-{self.seed}")
        graphs = []
        for number in range(1, self.letters + 1):
            triples = self._letter(letters, number)
            graph = triples[0][0]  # the letter: its graph's name
            graphs.append(graph)
            self.quads += len(triples)
            yield "".join(f"{s} {p} {o} {graph} .\n" for s, p, o in triples)
        description = self._dataset_description(graphs)
        self.quads += len(description)
        void = _iri(str(self.mint.metadata_graph()))
        yield "".join(f"{s} {p} {o} {void} .\n" for s, p, o in description)

    def _dataset_description(self, graphs: list[str]) -> list[tuple[str, str, str]]:
        D = _iri(str(self.mint.dataset()))
        title = f"Synthetic letters ({self.letters}, seed {self.seed}) as Linked Open Data"
        triples = [
            (D, TYPE, _p(VOID.Dataset)), (D, TYPE, _p(DCAT.Dataset)),
            (D, _p(DCTERMS.title), _literal(title)), (D, LABEL, _literal(title)),
            (D, _p(DCTERMS.description), _literal(
                f"Made up by lod synth (lod-letters {__version__}) in the model of the letters, to measure the "
                "publisher at scale; nothing in it is historical.")),
            (D, _p(DCTERMS.license), _iri(_CC0)),
            (D, _p(VOID.uriSpace), _literal(f"{self.base}id/")),
            (D, _p(VOID.sparqlEndpoint), _iri(f"{self.base}sparql")),
            (D, _p(VOID.triples), _literal(str(self.triples), str(XSD.integer))),
            (D, _p(VOID.rootResource), _iri(str(self.mint.concept("types")))),
            (D, _p(FOAF.homepage), _iri(self.base)),
        ]
        for vocab in (CRM, FOAF, DCTERMS, OA, PROV, SCHEMA):
            triples.append((D, _p(VOID.vocabulary), _iri(str(vocab))))
        for graph in graphs:
            triples += [(D, _p(VOID.subset), graph), (D, _p(DCTERMS.hasPart), graph)]
        return triples

    def write(self, out: BinaryIO, chunk: int = 1 << 20) -> None:
        buffer: list[str] = []
        size = 0
        for text in self.lines():
            buffer.append(text)
            size += len(text)
            if size >= chunk:
                out.write("".join(buffer).encode("utf-8"))
                buffer, size = [], 0
        out.write("".join(buffer).encode("utf-8"))


def synthesize(path: Path, letters: int, seed: int = 1, base: str = "http://127.0.0.1:5000/") -> Corpus:
    """Write ``letters`` synthetic letters to ``path`` (N-Quads), through a temporary file."""
    corpus = Corpus(letters, seed, base)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        corpus.write(out)
    partial.replace(path)
    return corpus
