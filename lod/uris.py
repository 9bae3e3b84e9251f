"""Minting URIs: `{base}id/{kind}/{slug}` for things, `{base}doc/{kind}/{slug}` for their documents."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rdflib import URIRef

KINDS = ("letter", "person", "group", "place", "event", "text", "concept", "agent")  # agent: software
SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_SLUG_RE = re.compile(rf"^{SLUG}$")
# What may follow a thing's slug: the nodes below it ('.../annotation/016/quote').
_BELOW = r"(?:/[A-Za-z0-9_~-]+)*"
_PATH = re.compile(rf"(?P<kind>{'|'.join(KINDS)})/(?P<slug>{SLUG})(?P<below>{_BELOW})")


@dataclass(frozen=True)
class Parsed:
    """A URI of ours taken apart: ``{base}id/{kind}/{slug}/{below...}``."""

    kind: str
    slug: str
    below: tuple[str, ...] = ()

    @property
    def main(self) -> bool:
        """The thing itself, not a node below it."""
        return not self.below


def parse_path(path: str) -> Parsed | None:
    """``kind/slug/below...`` (the part after ``id/`` or ``doc/``) taken apart, or None if it is not one of ours."""
    match = _PATH.fullmatch(path)
    if match is None:
        return None
    below = match["below"]
    return Parsed(match["kind"], match["slug"], tuple(below[1:].split("/")) if below else ())


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: 'Kasparova-Popova' -> 'kasparova-popova'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_slug(text: str) -> bool:
    return bool(_SLUG_RE.match(text))


class Minter:
    """Mints every URI of one build from its base, so no module formats URIs on its own."""

    def __init__(self, base: str) -> None:
        if not base.endswith("/"):
            base += "/"
        self.base = base

    def thing(self, kind: str, slug: str, *below: str) -> URIRef:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        if not is_slug(slug):
            raise ValueError(f"not a slug: {slug!r}")
        return URIRef("/".join([f"{self.base}id/{kind}/{slug}", *below]))

    def letter(self, slug: str, *below: str) -> URIRef:
        return self.thing("letter", slug, *below)

    def person(self, slug: str) -> URIRef:
        return self.thing("person", slug)

    def group(self, slug: str) -> URIRef:
        return self.thing("group", slug)

    def place(self, slug: str) -> URIRef:
        return self.thing("place", slug)

    def event(self, slug: str, *below: str) -> URIRef:
        return self.thing("event", slug, *below)

    def text(self, slug: str, *below: str) -> URIRef:
        return self.thing("text", slug, *below)

    def concept(self, slug: str) -> URIRef:
        return self.thing("concept", slug)

    def agent(self, slug: str) -> URIRef:
        """A software agent: what made the annotations nobody curated."""
        return self.thing("agent", slug)

    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}void")

    def graph(self, letter_slug: str) -> URIRef:
        """Each letter's triples live in a named graph named by the letter's URI."""
        return self.letter(letter_slug)

    def metadata_graph(self) -> URIRef:
        return URIRef(f"{self.base}void")

    def ontology(self, name: str) -> URIRef:
        """A vocabulary file of ours as published (``lod.ontology``): ``terms`` or ``shapes``."""
        return URIRef(f"{self.base}ontology/{name}")

    def parse(self, uri: str) -> Parsed | None:
        """The kind, slug and nodes below of a `{base}id/...` URI; None for any other URI."""
        prefix = self.base + "id/"
        return parse_path(uri[len(prefix):]) if uri.startswith(prefix) else None

    def document(self, thing: str) -> str:
        """The document about a thing: the `/id/` URI with `/doc/`, for things and the nodes below them."""
        if not thing.startswith(self.base + "id/"):
            raise ValueError(f"{thing} is not in this URI space")
        return self.base + "doc/" + thing[len(self.base) + 3:]
