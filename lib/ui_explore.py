"""Explore's widgets: the view builder (bound to the URL), the result, downloads, saved views
and the SQL box. The rules live in lib.explore, lib.saved_views and lib.sql_box."""
from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from lib import explore, sql_box, ui, ui_views
from lib.db import Database
from lib.errors import UserError, ValidationFailed
from lib.explore import AGGREGATES, CHARTS, MAX_FILTERS, OPERATORS, VALUE, ExploreSpec
from lib.explore_charts import figure
from lib.explore_tables import DATE, NUMBER, TABLES, TEXT
from lib.exports import csv_bytes, xlsx_bytes
from lib.filters import Condition
from lib.permissions import can
from lib.users import Actor

DOWNLOAD_CAP = 100_000
DAY = st.column_config.DateColumn(format="YYYY-MM-DD")
AMOUNT = ui.CENTS
_VIEW_KEYS = ("explore_group", "explore_agg", "explore_measure", "explore_sort", "explore_desc",
              "explore_chart")


# ---- the link ----------------------------------------------------------------------------------
def restore_from_link(currency: str) -> None:
    """A link (or a changed URL) seeds the builder once; the builder then writes the URL back."""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    seen = ui.digest(sorted((k, tuple(v)) for k, v in params.items()))
    if not params or st.session_state.get("explore_link") == seen:
        return
    st.session_state["explore_link"] = seen
    try:
        _seed(explore.from_query(params, currency))
    except ValidationFailed as exc:
        st.warning("The link's view could not be restored: " + " ".join(exc.problems),
                   icon=":material/link_off:")


def write_link(spec: ExploreSpec) -> None:
    query = explore.to_query(spec)
    st.query_params.from_dict(query)
    st.session_state["explore_link"] = ui.digest(sorted(
        (k, tuple(v) if isinstance(v, list) else (v,)) for k, v in query.items()))


def _seed(spec: ExploreSpec) -> None:
    """Put a spec into the builder's widgets (before they are drawn)."""
    _forget_builder()
    st.session_state["explore_table"] = spec.table
    st.session_state["explore_group"] = list(spec.group_by)
    st.session_state["explore_agg"] = spec.agg
    st.session_state["explore_measure"] = spec.measure or _default_measure(spec.table)
    st.session_state["explore_sort"] = spec.sort or ""
    st.session_state["explore_desc"] = spec.descending
    st.session_state["explore_chart"] = spec.chart
    st.session_state["explore_nfilters"] = len(spec.filters)
    for i, cond in enumerate(spec.filters):
        st.session_state[f"explore_f{i}_col"] = cond.field
        st.session_state[f"explore_f{i}_op"] = cond.op
        value = list(cond.value) if cond.op == "in" else cond.value
        st.session_state[_value_key(i, cond.field, cond.op)] = value


def _forget_builder() -> None:
    for key in [k for k in st.session_state if str(k).startswith("explore_f")] + list(_VIEW_KEYS):
        st.session_state.pop(key, None)


def _default_measure(table: str) -> str | None:
    t = TABLES[table]
    return t.default_measure or next(iter(t.of_kind(NUMBER)), None)


# ---- the builder -------------------------------------------------------------------------------
def builder(db: Database, actor: Actor, currency: str) -> ExploreSpec:
    """Table, filters, grouping, summary, sort and chart; returns the spec they describe."""
    st.session_state.setdefault("explore_table", "revenue")
    table_key = st.selectbox("Table", list(TABLES), format_func=lambda t: TABLES[t].label,
                             key="explore_table", on_change=_forget_builder)
    table = TABLES[table_key]
    filters = _filters(db, actor, table_key, currency)
    c = st.columns([3, 1.4, 2.4])
    groups = c[0].multiselect("Group by (up to two)", list(table.columns), max_selections=2,
                              format_func=lambda n: table.columns[n].label, key="explore_group",
                              placeholder="No grouping: list the rows")
    agg = c[1].selectbox("Summary", list(AGGREGATES), format_func=AGGREGATES.get, key="explore_agg",
                         disabled=not groups)
    numbers = table.of_kind(NUMBER)
    if st.session_state.get("explore_measure") not in numbers:
        st.session_state["explore_measure"] = _default_measure(table_key)
    measure = c[2].selectbox("Of", numbers, key="explore_measure",
                             format_func=lambda n: table.columns[n].label.replace(
                                 "reporting currency", currency),
                             disabled=not groups or agg == "count")
    sortable = ["", *groups, VALUE] if groups else ["", *table.columns]
    if st.session_state.get("explore_sort") not in sortable:
        st.session_state["explore_sort"] = ""
    c = st.columns([3, 1.4, 2.4], vertical_alignment="bottom")
    sort = c[0].selectbox("Sort by", sortable, key="explore_sort", format_func=lambda n: (
        "the summary" if n in ("", VALUE) and groups else "first column" if n == "" else
        table.columns[n].label if n in table.columns else n))
    descending = c[1].toggle("Largest first", value=True, key="explore_desc")
    chart = c[2].selectbox("Show as", list(CHARTS), format_func=CHARTS.get, key="explore_chart",
                           disabled=not groups)
    return ExploreSpec(table=table_key, filters=filters, group_by=tuple(groups), agg=agg,
                       measure=measure if groups and agg != "count" else None,
                       sort=sort or None, descending=descending, chart=chart, currency=currency)


