"""The arithmetic of targets: spreading, fiscal quarters, reading cells, the conflict rule."""
from datetime import date
from decimal import Decimal as D

import pytest

from lib.periods import FiscalYear
from lib.target_rules import (CellEdit, GridRow, allocation, columns, parse_amount,
                              quarter_totals, resolve_row, sort_out, spread, year_choices,
                              year_total)

INDIA = FiscalYear(2026, 4)    # Apr 2026 - Mar 2027
CALENDAR = FiscalYear(2026, 1)


def test_spreading_a_hundred_thousand_evenly_over_twelve_months_sums_exactly_to_the_cent():
    parts = spread(D("100000.00"), [1] * 12)
    assert sum(parts) == D("100000.00")
    assert parts == [D("8333.34")] * 4 + [D("8333.33")] * 8  # the left-over cents go first


def test_spreading_follows_the_shape_of_the_weights():
    assert spread(D("1000"), [1, 2, 1]) == [D("250.00"), D("500.00"), D("250.00")]
    assert spread(D("100"), [D("0.5"), 0, D("0.5")]) == [D("50.00"), D("0.00"), D("50.00")]


@pytest.mark.parametrize("total, weights", [
    (D("0.01"), [1, 1, 1]),
    (D("1000000.07"), [3.3, 7.1, 0.2, 9.9, 1, 1, 1, 1, 1, 1, 1, 1]),
    (D("99999.99"), [D("123456.78"), D("0.01"), D("98765.43")]),
    (D("12"), [1e-9, 1, 1e9]),
    (D("0"), [1, 2, 3]),
])
def test_every_spread_sums_exactly_to_its_total(total, weights):
    parts = spread(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 and p == p.quantize(D("0.01")) for p in parts)


def test_largest_remainders_get_the_left_over_cents():
    # 1.00 over weights 1,1,1: 33.33.. each, one cent left, it goes to the first (a tie)
    assert spread(D("1.00"), [1, 1, 1]) == [D("0.34"), D("0.33"), D("0.33")]
    # 0.10 over 1,2: 0.0333 and 0.0666 -> the larger remainder (second) gets the extra cent
    assert spread(D("0.10"), [1, 2]) == [D("0.03"), D("0.07")]


def test_all_zero_missing_or_negative_weights_spread_evenly():
    assert spread(D("90"), [0, 0, 0]) == [D("30.00")] * 3
    assert spread(D("90"), [None, float("nan"), -5]) == [D("30.00")] * 3


def test_a_total_with_fractions_of_a_cent_cannot_be_spread():
    with pytest.raises(ValueError):
        spread(D("10.005"), [1, 1])


def test_quarters_follow_an_april_fiscal_year():
    months = {m: D(i + 1) for i, m in enumerate(INDIA.months)}
    assert INDIA.months[0] == date(2026, 4, 1) and INDIA.months[-1] == date(2027, 3, 1)
    assert quarter_totals(months, INDIA) == {1: D(6), 2: D(15), 3: D(24), 4: D(33)}  # Q4 = Jan-Mar 2027
    assert year_total(months, INDIA) == D(78)
    assert columns(INDIA)[:4] == ["Apr 2026", "May 2026", "Jun 2026", "Q1"]
    assert columns(INDIA)[-2:] == ["Q4", "Year"]


def test_a_quarter_with_no_targets_has_no_total_rather_than_zero():
    months = {date(2026, 1, 1): D(5)}
    assert quarter_totals(months, CALENDAR) == {1: D(5), 2: None, 3: None, 4: None}
    assert year_total({}, CALENDAR) is None


def test_the_year_choices_centre_on_the_fiscal_year_of_today():
    choices = year_choices(date(2027, 2, 10), 4)
    assert [y.label for y in choices] == ["FY 2024–25", "FY 2025–26", "FY 2026–27", "FY 2027–28"]


@pytest.mark.parametrize("typed, expected", [
    (1234.5, D("1234.50")), ("100", D("100.00")), (0, D("0.00")), (None, None), ("  ", None),
    (float("nan"), None),
])
def test_a_typed_cell_reads_as_cents_or_as_empty(typed, expected):
    assert parse_amount(typed) == expected


@pytest.mark.parametrize("typed, reason", [
    (-1, "must not be negative"), ("abc", "must be a number"), (True, "must be a number"),
    (float("inf"), "must be a number"), ("1e13", "must be at most 1,000,000,000,000"),
    (10.005, "has more than 2 decimal places"),
])
def test_a_wrong_cell_says_why(typed, reason):
    with pytest.raises(ValueError, match=reason):
        parse_amount(typed)


