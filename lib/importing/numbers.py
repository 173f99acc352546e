"""Numbers and money the way people type them into spreadsheets.

`$32,370.00`, ` $(4,533.75)` (accounting negative), `$-` (accounting zero), `1.234,50`
(European, decided for the whole column), `7.4E8`, `12%`, `£`, `€`, `₹`, `USD 12`, `1,00,000`
(Indian grouping). Percentages become fractions by default (12% -> 0.12) because that is what
Excel stores; pass percent="points" to keep 12.

parse_number is the definition. parse_number_series reads the common spellings of a whole
column with Arrow (one regex and one cast over the column) and hands every other text to
parse_number once per distinct text, so both give the same value and the same message.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.importing.values import (NULL_TOKENS, ParsedColumn, clean, clean_text, excel_error,
                                  map_unique)

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
    return _detect_decimal(series.index, clean_text(series))


_UNSURE = re.compile(r"^\d{1,3}[.,]\d{3}$")


def _detect_decimal(index: pd.Index, cleaned: pa.Array) -> DecimalChoice:
    texts = _Digits(cleaned)
    eu, us = texts.first(_EU_ONLY), texts.first(_US_ONLY)
    row = lambda pos: index[pos]
    if eu is not None and us is not None:
        return DecimalChoice(".", False, None,
                             f"Mixed decimal styles: row {row(eu)} is written European style "
                             f"and row {row(us)} US/UK style.")
    if eu is not None:
        return DecimalChoice(",", True, row(eu),
                             f"Decimal comma (European style), decided by row {row(eu)}.")
    if us is not None:
        return DecimalChoice(".", True, row(us), "")
    unsure = texts.first(_UNSURE)
    return DecimalChoice(".", False, None, "" if unsure is None else (
        f"Values like '{texts.text(unsure)}' (row {row(unsure)}) could mean a decimal or a "
        "thousands separator; they were read with '.' as the decimal point and ',' as the "
        "thousands separator. Say so if this column is European."))


class _Digits:
    """Each cell's digits, dots and commas. ASCII cells are searched with Arrow's regexes (on
    ASCII they match as Python's do); the rare other cells with Python's, whose \\d also knows
    other scripts' digits."""

    def __init__(self, cleaned: pa.Array):
        self.ascii = pc.replace_substring_regex(cleaned, r"[^\d.,]", "")
        self.other = np.flatnonzero(~pc.string_is_ascii(cleaned).to_numpy(zero_copy_only=False))
        self.other_texts = [re.sub(r"[^\d.,]", "", t)
                            for t in cleaned.take(pa.array(self.other, pa.int64())).to_pylist()]
        if len(self.other):
            keep = np.ones(len(cleaned), dtype=bool)
            keep[self.other] = False
            self.ascii = pc.if_else(pa.array(keep), self.ascii, pa.scalar(None, pa.string()))

    def first(self, pattern: re.Pattern) -> int | None:
        """Position of the first cell the pattern is found in, or None."""
        pos = pc.index(pc.match_substring_regex(self.ascii, pattern.pattern), True).as_py()
        found = [pos] if pos >= 0 else []
        found += [int(p) for p, t in zip(self.other, self.other_texts) if pattern.search(t)][:1]
        return min(found) if found else None

    def text(self, pos: int) -> str:
        if pos in self.other:
            return self.other_texts[int(np.flatnonzero(self.other == pos)[0])]
        return self.ascii[pos].as_py()


# Written the common ways: -1234.50, 1234, .5, or with a symbol and thousands, $1,234.50, and
# the accounting negative (£1,234.50). Exactly what parse_number gives them (tested against
# it); every other text goes through parse_number itself, once per distinct text.
_FAST_PLAIN = r"^-?(?:\d+\.?\d*|\.\d+)$"
_FAST_MONEY = (r"^(?:\([$£€]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\)"
               r"|[$£€]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)$")


def parse_number_series(series: pd.Series, decimal: str | None = None,
                        percent: Percent = "fraction") -> ParsedColumn:
    """Parse a whole column; decide its decimal separator first unless one is given."""
    notes: list[str] = []
    cleaned = clean_text(series)
    if decimal is None:
        choice = _detect_decimal(series.index, cleaned)
        decimal = choice.separator
        notes += [choice.message] if choice.message else []
    values = np.full(len(series), np.nan)
    errors = np.full(len(series), None, dtype=object)
    done = np.zeros(len(series), dtype=bool)
    if decimal == ".":
        fast = pc.or_(pc.match_substring_regex(cleaned, _FAST_PLAIN),
                      pc.match_substring_regex(cleaned, _FAST_MONEY))
        digits = pc.replace_substring_regex(pc.if_else(fast, cleaned, "0"), r"[^\d.]", "")
        number = pc.cast(pc.if_else(pc.equal(digits, ""), "0", digits), pa.float64())
        negative = pc.or_(pc.starts_with(cleaned, "-"), pc.starts_with(cleaned, "("))
        number = pc.if_else(negative, pc.negate(number), number).to_numpy(zero_copy_only=False)
        done = fast.to_numpy(zero_copy_only=False) & np.isfinite(number)
        values[done] = number[done]
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
    codes = "|".join(c for c in _CODES if c.isalpha())
    # Only cells holding a symbol or a code's letters can match: Arrow finds those, and
    # Python's regex (whose \b knows non-English letters) reads just them.
    maybe = pc.match_substring_regex(clean_text(series), f"[{_SYMBOLS}]|{codes}")
    candidates = series[maybe.to_numpy(zero_copy_only=False)]
    found = candidates.astype("str").str.extract(rf"([{_SYMBOLS}]|\b(?:{codes})\b)", expand=False)
    counts = found.dropna().value_counts()
    return ", ".join(f"{mark} ({n:,} rows)" for mark, n in counts.items())
