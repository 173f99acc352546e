"""Find the table in a sheet's grid of text cells.

Report sheets put titles above the header, blank spacer rows, section headings, subtotal rows, a
grand-total row and column and footer lines around the data. Importing any of those would double
count, so they are dropped (report_rows.py), and every dropped row is reported with the row
number the person sees in their program. Months across the columns are unpivoted (layout.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from lib.formatting import count
from lib.importing.excel_numbers import kept_number_cells
from lib.importing.layout import (NUMBERISH, YEAR, SplitHeader, export_note_reason, long_names,
                                  month_columns, months_under_years, pivot_reason, prose_reason,
                                  split_header, unpivot)
from lib.importing.merged_cells import leave_out_lines
from lib.importing.model import DroppedColumn, Sheet, WideLayout
from lib.importing.report_rows import (GRAND_OR_SUB, TOTAL_EXACT, TOTAL_LABELED, drop_rows,
                                       drop_title_rows)

HEADER_SCAN_ROWS = 50
# What an unquoted "1,234.50" leaves in the cell after the comma
_SPLIT_TAIL = re.compile(r"^[0-9]{3}(?:[.,][0-9]*)?\)?$")


def find_table(grid: pd.DataFrame, name: str, *, hidden: bool = False,
               has_pivot_table: bool = False, label: str | None = None,
               delimited: bool = False, numbers: np.ndarray | None = None,
               merged_once: np.ndarray | None = None) -> Sheet:
    """Turn a grid (row i = spreadsheet row i+1, columns = A, B, ...) into a Sheet.
    `label` names the sheet in reasons ("Sheet 'Orders'" by default; a CSV passes its file).
    `delimited`: a CSV's grid, where cells past the header are a value split by an unquoted
    delimiter (Sheet.beyond_header), not a note typed beside the table. `numbers`: which of the
    grid's cells were numbers in a workbook (xlsxread); those of the rows kept go with them
    (Sheet.excel_numbers). `merged_once`: a workbook's amounts merged down over several rows
    and read once (Grid.merged_once); the rows under each are left out as its order's lines."""
    label = label or f"Sheet '{name}'"
    grid = grid.fillna("").astype("str")
    grid.columns = range(grid.shape[1])
    filled = filled_mask(grid)
    base = dict(name=name, hidden=hidden)
    if not filled.to_numpy().any():
        return Sheet(kind="empty", reason=f"{label} is empty.", **base)
    if (why := export_note_reason(grid, label)) is not None:
        return Sheet(kind="prose", reason=why, **base)
    header_at = find_header_row(grid, filled)
    if (why := prose_reason(grid, filled, label, header_at)) is not None:
        return Sheet(kind="prose", reason=why, **base)
    header = _read_header(grid, filled, header_at)
    if isinstance(header, str):
        return Sheet(kind="refused", reason=f"{label}: {header}.", **base)
    sheet = _build(grid, filled, header, name, hidden, delimited, numbers, merged_once)
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
    (a title or "Prepared by" line is narrower than the table under it), or None. The first row
    that is wide enough may also be text and years (Account, 2023, 2024) over other numbers."""
    nonblank = np.flatnonzero(filled.any(axis=1).to_numpy())[:HEADER_SCAN_ROWS]
    widths = filled.iloc[nonblank].sum(axis=1).to_numpy()
    if (corner := _blank_corner_header(grid, filled, nonblank, widths)) is not None:
        return corner
    needed = max(1.0, 0.5 * widths.max())
    first = True
    for k, (pos, width) in enumerate(zip(nonblank, widths)):
        below = widths[k + 1:k + 6]
        if width < needed or (len(below) and width < 0.6 * np.median(below)):
            continue
        if width == 1 and needed == 1 and _over_a_pair_header(grid, widths, nonblank, k):
            continue
        cells = _cells(grid, pos)
        text = sum(not NUMBERISH.match(c) for c in cells)
        if first and _years_over_numbers(cells, text, [_cells(grid, p) for p in nonblank[k + 1:k + 6]]):
            return int(pos)
        first = False
        if text / len(cells) >= 0.6:
            return int(pos)
    return None


def _over_a_pair_header(grid: pd.DataFrame, widths: np.ndarray, nonblank: np.ndarray, k: int) -> bool:
    """Whether a one-cell row is a title over a two-column report's header: a little below it,
    two cells of text over rows holding numbers (`Customer,Amount` over `Acme,"1,200.00"`).
    Other title lines and parent lines with an empty amount (`Langley Holdings,`) can make
    one-cell rows the most common width under a title, so the median alone does not tell."""
    for j in range(k + 1, min(k + 6, len(nonblank))):
        if widths[j] != 2:
            continue
        if any(NUMBERISH.match(c) for c in _cells(grid, nonblank[j])):
            return False
        return any(NUMBERISH.match(c) for p in nonblank[j + 1:j + 6] for c in _cells(grid, p))
    return False


def _blank_corner_header(grid: pd.DataFrame, filled: pd.DataFrame, nonblank: np.ndarray,
                         widths: np.ndarray) -> int | None:
    """A summary report's header under one-line titles, with nothing over its first column
    (QuickBooks' Sales by Customer Summary: `"",Total` over `Acme,"1,000.00"`): as narrow as
    the titles, so the rule below would take a title for the header."""
    for k in range(1, len(nonblank) - 1):
        pos, below = nonblank[k], nonblank[k + 1]
        if (widths[:k] > 1).any():
            return None
        labels = filled.iloc[pos].to_numpy()
        if (labels[0] or not labels[1:].any() or widths[k + 1] != widths[k] + 1
                or not filled.iat[below, 0] or NUMBERISH.match(grid.iat[below, 0].strip())):
            continue
        under = [grid.iat[below, c].strip() for c in np.flatnonzero(labels)]
        if all(not NUMBERISH.match(c) for c in _cells(grid, pos)) and all(NUMBERISH.match(c) for c in under):
            return int(pos)
    return None


def _cells(grid: pd.DataFrame, pos: int) -> list[str]:
    return [c.strip() for c in grid.iloc[pos] if c.strip()]


def _years_over_numbers(cells: list[str], text: int, below: list[list[str]]) -> bool:
    """A row of text and years (1900-2100) above rows holding other numbers: years head the
    columns. Above rows of only years and text, the years are data (a Start year column)."""
    years = sum(bool(YEAR.match(c)) for c in cells)
    return bool(years) and text + years == len(cells) and any(
        NUMBERISH.match(c) and not YEAR.match(c) for row in below for c in row)


@dataclass
class _Header:
    """Where the header is and what its columns are: `top` is its (first) row's position, or
    None when the sheet has none; the data start at `start`."""

    top: int | None
    start: int
    used: list[int]                       # grid columns that hold anything from `top` down
    raw: list[str]                        # the header's text per used column
    tests: list[str]                      # what is tested for "Total" per used column
    periods: dict[int, date] | None = None
    labels: dict[int, str] | None = None  # under a two-row header: Budget / Actual per column
    split: SplitHeader | None = None
    notes: list[str] = field(default_factory=list)


def _read_header(grid: pd.DataFrame, filled: pd.DataFrame, header_at: int | None) -> _Header | str:
    """The header, in one row or two (months merged over Budget | Actual); or why the sheet
    cannot be read (its months have no year, or the months of a two-row header differ)."""
    if header_at is None:
        used = [c for c in grid.columns if filled[c].any()]
        return _Header(None, 0, used, [""] * len(used), [""] * len(used),
                       notes=["No header row was found; columns are named by their letter."])
    for top in (header_at, header_at - 1):
        if top < 0 or top + 1 >= len(grid) or not filled.iloc[top].any() or not filled.iloc[top + 1].any():
            continue
        used = [c for c in grid.columns if filled[c].iloc[top:].any()]
        split = split_header([grid.at[top, c] for c in used], [grid.at[top + 1, c] for c in used],
                             _titles(grid, filled, top), (top + 1, top + 2))
        if isinstance(split, str):
            return split
        if split is not None:
            return _Header(top, top + 2, used, split.names, split.groups, split.periods,
                           split.labels, split, [split.note] if split.note else [])
    used = [c for c in grid.columns if filled[c].iloc[header_at:].any()]
    raw = [grid.at[header_at, c] for c in used]
    if header_at and (dated := months_under_years(raw, [grid.at[header_at - 1, c] for c in used])):
        raw, months = dated
        if months.refusal:
            return months.refusal
        return _Header(header_at, header_at + 1, used, raw, raw, months.periods, notes=[months.note])
    months = month_columns(header_names(raw, used)[0], _titles(grid, filled, header_at))
    if months.refusal:
        return months.refusal
    return _Header(header_at, header_at + 1, used, raw, raw, months.periods,
                   notes=[months.note] if months.note else [])


def _titles(grid: pd.DataFrame, filled: pd.DataFrame, top: int) -> list[str]:
    return [" ".join(_cells(grid, pos)) for pos in np.flatnonzero(filled.iloc[:top].any(axis=1).to_numpy())]


def _build(grid: pd.DataFrame, filled: pd.DataFrame, header: _Header, name: str, hidden: bool,
           delimited: bool, numbers: np.ndarray | None, merged_once: np.ndarray | None) -> Sheet:
    sheet = Sheet(name=name, kind="table", hidden=hidden)
    names, sheet.notes = header_names(header.raw, header.used)
    if header.top is not None:
        sheet.header_row = header.top + 1
        drop_title_rows(grid, filled, header.top, sheet)
    sheet.notes += header.notes
    periods = header.periods
    keep = _drop_total_columns(names, header.tests, header.used, periods, sheet)
    columns = [header.used[i] for i in keep]
    body = grid.iloc[header.start:][columns]
    body.columns = [names[i] for i in keep]
    body = drop_rows(body, filled.iloc[header.start:][columns], sheet)
    body.index = pd.Index(body.index + 1, name="source_row")
    # a column drop_rows put first (section headings filled down), under no grid column
    added = body.shape[1] - len(columns)
    sheet.header = list(body.columns)
    if periods:
        labels = {names[i]: header.labels[i] for i in keep if i in periods} if header.labels else None
        _make_wide(sheet, body, {names[i]: p for i, p in periods.items() if i in keep}, labels, header.split)
    else:
        front, body = body.iloc[:, :added], body.iloc[:, added:]
        # not for a wide sheet: a row under an amount merged in one month has other months
        body = leave_out_lines(body, merged_once, columns, sheet)
        if numbers is not None:   # not for a wide sheet: unpivoting moves its cells about
            sheet.excel_numbers = kept_number_cells(numbers, body, columns)
        if delimited and header.top is not None:
            sheet.beyond_header = _beyond_header(body, [header.raw[i].strip() for i in keep], sheet)
        sheet.rows = pd.concat([front.loc[body.index], body], axis=1) if added else body
    return sheet


def _beyond_header(body: pd.DataFrame, raw: list[str], sheet: Sheet) -> list[str]:
    """The columns after the header's last name that some rows fill and others leave empty:
    cells a row has beyond the header. (One every row fills is a column the header forgot to
    name; in a CSV every record of a clean export has the same number of cells.)"""
    named = max((i for i, h in enumerate(raw) if h), default=-1)
    beyond = []
    for column in body.columns[named + 1:]:
        filled = body[column].str.strip().ne("")
        if 0 < filled.sum() < len(body):   # every row: a name the header lacks, not a cut
            beyond.append(column)
    if beyond:
        past = body[beyond].apply(lambda c: c.str.strip().ne("")).any(axis=1).to_numpy()
        rows = body.index[past]
        looked = body.iloc[np.flatnonzero(past)[:200]]   # a few rows tell
        split = any(_SPLIT_TAIL.match(c.strip()) for column in looked.columns for c in looked[column])
        why = ("in a CSV, a number with a thousands separator, 1,234.50, must be in quotes" if split
               else f"check that row {sheet.header_row} names every column")
        sheet.notes.append(f"{_rows_text(rows)}: cells past the header's last column, so the row's "
                           f"cells may not be under the right names ({why}). Each such row is an error.")
    return beyond


def _rows_text(rows: pd.Index, shown: int = 5) -> str:
    listed = ", ".join(str(r) for r in rows[:shown])
    more = f" and {len(rows) - shown:,} more" if len(rows) > shown else ""
    return f"{'Rows' if len(rows) > 1 else 'Row'} {listed}{more}"


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


def _drop_total_columns(names: list[str], tests: list[str], used: list[int],
                        periods: dict | None, sheet: Sheet) -> list[int]:
    # Next to month columns any "Total" is a derived sum; in a plain table a "Total" column is
    # usually a real field (an invoice total), so only Grand/Sub totals go there. `tests`: what
    # names the column's kind ("FY Total" over the Budget | Actual columns of a two-row header).
    keep = []
    for i, (n, t) in enumerate(zip(names, tests)):
        t = re.sub(r"\s+", " ", t).strip() or n
        is_total = TOTAL_EXACT.match(t) or TOTAL_LABELED.match(t)
        if is_total and (periods or GRAND_OR_SUB.search(t)):
            sheet.dropped_columns.append(DroppedColumn(column_letter(used[i]), n, "total column"))
        else:
            if is_total:
                sheet.notes.append(f"Column '{n}' was kept; it may be a sum of other columns.")
            keep.append(i)
    return keep


def _make_wide(sheet: Sheet, body: pd.DataFrame, periods: dict[str, date],
               labels: dict[str, str] | None, split: SplitHeader | None) -> None:
    id_columns = [c for c in body.columns if c not in periods]
    order = list(dict.fromkeys(labels.values())) if labels else ["value"]
    period_name, value_names = long_names(id_columns, order)
    # WideLayout names one value column; under a two-row header it is the first label's
    # (Budget), so an error in one of its cells still names the month column it came from.
    described = {h: p for h, p in periods.items() if not labels or labels[h] == order[0]}
    sheet.kind = "wide"
    sheet.wide = WideLayout(id_columns, described, period_name, value_names[0])
    sheet.rows = unpivot(body, id_columns, periods, labels)
    sheet.header = list(sheet.rows.columns)
    first, last = min(periods.values()), max(periods.values())
    months = len(set(periods.values()))
    empty = len(body) * months - len(sheet.rows)
    quoted = [f"'{n}'" for n in [period_name, *value_names]]
    shown = ", ".join(quoted[:-1]) + " and " + quoted[-1]
    gap = (count(empty, "month with no figures", "months with no figures") if split
           else count(empty, "empty month cell"))
    if split is not None:
        sheet.notes.append(f"The header takes two rows ({split.rows[0]} and {split.rows[1]}): the "
                           f"months, and under each month the columns {', '.join(order)}.")
    sheet.notes.append(
        f"Months run across the columns ({months} months, {first:%b %Y} to {last:%b %Y}); "
        f"the sheet was turned into one row per {' / '.join(id_columns) or 'sheet'} and month "
        f"({len(sheet.rows):,} rows with {shown}" + (f"; {gap} left out" if empty else "") + ").")
