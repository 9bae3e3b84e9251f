"""A real browser on the real server: open a letter, click a highlighted name, land on the person's page;
every kind of page with the server's Content-Security-Policy on; the query page against a hostile link;
documents, /void, a dump and /sparql fetched by a script of another origin, preflights and all.

Headless Chromium (the Debian package, /usr/bin/chromium) driven by the npm package playwright-core
from tests/browser/click_mention.mjs; nothing is downloaded. Skipped when node, Chromium or
playwright-core is missing (`npm install` in the repository root installs the last), unless
LOD_STRICT=1, which turns the skip into a failure.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from support import REPO, serving, skip_or_fail

SCRIPT = REPO / "tests" / "browser" / "click_mention.mjs"
PAGES_SCRIPT = REPO / "tests" / "browser" / "pages_csp.mjs"
CROSS_ORIGIN_SCRIPT = REPO / "tests" / "browser" / "cross_origin.mjs"
SCREENSHOT = REPO / "tests" / "artifacts" / "letter-to-person.png"


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="module")
def tools() -> dict[str, str]:
    node = shutil.which("node")
    if node is None:
        skip_or_fail("node is not installed (Debian package nodejs)")
    chromium = _chromium()
    if chromium is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    found = subprocess.run([node, "-e", "require.resolve('playwright-core')"], cwd=REPO, capture_output=True)
    if found.returncode != 0:
        skip_or_fail("the npm package playwright-core is not installed (run `npm install` in the repository)")
    return {"node": node, "chromium": chromium}


@pytest.fixture(scope="module")
def clicked(tools, real_site) -> tuple[str, dict]:
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    base = real_site.url  # its base is its own address: the browser follows the links of the pages
    run = subprocess.run([tools["node"], str(SCRIPT), base, str(SCREENSHOT)], cwd=REPO, capture_output=True,
                         text=True, timeout=180, env={**os.environ, "CHROMIUM": tools["chromium"]})
    try:
        result = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the browser script printed no JSON (exit {run.returncode}):\n{run.stdout}\n{run.stderr}")
    assert run.returncode == 0 and result.get("ok"), result.get("error") or run.stderr
    return base, result


def test_clicking_a_mention_leads_to_the_person(clicked):
    base, result = clicked
    assert result["letterStatus"] == 200
    assert result["letterUrl"] == base + "doc/letter/1921-12-20-zalutsky-salts"  # via the 303
    assert result["letterHeading"] == "V. I. Lenin to P. A. Zalutsky and A. A. Solts, 20 December 1921"
    mention = result["mention"]
    assert mention["visible"] and mention["text"] == "Comrade Kasparova-Popova"
    assert mention["id"].startswith("a-") and mention["count"] >= 5
    assert mention["background"] not in ("rgba(0, 0, 0, 0)", "transparent"), "the mention is highlighted"
    assert result["personUrl"] == base + "doc/person/kasparova-popova"
    assert result["personHeading"] == "Yevgenia Popova (Kasparova)"


def test_the_pages_work_without_errors_and_offline(clicked):
    base, result = clicked
    assert result["jsonld"]["ok"] and result["jsonld"]["nodes"] > 10
    assert result["pageErrors"] == [] and result["consoleErrors"] == []
    assert result["requests"] and result["external"] == []
    assert all(url.startswith(base) for url in result["requests"]), result["requests"]


def test_the_letter_fits_a_phone_screen(clicked):
    _, result = clicked
    assert result["phone"]["scrollWidth"] <= result["phone"]["innerWidth"]


def test_the_screenshot_is_saved(clicked):
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1000, 900)
    assert len(data) > 20_000, "a real page, not a blank image"


# --- every page with the Content-Security-Policy on; the query page against a hostile link ------------------

# What a hostile SPARQL endpoint answers: markup in an xml:lang, which YASGUI writes into the page unescaped.
HOSTILE_ANSWER = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {
    "type": "literal", "value": "csp-check-ok", "xml:lang": '"><img src=x onerror="window.__xss=1">'}}]}})


@pytest.fixture(scope="module")
def hostile_endpoint():
    """A SPARQL endpoint elsewhere on loopback that answers every request with ``HOSTILE_ANSWER``; yields
    (its URL, the requests it got)."""
    asked: list[str] = []

    class Hostile(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            asked.append(f"{self.command} {self.path}")
            body = HOSTILE_ANSWER.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_OPTIONS = _answer

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", asked


@pytest.fixture(scope="module")
def pages(tools, real_site, hostile_endpoint) -> dict:
    run = subprocess.run([tools["node"], str(PAGES_SCRIPT), real_site.url, hostile_endpoint[0]], cwd=REPO,
                         capture_output=True, text=True, timeout=300, env={**os.environ, "CHROMIUM": tools["chromium"]})
    try:
        result = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the browser script printed no JSON (exit {run.returncode}):\n{run.stdout}\n{run.stderr}")
    assert run.returncode == 0 and result.get("ok"), result.get("error") or run.stderr
    return result


@pytest.mark.parametrize("name", ["home", "timeline", "letter", "person", "void", "dumps", "notFound", "query"])
def test_every_page_works_under_its_content_security_policy(pages, name):
    page = pages["pages"][name]
    assert page["status"] == (404 if name == "notFound" else 200)
    assert page["csp"] and "default-src 'self'" in page["csp"] and "frame-ancestors 'none'" in page["csp"]
    assert page["heading"], "the page shows its heading"
    assert page["violations"] == [] and page["consoleErrors"] == [] and page["pageErrors"] == [], page
    assert all(url.startswith(pages["base"]) or url.startswith("data:") for url in page["requests"]), page["requests"]


def test_the_query_page_runs_a_linked_query_on_this_endpoint(pages):
    page = pages["pages"]["query"]
    assert page["answered"] and page["endpoint"] == pages["base"] + "sparql"


def test_a_link_cannot_point_the_query_page_at_another_endpoint(pages, hostile_endpoint):
    _, asked = hostile_endpoint
    hostile = pages["hostile"]
    assert asked == [], "the page sent the query to the endpoint the link named"
    assert hostile["xss"] is None
    assert hostile["endpoint"] == pages["base"] + "sparql"
    assert hostile["answered"], "the query of the link still runs, here"
    assert hostile["violations"] == [] and hostile["pageErrors"] == [], hostile


def test_the_style_hashes_of_the_policy_are_those_of_the_bundled_yasgui():
    """The policy allows YASGUI's inline styles by hash: a new YASGUI with other styles must fail here."""
    import base64
    import hashlib
    import re

    from lod.web.headers import YASGUI_STYLES

    bundle = (REPO / "lod" / "static" / "yasgui" / "yasgui.min.js").read_text(encoding="utf-8")
    resizer = re.search(r'dragCursor:`([^`]*)`', bundle).group(1)
    styles = re.findall(r"createStyle\(a,`([^`]*)`\)", bundle) + [f"*{{cursor:{resizer}!important}}"]
    assert len(styles) == 2
    assert sorted(YASGUI_STYLES) == sorted(
        "sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() for css in styles)


# --- a script of another origin reads the data ------------------------------------------------------------


@pytest.fixture(scope="module")
def elsewhere():
    """A page on another loopback port: another origin, whose script fetches from the server."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!DOCTYPE html><html><head><title>elsewhere</title></head><body><p>elsewhere</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def cross_origin(tools, real_site, elsewhere) -> dict:
    run = subprocess.run([tools["node"], str(CROSS_ORIGIN_SCRIPT), real_site.url, elsewhere], cwd=REPO,
                         capture_output=True, text=True, timeout=180, env={**os.environ, "CHROMIUM": tools["chromium"]})
    try:
        result = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the browser script printed no JSON (exit {run.returncode}):\n{run.stdout}\n{run.stderr}")
    assert run.returncode == 0 and result.get("ok"), result.get("error") or run.stderr
    assert result["origin"] != real_site.url.rstrip("/")
    return result


def _server_log(site) -> str:
    return (site.dumps.parent / f"server-{urlsplit(site.url).port}.log").read_text()


def test_a_script_elsewhere_reads_a_document_through_its_303_with_a_long_accept(cross_origin, real_site):
    document = cross_origin["fetched"]["document"]
    assert document["ok"], document.get("error")
    assert document["status"] == 200 and document["url"] == real_site.url + "doc/person/lenin"
    headers = document["headers"]
    assert headers["content-type"].startswith("application/n-quads")  # the first type of Comunica's Accept
    assert headers["etag"] and headers["content-location"] == real_site.url + "doc/person/lenin.nq"
    assert 'rel="alternate"' in headers["link"] and "Accept" in headers["vary"]
    assert f"<{real_site.url}doc/person/lenin> .\n" in document["start"]  # quads in the document's graph


def test_a_script_elsewhere_revalidates_with_if_none_match(cross_origin):
    again = cross_origin["fetched"]["notModified"]
    assert again["ok"], again.get("error")
    assert again["status"] == 304 and again["length"] == 0


@pytest.mark.parametrize("name", ["turtle", "void", "sparql"])
def test_a_script_elsewhere_reads_documents_void_and_query_answers(cross_origin, name):
    answer = cross_origin["fetched"][name]
    assert answer["ok"], answer.get("error")
    assert answer["status"] == 200 and answer["length"] > 10
    if name != "sparql":
        assert answer["headers"]["etag"] and answer["headers"]["link"]


def test_a_script_elsewhere_reads_part_of_a_dump(cross_origin, real_site):
    dump = cross_origin["fetched"]["dump"]
    assert dump["ok"], dump.get("error")
    size = (real_site.dumps / "letters.nt").stat().st_size
    assert dump["status"] == 206 and dump["headers"]["content-range"] == f"bytes 0-99/{size}"
    assert dump["length"] == 100


def test_a_script_elsewhere_reads_a_404(cross_origin):
    missing = cross_origin["fetched"]["missing"]
    assert missing["ok"] and missing["status"] == 404


def test_the_browser_preflighted_and_the_server_allowed_it(cross_origin, real_site):
    """The requests above are not simple ones: the browser asked first, and went on because it was allowed."""
    preflights = [line for line in _server_log(real_site).splitlines() if "method=OPTIONS" in line]
    for path in ("/id/person/lenin", "/void", "/dumps/letters.nt", "/sparql", "/doc/person/nobody-at-all"):
        assert any(f'path="{path}"' in line and "status=204" in line for line in preflights), path
    assert not [e for e in cross_origin["consoleErrors"] if "CORS" in e or "Access-Control" in e]
