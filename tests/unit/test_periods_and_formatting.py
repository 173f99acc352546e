"""Fiscal calendar rules and how figures read on screen."""
from datetime import date

import pandas as pd
import pytest

from lib.charts import revenue_vs_target
from lib.formatting import count, money, percent, plain
from lib.periods import FiscalYear, YearToDate, add_months


def test_adding_months_crosses_year_ends_both_ways():
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)


def test_an_april_fiscal_year_puts_january_in_the_fourth_quarter():
    fy = FiscalYear.containing(date(2027, 1, 15), start_month=4)
    assert fy.label == "FY 2026–27"
    assert fy.first_month == date(2026, 4, 1)
    assert fy.months[-1] == date(2027, 3, 1)
    assert fy.quarter_of(date(2027, 1, 1)) == 4
    assert fy.quarter_of(date(2026, 4, 1)) == 1


def test_a_calendar_fiscal_year_has_quarters_of_three_calendar_months():
    fy = FiscalYear.containing(date(2026, 11, 22))
    assert fy.label == "FY 2026"
    assert [fy.quarter_of(date(2026, m, 1)) for m in (1, 3, 4, 7, 12)] == [1, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="not in FY 2026"):
        fy.quarter_of(date(2027, 1, 1))


def test_year_to_date_runs_to_the_last_complete_month():
    ytd = YearToDate.as_of(date(2026, 11, 22))
    assert (ytd.first, ytd.last) == (date(2026, 1, 1), date(2026, 10, 1))
    assert ytd.label == "Jan 2026 – Oct 2026"


def test_in_the_first_month_of_a_fiscal_year_the_year_just_closed_is_shown_whole():
    ytd = YearToDate.as_of(date(2026, 4, 10), start_month=4)
    assert (ytd.first, ytd.last) == (date(2025, 4, 1), date(2026, 3, 1))
    assert ytd.year.label == "FY 2025–26"
    january = YearToDate.as_of(date(2027, 1, 3))
    assert (january.first, january.last) == (date(2026, 1, 1), date(2026, 12, 1))


@pytest.mark.parametrize("value, currency, text", [
    (1_234_567, "USD", "$1.23M"), (830_000, "GBP", "£830.0K"), (9_999, "EUR", "€9,999"),
    (-25_000, "USD", "-$25.00K"), (None, "USD", "—"), (float("nan"), "INR", "—"),
    (2_500_000_000, "INR", "₹2.50B"), (12, "CHF", "CHF 12"),
])
def test_money_reads_compactly_with_its_currency(value, currency, text):
    assert money(value, currency) == text


def test_percentages_and_counts_read_naturally():
    assert percent(1.2345) == "123%"
    assert percent(None) == "—"
    assert count(1, "invoice") == "1 invoice"
    assert count(3, "invoice") == "3 invoices"


def test_the_revenue_chart_has_revenue_bars_a_target_line_and_last_year():
    monthly = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01"]),
                            "revenue": [10.0, None], "target": [12.0, 12.0],
                            "revenue_last_year": [9.0, 11.0]})
    fig = revenue_vs_target(monthly, "GBP")
    assert [t.name for t in fig.data] == ["Revenue", "Target", "Revenue last year"]
    assert fig.data[0].type == "bar" and list(fig.data[1].y) == [12.0, 12.0]
    assert list(fig.data[0].x) == ["Jan 2026", "Feb 2026"]
    assert fig.layout.yaxis.title.text == "GBP"


@pytest.mark.parametrize("typed, shown", [
    ("Acme Inc.", "Acme Inc."),
    ("![x](https://evil.example/p.png)", "!\\[x\\](https\\://evil.example/p.png)"),
    ("**loud** :red[alarm] $x$", "\\*\\*loud\\*\\* \\:red\\[alarm\\] \\$x\\$"),
    ("<b>two\nlines</b>", "\\<b\\>two lines\\</b\\>"),
    (None, ""),
])
def test_typed_text_is_escaped_for_streamlits_markdown(typed, shown):
    assert plain(typed) == shown
