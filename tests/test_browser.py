"""A real browser on the real server: open a letter, click a highlighted name, land on the person's page;
every kind of page with the server's Content-Security-Policy on; the query page against a hostile link.

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
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from support import REPO, skip_or_fail

SCRIPT = REPO / "tests" / "browser" / "click_mention.mjs"
PAGES_SCRIPT = REPO / "tests" / "browser" / "pages_csp.mjs"
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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", asked
    finally:
        server.shutdown()
        server.server_close()


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
