"""How a job goes to a query process and its answer comes back: length-prefixed frames on a socket pair.

A frame is a 4-byte big-endian length and that many bytes. A job is JSON (a dict of ``Job``'s fields);
an answer is its status (2 bytes), the length of its content type (2 bytes), the content type and the
body. Nothing is unpickled: a garbled or oversized frame is refused with ``WireError``, and the side that
reads it gives up that worker, never more. One ``sendmsg`` per frame and one ``recv_into`` per read
while the frame fits the socket's buffer: on a small query the hand-off is two system calls each way.
"""
from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import fields

from .engine import Answer, Job

_LENGTH = struct.Struct(">I")
_ANSWER_HEAD = struct.Struct(">HH")
TRANSFER = 5.0  # seconds an answer that has begun to arrive may take to arrive whole
MAX_JOB = 16 * 2 ** 20  # bytes of a job: a query is at most ~80 KB, its dataset at most the request's body
_JOB_FIELDS = tuple(f.name for f in fields(Job))


class WireError(Exception):
    """A frame that is not what the protocol says: too long, or not a job or an answer."""


def send_frame(sock: socket.socket, *parts: bytes) -> None:
    """``parts`` as one frame, without joining them (an answer's body may be large)."""
    size = sum(len(part) for part in parts)
    buffers = [memoryview(_LENGTH.pack(size)), *(memoryview(part) for part in parts if part)]
    while buffers:
        sent = sock.sendmsg(buffers)
        while buffers and sent >= len(buffers[0]):
            sent -= len(buffers[0])
            buffers.pop(0)
        if buffers and sent:
            buffers[0] = buffers[0][sent:]


def recv_frame(sock: socket.socket, most: int, deadline: float | None = None,
               late: tuple[float, Callable[[], None]] | None = None) -> bytearray:
    """The next frame's bytes: at most ``most`` of them, by ``deadline`` (``time.monotonic``; None: wait).

    ``late``: a time and what to do once if the frame has not begun by then (the wait goes on). Once it
    has begun, the rest (written whole by the other side already) gets ``TRANSFER`` seconds more if the
    deadline is nearer. Raises EOFError when the other side closed (before a frame or within one),
    WireError for a frame over ``most`` bytes (refused before anything is allocated for it), TimeoutError
    past the deadline."""
    reader = _Reader(sock, deadline, late)
    (size,) = _LENGTH.unpack(reader.exactly(_LENGTH.size))
    if size > most:
        raise WireError(f"a frame of {size} bytes, over the {most} this side reads")
    if deadline is not None:
        reader.deadline = max(deadline, time.monotonic() + TRANSFER)
    return reader.exactly(size)


class _Reader:
    def __init__(self, sock: socket.socket, deadline: float | None, late) -> None:
        self.sock, self.deadline, self.late = sock, deadline, late

    def exactly(self, size: int) -> bytearray:
        data = bytearray(size)
        view = memoryview(data)
        got = 0
        while got < size:
            if self.deadline is not None:
                now = time.monotonic()
                if self.late is not None and now >= self.late[0]:
                    then, self.late = self.late[1], None
                    then()
                    continue
                until = self.deadline if self.late is None else min(self.deadline, self.late[0])
                if until <= now:
                    raise TimeoutError
                self.sock.settimeout(until - now)
            try:
                count = self.sock.recv_into(view[got:])
            except TimeoutError:
                if self.deadline is None:
                    raise
                continue  # late, or past the deadline: the top of the loop says which
            if not count:
                raise EOFError(f"the other side closed after {got} of {size} bytes" if got else "closed")
            got += count
            self.late = None  # it has begun: nothing is late any more
        return data


def encode_job(job: Job) -> bytes:
    return json.dumps({name: getattr(job, name) for name in _JOB_FIELDS}, ensure_ascii=False).encode("utf-8")


def decode_job(data: bytes | bytearray) -> Job:
    """The job a frame holds; WireError for anything that is not exactly a job."""
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise WireError(f"a job that is not JSON: {exc}") from None
    if not isinstance(raw, dict) or set(raw) != set(_JOB_FIELDS):
        raise WireError("a job without exactly the fields of one")
    checks = {"query": str, "base_iri": str, "results_format": (str, type(None)), "graph_format": (str, type(None)),
              "max_results": int, "timeout": (int, float), "memory": int}
    for name, kind in checks.items():
        if not isinstance(raw[name], kind) or isinstance(raw[name], bool):
            raise WireError(f"a job whose {name} is {type(raw[name]).__name__}")
    for name in ("default_graphs", "named_graphs"):
        value = raw[name]
        if value is not None and not (isinstance(value, list) and all(isinstance(g, str) for g in value)):
            raise WireError(f"a job whose {name} is not a list of IRIs")
        raw[name] = tuple(value) if value is not None else None
    return Job(**raw)


def answer_parts(answer: Answer) -> tuple[bytes, bytes]:
    """The frame of ``answer`` in two parts: its head and its body, sent as they are."""
    content_type = answer.content_type.encode("utf-8")
    return _ANSWER_HEAD.pack(answer.status, len(content_type)) + content_type, answer.body


def decode_answer(data: bytes | bytearray) -> Answer:
    """The answer a frame holds; WireError for a frame too short for its head or a status no answer has."""
    if len(data) < _ANSWER_HEAD.size:
        raise WireError(f"an answer of {len(data)} bytes, shorter than its head")
    status, type_length = _ANSWER_HEAD.unpack_from(data)
    end = _ANSWER_HEAD.size + type_length
    if not 100 <= status <= 599 or end > len(data):
        raise WireError(f"an answer with status {status} and a content type of {type_length} bytes")
    try:
        content_type = data[_ANSWER_HEAD.size:end].decode("utf-8")
    except UnicodeDecodeError:
        raise WireError("an answer whose content type is not UTF-8") from None
    return Answer(status, content_type, bytes(memoryview(data)[end:]))
