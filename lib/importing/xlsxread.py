"""XLSX: look at the workbook's structure safely, then read cells with python-calamine.

`inspect_workbook` runs in the app process and only reads small, bounded parts of the zip
(workbook.xml, relationships, the first 64 KB of each sheet for its declared used range): a
sheet whose used range reaches far-away cells makes calamine try to allocate hundreds of GB and
abort the interpreter, so such sheets are refused before calamine ever sees them.
`read_grids` runs in the sandboxed child and turns cells into canonical text.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import python_calamine

from lib.importing.excel_numbers import number_cells
from lib.importing.merged_cells import fill_down
from lib.importing.model import Limits
from lib.importing.table import column_letter
from lib.importing.xlsx_tables import clear_totals_rows, totals_rows

_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
_RECALCULATE = re.compile(r'<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad="(?:1|true)"')
_DATE1904 = re.compile(r'<(?:\w+:)?workbookPr\b[^>]*\bdate1904="(?:1|true)"')
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_XML_CAP = 8 * 1024**2


@dataclass
class SheetPart:
    name: str
    path: str | None
    hidden: bool = False
    chart: bool = False
    dimension: str | None = None
    has_pivot_table: bool = False
    refused: str | None = None      # why this sheet will not be parsed
    # Excel tables' totals rows (row number -> the table's name): Excel writes a Count or a Sum
    # there, under no label a total row is known by
    totals_rows: dict[int, str] = field(default_factory=dict)


@dataclass
class WorkbookInfo:
    sheets: list[SheetPart]
    has_pivot_cache: bool
    has_data_model: bool
    date1904: bool = False     # day numbers count from 1 Jan 1904 (Excel for Mac's old system)
    # Asks Excel to calculate every formula on opening: written by a program, whose stored
    # results (if any: xlsxwriter stores 0) were never calculated
    recalculate: bool = False


def inspect_workbook(data: bytes, limits: Limits = Limits()) -> WorkbookInfo:
    """Sheets in workbook order with their part, visibility, declared range and pivot tables.
    Sheets whose declared range is too big come back with `refused` set."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    workbook = _read_capped(zf, "xl/workbook.xml").decode("utf-8", "replace")
    targets = _relationships(zf, "xl/_rels/workbook.xml.rels", "xl")
    sheets = []
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        attrs = dict(_ATTR.findall(tag))
        rid = next((v for k, v in attrs.items() if k.endswith(":id") or k == "id"), "")
        path, kind = targets.get(rid, (None, ""))
        part = SheetPart(html.unescape(attrs.get("name", "?")), path if path in names else None,
                         hidden=attrs.get("state", "visible") != "visible", chart=kind == "chartsheet")
        if not part.path and not part.chart:
            part.refused = f"Sheet '{part.name}' is listed but missing from the file; it may be damaged."
        if part.path and not part.chart:
            _check_dimension(zf, part, limits)
            related = _relationships(zf, _rels_path(part.path), posixpath.dirname(part.path)).values()
            part.has_pivot_table = any(k == "pivotTable" for _, k in related)
            part.totals_rows = totals_rows([_table_attributes(zf, p) for p, k in related
                                            if k == "table" and p in names])
        sheets.append(part)
    return WorkbookInfo(sheets, "<pivotCaches" in workbook or "pivotCacheDefinition" in " ".join(names),
                        any(n.startswith("xl/model/") for n in names), bool(_DATE1904.search(workbook)),
                        bool(_RECALCULATE.search(workbook)))


def _table_attributes(zf: zipfile.ZipFile, path: str) -> dict[str, str]:
    """The attributes of an Excel table part's <table> element."""
    tag = re.search(r"<(?:\w+:)?table\b[^>]*>", _read_capped(zf, path).decode("utf-8", "replace"))
    return dict(_ATTR.findall(tag.group(0))) if tag else {}


