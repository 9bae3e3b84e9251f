"""Answers rendered when a store directory is loaded (`lod load-store`, ``lod.web.stored``).

Each test loads a small synthetic corpus with the real command and compares what a real server sends
from the stored answers with what another real server, told to render live (``--no-stored-answers``),
sends for the same request: headers and bytes, in both encodings.
"""
from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
import requests

from support import free_port, lod, running_server

ACCEPTS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples",
           'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"',
           "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Path, str, Path]:
    """A store directory of 12 synthetic letters, loaded and rendered for a base on a free port."""
    work = tmp_path_factory.mktemp("stored")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    data = work / "letters.nq"
    assert lod("synth", "--letters", "12", "--seed", "5", "--base", base, "--out", str(data)).returncode == 0
    done = lod("load-store", "--store", str(work / "store"), "--base", base, "--processes", "2", str(data))
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\d+ answers rendered for " + re.escape(base), done.stdout)
    return work / "store", base, work


def _sent(url: str, accept: str, encoding: str) -> tuple[int, dict, bytes]:
    resp = requests.get(url, headers={"Accept": accept, "Accept-Encoding": encoding}, stream=True, timeout=30)
    body = resp.raw.read(decode_content=False)
    headers = {k.lower(): v for k, v in resp.headers.items() if k.lower() not in ("date", "server")}
    return resp.status_code, headers, body


def _keys(folder: Path) -> list[str]:
    with sqlite3.connect(f"{(folder / 'answers.sqlite').as_uri()}?mode=ro", uri=True) as db:
        return [path for (path,) in db.execute("SELECT key FROM answers")]


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1].strip("/"))


def test_stored_answers_are_the_answers_the_app_renders(loaded):
    folder, base, work = loaded
    paths = sorted({key.split("\t")[0] for key in _keys(folder)})
    assert "/void" in paths
    kinds = {path.split("/")[2] for path in paths if path.startswith("/doc/")}
    assert {"letter", "person", "event", "text"} <= kinds, "every main thing is rendered, nodes below are not"
    assert not any(path.count("/") > 3 for path in paths)
    paths.remove("/void")
    paths = ["/void", *paths]
    with running_server(work / "none", "--store", str(folder), "--base", base, port=_port(base)) as stored_url, \
            running_server(work / "none", "--store", str(folder), "--base", base, "--no-stored-answers",
                           "--cache-mb", "0") as live_url:
        for path in paths[::3]:
            for accept in ACCEPTS:
                for encoding in ("identity", "gzip"):
                    got = _sent(stored_url + path.lstrip("/"), accept, encoding)
                    want = _sent(live_url + path.lstrip("/"), accept, encoding)
                    assert got == want, (path, accept, encoding)
        # A conditional request on a stored answer: 304 for the ETag of the encoding the client gets.
        for encoding in ("identity", "gzip"):
            first = requests.get(stored_url + paths[0].lstrip("/"), headers={"Accept": "text/turtle",
                                                                             "Accept-Encoding": encoding}, timeout=30)
            again = requests.get(stored_url + paths[0].lstrip("/"), timeout=30, headers={
                "Accept": "text/turtle", "Accept-Encoding": encoding, "If-None-Match": first.headers["ETag"]})
            assert again.status_code == 304 and again.content == b""
    log = (work / f"server-{_port(base)}.log").read_text()
    assert " cache=stored " in log, "the first visits were answered from the stored answers"


def test_answers_for_another_base_are_not_served(loaded, tmp_path):
    folder, base, work = loaded
    port = free_port()
    other = f"http://127.0.0.1:{port}/"
    path = _keys(folder)[0].split("\t")[0]
    with running_server(tmp_path / "none", "--store", str(folder), "--base", other, port=port) as url:
        resp = requests.get(url + path.lstrip("/"), headers={"Accept": "text/turtle"}, timeout=30)
    log = (tmp_path / f"server-{port}.log").read_text()
    assert "rendered for another base" in log
    assert " cache=stored " not in log
    # The data's IRIs are of the other base, so this server finds nothing there: live, never stale.
    assert resp.status_code == 404 and base not in resp.text


