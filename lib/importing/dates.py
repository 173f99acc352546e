"""Dates and months as spreadsheets write them, and the one question we never answer alone.

`3/4/2024` is 3 April or 4 March depending on who typed it. A column decides its own order when
some value has a part above 12 (and we say which row decided); when every value fits both
orders the caller must ask the user. `25/03/14` may also be year-first (14 March 2025): see
dates_numeric. Two-digit years follow the POSIX rule (69-99 -> 1900s, 00-68 -> 2000s).
`Apr-18` is Excel's mmm-yy: April 2018, not 18 April; but `March 14` is a day without its year,
and `Q1 2025` a quarter: both are errors that say so.

A date may carry a time of day (24-hour or with AM/PM) and a zone (`Z`, `+05:30`, `+0530`, `-05`,
`UTC`, `GMT`, or an abbreviation that names one offset: `PST`, `EST`, `CET`, `AEST`, ...). A
zone moves a moment to UTC but never a date or a month: those keep the day as written. A day
written with its month's name may start with its weekday (`Mon, 15 Jan 2024`, `Monday,
January 15, 2024`), which must then be right. Months are named in English, German, French,
Dutch, Spanish or Italian (`März 2025`, `janv. 2025`, `ene-25`, `gen-25`). A column of Unix
timestamps (1706745600, 1706745600000) is read as UTC moments: see dates_epoch.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.importing.dates_epoch import epoch_column, epoch_words
from lib.importing.dates_numeric import AmbiguousDate as AmbiguousDate  # public here too
from lib.importing.dates_numeric import DateOrder, Order, Reading, column_order, numeric_date
from lib.importing.dates_numeric import day as _day
from lib.importing.dates_numeric import year as _year
from lib.importing.values import (NULL_TOKENS, ParsedColumn, clean, clean_text, excel_error,
                                  factorize, first_positions, null_mask, parse_each, str_series)

MONTHS = {m: i for i, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")], start=1) for m in names}
MONTH_NAMES = {i: max((n for n, j in MONTHS.items() if j == i), key=len).title()
               for i in range(1, 13)}
# The same months as German, French, Dutch, Spanish and Italian exports write them (März
# 2025, janv. 2025, mrt-25, ene-25, gen-25), read but never written
MONTHS |= {m: i for i, names in enumerate(
    [("januar", "janvier", "janv", "januari", "enero", "ene", "gennaio", "gen"),
     ("februar", "février", "fevrier", "févr", "fevr", "februari", "febrero", "febbraio"),
     ("märz", "maerz", "mär", "mrz", "mars", "maart", "mrt", "marzo"),
     ("avril", "avr", "abril", "abr", "aprile"), ("mai", "mei", "mayo", "maggio", "mag"),
     ("juni", "juin", "junio", "giugno", "giu"),
     ("juli", "juillet", "juil", "julio", "luglio", "lug"),
     ("august", "août", "aout", "augustus", "agosto", "ago"),
     ("septembre", "septiembre", "setiembre", "settembre", "set"),
     ("oktober", "okt", "octobre", "octubre", "ottobre", "ott"),
     ("novembre", "noviembre"), ("dezember", "dez", "décembre", "decembre", "déc",
                                 "diciembre", "dic")], start=1) for m in names}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS = {n: i for i, names in enumerate(
    [("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
     ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
     ("sun", "sunday")]) for n in names}


def _alternatives(names) -> str:
    return "|".join(sorted(names, key=len, reverse=True))


_MON = rf"(?P<mon>{_alternatives(MONTHS)})\.?"
_WEEKDAY = rf"(?:(?P<weekday>{_alternatives(WEEKDAYS)})\.?,?\s+)?"
# A time after the date (T, spaces or a comma): 24-hour or 12-hour with AM/PM (a.m., pm), then
# a zone: Z, UTC or GMT, or an offset of hours with or without minutes (+00, +0530, -05:00).
_CLOCK = (r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
          r"(?:\s*(?P<half>[ap])\.?\s?m\.?)?")
# Zone abbreviations that name one offset each (CST is US Central, as US CRMs write it; IST,
# which is India, Ireland or Israel, is not here)
ZONE_NAMES = {"PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5, "EST": -5, "EDT": -4,
              "AKST": -9, "AKDT": -8, "HST": -10, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
              "EET": 2, "EEST": 3, "MSK": 3, "SGT": 8, "HKT": 8, "JST": 9, "KST": 9, "AEST": 10,
              "AEDT": 11, "NZST": 12, "NZDT": 13}
_ZONE = (r"(?:\s*(?P<zone>Z|(?:UTC|GMT)?[+-]\d{2}(?::?\d{2})?|UTC|GMT|"
         rf"{_alternatives(ZONE_NAMES)}))?")
_TIME = rf"(?:(?:T|,?\s+){_CLOCK}{_ZONE})?"
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$", re.I)   # 2025.12.31: East Asia
# 14/03/2025, 3-14-25, 14.03.2025 and 14. 3. 2025 (Czech, Slovak, Polish): one separator
_NUMERIC = re.compile(r"^(?P<a>\d{1,2})(?:(?P<sep>[/-])|\.[ ]?)(?P<b>\d{1,2})(?(sep)(?P=sep)|\.[ ]?)"
                      rf"(?P<c>\d{{4}}|\d{{2}}){_TIME}$", re.I)
# The same parts, for a whole column at once (pyarrow's RE2: named groups, no \d, \s or \b)
_NUMERIC_PARTS = (r"^(?P<a>[0-9]{1,2})(?P<sep>[/-]|\.[ ]?)(?P<b>[0-9]{1,2})(?:[/-]|\.[ ]?)"
                  r"(?P<c>[0-9]{4}|[0-9]{2})(?:[^0-9]|$)")
_DAY_MON_YEAR = re.compile(rf"^{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th|\.)?[\s-]+{_MON}[\s,-]+"
                           rf"(?P<year>\d{{4}}|\d{{2}}){_TIME}$", re.I)
_MON_DAY_YEAR = re.compile(rf"^{_WEEKDAY}{_MON}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+"
                           rf"(?P<year>\d{{4}}){_TIME}$", re.I)
_MON_YEAR = re.compile(rf"^{_MON}[\s,'-]*(\d{{4}}|\d{{2}})$", re.I)
# March 14, Mar. 14, 14 March: a day without its year (never March 2014). Mar-14, Mar '14 and
# Mar 14 are months: Excel's "mmm yy" shows a month as three letters, no dot, and two digits.
_ANY_MON = rf"(?:{_alternatives(MONTHS)})\.?"
_DAY_MON = (rf"(?:{_alternatives([m for m in MONTHS if len(m) > 3])})\.?|"
            rf"(?:{_alternatives([m for m in MONTHS if len(m) <= 3])})\.")
_NO_YEAR = re.compile(rf"^{_WEEKDAY}(?:(?:{_DAY_MON})\s+\d{{1,2}}(?:st|nd|rd|th)?|"
                      rf"{_ANY_MON}\s+\d{{1,2}}(?:st|nd|rd|th)|"
                      rf"\d{{1,2}}(?:st|nd|rd|th|\.)?\s+{_ANY_MON})$", re.I)
# Quarters: Q1 2025, 2025-Q1, FY25 Q1, 1Q25, Q1'25, Qtr 1 2025
_Q = r"(?:Q|Qtr\.?\s*|Quarter\s*)[1-4]|[1-4]\s*Q"
_Q_YEAR = r"(?:FY|CY)?\s*'?(?:\d{4}|\d{2})"
_QUARTER = re.compile(rf"^(?:(?:{_Q})(?:[\s,/-]*{_Q_YEAR})?|{_Q_YEAR}[\s,/-]*(?:{_Q}))$", re.I)
_YEAR_MON = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_MON_SLASH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{4})$")   # 03/2025, SAP's 03.2025
_YEAR_MONTH_DIGITS = re.compile(r"^((?:19|20)\d{2})(0[1-9]|1[0-2])$")   # 202503: ERP periods
_CLOCK_ONLY = re.compile(rf"^{_CLOCK}{_ZONE}$", re.I)
_SERIAL = re.compile(r"^\d{2,7}(\.\d+)?$")
EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 61 = 1900-03-01; Excel's fake 29 Feb 1900 is 60
EXCEL_1904_EPOCH = datetime(1904, 1, 1)  # a workbook saved in the 1904 date system (old Mac Excel)


def parse_period(text: Any) -> date | None:
    """A month named without a day -> its first day: Jan-19, Jan, 2016, 2024-01, January 2024."""
    s = clean(text)
    if m := _MON_YEAR.match(s):
        return None if _NO_YEAR.match(s) else _month(_year(m.group(2)), MONTHS[m.group(1).lower()])
    if m := _YEAR_MON.match(s):
        return _month(int(m.group(1)), int(m.group(2)))
    if m := _MON_SLASH_YEAR.match(s):
        return _month(int(m.group(2)), int(m.group(1)))
    if m := _YEAR_MONTH_DIGITS.match(s):
        return _month(int(m.group(1)), int(m.group(2)))
    if (m := _ISO.match(s)) and int(m.group(3)) == 1 and not m.group("hour"):
        return _month(int(m.group(1)), int(m.group(2)))   # an XLSX month header as a date
    return None


def parse_date(text: Any, order: Reading | None = None, serial: bool = False,
               date1904: bool = False, months: bool = True) -> date | datetime | None:
    """Parse one cell. Times give a datetime; a zone (Z, +02:00, UTC) gives an aware datetime.
    `serial`: a plain number is an Excel day number (counted from 1904 with `date1904`).
    `months`: a month without a day (Mar-25, 2025-03) is its first day; otherwise an error.
    Raises AmbiguousDate for 3/4/2024 without `order`, ValueError when it is not a date (or
    could be two dates: 25/03/14 is 25 March 2014 day-first, 14 March 2025 year-first)."""
    s = clean(text)
    if s.casefold() in NULL_TOKENS:
        return None
    if error := excel_error(s):
        raise ValueError(error)
    if m := _ISO.match(s):
        return _build(int(m.group(1)), int(m.group(2)), int(m.group(3)), m)
    if m := _NUMERIC.match(s):
        return _numeric(m, order)
    if m := _DAY_MON_YEAR.match(s):
        return _named(m, _year(m.group("year")))
    if m := _MON_DAY_YEAR.match(s):
        return _named(m, int(m.group("year")))
    if (month := parse_period(s)) is not None:
        if not months:
            raise ValueError(f"names a month ({MONTH_NAMES[month.month]} {month.year}), not a "
                             "day; give the day itself")
        return month
    if serial and _SERIAL.match(s) and _plausible_serial(float(s), date1904):
        return from_excel_serial(float(s), date1904)
    if re.fullmatch(r"\d{8}", s):
        return _day(int(s[:4]), int(s[4:6]), int(s[6:]))
    if _CLOCK_ONLY.match(s):
        raise ValueError("a time of day without a date")
    if _NO_YEAR.match(s):
        raise ValueError(f"{s} has no year: write the whole date (or, for a month, its year in "
                         "four digits)")
    if _QUARTER.match(s):
        raise ValueError(f"{s} is a quarter; this column needs "
                         f"{'a month or a date' if months else 'a date'}")
    if _SERIAL.match(s):
        raise ValueError(_number_not_date(s, date1904))
    raise ValueError(epoch_words(s) or "not a date")


# Excel day numbers are dates only in these years: 1501 is 9 February 1904 to Excel, but in
# an invoice file it is DATEV's 15 January (DDMM) without its year.
PLAUSIBLE_YEARS = (1930, 2100)


def _number_not_date(s: str, date1904: bool) -> str:
    if len(s) == 4 and s.isdigit() and 1 <= int(s[:2]) <= 31 and 1 <= int(s[2:]) <= 12:
        return (f"a number, not a date: perhaps day {int(s[:2])} of month {int(s[2:])} written "
                "DDMM without its year; write the whole date")
    try:
        as_serial = from_excel_serial(float(s), date1904)
    except ValueError:
        return "a number, not a date"
    if _plausible_serial(float(s), date1904):
        return f"a number, not a date (is it an Excel serial day number, {as_serial:%d %b %Y}?)"
    return f"a number, not a date (as an Excel serial day number it would be {as_serial:%d %b %Y})"


def from_excel_serial(value: float, date1904: bool = False) -> date | datetime:
    epoch, first = (EXCEL_1904_EPOCH, 0) if date1904 else (EXCEL_EPOCH, 61)
    if not first <= value < (datetime(9999, 12, 31) - epoch).days + 1:
        raise ValueError("not a plausible Excel date serial")
    moment = epoch + timedelta(days=value)
    return moment.date() if value == int(value) else moment.replace(microsecond=0)


def _numeric(m: re.Match, order: Reading | None) -> date | datetime:
    a, b, c, sep = m.group("a", "b", "c", "sep")
    return _build(*numeric_date(m.string, a, b, c, sep is None, order), m)


def _named(m: re.Match, year: int) -> date | datetime:
    """15 Jan 2024, Jan 15, 2024 (either after its weekday, which must fit)."""
    value = _build(year, MONTHS[m.group("mon").lower()], int(m.group("day")), m)
    if (weekday := m.group("weekday")) and value.weekday() != WEEKDAYS[weekday.lower()]:
        said = DAY_NAMES[WEEKDAYS[weekday.lower()]]
        raise ValueError(f"{value.day} {MONTH_NAMES[value.month]} {value.year} is a "
                         f"{DAY_NAMES[value.weekday()]}, not a {said}")
    return value


def _build(year: int, month: int, day: int, m: re.Match) -> date | datetime:
    """The date, with the time of day and zone `m` holds, if any (its _TIME groups)."""
    d = _day(year, month, day)
    hour, minute, second, fraction, half, zone = m.group("hour", "minute", "second", "fraction",
                                                         "half", "zone")
    if hour is None:
        return d
    micro, hour = int((fraction or "0")[:6].ljust(6, "0")), _hour(int(hour), half)
    try:
        moment = datetime(year, month, day, hour, int(minute), int(second or 0), micro)
    except ValueError:
        raise ValueError("not a valid time of day") from None
    return moment.replace(tzinfo=_zone(zone)) if zone else moment


def _hour(hour: int, half: str | None) -> int:
    """24-hour clock from a 12-hour one: 12 AM is midnight (0), 12 PM is noon."""
    if half is None:
        return hour
    if not 1 <= hour <= 12:
        raise ValueError(f"{hour} o'clock cannot be {half.upper()}M: a 12-hour clock runs 1 to 12")
    return hour % 12 + (12 if half.lower() == "p" else 0)


@lru_cache(maxsize=256)   # a column's zones are few, its timestamps many
def _zone(text: str) -> timezone:
    offset = text.upper().removeprefix("UTC").removeprefix("GMT")
    if offset in ("", "Z"):
        return timezone.utc
    if offset in ZONE_NAMES:
        return timezone(timedelta(hours=ZONE_NAMES[offset]))
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text} is not a time zone offset")
    return timezone((-1 if offset[0] == "-" else 1) * timedelta(hours=hours, minutes=minutes))


def _month(year: int, month: int) -> date | None:
    return date(year, month, 1) if 1 <= month <= 12 and 1 <= year <= 9999 else None


def detect_date_order(series: pd.Series) -> DateOrder:
    """For numeric a/b/yyyy dates: which order the column uses, and how sure that is."""
    return _Texts(series).date_order()


class _Texts:
    """A column as its distinct texts (in order of first appearance) and where they occur:
    the date parsers look at each distinct text once, however many rows repeat it."""

    def __init__(self, series: pd.Series):
        self.index = series.index
        self.codes, self.texts = factorize(series)
        # trimmed as `clean` trims, but at C speed: a column of timestamps has a text per row
        self.arrow = clean_text(pa.array(self.texts, pa.string(), from_pandas=True))
        self.cleaned = str_series(self.arrow, pd.RangeIndex(len(self.texts)))
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
        found = pc.extract_regex(self.arrow, _NUMERIC_PARTS)
        at = np.flatnonzero(found.is_valid().to_numpy(zero_copy_only=False))
        found = found.take(pa.array(at))
        part = {k: pc.struct_field(found, k) for k in ("a", "sep", "b", "c")}
        number = {k: pc.cast(part[k], pa.int32()).to_numpy() for k in ("a", "b", "c")}
        digits = {k: pc.utf8_length(part[k]).to_numpy() for k in ("a", "c")}
        rows = np.bincount(self.codes, minlength=len(self.texts))[at]
        return column_order(number["a"], number["b"], number["c"], digits["a"], digits["c"],
                            pc.starts_with(part["sep"], ".").to_numpy(zero_copy_only=False),
                            rows, lambda i: (self.label(at[i]), self.cleaned.iat[at[i]]))


def _plausible_serial(value: float, date1904: bool) -> bool:
    try:
        return PLAUSIBLE_YEARS[0] <= from_excel_serial(value, date1904).year < PLAUSIBLE_YEARS[1]
    except ValueError:
        return False


def parse_date_series(series: pd.Series, order: Reading | None = None, serial: bool | None = None,
                      to_utc: bool = True, date1904: bool = False, months: bool = True
                      ) -> ParsedColumn:
    """Parse a date column. Ambiguous slash dates become errors until `order` is given; the
    notes say which order the data decided and which row decided it (a column that fits both
    orders, or contradicts itself, is the caller's question: detect_date_order words it; one
    whose every date fits day-first and year-first is errors, and a note saying so).
    Zoned times are converted to UTC (and noted) so the column has one kind of value; with
    `to_utc=False` they keep the day and time as written (a date field: the writer's own day).
    `date1904`: the workbook counts its day numbers from 1904 (Excel's other date system).
    Unless `serial` is given, a column of Unix timestamps (10 or 13 digits, one unit for the
    whole column) is read as UTC moments whatever `to_utc` says: UTC is how they are written.
    `months=False`: a month without a day is an error, not its first day (a payment's date)."""
    notes: list[str] = []
    column = _Texts(series)
    if order is None:
        decided = column.date_order()
        order = "ymd" if decided.year_first else decided.order if decided.certain else None
        notes += [decided.message] if order or decided.year_doubt else []
    if serial is None:
        blank = null_mask(column.arrow)
        filled = column.cleaned[~blank]
        # day numbers, most of them in plausible years (the rest are errors saying why)
        serial = bool(len(filled)) and bool(filled.str.fullmatch(_SERIAL.pattern).all()) and (
            2 * sum(_plausible_serial(float(t), date1904) for t in filled) >= len(filled))
        since = " counted from 1 January 1904, the workbook's date system" if date1904 else ""
        notes += [f"The column holds Excel serial day numbers; they were read as dates{since}."
                  ] if serial else []
        moments, note = (None, None) if serial else epoch_column(filled, PLAUSIBLE_YEARS)
        notes += [note] if note else []
        if moments is not None:   # Unix timestamps: every distinct text at once, no parser per text
            values = np.full(len(column.texts), np.datetime64("NaT"), dtype="datetime64[us]")
            values[~blank] = moments
            return ParsedColumn(
                pd.Series(column.rows(values), index=series.index, name=series.name),
                pd.Series(np.full(len(series), None, dtype=object), index=series.index,
                          name=series.name), notes)
    parsed, errors = parse_each(column.texts,
                                lambda t: parse_date(t, order, serial, date1904, months))
    zoned = [i for i, v in enumerate(parsed) if isinstance(v, datetime) and v.tzinfo is not None]
    if zoned and to_utc:
        notes.append("Times with a time zone were converted to UTC.")
    for i in zoned:
        parsed[i] = (parsed[i].astimezone(timezone.utc) if to_utc else parsed[i]).replace(tzinfo=None)
    values = pd.to_datetime(pd.Series(parsed, dtype=object), errors="coerce")
    return ParsedColumn(pd.Series(column.rows(values.to_numpy()), index=series.index, name=series.name),
                        pd.Series(column.rows(errors), index=series.index, dtype=object,
                                  name=series.name), notes)


def quarters_hint(rows: pd.DataFrame, mapping: dict[str, str | None]) -> str:
    """For a sheet with no month mapped: " The column 'Quarter' holds quarters (Q1 2027) ..."
    when a column left unmapped holds quarters, else ""."""
    for header in (h for h in rows.columns if not mapping.get(h)):
        seen = [s for v in rows[header].head(50) if (s := str(v).strip())]
        if seen and all(_QUARTER.match(s) for s in seen):
            return (f" The column '{header}' holds quarters ({seen[0]}): revenue, targets and "
                    "budgets are kept by month, so give each month a row of its own (a quarter's "
                    "target split into its three months, say).")
    return ""
