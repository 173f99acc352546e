"""What the value parsers share: the tokens that mean "no value" and the column-level result.

A column parser never raises for a bad cell: it returns the parsed values, one message per bad
row (keyed by the source row, the index of Sheet.rows) and notes about choices it made, so the
preview can show every problem at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Compared after trimming and case-folding. "$-" is not here: accountants write it for zero.
NULL_TOKENS = frozenset({"", "#n/a", "n/a", "na", "-", "--", "\u2013", "\u2014", "null", "none", "nan",
                         "#null!", "(blank)", "nil"})
# In a text field "NA" is a value: North America, Namibia's country code.
TEXT_NULL_TOKENS = NULL_TOKENS - {"na"}
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
    """The message for an Excel error value left in a cell (#DIV/0! ...) or a formula where a
    value should be, else None."""
    if text.casefold() in EXCEL_ERRORS:
        return f"the cell holds the Excel error {text}, not a value"
    if text.startswith("="):
        return ("the cell holds a formula, not its result: save the file from Excel (which "
                "stores results) or paste the values")
    return None


@dataclass
class ParsedColumn:
    """values: parsed, aligned with the input index (missing where null or bad).
    errors: message per bad row, same index, None where the cell was fine.
    marks: for numbers, the currency symbol or code each cell was written with (null where
    none), by position; None when no cell has one."""

    values: pd.Series
    errors: pd.Series
    notes: list[str] = field(default_factory=list)
    marks: pa.Array | None = None
    decimal: Any = None   # numbers: the DecimalChoice the column made for itself, if it made one
    as_written: bool = False   # text: the values are the cells' text as written (trimmed)

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
    codes, texts = factorize(series)
    values, errors = parse_each(texts, parse)
    return (pd.Series(values[codes], index=series.index, dtype=object),
            pd.Series(errors[codes], index=series.index, dtype=object))


def factorize(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, the distinct texts in order of first appearance, as objects)."""
    codes, uniques = pd.factorize(series.astype("str"), use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)


def parse_each(texts: np.ndarray, parse: Callable[[str], Any]) -> tuple[np.ndarray, np.ndarray]:
    """`parse` per text: (values, messages) as object arrays; None where it failed / was fine."""
    values = np.full(len(texts), None, dtype=object)
    errors = np.full(len(texts), None, dtype=object)
    for i, text in enumerate(texts):
        try:
            values[i] = parse(text)
        except ValueError as exc:
            errors[i] = f"'{clean(text)}': {exc}"
    return values, errors


def first_positions(codes: np.ndarray, n: int) -> np.ndarray:
    """For each of n codes, the position of the first row holding it."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # factorize numbers the texts in order of first appearance, so a first row is a new maximum
    first = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)
    if len(first) != n:   # not in order after all: the general way
        first = np.full(n, len(codes), dtype=np.int64)
        np.minimum.at(first, codes, np.arange(len(codes)))
    return first


# ---------------------------------------------------------------- whole columns at C speed
# A million-row column is never walked cell by cell in Python. Text is trimmed with Arrow
# wherever that is provably what `clean` does (no whitespace but the plain space), and the
# Python functions run once per distinct text of what is left.

# Every character Python's str.strip() removes (str.isspace()), except the plain space Arrow
# trims itself; spelled out, since working it out costs 80 ms at every start.
_ODD_SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
               "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_ODD_SPACE_RE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _ODD_SPACES) + "]"


def arrow_text(series: pd.Series) -> pa.Array:
    """The column as one Arrow string array (missing cells null), without copying Arrow data."""
    text = series if isinstance(series.dtype, pd.StringDtype) else series.astype("str")
    array = pa.array(text.array) if not isinstance(text.array, pa.ChunkedArray) else text.array
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type):
        array = array.cast(pa.string())
    return array


def clean_text(series: pd.Series | pa.Array) -> pa.Array:
    """`clean` applied to every cell, as an Arrow string array ("" for missing cells)."""
    array = series if isinstance(series, pa.Array) else arrow_text(series)
    array = pc.fill_null(array, "")
    spaced = pc.or_(pc.starts_with(array, " "), pc.ends_with(array, " "))
    out = pc.utf8_trim(array, " ") if pc.any(spaced).as_py() else array   # a copy only if needed
    # _ODD_SPACES are never printable ASCII: only the other cells are searched for them.
    maybe = np.flatnonzero(~pc.ascii_is_printable(array).to_numpy(zero_copy_only=False))
    odd = maybe[pc.match_substring_regex(array.take(pa.array(maybe, pa.int64())), _ODD_SPACE_RE)
                .to_numpy(zero_copy_only=False)]
    if len(odd):
        texts = pd.Series(array.take(pa.array(odd)).to_pylist(), dtype=object)
        codes, uniques = pd.factorize(texts)
        fixed = pa.array([clean(u) for u in uniques], out.type).take(pa.array(codes))
        mask = np.zeros(len(array), dtype=bool)
        mask[odd] = True
        out = pc.replace_with_mask(out, pa.array(mask), fixed)
    return out


def null_mask(cleaned: pa.Array, tokens: frozenset[str] = NULL_TOKENS) -> np.ndarray:
    """is_null per cell of a `clean_text` column (a bool array); `tokens`: what means no value."""
    ascii_only = pc.string_is_ascii(cleaned).to_numpy(zero_copy_only=False)
    mask = pc.is_in(pc.ascii_lower(cleaned), value_set=pa.array(sorted(tokens))
                    ).to_numpy(zero_copy_only=False).copy()
    if not ascii_only.all():   # casefold is not lower outside ASCII: ask Python
        positions = np.flatnonzero(~ascii_only)
        texts = cleaned.take(pa.array(positions)).to_pylist()
        mask[positions] = [t.casefold() in tokens for t in texts]
    return mask


def str_series(array: pa.Array, index: pd.Index) -> pd.Series:
    """An Arrow string array as a pandas `str` column."""
    return pd.Series(pa.chunked_array([array]), index=index, dtype="str")
