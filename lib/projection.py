"""Run-rate projection of revenue to the end of the fiscal quarter and year: pure arithmetic.

The inputs are this fiscal year's actual revenue for the months that have closed (month 1 of
the fiscal year first) and last year's twelve monthly actuals. The remaining months are
projected one by one, then added to what is already in:

* **Seasonal** (last year has revenue in all twelve months, so there are seasons to learn from):
  this year runs at r = YTD actual / last year's revenue for the same months, and each
  remaining month is r x the same month last year. Equivalently: the year-end total is the
  YTD actual divided by the share of last year's revenue those months held.
  Range: the remaining months at the lowest and at the highest single-month ratio
  (actual / same month last year) seen so far this year.
* **Even pace** (no complete last year, e.g. a customer that started last spring): each
  remaining month is the average month so far. Range: the weakest and the strongest month so
  far, repeated.
* **Last year** (no month of this year has closed yet, last year is complete): each month as
  last year; the range has no width, as there is no spread to go by.
* **None** (no month closed and no last year): nothing to project from; every figure is 0.

The point estimate always lies inside its range: r is a weighted average of the monthly
ratios, and the average month lies between the weakest and the strongest.
A month without revenue (None or NaN) counts as 0.

The current quarter is the one holding the first month without actuals (the last quarter once
the whole year is in); its projection adds the quarter's actual months to the projection of
its remaining months.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

MONTHS = 12


@dataclass(frozen=True)
class Estimate:
    point: float
    low: float
    high: float

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(self.point + other.point, self.low + other.low, self.high + other.high)


ZERO = Estimate(0.0, 0.0, 0.0)
METHODS = {
    "seasonal": "this year's pace against last year, month by month (seasonal)",
    "even": "the average month so far (no complete last year to learn the seasons from)",
    "last_year": "last year's months (no month of this year has closed yet)",
    "none": "nothing: no month has closed and there is no last year",
}


@dataclass(frozen=True)
class Projection:
    method: str                     # a key of METHODS
    months: tuple[Estimate, ...]    # each remaining month of the year, in order
    quarter_start: int              # 0-based month index of the current quarter's first month
    quarter_end: Estimate           # the current quarter's total: closed months + projection
    year_end: Estimate              # the year's total: YTD actual + projection

    @property
    def elapsed(self) -> int:
        return MONTHS - len(self.months)


def _clean(values: Sequence[float | None]) -> list[float]:
    return [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]


def _remaining(actual: list[float], last_year: list[float]) -> tuple[str, list[Estimate]]:
    """The method used and one Estimate per month still to come (see the module docstring)."""
    elapsed = len(actual)
    ahead = range(elapsed, MONTHS)
    complete = len(last_year) == MONTHS and all(v > 0 for v in last_year)
    if elapsed == 0:
        if not complete:
            return "none", [ZERO for _ in ahead]
        return "last_year", [Estimate(last_year[m], last_year[m], last_year[m]) for m in ahead]
    if complete:
        ratios = [a / ly for a, ly in zip(actual, last_year)]
        pace = sum(actual) / sum(last_year[:elapsed])
        return "seasonal", [Estimate(pace * last_year[m], min(ratios) * last_year[m],
                                     max(ratios) * last_year[m]) for m in ahead]
    average = sum(actual) / elapsed
    return "even", [Estimate(average, min(actual), max(actual)) for _ in ahead]


def project(actual: Sequence[float | None], last_year: Sequence[float | None] = ()) -> Projection:
    """Project the year and the current quarter from `actual` (this fiscal year's closed months,
    at most twelve) and `last_year` (last fiscal year's twelve months, or empty)."""
    done, before = _clean(actual), _clean(last_year)
    if len(done) > MONTHS:
        raise ValueError(f"a fiscal year has {MONTHS} months, not {len(done)}")
    if before and len(before) != MONTHS:
        raise ValueError(f"last year needs all {MONTHS} months (0 where there was no revenue)")
    method, ahead = _remaining(done, before)
    elapsed = len(done)
    quarter_start = min(elapsed, MONTHS - 1) // 3 * 3
    closed = sum(done[quarter_start:elapsed])
    quarter = Estimate(closed, closed, closed)
    for month, estimate in enumerate(ahead, start=elapsed):
        if month < quarter_start + 3:
            quarter = quarter + estimate
    ytd = sum(done)
    year = Estimate(ytd, ytd, ytd)
    for estimate in ahead:
        year = year + estimate
    return Projection(method, tuple(ahead), quarter_start, quarter, year)
