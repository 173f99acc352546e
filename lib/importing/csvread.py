"""Delimited text -> a grid of text cells, with the dialect it was read in.

Python's csv module (on decoded text) is the reference for quoting and multi-line fields. A
well-formed rectangular file is read by pyarrow alone (over 10x faster than Python lists) after
cheap checks that rule out every case where the two parsers could disagree (see `_fast_grid`);
pyarrow's result is then held to the same column and cell-size limits. Anything else takes the
reference path: the csv module first only counts record widths (C speed, enforcing the cell-size
limit); a slower pass that tracks line numbers runs only when something looks wrong, to say
where. When every record has the same width pyarrow still builds the columns, but its row count
must match the reference count or the csv module's rows are used, so the fast path can never
change what is read. pyarrow reads UTF-8 bytes: a file that is UTF-8 with nothing to change (no
mark, carriage return, sep= line or DOS end) is handed over as uploaded, and its whole text is
decoded only if the reference path needs it.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from lib.importing.encoding import decode_text, plain_utf8
from lib.importing.model import CsvDialect, ImportFileError, Limits

DELIMITERS = (",", ";", "\t", "|")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SAMPLE_CHARS = 64 * 1024
_BLOCK_BYTES = 4 << 20   # pyarrow's read block


@dataclass
class _Scan:
    """What the reference pass saw: record widths and suspicious multi-line records."""

    records: int = 0
    widths: Counter = field(default_factory=Counter)
    multiline: list[tuple[int, int, int]] = field(default_factory=list)  # (line, lines, width)
    last: tuple[int, int] = (0, 0)      # the last record's first line and how many lines it spans
    odd_quotes: bool = False


def read_csv_grid(data: bytes, filename: str, limits: Limits = Limits()
                  ) -> tuple[pd.DataFrame, CsvDialect, list[str]]:
    """Decode and split `data`. Row i of the grid is record i+1, as a spreadsheet shows it."""
    if _as_is(data):
        # pyarrow reads the upload itself; the whole text is decoded only if the reference
        # path needs it (as a str it takes up to four times the bytes)
        text, utf8, encoding, notes, named = None, data, "UTF-8", [], None
        endings, final_newline = line_endings(data)
        sample = data[:4 * _SAMPLE_CHARS + 4].decode("utf-8", "ignore")[:_SAMPLE_CHARS]
        truncated = len(data) > len(sample.encode("utf-8"))
    else:
        text, encoding, notes = decode_text(data, f"'{filename}'")
        dos_end = text.rstrip("\r\n").endswith("\x1a")
        if dos_end:
            text = text.rstrip("\r\n").rstrip("\x1a")
            notes.append("The end-of-file mark (Ctrl-Z) old DOS programs write was left out.")
        endings, final_newline = line_endings(text)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.removeprefix("\ufeff")
        named, text = _sep_line(text)
        if named:
            notes.append(f"The first line, Excel's 'sep=' line, names the delimiter "
                         f"({_NAMES[named]}); it is not a row, so row numbers are those Excel shows.")
        utf8 = text.encode("utf-8")
        sample, truncated = text[:_SAMPLE_CHARS], len(text) > _SAMPLE_CHARS
    delimiter = named or detect_delimiter(sample, truncated=truncated)
    grid = _fast_grid(utf8, sample, delimiter, limits)
    if grid is None:
        grid = _reference_grid(utf8, data.decode("utf-8") if text is None else text, delimiter, limits)
    dialect = CsvDialect(encoding, delimiter, endings, final_newline)
    notes.append(f"Read as {encoding} text, {_NAMES[delimiter]}-separated, {endings} line "
                 f"endings{'' if final_newline else ', no final newline'}.")
    return grid, dialect, notes


def _as_is(data: bytes) -> bool:
    """UTF-8 with no mark, carriage return, sep= line or DOS end mark: read as it is."""
    return not (b"\r" in data or data[:4].lower() == b"sep=" or _dos_end(data)) and plain_utf8(data)


def _dos_end(data: bytes) -> bool:
    """Whether Ctrl-Z ends the bytes, before any final newlines (looked for at the end only)."""
    tail = data[-4096:].rstrip(b"\n")
    return (tail or data.rstrip(b"\n")).endswith(b"\x1a")


def _sep_line(text: str) -> tuple[str | None, str]:
    """Excel's 'sep=;' first line: (the delimiter it names, the text without it)."""
    first, newline, rest = text.partition("\n")
    if first.lower().startswith("sep=") and first[4:].strip("\"") in DELIMITERS:
        return first[4:].strip("\""), rest if newline else ""
    return None, text


