"""Plotly figures built from plain DataFrames (no database, no Streamlit): pure and testable."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

ACTUAL = "#2563eb"
TARGET = "#f97316"
LAST_YEAR = "#94a3b8"


def revenue_vs_target(monthly: pd.DataFrame, currency: str) -> go.Figure:
    """Monthly revenue bars, the target line and last year's revenue for comparison.

    `monthly` has columns month, revenue, target, revenue_last_year (NaN where unknown).
    """
    months = pd.to_datetime(monthly["month"]).dt.strftime("%b %Y")
    fig = go.Figure()
    fig.add_bar(x=months, y=monthly["revenue"], name="Revenue", marker_color=ACTUAL,
                hovertemplate="%{x}<br>Revenue %{y:,.0f} " + currency + "<extra></extra>")
    fig.add_scatter(x=months, y=monthly["target"], name="Target", mode="lines+markers",
                    line={"color": TARGET, "width": 3},
                    hovertemplate="%{x}<br>Target %{y:,.0f} " + currency + "<extra></extra>")
    fig.add_scatter(x=months, y=monthly["revenue_last_year"], name="Revenue last year",
                    mode="lines", line={"color": LAST_YEAR, "dash": "dot"},
                    hovertemplate="%{x}<br>Last year %{y:,.0f} " + currency + "<extra></extra>")
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=340, hovermode="x unified",
        legend={"orientation": "h", "y": 1.12, "x": 0},
        yaxis={"title": currency, "tickformat": "~s", "rangemode": "tozero"},
    )
    return fig
