"""What kind of sheet this is: months across (unpivot it), prose, a pivot table, or a copy.

These are judgements about a whole sheet, kept apart from the row-level clean-up in table.py.

Month headers are read more widely than `parse_period` reads a cell: a month's last day
(`2025-01-31`, which Excel shows as Jan-25) is that month, and bare month names (`Jan`, `Feb`)
take their year from the title rows above the header when exactly one calendar year appears
there. A fiscal year in a title (FY2025, FY 2025, 2025/26) is not used: which calendar year its
January falls in depends on when that fiscal year starts, which the sheet does not say.
"""
from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from lib.importing.dates import MONTHS, parse_period
from lib.importing.values import arrow_text, clean, clean_text, null_mask, str_series

if TYPE_CHECKING:
    from lib.importing.model import Sheet

MIN_PERIOD_COLUMNS = 3
NUMBERISH = re.compile(r"^[\s$€£₹¥(+\-−]*\d[\d,.\s]*%?\)?\s*$")
_PIVOT_LABELS = re.compile(r"^(row labels|column labels|zeilenbeschriftungen|spaltenbeschriftungen)$",
                           re.I)
# "Sum of Revenue" heads a pivot table's values, but also a BI tool's flat export (Power BI,
# Metabase): on its own it says nothing
_AGGREGATE = re.compile(r"^((sum|count|average|max|min) of|(summe|anzahl|mittelwert) von) .+$", re.I)
_PIVOT_TOTAL = re.compile(r"^(grand total|gesamtergebnis|eindtotaal|total général|total general)\b", re.I)
_YEAR = r"(?:19\d\d|20\d\d|2100)"
YEAR = re.compile(rf"^{_YEAR}$")
_YEAR_HEADER = re.compile(rf"^(?:FY\s*)?{_YEAR}$", re.I)
_QUARTER_HEADER = re.compile(rf"^(?:Q[1-4][\s-]*(?:FY\s*)?'?(?:{_YEAR}|\d{{2}})|{_YEAR}[\s-]*Q[1-4])$", re.I)
_YEAR_IN_TITLE = re.compile(rf"(?<!\d){_YEAR}(?!\d)")
_FISCAL = re.compile(rf"\bFY\s*'?\d{{2,4}}\b|\bfiscal\b"
                     rf"|(?<!\d){_YEAR}\s*[/–-]\s*\d{{2}}(?:\d{{2}})?(?![\d/-])", re.I)
_YEAR_COLUMN = re.compile(r"^(?:fiscal\s*|financial\s*)?(?:year|yr|fy)$", re.I)
_DAY_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$")
_DAY_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_BY_MONTH = ("Revenue, targets and budgets are kept by month: give each month a column of its own "
             "(Jan-2025, Feb-2025, ...) or put the month in a column (Month).")


@dataclass(frozen=True)
class MonthColumns:
    """What a header row says about months across its columns."""

    periods: dict[int, date] | None = None   # column position -> month
    note: str | None = None
    refusal: str | None = None                # months across, but they cannot be dated


@dataclass(frozen=True)
class SplitHeader:
    """A header in two rows: months (each merged over several columns) above the labels of
    the columns under each month (Budget | Actual)."""

    names: list[str]             # per column: "Jan-25 Budget" under a month, else its label
    groups: list[str]            # per column: the upper row's text over it ("FY Total")
    periods: dict[int, date]     # column position -> month
    labels: dict[int, str]       # column position -> its label under the month
    rows: tuple[int, int]        # the two rows, as the spreadsheet numbers them
    note: str | None = None


def header_period(text: str) -> date | None:
    """The month a column header names: what `parse_period` reads, or a month's last day."""
    if (month := parse_period(text)) is not None:
        return month
    s = clean(text)
    if m := _DAY_ISO.match(s):
        year, month_no, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _DAY_SLASH.match(s):    # a month's last day is above 12, so the order is certain
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        month_no, day = (a, b) if b > 12 >= a else (b, a)
    else:
        return None
    if 1 <= month_no <= 12 and 1 <= year <= 9999 and day == monthrange(year, month_no)[1]:
        return date(year, month_no, 1)
    return None


