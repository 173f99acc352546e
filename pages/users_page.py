"""Users (admin): who can sign in and as what; invite, edit, reset a password, deactivate."""
from functools import partial

import streamlit as st

from lib import auth, ui, ui_auth
from lib.errors import UserError, WriteConflict
from lib.users import ROLES, linkable_managers, user_details

db = ui.database()
actor = ui.current_user(page="users")

ROLE_HELP = {
    "admin": "everything, including users, settings, FX rates, period locks and backups",
    "director": "leads a team: changes its accounts, targets and pay plans; imports data",
    "manager": "works their own accounts; sees their own targets and pay",
    "viewer": "reads the portfolio and reports; changes nothing and sees no pay",
}
COLUMNS = {"display_name": "Name", "email": "Email", "role": "Role", "manager": "Account manager",
           "active": "Active", "has_password": "Has password", "last_sign_in": "Last sign-in"}
NEW_KEYS = ("users_new_email", "users_new_name", "users_new_role", "users_new_manager",
            "users_new_password")
EDIT_KEYS = {"display_name": "users_edit_name", "role": "users_edit_role",
             "manager_id": "users_edit_manager"}
RULES = (f"At least {auth.MIN_PASSWORD_LENGTH} characters, not the person's email address, "
         "not one character repeated.")

ui.forget_stale("users")


finish = partial(ui.finish, "users")  # finish(kind, message, *keys to forget)


def role_label(role: str) -> str:
    return f"{role.title()}: {ROLE_HELP[role]}"


def conflict_text(exc: WriteConflict, managers: dict[int, str]) -> str:
    theirs = exc.current
    link = managers.get(theirs["manager_id"], "none") if theirs["manager_id"] else "none"
    return (f"{exc}\n\nTheir values now: name **{theirs['display_name']}**, role "
            f"**{theirs['role']}**, account manager **{link}**.")


st.title("Users")
st.caption("Who can sign in, and what their role lets them do. Users are never deleted: "
           "deactivate someone who leaves, and their history stays attributed to them.")
ui.show_outcome("users")

users = ui.cached(auth.list_users, db, actor)
st.dataframe(users[list(COLUMNS)].rename(columns=COLUMNS), hide_index=True, key="users_table",
             column_config={"Last sign-in": st.column_config.DatetimeColumn(
                 format="YYYY-MM-DD HH:mm")})

# ---- invite -----------------------------------------------------------------------------------
with st.expander("Invite a user", icon=":material/person_add:"):
    free = ui.cached(linkable_managers, db)
    with st.form("users_new", enter_to_submit=False):
        email = st.text_input("Email", key="users_new_email", max_chars=254)
        name = st.text_input("Name", key="users_new_name", max_chars=200)
        role = st.selectbox("Role", ROLES, index=ROLES.index("viewer"), format_func=role_label,
                            key="users_new_role")
        manager = st.selectbox("This person is the account manager", [None, *free],
                               format_func=lambda m: free.get(m, "Not an account manager"),
                               key="users_new_manager",
                               help="Link a manager or director to their own accounts and team. "
                                    "Only account managers nobody signs in as yet are listed.")
        password = st.text_input("Initial password (optional)", type="password", max_chars=200,
                                 key="users_new_password", help=RULES)
        st.caption(f"Password rules: {RULES} Without a password they cannot sign in until an "
                   "admin sets one (Reset password, below).")
        if st.form_submit_button("Add the user", type="primary", key="users_new_submit"):
            try:
                auth.create_user(db, actor, email, name, role, manager, password or None)
            except UserError as exc:
                ui.show_error(exc)
            else:
                how = ("They can sign in now." if password else
                       "They sign in with single sign-on." if ui_auth.sso_configured() else
                       "They cannot sign in until an admin sets a password for them.")
                added = f"{name.strip()} ({email.strip().lower()})"
                finish("success", f"Added {added}. {how}", *NEW_KEYS)

