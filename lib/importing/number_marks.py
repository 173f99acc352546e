"""The marks a number is written with besides its digits: a currency symbol or code ('$', '€',
'EUR'), and scientific notation (1.2E+04), whose digits alone are another number and which is
how Excel shows a number of 12 digits or more, rounded to 6 significant digits (123456789012 ->
1.23457E+11).

Whole columns at a time with Arrow, as lib.importing.numbers reads them.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_SYMBOLS = "$£€₹¥₩₽₺₪฿"
_CODES = ("USD", "EUR", "GBP", "INR", "JPY", "CHF", "AUD", "CAD", "NZD", "SGD", "HKD", "CNY",
          "SEK", "NOK", "DKK", "ZAR", "BRL", "MXN", "AED", "US$", "A$", "C$", "NZ$", "S$", "R$", "RS")

# ---------------------------------------------------------------- scientific notation
# A cell holding one number in scientific notation, with a sign or a currency around it:
# 1.2E+04, -3.5e3, $1,2E+04. Its mantissa's '.' or ',' can only be the decimal sign, and what
# its digits alone read (1.204) is another number. For Arrow's regexes and Python's alike.
SCIENTIFIC = re.compile(r"^[^\d.,]*(?:\d+(?:[.,]\d*)?|[.,]\d+)[eE][+-]?\d+[^\d.,]*$")
# ... as Excel writes it, with a capital E, and the decimal sign given (1.2E+04 a point, 1,2E+04
# a comma): the sign Excel was set to write decimals with
SCIENTIFIC_WITH = {sep: re.compile(rf"^[^\d.,]*\d+{re.escape(sep)}\d+E[+-]?\d+[^\d.,]*$")
                   for sep in ".,"}
# As Excel's General format shows a number of 12 digits or more (and saves it so to a CSV):
# rounded to 6 significant digits, 1.23457E+11 (1E+11 and 1.2E+11 when the 6th and the digits
# before it are 0); 1,23457E+11 where the decimal sign is a comma
_AS_EXCEL_SHOWS = (r"^[^\d.,]*\d[.,]\d{5}E\+\d{2,3}[^\d.,]*$"
                   r"|^[^\d.,]*\d(?:[.,]\d{1,4})?E\+(?:1[1-9]|[2-9]\d|\d{3})[^\d.,]*$")


def scientific(texts: pa.Array) -> np.ndarray:
    """Which of `texts` hold a number in scientific notation (SCIENTIFIC), as booleans."""
    return pc.match_substring_regex(texts, SCIENTIFIC.pattern).to_numpy(zero_copy_only=False)


def as_excel_shows(cleaned: pa.Array, read: np.ndarray, index: pd.Index) -> list[str]:
    """A note on the cells at positions `read` (the text cells read as numbers) that hold a
    number as Excel shows it in scientific notation: its last digits are lost."""
    texts = cleaned if len(read) == len(cleaned) else cleaned.take(pa.array(read, pa.int64()))
    maybe = np.flatnonzero(pc.match_substring(texts, "E+").to_numpy(zero_copy_only=False))
    if not len(maybe):
        return []
    shown = maybe[pc.match_substring_regex(texts.take(pa.array(maybe)), _AS_EXCEL_SHOWS)
                  .to_numpy(zero_copy_only=False)]
    if not len(shown):
        return []
    n, first = len(shown), int(shown[0])
    rows = f"row {index[int(read[first])]}" + (f"; {n:,} rows in all" if n > 1 else "")
    return [f"Values like '{texts[first].as_py()}' ({rows}) are numbers as Excel shows them in "
            "scientific notation, with 6 significant digits: the exact value may be lost. Format "
            "the column as Number in Excel and export the file again."]


# ---------------------------------------------------------------- currency marks
_MARK = re.compile(rf"[{_SYMBOLS}]|\b(?:{'|'.join(c for c in _CODES if c.isalpha())})\b")


def row_marks(cleaned: pa.Array, odd: np.ndarray) -> pa.Array:
    """Each cell's first currency symbol or code ('$', '€', 'EUR'), null where it has none.
    `odd`: the positions of the cells Python's regexes must read (lib.importing.numbers)."""
    # Only a cell holding a non-ASCII character, a "$" or a capital letter can hold a mark.
    capitals = pc.not_equal(pc.ascii_lower(cleaned), cleaned).to_numpy(zero_copy_only=False)
    maybe = np.flatnonzero(~pc.string_is_ascii(cleaned).to_numpy(zero_copy_only=False) | capitals
                           | pc.match_substring(cleaned, "$").to_numpy(zero_copy_only=False))
    texts = cleaned.take(pa.array(maybe, pa.int64()))
    # Mostly the mark is a symbol and the first thing after the digits, signs and spaces
    # ((£1.00), 12 €). A regex reads the other cells: Arrow's, but Python's where \b decides and
    # knows the letters around better (odd cells with capitals).
    marks = pc.utf8_slice_codeunits(pc.utf8_ltrim(texts, " 0123456789.,()+-%"), 0, 1)
    redo = np.flatnonzero(~pc.is_in(marks, pa.array(list(_SYMBOLS))).to_numpy(zero_copy_only=False))
    if len(redo):
        found = pc.extract_regex(texts.take(pa.array(redo)), f"(?P<mark>{_MARK.pattern})")
        found = pc.struct_field(found, "mark").to_numpy(zero_copy_only=False)
        for i in np.flatnonzero(np.isin(maybe[redo], odd) & capitals[maybe[redo]]):
            match = _MARK.search(texts[int(redo[i])].as_py())
            found[i] = match and match[0]
        redone = np.zeros(len(marks), dtype=bool)
        redone[redo] = True
        marks = pc.replace_with_mask(marks, pa.array(redone), pa.array(found, pa.string()))
    at = np.full(len(cleaned), -1, dtype=np.int64)     # each cell's place among `maybe`
    at[maybe] = np.arange(len(maybe))
    return marks.take(pa.array(at, mask=at < 0))


_HEADER_MARK = re.compile(
    rf"(?<![A-Za-z])T?(?P<code>{'|'.join(c for c in _CODES if c.isalpha() and c != 'RS')})(?![A-Za-z])"
    rf"|(?P<symbol>[{_SYMBOLS}])")


def header_mark(header: str) -> str | None:
    """The currency a number column's header names ('Amount (EUR)', 'Umsatz TEUR', 'Sales $'),
    as the mark its every cell carries."""
    m = _HEADER_MARK.search(header)
    return (m.group("code") or m.group("symbol")) if m else None
