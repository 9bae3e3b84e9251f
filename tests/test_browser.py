"""A real browser on the real server: open a letter, click a highlighted name, land on the person's page.

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
from pathlib import Path

import pytest

from support import REPO, skip_or_fail

SCRIPT = REPO / "tests" / "browser" / "click_mention.mjs"
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
