"""`lod synth`: a synthetic corpus in our own model, as large as asked, to measure the publisher at scale.

Each letter is made up as a page in the layout of the real ones (byline, "To:", "Written:",
"Source:", salutation, paragraphs, closing), with curated annotations for the persons, groups,
places and events it names, and then goes through the same parser and mapper as a real letter:
a benchmark on it measures the real model, and a change of the model changes it too.

Persons, groups and places are drawn from pools with a Zipf (long-tailed) law, so a few appear in
thousands of letters and most in one or two, as in a real correspondence. About 130 quads per
letter: 10,000 letters make about a million distinct triples.

The quads are written as they are made (N-Quads, one named graph per letter, then the
dataset description), so memory stays flat whatever the size; a seed gives the same bytes.
"""
from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from . import void
from .annotations import Curation, Entity, LetterAnnotations, Quote, TimeBounds
from .config import ROOT
from .dumps import canonical_quads
from .mapper import map_letter
from .slugs import letter_slug
from .parser import parse_letter
from .uris import Minter, slugify

ONTOLOGY = ROOT / "ontology"
_ZIPF = 1.1  # exponent of the long tail of persons, groups and places
_QUOTE_CONTEXT = 24  # characters before a mention that tell it apart from the same name elsewhere


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
    """Persons with surnames of their own, so that a letter's "Comrade X" names one of them only."""
    taken: set[str] = set()
    people = []
    while len(people) < count:
        surname = (_word(rng, rng.choice((1, 2, 2, 3))) + rng.choice(_ENDINGS)).capitalize()
        if rng.random() < 0.08:  # double-barrelled, as Kasparova-Popova
            surname += "-" + (_word(rng, 2) + rng.choice(_ENDINGS)).capitalize()
        if slugify(surname) in taken:
            continue
        taken.add(slugify(surname))
        initials = f"{rng.choice('ABDFGIKLMNOPSTVYZ')}. {rng.choice('ABDFGIKLMNOPSTVYZ')}."
        people.append(Agent("person", slugify(surname), f"{initials} {surname}", surname))
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
_NEEDS_GROUP = ("P146_separated_from", "P144_joined_with")


