"""What every benchmark here needs: the data, servers started as a user starts them, wrk, memory, tables.

Not a test module (pytest collects ``test_*.py`` only); the benchmarks import it as ``harness``.
Everything listens on 127.0.0.1 and stops when its ``with`` block ends.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(sys.executable).parent
BASE = "http://127.0.0.1:5000/"  # the URI space of the synthetic data; servers are told with --base
WORK = Path(os.environ.get("LOD_BENCH_WORK", Path(os.environ.get("TMPDIR", "/tmp")) / "lod-bench"))
SIZES = {"10k": 30, "100k": 300, "1M": 3_000}  # distinct triples -> letters of `lod synth` (about 335 a letter)


# --- the machine --------------------------------------------------------------------------------


def machine() -> str:
    cores = os.cpu_count()
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), 0)
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    return f"{cores} cores ({model}), {mem} MiB memory, Python {sys.version.split()[0]}"


def load() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


# --- the data -------------------------------------------------------------------------------------


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=ROOT, check=True, **kwargs)


def synth(letters: int, seed: int = 1) -> Path:
    """The synthetic corpus of ``letters`` letters (made once per work folder, by the real `lod synth`)."""
    path = WORK / f"synth-{letters}-{seed}.nq"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        run(str(BIN / "lod"), "synth", "--letters", str(letters), "--seed", str(seed), "--base", BASE,
            "--out", str(path))
    return path


def store(letters: int, seed: int = 1) -> Path:
    """A store directory holding that corpus (loaded once, by the real `lod load-store`)."""
    folder = WORK / f"store-{letters}-{seed}"
    manifest = folder / "loaded.json"
    if not manifest.exists() or '"complete": true' not in manifest.read_text() or not (folder / "answers.sqlite").exists():
        run(str(BIN / "lod"), "load-store", "--store", str(folder), "--base", BASE, str(synth(letters, seed)),
            stdout=subprocess.DEVNULL)
    return folder


def sample_paths(data: Path, kind: str, count: int, seed: int = 7) -> list[str]:
    """``count`` distinct things of a kind (``letter``, ``person``) from an N-Quads file, as /doc/ paths:
    each thing as likely as any other, as a crawler would ask for them."""
    import random

    pattern = re.compile(rf"<{re.escape(BASE)}id/({kind}/[a-z0-9-]+)>")
    found: set[str] = set()
    with open(data, encoding="utf-8") as file:
        for line in file:
            found.update(pattern.findall(line))
    things = sorted(found)
    random.Random(seed).shuffle(things)
    return [f"/doc/{t}" for t in things[:count]]


# --- servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 5, headers: dict | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def tree_memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes of a process and all its descendants. RSS counts a page shared by the web
    process, the query zygote and its workers once per process; PSS splits it between them."""
    tree, todo, rss, pss = _children(), [pid], 0, 0
    while todo:
        p = todo.pop()
        todo += tree.get(p, [])
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return rss, pss


@dataclass
class Server:
    name: str
    url: str  # base URL
    process: subprocess.Popen
    startup: float  # seconds from process start to the first good answer
    peak_rss: int = 0
    peak_pss: int = 0
    _sampling: bool = field(default=True, repr=False)

    def sample(self) -> None:
        while self._sampling and self.process.poll() is None:
            rss, pss = tree_memory(self.process.pid)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            time.sleep(0.1)


@contextlib.contextmanager
def server(name: str, command: list[str], ready_path: str, port: int, *, timeout: float = 600,
           log: Path | None = None) -> Iterator[Server]:
    """Start ``command`` (in a session of its own, so that its whole tree can be stopped), wait until
    GET ``ready_path`` answers 200, and measure how long that took and how much memory it holds."""
    log = log or WORK / f"{name.replace(' ', '-')}-{port}.log"
    WORK.mkdir(parents=True, exist_ok=True)
    out = open(log, "wb")
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
            try:
                if get(url + ready_path, timeout=2) == 200:
                    break
            except OSError:
                pass
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"{name} did not answer within {timeout} s; see {log}")
            time.sleep(0.01)
        srv = Server(name, url, process, time.perf_counter() - started)
        sampler = threading.Thread(target=srv.sample, daemon=True)
        sampler.start()
        yield srv
    finally:
        with contextlib.suppress(NameError):
            srv._sampling = False
        stop(process)
        out.close()


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a server started by ``server`` and everything it started (its session's process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def ours(folder_or_file: Path, port: int, *extra: str) -> list[str]:
    option = "--store" if folder_or_file.is_dir() else "--data"
    return [PYTHON, str(ROOT / "serve.py"), "--port", str(port), "--base", BASE, option, str(folder_or_file), *extra]


def oxigraph(folder: Path, port: int) -> list[str]:
    return [str(BIN / "oxigraph"), "serve-read-only", "--location", str(folder / "oxigraph"),
            "--bind", f"127.0.0.1:{port}"]


def rdflib_endpoint(data: Path, port: int) -> list[str]:
    return [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host", "127.0.0.1", "--port", str(port)]


# --- load generation -------------------------------------------------------------------------------

_WRK_SCRIPT = """
local paths, counter = {}, 0
local accept = os.getenv("WRK_ACCEPT")
init = function(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
  counter = math.random(#paths)
end
request = function()
  counter = counter % #paths + 1
  local headers = {}
  if accept then headers["Accept"] = accept end
  return wrk.format("GET", paths[counter], headers)
end
"""


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, paths: list[str], connections: int, seconds: int, accept: str | None = None) -> dict:
    """wrk against ``url`` with ``connections`` connections, round robin over ``paths``."""
    script, listing = WORK / "paths.lua", WORK / f"paths-{os.getpid()}.txt"
    script.write_text(_WRK_SCRIPT)
    listing.write_text("\n".join(paths) + "\n")
    env = {**os.environ, "WRK_PATHS": str(listing)}
    if accept:
        env["WRK_ACCEPT"] = accept
    threads = max(1, min(connections, 2))
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency",
                          "--timeout", "10s", "-s", str(script), url], env=env, capture_output=True, text=True,
                         check=True).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
              "requests": int(re.search(r"(\d+) requests in", out)[1])}
    for pct in ("50", "90", "99"):
        result[f"p{pct}"] = _ms(re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)[1])
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non2xx"] = int(bad[1]) if bad else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["errors"] = sum(map(int, errors.groups())) if errors else 0
    return result


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --- output ----------------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list]) -> str:
    """A Markdown table, numbers right-aligned."""
    cells = [[str(h) for h in headers]] + [[c if isinstance(c, str) else f"{c:,.1f}" if isinstance(c, float)
                                             else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row):
        return "| " + " | ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))) + " |"

    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells[1:])])


def mib(n: int) -> str:
    return f"{n / 2 ** 20:,.0f}"


def clean_work() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
