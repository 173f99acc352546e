"""Plotly figures built from plain DataFrames (no database, no Streamlit): pure and testable."""
from __future__ import annotations

from typing import Any

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


PROJECTED = "#60a5fa"
QUOTA = "#7c3aed"
AGEING = ("#16a34a", "#facc15", "#f97316", "#ea580c", "#dc2626")  # not yet due ... over 90 days


def _layout(fig: go.Figure, currency: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10}, height=height, hovermode="x unified",
        legend={"orientation": "h", "y": 1.12, "x": 0},
        yaxis={"title": currency, "tickformat": "~s", "rangemode": "tozero"},
    )
    return fig


def revenue_projection(monthly: pd.DataFrame, currency: str) -> go.Figure:
    """Actual revenue bars, the target line, and the projection of the months to come with its
    range as a band; the manager's quota as a dotted line when there is one.

    `monthly` has columns month, revenue, target, revenue_last_year, quota, projected,
    projected_low, projected_high (NaN where unknown or not applicable).
    """
    months = pd.to_datetime(monthly["month"]).dt.strftime("%b %Y")
    money = " %{y:,.0f} " + currency + "<extra></extra>"
    ahead = monthly["projected"].notna()
    fig = go.Figure()
    fig.add_bar(x=months, y=monthly["revenue"], name="Revenue", marker_color=ACTUAL,
                hovertemplate="Revenue" + money)
    fig.add_bar(x=months[ahead], y=monthly["projected"][ahead], name="Projected",
                marker={"color": PROJECTED, "opacity": 0.45, "line": {"color": ACTUAL, "width": 1}},
                hovertemplate="Projected" + money)
    fig.add_scatter(x=months[ahead], y=monthly["projected_high"][ahead], mode="lines",
                    line={"width": 0, "color": PROJECTED}, showlegend=False,
                    hovertemplate="Projected high" + money)
    fig.add_scatter(x=months[ahead], y=monthly["projected_low"][ahead], mode="lines",
                    line={"width": 0, "color": PROJECTED}, fill="tonexty",
                    fillcolor="rgba(96,165,250,0.25)", name="Projection range",
                    hovertemplate="Projected low" + money)
    fig.add_scatter(x=months, y=monthly["target"], name="Target", mode="lines+markers",
                    line={"color": TARGET, "width": 3}, hovertemplate="Target" + money)
    if "quota" in monthly and monthly["quota"].notna().any():
        fig.add_scatter(x=months, y=monthly["quota"], name="Manager's quota", mode="lines",
                        line={"color": QUOTA, "dash": "dot"}, hovertemplate="Quota" + money)
    fig.add_scatter(x=months, y=monthly["revenue_last_year"], name="Revenue last year",
                    mode="lines", line={"color": LAST_YEAR, "dash": "dot"},
                    hovertemplate="Last year" + money)
    fig.update_layout(barmode="overlay")
    return _layout(fig, currency)


def budget_vs_spend(monthly: pd.DataFrame, currency: str) -> go.Figure:
    """Spend per month stacked by category, with the month's total budget as a line.

    `monthly` has columns month, category, budget, spend (spend NaN for months not closed).
    """
    fig = go.Figure()
    for category, rows in monthly.groupby("category", sort=True):
        fig.add_bar(x=pd.to_datetime(rows["month"]).dt.strftime("%b %Y"), y=rows["spend"],
                    name=f"{str(category).capitalize()} spend",
                    hovertemplate=f"{str(category).capitalize()} %{{y:,.0f}} {currency}<extra></extra>")
    budget = monthly.groupby("month", as_index=False)["budget"].sum(min_count=1)
    fig.add_scatter(x=pd.to_datetime(budget["month"]).dt.strftime("%b %Y"), y=budget["budget"],
                    name="Budget", mode="lines+markers", line={"color": TARGET, "width": 3},
                    hovertemplate="Budget %{y:,.0f} " + currency + "<extra></extra>")
    fig.update_layout(barmode="stack")
    return _layout(fig, currency)


def ageing(buckets: pd.DataFrame, currency: str) -> go.Figure:
    """Open amounts per ageing bucket. `buckets` has columns label, invoices, amount, in order."""
    colours = list(AGEING) + [AGEING[-1]] * max(0, len(buckets) - len(AGEING))
    fig = go.Figure()
    fig.add_bar(x=buckets["label"], y=buckets["amount"], marker_color=colours[:len(buckets)],
                customdata=buckets["invoices"], name="Open amount",
                hovertemplate="%{x}<br>%{y:,.0f} " + currency
                + " in %{customdata:,} invoices<extra></extra>")
    fig.update_layout(showlegend=False)
    return _layout(fig, currency, height=320)


def payout_curve(points: list[tuple[Any, Any]], marks: list[tuple[str, Any, Any]],
                 currency: str) -> go.Figure:
    """What a plan pays (y) at each attainment % (x), with named positions marked on it."""
    fig = go.Figure(go.Scatter(x=[float(x) for x, _ in points], y=[float(y) for _, y in points],
                               mode="lines", name="Commission", line={"width": 3},
                               hovertemplate="%{x:.0f}% of quota: %{y:,.2f}<extra></extra>"))
    for (name, x, y), symbol in zip(marks, ("circle", "diamond", "star", "square")):
        fig.add_trace(go.Scatter(x=[float(x)], y=[float(y)], mode="markers+text", name=name,
                                 text=[name], textposition="top left",
                                 marker={"size": 14, "symbol": symbol},
                                 hovertemplate=f"{name}: %{{x:.1f}}%, %{{y:,.2f}}<extra></extra>"))
    fig = _layout(fig, currency)
    fig.update_layout(hovermode="closest", xaxis={"title": "Attainment (% of quota)",
                                                  "ticksuffix": "%"})
    return fig
