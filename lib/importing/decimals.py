"""Whether '12.500' is twelve and a half or twelve thousand five hundred.

A number column decides for itself when one of its values can be read only one way
(lib.importing.numbers). When none can and some are written like '12.500', the rest of the file
may still say: another number column that decided, dates written 31.01.2025, or cells separated
by semicolons, as the countries that write 1.234,50 write them. Failing that the person is
asked (Staged.decimal_doubts), and until they answer those cells are errors, not a guess.

A column whose values decide both ways ('1.234,50' in one row, '99.95' in another) says nothing
about its '12.500' and '1,500' either: they are settled the same way, by the file or the person.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from lib.importing.numbers import parse_number_series, unsure_cells
from lib.importing.values import ParsedColumn

SEPARATORS = {".": "a decimal point (1,234.50)", ",": "a decimal comma (1.234,50)"}
UNANSWERED = ("could have a decimal point or a thousands separator; say how the file writes "
              "decimals")
UNANSWERED_COMMA = ("could have a decimal comma or a thousands separator; say how the file "
                    "writes decimals")
_DOTTED_DATE = r"^\s*\d{1,2}\.\d{1,2}\.\d{2,4}\b"
_LOOKED_AT = 2_000


def file_evidence(decided: dict[str, str], dates: dict[str, pd.Series], delimiter: str = ""
                  ) -> tuple[str | None, str]:
    """The separator the rest of the file points to and why, from the number columns that
    decided (header -> separator), the date columns (header -> cells) and a CSV's delimiter
    (Excel separates cells with ';' where the comma is the decimal sign); (None, "") when it
    points nowhere, or both ways."""
    votes: dict[str, str] = {}
    for header, separator in decided.items():
        votes.setdefault(separator, f"column '{header}' is written that way")
    for header, cells in dates.items():
        if cells.head(_LOOKED_AT).astype("str").str.contains(_DOTTED_DATE, regex=True).any():
            votes.setdefault(",", f"the dates in '{header}' are written day.month.year")
    if delimiter == ";":
        votes.setdefault(",", "the file separates its cells with semicolons, as files that "
                              "write 1.234,50 do")
    return next(iter(votes.items())) if len(votes) == 1 else (None, "")


def settle(raw: pd.Series, cleaned: pa.Array, parsed: ParsedColumn,
           evidence: tuple[str | None, str]) -> tuple[ParsedColumn, str]:
    """An undecided or mixed column (parsed.decimal.undecided) read the way the file points,
    with a note saying so; else as parsed: '1,500' as thousands (its note says so), and
    '12.500' cells (a mixed column's '1,500' too) made errors, with the doubt to ask about."""
    separator, why = evidence
    choice = parsed.decimal
    if separator:
        settled = parse_number_series(raw, decimal=separator, excel_numbers=choice.excel_numbers,
                                      percent=choice.percent)
        settled.notes.insert(0, f"{choice.undecided} " + (
            f"The column was read with {SEPARATORS[separator]}, as {why}; its values written "
            "the other way are errors." if choice.mixed else
            f"They were read with {SEPARATORS[separator]}, as {why}."))
        return settled, ""
    if not choice.doubt:
        return parsed, ""
    errors = parsed.errors.to_numpy(copy=True)
    readable = pd.isna(errors)
    if choice.excel_numbers is not None:      # a workbook's numbers are in no doubt
        readable &= ~choice.excel_numbers
    dotted = unsure_cells(cleaned, ".") & readable     # '12.500'; a mixed column's '1,500' too
    commas = unsure_cells(cleaned, ",") & readable if choice.mixed else np.zeros_like(readable)
    errors[dotted], errors[commas] = UNANSWERED, UNANSWERED_COMMA
    unanswered = dotted | commas
    notes = [f"{n} They are errors until someone says how the file writes decimals."
             if choice.mixed and n == choice.message else n for n in parsed.notes]
    return ParsedColumn(parsed.values.where(~unanswered),
                        pd.Series(errors, index=parsed.errors.index, dtype=object),
                        notes, parsed.marks, choice), choice.doubt