# ---- one user: edit, password, deactivate -----------------------------------------------------
st.subheader("Change a user")
people = users.set_index("id")
picked = st.selectbox(
    "User", people.index.astype(int).tolist(), index=None, placeholder="Choose a user",
    key="users_pick",
    format_func=lambda i: f"{people.at[i, 'display_name']} · {people.at[i, 'email']}"
                          + ("" if people.at[i, "active"] else " (deactivated)"))
if picked is None:
    st.stop()

# The version shown in the form is kept until a save, so a save by someone else meanwhile is
# a conflict rather than a silent overwrite. Leaving the page drops the widgets' values: reload.
loaded = st.session_state.get("users_loaded")
if (loaded is None or loaded["id"] != picked
        or not all(k in st.session_state for k in EDIT_KEYS.values())):
    details = user_details(db, picked)
    loaded = st.session_state["users_loaded"] = {"id": picked, "version": details["version"]}
    st.session_state.update({key: details[field] for field, key in EDIT_KEYS.items()})
    st.session_state.pop("users_confirm_deactivate", None)  # a tick was for someone else
person = people.loc[picked]
who = person["display_name"]
managers = ui.cached(linkable_managers, db, picked)

with st.form("users_edit", enter_to_submit=False, border=True):
    st.markdown(f"**Details of {who}**")
    new_name = st.text_input("Name", key="users_edit_name", max_chars=200)
    new_role = st.selectbox("Role", ROLES, format_func=role_label, key="users_edit_role")
    new_manager = st.selectbox("This person is the account manager", [None, *managers],
                               format_func=lambda m: managers.get(m, "Not an account manager"),
                               key="users_edit_manager")
    if st.form_submit_button("Save changes", type="primary", key="users_edit_submit"):
        try:
            auth.update_user(db, actor, picked, loaded["version"], display_name=new_name,
                             role=new_role, manager_id=new_manager)
        except WriteConflict as exc:
            finish("error", conflict_text(exc, managers), "users_loaded")
        except UserError as exc:
            ui.show_error(exc)
        else:
            finish("success", f"Saved the changes to {new_name.strip()}.", "users_loaded")

with st.form("users_password", clear_on_submit=True, enter_to_submit=False, border=True):
    st.markdown(f"**Reset the password of {who}**")
    st.caption(f"Password rules: {RULES} Give it to them by a channel other than email.")
    passwords = ui.password_twice("users_password")
    if st.form_submit_button("Set the password", key="users_password_submit") and ui.attempt(
            lambda: auth.set_password(db, actor, picked, passwords[0]), passwords=passwords):
        finish("success", f"{who} has a new password.")

with st.container(border=True):
    if person["active"]:
        st.markdown(f"**Deactivate {who}**")
        st.caption("They can no longer sign in, from the next click on. Nobody is deleted: their "
                   "history stays attributed to them, and you can reactivate them later.")
        sure = st.checkbox(f"Yes, deactivate {who}", key="users_confirm_deactivate")
        if st.button("Deactivate", key="users_deactivate", icon=":material/person_off:"):
            if not sure:
                st.error(f"Tick “Yes, deactivate {who}” first; nothing was changed.")
            else:
                try:
                    auth.deactivate_user(db, actor, picked)
                except UserError as exc:
                    ui.show_error(exc)
                else:
                    finish("success", f"{who} is deactivated; their history stays attributed to "
                           "them.", "users_loaded", "users_confirm_deactivate")
    else:
        st.markdown(f"**{who} is deactivated**")
        st.caption("They cannot sign in. Their history stays attributed to them.")
        if st.button("Reactivate", key="users_reactivate", icon=":material/person_check:"):
            try:
                auth.reactivate_user(db, actor, picked)
            except UserError as exc:
                ui.show_error(exc)
            else:
                when = "with their password" if person["has_password"] else "once they have one"
                finish("success", f"{who} is active again and can sign in {when}.", "users_loaded")