def _check_dimension(zf: zipfile.ZipFile, part: SheetPart, limits: Limits) -> None:
    with zf.open(part.path) as f:
        head = f.read(64 * 1024)
    m = _DIMENSION.search(head)
    if not m:
        return   # no declared range: the sandbox's memory limit is the guard
    c1, r1, c2, r2 = m.group(1).decode(), int(m.group(2)), (m.group(3) or m.group(1)).decode(), int(m.group(4) or m.group(2))
    if _column_number(c2) * r2 > limits.max_cells or _column_number(c2) > limits.max_columns:
        # Some programs declare the whole grid; calamine goes by the cells themselves, so
        # a small sheet that only says it is huge is read (its cells are looked at first).
        c2, r2 = _last_cell(zf, part.path) or (c2, r2)
    cols = _column_number(c2) - _column_number(c1) + 1
    rows = r2 - r1 + 1
    # calamine allocates from A1, not from the range's top-left corner
    cells = _column_number(c2) * r2
    part.dimension = f"{c1}{r1}:{c2}{r2}"
    if cells > limits.max_cells or cols > limits.max_columns:
        part.refused = (
            f"Sheet '{part.name}' reaches cell {c2}{r2} (a used range of {part.dimension}: "
            f"{cols:,} columns x {rows:,} rows, {cells:,} cells); the limit is "
            f"{limits.max_cells:,} cells and {limits.max_columns:,} columns. Usually a stray value or formatting far below or to "
            "the right of the data: delete the unused rows and columns in Excel and save again, "
            "or export the sheet as CSV.")


_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"')
_CELL_TAG = re.compile(rb'<(?:\w+:)?c\b')


def _last_cell(zf: zipfile.ZipFile, path: str) -> tuple[str, int] | None:
    """The rightmost column and lowest row the sheet's cells reach, or None when a cell does
    not say where it is (its place then follows from the cells before it)."""
    last_col, last_row, tail = 0, 0, b""
    with zf.open(path) as f:
        while chunk := f.read(1 << 20):
            block = tail + chunk
            cut = block.rfind(b">") + 1
            block, tail = block[:cut], block[cut:]
            refs = _CELL_REF.findall(block)
            if len(refs) != len(_CELL_TAG.findall(block)):
                return None
            for letters, row in refs:
                last_col = max(last_col, _column_number(letters.decode()))
                last_row = max(last_row, int(row))
    return (column_letter(last_col - 1), last_row) if last_row else None


