"""Minting and parsing our URIs: every URI the minter makes parses back to what made it, nothing else parses."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from lod.uris import KINDS, Minter, Parsed, parse_path, slugify

BASE = "http://127.0.0.1:5000/"
slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
below = st.lists(st.from_regex(r"[A-Za-z0-9_~-]{1,8}", fullmatch=True), max_size=3)


@given(kind=st.sampled_from(KINDS), slug=slugs, rest=below)
def test_every_minted_uri_parses_back(kind, slug, rest):
    mint = Minter(BASE)
    uri = mint.thing(kind, slug, *rest)
    assert mint.parse(str(uri)) == Parsed(kind, slug, tuple(rest))
    assert mint.parse(str(uri)).main is (not rest)
    assert mint.document(str(uri)) == f"{BASE}doc/{kind}/{slug}" + "".join(f"/{r}" for r in rest)


@pytest.mark.parametrize("uri", [
    "http://elsewhere.org/id/person/lenin",  # another base
    BASE + "doc/person/lenin",  # a document, not a thing
    BASE + "id/author/lenin",  # not a kind of ours
    BASE + "id/person/Lenin",  # not a slug
    BASE + "id/person/lenin/",  # an empty step below
    BASE + "id/person/lenin/a b",
    BASE + "id/person",
    BASE + "void",
])
def test_other_uris_do_not_parse(uri):
    assert Minter(BASE).parse(uri) is None


def test_parse_path_is_what_follows_id_or_doc():
    assert parse_path("letter/1921-12-20-zalutsky-salts/annotation/016/quote") == Parsed(
        "letter", "1921-12-20-zalutsky-salts", ("annotation", "016", "quote"))
    assert parse_path("../letter/x") is None


def test_minter_refuses_what_would_not_parse():
    mint = Minter("http://example.org")  # a base without its final slash gets one
    assert mint.base == "http://example.org/"
    with pytest.raises(ValueError):
        mint.thing("author", "lenin")
    with pytest.raises(ValueError):
        mint.thing("person", "Lenin")
    assert slugify("Kasparova-Popova") == "kasparova-popova"
