"""The letter parser, checked against the readers' answer keys and a hand-read seed letter."""
from __future__ import annotations

import dataclasses
import json
import random
import re
from datetime import datetime

import pytest

from answer_keys import Score, same_words, score_letter
from lod.letter import Letter, LetterError, Span
from lod.parser import parse_letter, read_letter
from support import LETTERS, shared_dir, skip_or_fail

KEYS = shared_dir() / "letters"
SEED = LETTERS / "000_6d2f7f5c90ee0ebe.txt"
KEY_FILES = sorted(KEYS.glob("*.json")) if KEYS.is_dir() else []


# --- helpers ------------------------------------------------------------------------


def spans_in(value):
    """Every Span anywhere inside a parsed value (dataclasses, tuples)."""
    if isinstance(value, Span):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from spans_in(getattr(value, f.name))
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from spans_in(item)


def assert_spans_valid(letter: Letter) -> None:
    for span in spans_in(letter):
        assert 0 <= span.start <= span.end <= len(letter.text), span
        assert letter.text[span.start : span.end] == span.text, span
        # trimmed: no whitespace (NBSP included) at either edge
        assert span.text == span.text.strip(), span


def squash(s: str) -> str:
    return " ".join(s.split())


def parse_file(name: str) -> Letter:
    return parse_path(LETTERS / name)


def parse_path(path) -> Letter:
    letter = read_letter(path)
    assert_spans_valid(letter)
    return letter


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


# --- every sample letter ------------------------------------------------------------------


# The pages that do not read cleanly, and why: each warning is the parser saying honestly what the page
# lacks or what it could not place, never a misreading. Per file, the (line, message pattern) of every
# warning it must give, no more and no fewer; a page not listed must read without a warning, and a page
# listed that comes to read cleanly fails too (take it out of the list).
ODD_PAGES: dict[str, list[tuple[int, str]]] = {
    # an editors' marker in the text whose footnote the page does not carry
    "103_preobrazhensky-1905-04.txt": [(34, r"marker \[1\] has no footnote")],
    # the salutation uses a name or initials the To: line does not give ("Dear A. M.," for Gorky)
    "106_gorky-1913-11.txt": [(15, r"salutation 'Dear A\. M\.,' does not name the To: addressee")],
    "137_gorky-1921-08-09.txt": [(16, r"salutation 'Alexei Maximovich:' does not name the To: addressee")],
    # a footnote on the telegram as a whole, with no marker in its text
    "115_petruchuk-1918-08-15.txt": [(16, r"footnote \[1\] has no marker in the text")],
    # no byline, a citation naming no author (no author is invented), a transcriber's name out of place
    "121_prokofiev-1919-01-03.txt": [(8, r"unclassified line in the header: 'R\. Cymbala'"),
                                     (18, r"marker \[1\] has no footnote"),
                                     (1, r"no byline \(author line\) before the header, and no author named by the citation")],
    # notes whose date only the page's address gives: the text has no date line, so no date is read
    "129_gorbunov-1921-01-12.txt": [(13, r"no date line")],
    "133_gorbunov-1921-04-26.txt": [(12, r"no date line")],
    "139_gorbunov-1921-09-20.txt": [(12, r"no date line")],
    "143_glyasser-1922-01-26.txt": [(12, r"no date line")],
}


@pytest.mark.parametrize("path", sorted(LETTERS.glob("*.txt")), ids=lambda p: p.name)
def test_sample_letters_parse_cleanly(path):
    """A page that reads cleanly gives no warning and dates every document; the others (``ODD_PAGES``) give
    exactly the warnings listed for them, and a document goes undated only where "no date line" says so."""
    letter = read_letter(path)
    assert_spans_valid(letter)
    assert letter.file == path.name
    expected = ODD_PAGES.get(path.name, [])
    got = sorted((w.line, w.message) for w in letter.warnings)
    assert len(got) == len(expected), got
    for (line, pattern), (got_line, message) in zip(sorted(expected), got):
        assert got_line == line and re.fullmatch(pattern, message), (line, pattern, got_line, message)
    undated = any(message == "no date line" for _, message in got)
    assert letter.documents and all(d.date is not None for d in letter.documents) != undated


# --- against the answer keys --------------------------------------------------------------


def key_name_matches(key_name: str, spans, text: str) -> bool:
    """A key name matches a parsed name; initials count only where the page has them.

    Keys add knowledge from outside the page ("M. I. Glyasser (Maria Glyasser)"); the
    parser can only give what is written ("Glyasser"), so then the surname must agree.
    """
    plain = re.sub(r"\s*\(.*?\)", "", key_name).strip()
    found = {squash(s.text).casefold() for s in spans}
    if plain.casefold() in squash(text).casefold():
        return plain.casefold() in found
    return plain.split()[-1].casefold() in {f.split()[-1] for f in found}


