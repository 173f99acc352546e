"""Explore: pick a table, filter, group and chart it, take it away; the view lives in the URL."""
import streamlit as st

from lib import ui, ui_explore

actor = ui.current_user(page="explore")
db = ui.database()
currency = ui.reporting_currency(db)

st.title("Explore")
ui.forget_stale("explore")
ui_explore.restore_from_link(currency)
with st.container(border=True):
    spec = ui_explore.builder(db, actor, currency)
ui_explore.write_link(spec)
ui_explore.result(db, actor, spec)
ui_explore.saved_views(db, actor, spec)
ui_explore.sql_panel(db, actor)