def sheet_month(sheet_name: str, around: str = "") -> date | None:
    """The month a sheet's name gives ("Jan 2025", "2025-01"), for a workbook of one sheet a
    month whose rows do not say their month. A name that is a month alone ("Mar") takes its
    year from `around` (the file's name and the titles above the table) when that names one."""
    if (month := header_period(sheet_name)) is not None:
        return month
    number = MONTHS.get(clean(sheet_name).rstrip(".").lower())
    years = set(_YEAR_IN_TITLE.findall(around))
    return date(int(years.pop()), number, 1) if number and len(years) == 1 else None


def month_columns(names: list[str], titles: list[str] = ()) -> MonthColumns:
    """Months across the columns, when at least three distinct months head them. `titles`: the
    texts of the rows above the header, where bare month names find their year."""
    dated = {i: p for i, n in enumerate(names) if (p := header_period(n)) is not None}
    if _distinct_months(dated):
        return _period_ends(names, dated) or MonthColumns(dated)
    bare = {i: m for i, n in enumerate(names) if (m := MONTHS.get(clean(n).rstrip(".").lower()))}
    if _distinct_months(bare):
        return _year_from_titles(names, bare, titles)
    for what, pattern in (("Years", _YEAR_HEADER), ("Quarters", _QUARTER_HEADER)):
        spans = [clean(n) for n in names if pattern.match(clean(n))]
        if len(set(spans)) >= 2:
            return MonthColumns(note=(
                f"{what} run across the columns ({_shown(spans)}), not months, so the sheet was "
                "kept as it is. " + _BY_MONTH))
    return _days_across(names)


def _days_across(names: list[str]) -> MonthColumns:
    """Days that are not months' ends heading the columns (a weekly report's week starts):
    each column holds a day's or a week's figure, and a week may straddle two months."""
    days = {d for n in names if (d := _header_day(clean(n)))}
    if len(days) < MIN_PERIOD_COLUMNS:
        return MonthColumns()
    ordered = sorted(days)
    weeks = {(b - a).days for a, b in zip(ordered, ordered[1:])} == {7}
    shown = _shown([clean(n) for n in names if _header_day(clean(n))])
    return MonthColumns(note=(
        f"{'Weeks' if weeks else 'Days'} run across the columns ({shown}), not months, so the "
        "sheet was kept as it is. " + _BY_MONTH))


def _header_day(s: str) -> date | None:
    """The day a header writes as 2025-10-06 or 06/10/2025 (either order: only that it is a
    day matters; the first reading that is a real date is taken)."""
    if m := _DAY_ISO.match(s):
        parts = [(int(m.group(1)), int(m.group(2)), int(m.group(3)))]
    elif m := _DAY_SLASH.match(s):
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        parts = [(year, a, b), (year, b, a)]
    else:
        return None
    for year, month_no, day in parts:
        try:
            return date(year, month_no, day)
        except ValueError:
            continue
    return None


def _period_ends(names: list[str], dated: dict[int, date]) -> MonthColumns | None:
    """Days that end quarters or years, three or twelve months apart (2025-03-31, 2025-06-30,
    ...): each such column holds a quarter's or a year's figure, not its last month's."""
    if any(parse_period(names[i]) is not None for i in dated):   # written as months: months
        return None
    ends = sorted(dated.values())
    steps = {(b.year - a.year) * 12 + b.month - a.month for a, b in zip(ends, ends[1:])}
    what = {frozenset({3}): "quarters", frozenset({12}): "years"}.get(frozenset(steps))
    if what is None:
        return None
    return MonthColumns(note=(
        f"The columns are the last days of {what} ({_shown([clean(names[i]) for i in dated])}), "
        f"so each holds a {what[:-1]}'s figure, not its last month's: the sheet was kept as it is. "
        + _BY_MONTH))


