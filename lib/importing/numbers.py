"""Numbers and money the way people type them into spreadsheets.

`$32,370.00`, ` $(4,533.75)` (accounting negative), `$-` (accounting zero), `1.234,50`
(European, decided for the whole column), `7.4E8`, `12%`, `£`, `€`, `₹`, `USD 12`, `1,00,000`
(Indian grouping), `2'500.-` and `2.500,-` (no cents, as Swiss and Germans write it; not a minus).
Percentages become fractions by default (12% -> 0.12) because that is what Excel stores; pass
percent="points" to keep 12, or percent="money" for a column of amounts, where 12% is an error.

parse_number is the definition. parse_number_series reads the common spellings of a whole
column with Arrow (one regex and one cast over the column) and hands every other text to
parse_number once per distinct text, so both give the same value and the same message. The
decimal choice and the currency marks are found with Arrow too; Python's regexes read only the
cells Arrow's could read differently (other scripts' digits and letters).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.importing.number_marks import (_CODES, _SYMBOLS, SCIENTIFIC, SCIENTIFIC_WITH, as_excel_shows,
                                        row_marks, scientific)
from lib.importing.values import (NULL_TOKENS, ParsedColumn, clean, clean_text, excel_error,
                                  map_unique, str_series)

# 12% as 0.12 (what Excel stores), as 12, or, in a column of amounts, as an error
Percent = Literal["fraction", "points", "money"]
_CURRENCY = re.compile(rf"^(?:{'|'.join(re.escape(c) for c in _CODES)}|[{_SYMBOLS}])\.?\s*|"
                       rf"\s*(?:{'|'.join(re.escape(c) for c in _CODES)}|[{_SYMBOLS}])$", re.I)
_GROUPED = {".": re.compile(r"^\d{1,3}(,\d{3})+$|^\d{1,2}(,\d{2})+,\d{3}$"),
            ",": re.compile(r"^\d{1,3}(\.\d{3})+$")}
_PLAIN = re.compile(r"^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.I)
_MINUS = "-\u2212\u2013"
_LEDGER_MARK = re.compile(r"\d\s*(?:CR|DR)$", re.I)
# "2'500.-", "2.500,-", "1'250.--": no cents, the way Swiss, German and Austrian prices are
# written. The sign before the dash is the decimal sign; a dash after a digit is SAP's minus.
_DASHES = "(?:-{1,2}|[\u2013\u2014]{1,2})"
_NO_CENTS = re.compile(rf"(?<=\d)([.,]){_DASHES}$")
_SEPARATOR_NAMES = {".": "a decimal point", ",": "a decimal comma"}
_NOT_MONEY = "is a percentage, not an amount of money: write the amount itself"


def parse_number(text: Any, decimal: str = ".", percent: Percent = "fraction") -> float | None:
    """Parse one cell; None for an empty/null cell; ValueError (with a reason) when unreadable."""
    s = clean(text).replace("\u2212", "-")
    if s.casefold() in NULL_TOKENS:
        return None
    if error := excel_error(s):
        raise ValueError(error)
    s, had_currency = _strip_currency(s)
    s, cents = _no_cents(s)
    negative, s = _sign(s)
    s, more_currency = _strip_currency(s)
    if not cents:                       # (2.500,-), -€2.500,-
        s, cents = _no_cents(s)
    if s in ("", "-") and (had_currency or more_currency):
        return 0.0                      # "$-" / " $-   ": the accounting format's zero
    if cents and (cents != decimal or decimal in s):    # 2.500,- read with a point; 2,500,-
        raise ValueError("not a number" if cents == decimal else (
            f"'{cents}-' for no cents says the file writes {_SEPARATOR_NAMES[cents]}, but the "
            f"column is read with {_SEPARATOR_NAMES[decimal]}"))
    scale, share = 1.0, s.endswith("%")
    if share:
        s, scale = s[:-1].strip(), (0.01 if percent == "fraction" else 1.0)
    if _LEDGER_MARK.search(s):
        raise ValueError("has a CR/DR mark: whether a credit is negative depends on the ledger, "
                         "so write the sign instead (-1,234.50)")
    try:
        value = _unsigned(s, decimal) * scale
    except ValueError as unread:
        other = "," if decimal == "." else "."
        try:
            _unsigned(s, other)
        except ValueError:
            raise unread from None
        if share and percent == "money":    # a percentage, however its decimals are written
            raise ValueError(_NOT_MONEY) from None
        raise ValueError(f"is written with {_SEPARATOR_NAMES[other]}, but the column is read with "
                         f"{_SEPARATOR_NAMES[decimal]}") from None
    if share and percent == "money":
        raise ValueError(_NOT_MONEY)
    return -value if negative else value


def _strip_currency(s: str) -> tuple[str, bool]:
    stripped = _CURRENCY.sub("", s).strip()
    return stripped, stripped != s


def _no_cents(s: str) -> tuple[str, str]:
    """("2.500", ",") for "2.500,-": the text without its dash for no cents, and the decimal
    sign before the dash ("" when there is none)."""
    m = _NO_CENTS.search(s) if s[-1:] in ("-", "\u2013", "\u2014") else None
    return (s[:m.start()], m[1]) if m else (s, "")


def _sign(s: str) -> tuple[bool, str]:
    if s.startswith("(") and s.endswith(")"):
        return True, s[1:-1].strip()
    if s[:1] in _MINUS and len(s) > 1:
        return True, s[1:].strip()
    if s.endswith("-") and len(s) > 1:          # SAP and some ledgers: 1,234.50-
        return True, s[:-1].strip()
    return False, s.removeprefix("+").strip()


def _unsigned(s: str, decimal: str) -> float:
    s = re.sub(r"[\s'\u2019\u00a0\u202f\u2009]", "", s)   # 1 234,50, 1'234.50 and 1’234.50
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
    # No value decides and some are written like '12.500': twelve and a half, or twelve
    # thousand five hundred? Why the file's other columns or the person must say.
    doubt: str = ""
    # No value decides but some fit both readings: which ('12.500', or '1,500', read as
    # thousands unless the rest of the file says the comma is the decimal sign), in words
    undecided: str = ""
    # Values decide both ways, and some fit both readings ('12.500', '1,500'): those are
    # settled as an undecided column's are, or are errors (lib.importing.decimals)
    mixed: bool = False
    # The cells that were numbers in the workbook, by position (parse_number_series)
    excel_numbers: np.ndarray | None = field(default=None, compare=False, repr=False)
    # How the column reads 12% (parse_number_series), to read it again the same way
    percent: Percent = field(default="fraction", compare=False, repr=False)


_EU_ONLY = re.compile(r"^[^.,]*\d,\d{1,2}$|^[^.,]*\d,\d{4,}$|\d\.\d{3},\d+$|^\d{1,3}(?:\.\d{3}){2,}$")
_US_ONLY = re.compile(r"^[^.,]*\d\.\d{1,2}$|^[^.,]*\d\.\d{4,}$|\d,\d{3}\.\d+$|^\d{1,3}(?:,\d{3}){2,}$")


def detect_decimal_separator(series: pd.Series) -> DecimalChoice:
    """Decide for the whole column: one unmistakable value decides; a contradiction is reported."""
    return _detect_decimal(series.index, clean_text(series))


_UNSURE_COMMA = re.compile(r"^\d{1,3},\d{3}$")
_UNSURE_POINT = re.compile(r"^\d{1,3}\.\d{3}$")


# A dash for no cents (2.500,- or 2'500.-), before any currency after it
_DASHED = {sep: re.compile(rf"\d{re.escape(sep)}{_DASHES}[^\d.,]*$") for sep in ".,"}


def _detect_decimal(index: pd.Index, cleaned: pa.Array, odd: np.ndarray | None = None,
                    skip: np.ndarray | None = None) -> DecimalChoice:
    """`skip`: cells that say nothing about the column's style (a workbook's numbers)."""
    texts = _Digits(cleaned, _odd_cells(cleaned) if odd is None else odd, skip)
    eu = texts.first(_EU_ONLY, needs=",", dashed=_DASHED[","])
    us = texts.first(_US_ONLY, needs=".", dashed=_DASHED["."])
    if eu is None and us is None:   # else only scientific notation may say: 1,2E+04, 1.2E+04
        eu, us = (texts.first_written(SCIENTIFIC_WITH[sep], needs="E") for sep in ",.")
    row = lambda pos: index[pos]
    if eu is not None and us is not None:
        mixed = (f"Mixed decimal styles: row {row(eu)} is written European style and row "
                 f"{row(us)} US/UK style.")
        unsure = _earliest(texts.first(_UNSURE_POINT, needs="."),
                           texts.first(_UNSURE_COMMA, needs=","))
        if unsure is None:
            return DecimalChoice(".", False, None, mixed)
        text = texts.text(unsure)
        doubt = (f"{mixed} Values like '{text}' (row {row(unsure)}) could have "
                 f"{_readings(text)}, and the column's values disagree on which.")
        return DecimalChoice(".", False, None, doubt, doubt, doubt, mixed=True)
    if eu is not None:
        return DecimalChoice(",", True, row(eu),
                             f"Decimal comma (European style), decided by row {row(eu)}.")
    if us is not None:
        return DecimalChoice(".", True, row(us), "")
    if (dotted := texts.first(_UNSURE_POINT, needs=".")) is not None:
        text = texts.text(dotted)
        doubt = (f"Values like '{text}' (row {row(dotted)}) could have {_readings(text)}, and no "
                 "value in the column says which.")
        return DecimalChoice(".", False, None, doubt, doubt, undecided=doubt)
    if (unsure := texts.first(_UNSURE_COMMA, needs=",")) is None:
        return DecimalChoice(".", False)
    text, at = texts.text(unsure), row(unsure)
    return DecimalChoice(".", False, None, (
        f"Values like '{text}' (row {at}) were read with ',' as the thousands separator "
        f"({text.replace(',', '')}), as no value in the column has a decimal part to say "
        "otherwise."), undecided=(
        f"Values like '{text}' (row {at}) fit a decimal comma ({float(text.replace(',', '.')):g}) "
        f"as well as a thousands separator ({text.replace(',', '')})."))


def unsure_cells(cleaned: pa.Array, separator: str) -> np.ndarray:
    """Which cells are written like '12.500' (separator '.') or '1,500' (','): either decimal
    separator reads them, one way or the other."""
    unsure = _in_text((_UNSURE_POINT if separator == "." else _UNSURE_COMMA).pattern)
    found = pc.match_substring_regex(cleaned, unsure).to_numpy(zero_copy_only=False).copy()
    at = np.flatnonzero(found)      # not 1.2E+04, whose digits alone are written like 1.204
    found[at] = ~scientific(cleaned.take(pa.array(at, pa.int64())))
    return found


def _earliest(*positions: int | None) -> int | None:
    return min((p for p in positions if p is not None), default=None)


def _readings(text: str) -> str:
    """'12.500' -> "a decimal point (12.5) or a thousands separator (12500)"."""
    sep = "." if "." in text else ","
    return (f"{_SEPARATOR_NAMES[sep]} ({float(text.replace(sep, '.')):g}) or a thousands "
            f"separator ({text.replace(sep, '')})")


# Not digits, letters or separators to Python: a cell whose only non-ASCII characters are these
# reads the same with Arrow's regexes, whose \d, \w and \b know ASCII only.
_NOT_WORD = _SYMBOLS + "\u2212\u2013"
_CHUNK = 1 << 16


def _odd_cells(cleaned: pa.Array) -> np.ndarray:
    """Positions of the cells Python's regexes must read: those holding a non-ASCII character
    that is not in _NOT_WORD (another script's digits or letters, an unusual space...)."""
    other = np.flatnonzero(~pc.string_is_ascii(cleaned).to_numpy(zero_copy_only=False))
    if not len(other):
        return other
    odd = pc.match_substring_regex(cleaned.take(pa.array(other)), f"[^\\x00-\\x{{7f}}{_NOT_WORD}]")
    return other[odd.to_numpy(zero_copy_only=False)]


_DROPPED = r"[^\d.,]*"     # what reading only a cell's digits, dots and commas leaves out


def _in_text(pattern: str) -> str:
    """A pattern over a cell's digits, dots and commas, rewritten to be found in the cell's own
    text: what that reading leaves out may stand before each digit, dot or comma and at the end."""
    def widen(token: re.Match) -> str:
        if token[0] == "$":
            return f"{_DROPPED}$"
        if token[0] == "[^.,]*" or token[0].startswith("{"):   # takes it in; a count like {1,2}
            return token[0]
        return f"(?:{_DROPPED}{token[0]})"
    return re.sub(r"\[\^\.,\]\*|\{[\d,]+\}|\\d|\\\.|\[\.,\]|,|\$", widen, pattern)


class _Digits:
    """Each cell's digits, dots and commas, searched for the first cell a pattern is found in.
    Arrow's regexes search the cells they read as Python's do, in the cell's own text (_in_text);
    Python's, whose \\d also knows other scripts' digits, read the odd rest (_odd_cells). Only the
    cells holding a character the pattern needs are read, a chunk of rows at a time in order, up
    to the first chunk with a hit."""

    def __init__(self, cleaned: pa.Array, odd: np.ndarray, skip: np.ndarray | None = None):
        self.cleaned = cleaned
        self.arrow_reads = np.ones(len(cleaned), dtype=bool)
        self.arrow_reads[odd] = False
        if skip is not None:          # read by no one
            self.arrow_reads &= ~skip
            odd = odd[~skip[odd]]
        self.odd = dict(zip(odd.tolist(), cleaned.take(pa.array(odd, pa.int64())).to_pylist()))
        self.holding: dict[tuple[str, int], np.ndarray] = {}    # (character, chunk) -> cells

    def first(self, pattern: re.Pattern, needs: str, dashed: re.Pattern | None = None
              ) -> int | None:
        """Position of the first cell whose digits, dots and commas the pattern is found in (only
        a cell holding one of the characters `needs` can be), or whose own text `dashed` is (a
        pattern for Arrow's regexes and Python's alike), or None. Never a cell in scientific
        notation: the digits of 1.2E+04 alone (1.204) are another number."""
        in_text = _in_text(pattern.pattern) + (f"|{dashed.pattern}" if dashed else "")
        return self._first(in_text, needs, lambda text: bool(
            pattern.search(_digits(text)) or (dashed and dashed.search(text))), SCIENTIFIC)

    def first_written(self, pattern: re.Pattern, needs: str) -> int | None:
        """Position of the first cell (holding one of the characters `needs`) whose own text the
        pattern, for Arrow's regexes and Python's alike, is found in, or None."""
        return self._first(pattern.pattern, needs, lambda text: bool(pattern.search(text)))

    def _first(self, in_text: str, needs: str, reads, unless: re.Pattern | None = None
               ) -> int | None:
        found = [pos for pos, text in self.odd.items()
                 if reads(text) and not (unless and unless.search(text))][:1]
        for start in range(0, len(self.cleaned), _CHUNK):
            if found and found[0] < start:
                break
            chunk = self.cleaned.slice(start, _CHUNK)
            holding = np.zeros(len(chunk), dtype=bool)
            for char in needs:      # each chunk is searched for a character once
                if (char, start) not in self.holding:
                    self.holding[char, start] = pc.match_substring(chunk, char).to_numpy(
                        zero_copy_only=False)
                holding |= self.holding[char, start]
            candidates = np.flatnonzero(holding & self.arrow_reads[start:start + _CHUNK])
            texts = chunk.take(pa.array(candidates, pa.int64()))
            hits = pc.match_substring_regex(texts, in_text)
            hit = pc.index(hits, True).as_py()
            if hit >= 0 and unless is not None and unless.search(texts[hit].as_py()):
                at = np.flatnonzero(hits.to_numpy(zero_copy_only=False))    # all, at once
                at = at[~pc.match_substring_regex(texts.take(pa.array(at)), unless.pattern)
                        .to_numpy(zero_copy_only=False)]
                hit = int(at[0]) if len(at) else -1
            if hit >= 0:
                found.append(start + int(candidates[hit]))
                break
        return min(found) if found else None

    def text(self, pos: int) -> str:
        return _digits(self.cleaned[pos].as_py())


def _digits(text: str) -> str:
    return re.sub(r"[^\d.,]", "", text)


# Written the common ways: -1234.50, 1234, .5, or with a symbol and thousands, $1,234.50, and
# the accounting negative (£1,234.50). Exactly what parse_number gives them (tested against
# it); every other text goes through parse_number itself, once per distinct text.
_FAST = (r"^(?:-?(?:\d+\.?\d*|\.\d+)"
         r"|\([$£€]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\)"
         r"|[$£€]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)$")


def parse_number_series(series: pd.Series, decimal: str | None = None,
                        percent: Percent = "fraction", excel_numbers: np.ndarray | None = None
                        ) -> ParsedColumn:
    """Parse a whole column; decide its decimal separator first unless one is given.
    `excel_numbers`: the cells (by position) that were numbers in a workbook, written by
    xlsxread with a point: they say nothing of the text cells' style, and read with the point."""
    notes: list[str] = []
    cleaned = clean_text(series)
    odd = _odd_cells(cleaned)
    point = np.zeros(len(series), dtype=bool) if excel_numbers is None else np.asarray(
        excel_numbers, dtype=bool)
    skip = point if point.any() else None
    decimal_given, choice = decimal, None
    if decimal is None:
        choice = replace(_detect_decimal(series.index, cleaned, odd, skip), excel_numbers=skip,
                         percent=percent)
        decimal = choice.separator
        notes += [choice.message] if choice.message else []
    values = np.full(len(series), np.nan)
    errors = np.full(len(series), None, dtype=object)
    done = np.zeros(len(series), dtype=bool)
    if decimal == "." or skip is not None:
        fast = pc.match_substring_regex(cleaned, _FAST)
        # a fast text is digits, a dot and commas inside signs and symbols at its ends
        digits = pc.replace_substring(pc.utf8_trim(pc.if_else(fast, cleaned, "0"), "-()$£€"),
                                      ",", "")
        number = pc.cast(digits, pa.float64())
        negative = pc.or_(pc.starts_with(cleaned, "-"), pc.starts_with(cleaned, "("))
        number = pc.if_else(negative, pc.negate(number), number).to_numpy(zero_copy_only=False)
        done = fast.to_numpy(zero_copy_only=False) & np.isfinite(number)
        if decimal != ".":
            done &= point
        values[done] = number[done]
    for cells, sep, typed in ((~done & ~point, decimal, True), (~done & point, ".", False)):
        rest = np.flatnonzero(cells)   # positions: the index may repeat (unpivoted wide sheets)
        if len(rest):
            parsed, errs = map_unique(series.iloc[rest], lambda t: parse_number(t, sep, percent))
            values[rest] = pd.to_numeric(parsed, errors="coerce").astype("float64").to_numpy()
            errors[rest] = errs.to_numpy()
        if typed and len(rest):     # text read as a number, not the fast way: 1.23457E+11
            notes += as_excel_shows(cleaned, rest[np.isfinite(values[rest])], series.index)
    values = pd.Series(values, index=series.index, dtype="float64")
    errors = pd.Series(errors, index=series.index, dtype=object)
    marks = row_marks(cleaned, odd)
    counts = str_series(marks, pd.RangeIndex(len(marks))).dropna().value_counts()
    if len(counts):
        seen = ", ".join(f"{mark} ({n:,} row{'s' * (n != 1)})" for mark, n in counts.items())
        notes.append(f"Currency marks seen: {seen}.")
    return ParsedColumn(values, errors, notes, marks if len(counts) else None,
                        choice if decimal_given is None else None)
