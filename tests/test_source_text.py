"""The letters' source texts are in the data: a store with no folder of letter files beside it
(a dump given to `--data`, a store directory, a remote store) shows each letter with its highlights."""
from __future__ import annotations

import re

import pyoxigraph as ox

from lod.config import Settings
from lod.store import EmbeddedStore
from lod.web import create_app

SEED = "000_6d2f7f5c90ee0ebe.txt"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"


def test_each_text_node_holds_its_file_as_stored(built, store):
    for letter in built.letters:
        rows = list(store.query(f"""SELECT ?content WHERE {{
            ?text <http://purl.org/dc/terms/identifier> "{letter.file}" ; <{CRM}P190_has_symbolic_content> ?content }}""",
                                use_default_graph_as_union=True))
        assert len(rows) == 1, letter.file
        assert rows[0]["content"].value == letter.text  # the file as read, byte for byte


def test_letter_page_highlights_from_the_store_alone(built, dumps_dir, tmp_path, base):
    nowhere = tmp_path / "no-letters-here"  # the page may not read the letter files
    settings = Settings(base=base, letters=nowhere, annotations=nowhere, out=None)
    app = create_app(settings, EmbeddedStore.from_files([dumps_dir / "letters.nq"]))
    page = app.test_client().get("/doc/letter/1921-12-20-zalutsky-salts", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    mentions = re.findall(r'<a [^>]*class="[^"]*\bmention\b[^"]*"[^>]*>([^<]*)</a>', html)
    assert "Comrade Kasparova-Popova" in mentions
    quotes = list(ox.parse(path=str(dumps_dir / "letters.nq"), format=ox.RdfFormat.N_QUADS))
    exact = {q.object.value for q in quotes if q.predicate.value == "http://www.w3.org/ns/oa#exact"
             and "1921-12-20-zalutsky-salts/" in q.subject.value}
    assert len(exact) > 40 and "Comrade Kasparova-Popova" in exact
