"""Which JSON-LD a client asks for: the ``profile`` parameter of ``application/ld+json`` in its Accept header.

Negotiation (``negotiation.py``) picks JSON-LD by media type and ignores parameters; this module reads the
profiles of the JSON-LD entries and decides the form: Linked Art's record (where the thing has one), the
expanded or the flattened form, or the compacted form, our default. A profile parameter may name several
profiles separated by spaces (JSON-LD 1.1, section 9.1): ``#flattened #compacted`` is the flattened
form compacted, which our compacted form is (a ``@graph`` of node objects, nothing embedded).
"""
from __future__ import annotations

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_options_header

from ..jsonld import COMPACTED, EXPANDED, FLATTENED

LINKED_ART = "https://linked.art/ns/v1/linked-art.json"
KNOWN = frozenset({LINKED_ART, EXPANDED, FLATTENED, COMPACTED})
JSONLD_TYPE = "application/ld+json"


def requested(accept: MIMEAccept) -> frozenset[str]:
    """The profiles we know of the most acceptable ``application/ld+json`` entry that names any; none: empty."""
    # Werkzeug orders entries by specificity before quality, so that a profile with q=0.1 would come before
    # a bare application/ld+json with q=1: the client's q-values decide here.
    for value, quality in sorted(accept, key=lambda entry: -entry[1]):
        media_type, options = parse_options_header(value)
        if quality <= 0 or media_type.lower() != JSONLD_TYPE:
            continue
        profiles = frozenset(options.get("profile", "").split()) & KNOWN
        if profiles:
            return profiles
    return frozenset()


def form(profiles: frozenset[str], linked_art: bool) -> str:
    """The profile to answer with; ``linked_art``: whether the thing has a Linked Art record."""
    if LINKED_ART in profiles and linked_art:
        return LINKED_ART
    if EXPANDED in profiles:
        return EXPANDED
    if FLATTENED in profiles and COMPACTED not in profiles:
        return FLATTENED
    return COMPACTED


def key(accept: MIMEAccept) -> str:
    """What of the profiles asked for can change an answer, for the keys of kept answers."""
    return " ".join(sorted(requested(accept)))