def months_under_years(names: list[str], above: list[str]) -> tuple[list[str], MonthColumns] | None:
    """Bare month names under a row of years, each year merged over its months (2025 over Jan
    to Jun, 2026 over Jan to Jun): the header's names with their year ("Jan 2025"), and the
    months. None unless every month has a year at or to the left of it in `above`."""
    year, periods, last = None, {}, 0
    for i, (name, over) in enumerate(zip(names, above)):
        if over := clean(over):   # a merged cell's text sits in its first column
            year, last = (int(over) if YEAR.match(over) else None), 0
        if month := MONTHS.get(clean(name).rstrip(".").lower()):
            if year is None:
                return None
            if month < last:   # Apr..Mar under one year: a fiscal year, whose Jan is the next
                return names, MonthColumns(refusal=(
                    f"the months under {year} run past December ({clean(names[i])} follows "
                    "a later month), so the year above cannot date them all: put the year in "
                    "each header (Dec-2025, Jan-2026)"))
            periods[i], last = date(year, month, 1), month
    if not _distinct_months(periods):
        return None
    years = sorted({p.year for p in periods.values()})
    # A blank header under text is a cell merged down over both rows ("Account" in A1:A2).
    named = [f"{clean(n)} {periods[i].year}" if i in periods else n if clean(n) else above[i]
             for i, n in enumerate(names)]
    return named, MonthColumns(periods, note=(
        f"The month columns take their year from the row above them ({', '.join(map(str, years))})."))


def _distinct_months(periods: dict) -> bool:
    return len(periods) >= MIN_PERIOD_COLUMNS and len(set(periods.values())) == len(periods)


def _year_from_titles(names: list[str], bare: dict[int, int], titles: list[str]) -> MonthColumns:
    shown = _shown([clean(names[i]) for i in bare])
    months = list(bare.values())
    if any(b < a for a, b in zip(months, months[1:])):
        return MonthColumns(refusal=(
            f"the month columns ({shown}) have no year and run past December, so one year cannot "
            "date them all: put the year in each header (Nov-2025, Dec-2025, Jan-2026)"))
    text = " | ".join(clean(t) for t in titles if clean(t))
    years = sorted(set(_YEAR_IN_TITLE.findall(text)))
    if (fiscal := _FISCAL.search(text)) is None and len(years) == 1:
        year = int(years[0])
        title = next(clean(t) for t in titles if years[0] in t)
        return MonthColumns({i: date(year, m, 1) for i, m in bare.items()}, note=(
            f"The month columns ({shown}) have no year; {year} was taken from the title row "
            f"'{_short(title)}'."))
    why = (f"; the title names a fiscal year ('{fiscal.group(0)}'), and which calendar year its "
           "months fall in depends on when that fiscal year starts" if fiscal else
           f"; the rows above the header name more than one year ({', '.join(years)})" if years else "")
    if column := next((n for n in names if _YEAR_COLUMN.match(clean(n))), None):
        why += (f"; the '{clean(column)}' column cannot be used for this: a sheet of months across "
                "takes its year from its header or title, so split it into one sheet per year")
    return MonthColumns(refusal=(
        f"the month columns ({shown}) have no year: put the year in the header (Jan-2025) or "
        f"in a title row above it (Budget 2025){why}"))


