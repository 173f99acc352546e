"""Rows of a report that are not records: titles, blanks, totals, section headings, footers.

Importing any of them would double count or fail, so they are dropped, and every dropped row is
listed with the row number the person sees in their program. A million-row sheet must stay
fast: whole-column masks decide, and regexes or Python loops only touch the few candidate rows.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from lib.importing.layout import NUMBERISH
from lib.importing.model import DroppedRow, Sheet
from lib.importing.values import arrow_text

MAX_REPORTED_PER_REASON = 1000
# A one-cell row is a section heading or a footer line only in a table whose rows are usually
# at least this wide; in a narrower one (a list of names, name | owner) it is a record.
REPORT_WIDTH = 3
# How far up from the bottom (in non-blank rows) a report's footer and total lines may reach.
TAIL_ROWS = 20
_TOTAL_WORDS = r"(?:grand\s*total|sub[\s-]*total|total)s?"
TOTAL_EXACT = re.compile(rf"^(?:{_TOTAL_WORDS}|overall\s+total|report\s+total)\s*:?$", re.I)
TOTAL_LABELED = re.compile(rf"^{_TOTAL_WORDS}\b.+|.+\s{_TOTAL_WORDS}:?$", re.I)
GRAND_OR_SUB = re.compile(r"^(?:grand\s*total|sub[\s-]*total)\b|\bsub[\s-]*total$", re.I)


def drop_rows(body: pd.DataFrame, filled: pd.DataFrame, sheet: Sheet) -> pd.DataFrame:
    """`body` without its blank, total, section-heading and footer rows, each listed on `sheet`."""
    widths = filled.sum(axis=1).to_numpy()
    blank = widths == 0
    usual = usual_width(widths, body.shape[1])
    first = first_label(body, filled)
    total = _total_rows(first, widths, usual)
    last, tail_total, footer = _tail(body, filled, widths, total, usual >= REPORT_WIDTH)
    total |= tail_total
    repeated = _repeated_header(body)
    heading = (_section_headings(first, filled, widths, total, last) if usual >= REPORT_WIDTH
               else np.zeros(len(body), dtype=bool))
    # Blank rows after the last filled row are just the end of the sheet, not a dropped row.
    end = np.flatnonzero(~blank)[-1] if (~blank).any() else -1
    report(sheet, body, blank & (np.arange(len(body)) < end), "blank row")
    report(sheet, body, total, "total row")
    report(sheet, body, heading, "section heading")
    report(sheet, body, footer, "footer below the table")
    report(sheet, body, repeated, "header repeated on a new page")
    sheet.dropped_rows.sort(key=lambda d: d.row_number)
    return body[~(blank | total | heading | footer | repeated)]


def _repeated_header(body: pd.DataFrame) -> np.ndarray:
    """Rows that repeat the header's names, as a report printed page by page does."""
    named = [c for c in body.columns if not re.fullmatch(r"Column [A-Z]+", c)]
    same = np.zeros(len(body), dtype=bool)
    if len(named) < 2:
        return same
    # Cheap first: the rows whose first named cell is its name (Arrow, ~30 ms a million rows),
    # then the same test for every named cell, case-blind, on those alone.
    # (Trimmed first: Arrow's ascii_lower misreads a slice whose offsets do not start at 0.)
    first = pc.ascii_lower(pc.utf8_trim_whitespace(arrow_text(body[named[0]])))
    maybe = np.flatnonzero(pc.equal(first, str(named[0]).strip().lower())
                           .fill_null(False).to_numpy(zero_copy_only=False))
    if not len(maybe):
        return same
    rows = body.iloc[maybe]
    found = np.ones(len(maybe), dtype=bool)
    for column in named:
        found &= (rows[column].str.strip().str.casefold() == str(column).casefold()).to_numpy()
    same[maybe[found]] = True
    return same


def usual_width(widths: np.ndarray, columns: int) -> int:
    """How many cells a data row usually fills: the most common width, ignoring one-cell rows
    in a table of three or more columns (footer lines can outnumber a short report's records)."""
    pool = widths[widths > 0]
    if columns >= REPORT_WIDTH and (pool >= 2).any():
        pool = pool[pool >= 2]
    if not len(pool):
        return 0
    counts = np.bincount(pool)
    return int(np.flatnonzero(counts == counts.max())[-1])   # on a tie, the wider


def _total_rows(first: pd.Series, widths: np.ndarray, usual: int) -> np.ndarray:
    total = np.zeros(len(first), dtype=bool)
    # Regexes per row are slow on a million rows; only rows mentioning "total" need them.
    for pos in np.flatnonzero(first.str.lower().str.contains("total", regex=False).to_numpy()):
        label = first.iloc[pos]
        total[pos] = bool(TOTAL_EXACT.match(label)) or (
            bool(TOTAL_LABELED.match(label)) and widths[pos] < usual)  # "SubTotal Bikes" rows are sparse
    return total


