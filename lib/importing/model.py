"""What reading an upload returns: plain, picklable shapes that later import steps build on.

Cells stay text here (as written in a CSV; canonical text for XLSX numbers and dates) so that
mapping and validation decide how to parse each column, with the user's answer where needed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from lib.errors import UserError

SheetKind = Literal["table", "wide", "prose", "pivot", "empty", "refused"]
FileFormat = Literal["csv", "xlsx", "xlsm"]


class ImportFileError(UserError):
    """The upload cannot be read. The message is for a person: what was seen and what to do."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what an upload may cost. Tests pass tiny ones to exercise the refusals."""

    max_file_bytes: int = 200 * 1024**2
    max_zip_entries: int = 10_000
    max_uncompressed_bytes: int = 200 * 1024**2
    max_compression_ratio: float = 100.0
    ratio_checked_from_bytes: int = 10 * 1024**2  # small parts may compress well legitimately
    # Per sheet, from its declared used range. Measured: 3M cells (500k rows x 6) peak at
    # ~1.0 GB and 10 s in the child, so 5M stays inside memory_bytes with room to spare.
    max_cells: int = 5_000_000
    max_columns: int = 10_000
    max_cell_bytes: int = 1024**2
    memory_bytes: int = 2 * 1024**3   # RLIMIT_AS of the parsing child
    timeout_seconds: float = 60.0


@dataclass(frozen=True)
class DroppedRow:
    row_number: int   # 1-based, as the spreadsheet shows it (a CSV record number)
    reason: str
    text: str         # the row's first cells, so a person recognises it


@dataclass(frozen=True)
class DroppedColumn:
    column: str       # spreadsheet letter, e.g. "Q"
    header: str
    reason: str


@dataclass(frozen=True)
class WideLayout:
    """How a months-across sheet was unpivoted: which columns were ids and which were months."""

    id_columns: list[str]
    period_columns: dict[str, date]   # original header -> first day of that month
    period_name: str = "period"       # the long table's month column
    value_name: str = "value"         # and its column of the cells under the months

    def cell_headers(self, rows: pd.DataFrame) -> np.ndarray:
        """For each long row, the header of the month column its value came from."""
        header_of = {d.isoformat(): h for h, d in self.period_columns.items()}
        return rows[self.period_name].map(header_of).to_numpy(dtype=object)


@dataclass
class Sheet:
    """One sheet (a CSV is one sheet). `rows` holds text cells; its index is the source row."""

    name: str
    kind: SheetKind
    header: list[str] = field(default_factory=list)
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    header_row: int | None = None
    dropped_rows: list[DroppedRow] = field(default_factory=list)
    dropped_columns: list[DroppedColumn] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reason: str | None = None        # why a prose/pivot/empty/refused sheet is not imported
    hidden: bool = False
    wide: WideLayout | None = None
    # Columns past the header's last name that only some rows fill: cells a row has beyond the
    # header (a CSV's unquoted "1,234.50" splits in two). Staging makes those rows errors.
    beyond_header: list[str] = field(default_factory=list)
    date1904: bool = False           # the workbook counts day numbers from 1904 (old Mac Excel)
    delimiter: str = ""              # a CSV's: ";" is how files that write 1.234,50 separate cells
    # A workbook's number cells: header -> one boolean per row of `rows`, True where the cell
    # was a number (its text has a point, which says nothing of how the text cells beside it
    # write decimals). Only columns holding one; none for a CSV, nor for a wide sheet.
    excel_numbers: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def importable(self) -> bool:
        return self.kind in ("table", "wide")

    @property
    def data_rows(self) -> int:
        """How many rows of the sheet are records (a months-across sheet's, before unpivoting)."""
        return self.rows.index.nunique() if self.wide is not None else len(self.rows)

    @property
    def source_row_numbers(self) -> list[int]:
        return [int(n) for n in self.rows.index]


@dataclass(frozen=True)
class CsvDialect:
    encoding: str
    delimiter: str
    line_endings: str          # "LF", "CRLF", "CR", "mixed (...)" or "none"
    final_newline: bool


@dataclass
class Workbook:
    filename: str
    format: FileFormat
    sheets: list[Sheet]
    notes: list[str] = field(default_factory=list)
    dialect: CsvDialect | None = None

    @property
    def encoding(self) -> str | None:
        return self.dialect.encoding if self.dialect else None

    @property
    def importable_sheets(self) -> list[Sheet]:
        """The sheets that can be imported: the default first (default_sheet), then the others
        in Excel's order, hidden ones last (a hidden sheet is usually old data or a lookup list)."""
        sheets = sorted((s for s in self.sheets if s.importable), key=lambda s: s.hidden)
        best = self.default_sheet
        return [best, *(s for s in sheets if s is not best)] if best is not None else sheets

    @property
    def default_sheet(self) -> Sheet | None:
        """The sheet to import unless the person picks another: of the importable sheets, one
        Excel shows rather than hides, with a header row rather than without (a two-cell
        summary sheet), and with the most data rows; on a tie, the first in Excel's order."""
        sheets = [s for s in self.sheets if s.importable]
        return min(sheets, key=lambda s: (s.hidden, s.header_row is None, -s.data_rows), default=None)

    def sheet(self, name: str) -> Sheet:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)