def check_first_published(key: dict, publications) -> None:
    first = publications[0]
    assert first.first is True
    assert first.year == key["year"]
    assert same_words(first.venue, key["in"])  # the venue as printed; the key may join words otherwise
    if "extent" in key:
        assert first.extent == key["extent"]
    if "full" in key:
        full = publications[1]
        assert (full.year, full.venue, full.extent, full.first) == (
            key["full"]["year"],
            key["full"]["in"],
            "in full",
            False,
        )


def check_document_date(key: dict, document) -> None:
    assert document.date is not None
    # a key gives a time of day apart ("time": "09:00"); EDTF writes it after the date
    assert document.date.edtf == key["iso"] + (f"T{key['time']}" if key.get("time") else "")
    assert document.date.exact_day is key["certain"]
    as_written = key.get("as_written")
    if as_written is not None:
        expected = as_written if isinstance(as_written, list) else [as_written]
        assert document.date_line.text in expected
    if "kind" in key:
        assert document.date_kind == key["kind"]


def _key(key_path):
    if key_path is None:
        skip_or_fail(f"answer keys not found in {KEYS}")
    key = json.loads(key_path.read_text(encoding="utf-8"))
    return key, parse_path(key_path.with_name(key["file"]))  # the letter lies beside its key


@pytest.mark.parametrize("key_path", KEY_FILES or [None], ids=lambda p: p.name if p else "no-keys")
def test_against_answer_key(key_path):
    """Precision, letter by letter: whatever the parser reads is what the key says; it may miss a
    value the page does not state (a date known only from the page's address), never invent one."""
    key, letter = _key(key_path)
    score = Score()
    score_letter(score, key, letter, None)
    assert score.wrong() == [], "values read that the key does not give"
    assert score.wrong_days == [], "a date stated to the day that the text does not give"
    if letter.author is not None:  # the byline's name, or the author a one-author Collected Works names
        assert squash(letter.author.text) in key["author"]["name"]
    documents = key.get("documents") or [{**key, "date": key["date"]}]
    assert len(letter.documents) == len(documents)
    for doc_key, doc in zip(documents, letter.documents):
        if doc.date is not None:
            check_document_date(doc_key["date"], doc)
        if doc_key.get("first_published") and doc.published:
            check_first_published(doc_key["first_published"], doc.published)
        if doc.printed_from is not None:
            assert doc.printed_from.text == doc_key["printed_from"]
        if doc_key.get("closing") and doc.closing is not None:
            assert doc.closing.text == doc_key["closing"]


def test_answer_keys_catalogue_facts_found():
    """Recall over every key together: the catalogue facts (author, addressees, date, translator,
    volume, pages) at least 95% right, and every citation field and translator of every letter."""
    if not KEY_FILES:
        skip_or_fail(f"answer keys not found in {KEYS}")
    score = Score()
    for key_path in KEY_FILES:
        key, letter = _key(key_path)
        score_letter(score, key, letter, None)
    facts = ("author", "addressees", "date", "translator", "volume", "pages")
    misses = [m for m in score.misses if m[1] in facts]
    assert score.share(facts) >= 0.95, misses
    for field in ("translator", "work", "publisher", "place", "year", "volume", "pages", "documents"):
        assert score.right[field] == score.total[field], [m for m in score.misses if m[1] == field]


def test_to_line_gives_addressee_without_marker_and_keeps_salutation():
    letter = parse_file("002_chicherin-1921-07-25.txt")
    doc = letter.documents[0]
    assert [a.text for a in doc.addressees] == ["G. V. CHICHERIN"]
    assert letter.header.to.text == "G. V. CHICHERIN[1]"
    assert doc.salutation.text == "Comrade Chicherin:"
    # the footnote marker sits on the To: line, not in the body
    (note,) = letter.footnotes
    assert [m.text for m in note.markers] == ["[1]"]
    assert letter.header.to.start <= note.markers[0].start < letter.header.to.end
    assert len(doc.paragraphs) == 3
    assert doc.paragraphs[0].text.startswith("1) If Lunacharsky")