class _Page:
    """A letter page being written: its text, and the curated annotations that point into it."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.parts: list[str] = []
        self.length = 0
        self.entities: dict[str, Entity] = {}

    def add(self, text: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)

    def know(self, agent: Agent) -> Entity:
        """The agent as a curated entity, named as the pool names it (its id is its pool slug)."""
        if agent.slug not in self.entities:
            names = (agent.short,) if agent.kind == "person" else ()
            self.entities[agent.slug] = Entity(id=agent.slug, kind=agent.kind, label=agent.name, name=agent.name,
                                               names=names)
        return self.entities[agent.slug]

    def mention(self, template: str, agent: Agent) -> None:
        """Write ``template`` with the agent's short name in it, curated as a mention of the agent."""
        head, _, tail = template.partition("{}")
        self.add(head)
        before = "".join(self.parts)[-_QUOTE_CONTEXT:]
        self.add(agent.short)
        self.add(tail)
        self.know(agent).mentions.setdefault(self.file, []).append(
            Quote(agent.short, prefix=before, where=f"{self.file}: mention of {agent.slug}"))

    def curation(self, slug: str | None = None) -> Curation:
        letters = {self.file: LetterAnnotations(self.file, slug, self.file)} if slug else {}
        return Curation(entities=dict(self.entities), letters=letters)


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
        self._shared: set[int] = set()  # triples that letters share (persons, volumes ...), counted once
        self._slugs: set[str] = set()
        self.quads = 0
        self.triples = 0  # distinct triples outside the dataset description, as void:triples counts them

    # the letters, one graph each

    def _page(self, rng: random.Random, number: int) -> _Page:
        """One letter page in the layout of the real ones, and what it names."""
        page = _Page(f"{number:06d}_synthetic.txt")
        author = self.persons[self._authors_law.draw(rng)]
        recipients = self._draw_persons(rng, 2 if rng.random() < 0.12 else 1, {author.slug})
        mentioned = self._draw_persons(rng, rng.choice((0, 0, 1, 1, 1, 2)), {author.slug, *(r.slug for r in recipients)})
        day = date(1893, 1, 1) + timedelta(days=rng.randrange(31 * 365))
        volume = min(55, 1 + (day.year - 1893) * 55 // 31)
        for agent in (author, *recipients):
            page.know(agent)
        page.add(f"{author.name}\n\nTo: {' and '.join(r.name for r in recipients)}\n\n")
        page.add(f"Written: Written on {_MONTHS[day.month - 1]} {day.day}, {day.year}\n")
        page.add(f"Source: Collected Works, Progress Publishers, 1976, Moscow, Volume {volume}, "
                 f"page {rng.randrange(1, 600)}.\n\n")
        page.add(f"Comrade {' and Comrade '.join(r.short for r in recipients)}:\n\n")
        page.add(" ".join(rng.sample(_SENTENCES, rng.randint(2, 4))))
        for person in mentioned:
            page.mention(" " + rng.choice(_MENTIONS), person)
        if rng.random() < 0.35:
            self._event(rng, page, author, day.year)
        page.add("\n\nWith communist greetings,\n")
        return page

    def _event(self, rng: random.Random, page: _Page, author: Agent, before: int) -> None:
        """A sentence telling of an event, curated as the event with the sentence as its evidence."""
        kind, cls, concept, template, person_link, other_link = rng.choice(_EVENTS)
        subject = self._draw_persons(rng, 1, {author.slug})[0]
        other = self.groups[self._groups_law.draw(rng)] if other_link in _NEEDS_GROUP \
            else self.places[self._places_law.draw(rng)]
        year = rng.randrange(max(1870, before - 20), before + 1)
        sentence = template.format(subject.short, other.short, year)
        page.add("\n\n")
        page.add(sentence)
        page.know(subject), page.know(other)
        event_id = f"{page.file[:6]}-{kind}"
        page.entities[event_id] = Entity(
            id=event_id, kind="event", label=f"{kind.capitalize()} of {subject.name}", crm_class=cls, type=concept,
            links={person_link: (subject.slug,), other_link: (other.slug,)},
            time=TimeBounds(datetime(year, 1, 1), datetime(year, 12, 31, 23, 59, 59), str(year)),
            mentions={page.file: [Quote(sentence, where=f"{page.file}: events.{event_id}")]})

    def _letter(self, rng: random.Random, number: int) -> list[ox.Quad]:
        """The quads of one letter's graph, made by the parser and the mapper from its page."""
        page = self._page(rng, number)
        letter = parse_letter(page.text(), page.file)
        slug = letter_slug(letter, page.curation())
        # Two letters to the same person on the same day: the second gets a slug of its own, as a curator would.
        unique = _unique(slug, self._slugs)
        name, graph = map_letter(letter, page.curation(None if unique == slug else unique), self.mint)
        quads = canonical_quads([(name, graph)])
        own = (str(name), str(self.mint.text(unique)), str(self.mint.event(unique)))
        for quad in quads:
            if quad.subject.value.startswith(own):
                self.triples += 1
            elif hash(quad.triple) not in self._shared:
                self._shared.add(hash(quad.triple))
                self.triples += 1
        return quads

    def _draw_persons(self, rng: random.Random, count: int, exclude: set[str]) -> list[Agent]:
        chosen: list[Agent] = []
        while len(chosen) < count:
            person = self.persons[self._persons_law.draw(rng)]
            if person.slug not in exclude:
                exclude = exclude | {person.slug}
                chosen.append(person)
        return chosen

    # the whole corpus

    def lines(self) -> Iterator[bytes]:
        """The corpus as N-Quads: the types, the letters, then the dataset description."""
        terms = self.mint.concept("types")
        quads = ox.parse(path=str(ONTOLOGY / "terms.ttl"), format=ox.RdfFormat.TURTLE, base_iri=self.base)
        data = ox.serialize([ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(str(terms))) for q in quads],
                            format=ox.RdfFormat.N_QUADS)
        self.quads += data.count(b"\n")
        self.triples += data.count(b"\n")
        yield data
        letters = random.Random(f"letters-{self.seed}")
        graphs = []
        for number in range(1, self.letters + 1):
            quads = self._letter(letters, number)
            graphs.append(quads[0].graph_name.value)
            self.quads += len(quads)
            yield ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        about = void.About(
            title=f"Synthetic letters ({self.letters}, seed {self.seed}) as Linked Open Data",
            description="Made up by lod synth in the model of the letters, to measure the publisher at scale; "
                        "nothing in it is historical.",
            made_by="lod synth", dumps=False)
        description = canonical_quads([(self.mint.metadata_graph(),
                                        void.describe(self.mint, about, graphs, self.triples))])
        self.quads += len(description)
        yield ox.serialize(description, format=ox.RdfFormat.N_QUADS)

    def write(self, out: BinaryIO, chunk: int = 1 << 20) -> None:
        buffer: list[bytes] = []
        size = 0
        for data in self.lines():
            buffer.append(data)
            size += len(data)
            if size >= chunk:
                out.write(b"".join(buffer))
                buffer, size = [], 0
        out.write(b"".join(buffer))


def synthesize(path: Path, letters: int, seed: int = 1, base: str = "http://127.0.0.1:5000/") -> Corpus:
    """Write ``letters`` synthetic letters to ``path`` (N-Quads), through a temporary file."""
    corpus = Corpus(letters, seed, base)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        corpus.write(out)
    partial.replace(path)
    return corpus
