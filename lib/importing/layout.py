"""What kind of sheet this is: months across (unpivot it), prose, a pivot table, or a copy.

These are judgements about a whole sheet, kept apart from the row-level clean-up in table.py.
"""
from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from lib.importing.dates import parse_period

if TYPE_CHECKING:
    from lib.importing.model import Sheet

MIN_PERIOD_COLUMNS = 3
_PIVOT_HEADER = re.compile(r"^(row labels|column labels|(sum|count|average|max|min) of .+)$", re.I)
_NUMBERISH = re.compile(r"^[\s$€£₹¥(+\-−]*\d[\d,.\s]*%?\)?\s*$")


def detect_wide(names: list[str]) -> dict[int, date] | None:
    """Column position -> month, when at least three distinct months head the columns."""
    periods = {i: p for i, n in enumerate(names) if (p := parse_period(n)) is not None}
    if len(periods) < MIN_PERIOD_COLUMNS or len(set(periods.values())) != len(periods):
        return None
    return periods


def long_names(id_columns: list[str]) -> tuple[str, str]:
    """The names of the long table's month and value columns: `period` and `value`, unless the
    sheet already has columns so named."""
    return _free_name("period", id_columns), _free_name("value", id_columns)


def unpivot(body: pd.DataFrame, id_columns: list[str], periods: dict[str, date]) -> pd.DataFrame:
    """One row per source row and filled month cell: the id columns, then `period` (ISO text)
    and `value`. An empty cell says nothing about its month (the months not yet filled in, an
    account that started later), so it gives no row, as in Excel's own unpivot. The index stays
    the source row, so each long row points back to where it came from."""
    period_name, value_name = long_names(id_columns)
    long = body.melt(id_vars=id_columns, value_vars=list(periods), var_name=period_name,
                     value_name=value_name, ignore_index=False)
    long = long[long[value_name].fillna("").astype("str").str.strip() != ""]
    long[period_name] = long[period_name].map({k: v.isoformat() for k, v in periods.items()})
    long = long.sort_index(kind="stable")   # melt is month-major; people read row by row
    long.index.name = "source_row"
    return long.astype("str")


def _free_name(name: str, taken: list[str]) -> str:
    lowered = {t.casefold() for t in taken}
    while name.casefold() in lowered:
        name = f"{name}_"
    return name


def prose_reason(grid: pd.DataFrame, filled: pd.DataFrame, label: str, header_at: int | None) -> str | None:
    """Why the sheet is notes rather than a table, or None. Only narrow sheets qualify: a
    two-column table with a header (Field | Description) stays a table."""
    used = int(filled.any(axis=0).sum())
    if used > 2 or (used == 2 and header_at is not None):
        return None
    cells = [c.strip() for c in grid.to_numpy()[filled.to_numpy()][:500]]
    numeric = sum(bool(_NUMBERISH.match(c)) for c in cells) / len(cells)
    wordy = sum(len(c.split()) >= 6 for c in cells) / len(cells)
    median_length = sorted(len(c) for c in cells)[len(cells) // 2]
    if numeric >= 0.2 or (median_length < 30 and wordy < 0.4):
        return None
    return (f"{label} holds notes, not a table ({len(cells)} lines of text, e.g. "
            f"'{_short(cells[0])}'). It was skipped.")


def pivot_reason(sheet: Sheet, has_pivot_table: bool, label: str) -> str | None:
    header_hit = next((h for h in sheet.header if _PIVOT_HEADER.match(h)), None)
    grand_total = any(r.text.casefold().startswith("grand total") for r in sheet.dropped_rows)
    if not header_hit and not (has_pivot_table and grand_total):
        return None
    seen = ", ".join(f"'{s}'" for s in [header_hit, "Grand Total" if grand_total else None] if s)
    return (f"{label} is a pivot table (a summary of data kept elsewhere; it shows "
            f"{seen}). Importing it would import totals, not records: export the pivot's source "
            "data sheet instead.")


def same_data_notes(sheets: list[Sheet]) -> None:
    """Note on both sheets when two importable sheets hold the same rows (a messy report and a
    clean copy, say), so the person picks one instead of counting the data twice."""
    fingerprints = {s.name: _fingerprint(s) for s in sheets if s.importable and not s.rows.empty}
    names = list(fingerprints)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            fa, fb = fingerprints[a], fingerprints[b]
            if fa[0] != fb[0] or not (fa[1] <= fb[1] or fb[1] <= fa[1]):
                continue
            how = "the same data" if fa[1] == fb[1] else "overlapping data (one holds all rows of the other)"
            note = (f"Sheets '{a}' and '{b}' hold {how} ({len(fa[1]):,} distinct rows); import only "
                    f"one of them. {_cleaner(sheets, a, b)}")
            for s in sheets:
                if s.name in (a, b):
                    s.notes.append(note)


def _fingerprint(sheet: Sheet) -> tuple[tuple[str, ...], frozenset]:
    rows = sheet.rows
    cleaned = rows.apply(lambda col: col.str.strip())
    hashes = pd.util.hash_pandas_object(cleaned, index=False)
    return tuple(c.casefold() for c in rows.columns), frozenset(hashes.to_numpy().tolist())


def _cleaner(sheets: list[Sheet], a: str, b: str) -> str:
    by_name = {s.name: s for s in sheets}
    mess = {n: len(by_name[n].dropped_rows) + len(by_name[n].dropped_columns) for n in (a, b)}
    if mess[a] == mess[b]:
        return ""
    clean, messy = (a, b) if mess[a] < mess[b] else (b, a)
    return (f"'{clean}' is the cleaner copy: '{messy}' needed {mess[messy]} title, blank or total "
            "rows and columns dropped.")


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
