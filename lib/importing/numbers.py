"""Numbers and money the way people type them into spreadsheets.

`$32,370.00`, ` $(4,533.75)` (accounting negative), `$-` (accounting zero), `1.234,50`
(European, decided for the whole column), `7.4E8`, `12%`, `£`, `€`, `₹`, `USD 12`, `1,00,000`
(Indian grouping). Percentages become fractions by default (12% -> 0.12) because that is what
Excel stores; pass percent="points" to keep 12.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from lib.importing.values import NULL_TOKENS, ParsedColumn, clean, excel_error, map_unique

Percent = Literal["fraction", "points"]
_SYMBOLS = "$£€₹¥₩₽₺₪฿"
_CODES = ("USD", "EUR", "GBP", "INR", "JPY", "CHF", "AUD", "CAD", "NZD", "SGD", "HKD", "CNY",
          "SEK", "NOK", "DKK", "ZAR", "BRL", "MXN", "AED", "US$", "A$", "C$", "NZ$", "S$", "R$", "RS")
_CURRENCY = re.compile(rf"^(?:{'|'.join(re.escape(c) for c in _CODES)}|[{_SYMBOLS}])\.?\s*|"
                       rf"\s*(?:{'|'.join(re.escape(c) for c in _CODES)}|[{_SYMBOLS}])$", re.I)
_GROUPED = {".": re.compile(r"^\d{1,3}(,\d{3})+$|^\d{1,2}(,\d{2})+,\d{3}$"),
            ",": re.compile(r"^\d{1,3}(\.\d{3})+$")}
_PLAIN = re.compile(r"^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.I)
_MINUS = "-\u2212\u2013"


def parse_number(text: Any, decimal: str = ".", percent: Percent = "fraction") -> float | None:
    """Parse one cell; None for an empty/null cell; ValueError (with a reason) when unreadable."""
    s = clean(text).replace("\u2212", "-")
    if s.casefold() in NULL_TOKENS:
        return None
    if error := excel_error(s):
        raise ValueError(error)
    s, had_currency = _strip_currency(s)
    negative, s = _sign(s)
    s, more_currency = _strip_currency(s)
    if s in ("", "-") and (had_currency or more_currency):
        return 0.0                      # "$-" / " $-   ": the accounting format's zero
    scale = 1.0
    if s.endswith("%"):
        s, scale = s[:-1].strip(), (0.01 if percent == "fraction" else 1.0)
    value = _unsigned(s, decimal) * scale
    return -value if negative else value


def _strip_currency(s: str) -> tuple[str, bool]:
    stripped = _CURRENCY.sub("", s).strip()
    return stripped, stripped != s


def _sign(s: str) -> tuple[bool, str]:
    if s.startswith("(") and s.endswith(")"):
        return True, s[1:-1].strip()
    if s[:1] in _MINUS and len(s) > 1:
        return True, s[1:].strip()
    if s.endswith("-") and len(s) > 1:          # SAP and some ledgers: 1,234.50-
        return True, s[:-1].strip()
    return False, s.removeprefix("+").strip()


def _unsigned(s: str, decimal: str) -> float:
    s = re.sub(r"[\s'\u00a0\u202f\u2009]", "", s)   # 1 234,50 and 1'234.50
    group = "," if decimal == "." else "."
    whole, _, fraction = s.partition(decimal)
    if group in whole:
        if not _GROUPED[decimal].match(whole):
            raise ValueError(f"'{group}' is not where a thousands separator goes")
        whole = whole.replace(group, "")
    s = f"{whole}.{fraction}" if fraction or s.endswith(decimal) else whole
    if not _PLAIN.match(s):
        raise ValueError("not a number")
    value = float(s)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


@dataclass(frozen=True)
class DecimalChoice:
    separator: str                  # "." or ","
    certain: bool
    deciding_row: Any = None
    message: str = ""


_EU_ONLY = re.compile(r"^[^.,]*\d,\d{1,2}$|^[^.,]*\d,\d{4,}$|\d\.\d{3},\d+$")
_US_ONLY = re.compile(r"^[^.,]*\d\.\d{1,2}$|^[^.,]*\d\.\d{4,}$|\d,\d{3}\.\d+$")


def detect_decimal_separator(series: pd.Series) -> DecimalChoice:
    """Decide for the whole column: one unmistakable value decides; a contradiction is reported."""
    texts = series.astype("str").map(clean).str.replace(r"[^\d.,]", "", regex=True)
    eu, us = texts[texts.str.contains(_EU_ONLY)], texts[texts.str.contains(_US_ONLY)]
    if len(eu) and len(us):
        return DecimalChoice(".", False, None,
                             f"Mixed decimal styles: row {eu.index[0]} is written European style "
                             f"and row {us.index[0]} US/UK style.")
    if len(eu):
        return DecimalChoice(",", True, eu.index[0],
                             f"Decimal comma (European style), decided by row {eu.index[0]}.")
    if len(us):
        return DecimalChoice(".", True, us.index[0], "")
    unsure = texts[texts.str.fullmatch(r"\d{1,3}[.,]\d{3}")]
    return DecimalChoice(".", False, None, "" if unsure.empty else (
        f"Values like '{unsure.iloc[0]}' (row {unsure.index[0]}) could mean a decimal or a "
        "thousands separator; they were read with '.' as the decimal point and ',' as the "
        "thousands separator. Say so if this column is European."))


def parse_number_series(series: pd.Series, decimal: str | None = None,
                        percent: Percent = "fraction") -> ParsedColumn:
    """Parse a whole column; decide its decimal separator first unless one is given."""
    notes: list[str] = []
    if decimal is None:
        choice = detect_decimal_separator(series)
        decimal = choice.separator
        notes += [choice.message] if choice.message else []
    values = np.full(len(series), np.nan)
    errors = np.full(len(series), None, dtype=object)
    done = np.zeros(len(series), dtype=bool)
    if decimal == ".":
        # Fast path for plain numbers; anything with symbols, commas or words goes the slow way.
        plain = series.astype("str").str.match(r"^\s*-?[\d.]+(e[+-]?\d+)?\s*$", case=False)
        fast = pd.to_numeric(series.where(plain), errors="coerce").astype("float64").to_numpy()
        done = np.isfinite(fast)
        values[done] = fast[done]
    rest = np.flatnonzero(~done)   # positions: the index may repeat (unpivoted wide sheets)
    if len(rest):
        parsed, errs = map_unique(series.iloc[rest], lambda t: parse_number(t, decimal, percent))
        values[rest] = pd.to_numeric(parsed, errors="coerce").astype("float64").to_numpy()
        errors[rest] = errs.to_numpy()
    values = pd.Series(values, index=series.index, dtype="float64")
    errors = pd.Series(errors, index=series.index, dtype=object)
    marks = _currency_marks(series)
    notes += [f"Currency marks seen: {marks}."] if marks else []
    return ParsedColumn(values, errors, notes)


def _currency_marks(series: pd.Series) -> str:
    found = series.astype("str").str.extract(
        rf"([{_SYMBOLS}]|\b(?:{'|'.join(c for c in _CODES if c.isalpha())})\b)", expand=False)
    counts = found.dropna().value_counts()
    return ", ".join(f"{mark} ({n:,} rows)" for mark, n in counts.items())
