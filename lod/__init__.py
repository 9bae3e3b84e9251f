"""Publish historical correspondence as Linked Open Data."""

__version__ = "0.1.0"