def test_several_notes_on_one_page():
    letter = parse_file("007_glyasser-1922-09-23.txt")
    one, two = letter.documents
    assert letter.header.written is None and letter.header.published is None
    assert len(one.paragraphs) == 4 and len(two.paragraphs) == 2
    assert one.closing.text == "With communist greetings," and two.closing is None
    assert one.date_line.text == "Written on September 23, 1922"
    assert two.date.begin == datetime(1922, 9, 24) and two.date.end == datetime(1922, 9, 30, 23, 59, 59)
    assert [f.number for f in letter.footnotes] == [1, 2, 3]
    assert letter.footnotes[0].span.text == "October 3.—Ed."
    # markers: [1] in the first note, [2] and [3] in the second
    assert one.paragraphs[2].start <= letter.footnotes[0].markers[0].start < one.paragraphs[2].end
    assert two.paragraphs[0].start <= letter.footnotes[1].markers[0].start < two.paragraphs[0].end
    assert two.paragraphs[1].start <= letter.footnotes[2].markers[0].start < two.paragraphs[1].end


def test_published_in_part_and_in_full():
    letter = parse_file("008_zinoviev-1922-12-08.txt")
    part, full = letter.documents[0].published
    assert part.span.text == "First published in part in 1957 in the magazine Voprosy Istorii KPSS No. 4"
    assert full.span.text == "Published in full in 1965 in Collected Works, Fifth (Russian) Ed., Vol. 54"
    assert part.extent == "in part" and full.extent == "in full"


# --- the seed letter (no key: read by hand) --------------------------------------------------


def test_seed_header():
    letter = parse_file(SEED.name)
    assert squash(letter.author.text) == "V. I. Lenin"
    assert letter.author.text == "V. I. \u00a0 Lenin"  # as stored: NBSP kept inside the span
    assert letter.header.byline == letter.author
    assert letter.header.written.text == "Dictated by phone"
    assert letter.translator.text == "Yuri Sdobnikov"
    assert letter.transcriber.text == "R. Cymbala"
    assert letter.header.rights.text.startswith("Lenin Internet Archive You may freely copy")
    c = letter.citation
    assert (c.work, c.publisher, c.year, c.place, c.volume, c.pages) == (
        "Lenin Collected Works", "Progress Publishers", 1976, "Moscow", "45", "414b-415a",
    )


def test_seed_document():
    letter = parse_file(SEED.name)
    (doc,) = letter.documents
    assert doc.salutation.text == "Comrade Zalutsky and Comrade Salts"
    assert [a.text for a in doc.addressees] == ["Zalutsky", "Salts"]
    assert len(doc.paragraphs) == 4
    assert doc.paragraphs[0].text.startswith("I have had a letter from Comrade Kasparova-Popova")
    assert doc.closing is None

    assert doc.date_line.text == "20.00 hours, December 20, 1921."
    assert doc.date.begin == datetime(1921, 12, 20, 20, 0, 0)
    assert doc.date.end == datetime(1921, 12, 20, 20, 0, 59)
    assert doc.date.edtf == "1921-12-20T20:00" and doc.date.time_of_day
    assert doc.date_kind == "dictated"
    assert doc.dictated_how.text == "Dictated by phone"

    (pub,) = doc.published
    assert (pub.year, pub.venue, pub.first, pub.extent) == (1959, "Lenin Miscellany XXXVI", True, None)
    assert doc.printed_from.text == "a typewritten copy"


def test_seed_notes_and_noise():
    letter = parse_file(SEED.name)
    (doc,) = letter.documents
    (note,) = letter.footnotes
    assert note.number == 1
    assert note.span.text == "Yevgenia Popova (Kasparova) was reinstated in the Party."
    (marker,) = note.markers
    last = doc.paragraphs[-1]
    assert marker.text == "[1]" and last.start <= marker.start < marker.end <= last.end

    (editor,) = letter.editor_notes
    assert editor.text.startswith("On the document there is the following inscription")
    assert "Natalya Lepeshinskaya" in editor.text and editor.text.endswith("\u201d")

    assert [squash(d.text) for d in letter.dropped] == [
        "< backward forward >",
        "Works Index | Volume 45 | Collected Works | L.I.A. Index",
    ]
    for span in letter.dropped:  # navigation is nowhere else
        assert all(not (p.start <= span.start < p.end) for p in doc.paragraphs + letter.editor_notes)


# --- layouts the samples do not show ------------------------------------------------------

CONSTRUCTED = """V. I. Lenin

Written: Written on December 5, 1921
Source: Lenin Collected Works, Progress Publishers, 1976, Moscow, Volume 45, page 1.

Dear Comrade Gorky,

First line of a paragraph
that wraps onto a second line.[1]

Moscow, December 5, 1921

[1] A note that
runs on.

[2] A note nobody points to.
"""


