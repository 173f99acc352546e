"""Account Desk: wiring only — page config, who is signed in, the shared sidebar, navigation."""
import logging
import os

import streamlit as st

from lib import memory, ui, ui_auth, ui_interactions, ui_jobs

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

os.umask(0o077)  # files the app creates (the database's WAL, backups) are private to its user
memory.give_back_large_blocks()

st.set_page_config(page_title="Account Desk", page_icon=":material/work:", layout="wide")

# key -> (script, title, icon); who may open which is lib.permissions' rule, not this file's
PAGES = {
    "portfolio": ("pages/portfolio_page.py", "Portfolio", ":material/table_view:"),
    "account": ("pages/account_page.py", "Account", ":material/domain:"),
    "my_work": ("pages/my_work_page.py", "My work", ":material/checklist:"),
    "targets": ("pages/targets_page.py", "Targets", ":material/flag:"),
    "performance": ("pages/performance_page.py", "Performance", ":material/monitoring:"),
    "compensation": ("pages/compensation_page.py", "Compensation", ":material/payments:"),
    "review": ("pages/review_page.py", "Team review", ":material/co_present:"),
    "explore": ("pages/explore_page.py", "Explore", ":material/query_stats:"),
    "import": ("pages/import_page.py", "Import", ":material/upload_file:"),
    "audit": ("pages/audit_page.py", "Audit trail", ":material/history:"),
    "users": ("pages/users_page.py", "Users", ":material/group:"),
    "settings": ("pages/settings_page.py", "Settings & backups", ":material/settings:"),
    "me": ("pages/me_page.py", "My account", ":material/person:"),
}

db = ui.database()
ui_jobs.start(db)
actor = ui_auth.signed_in(db)
st.session_state["_actor"] = actor

if actor is None:
    pages = ui.entry_pages(db, list(PAGES))
else:
    allowed = ui.allowed_pages(actor)
    landing = "portfolio" if ui.cached(ui.has_accounts, db) else "welcome"
    pages = [ui.page(key, *spec, allowed=key in allowed, default=key == landing)
             for key, spec in PAGES.items() if key != "portfolio" or landing == "portfolio"]
    if landing == "welcome":  # an empty database: the way in comes first
        pages.insert(0, st.Page("pages/welcome_page.py", title="Welcome", icon=":material/waving_hand:",
                                url_path="welcome", default=True))
    ui.sidebar(db, actor)
    ui_interactions.quick_entry_button(db, actor)

ui.run_page(st.navigation(pages, expanded=True))  # every page listed, no "View more"
