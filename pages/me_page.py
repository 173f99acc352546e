"""My account: who I am here, and changing my password."""
import streamlit as st

from lib import auth, ui, ui_auth
from lib.errors import UserError

db = ui.database()
actor = ui.current_user(page="me")

st.title("My account")
st.write(f"**{actor.name}** · {actor.role}")

if ui_auth.sso_configured():
    st.info("You sign in with single sign-on: your password is managed there.")
    st.stop()

with st.form("me_password", clear_on_submit=True, enter_to_submit=False):
    st.subheader("Change password")
    old = st.text_input("Current password", type="password", key="me_old", max_chars=200)
    new = st.text_input("New password (at least 10 characters)", type="password", key="me_new",
                        max_chars=200)
    again = st.text_input("New password again", type="password", key="me_again", max_chars=200)
    if st.form_submit_button("Change password", type="primary"):
        if new != again:
            st.error("The two new passwords differ; type the same password twice.")
        else:
            try:
                auth.change_password(db, actor, old, new)
            except UserError as exc:
                ui.show_error(exc)
            else:
                st.success("Your password is changed.")