def test_wrapped_paragraph_place_in_date_line_and_running_footnote():
    letter = parse_letter(CONSTRUCTED, "constructed.txt")
    assert_spans_valid(letter)
    (doc,) = letter.documents
    assert [a.text for a in doc.addressees] == ["Gorky"]
    (paragraph,) = doc.paragraphs
    assert paragraph.text == "First line of a paragraph\nthat wraps onto a second line.[1]"
    assert doc.date_line.text == "Moscow, December 5, 1921"
    assert doc.date.span.text == "December 5, 1921"
    assert doc.date_kind == "written"  # from the header, which agrees with the date line
    one, two = letter.footnotes
    assert one.span.text == "A note that\nruns on."
    assert two.markers == ()
    assert any(w.line == 16 and "[2]" in w.message for w in letter.warnings)


def test_disagreeing_dates_are_reported():
    text = CONSTRUCTED.replace("Written on December 5, 1921", "Written on December 9, 1921")
    letter = parse_letter(text, "constructed.txt")
    assert letter.documents[0].date.edtf == "1921-12-05"  # the letter's own date line wins
    assert any("disagrees" in w.message for w in letter.warnings)


def test_note_without_salutation_after_trailer_lines():
    text = (
        "V. I. Lenin\n\nSource: Lenin Collected Works, Progress Publishers, 1976, Moscow, Volume 45, page 2.\n\n"
        "Comrade Stalin:\n\nPlease send the minutes.\n\nWritten on May 5, 1922\nPrinted from the original\n\n"
        "A second note, addressed to nobody.\n\nWritten in May 1922\nPrinted from a copy\n"
    )
    letter = parse_letter(text, "two-notes.txt")
    assert_spans_valid(letter)
    one, two = letter.documents
    assert [a.text for a in one.addressees] == ["Stalin"] and two.addressees == ()
    assert (one.date.edtf, two.date.edtf) == ("1922-05-05", "1922-05")
    assert two.printed_from.text == "a copy"
    assert [w for w in letter.warnings if w.message == "no date line"] == []


def test_unread_date_in_written_line_is_a_warning():
    text = CONSTRUCTED.replace("Written on December 5, 1921", "Written in the winter of 1921-22").replace(
        "Moscow, December 5, 1921\n", ""
    )
    letter = parse_letter(text, "unread.txt")
    assert letter.documents[0].date is None  # not guessed
    messages = [w.message for w in letter.warnings]
    assert "no date line" in messages and any("no date read" in m for m in messages)


def test_open_ended_written_line_is_read_with_its_open_side():
    text = CONSTRUCTED.replace("Written on December 5, 1921", "Written not later than December 5, 1921").replace(
        "Moscow, December 5, 1921\n", ""
    )
    letter = parse_letter(text, "open.txt")
    assert_spans_valid(letter)
    date = letter.documents[0].date
    assert (date.edtf, date.begin, date.exact_day) == ("../1921-12-05", None, False)
    assert date.span.text == "not later than December 5, 1921"


# --- robustness ----------------------------------------------------------------------------


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(LetterError, match="empty.txt"):
        read_letter(path)


