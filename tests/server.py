"""Start the real server (serve.py) on a free loopback port, as a user would, and stop it afterwards."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(dumps: Path, *extra: str, port: int | None = None) -> Iterator[str]:
    """Yield the base URL of a server started with `python serve.py --port P --dumps DIR ...`."""
    port = port or free_port()
    log = open(dumps.parent / f"server-{port}.log", "wb")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "serve.py"), "--port", str(port), "--dumps", str(dumps), *extra],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,  # its own process group: stopped with every process it started
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {(dumps.parent / f'server-{port}.log').read_text()}")
            try:
                # robots.txt needs no store: the server is up even when a remote store is not.
                if requests.get(base + "robots.txt", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # anything still left of it: web or query processes
        log.close()
