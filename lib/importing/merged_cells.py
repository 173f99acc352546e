"""Cells merged down a column in a workbook, and the rows under a merged amount.

Order exports from e-commerce and ERP tools merge an order's cells over its line rows: the
customer and the order's total once beside its several lines. Excel keeps a merged value in
the range's top cell only. A text merged down (the customer) is given to every row of the
range, as Excel shows it; an amount is read once, on its first row, since giving it to every
row would count it again. The other rows under that amount are then the order's lines, not
records of their own: the table finder leaves them out and lists them, instead of reading
them as records whose amount is empty. Runs in the sandboxed child: what it hands on from
the reader to the table finder is one small array.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lib.importing.layout import NUMBERISH
from lib.importing.model import DroppedRow, Sheet
from lib.importing.report_rows import MAX_REPORTED_PER_REASON, row_text

_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?$")   # as number_text writes one
_YEAR = re.compile(r"(?:19|20)[0-9]{2}$")   # a year merged beside its rows labels them all
# Only a column whose header names money makes the rows under it an order's lines: an order
# NUMBER merged over lines with their own amounts (Line total) leaves those lines records
_MONEY_HEADER = re.compile(r"total|amount|value|sum|revenue|sales|price|net|gross|betrag|umsatz|"
                           r"summe|wert|brutto|montant|importe|importo|bedrag|valor|totaal", re.I)
_ID_HEADER = re.compile(r"(?:^|[^a-z])(?:no|nr|num|number|id|ref|code|key)\.?(?:$|[^a-z])|#|"
                        r"nummer|numero|número", re.I)


def fill_down(rows: list[list[str]], merged: list) -> tuple[int, np.ndarray | None]:
    """Cells merged down a column (an account's name once beside its several rows) hold their
    value in the top cell only: give it to every cell of the range, as Excel shows it; but not
    an amount (an order's total beside its line items), which would count once per row. Merges
    across columns (a title over the table, a month over Budget | Actual) are left alone.
    Returns how many cells were filled, and the amounts read once as rows of (first row, last
    row, column), grid positions (None: there were none)."""
    filled = 0
    once = []
    for (r1, c1), (r2, c2) in merged:
        if c1 != c2 or r2 <= r1 or r1 >= len(rows) or c1 >= len(rows[r1]):
            continue
        last = min(r2, len(rows) - 1)
        if _AMOUNT.match(rows[r1][c1]) and not _YEAR.match(rows[r1][c1]):
            once.append((r1, last, c1))
            continue
        for r in range(r1 + 1, last + 1):
            if c1 < len(rows[r]) and rows[r][c1] == "":
                rows[r][c1] = rows[r1][c1]
                filled += 1
    return filled, (np.array(once, dtype=np.int64).reshape(-1, 3) if once else None)


def leave_out_lines(body: pd.DataFrame, once: np.ndarray | None, columns: list[int],
                    sheet: Sheet) -> pd.DataFrame:
    """`body` without the rows under an amount read once (fill_down): each is a line of the
    order on the range's first row, and its cell there is empty only because the amount is
    merged over it. Only such rows, under a column whose header names money (Order Total, not
    Order No): a row whose cell holds something of its own, or whose order's first row is not a
    record of the table, stays, as does an amount in a column the table left out. `body`'s index is the source row (grid position + 1); `columns` are the
    grid columns under its headers. Each row left out is listed on `sheet`. Whole arrays, not a
    step per row: an export may hold a hundred thousand orders."""
    if once is None or body.empty:
        return body
    tops, under = once[:, 0] + 1, once[:, 1] - once[:, 0]   # first row as numbered; rows under it
    firsts = np.repeat(tops, under)
    rows = firsts + 1 + np.arange(len(firsts)) - np.repeat(np.cumsum(under) - under, under)
    at = np.repeat(_positions(once[:, 2], columns), under)   # the body's column, -1: not kept
    pos = body.index.get_indexer(rows)
    money = np.array([bool(_MONEY_HEADER.search(str(h))) and not _ID_HEADER.search(str(h))
                      for h in body.columns] + [False])   # [-1]: a column the table left out
    ok = (at >= 0) & money[at] & (pos >= 0) & (body.index.get_indexer(firsts) >= 0)
    for column in np.unique(at[ok]):   # the cell is empty because of the merge, not filled
        mine = ok & (at == column)
        ok[mine] = body.iloc[pos[mine], column].str.strip().eq("").to_numpy()
    lines, first = np.unique(pos[ok], return_index=True)   # in row order, once each
    if not len(lines):
        return body
    firsts, at = firsts[ok][first], at[ok][first]
    listed = body.iloc[lines[:MAX_REPORTED_PER_REASON]]
    for k, (row, cells) in enumerate(zip(listed.index, listed.itertuples(index=False))):
        sheet.dropped_rows.append(DroppedRow(
            int(row), f"line of the order in row {firsts[k]}, whose merged "
            f"'{body.columns[at[k]]}' was read once", row_text(cells)))
    sheet.dropped_rows.sort(key=lambda d: d.row_number)
    sheet.notes.append(_note(body, lines, at))
    return body.drop(index=body.index[lines])


def _positions(grid_columns: np.ndarray, columns: list[int]) -> np.ndarray:
    """Each grid column's place among the body's `columns`, or -1 where the table has none."""
    place = np.full(max(int(grid_columns.max()), max(columns, default=0)) + 1, -1)
    place[columns] = np.arange(len(columns))
    return place[grid_columns]


def _note(body: pd.DataFrame, lines: np.ndarray, at: np.ndarray) -> str:
    amounts = [str(body.columns[i]) for i in dict.fromkeys(at.tolist())]
    rows = body.iloc[lines[:MAX_REPORTED_PER_REASON]]   # the ones listed tell enough
    own = [c for c in body.columns if c not in amounts
           and rows[c].str.strip().str.fullmatch(NUMBERISH.pattern).any()]
    note = (f"{_spans(body.index[lines].to_numpy())}: the other lines of an order whose "
            f"{_names(amounts)} is merged over them, read once on the order's first row; left "
            "out, not read as records with an empty amount.")
    if len(lines) > MAX_REPORTED_PER_REASON:
        note += f" The first {MAX_REPORTED_PER_REASON:,} are listed."
    if own:
        note += (f" Their own numbers in {_names(own)} were left out with them; to import "
                 "each line as a record, export one row per line with its own amount.")
    return note


def _spans(rows: np.ndarray, shown: int = 5) -> str:
    """[3, 4, 6] -> 'Rows 3–4 and 6': runs of row numbers (sorted), the first few of them."""
    cut = np.flatnonzero(np.diff(rows) != 1) + 1
    firsts, lasts = rows[np.r_[0, cut]], rows[np.r_[cut - 1, len(rows) - 1]]
    texts = [f"{a}–{b}" if b > a else str(a) for a, b in zip(firsts[:shown], lasts[:shown])]
    if len(firsts) > shown:
        texts.append(f"{int((lasts[shown:] - firsts[shown:] + 1).sum()):,} more")
    listed = texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]
    return f"{'Rows' if len(rows) > 1 else 'Row'} {listed}"


def _names(headers: list[str]) -> str:
    quoted = [f"'{h}'" for h in headers]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
