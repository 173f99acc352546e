"""Account Desk: wiring only — page config, who is acting, the shared sidebar, navigation."""
import logging

import streamlit as st

from lib import portfolio, ui

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

st.set_page_config(page_title="Account Desk", page_icon=":material/work:", layout="wide")

db = ui.database()
st.session_state["_actor"] = ui.acting_user(db)

if ui.cached(portfolio.account_count, db):
    pages = [st.Page("pages/portfolio.py", title="Portfolio", icon=":material/table_view:", default=True)]
else:
    pages = [st.Page("pages/welcome.py", title="Welcome", icon=":material/waving_hand:", default=True)]

nav = st.navigation(pages)
ui.run_page(nav)