def line_endings(text: str | bytes) -> tuple[str, bool]:
    cr_, lf_ = ("\r", "\n") if isinstance(text, str) else (b"\r", b"\n")
    cr = text.count(cr_)
    crlf = text.count(cr_ + lf_) if cr else 0   # the slowest count; most files have no CR
    cr, lf = cr - crlf, text.count(lf_) - crlf
    kinds = {k: n for k, n in (("CRLF", crlf), ("LF", lf), ("CR", cr)) if n}
    label = "none" if not kinds else next(iter(kinds)) if len(kinds) == 1 else (
        "mixed (" + ", ".join(f"{n:,} {k}" for k, n in kinds.items()) + ")")
    return label, text.endswith((lf_, cr_))


def detect_delimiter(sample: str, truncated: bool = False) -> str:
    """The candidate that splits the sample's records into the most consistent widths."""
    best, best_key = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter)]
        widths = [w for w in (widths[:-1] if truncated and len(widths) > 1 else widths) if w]
        if not widths:
            continue
        mode, freq = Counter(widths).most_common(1)[0]
        key = (round(freq / len(widths), 2), mode)
        if mode >= 2 and key > best_key:
            best, best_key = delimiter, key
    return best


def _scan(text: str, delimiter: str, limits: Limits) -> _Scan:
    """Count record widths at C speed; walk record by record only to say where a problem is."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    old_limit = csv.field_size_limit(limits.max_cell_bytes)
    try:
        widths = Counter(map(len, reader))
    except csv.Error:
        return _located_scan(text, delimiter, limits)   # raises with the record's line
    finally:
        csv.field_size_limit(old_limit)
    records = sum(widths.values())
    too_wide = max(widths, default=0) > limits.max_columns
    # Records spanning lines matter when widths differ (a quote that closes too late) or when
    # the quotes do not pair up (one still open at the end of the file).
    odd_quotes = text.count('"') % 2 == 1
    if too_wide or ((len(widths) > 1 or odd_quotes) and reader.line_num > records):
        scan = _located_scan(text, delimiter, limits)
        scan.odd_quotes = odd_quotes
        return scan
    return _Scan(records, widths)


def _located_scan(text: str, delimiter: str, limits: Limits) -> _Scan:
    scan, last_line = _Scan(), 0
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    old_limit = csv.field_size_limit(limits.max_cell_bytes)
    try:
        for row in reader:
            start, last_line = last_line + 1, reader.line_num
            if len(row) > limits.max_columns:
                raise ImportFileError(
                    f"Line {start} has {len(row):,} columns; the limit is {limits.max_columns:,}. "
                    "This is not a table we can import; check the delimiter or split the file.")
            scan.records += 1
            scan.widths[len(row)] += 1
            if last_line > start and len(scan.multiline) < 1000:
                scan.multiline.append((start, last_line - start + 1, len(row)))
            scan.last = (start, last_line - start + 1)
    except csv.Error as exc:
        raise ImportFileError(_csv_error_message(exc, last_line + 1, reader.line_num, limits)) from None
    finally:
        csv.field_size_limit(old_limit)
    return scan


def _csv_error_message(exc: csv.Error, start: int, now: int, limits: Limits) -> str:
    if "field larger than field limit" in str(exc):
        if now - start > 100:
            return _quote_message(start, now - start + 1)
        return (f"A cell in the record starting on line {start} is larger than "
                f"{limits.max_cell_bytes // 1024:,} KB; such cells are refused. Check the file "
                "was exported as a table.")
    return f"The file is not valid CSV near line {start}: {exc}."


def _refuse_broken_quotes(scan: _Scan) -> None:
    # A legit multi-line field (an address) keeps the record at the usual width; a quote
    # that never closes swallows lines and leaves the record with the wrong number of cells.
    usual = scan.widths.most_common(1)[0][0] if scan.widths else 0
    for line, lines, width in scan.multiline:
        if width != usual:
            raise ImportFileError(_quote_message(line, lines))
    # An odd number of quotes is fine when one is a literal inch mark in an unquoted cell; it
    # is a broken file when the last record swallowed lines up to the end of the file.
    if scan.odd_quotes and scan.last[1] > 1:
        raise ImportFileError(_quote_message(*scan.last))


def _quote_message(line: int, lines: int) -> str:
    return (f"Unbalanced quote: a quoted cell that starts on line {line} is never closed "
            f"properly, so it swallows {lines:,} lines. Fix the quote (\") on line {line} and "
            "upload again.")


def _fast_grid(data: bytes, sample: str, delimiter: str, limits: Limits) -> pd.DataFrame | None:
    """pyarrow's reading of UTF-8 `data` (its text begins with `sample`), or None when it might
    differ from the csv module's.

    On LF-only text both parsers follow the same rules: a cell is quoted only when it starts with
    a quote; inside it "" is a quote, newlines and delimiters are kept, and a lone quote ends the
    quoting, after which the rest of the cell is kept as written (`"abc"def` is abcdef, and
    `5" pipe` keeps its inch mark). They differ in three places, each ruled out here first: an
    empty line (csv: an empty record; pyarrow: a row of blank cells; checked as two newlines in a
    row, so a blank line inside a quoted cell also takes the reference path), a byte-order mark
    at the start (pyarrow drops it) and an odd number of quotes (a quote may be open at the end
    of the file; the reference path decides and says where). pyarrow refuses a record whose
    width differs from the first record's, so what it returns is the csv module's rectangular
    grid; the column and cell-size limits, which pyarrow does not know, are checked on that grid.
    """
    if data.count(b'"') % 2 or b"\n\n" in data or sample.startswith("\ufeff"):
        return None
    # A first record cut short by the sample gets a wrong width, which pyarrow then refuses.
    first = next(csv.reader(io.StringIO(sample), delimiter=delimiter), [])
    if not 0 < len(first) <= limits.max_columns:
        return None
    table = _arrow_table(data, delimiter, len(first))
    if table is None or _too_long(table, limits.max_cell_bytes):
        return None
    return _to_grid(table)


def _reference_grid(data: bytes, text: str, delimiter: str, limits: Limits) -> pd.DataFrame:
    """The csv module's reading; raises ImportFileError, saying where, on a broken file."""
    scan = _scan(text, delimiter, limits)
    _refuse_broken_quotes(scan)
    if len(scan.widths) == 1 and (width := next(iter(scan.widths))):
        table = _arrow_table(data, delimiter, width)
        if table is not None and table.num_rows == scan.records:
            return _to_grid(table)
    return _slow_grid(text, delimiter)


def _arrow_table(data: bytes, delimiter: str, width: int) -> pa.Table | None:
    names = [str(i) for i in range(width)]
    try:
        return pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, block_size=_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                              ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowException):
        return None


def _too_long(table: pa.Table, limit: int) -> bool:
    """Whether a cell has more characters than `limit`, as the csv module counts them for its
    size limit. A cell has no more characters than bytes: they are counted only past that."""
    def longest(lengths: pa.Array) -> int:
        return pc.max(lengths).as_py() or 0
    return any(longest(pc.binary_length(column)) > limit and longest(pc.utf8_length(column)) > limit
               for column in table.columns)


def _to_grid(table: pa.Table) -> pd.DataFrame:
    grid = table.to_pandas()
    grid.columns = range(table.num_columns)
    return grid


def _slow_grid(text: str, delimiter: str) -> pd.DataFrame:
    old_limit = csv.field_size_limit(len(text) + 1)  # the scan already enforced the real limit
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    finally:
        csv.field_size_limit(old_limit)
    width = max((len(r) for r in rows), default=0)
    padded = [r + [""] * (width - len(r)) for r in rows]  # ragged rows: short ones end in blanks
    return pd.DataFrame(padded, columns=range(width), dtype="str")
