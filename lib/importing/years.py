"""A month given as two columns, Year and Month (2025 | 3, Jahr | März), as finance and ERP
exports give their period. The Year column is a part of the month (lib.importing.specs:
Field.part_of) and is never stored itself.

Before the months are read, a Month cell that names its month alone (3, 03, 3.0 as a workbook
writes the number, Mar, March, März, janv., with the month names lib.importing.dates reads)
takes its row's year and becomes 2025-03, so the month parser reads it as any other month.
Where the row has no year to give (its Year cell empty or not a year), the row is an error
naming the Year column and its cell, and the Month cell is emptied so the row is not reported
twice. Once the months are read, a month written with its own year (Mar 2025, 2025-03, a date)
must be in its row's year. Without a Year column, a month alone is an error saying it has no
year (never a month of some year guessed for it).

A column at a time: each distinct text is read once (a million rows of periods hold a few
dozen) and everything per row is numpy.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from lib.importing.dates import MONTHS
from lib.importing.dates_numeric import year as full_year
from lib.importing.specs import EntitySpec
from lib.importing.values import NULL_TOKENS, clean, factorize

_NUMBER = re.compile(r"^(\d{1,3})(?:\.0*)?$")    # 3, 03, 003 (an ERP's period), 3.0 (a workbook's)
_YEAR = re.compile(r"^(?:FY\s*'?)?((?:19|20)\d\d|2100)(?:\.0*)?$", re.I)   # 2025, 2025.0, FY2025
_FY_SHORT = re.compile(r"^FY\s*'?(\d\d)$", re.I)                            # FY25
# A header or cell saying the years are fiscal years, whose first month may not be January
_FISCAL = re.compile(r"fiscal|financial|\bfy\b|gesch[aä]ftsjahr|wirtschaftsjahr|exercice|"
                     r"ejercicio|esercizio|boekjaar|obrotowy", re.I)
_NO_YEAR = ("names a month without its year: map the file's Year column to Year too, or write "
            "each month with its year (2025-03)")
_NOT_A_YEAR = "is not a year: write it in four digits (2025)"
_NOT_A_MONTH = "is not a month: months are numbered 1 to 12"


def month_alone(text: str) -> int:
    """The month a cell names without its year: 3, 03, 3.0, Mar, Sept., März -> 3; 0 when it
    names none that way (empty, Mar 2025, Q1); -1 for a short number that is no month (0, or
    13 to 16: the closing periods an ERP keeps after December)."""
    s = clean(text)
    if m := _NUMBER.match(s):
        number = int(m.group(1))
        return number if 1 <= number <= 12 else -1
    return MONTHS.get(s.rstrip(".").lower(), 0)


def year_of(text: str) -> int:
    """2025, 2025.0 (a workbook's number), FY2025, FY25 -> 2025; 0 for an empty cell, -1 for
    anything else."""
    s = clean(text)
    if s.casefold() in NULL_TOKENS:
        return 0
    if m := _YEAR.match(s):
        return int(m.group(1))
    if m := _FY_SHORT.match(s):
        return full_year(m.group(1))
    return -1


@dataclass
class MonthYears:
    """What join_year did, for staging to finish once the months are read. `problems`: pos
    (the row of the staged values), value, reason and the column the value came from."""

    month: str                    # the Month column
    year: str | None              # the Year column (or the constant's label); None: not given
    years: np.ndarray             # per row: the year its Year cell gives, 0: none, -1: no year
    year_codes: np.ndarray        # per row: which of year_texts its Year cell is
    year_texts: np.ndarray
    own: np.ndarray               # per row: the Month cell was left as written (a year of its own)
    problems: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def errors(self, out: pd.DataFrame) -> list[pd.DataFrame]:
        """The rows whose month could not be had, and those whose month, written with its own
        year, is not in the Year column's year (their month is emptied in `out`): row, pos,
        field, value, reason, as staging keeps its errors (no frame when there are none)."""
        pos, value, reason = (self.problems[c].to_numpy() for c in ("pos", "value", "reason"))
        if self.year is not None:
            months = out["month"].to_numpy()
            at = np.flatnonzero(self.own & (self.years > 0) & ~np.isnat(months))
            stated = months[at].astype("datetime64[Y]").astype(np.int64) + 1970
            wrong = stated != self.years[at]
            at, stated = at[wrong], stated[wrong]
            out.iloc[at, out.columns.get_loc("month")] = pd.NaT
            # one message per year the month is in and Year cell it disagrees with
            step = len(self.year_texts)
            unmap = (f" (if '{self.year}' counts fiscal years, set it to Ignore: the month "
                     "gives its own year)" if _fiscal(self.year, self.year_texts) else "")
            pos = np.concatenate([pos, at]).astype(np.int64)
            value = np.concatenate([value, out["month__raw"].to_numpy()[at].astype(object)])
            reason = np.concatenate([reason, _once(
                stated * step + self.year_codes[at],
                lambda k: f"is in {k // step}, but '{self.year}' says "
                          f"{clean(self.year_texts[k % step])}: correct one of them{unmap}")])
        if not len(pos):
            return []
        return [pd.DataFrame({"row": out["_row"].to_numpy()[pos], "pos": pos, "field": "month",
                              "value": value, "reason": reason})]

    def cell_columns(self, n: int) -> np.ndarray | None:
        """Per row of the staged values, the column its month's error names: the Year column
        on the rows whose year was wrong or missing, else the Month column. None when no row
        names the Year column."""
        elsewhere = self.problems[self.problems["column"] != self.month]
        if elsewhere.empty:
            return None
        columns = np.full(n, self.month, dtype=object)
        columns[elsewhere["pos"].to_numpy(dtype=np.int64)] = elsewhere["column"].to_numpy()
        return columns


def join_year(rows: pd.DataFrame, entity_spec: EntitySpec, columns: dict[str, str],
              constants: dict[str, str]) -> tuple[pd.DataFrame, MonthYears | None]:
    """`rows` with each Month cell that names its month alone written as that month of its
    row's year (Year 2025, Month 3 -> 2025-03), and what staging needs to finish (None when
    the entity has no year part or no Month column is mapped). `columns`: field -> the header
    it is mapped to, or the label of a constant (`constants`: field -> its value)."""
    whole = next((f for f in entity_spec.fields if f.kind == "month"), None)
    parts = entity_spec.parts(whole.name) if whole else []
    part = next((p for p in parts if p.kind == "year"), None)
    if part is None or whole.name not in columns or whole.name in constants:
        return rows, None
    month, year = columns[whole.name], columns.get(part.name)
    codes, texts = factorize(rows[month])
    alone = np.array([month_alone(t) for t in texts], dtype=np.int64)[codes]
    if part.name in constants:
        year_codes = np.zeros(len(rows), dtype=np.int64)
        year_texts = np.array([constants[part.name]], dtype=object)
    elif year is not None:
        year_codes, year_texts = factorize(rows[year])
    else:
        year_codes, year_texts = np.zeros(len(rows), dtype=np.int64), np.array([""], dtype=object)
    years = np.array([year_of(t) for t in year_texts], dtype=np.int64)[year_codes]
    if year is None:    # a month alone is an error: its year would be a guess
        no_year, unreadable, missing, not_month = alone > 0, *np.zeros((3, len(rows)), dtype=bool)
    else:
        no_year, unreadable = np.zeros(len(rows), dtype=bool), years < 0
        missing, not_month = (years == 0) & (alone > 0), (alone < 0) & ~unreadable
    def month_cells(at: np.ndarray) -> np.ndarray:
        return texts[codes[at]]

    problems = [   # (which rows, their cells in the column named, the reason, that column)
        (no_year, month_cells, lambda at: _NO_YEAR, month),
        (unreadable, lambda at: year_texts[year_codes[at]], lambda at: _NOT_A_YEAR, year),
        (missing, lambda at: "", lambda at: _once(
            codes[at], lambda c: f"is empty, so '{month}' ({clean(texts[c])}) has no year"), year),
        (not_month, month_cells, lambda at: _NOT_A_MONTH, month)]
    found = pd.concat([pd.DataFrame({"pos": at, "value": value(at), "reason": say(at),
                                     "column": column})
                       for mask, value, say, column in problems
                       if len(at := np.flatnonzero(mask))] or [_NONE], ignore_index=True)
    bad, joined = no_year | unreadable | missing | not_month, (alone > 0) & (years > 0)
    if joined.any() or bad.any():
        cells = rows[month].to_numpy(dtype=object, na_value="")
        cells[joined] = _once(years[joined] * 100 + alone[joined],
                              lambda k: f"{k // 100}-{k % 100:02d}")
        cells[bad] = ""
        rows = rows.assign(**{month: pd.Series(cells, index=rows.index, dtype="str")})
    first = np.flatnonzero(joined)[:1]
    example = (texts[codes[first[0]]], int(years[first[0]])) if len(first) else None
    return rows, MonthYears(month, year, years, year_codes, year_texts, ~(joined | bad), found,
                            _notes(month, year, year_texts, example))


_NONE = pd.DataFrame({"pos": np.empty(0, np.int64), "value": np.empty(0, object),
                      "reason": np.empty(0, object), "column": np.empty(0, object)})


def _once(keys: np.ndarray, say: Callable[[int], str]) -> np.ndarray:
    """say(key) for each of `keys`, worked out once per distinct key."""
    if not len(keys):
        return np.empty(0, dtype=object)
    back, distinct = pd.factorize(keys)
    return np.array([say(int(k)) for k in distinct], dtype=object)[back]


def _notes(month: str, year: str | None, year_texts: np.ndarray,
           example: tuple[str, int] | None) -> list[str]:
    """What the import did with the year (`example`: the first month it joined, and its year):
    a note when months took their year from the Year column, and a warning when that column
    may count fiscal years."""
    if year is None or example is None:
        return []
    text, first = example
    notes = [f"Month ('{month}') gives the month alone; each row's year was taken from "
             f"'{year}' ({clean(text)} and {first} -> {first}-{month_alone(text):02d})."]
    if _fiscal(year, year_texts):
        notes.append(f"'{year}' may count fiscal years; they were read as calendar years "
                     "(period 3 of 2025 -> 2025-03). If the fiscal year does not start in "
                     "January, give calendar months instead (2025-03).")
    return notes


def _fiscal(year: str, year_texts: np.ndarray) -> bool:
    """Whether the Year column's header or cells say it counts fiscal years (FY2025)."""
    return bool(_FISCAL.search(year)) or any(clean(t).upper().startswith("FY") for t in year_texts)
