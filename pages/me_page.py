"""My account: who I am here, and changing my password."""
import streamlit as st

from lib import auth, ui, ui_auth

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
    passwords = ui.password_twice("me")
    if st.form_submit_button("Change password", type="primary") and ui.attempt(
            lambda: auth.change_password(db, actor, old, passwords[0]), passwords=passwords):
        st.success("Your password is changed.")
