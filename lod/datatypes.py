"""Datatypes the store normalises that the model's vocabularies fix.

pyoxigraph (0.5) keeps a literal of any type derived from ``xsd:integer`` as ``xsd:integer``: the
``xsd:nonNegativeInteger`` that Web Annotation gives ``oa:start`` and ``oa:end`` as their range comes back
out of the store as ``xsd:integer``. Quads on their way from the store to a dump (``lod.dumps``) and the
triples of a served document (``lod.store``) go through ``as_modelled``, so that every dump and every
document says what the model says, whichever store held them. SPARQL answers stay as the store gives
them (docs/design.md, "The store interface").
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import pyoxigraph as ox

from .namespaces import NS

_INTEGER = ox.NamedNode(NS.xsd + "integer")
_NON_NEGATIVE = ox.NamedNode(NS.xsd + "nonNegativeInteger")

# predicate -> the datatype its range fixes, for the predicates whose range the store loses
FIXED: dict[ox.NamedNode, ox.NamedNode] = {
    ox.NamedNode(NS.oa + "start"): _NON_NEGATIVE,
    ox.NamedNode(NS.oa + "end"): _NON_NEGATIVE,
}

Statement = TypeVar("Statement", ox.Triple, ox.Quad)


def _modelled(literal: ox.Literal, datatype: ox.NamedNode) -> ox.Literal:
    # Only what the store made an xsd:integer, and only a value the fixed type holds: a negative
    # offset in data from elsewhere stays an integer rather than become an ill-typed literal.
    if literal.datatype != _INTEGER or literal.value.startswith("-"):
        return literal
    return ox.Literal(literal.value, datatype=datatype)


def as_modelled(statement: Statement) -> Statement:
    """``statement`` (a triple or a quad) with its object in the datatype the model fixes for its predicate."""
    datatype = FIXED.get(statement.predicate)
    obj = statement.object
    if datatype is None or not isinstance(obj, ox.Literal):
        return statement
    fixed = _modelled(obj, datatype)
    if fixed is obj:
        return statement
    if isinstance(statement, ox.Quad):
        return ox.Quad(statement.subject, statement.predicate, fixed, statement.graph_name)
    return ox.Triple(statement.subject, statement.predicate, fixed)


def all_as_modelled(statements: Iterable[Statement]) -> list[Statement]:
    """Every one of ``statements`` through ``as_modelled``."""
    return [as_modelled(s) for s in statements]
