"""A UTF-8 CSV with nothing to change is read from its bytes, never decoded whole."""
from __future__ import annotations

import pytest

from lib.importing import csvread
from lib.importing.csvread import line_endings, read_csv_grid
from lib.importing.encoding import plain_utf8

# More characters than the delimiter's sample, many of them more than one byte long
LONG = "Account;Month;Amount\n" + "".join(
    f"Café Ñandú {i} €;2026-{i % 12 + 1:02d};{i},50\n" for i in range(6_000))


@pytest.fixture
def never_decoded_whole(monkeypatch):
    """Fail the test if the file's whole text is decoded before the reference path needs it."""
    def refuse(*args):
        raise AssertionError("the whole file was decoded")
    monkeypatch.setattr(csvread, "decode_text", refuse)


def read_the_old_way(data: bytes, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(csvread, "_as_is", lambda data: False)
        return read_csv_grid(data, "old.csv")


@pytest.mark.parametrize("text", [
    LONG,
    "name,city\nZoë,Köln\n",                      # shorter than the sample
    "a|b\n1|2",                                   # no final newline
    "name,note\nAnn,\"two\nlines\"\n",            # a newline inside a quoted cell
    "name,note\nAnn,x\n\nBob,y\n",                # a blank line: the reference path
    "name,size\nTV,55\" screen\n\"open,1\n",      # an odd quote: the reference path
])
def test_a_plain_utf8_file_is_read_exactly_as_when_its_whole_text_was_decoded(text, monkeypatch):
    data = text.encode("utf-8")
    grid, dialect, notes = read_csv_grid(data, "new.csv")
    old_grid, old_dialect, old_notes = read_the_old_way(data, monkeypatch)
    assert grid.equals(old_grid)
    assert (dialect, notes) == (old_dialect, old_notes)


def test_a_plain_utf8_file_reaches_pyarrow_without_its_whole_text_in_memory(never_decoded_whole):
    grid, dialect, _ = read_csv_grid(LONG.encode("utf-8"), "long.csv")
    assert (dialect.encoding, dialect.delimiter, dialect.line_endings) == ("UTF-8", ";", "LF")
    assert grid.shape == (6_001, 3) and grid.iloc[5_000, 0] == "Café Ñandú 4999 €"


def test_the_reference_path_still_reads_a_plain_file_that_pyarrow_could_read_differently(
        never_decoded_whole):
    grid, _, _ = read_csv_grid("name,note\nAnn,x\n\nBöb,y\n".encode("utf-8"), "blank.csv")
    assert grid[0].tolist() == ["name", "Ann", "", "Böb"]


@pytest.mark.parametrize("data", [
    "\ufeffname\nZoë\n".encode("utf-8"),         # a byte-order mark
    "name\r\nZoë\r\n".encode("utf-8"),           # carriage returns
    b"sep=;\nname;city\nAnn;Paris\n",             # Excel's sep= line
    b"name\nAnn\n\x1a",                           # a DOS end-of-file mark
    "name\nZoë\n".encode("cp1252"),              # not UTF-8
])
def test_a_file_with_something_to_change_is_decoded_as_before(data, monkeypatch):
    grid, _, _ = read_csv_grid(data, "odd.csv")
    assert not csvread._as_is(data)
    assert grid.equals(read_the_old_way(data, monkeypatch)[0])


def test_utf8_is_recognised_across_slice_boundaries_and_refused_on_a_bad_byte_far_in(monkeypatch):
    monkeypatch.setattr("lib.importing.encoding._SLICE_BYTES", 7)   # cuts through the ö and €
    assert plain_utf8("Köln €5\n".encode("utf-8") * 3)
    assert not plain_utf8("Köln €5\n".encode("utf-8") * 3 + b"\xff")
    assert not plain_utf8("Köln €5\n".encode("utf-8")[:-3])          # a character cut short
    assert not plain_utf8("\ufeffKöln\n".encode("utf-8"))             # a mark: decoded as before


@pytest.mark.parametrize("text", ["a\nb\n", "a\r\nb\r\n", "a\rb\r", "a\r\nb\nc\r", "a", ""])
def test_line_endings_are_counted_alike_in_bytes_and_in_text(text):
    assert line_endings(text.encode("utf-8")) == line_endings(text)


@pytest.mark.parametrize("ending", [b"\x1a", b"\x1a\n", b"\x1a" + b"\n" * 5_000])
def test_a_dos_end_mark_is_found_however_many_newlines_follow_it(ending):
    data = b"name\n" + b"Ann\n" * 2_000 + ending
    grid, _, notes = read_csv_grid(data, "dos.csv")
    assert grid[0].tolist()[-1] == "Ann" and "\x1a" not in "".join(grid[0])
    assert any("Ctrl-Z" in note for note in notes)