def _row(months=None):
    return GridRow(7, "Maya Thompson", months or {m: D("100") for m in CALENDAR.months})


def test_a_month_edit_is_one_cell_and_an_unchanged_one_is_none():
    done = resolve_row(_row(), {"Mar 2026": 250, "Apr 2026": 100}, CALENDAR, None)
    assert done.problems == []
    assert done.cells == [CellEdit(7, date(2026, 3, 1), D("250.00"))]


def test_a_quarter_total_is_spread_over_its_three_months_as_one_group():
    done = resolve_row(_row(), {"Q2": 1000}, CALENDAR, [1] * 12)
    assert [c.month for c in done.cells] == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert sum(c.amount for c in done.cells) == D("1000")
    assert {c.group for c in done.cells} == {"Maya Thompson, Q2 total"}


def test_a_year_total_spread_by_the_current_shape_keeps_that_shape():
    shape = {m: D(100 * (i + 1)) for i, m in enumerate(CALENDAR.months)}  # 100 .. 1,200
    done = resolve_row(_row(shape), {"Year": 15600}, CALENDAR, list(shape.values()))
    assert [c.amount for c in done.cells] == [D(200 * (i + 1)) for i in range(12)]


def test_a_row_cannot_change_a_total_and_the_months_inside_it_at_once():
    done = resolve_row(_row(), {"Q1": 300, "Feb 2026": 5}, CALENDAR, None)
    assert done.problems == [
        "Maya Thompson, Q1: change either the quarter total or its months, not both at once"]
    done = resolve_row(_row(), {"Year": 300, "Q1": 5}, CALENDAR, None)
    assert done.cells == [] and "year total" in done.problems[0]


def test_wrong_cells_are_named_with_the_row_and_the_month():
    done = resolve_row(_row(), {"Mar 2026": -5, "Q4": "lots", "Q3": None}, CALENDAR, None)
    assert done.problems == ["Maya Thompson, Mar 2026: must not be negative",
                             "Maya Thompson, Q4 total: must be a number",
                             "Maya Thompson, Q3 total: type a total (0 sets its months to 0)"]
    assert done.cells == []


MAR, APR, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def test_a_cell_nobody_else_touched_is_written():
    out = sort_out([CellEdit(7, MAR, D(5))], {(7, MAR): D(1)}, {(7, MAR): D(1)})
    assert out.write == [CellEdit(7, MAR, D(5))] and out.conflicts == []


def test_a_cell_someone_else_changed_meanwhile_is_a_conflict_and_not_written():
    out = sort_out([CellEdit(7, MAR, D(5)), CellEdit(7, APR, D(6))],
                   {(7, MAR): D(1), (7, APR): D(1)}, {(7, MAR): D(2), (7, APR): D(1)})
    assert out.conflicts == [CellEdit(7, MAR, D(5))]
    assert out.write == [CellEdit(7, APR, D(6))]


def test_a_cell_that_already_holds_the_new_value_needs_nothing():
    out = sort_out([CellEdit(7, MAR, D(5))], {(7, MAR): D(1)}, {(7, MAR): D(5)})
    assert out.write == [] and out.conflicts == []


def test_a_cell_someone_else_created_meanwhile_is_a_conflict():
    out = sort_out([CellEdit(7, MAR, D(5))], {(7, MAR): None}, {(7, MAR): D(9)})
    assert out.conflicts == [CellEdit(7, MAR, D(5))]


def test_one_conflicting_month_holds_back_its_whole_spread_total():
    group = "Maya Thompson, Q2 total"
    cells = [CellEdit(7, m, D(10), group) for m in (APR, MAY)] + [CellEdit(8, MAR, D(1))]
    out = sort_out(cells, {(7, APR): D(1), (7, MAY): D(1), (8, MAR): D(0)},
                   {(7, APR): D(1), (7, MAY): D(3), (8, MAR): D(0)})
    assert out.held_back == [group]
    assert out.write == [CellEdit(8, MAR, D(1))]
    assert out.conflicts == [CellEdit(7, MAY, D(10), group)]


@pytest.mark.parametrize("own, accounts, verdict", [
    (D(1000), D(1000), "balanced"), (D(1000), D(995), "balanced"),
    (D(1150), D(1000), "over-allocated"), (D(880), D(1000), "under-allocated"),
    (None, D(10), "under-allocated"), (D(10), None, "over-allocated"), (None, None, "no targets"),
    (float("nan"), 0.0, "no targets"),
])
def test_the_roll_up_verdict_compares_the_manager_with_the_accounts(own, accounts, verdict):
    assert allocation(own, accounts) == verdict
