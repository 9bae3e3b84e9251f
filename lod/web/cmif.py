"""``/cmif.xml``: the letters in CMIF (``lod.cmif``), the URL to give correspSearch.

Where the server has a build's dumps, it answers with the file built with them (``letters.cmif.xml``),
byte for byte, its SHA-256 as ETag, as ``/dumps/`` does (its ``.gz`` to a client that accepts gzip). Without one (``--data``, ``--store``, a remote
store) the same code makes it from the store, dated the day it is made; kept while the store cannot change.
"""
from __future__ import annotations

import hashlib
import threading
from datetime import datetime, timezone
from pathlib import Path

from flask import Blueprint, Response, current_app, request

from .. import cmif
from .encoding import send_file_encoded

bp = Blueprint("cmif", __name__)



class _Kept:
    """What was made from a store that cannot change, once per process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.body: bytes | None = None


@bp.record_once
def _at_start(state) -> None:
    state.app.extensions["lod.cmif"] = _Kept()


@bp.get("/" + cmif.PATH)
def letters() -> Response:
    settings = current_app.config["SETTINGS"]
    built = Path(settings.out) / cmif.DUMP_FILE if settings.out is not None else None
    if built is not None and built.is_file():
        response = send_file_encoded(built, cmif.CONTENT_TYPE, _checksum(built), request)
    else:
        body = _from_store(settings.base)
        response = Response(body, 200, content_type=cmif.CONTENT_TYPE)
        response.set_etag(hashlib.sha256(body).hexdigest())
        response = response.make_conditional(request)
    response.headers["Link"] = f'<{settings.base}void>; rel="describedby"'
    return response


def _checksum(path: Path) -> str | None:
    """The file's SHA-256 as the build's SHA256SUMS gives it."""
    sums = path.parent / "SHA256SUMS"
    if not sums.is_file():
        return None
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name.lstrip("*") == path.name:
            return digest
    return None


def _from_store(base: str) -> bytes:
    store, kept = current_app.extensions["lod.store"], current_app.extensions["lod.cmif"]
    if not getattr(store, "immutable", False):
        return _make(store, base)
    with kept.lock:
        if kept.body is None:
            kept.body = _make(store, base)
        return kept.body


def _make(store, base: str) -> bytes:
    return cmif.from_query(store.query, base, datetime.now(timezone.utc).date())
