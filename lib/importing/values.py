"""What the value parsers share: the tokens that mean "no value" and the column-level result.

A column parser never raises for a bad cell: it returns the parsed values, one message per bad
row (keyed by the source row, the index of Sheet.rows) and notes about choices it made, so the
preview can show every problem at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

# Compared after trimming and case-folding. "$-" is not here: accountants write it for zero.
NULL_TOKENS = frozenset({"", "#n/a", "n/a", "na", "-", "--", "null", "none", "nan", "#null!",
                         "(blank)", "nil"})
EXCEL_ERRORS = frozenset({"#div/0!", "#value!", "#ref!", "#name?", "#num!", "#spill!", "#calc!",
                          "#getting_data"})
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " "})


def clean(text: Any) -> str:
    """Trim, including the non-breaking spaces spreadsheets love."""
    if text is None or (isinstance(text, float) and text != text):
        return ""
    return str(text).translate(_SPACES).strip()


def is_null(text: Any) -> bool:
    return clean(text).casefold() in NULL_TOKENS


def excel_error(text: str) -> str | None:
    """The message for an Excel error value left in a cell (#DIV/0! ...), else None."""
    if text.casefold() in EXCEL_ERRORS:
        return f"the cell holds the Excel error {text}, not a value"
    return None


@dataclass
class ParsedColumn:
    """values: parsed, aligned with the input index (missing where null or bad).
    errors: message per bad row, same index, None where the cell was fine."""

    values: pd.Series
    errors: pd.Series
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors.notna().any()

    @property
    def error_rows(self) -> dict[Any, str]:
        bad = self.errors.dropna()
        return dict(zip(bad.index, bad))


def map_unique(series: pd.Series, parse: Callable[[str], Any]) -> tuple[pd.Series, pd.Series]:
    """Apply `parse` once per distinct text; a ValueError becomes that row's message.
    Real columns repeat a lot (dates, categories), so this is far cheaper than per row."""
    results: dict[str, tuple[Any, str | None]] = {}
    for text in pd.unique(series.astype("str").to_numpy(dtype=object)):
        try:
            results[text] = (parse(text), None)
        except ValueError as exc:
            results[text] = (None, f"'{clean(text)}': {exc}")
    keys = series.astype("str")
    values = keys.map(lambda t: results[t][0])
    errors = keys.map(lambda t: results[t][1]).astype(object)
    return values, errors.where(errors.notna(), None)
