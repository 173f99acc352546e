"""The monthly sales report as an XLSX workbook: one sheet per section, each opening with a title
row that names the month and the currency, a bold header row frozen in place, and number
formats. Every text cell goes through lib.exports.safe_cell, so a name like "=HYPERLINK(...)"
stays text; numbers are written as numbers."""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import xlsxwriter

from lib.exports import safe_cell

TITLE_ROW, SUBTITLE_ROW, FIRST_ROW = 0, 1, 3
FORMATS = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"italic": True, "font_color": "#555555"},
    "head": {"bold": True, "bottom": 1, "bg_color": "#EEF2F7", "text_wrap": True, "valign": "top"},
    "section": {"bold": True, "font_size": 12},
    "money": {"num_format": "#,##0"},
    "pct": {"num_format": "0.0%"},
    "count": {"num_format": "#,##0"},
    "days": {"num_format": "#,##0.0"},
    "text": {},
    "empty": {"italic": True},
}
BOLD_TOTAL = {"bold": True, "top": 1}


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str = "money"   # money | pct | count | days | text
    width: int = 14


def file_name(month: date, currency: str) -> str:
    """monthly-sales-report-2026-10-USD.xlsx"""
    return f"monthly-sales-report-{month:%Y-%m}-{currency}.xlsx"


class Book:
    """An in-memory xlsxwriter workbook with the report's formats and a few ways to fill a sheet."""

    def __init__(self, title: str) -> None:
        self.out = io.BytesIO()
        # Text is text: nothing a cell holds may turn into a formula or a link on its own.
        self.book = xlsxwriter.Workbook(self.out, {"in_memory": True, "strings_to_formulas": False,
                                                   "strings_to_urls": False,
                                                   "strings_to_numbers": False})
        self.title = title
        self.fmt = {k: self.book.add_format(v) for k, v in FORMATS.items()}
        self.total = {k: self.book.add_format({**v, **BOLD_TOTAL}) for k, v in FORMATS.items()
                      if k in ("money", "pct", "count", "days", "text")}

    def sheet(self, name: str, subtitle: str):
        ws = self.book.add_worksheet(name)
        ws.write_string(TITLE_ROW, 0, str(safe_cell(f"{self.title} · {name}")), self.fmt["title"])
        ws.write_string(SUBTITLE_ROW, 0, str(safe_cell(subtitle)), self.fmt["subtitle"])
        ws.set_column(0, 0, 30)
        return ws

    def empty(self, ws, row: int, message: str) -> int:
        ws.write_string(row, 0, str(safe_cell(message)), self.fmt["empty"])
        return row + 1

    def note(self, ws, row: int, message: str) -> int:
        ws.write_string(row, 0, str(safe_cell(message)))
        return row + 1

    def heading(self, ws, row: int, text: str) -> int:
        ws.write_string(row, 0, str(safe_cell(text)), self.fmt["section"])
        return row + 1

    def table(self, ws, row: int, columns: list[Column], frame: pd.DataFrame, *,
              freeze: bool = False, total: dict[str, Any] | None = None) -> int:
        """Headers at `row`, then one line per frame row (and a bold total line); the next free row."""
        for col, c in enumerate(columns):
            ws.write_string(row, col, c.header, self.fmt["head"])
            if col:
                ws.set_column(col, col, c.width)
        if freeze:
            ws.freeze_panes(row + 1, 1)
        for r, values in enumerate(frame[[c.key for c in columns]].itertuples(index=False), row + 1):
            for col, (c, value) in enumerate(zip(columns, values)):
                self.cell(ws, r, col, value, c.kind)
        end = row + 1 + len(frame)
        if total is not None:
            for col, c in enumerate(columns):
                self.cell(ws, end, col, total.get(c.key), c.kind, self.total.get(c.kind))
            end += 1
        return end

    def pairs(self, ws, row: int, lines: list[tuple[str, Any, Any, str]],
              headers: tuple[str, str, str]) -> int:
        """A label column and two value columns (e.g. the month and the year to date)."""
        frame = pd.DataFrame(lines, columns=["label", "first", "second", "kind"])
        for col, header in enumerate(headers):
            ws.write_string(row, col, header, self.fmt["head"])
        ws.set_column(1, 2, 20)
        ws.freeze_panes(row + 1, 1)
        for r, (label, first, second, kind) in enumerate(frame.itertuples(index=False), row + 1):
            self.cell(ws, r, 0, label, "text")
            self.cell(ws, r, 1, first, kind)
            self.cell(ws, r, 2, second, kind)
        return row + 1 + len(frame)

    def cell(self, ws, row: int, col: int, value: Any, kind: str, fmt=None) -> None:
        fmt = fmt or self.fmt.get(kind)
        if _missing(value):
            ws.write_blank(row, col, None, fmt)
        elif kind == "text" or isinstance(value, str):
            ws.write_string(row, col, str(safe_cell(str(value))), fmt)
        else:
            ws.write_number(row, col, float(value), fmt)

    def close(self) -> bytes:
        self.book.close()
        return self.out.getvalue()


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)
