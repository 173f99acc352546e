"""A new, empty database: offer the way in."""
import streamlit as st

from lib import demo, ui

db = ui.database()
actor = ui.current_user()

st.title("Welcome to Account Desk")
st.write(
    "This database is empty. Account Desk shows your team's account portfolios, targets, "
    "revenue, collections and commissions once it holds some data."
)

with st.container(border=True):
    st.subheader("Explore with the demo portfolio")
    st.write(
        "A realistic team: an account director, twelve account managers in the US, UK and "
        "India, about 400 accounts with three years of revenue, targets, budgets, invoices "
        "and interactions. Everything in it is made up."
    )
    if st.button("Load the demo portfolio", type="primary", key="welcome_load_demo"):
        with st.spinner("Building the demo portfolio…"):
            try:
                counts = demo.load_demo(db, actor)
            except demo.DemoRefused as exc:
                st.warning(str(exc))
            else:
                st.session_state["welcome_loaded"] = counts["accounts"]
                st.rerun()