def test_whitespace_only_file(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text(" \n\u00a0\t\n\n", encoding="utf-8")
    with pytest.raises(LetterError, match="blank.txt.*empty"):
        read_letter(path)


def test_binary_file(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"\x00\xff")
    with pytest.raises(LetterError, match=r"binary.txt.*NUL.*offset 0"):
        read_letter(path)


def test_invalid_utf8_names_the_offset(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"V. I. Lenin\n\nComrade Gorky:\n\nCaf\xe9\n")
    with pytest.raises(LetterError, match=r"latin1.txt.*UTF-8.*0xe9.*offset 32"):
        read_letter(path)


def test_text_without_a_letter(tmp_path):
    path = tmp_path / "prose.txt"
    path.write_text("Just some prose.\n\nAnd more prose, about nothing.\n", encoding="utf-8")
    with pytest.raises(LetterError, match="prose.txt.*no recognisable letter"):
        read_letter(path)


def test_missing_date_line_is_a_warning():
    text = seed_text().replace("20.00 hours, December 20, 1921.\n", "")
    letter = parse_letter(text, "seed-undated.txt")
    assert_spans_valid(letter)
    (doc,) = letter.documents
    assert doc.date is None and doc.date_line is None
    (warning,) = [w for w in letter.warnings if w.message == "no date line"]
    assert warning.file == "seed-undated.txt"
    assert warning.line >= 1
    assert str(warning).startswith(f"seed-undated.txt:{warning.line}: ")


def test_stray_lines_and_nbsp_do_not_crash():
    lines = seed_text().split("\n")
    lines.insert(2, "\u00a0\u00a0some stray remark\u00a0")  # between byline and header
    lines.insert(7, "\u00a0")  # a "blank" line made of an NBSP, inside the header
    lines.insert(14, "||| ???")  # noise before the salutation
    text = "\n".join(lines).replace("Comrade Salts", "Comrade\u00a0Salts\u00a0")
    letter = parse_letter(text, "stray.txt")
    assert_spans_valid(letter)
    assert letter.citation.volume == "45"
    doc = letter.documents[0]
    assert [a.text for a in doc.addressees] == ["Zalutsky", "Salts"]
    assert doc.date.edtf == "1921-12-20T20:00"
    assert any(w.line == 3 and "unclassified" in w.message for w in letter.warnings)


def test_bom_and_crlf_keep_offsets_exact():
    text = "\ufeff" + seed_text().replace("\n", "\r\n")
    letter = parse_letter(text, "bom.txt")
    assert_spans_valid(letter)
    assert letter.author.start == 1 and squash(letter.author.text) == "V. I. Lenin"
    assert letter.documents[0].date_line.text == "20.00 hours, December 20, 1921."
    assert len(letter.documents[0].paragraphs) == 4


def test_read_letter_keeps_the_text_as_stored(tmp_path):
    raw = SEED.read_bytes()
    path = tmp_path / "copy.txt"
    path.write_bytes(b"\xef\xbb\xbf" + raw)  # UTF-8 BOM: part of the text, counted in offsets
    letter = read_letter(path)
    assert letter.text == "\ufeff" + raw.decode("utf-8")
    assert_spans_valid(letter)


def mutations(rng: random.Random, text: str):
    """Damaged copies of a real letter: lines dropped, duplicated, swapped, garbled."""
    noise = ["\u00a0", "\r", "[7]", "[1] ", "Comrade", ":", "|", "<", ">", "Written on ", "1922", "\ufeff", "\t", "—"]
    for _ in range(60):
        lines = text.split("\n")
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(lines))
            action = rng.choice(["drop", "dup", "swap", "garble", "cut"])
            if action == "drop":
                del lines[i]
            elif action == "dup":
                lines.insert(i, lines[i])
            elif action == "swap":
                j = rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
            elif action == "garble":
                pos = rng.randint(0, len(lines[i]))
                lines[i] = lines[i][:pos] + rng.choice(noise) + lines[i][pos:]
            else:
                lines[i] = lines[i][: rng.randint(0, len(lines[i]))]
            if not lines:
                lines = [""]
        yield "\n".join(lines)


@pytest.mark.parametrize("path", sorted(LETTERS.glob("*.txt")), ids=lambda p: p.name)
def test_damaged_letters_never_crash(path):
    rng = random.Random(path.name)  # deterministic
    for text in mutations(rng, path.read_text(encoding="utf-8")):
        try:
            letter = parse_letter(text, path.name)
        except LetterError:
            continue
        assert_spans_valid(letter)


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # hypothesis is optional
    given = None

if given is not None:

    _LETTERISH = st.lists(
        st.sampled_from(
            [
                "V. I.\u00a0 Lenin", "", "\u00a0", "To: G. V. CHICHERIN[1]", "Written: Written on July 25, 1921",
                "Dictated: Dictated by phone", "Published: First published in 1959 in X. Printed from the original.",
                "Source: Lenin Collected Works, Progress Publishers, 1976, Moscow, Volume\u00a045, pages 1-2.",
                "Comrade Zalutsky and Comrade Salts", "Comrade Chicherin:", "With communist greetings,",
                "20.00 hours, December 20, 1921.", "Written in September, later than the 23rd, 1922",
                "[1] A note.", "Some text.[1]", "< backward \u00a0 forward >", "Works Index | Volume 45",
            ]
        )
        | st.text(max_size=40),
        max_size=25,
    ).map("\n".join)

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(st.text(), _LETTERISH))
    def test_parse_letter_on_arbitrary_text(text):
        try:
            letter = parse_letter(text, "fuzz.txt")
        except LetterError:
            return
        assert letter.text == text
        assert_spans_valid(letter)

else:

    def test_parse_letter_on_arbitrary_text():
        pytest.skip("hypothesis is not installed")


# --- layouts of the wider corpus (constructed pages, one layout each) ---------------------

