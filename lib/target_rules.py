"""The arithmetic of targets, pure: no database, Decimal cents throughout.

Spreading a quarter or year total over its months (so the months always add up to the total),
quarter and year totals that follow the fiscal year, reading a typed cell, turning the edits of
one grid row into month cells, the per-cell conflict rule, and the roll-up verdict.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from lib.models import MAX_AMOUNT
from lib.periods import FiscalYear

CENT = Decimal("0.01")
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
YEAR = "Year"
SEASONALITY = {"last_year": "Last year's actual shape", "even": "Even",
               "current": "Shape of the current targets"}
BALANCE_TOLERANCE = Decimal("0.01")  # within 1% of the manager's own target reads as balanced

Cell = tuple[int, date]  # (subject id, first of the month)


def month_label(month: date) -> str:
    return f"{month:%b %Y}"


def year_choices(today: date, start_month: int) -> list[FiscalYear]:
    """Two years back, this fiscal year and the next: the years a target grid is opened on."""
    current = FiscalYear.containing(today, start_month)
    return [FiscalYear(current.start_year + n, start_month) for n in (-2, -1, 0, 1)]


def quarter_months(fiscal: FiscalYear, quarter: int) -> list[date]:
    return fiscal.months[3 * (quarter - 1):3 * quarter]


def columns(fiscal: FiscalYear) -> list[str]:
    """The grid's figure columns: each quarter after its three months, then the year."""
    out: list[str] = []
    for q in range(1, 5):
        out += [month_label(m) for m in quarter_months(fiscal, q)] + [QUARTERS[q - 1]]
    return out + [YEAR]


# ---- spreading ---------------------------------------------------------------------------------
def spread(total: Decimal | int | str, weights: Sequence[Decimal | float | int | None]) -> list[Decimal]:
    """Split `total` (whole cents) over the parts in proportion to `weights`, summing exactly.

    Largest remainder: each part gets the whole cents of its share; the cents left over go
    to the parts with the largest fractions (the earlier part on a tie). Missing, negative
    or NaN weights count as 0 (a month of credit notes has no negative share); when no
    weight is left, the total is spread evenly.
    """
    if not weights:
        raise ValueError("spread needs at least one part")
    cents = Fraction(Decimal(str(total))) * 100
    if cents.denominator != 1:
        raise ValueError(f"{total} is not a whole number of cents")
    shares = [_weight(w) for w in weights]
    if sum(shares) == 0:
        shares = [Fraction(1)] * len(weights)
    whole = sum(shares)
    exact = [cents * s / whole for s in shares]
    parts = [math.floor(x) for x in exact]
    left = int(cents) - sum(parts)
    by_fraction = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_fraction[:left]:
        parts[i] += 1
    return [(Decimal(p) * CENT).quantize(CENT) for p in parts]


def _weight(value: Decimal | float | int | None) -> Fraction:
    if value is None:
        return Fraction(0)
    if isinstance(value, float) and not math.isfinite(value):
        return Fraction(0)
    share = Fraction(Decimal(str(value)))
    return share if share > 0 else Fraction(0)