def _relationships(zf: zipfile.ZipFile, rels_path: str, base: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (zip path of the target, its type's last word)."""
    try:
        text = _read_capped(zf, rels_path).decode("utf-8", "replace")
    except KeyError:
        return {}
    out = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", text):
        attrs = dict(_ATTR.findall(tag))
        target = html.unescape(attrs.get("Target", ""))
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        out[attrs.get("Id", "")] = (path, attrs.get("Type", "").rsplit("/", 1)[-1])
    return out


def _rels_path(path: str) -> str:
    folder, name = posixpath.split(path)
    return f"{folder}/_rels/{name}.rels"


def _read_capped(zf: zipfile.ZipFile, name: str) -> bytes:
    with zf.open(name) as f:
        return f.read(_XML_CAP)


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


# ---- in the child process -------------------------------------------------------------


@dataclass
class Grid:
    name: str
    cells: pd.DataFrame | None     # None: the sheet could not be read; notes[0] says why
    notes: list[str]
    numbers: np.ndarray | None = None   # which of `cells` were numbers; None: none were
    # Amounts merged down a column, read once: (first row, last row, column) positions per
    # merge (merged_cells.fill_down); None: there were none
    merged_once: np.ndarray | None = None
    # The text put back in cells holding a formula without its result ('=SUM(C2:E2)')
    formulas: frozenset[str] = frozenset()


def read_grids(data: bytes, parts: list[SheetPart], recalculate: bool = False) -> list[Grid]:
    """Cells of every sheet that passed inspection, as canonical text. Runs in the sandbox.
    `recalculate`: the workbook's stored formula results were never calculated (WorkbookInfo)."""
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    zf = zipfile.ZipFile(io.BytesIO(data))
    grids = []
    for part in parts:
        if part.refused or part.chart or not part.path:
            continue
        try:
            sheet = workbook.get_sheet_by_name(part.name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except python_calamine.CalamineError as exc:   # one damaged sheet should not sink the rest
            grids.append(Grid(part.name, None, [f"Sheet '{part.name}' could not be read: {exc}."]))
            continue
        counts = {"date": 0, "number": 0}
        text_rows = _texts(rows, counts)
        numbers = number_cells(rows) if counts["number"] else None
        restored, hidden_rows, hidden_columns, formulas = _unread_cells(
            zf, part.path, text_rows, recalculate, frozenset(r - 1 for r in part.totals_rows), numbers)
        filled, once = fill_down(text_rows, merged)
        counts.update(restored, merged=filled, merged_once=0 if once is None else len(once))
        totals = clear_totals_rows(text_rows, part.totals_rows)
        cells = pd.DataFrame(text_rows, dtype="str") if text_rows else pd.DataFrame(dtype="str")
        grids.append(Grid(part.name, cells.fillna(""),
                          _cell_notes(counts) + _hidden_notes(hidden_rows, hidden_columns) + totals,
                          numbers, once, frozenset(formulas)))
    return grids


def _texts(rows: list[list], counts: dict[str, int]) -> list[list[str]]:
    """cell_text of every cell; the same text, about twice as fast on 100k-row sheets: text and
    floats (most cells) skip the type checks, and a date's text is worked out once per date."""
    dates: dict = {}
    numbers = 0

    def other(v):
        nonlocal numbers
        if type(v) is float:
            numbers += 1
            return number_text(v)
        if type(v) not in (dt.datetime, dt.date, dt.time):
            return cell_text(v, counts)
        key = (type(v), v)
        if key in dates:
            counts["date"] += 1
            return dates[key]
        dates[key] = text = cell_text(v, counts)
        return text

    out = [[v if type(v) is str else other(v) for v in row] for row in rows]
    counts["number"] += numbers
    return out


def cell_text(value, counts: dict[str, int]) -> str:
    """A cell as the text a person would type: ISO dates, numbers without float noise."""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        counts["number"] += 1
        return number_text(float(value))
    if isinstance(value, dt.datetime):
        counts["date"] += 1
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds" if not value.microsecond else "microseconds")
    if isinstance(value, (dt.date, dt.time)):
        counts["date"] += 1
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return "" if value is None else str(value)


def number_text(x: float) -> str:
    """Excel keeps 15 significant digits; printing more shows binary noise (0.30000000000000004)."""
    if x != x or x in (float("inf"), float("-inf")):
        return ""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return format(x, ".15g")


_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_F = rb'<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)'
# An error cell, and a formula cell without a result: those alone, so the regex engine walks
# past every ordinary cell without a Python step.
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*\bt="e"[^>]*)>(?:\s*' + _F + rb')?\s*'
                         rb'<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>')
_UNCALCULATED = re.compile(rb'<(?:\w+:)?c\b([^>]*)>\s*' + _F + rb'\s*'
                           rb'(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v></(?:\w+:)?v>)?\s*</(?:\w+:)?c>')
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"[^>]*?\bhidden="(?:1|true)"')
_HIDDEN_COLUMNS = re.compile(rb'<(?:\w+:)?col\b[^>]*?\bmin="(\d+)"[^>]*?\bmax="(\d+)"'
                             rb'[^>]*?\bhidden="(?:1|true)"')
_ANY_FORMULA = re.compile(rb'<(?:\w+:)?c\b([^>]*)>\s*' + _F)


def _unread_cells(zf: zipfile.ZipFile, path: str, rows: list[list[str]], recalculate: bool,
                  skip: frozenset[int] = frozenset(), numbers: np.ndarray | None = None
                  ) -> tuple[dict[str, int], list[int], list[str], set[str]]:
    """Cells calamine reads as empty though they are not: an Excel error (#DIV/0!, #REF!) and
    a formula saved without its result (a file written by a program, never opened in Excel),
    or with a result never calculated (`recalculate`). Each gets its text back in `rows` (the
    error, or '=' and the formula), so the row that needs the cell fails in words instead of
    taking it for empty or 0. Only chunks of the sheet that mention an error or a formula are
    searched; not the rows in `skip` (positions: totals rows left out). A restored cell is text,
    no longer a number cell (`numbers`). Also returns the rows and columns hidden in Excel (by
    hand or by a filter), and the texts put back for formulas."""
    found = {"error": 0, "uncalculated": 0}
    formulas: set[str] = set()
    hidden_rows: list[int] = []
    hidden_columns: list[str] = []
    tail = b""
    with zf.open(path) as f:
        while chunk := f.read(1 << 20):
            block = tail + chunk
            cut = block.rfind(b"</row>") + len(b"</row>") if b"</row>" in block else 0
            block, tail = block[:cut], block[cut:]
            if b't="e"' in block or b"<f" in block:
                _restore(block, rows, found, recalculate, skip, numbers, formulas)
            if b"hidden=" in block:
                hidden_rows += [int(r) for r in _HIDDEN_ROW.findall(block)]
                hidden_columns += [column_letter(c - 1) for lo, hi in _HIDDEN_COLUMNS.findall(block)
                                   for c in range(int(lo), min(int(hi), int(lo) + 50) + 1)]
    return found, hidden_rows, hidden_columns, formulas


def _restore(block: bytes, rows: list[list[str]], found: dict[str, int], recalculate: bool,
             skip: frozenset[int], numbers: np.ndarray | None, formulas: set[str]) -> None:
    cells = [(attrs, value, "error") for attrs, _, value in _ERROR_CELL.findall(block)]
    cells += [(attrs, b"=" + (formula or b"(a formula shared with another cell)"), "uncalculated")
              for attrs, formula in (_ANY_FORMULA if recalculate else _UNCALCULATED).findall(block)
              if b't="e"' not in attrs]
    for attrs, text, kind in cells:
        ref = _REF.search(attrs)
        if not ref:
            continue
        r, c = int(ref.group(2)) - 1, _column_number(ref.group(1).decode()) - 1
        if r < len(rows) and c < len(rows[r]) and r not in skip and (recalculate or rows[r][c] == ""):
            rows[r][c] = html.unescape(text.decode("utf-8", "replace"))
            found[kind] += 1
            if kind == "uncalculated":
                formulas.add(rows[r][c])
            if numbers is not None:   # a formula's stored result was a number
                numbers[r, c] = False


def _hidden_notes(rows: list[int], columns: list[str]) -> list[str]:
    """What Excel hides (rows a filter left out, columns tucked away) is read like the rest:
    say so, for the person who expects to import what they saw."""
    notes = []
    if rows:
        more = f" and {len(rows) - 10:,} more" if len(rows) > 10 else ""
        shown = ", ".join(map(str, rows[:10])) + more
        notes.append(f"{len(rows):,} rows are hidden in Excel (by a filter or by hand): {shown}. "
                     "They were read like the others; leave them out in the file if they should "
                     "not be imported.")
    if columns:
        notes.append(f"Columns hidden in Excel were read like the others: {', '.join(columns[:10])}"
                     f"{' ...' if len(columns) > 10 else ''}.")
    return notes


def _cell_notes(counts: dict[str, int]) -> list[str]:
    notes = []
    if counts["date"]:
        notes.append(f"{counts['date']:,} cells hold Excel dates; they were read as the dates they "
                     "are, whatever format shows them.")
    if counts["number"]:
        notes.append(f"{counts['number']:,} cells hold Excel numbers; they were read as the numbers "
                     "they are, without the currency symbols or separators their format shows.")
    if counts.get("merged"):
        notes.append(f"{counts['merged']:,} cells are merged down a column with the cell above; "
                     "they were given its value, as Excel shows them.")
    if counts.get("merged_once"):
        n = counts["merged_once"]
        notes.append(f"{n:,} amount{'s are' if n > 1 else ' is'} merged down over several rows "
                     "(an order's total beside its lines, say); each was read once, on its first "
                     "row, since giving it to every row would count it again.")
    if counts.get("error"):
        notes.append(f"{counts['error']:,} cells hold Excel errors such as #DIV/0! or #REF!; a "
                     "row that needs one of them is an error (#N/A reads as empty).")
    if counts.get("uncalculated"):
        notes.append(f"{counts['uncalculated']:,} cells hold formulas whose results the file "
                     "does not hold (a program wrote it and Excel never calculated it); a row "
                     "that needs one is an error. Open the file in Excel and save it again to "
                     "store the results.")
    return notes