MIRROR = """Written: Written on March 3, 1920
Published:
First published in 1950 in Lenin Miscellany XX.
Sent from Moscow to Kiev.
Printed from the original.
Source:
Lenin
Collected Works,
Progress Publishers,
[1977],
Moscow,
Volume 44,
pages 12b-13a.
Translated: Jane Doe and
John Roe
Transcription\\Markup:
A. Reader
Public Domain:
Lenin Internet Archive
(2005).
You may freely copy, distribute,
display and perform this work. Please credit “Marxists Internet
Archive” as your source.
Other Formats:
Text
• README
3/III
Comrade Ivanov,
First paragraph on one line.
Second paragraph, which mentions a day
at 12.00 on 2/III.
Best wishes,
Yours,
Lenin
[1] A note.
| | | | | |
"""


def test_mirror_page_without_byline_or_blank_lines():
    letter = parse_letter(MIRROR, "mirror.txt")
    assert_spans_valid(letter)
    # no byline: the author is the one whose collected works the citation names
    assert letter.header.byline is None
    assert letter.author.text == "Lenin" and letter.author_name == "V. I. Lenin"
    assert letter.author.start > MIRROR.index("Source:")
    c = letter.citation
    assert (c.work, c.publisher, c.year, c.place, c.volume, c.pages) == (
        "Lenin Collected Works", "Progress Publishers", 1977, "Moscow", "44", "12b-13a",
    )
    assert letter.translator.text == "Jane Doe and\nJohn Roe"
    assert letter.transcriber.text == "A. Reader"
    (doc,) = letter.documents
    (pub,) = doc.published
    assert (pub.year, pub.venue) == (1950, "Lenin Miscellany XX")  # "Sent from ..." is not the venue
    assert doc.printed_from.text == "the original"
    assert [a.text for a in doc.addressees] == ["Ivanov"]
    # "3/III" at the head takes its year from the Written line
    assert doc.date_line.text == "3/III" and doc.date.edtf == "1920-03-03" and doc.date_kind == "written"
    # a line is a paragraph; a line that ends mid-sentence is not followed by a date line
    assert [p.text for p in doc.paragraphs] == [
        "First paragraph on one line.", "Second paragraph, which mentions a day", "at 12.00 on 2/III.", "Lenin",
    ]
    assert doc.closing.text == "Best wishes,\nYours,"
    assert "| | | | | |" in [d.text for d in letter.dropped]
    assert any(d.text.startswith("Other Formats:") and d.text.endswith("README") for d in letter.dropped)
    assert [w for w in letter.warnings if "unclassified" in w.message or "byline" in w.message] == []


def test_citation_that_names_no_author_gives_no_author():
    text = MIRROR.replace("Source:\nLenin\nCollected Works,", "Source:\nCollected Works,")
    letter = parse_letter(text, "anonymous.txt")
    assert letter.author is None and letter.author_name is None
    assert letter.citation.work == "Collected Works"
    assert any(w.line == 1 and "no byline" in w.message for w in letter.warnings)


def test_two_authors_collected_works_name_no_author():
    text = MIRROR.replace("Source:\nLenin\nCollected Works,", "Source:\nMarx Engels\nCollected Works,")
    assert parse_letter(text, "two.txt").author is None


def test_header_fields_whose_labels_the_page_lost():
    text = (
        "First published in 1965 in Collected Works, Fifth Ed., Vol. 50.\nPrinted from the original.\n"
        "Collected Works,\nProgress Publishers,\nVolume 44,\npage 180b.\nTranslated: Clemens Dutt\n"
        "A. Reader\nPublic Domain:\nLenin Internet Archive.\nOther Formats:\n3. I. 1919\nComrade Prokofiev,\n"
        "I am sending you a letter.\nWith communist greetings,\nV. Ulyanov (N. Lenin)\n"
    )
    letter = parse_letter(text, "unlabelled.txt")
    assert_spans_valid(letter)
    assert letter.author is None  # "First published ..." is no byline
    assert (letter.citation.work, letter.citation.volume, letter.citation.pages) == ("Collected Works", "44", "180b")
    (doc,) = letter.documents
    assert [(p.year, p.venue) for p in doc.published] == [(1965, "Collected Works, Fifth Ed., Vol. 50")]
    assert doc.printed_from.text == "the original"
    assert letter.transcriber is None  # an unlabelled name is not guessed to be the transcriber
    assert any(w.line == 8 and "unclassified" in w.message for w in letter.warnings)
    assert doc.date.edtf == "1919-01-03" and [a.text for a in doc.addressees] == ["Prokofiev"]
    assert doc.closing.text == "With communist greetings,"


