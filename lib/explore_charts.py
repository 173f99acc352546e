"""The chart of an Explore result: bars or lines of the aggregate by the first group, one
colour per value of the second group. Pure: a DataFrame in, a plotly figure out."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.explore import VALUE, ExploreSpec, value_label

MAX_SERIES = 12     # more colours than this is noise; the rest are left out and the caption says so


def figure(frame: pd.DataFrame, spec: ExploreSpec) -> go.Figure | None:
    """A figure for a grouped result, or None when there is nothing to chart."""
    if not spec.group_by or frame.empty or spec.chart not in ("bar", "line"):
        return None
    table = spec.spec_table
    x = spec.group_by[0]
    data = frame.sort_values(x) if spec.chart == "line" else frame
    if len(spec.group_by) == 1:
        traces, legend = [_trace(spec.chart, data[x], data[VALUE], value_label(spec))], {}
    else:
        series = spec.group_by[1]
        traces = [_trace(spec.chart, part[x], part[VALUE], str(name))
                  for name in list(data[series].drop_duplicates())[:MAX_SERIES]
                  for part in [data[data[series] == name]]]
        legend = {"legend": {"title": {"text": table.columns[series].label}}}
    # built in one go: plotly checks and copies the figure again at each trace or layout update
    return go.Figure(data=traces, layout={
        "xaxis": {"title": {"text": table.columns[x].label}},
        "yaxis": {"title": {"text": value_label(spec)}}, "barmode": "group",
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "height": 420, **legend})


def _trace(kind: str, x: pd.Series, y: pd.Series, name: str) -> dict:
    if kind == "line":
        return {"type": "scatter", "x": list(x), "y": list(y), "name": name, "mode": "lines+markers"}
    return {"type": "bar", "x": [str(v) for v in x], "y": list(y), "name": name}
