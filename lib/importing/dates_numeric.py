"""Dates written as three numbers (3/4/2024, 25/03/14, 14. 3. 2025): which part is the day,
the month and the year, for one value and for a whole column.

Three orders are written: day/month/year, month/day/year (the US) and, with a two-digit year
first, year/month/day (25/03/14 is 14 March 2025 to Japanese, Korean and Chinese exports and
some ERPs). A first part above 12 rules out month-first but not year-first; a first part above
31 (or 00) can only be a year; a last part above 31 (or 00, or of four digits) is not a day, and
a first part of one digit is not a year. Dates written with dots are never month-first.

A column whose every date fits day-first and year-first is decided by the years each reading
gives, when one is clearly right: a file covers a few years, while days spread over the month.
So a reading whose years span at most NARROW_YEARS wins when the other reading's years span
MORE_YEARS more (04-01-25 ... 25-12-25: all in 2025 day-first, 2002 to 2025 year-first), but not
when year-first would put every date on the 1st (25/03/01, 04/07/01: days of 2001, or the 1st of
months from 2004 to 2025?). Otherwise its dates are errors: neither order is read silently.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Literal

import numpy as np

Order = Literal["dmy", "mdy"]
Reading = Literal["dmy", "mdy", "ymd"]
DMY, MDY, YMD = 1, 2, 4
CODES = {"dmy": DMY, "mdy": MDY, "ymd": YMD}
WORDS = {DMY: "day/month/year", MDY: "month/day/year", YMD: "year/month/day"}
FIRST = {DMY: "day-first", MDY: "month-first", YMD: "year-first"}
NARROW_YEARS, MORE_YEARS = 6, 10


class AmbiguousDate(ValueError):
    """Both day-first and month-first readings are valid: someone must choose."""


@dataclass(frozen=True)
class DateOrder:
    order: Order | None        # None: ambiguous, contradictory, year-first or nothing to decide
    certain: bool              # False: the person must be asked day/month or month/day
    deciding_row: Any = None   # source row whose value decided the order
    deciding_value: str | None = None
    message: str = ""
    contradicts: bool = False  # rows disagree: no other column can settle it
    # The column is year/month/day (25/03/14): it reads itself so, no other column follows it
    # and no one is asked day/month or month/day about it.
    year_first: bool = False
    # Every date fits day/month/year and year/month/day and nothing says which: the dates are
    # errors (no one is asked: the question offers day-first or month-first only).
    year_doubt: bool = False


def fits(a, b, c, a_digits, c_digits, dotted):
    """The orders (DMY | MDY | YMD bits) the parts a/b/c fit; ints or numpy arrays alike."""
    dmy = (a >= 1) & (a <= 31) & (b >= 1) & (b <= 12)
    mdy = (1 - dotted) * ((a >= 1) & (a <= 12) & (b >= 1) & (b <= 31))
    ymd = (a_digits == 2) & (c_digits == 2) & (b >= 1) & (b <= 12) & (c >= 1) & (c <= 31)
    return dmy * DMY | mdy * MDY | ymd * YMD


def numeric_date(text: str, a: str, b: str, c: str, dotted: bool, order: Reading | None
                 ) -> tuple[int, int, int]:
    """(year, month, day) of `text`, whose parts are a, b, c. An explicit `order` is followed,
    except that dotted dates are never month-first and year-first needs a two-digit year first.
    Raises AmbiguousDate when day-first and month-first both fit, ValueError when nothing says
    whether the day or the year comes first, or when the date does not exist."""
    x, y, z = int(a), int(b), int(c)
    if order == "dmy" or order == "mdy" and not dotted:     # a column's order: the common case
        return (year(c), y, x) if order == "dmy" else (year(c), x, y)
    fit = fits(x, y, z, len(a), len(c), dotted)
    chosen = CODES[order] if order else 0
    if chosen == MDY or chosen == YMD and not fit & YMD:    # MDY here: dotted, never month-first
        chosen = 0
    if not chosen:
        chosen = _own_order(text, x, y, z, a, c, fit, dotted)
    return _parts(chosen, x, y, z, a, c)


def _own_order(text: str, x: int, y: int, z: int, a: str, c: str, fit: int, dotted: bool) -> int:
    if fit in (DMY, MDY, YMD):
        return fit
    if fit & DMY and fit & MDY:
        raise AmbiguousDate("could be day-first, month-first or year-first; the column's order is "
                            "needed" if fit & YMD else
                            "could be day-first or month-first; the column's order is needed")
    if fit == DMY | YMD:
        raise ValueError(_two_ways(text, x, y, z, a, c))
    # No order fits: say why in the words of the likeliest one
    return DMY if x > 12 or dotted or y <= 12 else MDY


def _parts(order: int, x: int, y: int, z: int, a: str, c: str) -> tuple[int, int, int]:
    if order == YMD:
        return year(a), y, z
    return (year(c), y, x) if order == DMY else (year(c), x, y)


def _two_ways(text: str, x: int, y: int, z: int, a: str, c: str) -> str:
    (_, first, why_first), (_, second, why_second) = _readings(x, y, z, year(a), year(c))
    if first and second:
        said = f"could be {spoken(first)} or {spoken(second)}"
    elif first or second:
        said = (f"could be {spoken(first)} ({WORDS[DMY]}; year-first {why_second})" if first else
                f"could be {spoken(second)} ({WORDS[YMD]}; day-first {why_first})")
    else:
        return why_first
    return (f"{text} {said}; nothing in the column says whether the day or the year comes "
            "first: write the year in four digits")


def _readings(x: int, y: int, z: int, year_first: int, year_last: int):
    """(order, the date or None, why not) day-first, then year-first."""
    out = []
    for order, parts in ((DMY, (year_last, y, x)), (YMD, (year_first, y, z))):
        try:
            out.append((order, day(*parts), ""))
        except ValueError as exc:
            out.append((order, None, str(exc)))
    return out


def spoken(d: date) -> str:
    return f"{d.day} {d:%B} {d.year}"


def day(year_: int, month: int, day_: int) -> date:
    try:
        return date(year_, month, day_)
    except ValueError:
        raise ValueError(f"there is no day {day_} in month {month} of {year_}") from None


def year(text: str) -> int:
    """A year as written; two digits follow the POSIX rule (69-99 -> 1900s, 00-68 -> 2000s)."""
    y = int(text)
    return y if len(text) == 4 else (1900 + y if y >= 69 else 2000 + y)


def _years(two_digits: np.ndarray) -> np.ndarray:
    return two_digits + np.where(two_digits >= 69, 1900, 2000)


def column_order(a: np.ndarray, b: np.ndarray, c: np.ndarray, a_digits: np.ndarray,
                 c_digits: np.ndarray, dotted: np.ndarray, rows: np.ndarray,
                 where: Callable[[int], tuple[Any, str]]) -> DateOrder:
    """Which order a column's numeric dates use (arrays over its distinct dates, in order of
    first appearance; `rows`: how many rows hold each; `where(i)`: (row label, text) of the
    first row holding date i), and how sure that is."""
    masks = fits(a, b, c, a_digits, c_digits, dotted.astype(int))
    # Dates no order fits are errors of their own, not evidence; 14.03.2025 has no question
    ok = np.flatnonzero((masks != 0) & ~(dotted & (c_digits == 4)))
    if not len(ok):
        return DateOrder(None, True, message="No day/month dates to decide between.")
    masks, a, b, c, a_digits, c_digits, dotted, rows = (
        v[ok] for v in (masks, a, b, c, a_digits, c_digits, dotted, rows))

    def where_ok(i: int) -> tuple[Any, str]:
        return where(int(ok[i]))

    common = int(np.bitwise_and.reduce(masks))
    parts = _Parts(a, b, c, a_digits, c_digits, dotted)
    if not common:
        return _contradiction(masks, where_ok)
    if common in (DMY, MDY, YMD):
        return _decided(common, masks, parts, where_ok)
    if common & DMY and common & MDY:
        return DateOrder(None, False, message=_ambiguity_message(a, b, int(rows.sum())))
    return _day_or_year(masks, parts, where_ok, int(rows.sum()))


@dataclass(frozen=True)
class _Parts:
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    a_digits: np.ndarray
    c_digits: np.ndarray
    dotted: np.ndarray

    def why_not(self, order: int, i: int) -> tuple[str, bool]:
        """Why date i is not `order`, and whether that goes without saying."""
        a, b, c = int(self.a[i]), int(self.b[i]), int(self.c[i])
        if order == MDY:
            return ("dates written with dots are day-first" if self.dotted[i] else
                    f"{a} cannot be a month" if not 1 <= a <= 12 else f"{b} cannot be a day"), False
        if order == DMY:
            return (f"{b} cannot be a month" if not 1 <= b <= 12 else f"{a:02d} cannot be a day"), False
        if self.c_digits[i] == 4:
            return "its year is written last, in four digits", True
        if self.a_digits[i] == 1:
            return f"{a} is not a two-digit year", True
        return (f"{b} cannot be a month" if not 1 <= b <= 12 else f"{c:02d} cannot be a day"), False


def _contradiction(masks: np.ndarray, where) -> DateOrder:
    values, firsts = np.unique(masks, return_index=True)
    pairs = sorted((max(i, j), min(i, j), max(i, j)) for m, i in zip(values, firsts)
                   for n, j in zip(values, firsts) if not int(m) & int(n))
    _, i, j = pairs[0]
    (ri, vi), (rj, vj) = where(i), where(j)
    return DateOrder(None, False, message=(
        f"Contradictory dates: row {ri} ('{vi}') is {_first(int(masks[i]))} but row {rj} ('{vj}') "
        f"is {_first(int(masks[j]))}. Fix the file."), contradicts=True)


def _joined(reasons: list[str]) -> str:
    """'32 cannot be a day', '32 cannot be a month' -> '32 cannot be a day or a month'."""
    if len(reasons) == 2 and reasons[0] != reasons[1] and (
            reasons[0].rsplit(" ", 1)[0] == reasons[1].rsplit(" ", 1)[0]):
        return f"{reasons[0]} or a {reasons[1].rsplit(' ', 1)[1]}"
    return ", ".join(dict.fromkeys(reasons))


def _first(mask: int) -> str:
    return " or ".join(FIRST[o] for o in (DMY, MDY, YMD) if mask & o)


def _decided(order: int, masks: np.ndarray, parts: _Parts, where) -> DateOrder:
    others = [o for o in (DMY, MDY, YMD) if o != order]
    rival = DMY if order != DMY else MDY       # the order another column would be told
    alone = np.flatnonzero(masks == order)
    if len(alone):
        i = int(alone[0])
        reasons = [r for r, obvious in (parts.why_not(o, i) for o in others) if not obvious]
        row, value = where(i)
        text = f"row {row} ('{value}') can only be read that way ({_joined(reasons)})."
    else:
        firsts = {o: int(np.flatnonzero((masks & o) == 0)[0]) for o in others}
        said = []
        for o, i in firsts.items():
            row, value = where(i)
            said.append(f"row {row} ('{value}') cannot be {FIRST[o]} ({parts.why_not(o, i)[0]})")
        text = f"no other order fits every date: {' and '.join(said)}."
        i = firsts[rival]
        row, value = where(i)
    message = f"Dates read as {WORDS[order]}: {text}"
    if order == YMD:
        return DateOrder(None, True, row, value, message, year_first=True)
    return DateOrder("dmy" if order == DMY else "mdy", True, row, value, message)


def _day_or_year(masks: np.ndarray, parts: _Parts, where, rows: int) -> DateOrder:
    """Every date fits day/month/year and year/month/day: the years each reading gives decide,
    when they are few one way and spread far wider the other way."""
    by_day, by_year = _years(parts.c), _years(parts.a)
    i = int(np.flatnonzero((masks & MDY) == 0)[0])
    row, value = where(i)
    not_month_first = f"row {row} ('{value}') is not month-first ({parts.why_not(MDY, i)[0]})"
    day_span, year_span = np.ptp(by_day), np.ptp(by_year)
    if day_span <= NARROW_YEARS and year_span >= day_span + MORE_YEARS and not (parts.c == 1).all():
        return DateOrder("dmy", True, row, value, (
            f"Dates read as day/month/year: {not_month_first}, and day-first puts every date in "
            f"{_span(by_day)}, where year-first would spread them over {_span(by_year)}."))
    if year_span <= NARROW_YEARS and day_span >= year_span + MORE_YEARS:
        return DateOrder(None, True, row, value, (
            f"Dates read as year/month/day: {not_month_first}, and year-first puts every date in "
            f"{_span(by_year)}, where day-first would spread them over {_span(by_day)}."),
            year_first=True)
    x, y, z = int(parts.a[i]), int(parts.b[i]), int(parts.c[i])
    said = " or ".join(spoken(d) for _, d, _ in _readings(x, y, z, int(by_year[i]), int(by_day[i]))
                       if d)
    every = f"All {rows:,} dates fit" if rows > 1 else "The date fits"
    return DateOrder(None, True, row, value, (
        f"{every} both day/month/year and year/month/day (row {row}: '{value}' "
        f"could be {said}) and nothing in the file says which."), year_doubt=True)


def _span(years: np.ndarray) -> str:
    low, high = int(years.min()), int(years.max())
    return str(low) if low == high else f"{low} to {high}"


def _ambiguity_message(a: np.ndarray, b: np.ndarray, rows: int) -> str:
    text = (f"All {rows:,} dates fit both day/month and month/day (no part is above 12). "
            "Say which order the file uses.")
    for part, other, name, likely in ((b, a, "second", "month/day"), (a, b, "first", "day/month")):
        # Only a day of 1 says much: a part always 3 is as likely the month (dates within one
        # month) as the day (the 3rd of every month).
        if (part == 1).all() and len(np.unique(other)) > 1:
            text += (" Hint: the " + name + " part is always 1, which suggests first-of-month "
                     f"dates written {likely}/year.")
    return text
