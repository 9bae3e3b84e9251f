"""Minting URIs: `{base}id/{kind}/{slug}` for things, `{base}doc/{kind}/{slug}` for their documents."""
from __future__ import annotations

import re
import unicodedata

from rdflib import URIRef

KINDS = ("letter", "person", "group", "place", "event", "text", "concept")
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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

    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}void")

    def graph(self, letter_slug: str) -> URIRef:
        """Each letter's triples live in a named graph named by the letter's URI."""
        return self.letter(letter_slug)

    def metadata_graph(self) -> URIRef:
        return URIRef(f"{self.base}void")

    def document(self, thing: str) -> str:
        """The document about a thing: the `/id/` URI with `/doc/`, for things and the nodes below them."""
        if not thing.startswith(self.base + "id/"):
            raise ValueError(f"{thing} is not in this URI space")
        return self.base + "doc/" + thing[len(self.base) + 3:]