def _tail(body: pd.DataFrame, filled: pd.DataFrame, widths: np.ndarray, total: np.ndarray,
          report_like: bool) -> tuple[int, np.ndarray, np.ndarray]:
    """The position of the last data row, and below it the total rows that have no label (their
    first column is empty and every filled cell is a number or a total label: `"", "",
    "48,903.75"`, `,,Totals:,1650.50`) and the footer: one-cell lines set off from the data by
    a total row, or in a report-wide table by a blank row (a one-cell row right under the data
    is a record with its other cells empty). Looks at the last TAIL_ROWS rows only: a sheet
    whose bottom rows all look like that is data."""
    tail_total = np.zeros(len(body), dtype=bool)
    narrow = np.zeros(len(body), dtype=bool)
    for pos in np.flatnonzero((widths > 0) & ~total)[::-1][:TAIL_ROWS]:
        cells = [c.strip() for c, f in zip(body.iloc[pos], filled.iloc[pos]) if f]
        if not filled.iat[pos, 0] and any(NUMBERISH.match(c) for c in cells) and all(
                NUMBERISH.match(c) or TOTAL_EXACT.match(c) for c in cells):   # ,,,,Totals:,1650.50
            tail_total[pos] = True
        elif widths[pos] == 1:
            narrow[pos] = True
        else:
            # A one-cell line under a total row ends the report in a table of any width; under
            # a blank row, only in a report-wide one (a narrow list's row may be a lone name).
            after_total = np.cumsum(total | tail_total)
            after_break = np.cumsum((widths == 0) | total | tail_total)
            footer = narrow & ((after_total > after_total[pos])
                               | (report_like & (after_break > after_break[pos])))
            return int(pos), tail_total, footer
    nonblank = np.flatnonzero(widths > 0)
    return (int(nonblank[-1]) if len(nonblank) else -1), np.zeros_like(narrow), np.zeros_like(narrow)


def _section_headings(first: pd.Series, filled: pd.DataFrame, widths: np.ndarray,
                      total: np.ndarray, last: int) -> np.ndarray:
    """One-cell rows of text among the data rows in a column the data rows leave empty, like
    QuickBooks' `Current` or `1 - 30 days past due` above the rows of each group. A one-cell
    row in a column the records fill is a record with its other cells empty (an account with
    only its name): kept, since a heading kept as a record shows up as a row error, while a
    record taken for a heading would be lost. Where one-cell rows outnumber the wider ones,
    they are the sheet's records."""
    positions = np.arange(len(first))
    data = (widths >= 2) & ~total & (positions <= last)
    heading = (widths == 1) & first.ne("").to_numpy() & ~total & (positions < last)
    candidates = np.flatnonzero(heading)
    if not len(candidates) or len(candidates) > data.sum():
        return np.zeros(len(first), dtype=bool)
    text = ~first.iloc[candidates].str.match(NUMBERISH.pattern).to_numpy()
    column = filled.iloc[candidates].to_numpy().argmax(axis=1)
    unused = filled[data].to_numpy().mean(axis=0)[column] < 0.5
    heading[candidates] = text & unused
    return heading


def first_label(body: pd.DataFrame, filled: pd.DataFrame) -> pd.Series:
    """The first non-empty cell among a row's first three columns, trimmed."""
    first = pd.Series("", index=body.index, dtype="str")
    for i in reversed(range(min(3, body.shape[1]))):   # reversed: the leftmost filled cell wins
        first = body.iloc[:, i].str.strip().where(filled.iloc[:, i], first)
    return first


def drop_title_rows(grid: pd.DataFrame, filled: pd.DataFrame, top: int, sheet: Sheet) -> None:
    """List the filled rows above the header (at position `top`) as titles."""
    for pos in np.flatnonzero(filled.iloc[:top].any(axis=1).to_numpy()):
        sheet.dropped_rows.append(DroppedRow(int(pos) + 1, "title row above the header",
                                             row_text(grid.iloc[pos])))


def report(sheet: Sheet, body: pd.DataFrame, mask: np.ndarray, reason: str) -> None:
    positions = np.flatnonzero(mask)
    for pos in positions[:MAX_REPORTED_PER_REASON]:
        sheet.dropped_rows.append(DroppedRow(int(body.index[pos]) + 1, reason,
                                             "" if reason == "blank row" else row_text(body.iloc[pos])))
    if len(positions) > MAX_REPORTED_PER_REASON:
        sheet.notes.append(f"{len(positions) - MAX_REPORTED_PER_REASON:,} more rows were dropped "
                           f"as '{reason}' than are listed.")


def row_text(row: pd.Series, cells: int = 4) -> str:
    return " | ".join([c.strip() for c in row if c.strip()][:cells])
