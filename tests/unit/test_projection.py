"""The run-rate projection on worked examples (lib.projection)."""
import math

import pytest

from lib.projection import Estimate, project

# Last year: nine quiet months of 10, then a peak quarter of 20 (total 150).
SEASONAL_LAST_YEAR = [10] * 9 + [20] * 3


def approx(estimate: Estimate, point: float, low: float, high: float) -> None:
    assert (estimate.point, estimate.low, estimate.high) == (
        pytest.approx(point), pytest.approx(low), pytest.approx(high))


def test_a_year_running_20_percent_above_last_year_projects_the_peak_quarter_20_percent_higher():
    # 108 in nine months against last year's 90: r = 1.2; months ran at 1.1 to 1.3 of last year.
    p = project([12, 12, 12, 11, 11, 11, 13, 13, 13], SEASONAL_LAST_YEAR)
    assert p.method == "seasonal"
    assert [m.point for m in p.months] == pytest.approx([24, 24, 24])
    approx(p.year_end, 108 + 72, 108 + 66, 108 + 78)
    assert p.quarter_start == 9
    approx(p.quarter_end, 72, 66, 78)


def test_the_seasonal_year_end_is_the_ytd_actual_over_last_years_share_of_those_months():
    p = project([12] * 9, SEASONAL_LAST_YEAR)  # 108 is 90/150 = 60% of the year last year
    assert p.year_end.point == pytest.approx(108 / 0.6)


def test_without_a_complete_last_year_the_remaining_months_run_at_the_average_month():
    p = project([10, 20, 30], last_year=[])
    assert p.method == "even"
    assert [m.point for m in p.months] == pytest.approx([20] * 9)
    approx(p.year_end, 60 + 9 * 20, 60 + 9 * 10, 60 + 9 * 30)
    assert p.quarter_start == 3  # months 4-6 are the quarter under way
    approx(p.quarter_end, 60, 30, 90)


def test_a_last_year_with_an_empty_month_is_not_used_for_seasons():
    started_in_march = [0, 0] + [10] * 10
    p = project([15, 15], started_in_march)
    assert p.method == "even"
    assert p.year_end.point == pytest.approx(15 * 12)


def test_the_quarter_under_way_adds_its_closed_months_to_the_projection_of_the_rest():
    # Ten months closed: the fourth quarter holds month 10 (closed, 40) and two to come.
    p = project([10] * 9 + [40], last_year=[])
    assert p.quarter_start == 9
    average = 130 / 10
    approx(p.quarter_end, 40 + 2 * average, 40 + 2 * 10, 40 + 2 * 40)


def test_a_closed_year_projects_exactly_what_happened():
    p = project([10] * 12, SEASONAL_LAST_YEAR)
    assert p.months == ()
    approx(p.year_end, 120, 120, 120)
    approx(p.quarter_end, 30, 30, 30)


def test_before_any_month_closes_the_projection_is_last_years_months():
    p = project([], SEASONAL_LAST_YEAR)
    assert p.method == "last_year"
    approx(p.year_end, 150, 150, 150)
    approx(p.quarter_end, 30, 30, 30)


def test_with_nothing_to_go_by_the_projection_says_none_and_adds_nothing():
    p = project([], [])
    assert p.method == "none"
    approx(p.year_end, 0, 0, 0)


def test_a_month_without_revenue_counts_as_zero():
    p = project([10, None, math.nan, 30], last_year=[])
    assert p.year_end.point == pytest.approx(40 + 8 * 10)
    assert p.year_end.low == pytest.approx(40)  # the weakest month so far was 0


def test_the_point_estimate_lies_inside_its_range():
    p = project([9, 14, 10, 12, 8], [10, 10, 10, 11, 9, 12, 12, 10, 10, 14, 15, 18])
    for estimate in (*p.months, p.quarter_end, p.year_end):
        assert estimate.low <= estimate.point <= estimate.high


def test_a_year_of_more_than_twelve_months_or_a_partial_last_year_is_refused():
    with pytest.raises(ValueError):
        project([1] * 13)
    with pytest.raises(ValueError):
        project([1], [1, 2, 3])