def _value_key(i: int, column: str, op: str) -> str:
    return f"explore_f{i}_val_{column}_{op}"


def _filters(db: Database, actor: Actor, table_key: str, currency: str) -> tuple[Condition, ...]:
    table = TABLES[table_key]
    count = st.session_state.setdefault("explore_nfilters", 0)
    out = []
    for i in range(count):
        row = st.columns([3, 2, 4.4, 1.6], vertical_alignment="bottom")
        column = row[0].selectbox("Column", list(table.columns), key=f"explore_f{i}_col",
                                  format_func=lambda n: table.columns[n].label,
                                  label_visibility="visible" if i == 0 else "collapsed")
        kind = table.columns[column].kind
        ops = OPERATORS[kind]
        if st.session_state.get(f"explore_f{i}_op") not in ops:
            st.session_state[f"explore_f{i}_op"] = next(iter(ops))
        op = row[1].selectbox("Operator", list(ops), format_func=ops.get, key=f"explore_f{i}_op",
                              label_visibility="visible" if i == 0 else "collapsed")
        with row[2]:
            value = _value_widget(db, actor, table_key, column, kind, op, _value_key(i, column, op), i)
        row[3].button("Remove", key=f"explore_f{i}_remove", icon=":material/close:",
                      on_click=_remove_filter, args=(i,), help="Remove this filter")
        cond = Condition(column, op, tuple(value) if isinstance(value, list) else value)
        if not cond.is_empty():
            out.append(cond)
    if count < MAX_FILTERS:
        st.button("Add a filter", key="explore_add_filter", icon=":material/filter_alt:",
                  on_click=lambda: st.session_state.update(explore_nfilters=count + 1))
    return tuple(out)


def _value_widget(db: Database, actor: Actor, table: str, column: str, kind: str, op: str,
                  key: str, i: int) -> Any:
    label_visibility = "visible" if i == 0 else "collapsed"
    if kind == TEXT and op == "in":
        options = ui.cached(explore.distinct_values, db, actor, table, column)
        chosen = [v for v in st.session_state.get(key, []) if v not in options]
        return st.multiselect("Value", [*options, *chosen], key=key, accept_new_options=True,
                              format_func=TABLES[table].fields[column].show,
                              placeholder="Choose or type values", label_visibility=label_visibility)
    if kind == NUMBER:
        return st.number_input("Value", value=None, key=key, label_visibility=label_visibility)
    if kind == DATE:
        if isinstance(st.session_state.get(key), str):
            st.session_state[key] = date.fromisoformat(st.session_state[key])
        return st.date_input("Value", value=None, key=key, label_visibility=label_visibility)
    return st.text_input("Value", key=key, max_chars=200, label_visibility=label_visibility)


def _remove_filter(index: int) -> None:
    count = st.session_state.get("explore_nfilters", 0)
    rows = []
    for i in range(count):
        col, op = st.session_state.get(f"explore_f{i}_col"), st.session_state.get(f"explore_f{i}_op")
        rows.append((col, op, st.session_state.get(_value_key(i, col, op))))
    for key in [k for k in st.session_state if str(k).startswith("explore_f")]:
        del st.session_state[key]
    del rows[index]
    st.session_state["explore_nfilters"] = len(rows)
    for i, (col, op, value) in enumerate(rows):
        st.session_state[f"explore_f{i}_col"] = col
        st.session_state[f"explore_f{i}_op"] = op
        if value is not None:
            st.session_state[_value_key(i, col, op)] = value