def split_header(upper: list[str], lower: list[str], titles: list[str],
                 rows: tuple[int, int]) -> SplitHeader | str | None:
    """The header when it takes two rows: months in `upper`, each merged over the columns that
    `lower` labels. A reason (text) when it does but the months have different columns under
    them; None when `lower` is not a row of labels under months."""
    up, lo = [clean(c) for c in upper], [clean(c) for c in lower]
    if not any(lo) or any(NUMBERISH.match(c) for c in lo if c):
        return None
    starts = [i for i, c in enumerate(up) if c]
    months = month_columns([up[i] for i in starts], titles)
    if months.periods is None:
        return None
    month_at = {starts[k]: p for k, p in months.periods.items()}
    names, groups, spans = list(lo), [""] * len(up), {}
    for s in starts:
        end = s + 1   # a merged cell reaches over the blank cells to its right
        while end < len(up) and not up[end] and lo[end] and (s in month_at or lo[s]):
            end += 1
        for p in range(s, end):
            # a name merged down both rows (Account over Account) is said once
            same = lo[p].casefold() == up[s].casefold()
            names[p], groups[p] = (f"{up[s]} {lo[p]}" if lo[p] and not same else up[s]), up[s]
        if s in month_at:
            spans[s] = [lo[p] for p in range(s, end)]
    if all(len(span) == 1 for span in spans.values()):
        return None
    shapes = {tuple(x.casefold() for x in span) for span in spans.values()}
    if len(shapes) > 1 or any(not x or shape.count(x) > 1 for shape in shapes for x in shape):
        detail = "; ".join(f"{up[s]}: {', '.join(x or '(blank)' for x in span)}"
                           for s, span in spans.items())
        return (f"the header takes two rows (row {rows[0]}: {_shown([up[s] for s in spans])}; row "
                f"{rows[1]}: {_shown([x for x in lo if x])}), but the months do not have the same "
                f"columns under them ({detail}). Give every month the same columns (Budget, "
                "Actual), or keep one header row with one column per month (Jan-25, Feb-25, ...)")
    first = next(iter(spans.values()))   # each label as the first month spells it
    labels = {p: first[p - s] for s, span in spans.items() for p in range(s, s + len(span))}
    periods = {p: month_at[s] for s, span in spans.items() for p in range(s, s + len(span))}
    return SplitHeader(names, groups, periods, labels, rows, months.note)


def long_names(id_columns: list[str], labels: list[str] = ("value",)) -> tuple[str, list[str]]:
    """The names of the long table's month column (`period`) and value columns (`value`, or
    the labels under the months of a two-row header), made free of the id columns' names."""
    taken = list(id_columns)
    period = _free_name("period", taken)
    values = []
    for label in labels:
        values.append(_free_name(label, [*taken, period, *values]))
    return period, values


