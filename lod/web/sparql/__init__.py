"""The SPARQL 1.1 endpoint at ``/sparql``: the protocol, the service description and a query page.

Read-only by design: updates are refused before anything is parsed, LOAD exists only in updates,
and SERVICE is refused before the query runs, because pyoxigraph would open the connection itself.

``engine`` runs one query over a store (no Flask, no processes); ``workers`` runs it in a process that
can be killed, ``wire`` carries the job there and the answer back; ``negotiation`` picks the answer's
format; ``description`` and ``examples`` are the service description and the query page's example
queries; ``views`` reads the requests and writes the answers, ``front`` the query requests in front of
Flask.
"""
from .front import install as install_front
from .views import bp

__all__ = ["bp", "install_front"]
