"""Files people take away: text that a spreadsheet would run as a formula is written as text."""
from __future__ import annotations

import io
import numbers
from typing import Any

import pandas as pd

# A cell starting with one of these is a formula to Excel, LibreOffice or Sheets (＝ is the
# full-width equals sign some of them also accept).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d")


def safe_cell(value: Any) -> Any:
    """Text that would start a formula, prefixed with ' so it stays text; anything else as is."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV with every text cell neutralised; empty cells stay empty."""
    cleaned = table.astype(object).where(table.notna(), "").map(safe_cell)
    out = io.StringIO()
    # CRLF rows (RFC 4180) also make the writer quote any cell holding a bare CR: unquoted, a
    # spreadsheet would start a new row there, and the text after it could run as a formula.
    cleaned.to_csv(out, index=False, lineterminator="\r\n")
    return out.getvalue().encode("utf-8")


def xlsx_bytes(table: pd.DataFrame, sheet: str = "Data") -> bytes:
    """The table as an XLSX workbook: text written as text (never a formula), neutralised as in
    `csv_bytes`; numbers as numbers, dates as text in ISO form; empty cells stay empty."""
    import xlsxwriter  # only needed here

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})
    sheet_ = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    for col, name in enumerate(table.columns):
        sheet_.write_string(0, col, str(safe_cell(str(name))), bold)
    for row, values in enumerate(table.itertuples(index=False), start=1):
        for col, value in enumerate(values):
            if value is None or (not isinstance(value, str) and pd.isna(value) is True):
                continue
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                sheet_.write_string(row, col, str(safe_cell(_text(value))))
            else:
                sheet_.write_number(row, col, float(value))
    book.close()
    return out.getvalue()


def _text(value: Any) -> str:
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
