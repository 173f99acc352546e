"""Find the table in a sheet's grid of text cells.

Report sheets put titles above the header, blank spacer rows, subtotal rows and a grand-total
row and column around the data. Importing any of those would double count, so they are dropped
here, and every dropped row is reported with the row number the person sees in their program.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.formatting import count
from lib.importing.layout import detect_wide, long_names, pivot_reason, prose_reason, unpivot
from lib.importing.model import DroppedColumn, DroppedRow, Sheet, WideLayout

HEADER_SCAN_ROWS = 50
MAX_REPORTED_PER_REASON = 1000
_TOTAL_WORDS = r"(?:grand\s*total|sub[\s-]*total|total)s?"
TOTAL_EXACT = re.compile(rf"^(?:{_TOTAL_WORDS}|overall\s+total|report\s+total)\s*:?$", re.I)
TOTAL_LABELED = re.compile(rf"^{_TOTAL_WORDS}\b.+|.+\s{_TOTAL_WORDS}:?$", re.I)
GRAND_OR_SUB = re.compile(r"^(?:grand\s*total|sub[\s-]*total)\b|\bsub[\s-]*total$", re.I)
_NUMBERISH = re.compile(r"^[\s$€£₹¥(+\-−]*\d[\d,.\s]*%?\)?\s*$")


def find_table(grid: pd.DataFrame, name: str, *, hidden: bool = False,
               has_pivot_table: bool = False, label: str | None = None) -> Sheet:
    """Turn a grid (row i = spreadsheet row i+1, columns = A, B, ...) into a Sheet.
    `label` names the sheet in reasons ("Sheet 'Orders'" by default; a CSV passes its file)."""
    label = label or f"Sheet '{name}'"
    grid = grid.fillna("").astype("str")
    grid.columns = range(grid.shape[1])
    filled = filled_mask(grid)
    base = dict(name=name, hidden=hidden)
    if not filled.to_numpy().any():
        return Sheet(kind="empty", reason=f"{label} is empty.", **base)
    header_at = find_header_row(grid, filled)
    if (why := prose_reason(grid, filled, label, header_at)) is not None:
        return Sheet(kind="prose", reason=why, **base)
    sheet = _build(grid, filled, header_at, name, hidden)
    if (why := pivot_reason(sheet, has_pivot_table, label)) is not None:
        sheet.kind, sheet.reason = "pivot", why
    elif sheet.rows.empty:
        shown = ", ".join(sheet.header[:6]) + (" ..." if len(sheet.header) > 6 else "")
        sheet.kind, sheet.reason = "empty", f"{label} has a header row ({shown}) but no data rows."
    return sheet


def filled_mask(grid: pd.DataFrame) -> pd.DataFrame:
    """True where a cell holds something other than spaces."""
    return pd.DataFrame({c: grid[c].str.strip().ne("") for c in grid.columns}, index=grid.index)


def find_header_row(grid: pd.DataFrame, filled: pd.DataFrame) -> int | None:
    """Position of the first row that is mostly text and about as wide as the rows below it
    (a title or "Prepared by" line is narrower than the table under it), or None."""
    nonblank = np.flatnonzero(filled.any(axis=1).to_numpy())[:HEADER_SCAN_ROWS]
    widths = filled.iloc[nonblank].sum(axis=1).to_numpy()
    needed = max(1.0, 0.5 * widths.max())
    for k, (pos, width) in enumerate(zip(nonblank, widths)):
        below = widths[k + 1:k + 6]
        if width < needed or (len(below) and width < 0.6 * np.median(below)):
            continue
        cells = [c.strip() for c in grid.iloc[pos] if c.strip()]
        if sum(not _NUMBERISH.match(c) for c in cells) / len(cells) >= 0.6:
            return int(pos)
    return None


def _build(grid: pd.DataFrame, filled: pd.DataFrame, header_at: int | None, name: str,
           hidden: bool) -> Sheet:
    sheet = Sheet(name=name, kind="table", hidden=hidden)
    start = 0 if header_at is None else header_at + 1
    used = [c for c in grid.columns if filled[c].iloc[0 if header_at is None else header_at:].any()]
    raw_header = [grid.at[header_at, c] if header_at is not None else "" for c in used]
    names, sheet.notes = header_names(raw_header, used)
    if header_at is None:
        sheet.notes.append("No header row was found; columns are named by their letter.")
    else:
        sheet.header_row = header_at + 1
        _drop_above(grid, filled, header_at, sheet)
    periods = detect_wide(names)
    keep = _drop_total_columns(names, used, periods, sheet)
    body = grid.iloc[start:][[used[i] for i in keep]]
    body.columns = [names[i] for i in keep]
    body = _drop_rows(body, filled.iloc[start:][[used[i] for i in keep]], sheet)
    body.index = pd.Index(body.index + 1, name="source_row")
    sheet.header = list(body.columns)
    if periods:
        _make_wide(sheet, body, {names[i]: p for i, p in periods.items() if i in keep})
    else:
        sheet.rows = body
    return sheet


def header_names(raw: list[str], columns: list[int]) -> tuple[list[str], list[str]]:
    """Clean header cells: trim, collapse spaces, name blanks by letter, make duplicates unique."""
    notes: list[str] = []
    names = [re.sub(r"\s+", " ", h).strip() for h in raw]
    trimmed = [(r, n) for r, n in zip(raw, names) if r != n and n]
    if trimmed:
        notes.append(f"Spaces were trimmed from {len(trimmed)} column name(s), e.g. "
                     f"'{trimmed[0][0]}' -> '{trimmed[0][1]}'.")
    names = [n or f"Column {column_letter(c)}" for n, c in zip(names, columns)]
    seen: dict[str, int] = {}
    renamed = []
    for i, n in enumerate(names):
        key = n.casefold()
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            new = f"{n} ({seen[key]})"
            while new.casefold() in seen:
                seen[key] += 1
                new = f"{n} ({seen[key]})"
            seen[new.casefold()] = 1
            renamed.append(f"'{n}' in column {column_letter(columns[i])} -> '{new}'")
            names[i] = new
    if renamed:
        notes.append("Duplicate column names were made unique: " + "; ".join(renamed) + ".")
    return names, notes


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how spreadsheets name columns."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _drop_above(grid: pd.DataFrame, filled: pd.DataFrame, header_at: int, sheet: Sheet) -> None:
    for pos in np.flatnonzero(filled.iloc[:header_at].any(axis=1).to_numpy()):
        sheet.dropped_rows.append(DroppedRow(int(pos) + 1, "title row above the header",
                                             _row_text(grid.iloc[pos])))


def _drop_total_columns(names: list[str], used: list[int], periods: dict | None,
                        sheet: Sheet) -> list[int]:
    # Next to month columns any "Total" is a derived sum; in a plain table a "Total" column is
    # usually a real field (an invoice total), so only Grand/Sub totals go there.
    keep = []
    for i, n in enumerate(names):
        is_total = TOTAL_EXACT.match(n) or TOTAL_LABELED.match(n)
        if is_total and (periods or GRAND_OR_SUB.search(n)):
            sheet.dropped_columns.append(DroppedColumn(column_letter(used[i]), n, "total column"))
        else:
            if is_total:
                sheet.notes.append(f"Column '{n}' was kept; it may be a sum of other columns.")
            keep.append(i)
    return keep


def _drop_rows(body: pd.DataFrame, filled: pd.DataFrame, sheet: Sheet) -> pd.DataFrame:
    widths = filled.sum(axis=1).to_numpy()
    blank = widths == 0
    usual = pd.Series(widths[~blank]).mode().max() if (~blank).any() else 0
    first = _first_label(body, filled)
    total = np.zeros(len(body), dtype=bool)
    # Regexes per row are slow on a million rows; only rows mentioning "total" need them.
    for pos in np.flatnonzero(first.str.lower().str.contains("total", regex=False).to_numpy()):
        label = first.iloc[pos]
        total[pos] = bool(TOTAL_EXACT.match(label)) or (
            bool(TOTAL_LABELED.match(label)) and widths[pos] < usual)  # "SubTotal Bikes" rows are sparse
    # Blank rows after the last data row are just the end of the sheet, not a dropped row.
    last = np.flatnonzero(~blank)[-1] if (~blank).any() else -1
    _report(sheet, body, blank & (np.arange(len(body)) < last), "blank row")
    _report(sheet, body, total, "total row")
    return body[~(blank | total)]


def _first_label(body: pd.DataFrame, filled: pd.DataFrame) -> pd.Series:
    """The first non-empty cell among a row's first three columns, trimmed."""
    first = pd.Series("", index=body.index, dtype="str")
    for i in reversed(range(min(3, body.shape[1]))):   # reversed: the leftmost filled cell wins
        first = body.iloc[:, i].str.strip().where(filled.iloc[:, i], first)
    return first