def test_a_damaged_answers_file_costs_speed_not_answers(loaded, tmp_path):
    folder, base, work = loaded
    damaged = tmp_path / "store"
    subprocess.run(["cp", "-a", str(folder), str(damaged)], check=True)
    data = bytearray((damaged / "answers.sqlite").read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # the pages past the first: the answers, not the schema
    (damaged / "answers.sqlite").write_bytes(bytes(data))
    path = _keys(folder)[0].split("\t")[0]
    with running_server(tmp_path / "none", "--store", str(damaged), "--base", base, port=_port(base)) as url:
        for accept in ("text/turtle", "text/html"):
            resp = requests.get(url + path.lstrip("/"), headers={"Accept": accept}, timeout=30)
            assert resp.status_code == 200 and base in resp.text


def test_a_damaged_answer_is_rendered_live(loaded, tmp_path):
    folder, base, work = loaded
    damaged = tmp_path / "store"
    subprocess.run(["cp", "-a", str(folder), str(damaged)], check=True)
    key = next(k for k in _keys(folder) if k.split("\t")[2].startswith("ttl|"))  # a Turtle document's
    with sqlite3.connect(damaged / "answers.sqlite") as db:  # readable rows, unreadable contents
        db.execute("UPDATE answers SET body = ?, headers = ? WHERE key = ?", (b"not gzip", "[[", key))
    path = key.split("\t")[0]
    with running_server(tmp_path / "none", "--store", str(damaged), "--base", base, port=_port(base)) as url:
        for encoding in ("identity", "gzip"):
            resp = requests.get(url + path.lstrip("/"), timeout=30,
                                headers={"Accept": "text/turtle", "Accept-Encoding": encoding})
            assert resp.status_code == 200 and base in resp.text
    assert "is damaged" in (tmp_path / f"server-{_port(base)}.log").read_text()


def test_more_data_loaded_takes_the_answers_of_the_old_data_away(tmp_path):
    base = "http://127.0.0.1:5000/"
    first, second = tmp_path / "a.nq", tmp_path / "b.ttl"
    assert lod("synth", "--letters", "2", "--seed", "1", "--base", base, "--out", str(first)).returncode == 0
    second.write_text(f'<{base}id/person/ada> <http://xmlns.com/foaf/0.1/name> "Ada" .\n', encoding="utf-8")
    folder = tmp_path / "store"
    assert lod("load-store", "--store", str(folder), "--base", base, str(first)).returncode == 0
    assert (folder / "answers.sqlite").exists()
    done = lod("load-store", "--store", str(folder), "--no-render", str(first), str(second))
    assert done.returncode == 0 and not (folder / "answers.sqlite").exists(), "no answer of the old data is left"
    done = lod("load-store", "--store", str(folder), "--base", base, str(first), str(second))
    assert done.returncode == 0 and "answers rendered" in done.stdout
    assert any(key.startswith("/doc/person/ada\t") for key in _keys(folder))


def test_load_store_without_rendering(tmp_path):
    data = tmp_path / "letters.nq"
    assert lod("synth", "--letters", "2", "--seed", "1", "--base", "http://127.0.0.1:5000/", "--out", str(data)).returncode == 0
    done = lod("load-store", "--store", str(tmp_path / "store"), "--no-render", str(data))
    assert done.returncode == 0 and "rendered" not in done.stdout
    assert not (tmp_path / "store" / "answers.sqlite").exists()


def test_main_things_are_what_the_sitemap_lists(loaded):
    from lod.storedir import open_store
    from lod.web import readmodel, stored

    folder, base, _ = loaded
    with open(folder / "subjects", "rb") as file:
        listed = stored.main_things(file.read(), base)
    store = open_store(folder)
    assert sorted(base + "id/" + rest for rest in listed) == readmodel.main_things(store, base)