def unpivot(body: pd.DataFrame, id_columns: list[str], periods: dict[str, date],
            labels: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per source row and month: the id columns, `period` (ISO text), then `value` (or,
    under a two-row header, one column per label under the months: Budget, Actual). A month
    whose cells are all empty or a null token ('-', 'n/a') says nothing about that month (not
    yet filled in, an account that started later), so it gives no row, as in Excel's own
    unpivot. The index stays the source row, so each long row points back to where it came from."""
    labels = labels or {h: "value" for h in periods}
    order = list(dict.fromkeys(labels.values()))
    months = {m: i for i, m in enumerate(dict.fromkeys(periods.values()))}
    period_name, value_names = long_names(id_columns, order)
    n, k = len(body), len(months)
    rows = np.repeat(np.arange(n), k)      # row by row, then month by month
    month_of = np.tile(np.arange(k), n)
    long = {c: arrow_text(body[c]).take(pa.array(rows)) for c in id_columns}
    long[period_name] = pa.array([m.isoformat() for m in months], pa.string()).take(pa.array(month_of))
    empty = np.ones(n * k, dtype=bool)
    for label, name in zip(order, value_names):
        headers = sorted((h for h in periods if labels[h] == label), key=lambda h: months[periods[h]])
        stacked = pa.concat_arrays([arrow_text(body[h]) for h in headers])   # month after month
        long[name] = stacked.take(pa.array(month_of * n + rows))
        empty &= null_mask(clean_text(long[name]))
    keep = np.flatnonzero(~empty)
    index = pd.Index(body.index.to_numpy()[rows[keep]], name="source_row")
    return pd.DataFrame({c: str_series(a.take(pa.array(keep)), index) for c, a in long.items()},
                        index=index)


def _free_name(name: str, taken: list[str]) -> str:
    lowered = {t.casefold() for t in taken}
    while name.casefold() in lowered:
        name = f"{name}_"
    return name


def prose_reason(grid: pd.DataFrame, filled: pd.DataFrame, label: str, header_at: int | None) -> str | None:
    """Why the sheet is notes rather than a table, or None. Only narrow sheets qualify: a
    two-column table with a header (Field | Description) stays a table."""
    used = int(filled.any(axis=0).sum())
    if used > 2 or (used == 2 and header_at is not None):
        return None
    cells = [c.strip() for c in grid.to_numpy()[filled.to_numpy()][:500]]
    numeric = sum(bool(NUMBERISH.match(c)) for c in cells) / len(cells)
    wordy = sum(len(c.split()) >= 6 for c in cells) / len(cells)
    median_length = sorted(len(c) for c in cells)[len(cells) // 2]
    if numeric >= 0.2 or (median_length < 30 and wordy < 0.4):
        return None
    return (f"{label} holds notes, not a table ({len(cells)} lines of text, e.g. "
            f"'{_short(cells[0])}'). It was skipped.")


def export_note_reason(grid: pd.DataFrame, label: str) -> str | None:
    """Why the sheet is a tool's note about the export rather than data, or None: Apple
    Numbers puts an 'Export Summary' sheet first, listing the tables it made into sheets."""
    first = str(grid.iat[0, 0]).strip() if grid.shape[0] and grid.shape[1] else ""
    if not first.startswith("This document was exported from Numbers"):
        return None
    return (f"{label} is Apple Numbers' summary of the export: it lists the tables, and each "
            "table is a sheet of its own. It was skipped.")


def pivot_reason(sheet: Sheet, has_pivot_table: bool, label: str) -> str | None:
    labels = next((h for h in sheet.header if _PIVOT_LABELS.match(h)), None)
    aggregate = next((h for h in sheet.header if _AGGREGATE.match(h)), None)
    grand_total = next((m.group(0) for r in sheet.dropped_rows if (m := _PIVOT_TOTAL.match(r.text))), None)
    if not labels and not (has_pivot_table and (aggregate or grand_total)):
        return None
    seen = ", ".join(f"'{s}'" for s in [labels or aggregate, grand_total] if s)
    return (f"{label} is a pivot table (a summary of data kept elsewhere; it shows "
            f"{seen}). Importing it would import totals, not records: export the pivot's source "
            "data sheet instead.")


def same_data_notes(sheets: list[Sheet]) -> None:
    """Note on both sheets when two importable sheets hold the same rows (a messy report and a
    clean copy, say), so the person picks one instead of counting the data twice."""
    fingerprints = {s.name: _fingerprint(s) for s in sheets if s.importable and not s.rows.empty}
    names = list(fingerprints)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            fa, fb = fingerprints[a], fingerprints[b]
            if fa[0] != fb[0] or not (fa[1] <= fb[1] or fb[1] <= fa[1]):
                continue
            how = "the same data" if fa[1] == fb[1] else "overlapping data (one holds all rows of the other)"
            note = (f"Sheets '{a}' and '{b}' hold {how} ({len(fa[1]):,} distinct rows); import only "
                    f"one of them. {_cleaner(sheets, a, b)}")
            for s in sheets:
                if s.name in (a, b):
                    s.notes.append(note)


def _fingerprint(sheet: Sheet) -> tuple[tuple[str, ...], frozenset]:
    rows = sheet.rows
    cleaned = rows.apply(lambda col: col.str.strip())
    hashes = pd.util.hash_pandas_object(cleaned, index=False)
    return tuple(c.casefold() for c in rows.columns), frozenset(hashes.to_numpy().tolist())


def _cleaner(sheets: list[Sheet], a: str, b: str) -> str:
    by_name = {s.name: s for s in sheets}
    mess = {n: len(by_name[n].dropped_rows) + len(by_name[n].dropped_columns) for n in (a, b)}
    if mess[a] == mess[b]:
        return ""
    clean, messy = (a, b) if mess[a] < mess[b] else (b, a)
    return (f"'{clean}' is the cleaner copy: '{messy}' needed {mess[messy]} title, blank or total "
            "rows and columns dropped.")


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _shown(texts: list[str], n: int = 4) -> str:
    return ", ".join(texts[:n]) + (", ..." if len(texts) > n else "")