# ---- the result --------------------------------------------------------------------------------
def result(db: Database, actor: Actor, spec: ExploreSpec) -> None:
    try:
        res = ui.cached(explore.run, db, actor, spec)
    except UserError as exc:
        ui.show_error(exc)
        return
    table = spec.spec_table
    what = table.label + (f" where {spec.sentence}" if spec.sentence else "")
    shown = (f"first {len(res.frame):,} of {res.total:,}" if res.capped else f"{res.total:,}")
    st.caption(f"{what} · {shown} {'groups' if spec.group_by else 'rows'}"
               + (f" · amounts converted to {spec.currency}" if "_rep" in (spec.measure or "") else ""))
    if res.frame.empty:
        st.info("Nothing matches these filters. Remove a filter to see more.",
                icon=":material/filter_alt_off:")
        return
    fig = figure(res.frame, spec)
    if fig is not None:
        st.plotly_chart(fig, key="explore_chart_figure")
    if spec.chart == "pivot" and spec.group_by:
        st.dataframe(explore.pivot(res.frame, spec), key="explore_pivot")
    else:
        shown = explore.titled(res.frame, spec)
        days = {c.label for c in table.columns.values() if c.kind == DATE}  # not "… 00:00:00"
        st.dataframe(shown, hide_index=True, key="explore_result", column_config={
            c: DAY if c in days else AMOUNT for c in shown.columns
            if c in days or pd.api.types.is_float_dtype(shown[c])})     # amounts: 70,772.05
    _downloads(db, actor, spec, res.total)


def _downloads(db: Database, actor: Actor, spec: ExploreSpec, total: int) -> None:
    def rows():
        frame = explore.run(db, actor, spec, limit=DOWNLOAD_CAP).frame
        if spec.chart == "pivot" and spec.group_by:
            return explore.pivot(frame, spec).reset_index()
        return explore.titled(frame, spec)

    name = f"explore-{spec.table}-{date.today().isoformat()}"
    c1, c2, c3 = st.columns([1, 1, 4], vertical_alignment="center")
    c1.download_button("Download CSV", lambda: csv_bytes(rows()), file_name=f"{name}.csv",
                       mime="text/csv", key="explore_csv", icon=":material/download:", on_click="ignore")
    c2.download_button("Download XLSX", lambda: xlsx_bytes(rows(), sheet=spec.spec_table.label),
                       file_name=f"{name}.xlsx", key="explore_xlsx", icon=":material/download:",
                       on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if total > DOWNLOAD_CAP:
        c3.caption(f"Downloads hold the first {DOWNLOAD_CAP:,} of {total:,} rows; group or filter "
                   "to take everything.")


# ---- saved views -------------------------------------------------------------------------------
def saved_views(db: Database, actor: Actor, spec: ExploreSpec) -> None:
    def seed(data: dict) -> None:
        opened = explore.from_dict(data, spec.currency)
        _seed(opened)
        write_link(opened)    # the address names the opened view, or the old one would come back

    ui_views.panel(db, actor, "explore", current=lambda: explore.checked(spec).to_dict(), seed=seed)


# ---- the SQL box -------------------------------------------------------------------------------
def sql_panel(db: Database, actor: Actor) -> None:
    """The read-only SQL box, for those who may use it; nothing at all for anyone else."""
    if not can(actor, "use_sql"):
        return
    tables = sql_box.visible_tables(actor)
    with st.expander("SQL (read-only)", icon=":material/terminal:"):
        st.caption("One SELECT over a read-only copy of the data. Tables: " + ", ".join(sorted(tables))
                   + f". At most {sql_box.ROW_CAP:,} rows; a query is stopped after "
                   f"{sql_box.TIMEOUT_SECONDS:g} s or {sql_box.MEMORY_BYTES // 1024**2:,} MB.")
        with st.form("explore_sql_form", border=False):
            text = st.text_area("Query", key="explore_sql", height=140, max_chars=sql_box.MAX_SQL_CHARS,
                                placeholder="SELECT tier, count(*) FROM accounts GROUP BY tier")
            run = st.form_submit_button("Run query", icon=":material/play_arrow:")
        if run:
            try:
                with st.spinner("Running the query in its own worker…"):
                    st.session_state["explore_sql_result"] = sql_box.run(db, actor, text or "")
                st.session_state.pop("explore_sql_error", None)
            except UserError as exc:
                st.session_state["explore_sql_error"] = str(exc)
                st.session_state.pop("explore_sql_result", None)
        if error := st.session_state.get("explore_sql_error"):
            st.error(error, icon=":material/block:")
        if (res := st.session_state.get("explore_sql_result")) is not None:
            st.caption(f"{len(res.frame):,} rows{f' (the first {sql_box.ROW_CAP:,}; there are more)' if res.truncated else ''}"
                       f" in {res.seconds:.1f} s")
            st.dataframe(res.frame, hide_index=True, key="explore_sql_table")
            c1, c2, _ = st.columns([1, 1, 4])
            c1.download_button("Download CSV", lambda: csv_bytes(res.frame), file_name="query.csv",
                               mime="text/csv", key="explore_sql_csv", on_click="ignore")
            c2.download_button("Download XLSX", lambda: xlsx_bytes(res.frame, sheet="Query"),
                               file_name="query.xlsx", key="explore_sql_xlsx", on_click="ignore",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
