"""Which cells of a workbook were numbers, carried beside their text from the reader to staging.

xlsxread writes a number cell as text with a point (1250.5), so that point is certainly a
decimal point; a text cell typed as '12.500' or '1.234,50' beside it may mean twelve thousand
five hundred. Staging needs to know which is which (lib.importing.numbers: `excel_numbers`), so
the reader keeps one boolean per cell, and the table finder keeps the same rows of it as of the
text (Sheet.excel_numbers). A CSV has none: everything in it is text.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd


def number_cells(rows: list[list]) -> np.ndarray:
    """Which of calamine's cells are numbers, as a rows x columns grid of booleans. Calamine
    gives a workbook's numbers as floats (TRUE and FALSE as bools, dates as datetimes). One pass
    in C over the cells (map, isinstance), not a Python step per cell: on a big sheet it costs a
    small part of what writing the cells' text does."""
    width = max(map(len, rows), default=0)
    if rows and min(map(len, rows)) != width:   # calamine's rows are all as wide; just in case
        rows = [row + [""] * (width - len(row)) for row in rows]
    cells = map(isinstance, itertools.chain.from_iterable(rows), itertools.repeat(float))
    return np.fromiter(cells, dtype=bool, count=len(rows) * width).reshape(len(rows), width)


def kept_number_cells(numbers: np.ndarray, body: pd.DataFrame, columns: list[int]
                      ) -> dict[str, np.ndarray]:
    """The number cells of the rows and columns a table kept: per header of `body`, one boolean
    per row of it, in its order. `body`'s index is the source row (grid position + 1) and
    `columns` are the grid columns under its headers, in order. Only the columns holding a
    number are given: for the others, knowing changes nothing."""
    at = body.index.to_numpy() - 1
    kept = {}
    for header, column in zip(body.columns, columns):
        cells = numbers[at, column]
        if cells.any():
            kept[header] = cells
    return kept