ONE_LINE = """V. I. \u00a0 Lenin



{above}
Written: {written}
Published: First published in 1933 in Lenin Miscellany XXV. Sent from Paris to St. Petersburg. Printed from the original.
Source: Lenin Collected Works, Progress Publishers, [1977], Moscow, Volume 43, page 277a.
Translated: Martin Parker and Bernard Isaacs
Transcription\\Markup: R. Cymbala
Public Domain: Lenin Internet Archive (2005). Please credit “Marxists Internet Archive” as your source.README
Other Formats: \u00a0 TextREADME

{body}

< backward \u00a0 forward >
Works Index \u00a0 | \u00a0 Volume 43 | Collected Works \u00a0 | \u00a0 L.I.A. Index"""


def one_line(body: str, written: str = "Written in May 1921", above: str = "") -> Letter:
    text = ONE_LINE.format(body=body, written=written, above=above)
    letter = parse_letter(text, "one-line.txt")
    assert_spans_valid(letter)
    return letter


def test_title_line_and_document_number():
    letter = one_line("Dear A. M.,\n\nI have received the novel.\n\nYours,\nLenin", above="454\n\nTO MAXIM GORKY\n")
    assert letter.header.number.text == "454" and letter.header.title.text == "TO MAXIM GORKY"
    (doc,) = letter.documents
    assert [a.text for a in doc.addressees] == ["MAXIM GORKY"]  # the title names the addressee in full
    assert doc.salutation.text == "Dear A. M.,"
    assert [w for w in letter.warnings if "unclassified" in w.message or "not kept" in w.message] == []
    (pub,) = doc.published
    assert pub.venue == "Lenin Miscellany XXV" and letter.citation.year == 1977 and letter.citation.place == "Moscow"


def test_telegram_title_line():
    letter = one_line("In case of need use the direct line.", above="TELEGRAM TO J. V. STALIN\n")
    assert [a.text for a in letter.documents[0].addressees] == ["J. V. STALIN"]


@pytest.mark.parametrize(
    "salutation, names",
    [
        ("Dear Zina,", ["Zina"]),
        ("Dear A. M.:", ["A. M."]),
        ("Georgi Valentinovich,", ["Georgi Valentinovich"]),  # name and patronymic, at the head
        ("Alexei Maximovich:", ["Alexei Maximovich"]),
        ("Comrade Sverdlov", ["Sverdlov"]),
        ("Liebe Freunde,", []),  # a greeting that names nobody
        ("People’s Commissar Lunacharsky", ["Lunacharsky"]),
    ],
)
def test_salutation_forms(salutation, names):
    letter = one_line(f"{salutation}\n\nThe text of the letter.\n\nLenin")
    (doc,) = letter.documents
    assert doc.salutation.text == salutation
    assert [a.text for a in doc.addressees] == names


def test_patronymic_after_text_is_a_paragraph():
    letter = one_line("Comrade Ivanov,\n\nSome text.\n\nGeorgi Valentinovich,\n\nMore text.")
    (doc,) = letter.documents
    assert [a.text for a in doc.addressees] == ["Ivanov"] and len(doc.paragraphs) == 3


def test_address_with_copy_line_and_alternative_addressee():
    letter = one_line(
        "September 18, 1918\n\nPeople’s Commissar Lunacharsky\n\nCopy to Pokrovsky, 53 Ostozhenka, Moscow\n\n"
        "I have heard today a report.\n\nChairman, Council of People’s Commissars",
        written="Written in September 1918",
    )
    (doc,) = letter.documents
    assert [a.text for a in doc.addressees] == ["Lunacharsky", "Pokrovsky"]
    assert doc.date.edtf == "1918-09-18" and doc.date_line.text == "September 18, 1918"
    assert doc.paragraphs[-1].text == "Chairman, Council of People’s Commissars"  # a signature, not a salutation

    letter = one_line("Comrade Vladimirsky (or any other member\nof the Presidium of the Moscow Soviet)\n\nThe bearers are comrades.")
    (doc,) = letter.documents
    assert [a.text for a in doc.addressees] == ["Vladimirsky", "any other member\nof the Presidium of the Moscow Soviet"]
    assert [p.text for p in doc.paragraphs] == ["The bearers are comrades."]


@pytest.mark.parametrize(
    "written, dateline, edtf, exact",
    [
        ("Written in Geneva", "November 18, 1903", "1903-11-18", True),  # a Written line with no date
        ("Written in December 1921", "17/X11-21", "1921-12-17", True),  # a scanned XII, a two-digit year
        ("Written in May 1921", "23/V.", "1921-05-23", True),  # the year from the Written line
        ("Written in the autumn", "11/XI. 1918", "1918-11-11", True),
        ("Written not earlier than November 8 (21), 1917", None, "1917-11-21/..", False),
        ("Written on November 8 (21), 1917", None, "1917-11-21", True),
        ("Written after July 27, 1916", None, "1916-07-28/..", False),
        ("Written in April, prior to 21st, 1905", None, "1905-04-01/1905-04-20", False),
    ],
)
def test_written_lines_and_datelines_at_the_end(written, dateline, edtf, exact):
    body = "Comrade Ivanov,\n\nThe text.\n\nYours,\nLenin" + (f"\n\n{dateline}" if dateline else "")
    (doc,) = one_line(body, written=written).documents
    assert (doc.date.edtf, doc.date.exact_day) == (edtf, exact)
    assert doc.date_kind == "written"
    if dateline:
        assert doc.date_line.text == dateline


