"""The pyarrow fast path reads exactly what the csv module (the reference) reads, or steps aside."""
from __future__ import annotations

import csv
import io
import random

import pytest
from pandas.testing import assert_frame_equal

from lib.importing import csvread
from lib.importing.csvread import _fast_grid, _slow_grid, read_csv_grid
from lib.importing.model import ImportFileError, Limits


def fast(text: str, delimiter: str = ",", limits: Limits = Limits()):
    return _fast_grid(text.encode("utf-8"), text[:csvread._SAMPLE_CHARS], delimiter, limits)


@pytest.fixture
def fast_path_only(monkeypatch):
    """Fail the test if read_csv_grid falls back to the reference path."""
    def refuse(*args):
        raise AssertionError("the reference path was used")
    monkeypatch.setattr(csvread, "_reference_grid", refuse)


def assert_fast_path_reads_like_the_csv_module(text: str, delimiter: str = ","):
    grid = fast(text, delimiter)
    assert grid is not None, "the fast path stepped aside"
    assert_frame_equal(grid, _slow_grid(text, delimiter))


TRICKY = {
    "multi-line quoted cells": 'name,address\nAcme,"1 High St\nLeeds"\nBeta,"2 Low Rd\n\tYork\n"\n',
    "doubled quotes": 'name,note\nAcme,"said ""hi"""\nBeta,""""\n',
    "quotes inside unquoted cells": 'item,size\nTV,55" screen\nMonitor,27" wide\n',
    "a quoted cell running on unquoted": 'a,b\n"abc"def,x\n"a" "b",y\n',
    "a quoted cell followed by spaces": 'a,b\n"abc"  ,x\n1,"2" \n',
    "a trailing delimiter": "a,b,\n1,2,\n3,4,\n",
    "an empty last field": "a,b\n1,\n2,\n",
    "quoted empty cells": 'a,b\n"",""\n1,""\n',
    "no final newline": "a,b\n1,2\n3,4",
    "a single column": "name\nAcme\nBeta\n",
    "a single column with a whitespace-only line": "name\nAcme\n  \nBeta\n",
    "a quote opened at the end with an even count": 'a,b\nx"y,"z\n',
    "delimiters and newlines inside quotes": 'a,b\n"1,2\n3",4\n',
    "a NUL character": "a,b\n1,\x002\n",
    "a byte-order mark after the start": "a,b\n\ufeff1,2\n",
    "accented and non-Latin text": "name,city\nJosé,Zürich\n李,東京\n",
    "semicolons": 'a;b\n"1;2";3\n',
}


@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_the_fast_path_reads_tricky_files_exactly_as_the_csv_module_does(text):
    assert_fast_path_reads_like_the_csv_module(text, ";" if text.startswith("a;b") else ",")


def test_a_quote_inside_an_unquoted_cell_is_read_as_written(fast_path_only):
    grid, _, _ = read_csv_grid(b'item,size\nTV,55" screen\nMonitor,27" wide\n', "sizes.csv")
    assert grid[1].tolist() == ["size", '55" screen', '27" wide']


def test_a_cell_that_closes_its_quote_early_keeps_the_rest_as_written(fast_path_only):
    grid, _, _ = read_csv_grid(b'a,b\n"abc"def,x\n', "early.csv")
    assert grid.values.tolist() == [["a", "b"], ["abcdef", "x"]]


def test_random_well_formed_files_read_the_same_across_small_pyarrow_blocks(monkeypatch):
    # Small blocks put multi-line cells across pyarrow's block boundaries.
    monkeypatch.setattr(csvread, "_BLOCK_BYTES", 97)
    rnd = random.Random(7)
    cells = ["a", "b\nc", 'x""y', "", " d ", "e,f", '5" pipe', '"q"r', "é"]
    for _ in range(100):
        rows = [[rnd.choice(cells) for _ in range(3)] for _ in range(rnd.randint(1, 60))]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n",
                   quoting=rnd.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])).writerows(rows)
        assert_fast_path_reads_like_the_csv_module(out.getvalue())


@pytest.mark.parametrize("data, ending", [(b"a,b\r\n1,\"2\r\n3\"\r\n", "CRLF"),
                                          (b"a,b\r1,\"2\r3\"\r", "CR")])
