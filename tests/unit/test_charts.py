"""lib.charts: what each figure shows, built in one go from plain traces."""
import math

import pandas as pd

from lib import charts


def test_the_account_chart_shows_revenue_bars_the_target_and_last_year_leaving_unknown_months_empty():
    frame = pd.DataFrame({"month": ["2026-01-01", "2026-02-01"], "revenue": [10.0, None],
                          "target": [12.0, 12.0], "revenue_last_year": [None, 9.0]})
    fig = charts.revenue_vs_target(frame, "EUR")
    assert [(t.type, t.name) for t in fig.data] == [
        ("bar", "Revenue"), ("scatter", "Target"), ("scatter", "Revenue last year")]
    assert list(fig.data[0].x) == ["Jan 2026", "Feb 2026"]
    assert fig.data[0].y[0] == 10.0 and math.isnan(fig.data[0].y[1])
    assert list(fig.data[1].y) == [12.0, 12.0] and fig.data[1].line.color == charts.TARGET
    assert "EUR" in fig.data[2].hovertemplate and fig.data[2].line.dash == "dot"
    layout = fig.layout
    assert (layout.height, layout.yaxis.title.text, layout.hovermode) == (340, "EUR", "x unified")


def test_the_ageing_chart_colours_each_bucket_and_names_its_invoices_without_a_legend():
    buckets = pd.DataFrame({"label": ["Not yet due", "1-30", "31-60", "61-90", "Over 90", "Later"],
                            "invoices": [3, 1, 0, 2, 5, 1], "amount": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    fig = charts.ageing(buckets, "USD")
    (bars,) = fig.data
    assert list(bars.marker.color) == [*charts.AGEING, charts.AGEING[-1]]
    assert list(bars.customdata) == [3, 1, 0, 2, 5, 1] and list(bars.y) == [1, 2, 3, 4, 5, 6]
    assert fig.layout.showlegend is False and fig.layout.height == 320


def test_the_payout_curve_marks_each_named_position_on_the_plans_line():
    fig = charts.payout_curve([(0, 0), (100, 300)], [("Now", 42.5, 80), ("Year end", 90, 250)], "USD")
    assert [t.name for t in fig.data] == ["Commission", "Now", "Year end"]
    assert [t.marker.symbol for t in fig.data[1:]] == ["circle", "diamond"]
    assert (list(fig.data[1].x), list(fig.data[1].y)) == ([42.5], [80.0])
    assert fig.layout.hovermode == "closest" and fig.layout.xaxis.ticksuffix == "%"
    assert fig.layout.xaxis.title.text == "Attainment (% of quota)"
