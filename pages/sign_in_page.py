"""Sign in: nothing else is shown to someone who is not signed in."""
import pandas as pd
import streamlit as st

from lib import auth, ui, ui_auth
from lib.errors import UserError

db = ui.database()
ui.current_user(required=False)  # only through app.py's gate

st.title("Sign in to Account Desk")
if ui_auth.notice():
    st.info(ui_auth.notice())

if ui_auth.sso_configured():
    if st.user.is_logged_in:
        st.error(f"{st.user.get('email', 'This account')} has no access to Account Desk yet. "
                 "Ask your admin for access.", icon=":material/lock:")
        if st.button("Sign out", key="sign_in_sso_out"):
            st.logout()
    elif st.button("Sign in with single sign-on", type="primary", key="sign_in_sso"):
        st.login()
    st.stop()

with st.form("sign_in", enter_to_submit=True):
    email = st.text_input("Email", key="sign_in_email", max_chars=254)
    password = st.text_input("Password", type="password", key="sign_in_password", max_chars=200)
    if st.form_submit_button("Sign in", type="primary"):
        try:
            ui_auth.sign_in(db, email, password)
        except UserError as exc:
            st.error(str(exc))
        else:
            st.rerun()

if ui.cached(ui.is_demo, db):
    with st.container(border=True):
        st.markdown(f"**Demo data.** Every demo person signs in with the password "
                    f"`{auth.DEMO_PASSWORD}`:")
        st.table(pd.DataFrame(auth.demo_sign_ins(db), columns=["Name", "Email", "Role"]),
                 hide_index=True)