def test_crlf_and_cr_files_reach_the_fast_path_with_newlines_inside_cells_normalised(
        data, ending, fast_path_only):
    grid, dialect, _ = read_csv_grid(data, "endings.csv")
    assert dialect.line_endings == ending
    assert grid.values.tolist() == [["a", "b"], ["1", "2\n3"]]


def test_a_byte_order_mark_does_not_end_up_in_the_first_header(fast_path_only):
    grid, dialect, _ = read_csv_grid("\ufeffname,amount\nAcme,1\n".encode("utf-8"), "bom.csv")
    assert dialect.encoding == "UTF-8 (with BOM)"
    assert grid.values.tolist() == [["name", "amount"], ["Acme", "1"]]


def test_a_windows_1252_file_is_read_through_the_fast_path_as_decoded(fast_path_only):
    text = "name,note\nCafé,“quoted” 5€\n"
    grid, dialect, notes = read_csv_grid(text.encode("cp1252"), "legacy.csv")
    assert dialect.encoding == "Windows-1252"
    assert "read as Windows-1252" in notes[0]
    assert grid.values.tolist() == [["name", "note"], ["Café", "“quoted” 5€"]]
    assert_frame_equal(grid, _slow_grid(text, ","))


STEPS_ASIDE = {
    "an empty line": "a,b\n1,2\n\n3,4\n",
    "a blank line inside a quoted cell": 'a,b\n1,"x\n\ny"\n',
    "a leading empty line": "\na,b\n1,2\n",
    "an odd number of quotes": 'a,b\n1,5" pipe\n',
    "a byte-order mark at the start": "\ufeffa,b\n1,2\n",
    "ragged rows": "a,b\n1,2,3\n",
    "an empty file": "",
}


@pytest.mark.parametrize("text", STEPS_ASIDE.values(), ids=STEPS_ASIDE.keys())
def test_the_fast_path_steps_aside_where_pyarrow_could_read_differently(text):
    assert fast(text) is None


def test_an_empty_line_is_read_as_a_blank_row_as_the_csv_module_path_does():
    grid, _, _ = read_csv_grid(b"a,b\n1,2\n\n3,4\n", "gap.csv")
    assert_frame_equal(grid, _slow_grid("a,b\n1,2\n\n3,4\n", ","))
    assert grid.values.tolist() == [["a", "b"], ["1", "2"], ["", ""], ["3", "4"]]


def test_a_cell_at_the_size_limit_is_read_and_one_character_more_is_refused_with_its_line():
    limits = Limits(max_cell_bytes=5)
    assert fast("a,b\n1,éèêëx\n", limits=limits) is not None
    grid, _, _ = read_csv_grid("a,b\n1,éèêëx\n".encode("utf-8"), "limit.csv", limits)
    assert grid[1].tolist() == ["b", "éèêëx"]
    assert fast("a,b\n1,éèêëxy\n", limits=limits) is None
    with pytest.raises(ImportFileError, match="record starting on line 2 is larger than 0 KB"):
        read_csv_grid("a,b\n1,éèêëxy\n".encode("utf-8"), "limit.csv", limits)


def test_a_record_wider_than_the_column_limit_is_refused_with_its_line_even_after_the_first():
    limits = Limits(max_columns=3)
    assert fast("a,b,c\n1,2,3\n", limits=limits) is not None
    assert fast("a,b,c,d\n1,2,3,4\n", limits=limits) is None
    with pytest.raises(ImportFileError, match="^Line 1 has 4 columns; the limit is 3."):
        read_csv_grid(b"a,b,c,d\n1,2,3,4\n", "wide.csv", limits)
    with pytest.raises(ImportFileError, match="^Line 3 has 4 columns; the limit is 3."):
        read_csv_grid(b"a,b,c\n1,2,3\n1,2,3,4\n", "wide.csv", limits)


def test_a_quote_left_open_to_the_end_is_still_refused_with_the_line_it_starts_on():
    with pytest.raises(ImportFileError, match="starts on line 3"):
        read_csv_grid(b'a,b\n1,2\n3,"4\n5,6\n7,8\n', "open.csv")