# ---- totals ------------------------------------------------------------------------------------
def _sum(values: Sequence[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal("0")) if present else None


def quarter_totals(months: Mapping[date, Decimal | None], fiscal: FiscalYear) -> dict[int, Decimal | None]:
    """Quarter number -> the sum of its months (None when none of them has a target)."""
    return {q: _sum([months.get(m) for m in quarter_months(fiscal, q)]) for q in range(1, 5)}


def year_total(months: Mapping[date, Decimal | None], fiscal: FiscalYear) -> Decimal | None:
    return _sum([months.get(m) for m in fiscal.months])


# ---- reading a typed cell ----------------------------------------------------------------------
def parse_amount(value: object) -> Decimal | None:
    """A typed cell -> Decimal cents, or None for an empty cell.

    Raises ValueError with the reason a person reads after the cell's name.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, bool):
        raise ValueError("must be a number")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("must be a number") from None
    if not amount.is_finite():
        raise ValueError("must be a number")
    if amount < 0:
        raise ValueError("must not be negative")
    if amount > MAX_AMOUNT:
        raise ValueError(f"must be at most {MAX_AMOUNT:,}")
    if amount != amount.quantize(CENT):
        raise ValueError("has more than 2 decimal places")
    return amount.quantize(CENT)


# ---- the edits of a grid -----------------------------------------------------------------------
@dataclass(frozen=True)
class CellEdit:
    """One month cell to save. `group` names the total it was spread from, if any: the
    months of one total are saved together or not at all."""

    subject_id: int
    month: date
    amount: Decimal | None
    group: str | None = None


@dataclass
class Resolution:
    cells: list[CellEdit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GridRow:
    """What the rules need of one grid row: who it is and the months as loaded."""

    subject_id: int
    name: str
    months: Mapping[date, Decimal | None]


def resolve_row(row: GridRow, edited: Mapping[str, object], fiscal: FiscalYear,
                weights: Sequence[Decimal | float | None] | None) -> Resolution:
    """The month cells one row's edits mean. A month edit is itself; a quarter or year total
    is spread over its months by `weights` (12, in fiscal order; None: even). A row may change
    a total or the months inside it, not both in one save."""
    out = Resolution()
    by_label = {month_label(m): m for m in fiscal.months}
    months, totals = {}, {}
    for column, raw in edited.items():
        where = f"{row.name}, {column}" + (" total" if column in (*QUARTERS, YEAR) else "")
        if column not in by_label and column not in (*QUARTERS, YEAR):
            continue  # name and currency are not editable; anything else is not ours
        try:
            value = parse_amount(raw)
        except ValueError as exc:
            out.problems.append(f"{where}: {exc}")
            continue
        if column in by_label:
            months[by_label[column]] = value
        elif value is None:
            out.problems.append(f"{where}: type a total (0 sets its months to 0)")
        else:
            totals[column] = value
    out.problems += _overlaps(row.name, set(months), set(totals), fiscal)
    if out.problems:
        return out
    for month, value in months.items():
        if value != row.months.get(month):
            out.cells.append(CellEdit(row.subject_id, month, value))
    for column, total in totals.items():
        span = fiscal.months if column == YEAR else quarter_months(fiscal, QUARTERS.index(column) + 1)
        shape = [weights[fiscal.months.index(m)] for m in span] if weights else [1] * len(span)
        group = f"{row.name}, {column} total"
        out.cells += [CellEdit(row.subject_id, m, v, group) for m, v in zip(span, spread(total, shape))]
    return out


def _overlaps(name: str, months: set[date], totals: set[str], fiscal: FiscalYear) -> list[str]:
    if YEAR in totals and (months or len(totals) > 1):
        return [f"{name}: change either the year total or its quarters and months, not both at once"]
    return [f"{name}, {q}: change either the quarter total or its months, not both at once"
            for q in sorted(totals - {YEAR}) if months & set(quarter_months(fiscal, QUARTERS.index(q) + 1))]


def with_edits(months: Mapping[date, Decimal | None],
               cells: Sequence[CellEdit]) -> dict[date, Decimal | None]:
    """A row's months with its resolved edits applied (for the totals of a preview)."""
    out = dict(months)
    out.update({c.month: c.amount for c in cells})
    return out


# ---- the per-cell conflict rule ----------------------------------------------------------------
@dataclass(frozen=True)
class Sorted:
    write: list[CellEdit]
    conflicts: list[CellEdit]  # someone else changed these since they were loaded
    held_back: list[str]       # totals not saved because a month inside them conflicts


def sort_out(cells: Sequence[CellEdit], loaded: Mapping[Cell, Decimal | None],
             current: Mapping[Cell, Decimal | None]) -> Sorted:
    """Which cells to write. A cell whose saved value is already the new one needs nothing.
    A cell whose saved value moved on since it was loaded is a conflict and is not written;
    nor is any month of a total spread over a conflicting month. The rest is written."""
    conflicts, write = [], []
    for cell in cells:
        key = (cell.subject_id, cell.month)
        now = current.get(key)
        if now == cell.amount:
            continue
        (conflicts if now != loaded.get(key) else write).append(cell)
    groups = sorted({c.group for c in conflicts if c.group})
    return Sorted([c for c in write if c.group not in groups], conflicts, groups)


def _decimal(value: Decimal | float | None) -> Decimal:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return Decimal("0")
    return Decimal(str(value))


# ---- the roll-up verdict -----------------------------------------------------------------------
def allocation(own: Decimal | float | None, accounts: Decimal | float | None,
               tolerance: Decimal = BALANCE_TOLERANCE) -> str:
    """A manager's own target against the sum of their accounts' targets.

    Over-allocated: the manager carries more than their accounts add up to; under-allocated:
    less. Within `tolerance` of the manager's target (FX rounding) it is balanced.
    """
    own_d, accounts_d = _decimal(own), _decimal(accounts)
    if own_d == 0 and accounts_d == 0:
        return "no targets"
    gap = own_d - accounts_d
    if abs(gap) <= abs(own_d) * tolerance:
        return "balanced"
    return "over-allocated" if gap > 0 else "under-allocated"
