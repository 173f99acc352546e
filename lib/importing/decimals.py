"""Whether '12.500' is twelve and a half or twelve thousand five hundred.

A number column decides for itself when one of its values can be read only one way
(lib.importing.numbers). When none can and some are written like '12.500', the rest of the file
may still say: another number column that decided, dates written 31.01.2025, or cells separated
by semicolons, as the countries that write 1.234,50 write them. Failing that the person is
asked (Staged.decimal_doubts), and until they answer those cells are errors, not a guess.
"""
from __future__ import annotations

import pandas as pd
import pyarrow as pa

from lib.importing.numbers import doubtful_cells, parse_number_series
from lib.importing.values import ParsedColumn

SEPARATORS = {".": "a decimal point (1,234.50)", ",": "a decimal comma (1.234,50)"}
UNANSWERED = ("could have a decimal point or a thousands separator; say how the file writes "
              "decimals")
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
    """An undecided column (parsed.decimal.undecided) read the way the file points, with a
    note saying so; else as parsed: '1,500' as thousands (its note says so), and '12.500'
    cells made errors, with the doubt to ask about."""
    separator, why = evidence
    doubt = parsed.decimal.doubt
    if separator:
        settled = parse_number_series(raw, decimal=separator)
        settled.notes.insert(0, f"{parsed.decimal.undecided} They were read with "
                                f"{SEPARATORS[separator]}, as {why}.")
        return settled, ""
    if not doubt:
        return parsed, ""
    errors = parsed.errors.to_numpy(copy=True)
    unanswered = doubtful_cells(cleaned) & pd.isna(errors)
    errors[unanswered] = UNANSWERED
    return ParsedColumn(parsed.values.where(~unanswered),
                        pd.Series(errors, index=parsed.errors.index, dtype=object),
                        parsed.notes, parsed.marks, parsed.decimal), doubt