def _report(sheet: Sheet, body: pd.DataFrame, mask: np.ndarray, reason: str) -> None:
    positions = np.flatnonzero(mask)
    for pos in positions[:MAX_REPORTED_PER_REASON]:
        sheet.dropped_rows.append(DroppedRow(int(body.index[pos]) + 1, reason,
                                             "" if reason == "blank row" else _row_text(body.iloc[pos])))
    if len(positions) > MAX_REPORTED_PER_REASON:
        sheet.notes.append(f"{len(positions) - MAX_REPORTED_PER_REASON:,} more rows were dropped "
                           f"as '{reason}' than are listed.")


def _make_wide(sheet: Sheet, body: pd.DataFrame, periods: dict) -> None:
    id_columns = [c for c in body.columns if c not in periods]
    sheet.kind = "wide"
    sheet.wide = WideLayout(id_columns, periods, *long_names(id_columns))
    sheet.rows = unpivot(body, id_columns, periods)
    sheet.header = list(sheet.rows.columns)
    first, last = min(periods.values()), max(periods.values())
    empty = len(body) * len(periods) - len(sheet.rows)
    sheet.notes.append(
        f"Months run across the columns ({len(periods)} months, {first:%b %Y} to {last:%b %Y}); "
        f"the sheet was turned into one row per {' / '.join(id_columns) or 'sheet'} and month "
        f"({len(sheet.rows):,} rows with 'period' and 'value'"
        + (f"; {count(empty, 'empty month cell')} left out" if empty else "") + ").")


def _row_text(row: pd.Series, cells: int = 4) -> str:
    return " | ".join([c.strip() for c in row if c.strip()][:cells])
