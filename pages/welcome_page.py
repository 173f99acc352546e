"""First start (nobody can sign in yet) or a signed-in admin's empty database: the way in."""
import streamlit as st

from lib import auth, demo, ui
from lib.errors import UserError
from lib.users import SYSTEM

db = ui.database()
actor = ui.current_user(required=False)  # None during first-start setup
setting_up = actor is None

st.title("Welcome to Account Desk")
st.write("Account Desk shows your team's account portfolios, targets, revenue, collections "
         "and commissions. This database is empty.")

left, right = st.columns(2)
with left.container(border=True):
    st.subheader("Explore with the demo portfolio")
    st.write("A made-up team: an account director, twelve account managers in the US, UK and "
             "India, about 400 accounts with three years of revenue, targets, budgets, invoices "
             "and interactions. Each demo person can sign in with the demo password.")
    may_load = setting_up or actor.role == "admin"
    if not may_load:
        st.info("Ask an admin to load data: only admins can add the demo team.")
    elif st.button("Load the demo portfolio", type="primary", key="welcome_load_demo"):
        with st.spinner("Building the demo portfolio…"):
            try:
                demo.load_demo(db, actor or SYSTEM)
                auth.set_demo_passwords(db, actor or SYSTEM)
            except (demo.DemoRefused, UserError) as exc:
                st.warning(str(exc))
            else:
                st.rerun()

if setting_up:
    with right.container(border=True):
        st.subheader("Or set up your own team")
        st.write("Create the first admin: the person who adds users and uploads data.")
        with st.form("welcome_admin", enter_to_submit=False):
            name = st.text_input("Your name", key="welcome_name", max_chars=200)
            email = st.text_input("Email", key="welcome_email", max_chars=254)
            passwords = ui.password_twice("welcome_password", "Password")
            if st.form_submit_button("Create the admin", type="primary") and ui.attempt(
                    lambda: auth.create_first_admin(db, email, name, passwords[0]),
                    passwords=passwords):
                st.session_state["auth_notice"] = "Your admin account is ready: sign in."
                st.rerun()