def test_dateline_without_a_year_and_no_written_year_is_not_guessed():
    letter = one_line("Comrade Ivanov,\n\nThe text.\n\n23/V.", written="Written in Geneva")
    (doc,) = letter.documents
    assert doc.date is None  # the citation's 1977 is not the letter's year
    assert any("23/V." in w.message and "no year" in w.message for w in letter.warnings)


def test_dictated_line_with_time():
    letter = one_line("Comrade Stalin,\n\nThe text.", written="Dictated by phone at 9.00 on May 6, 1922")
    (doc,) = letter.documents
    assert (doc.date.edtf, doc.date_kind, doc.dictated_how.text) == ("1922-05-06T09:00", "dictated", "Dictated by phone")


def test_closings_of_two_lines_and_with_a_tail():
    (doc,) = one_line("Dear Comrade Kayurov;\n\nThe text.\n\nBest wishes,\nYours,\nLenin").documents
    assert doc.closing.text == "Best wishes,\nYours," and doc.paragraphs[-1].text == "Lenin"
    (doc,) = one_line("Dear Zina,\n\nThe text.\n\nBeste Grüsse, especially to Styopka!").documents
    assert doc.closing.text == "Beste Grüsse, especially to Styopka!" and [p.text for p in doc.paragraphs] == ["The text."]
    (doc,) = one_line("Liebe Freunde,\n\nThe text.\n\nBeste Gr&Bwhatthe;e!\nIhr Lenin").documents
    assert doc.closing.text == "Beste Gr&Bwhatthe;e!"


def test_notes_heading_and_a_note_without_a_space():
    letter = one_line("Comrade Ivanov,\n\nThe text.[1] More.[2]\n\nLenin\n\n\nNotes\n\n[1] One.\n\n[2]Two.—Ed.")
    assert [(f.number, f.span.text) for f in letter.footnotes] == [(1, "One."), (2, "Two.—Ed.")]
    assert "Notes" in [d.text for d in letter.dropped]
    assert [p.text for p in letter.documents[0].paragraphs] == ["The text.[1] More.[2]", "Lenin"]
    assert not any("marker" in w.message for w in letter.warnings)


def test_addressee_named_by_the_editors_notes():
    letter = one_line("Comrade Sverdlov\n\nThe bearer has a mandate.[1]\n\n[1] The letter to Y. M. Sverdlov apparently concerns F. F. Obraztsov.")
    (name,) = letter.documents[0].addressees
    assert name.text == "Y. M. Sverdlov" and name.start > letter.text.index("[1] The letter")

    letter = one_line("In case of need use the direct line.[1]\n\n[1] This telegram is the reply to a message by direct line from D. T. Petruchuk, who was at Orsha.")
    assert [a.text for a in letter.documents[0].addressees] == ["D. T. Petruchuk"]

    # a note that only mentions a person of the same name changes nothing
    letter = one_line("Comrade Krasin:\n\nSend him abroad.[1]\n\n[1] That same day L. B. Krasin replied to Lenin.")
    assert [a.text for a in letter.documents[0].addressees] == ["Krasin"]


def test_datelines_at_the_head_and_salutation_make_one_document():
    letter = one_line("24.III.1921\n\nDear Comrade Kayurov;\n\nI have received your letter of 1.III.21.\n\nLenin")
    (doc,) = letter.documents
    assert doc.date.edtf == "1921-03-24" and doc.date_line.text == "24.III.1921"
    assert [a.text for a in doc.addressees] == ["Kayurov"]


def test_a_letter_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    """A file far larger than any letter would hold up the build for minutes: refused, naming the file and the limit."""
    path = tmp_path / "huge.txt"
    path.write_text(seed_text() + "and so on. " * 60_000, encoding="utf-8")  # ~0.66 MB
    with pytest.raises(LetterError, match=r"huge.txt: larger than 512 KiB, the largest letter file read \(it is 0.6 MiB\)"):
        read_letter(path)
    assert read_letter(path, max_bytes=2 ** 20).documents  # the same text, under a higher limit, reads
