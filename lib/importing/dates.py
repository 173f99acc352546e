"""Dates and months as spreadsheets write them, and the one question we never answer alone.

`3/4/2024` is 3 April or 4 March depending on who typed it. A column decides its own order when
some value has a part above 12 (and we say which row decided); when every value fits both
orders the caller must ask the user. Two-digit years follow the POSIX rule (69-99 -> 1900s,
00-68 -> 2000s). `Apr-18` is Excel's mmm-yy: April 2018, not 18 April.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Literal

import numpy as np
import pandas as pd

from lib.importing.values import (NULL_TOKENS, ParsedColumn, clean, excel_error, factorize,
                                  first_positions, parse_each)

Order = Literal["dmy", "mdy"]
MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1) for m in names}
_MON = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/](\d{{1,2}})[-/](\d{{1,2}}){_TIME}$", re.I)
_NUMERIC = re.compile(rf"^(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}$", re.I)
_DAY_MON_YEAR = re.compile(rf"^(\d{{1,2}})[\s-]+{_MON}[\s,-]+(\d{{4}}|\d{{2}})$", re.I)
_MON_DAY_YEAR = re.compile(rf"^{_MON}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})$", re.I)
_MON_YEAR = re.compile(rf"^{_MON}[\s,'-]*(\d{{4}}|\d{{2}})$", re.I)
_YEAR_MON = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_MON_SLASH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
_SERIAL = re.compile(r"^\d{2,7}(\.\d+)?$")
EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 61 = 1900-03-01; Excel's fake 29 Feb 1900 is 60


class AmbiguousDate(ValueError):
    """Both day-first and month-first readings are valid: someone must choose."""


def parse_period(text: Any) -> date | None:
    """A month named without a day -> its first day: Jan-19, Jan, 2016, 2024-01, January 2024."""
    s = clean(text)
    if m := _MON_YEAR.match(s):
        return _month(_year(m.group(2)), MONTHS[m.group(1).lower()])
    if m := _YEAR_MON.match(s):
        return _month(int(m.group(1)), int(m.group(2)))
    if m := _MON_SLASH_YEAR.match(s):
        return _month(int(m.group(2)), int(m.group(1)))
    if (m := _ISO.match(s)) and int(m.group(3)) == 1 and not m.group(4):
        return _month(int(m.group(1)), int(m.group(2)))   # an XLSX month header as a date
    return None


def parse_date(text: Any, order: Order | None = None, serial: bool = False) -> date | datetime | None:
    """Parse one cell. Times give a datetime; a zone (Z, +02:00) gives an aware datetime.
    Raises AmbiguousDate for 3/4/2024 without `order`, ValueError when it is not a date."""
    s = clean(text)
    if s.casefold() in NULL_TOKENS:
        return None
    if error := excel_error(s):
        raise ValueError(error)
    if m := _ISO.match(s):
        return _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), m.groups()[3:])
    if m := _NUMERIC.match(s):
        return _numeric(m, order)
    if m := _DAY_MON_YEAR.match(s):
        return _day(_year(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    if m := _MON_DAY_YEAR.match(s):
        return _day(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
    if (month := parse_period(s)) is not None:
        return month
    if serial and _SERIAL.match(s):
        return from_excel_serial(float(s))
    if re.fullmatch(r"\d{8}", s):
        return _day(int(s[:4]), int(s[4:6]), int(s[6:]))
    raise ValueError("not a date" + (" (a number: is this an Excel serial date?)"
                                     if _SERIAL.match(s) else ""))


def from_excel_serial(value: float) -> date | datetime:
    if not 61 <= value < 2958466:   # 1900-03-01 .. 9999-12-31
        raise ValueError("not a plausible Excel date serial")
    moment = EXCEL_EPOCH + timedelta(days=value)
    return moment.date() if value == int(value) else moment.replace(microsecond=0)


def _numeric(m: re.Match, order: Order | None) -> date | datetime:
    a, sep, b, year = int(m.group(1)), m.group(2), int(m.group(3)), _year(m.group(4))
    if order is None:
        if a > 12 or sep == ".":      # dotted dates are day-first wherever they are written
            order = "dmy"
        elif b > 12:
            order = "mdy"
        else:
            raise AmbiguousDate("could be day-first or month-first; the column's order is needed")
    day, month = (a, b) if order == "dmy" else (b, a)
    return _build(year, month, day, m.groups()[4:])


def _build(year: int, month: int, day: int, time_parts) -> date | datetime:
    d = _day(year, month, day)
    hour, minute, second, fraction, zone = (list(time_parts) + [None] * 5)[:5]
    if hour is None:
        return d
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(year, month, day, int(hour), int(minute), int(second or 0), micro)
    except ValueError:
        raise ValueError("not a valid time of day") from None
    return moment.replace(tzinfo=_zone(zone)) if zone else moment


def _zone(text: str) -> timezone:
    if text.upper() == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"there is no day {day} in month {month} of {year}") from None


def _month(year: int, month: int) -> date | None:
    return date(year, month, 1) if 1 <= month <= 12 and 1 <= year <= 9999 else None


def _year(text: str) -> int:
    y = int(text)
    return y if len(text) == 4 else (1900 + y if y >= 69 else 2000 + y)


@dataclass(frozen=True)
class DateOrder:
    order: Order | None        # None: ambiguous or contradictory
    certain: bool
    deciding_row: Any = None   # source row whose value decided the order
    deciding_value: str | None = None
    message: str = ""


def detect_date_order(series: pd.Series) -> DateOrder:
    """For numeric a/b/yyyy dates: which order the column uses, and how sure that is."""
    return _Texts(series).date_order()


class _Texts:
    """A column as its distinct texts (in order of first appearance) and where they occur:
    the date parsers look at each distinct text once, however many rows repeat it."""

    def __init__(self, series: pd.Series):
        self.index = series.index
        self.codes, self.texts = factorize(series)
        self.cleaned = pd.Series([clean(t) for t in self.texts], dtype="str")
        self._first: np.ndarray | None = None

    def label(self, i: int) -> Any:
        """The row label where distinct text i first appears."""
        if self._first is None:
            self._first = first_positions(self.codes, len(self.texts))
        v = self.index[self._first[i]]
        return v.item() if hasattr(v, "item") else v

    def rows(self, distinct: np.ndarray) -> np.ndarray:
        """Per-distinct values spread back over the rows."""
        return distinct[self.codes]

    def date_order(self) -> DateOrder:
        parts = self.cleaned.str.extract(r"^(\d{1,2})[/-](\d{1,2})[/-]\d{2,4}\b").dropna().astype(int)
        if parts.empty:
            return DateOrder(None, True, message="No day/month dates to decide between.")
        day_first, month_first = parts.index[parts[0] > 12], parts.index[parts[1] > 12]
        raw, label = self.cleaned, self.label
        if len(day_first) and len(month_first):
            d, m = day_first[0], month_first[0]
            return DateOrder(None, False, message=(
                f"Contradictory dates: row {label(d)} ('{raw[d]}') is day-first but row "
                f"{label(m)} ('{raw[m]}') is month-first. Fix the file."))
        if len(day_first) or len(month_first):
            order, at = ("dmy", day_first[0]) if len(day_first) else ("mdy", month_first[0])
            return DateOrder(order, True, label(at), raw[at], (
                f"Dates are {'day/month/year' if order == 'dmy' else 'month/day/year'}: row "
                f"{label(at)} ('{raw[at]}') can only be read that way."))
        rows = int(np.bincount(self.codes, minlength=len(self.texts))[parts.index].sum())
        return DateOrder(None, False, message=_ambiguity_message(parts, rows))


def _ambiguity_message(parts: pd.DataFrame, rows: int) -> str:
    text = (f"All {rows:,} dates fit both day/month and month/day (no part is above 12). "
            "Ask which order the file uses.")
    for col, name in ((1, "second"), (0, "first")):
        if parts[col].nunique() == 1 and parts[1 - col].nunique() > 1:
            likely = "month/day" if col == 1 else "day/month"
            text += (f" Hint: the {name} part is always {parts[col].iloc[0]}, which suggests "
                     f"first-of-month dates written {likely}/year.")
    return text


def parse_date_series(series: pd.Series, order: Order | None = None,
                      serial: bool | None = None) -> ParsedColumn:
    """Parse a date column. Ambiguous slash dates become errors until `order` is given.
    Zoned times are converted to UTC (and noted) so the column has one kind of value."""
    notes: list[str] = []
    column = _Texts(series)
    if order is None:
        decided = column.date_order()
        order = decided.order if decided.certain else None
        notes += [decided.message] if decided.order or not decided.certain else []
    if serial is None:
        filled = column.cleaned[~column.cleaned.str.casefold().isin(NULL_TOKENS)]
        serial = bool(len(filled)) and bool(filled.str.fullmatch(_SERIAL.pattern).all())
        notes += ["The column holds Excel serial day numbers; they were read as dates."] if serial else []
    parsed, errors = parse_each(column.texts, lambda t: parse_date(t, order, serial))
    if any(isinstance(v, datetime) and v.tzinfo is not None for v in parsed):
        notes.append("Times with a time zone were converted to UTC.")
    values = pd.to_datetime(pd.Series([_naive_utc(v) for v in parsed], dtype=object), errors="coerce")
    return ParsedColumn(pd.Series(column.rows(values.to_numpy()), index=series.index, name=series.name),
                        pd.Series(column.rows(errors), index=series.index, dtype=object,
                                  name=series.name), notes)


def _naive_utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value
