"""The Users page as the demo admin uses it: the team, inviting, editing, conflicts, deactivating."""
import pytest
from streamlit.testing.v1 import AppTest

from lib.users import get_user, update_user, user_details
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import ADMIN, DIRECTOR, MANAGER

MAYA = MANAGER


@pytest.fixture
def users_page(demo_app) -> AppTest:
    return sign_in(demo_app, ADMIN).switch_page("pages/users_page.py").run()



def _user(email: str) -> dict:
    user_id = app_db().value("SELECT id FROM users WHERE email = ?", [email])
    return user_details(app_db(), user_id)


def _table(at: AppTest):
    return at.dataframe[0].value  # the page's one table (AppTest does not expose its key)



def _pick(at: AppTest, email: str) -> AppTest:
    return at.selectbox(key="users_pick").select(_user(email)["id"]).run()


def _invite(at: AppTest, email: str, name: str, role: str = "viewer", password: str = "") -> AppTest:
    at.text_input(key="users_new_email").input(email)
    at.text_input(key="users_new_name").input(name)
    at.selectbox(key="users_new_role").select(role)
    at.text_input(key="users_new_password").input(password)
    return at.button(key="users_new_submit").click().run()


def test_the_table_lists_the_demo_team_with_roles_and_sign_in_facts(users_page):
    at = users_page
    no_errors(at)
    assert at.title[0].value == "Users"
    table = _table(at)
    assert list(table.columns) == ["Name", "Email", "Role", "Account manager", "Active",
                                   "Has password", "Last sign-in"]
    assert {ADMIN, DIRECTOR, MANAGER} <= set(table["Email"])
    assert len(table) == 15 and table["Active"].all() and table["Has password"].all()
    assert table.set_index("Email").at[MAYA, "Account manager"] == "Maya Thompson"
    assert table.set_index("Email").at[ADMIN, "Last sign-in"] is not None


def test_adding_a_user_through_the_form_adds_a_row_and_says_how_they_sign_in(users_page):
    at = _invite(users_page, "Nia.New@Example.com", "Nia New", "director", "a long enough secret")
    no_errors(at)
    assert "Added Nia New (nia.new@example.com). They can sign in now." in at.success[0].value
    row = _table(at).set_index("Email").loc["nia.new@example.com"]
    assert (row["Name"], row["Role"], bool(row["Has password"])) == ("Nia New", "director", True)
    assert at.text_input(key="users_new_email").value == ""  # the form is ready for the next one


def test_a_user_added_without_a_password_is_told_to_need_one(users_page):
    at = _invite(users_page, "pat@example.com", "Pat Later")
    assert "cannot sign in until an admin sets a password" in at.success[0].value
    assert not _table(at).set_index("Email").at["pat@example.com", "Has password"]


@pytest.mark.parametrize("email, problem", [
    ("not-an-email", "is not an email address"),
    (MANAGER, "is already used by Maya Thompson"),
])
def test_a_bad_or_taken_email_shows_the_problem_and_adds_nobody(users_page, email, problem):
    at = _invite(users_page, email, "Someone Else", password="a long enough secret")
    assert problem in at.error[0].value and "Nothing was saved" in at.error[0].value
    assert len(_table(at)) == 15
    assert at.text_input(key="users_new_name").value == "Someone Else"  # nothing to retype


def test_editing_a_role_saves_it_and_the_table_shows_it(users_page):
    at = _pick(users_page, MAYA)
    assert at.text_input(key="users_edit_name").value == "Maya Thompson"
    at.selectbox(key="users_edit_role").select("director")
    at.button(key="users_edit_submit").click().run()
    no_errors(at)
    assert "Saved the changes to Maya Thompson" in at.success[0].value
    assert _user(MAYA)["role"] == "director"
    assert _table(at).set_index("Email").at[MAYA, "Role"] == "director"


def test_a_stale_edit_shows_who_changed_the_user_and_their_values_and_reloads(users_page):
    at = _pick(users_page, MAYA)
    maya, admin = _user(MAYA), get_user(app_db(), _user(ADMIN)["id"])
    # another admin tab saves first
    update_user(app_db(), admin, maya["id"], maya["version"], display_name="Maya T. Thompson",
                role="director", manager_id=maya["manager_id"])
    at.selectbox(key="users_edit_role").select("viewer")
    at.button(key="users_edit_submit").click().run()
    message = at.error[0].value
    assert "Fiona Finch changed this user after you opened it" in message
    assert "name **Maya T. Thompson**, role **director**" in message
    assert _user(MAYA)["role"] == "director"  # nothing of the stale edit was saved
    assert at.selectbox(key="users_edit_role").value == "director"  # the form shows theirs now
    assert at.text_input(key="users_edit_name").value == "Maya T. Thompson"
    at.selectbox(key="users_edit_role").select("viewer")
    at.button(key="users_edit_submit").click().run()  # re-applied on the fresh version: saved
    assert _user(MAYA)["role"] == "viewer"


def test_deactivating_needs_the_confirmation_and_then_marks_the_user_inactive(users_page):
    at = _pick(users_page, MAYA)
    at.button(key="users_deactivate").click().run()
    assert "first; nothing was changed" in at.error[0].value
    assert _user(MAYA)["active"]
    at.checkbox(key="users_confirm_deactivate").check()
    at.button(key="users_deactivate").click().run()
    no_errors(at)
    assert "their history stays attributed to them" in at.success[0].value
    assert not _user(MAYA)["active"]
    assert not _table(at).set_index("Email").at[MAYA, "Active"]
    at.button(key="users_reactivate").click().run()
    assert _user(MAYA)["active"]


def test_an_admin_cannot_deactivate_themselves_and_is_told_why(users_page):
    at = _pick(users_page, ADMIN)
    at.checkbox(key="users_confirm_deactivate").check()
    at.button(key="users_deactivate").click().run()
    assert "You cannot deactivate yourself" in at.error[0].value
    assert _user(ADMIN)["active"]


def test_resetting_a_password_checks_the_rules_and_then_sets_it(users_page):
    at = _pick(users_page, MAYA)
    before = app_db().value("SELECT password_hash FROM users WHERE email = ?", [MAYA])
    for field in ("users_password_new", "users_password_again"):
        at.text_input(key=field).input("short")
    at.button(key="users_password_submit").click().run()
    assert "at least 10 characters" in at.error[0].value
    for field in ("users_password_new", "users_password_again"):
        at.text_input(key=field).input("a brand new secret")
    at.button(key="users_password_submit").click().run()
    no_errors(at)
    assert "Maya Thompson has a new password" in at.success[0].value
    assert app_db().value("SELECT password_hash FROM users WHERE email = ?", [MAYA]) != before


def test_a_manager_opening_the_users_url_is_refused(demo_app):
    at = sign_in(demo_app, MANAGER).switch_page("pages/users_page.py").run()
    assert not at.exception
    assert at.title[0].value == "Users"
    assert "You are not allowed to open Users" in at.error[0].value
    assert not at.dataframe
