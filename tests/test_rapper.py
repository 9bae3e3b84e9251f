"""Raptor's ``rapper``, a Linked Data client we did not write, reads what we serve.

``rapper -g`` dereferences a thing URI the way RDF agents do: it sends an Accept header of RDF
types, follows the 303 and guesses the parser from the answer. Needs the Debian package
raptor2-utils; without it the tests skip, or fail under LOD_STRICT=1.
"""
from __future__ import annotations

import re
import subprocess

import pytest


@pytest.fixture(scope="module")
def base(real_site) -> str:
    """The real server whose base is its own address: rapper follows the 303s to it."""
    return real_site.url


def count(rapper: str, *args: str) -> int:
    """Triples rapper counts (``-c``) in what it reads; fails on any rapper error or warning."""
    done = subprocess.run([rapper, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr and "Warning" not in done.stderr, done.stderr
    found = re.search(r"returned (\d+) triples", done.stderr)
    assert found, done.stderr
    return int(found.group(1))


@pytest.mark.parametrize("path", ["person/lenin", "letter/1922-12-zinoviev", "concept/expulsion",
                                  "event/expulsion-of-kasparova-popova/time"])
def test_rapper_dereferences_a_thing_uri_by_content_negotiation(rapper, base, path):
    assert count(rapper, "-g", "-c", f"{base}id/{path}") > 0


def test_rapper_reads_the_served_turtle(rapper, base):
    assert count(rapper, "-i", "turtle", "-c", f"{base}doc/person/lenin.ttl") > 0


@pytest.mark.parametrize("parser, ext", [("ntriples", "nt"), ("rdfxml", "rdf")])
def test_rapper_reads_the_other_served_formats(rapper, base, parser, ext):
    assert count(rapper, "-i", parser, "-c", f"{base}doc/person/lenin.{ext}") > 0


def test_rapper_counts_the_same_triples_in_every_format(rapper, base):
    counts = {count(rapper, "-i", parser, "-c", f"{base}doc/letter/1921-12-20-zalutsky-salts.{ext}")
              for parser, ext in [("turtle", "ttl"), ("ntriples", "nt"), ("rdfxml", "rdf")]}
    assert len(counts) == 1, counts


def test_rapper_reads_the_dataset_description(rapper, base):
    assert count(rapper, "-g", "-c", f"{base}.well-known/void") > 0
