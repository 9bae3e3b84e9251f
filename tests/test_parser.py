"""The letter parser, checked against the readers' answer keys and a hand-read seed letter."""
from __future__ import annotations

import dataclasses
import json
import random
import re
from datetime import datetime

import pytest

from conftest import LETTERS, shared_dir, skip_or_fail
from lod.letter import Letter, LetterError, Span
from lod.parser import parse_letter, read_letter

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


@pytest.mark.parametrize("path", sorted(LETTERS.glob("*.txt")), ids=lambda p: p.name)
def test_sample_letters_parse_cleanly(path):
    letter = read_letter(path)
    assert_spans_valid(letter)
    assert letter.file == path.name
    assert letter.warnings == ()
    assert letter.documents and all(d.date is not None for d in letter.documents)


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
    assert first.venue == key["in"]
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


@pytest.mark.parametrize("key_path", KEY_FILES or [None], ids=lambda p: p.name if p else "no-keys")
def test_against_answer_key(key_path):
    if key_path is None:
        skip_or_fail(f"answer keys not found in {KEYS}")
    key = json.loads(key_path.read_text(encoding="utf-8"))
    letter = parse_path(key_path.with_name(key["file"]))  # the letter lies beside its key
    first = letter.documents[0]

    # the byline's name, or on a mirror page the author the citation's collected works name
    assert letter.author_name == key["author"]["name"]
    assert squash(letter.author.text) in key["author"]["name"]
    for addressee in key["addressees"]:
        assert key_name_matches(addressee["name"], first.addressees, letter.text), addressee
    check_document_date(key["date"], first)

    cite = key["source_citation"]
    c = letter.citation
    assert (c.work, c.publisher, c.place, c.year, c.volume, c.pages) == (
        cite["work"],
        cite["publisher"],
        cite["place"],
        cite["year"],
        str(cite["volume"]),
        cite["pages"],
    )
    check_first_published(key["first_published"], first.published)
    assert first.printed_from.text == key["printed_from"]
    assert letter.translator.text == key["translator"]
    assert letter.transcriber.text == key["transcriber"]
    if key.get("closing"):
        assert first.closing.text == key["closing"]

    documents = key.get("documents")
    if documents:  # a page holding several notes
        assert len(letter.documents) == len(documents)
        for doc_key, doc in zip(documents, letter.documents):
            for addressee in doc_key["addressees"]:
                assert key_name_matches(addressee["name"], doc.addressees, letter.text)
            check_document_date(doc_key["date"], doc)
            check_first_published(doc_key["first_published"], doc.published)
            assert doc.printed_from.text == doc_key["printed_from"]
            if doc_key.get("closing"):
                assert doc.closing.text == doc_key["closing"]


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
