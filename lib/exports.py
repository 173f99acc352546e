"""Files people take away: text that a spreadsheet would run as a formula is written as text."""
from __future__ import annotations

import io
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
    cleaned.to_csv(out, index=False)
    return out.getvalue().encode("utf-8")
