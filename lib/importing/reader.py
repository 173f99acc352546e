"""read_upload: the first step of the import pipeline (read -> detect -> map -> validate ...).

Cheap, bounded checks run here in the app process (what the bytes are, zip sizes, declared
sheet ranges); everything that parses untrusted content runs in the sandboxed child, which
hands back a finished Workbook. The result either has at least one importable sheet or the
call raises ImportFileError saying why not.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import PurePath

from lib.importing.csvread import read_csv_grid
from lib.importing.detect import sniff_format
from lib.importing.layout import same_data_notes
from lib.importing.model import ImportFileError, Limits, Sheet, Workbook
from lib.importing.sandbox import run_limited, warm
from lib.importing.table import find_table
from lib.importing.xlsxread import SheetPart, WorkbookInfo, inspect_workbook, read_grids

# A CSV is parsed by our own pure-Python code, which cannot abort the interpreter; only its
# memory grows with its size. Small ones are read in place, sparing a child's start-up (~0.5 s).
SMALL_CSV_BYTES = 2_000_000

PIVOT_ONLY = "This workbook's data is only in a pivot table; export the source data sheet instead."


def read_upload(data: bytes, filename: str, limits: Limits = Limits()) -> Workbook:
    """Read an uploaded CSV or XLSX into text-celled sheets, or raise ImportFileError."""
    sniffed = sniff_format(data, filename, limits)
    info = None
    if sniffed.format == "csv" and len(data) <= SMALL_CSV_BYTES:
        workbook = parse_csv(data, filename, limits)
    elif sniffed.format == "csv":
        workbook = run_limited(parse_csv, data, filename, limits, **_bounds(limits))
    else:
        info = _inspect(data, filename, limits)
        workbook = run_limited(parse_xlsx, data, filename, sniffed.format, info, **_bounds(limits))
    workbook.notes[:0] = sniffed.notes
    _require_importable(workbook, info)
    return workbook


def default_sheet(workbook: Workbook, entity: str | None = None) -> Sheet:
    """The sheet to import when the person names none (Workbook.default_sheet: shown, with a
    header row, the most data rows); knowing what the file holds (the command line's --entity),
    the shown sheet whose headers give the most of that entity's required fields, then of its
    fields, then the same as without. Raises ImportFileError when none can be imported."""
    sheets = workbook.importable_sheets
    if not sheets:
        raise ImportFileError(f"Nothing to import in '{workbook.filename}'.")
    if entity is None or len(sheets) == 1:
        return sheets[0]
    from lib.importing.mapping import ENTITIES, suggest_mapping   # not in the parsing child

    required = set(ENTITIES[entity].required)

    def fit(sheet: Sheet) -> tuple[int, int]:
        given = {f for f in suggest_mapping(list(sheet.rows.columns), entity).values() if f}
        return len(given & required), len(given)

    shown = [s for s in sheets if not s.hidden] or sheets
    return max(shown, key=fit)   # on a tie the first: the order of importable_sheets


def start_reader() -> None:
    """Have a parser child started ahead of the next upload (the Import page, once drawn)."""
    warm(__name__)


def _inspect(data: bytes, filename: str, limits: Limits) -> WorkbookInfo:
    try:
        info = inspect_workbook(data, limits)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error) as exc:
        raise ImportFileError(f"'{filename}' is a damaged workbook: its parts cannot be read "
                              f"({exc}). Upload the original file again.") from None
    if not info.sheets:
        raise ImportFileError(f"'{filename}' is a workbook with no sheets in it, so there is "
                              "nothing to import. Open it in Excel, check it holds your data, "
                              "and save it again.")
    return info


def _bounds(limits: Limits) -> dict:
    return {"memory_bytes": limits.memory_bytes, "timeout_seconds": limits.timeout_seconds}


def parse_csv(data: bytes, filename: str, limits: Limits = Limits()) -> Workbook:
    """Runs in the child: decode, split and find the table of a CSV."""
    grid, dialect, notes = read_csv_grid(data, filename, limits)
    sheet = find_table(grid, PurePath(filename).stem or "data", label=f"'{filename}'", delimited=True)
    sheet.delimiter = dialect.delimiter
    _note_formula_text(sheet, frozenset())
    return Workbook(filename, "csv", [sheet], notes, dialect)


def parse_xlsx(data: bytes, filename: str, fmt: str, info: WorkbookInfo) -> Workbook:
    """Runs in the child: read every sheet that passed inspection and find its table."""
    grids = {g.name: g for g in read_grids(data, info.sheets, info.recalculate)}
    sheets = []
    for part in info.sheets:
        sheet = _sheet_for(part, grids)
        if part.hidden:
            sheet.notes.append(f"Sheet '{part.name}' is hidden in Excel.")
        sheet.date1904 = info.date1904
        grid = grids.get(part.name)
        _note_formula_text(sheet, grid.formulas if grid is not None else frozenset())
        sheets.append(sheet)
    same_data_notes(sheets)
    return Workbook(filename, fmt, sheets, _workbook_notes(info, sheets))


def _sheet_for(part: SheetPart, grids: dict) -> Sheet:
    if part.refused:
        return Sheet(part.name, "refused", reason=part.refused, hidden=part.hidden)
    if part.chart or part.name not in grids:
        return Sheet(part.name, "empty", reason=f"Sheet '{part.name}' is a chart, not cells.",
                     hidden=part.hidden)
    grid = grids[part.name]
    if grid.cells is None:
        return Sheet(part.name, "refused", reason=grid.notes[0], hidden=part.hidden)
    sheet = find_table(grid.cells, part.name, hidden=part.hidden, has_pivot_table=part.has_pivot_table,
                       numbers=grid.numbers, merged_once=grid.merged_once)
    sheet.notes[:0] = grid.notes if sheet.importable else []
    return sheet


def _workbook_notes(info: WorkbookInfo, sheets: list[Sheet]) -> list[str]:
    notes = []
    if info.has_data_model:
        notes.append("The workbook has a Power Pivot data model; its tables cannot be read here.")
    if info.has_pivot_cache and any(s.importable for s in sheets):
        notes.append("The workbook also holds pivot tables; only plain cells were read.")
    skipped = [s.reason for s in sheets if not s.importable and s.reason]
    return notes + skipped


def _note_formula_text(sheet: Sheet, formulas: frozenset[str]) -> None:
    # A cell like =HYPERLINK(...) is text to us, never evaluated. Saying so reminds the
    # export code to neutralise such cells when they go back out to a spreadsheet. Not the
    # workbook's formulas saved without their result (`formulas`, their text as xlsxread put it
    # back): the sheet's notes already say a row needing one is an error.
    if not sheet.importable or sheet.rows.empty:
        return
    starts = 0
    for c in sheet.rows.columns:
        cells = sheet.rows[c]
        typed = cells.str.lstrip().str.startswith(("=", "\uff1d"))
        if formulas and typed.any():
            typed &= ~cells.isin(formulas)
        starts += int(typed.sum())
    if starts:
        sheet.notes.append(f"{starts:,} cells start with '='; they were kept as plain text "
                           "and never evaluated as formulas.")


def _require_importable(workbook: Workbook, info: WorkbookInfo | None) -> None:
    if workbook.importable_sheets:
        return
    reasons = " ".join(s.reason or "" for s in workbook.sheets)
    if workbook.format == "csv":
        raise ImportFileError(reasons or f"Nothing to import in '{workbook.filename}'.")
    pivot_only = any(s.kind == "pivot" for s in workbook.sheets) or bool(info and info.has_pivot_cache)
    if pivot_only and not any(s.kind == "refused" for s in workbook.sheets):
        raise ImportFileError(f"{PIVOT_ONLY} {reasons}")
    raise ImportFileError(f"Nothing to import in '{workbook.filename}': {reasons}")
